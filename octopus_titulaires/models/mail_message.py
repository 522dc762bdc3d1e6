from odoo import SUPERUSER_ID, api, models
from odoo.exceptions import AccessError


class MailMessage(models.Model):
    _inherit = "mail.message"

    @api.model_create_multi
    def create(self, vals_list):
        messages = super().create(vals_list)
        messages._octopus_check_attachments()
        return messages

    def write(self, vals):
        result = super().write(vals)
        if "attachment_ids" in vals:
            self._octopus_check_attachments()
        return result

    def _octopus_check_attachments(self):
        """An office's workbooks (billing summaries, exports) leave Odoo only
        with the users who may read them. Odoo links any attachment an internal
        user names to a message or a mail (``message_post``, the composer,
        ``mail.template.send_mail``'s ``email_values``), and the mail carries
        the file wherever it goes: the user who asked for the message, even
        through ``sudo()``, must be able to read each of this addon's files
        it carries."""
        if self.env.uid == SUPERUSER_ID:
            return
        files = self.sudo().attachment_ids.filtered(
            lambda attachment: (attachment.res_model or "").startswith("octopus.")
        )
        if not files:
            return
        try:
            files.with_user(self.env.uid).check("read")
        except AccessError:
            raise AccessError(
                self.env._("You cannot send a file of an office you do not work for.")
            ) from None
