from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError


class OctopusReinvoice(models.TransientModel):
    """Re-invoice the modules of an office's C dossiers to their clients for
    a period: the preview per client first, then the draft invoices."""

    _name = "octopus.reinvoice"
    _description = "Re-invoice Modules"

    company_id = fields.Many2one(
        "res.company", string="Office", required=True, default=lambda self: self.env.company,
        domain=lambda self: [("id", "in", self.env.user.company_ids.ids)],
    )
    date_from = fields.Date(
        string="From", compute="_compute_period", store=True, readonly=False, required=True,
        precompute=True,
        help="First day of the period: the last full month, quarter or year of the office's "
        "rhythm by default.",
    )
    date_to = fields.Date(
        string="To", compute="_compute_period", store=True, readonly=False, required=True,
        precompute=True,
    )
    preview = fields.Html(compute="_compute_preview", sanitize=False)

    @api.depends("company_id")
    def _compute_period(self):
        today = fields.Date.context_today(self)
        for wizard in self:
            if wizard.company_id:
                wizard.date_from, wizard.date_to = (
                    wizard.company_id._octopus_last_reinvoice_period(today))

    @api.depends("company_id", "date_from", "date_to")
    def _compute_preview(self):
        for wizard in self:
            wizard.preview = wizard._render_preview()

    @api.model_create_multi
    def create(self, vals_list):
        wizards = super().create(vals_list)
        wizards.company_id._octopus_check_reinvoice_rights()
        return wizards

    def action_create_invoices(self):
        """Create this run's draft invoices and show them, with a notification
        of how many clients the run invoiced and how many are left."""
        self.ensure_one()
        company = self.company_id
        moves, remaining = company._octopus_reinvoice(self._period())
        if not moves:
            raise UserError(self.env._(
                "Nothing to re-invoice for %(office)s in this period: every module of its C "
                "dossiers that ran in it is already invoiced, or none ran.",
                office=company.name))
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type")
        action.update({
            "domain": [("id", "in", moves.ids)],
            "context": {"default_move_type": "out_invoice"},
        })
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning" if remaining else "success",
                "sticky": bool(remaining),
                "message": company._octopus_reinvoice_done_text(len(moves), remaining),
                "next": action,
            },
        }

    def _period(self):
        return self.date_from, self.date_to

    def _render_preview(self):
        """The preview, or why the period cannot be re-invoiced."""
        if not self.company_id or not self.date_from or not self.date_to:
            return False
        try:
            self.company_id._octopus_check_reinvoice(self._period())
            preview = self.company_id._octopus_reinvoice_preview(self._period())
        except UserError as error:
            return Markup('<p class="text-danger o_octopus_reinvoice_error">%s</p>') % (
                error.args[0])
        return self.env["ir.qweb"]._render(
            "octopus_titulaires_account.reinvoice_preview", {"preview": preview})
