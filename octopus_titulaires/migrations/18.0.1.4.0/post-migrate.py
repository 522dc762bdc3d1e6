"""An activation keeps the category it was activated under (issue 20).

Until now the column was a stored copy of the dossier's category of the day.
It is kept as it is: the field is a plain one now, which Odoo never computes
again, on this upgrade or later. Only what a revoke rewrote is put back: an
A dossier runs no module (DESIGN.md, "Rules"), so an activation that reads A
today ran under a K login since revoked, that is under C, and was billed as
such. A dossier revoked and then turned external cannot be told apart from
one that always was: its activations keep the B they read.

The monthly billing summary's subject names the month as its reader says
it (the display name) rather than the stored "2026-11". Its template is the
office's to edit (noupdate): only the subject's field is changed, in every
language, and the rest of what the office wrote is kept."""


def migrate(cr, version):
    cr.execute("UPDATE octopus_module_activation SET access_category = 'C' "
               "WHERE access_category = 'A'")
    cr.execute(
        """UPDATE mail_template
              SET subject = replace(subject::text, '{{ object.name }}',
                                    '{{ object.display_name }}')::jsonb
            WHERE id IN (SELECT res_id FROM ir_model_data
                          WHERE module = 'octopus_titulaires'
                            AND name = 'mail_template_billing_summary')""")
