"""Each mail in its reader's language, and a grant to an existing login told
as such (issue 20).

The activation confirmation and the client-username mail now tell a login
that existed before of its new dossiers, without asking the client for a
password again; the username mail, which the office forwards, speaks the
client's language (the grant's screen 3 sets it). Both templates are reset
from the file with their translations, as the upgrade to 18.0.1.3.0 did: an
office's own edits of these two mails do not survive it (said in the README).

The monthly billing summary goes out once per language of the office's B
users, each mail telling the template its language: only the template's
language field changes, and only while it is still the one this addon wrote,
so that an office's edits of that mail stay."""

from odoo import SUPERUSER_ID, api

RESET_TEMPLATES = (
    "octopus_titulaires.mail_template_activation_confirmation",
    "octopus_titulaires.mail_template_client_username",
)
SUMMARY_LANG = (
    "{{ object.company_id.partner_id.lang }}",
    "{{ ctx.get('octopus_lang') or object.company_id.partner_id.lang }}",
)


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    for xmlid in RESET_TEMPLATES:
        env.ref(xmlid).reset_template()
    old, new = SUMMARY_LANG
    cr.execute(
        """UPDATE mail_template SET lang = %s
            WHERE lang = %s
              AND id IN (SELECT res_id FROM ir_model_data
                          WHERE module = 'octopus_titulaires'
                            AND name = 'mail_template_billing_summary')""",
        (new, old))
