from odoo import fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    # What a re-invoicing line invoiced: the activation and the period, so that
    # the same days are never invoiced twice while the line's move is not
    # cancelled (a deleted draft takes its lines, and the days, with it).
    octopus_activation_id = fields.Many2one(
        "octopus.module.activation",
        index="btree_not_null",
        ondelete="restrict",
        copy=False,
        readonly=True,
    )
    octopus_period_from = fields.Date(string="Re-invoiced From", copy=False, readonly=True)
    octopus_period_to = fields.Date(string="Re-invoiced To", copy=False, readonly=True)
