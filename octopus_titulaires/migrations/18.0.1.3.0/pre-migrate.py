"""The activation confirmation and the client-username mails now say what a
grant added, then everything the login sees (issue 19). Their templates are
data the office may edit (noupdate): this upgrade alone writes them again,
and post-migrate makes them the office's to edit again."""

# Kept in step with post-migrate.py.
TEMPLATES = ("mail_template_activation_confirmation", "mail_template_client_username")


def migrate(cr, version):
    cr.execute(
        "UPDATE ir_model_data SET noupdate = FALSE WHERE module = 'octopus_titulaires' "
        "AND name IN %s", [TEMPLATES])
