"""Each mail in its reader's language (issue 20). The client-username mail,
which the office forwards to its client, speaks the client's language (the
grant's screen 3 sets it on the client's contact); the monthly billing summary
goes out once per language of the office's B users, each mail telling the
template its language. The templates are the office's to edit (noupdate): only
their language field is changed, and only while it is still the one this addon
wrote."""

LANGS = {
    "mail_template_client_username": (
        "{{ user.lang }}", "{{ object.partner_id.lang or user.lang }}"),
    "mail_template_billing_summary": (
        "{{ object.company_id.partner_id.lang }}",
        "{{ ctx.get('octopus_lang') or object.company_id.partner_id.lang }}"),
}


def migrate(cr, version):
    for xmlid, (old, new) in LANGS.items():
        cr.execute(
            """UPDATE mail_template SET lang = %s
                WHERE lang = %s
                  AND id IN (SELECT res_id FROM ir_model_data
                              WHERE module = 'octopus_titulaires' AND name = %s)""",
            (new, old, xmlid))
