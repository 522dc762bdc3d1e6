from odoo import fields, models

from .octopus_access_dialog import PASSWORD_KEY


class OctopusAccessRequestAnswer(models.TransientModel):
    """The office holder's answer to a request: confirmed with their own
    password, handed over by the Confirm button's context as in the grant and
    change dialogs, or refused with a reason. The request itself is read-only:
    the password and the reason are typed here."""

    _name = "octopus.access.request.answer"
    _description = "Answer a Request to the Office Holder"

    request_id = fields.Many2one(
        "octopus.access.request", required=True, readonly=True,
        ondelete="cascade")
    answer = fields.Selection(
        [("confirm", "Confirm"), ("refuse", "Refuse")], required=True, default="confirm")
    recap = fields.Html(related="request_id.recap_today")
    stale_reason = fields.Char(related="request_id.stale_reason")
    requested_by_id = fields.Many2one(related="request_id.requested_by_id")
    # Never stored: the Confirm button hands it over in its context.
    password = fields.Char(store=False, help="Your own Odoo password, which confirms the change.")
    reason = fields.Text(help="Why the change is refused: it goes back to the user who asked.")

    def action_confirm(self):
        self.ensure_one()
        password = self.env.context.get(PASSWORD_KEY)
        # Handed on as an argument, not in the context of all that confirming runs.
        self.request_id.with_context(**{PASSWORD_KEY: False})._confirm(password)
        return {"type": "ir.actions.act_window_close"}

    def action_refuse(self):
        self.ensure_one()
        self.request_id._refuse(self.reason)
        return {"type": "ir.actions.act_window_close"}
