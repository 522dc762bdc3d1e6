"""A new office confirms changes of client access with its holder's password
(the Octopus rule, issue 19). An office that existed before keeps what it did
until it chooses: each B user confirms with their own password.

The two mail templates written again by this upgrade (pre-migrate.py) are
the office's to edit again."""

TEMPLATES = ("mail_template_activation_confirmation", "mail_template_client_username")


def migrate(cr, version):
    cr.execute("UPDATE res_company SET octopus_confirmation = 'user'")
    cr.execute(
        "UPDATE ir_model_data SET noupdate = TRUE WHERE module = 'octopus_titulaires' "
        "AND name IN %s", [TEMPLATES])
