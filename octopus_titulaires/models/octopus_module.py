from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.misc import format_date


class OctopusModule(models.Model):
    _name = "octopus.module"
    _description = "Octopus Module"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="Short technical code, used by imports and exports.")
    description = fields.Text(translate=True)
    sequence = fields.Integer(default=10)
    is_default = fields.Boolean(
        string="Default Module",
        help="Activated on every dossier that gets client access (Portail Client). "
        "Exactly one module is the default one.",
    )
    active = fields.Boolean(default=True)
    # The portal shows module names; prices stay the office's business.
    tariff_ids = fields.One2many(
        "octopus.module.tariff",
        "module_id",
        string="Tariffs",
        groups="octopus_titulaires.group_titulaire",
    )
    currency_id = fields.Many2one(
        "res.currency", default=lambda self: self.env.company.currency_id, required=True
    )
    current_price = fields.Monetary(
        string="Current Annual Price",
        compute="_compute_current_price",
        currency_field="currency_id",
        groups="octopus_titulaires.group_titulaire",
    )

    _sql_constraints = [
        ("code_unique", "unique(code)", "A module with this code already exists."),
    ]

    @api.depends("tariff_ids.date_from", "tariff_ids.annual_price")
    @api.depends_context("date")
    def _compute_current_price(self):
        today = fields.Date.context_today(self)
        for module in self:
            tariff = module._get_tariff(today)
            module.current_price = tariff.annual_price if tariff else 0.0

    @api.constrains("is_default", "active")
    def _check_single_default(self):
        if self.env.context.get("octopus_moving_default"):
            # The flag is being moved: the module that receives it is validated next.
            return
        defaults = self.search_count([("is_default", "=", True)])
        if defaults != 1:
            raise ValidationError(
                self.env._(
                    "Exactly one active module must be the default module (Portail Client); "
                    "there would be %(count)s.",
                    count=defaults,
                )
            )

    @api.model
    def _default_module(self):
        """The module every dossier with client access runs (Client Portal)."""
        return self.search([("is_default", "=", True)], limit=1)

    @api.model_create_multi
    def create(self, vals_list):
        if any(vals.get("is_default") for vals in vals_list):
            self._unset_default()
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("is_default"):
            (self.search([("is_default", "=", True)]) - self)._unset_default()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_default(self):
        if any(module.is_default for module in self):
            raise UserError(self.env._("The default module cannot be deleted."))

    def _unset_default(self):
        """Move the default flag: only one module may carry it at a time."""
        self.search([("is_default", "=", True)]).with_context(
            octopus_moving_default=True
        ).write({"is_default": False})

    def _get_tariff(self, on_date):
        """Return the tariff valid on ``on_date``: the latest one that started by then."""
        self.ensure_one()
        valid = self.tariff_ids.filtered(lambda t: t.date_from <= on_date)
        return valid.sorted("date_from")[-1:] if valid else valid

    def _get_price(self, on_date):
        """Annual price on ``on_date``; refuses a module that has no tariff yet."""
        self.ensure_one()
        tariff = self._get_tariff(on_date)
        if not tariff:
            raise UserError(
                self.env._(
                    "Module %(module)s has no tariff valid on %(date)s.",
                    module=self.display_name,
                    date=format_date(self.env, on_date),
                )
            )
        return tariff.annual_price
