"""A new office confirms changes of client access with its holder's password
(the Octopus rule, issue 19). An office that existed before keeps what it did
until it chooses: each B user confirms with their own password.

The activation confirmation and the client-username mails now say what a
grant added, then everything the login sees, and who asked and who confirmed
when the office holder confirmed for a colleague (issue 19). Their templates
are data the office may edit, in a noupdate file: an upgrade never loads them
again, whatever their ir.model.data rows say. They are reset from the file,
with their translations, as Odoo's own Reset Template button does."""

from odoo import SUPERUSER_ID, api

TEMPLATES = (
    "octopus_titulaires.mail_template_activation_confirmation",
    "octopus_titulaires.mail_template_client_username",
)


def migrate(cr, version):
    cr.execute("UPDATE res_company SET octopus_confirmation = 'user'")
    env = api.Environment(cr, SUPERUSER_ID, {})
    for xmlid in TEMPLATES:
        env.ref(xmlid).reset_template()
