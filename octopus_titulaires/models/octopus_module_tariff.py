from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.misc import format_date


class OctopusModuleTariff(models.Model):
    _name = "octopus.module.tariff"
    _description = "Octopus Module Tariff"
    _order = "module_id, date_from desc"
    _rec_name = "module_id"

    module_id = fields.Many2one("octopus.module", required=True, ondelete="cascade", index=True)
    date_from = fields.Date(string="Valid From", required=True, default=fields.Date.context_today)
    annual_price = fields.Monetary(required=True, currency_field="currency_id")
    currency_id = fields.Many2one(related="module_id.currency_id")

    _sql_constraints = [
        (
            "module_date_unique",
            "unique(module_id, date_from)",
            "A module has at most one tariff starting on a given date.",
        ),
    ]

    @api.constrains("annual_price")
    def _check_annual_price(self):
        for tariff in self:
            if tariff.annual_price < 0:
                raise ValidationError(
                    self.env._(
                        "The annual price of %(module)s cannot be negative.",
                        module=tariff.module_id.display_name,
                    )
                )

    @api.depends("module_id", "date_from")
    @api.depends_context("lang")
    def _compute_display_name(self):
        for tariff in self:
            tariff.display_name = self.env._(
                "%(module)s from %(date)s",
                module=tariff.module_id.name or "",
                date=format_date(self.env, tariff.date_from),
            )
