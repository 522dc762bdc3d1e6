from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL, float_round

from ..tools.sql import fetch_rows

# Ending a module is the only change the ledger accepts once a line is written.
MUTABLE_FIELDS = {"date_end"}


# The pricing rule on plain values, for the records below and for the invoice
# projection, which reads thousands of activations as rows of one query.

def days_in_period(date_start, date_end, period):
    """The first and last day that an activation started on ``date_start`` and
    stopped on ``date_end`` (empty while it runs) runs inside ``period`` (first
    day, last day), or None when it does not run in it."""
    period_from, period_to = period
    first = max(date_start, period_from)
    last = min(date_end - timedelta(days=1) if date_end else period_to, period_to)
    return (first, last) if first <= last else None


def amount_in_period(annual_price, days, period, rounding):
    """The pricing rule (DESIGN.md, "Pricing"): the frozen ``annual_price`` for
    the ``days`` (first day, last day, or None) an activation runs inside the
    billing ``period``, the period's own length as divisor (a leap year counts
    366 days), rounded to the currency's ``rounding``."""
    if not days:
        return 0.0
    days_in_period = (period[1] - period[0]).days + 1
    return float_round(annual_price * ((days[1] - days[0]).days + 1) / days_in_period,
                       precision_rounding=rounding)


def invoice_amount(access_category, annual_price, days, period, rounding):
    """What an activation adds to the office's invoice: Octopus bills the office
    for the modules of its C dossiers; a B dossier's client pays its own, and
    an A dossier runs none."""
    if access_category != "C":
        return 0.0
    return amount_in_period(annual_price, days, period, rounding)


class OctopusModuleActivation(models.Model):
    _name = "octopus.module.activation"
    _description = "Octopus Module Activation"
    _order = "date_start desc, id desc"
    _check_company_auto = True

    dossier_id = fields.Many2one(
        "octopus.dossier",
        required=True,
        ondelete="restrict",
        index=True,
        check_company=True,
    )
    company_id = fields.Many2one(
        related="dossier_id.company_id", store=True, index=True, string="Office"
    )
    module_id = fields.Many2one("octopus.module", required=True, ondelete="restrict", index=True)
    date_start = fields.Date(required=True, default=fields.Date.context_today)
    # The day the module stopped: ended or revoked today, it no longer runs today,
    # and a same-day re-activation starts where it stopped (no day billed twice).
    date_end = fields.Date(
        string="Ended On",
        help="The day the module stopped running; it does not run that day. Empty while "
        "it runs.",
    )
    # Prices and staff names are the office's business, not its clients' (the
    # portal reads this model for the modules and their dates).
    annual_price = fields.Monetary(
        currency_field="currency_id",
        groups="octopus_titulaires.group_titulaire",
        help="The module's tariff on the start date, frozen when the module was activated.",
    )
    currency_id = fields.Many2one(related="module_id.currency_id")
    activated_by_id = fields.Many2one(
        "res.users",
        default=lambda self: self.env.user,
        readonly=True,
        groups="octopus_titulaires.group_titulaire",
    )
    ended_by_id = fields.Many2one(
        "res.users", readonly=True, groups="octopus_titulaires.group_titulaire"
    )
    access_category = fields.Selection(related="dossier_id.access_category", store=True)
    is_running = fields.Boolean(
        compute="_compute_is_running", search="_search_is_running", string="Running"
    )
    next_invoice_amount = fields.Monetary(
        string="Amount on the Next Invoice",
        currency_field="currency_id",
        compute="_compute_next_invoice_amount",
        store=True,
        aggregator="sum",
        groups="octopus_titulaires.group_titulaire",
        help="What the activation adds to the office's next invoice, which covers the next "
        "full billing year after today: its frozen annual price for the days it runs in "
        "that year. Zero on a B dossier, whose client Octopus bills.",
    )

    @api.depends("date_start", "date_end")
    def _compute_is_running(self):
        running = self._running(fields.Date.context_today(self))
        for activation in self:
            activation.is_running = activation in running

    def _search_is_running(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Running can only be searched as true or false."))
        domain = self._running_domain(fields.Date.context_today(self))
        if (operator == "=") == value:
            return domain
        return [expression.NOT_OPERATOR, *expression.normalize_domain(domain)]

    # The billing year rolls over once a year: the daily refresh recomputes it then.
    @api.depends("annual_price", "date_start", "date_end", "access_category",
                 "company_id.octopus_billing_month")
    def _compute_next_invoice_amount(self):
        today = fields.Date.context_today(self)
        for activation in self:
            period = activation.company_id._octopus_next_billing_year(today)
            activation.next_invoice_amount = activation._invoice_amount(period)

    @api.model
    def _reprice_for_new_billing_year(self, offices, today):
        """The first day of an office's billing year moves its next invoice to
        another year: every activation of ``offices`` gets its stored
        ``next_invoice_amount`` for that year. The activations are read as plain
        rows of one query and written back in one UPDATE, so that the job costs
        as many queries for 50,000 dossiers as for 500 (the ORM's recompute
        would write one UPDATE per distinct amount)."""
        periods = {office.id: office._octopus_next_billing_year(today) for office in offices}
        modules = self.env["octopus.module"].with_context(active_test=False).search([])
        rounding = {module.id: module.currency_id.rounding for module in modules}
        query = self._search([("company_id", "in", offices.ids)])
        ids, amounts = [], []
        for id_, office, module, category, price, start, end in fetch_rows(self.env, query.select(
                "id", "company_id", "module_id", "access_category", "annual_price",
                "date_start", "date_end")):
            period = periods[office]
            ids.append(id_)
            amounts.append(invoice_amount(category, price or 0.0,
                                          days_in_period(start, end, period), period,
                                          rounding[module]))
        self.env.cr.execute(SQL(
            """UPDATE octopus_module_activation AS activation
                  SET next_invoice_amount = amount.value
                 FROM unnest(%s::int[], %s::numeric[]) AS amount(id, value)
                WHERE activation.id = amount.id
                  AND activation.next_invoice_amount IS DISTINCT FROM amount.value""",
            ids, amounts))
        # The rows changed under the ORM: what it holds of them is stale.
        self.invalidate_model(["next_invoice_amount"])
        self.env["octopus.dossier"].invalidate_model(["next_invoice_amount"])

    @api.depends("dossier_id", "module_id", "date_start")
    def _compute_display_name(self):
        for activation in self:
            activation.display_name = self.env._(
                "%(module)s on %(dossier)s from %(date)s",
                module=activation.module_id.name or "",
                dossier=activation.dossier_id.code or "",
                date=activation.date_start or "",
            )

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for activation in self:
            if activation.date_end and activation.date_end < activation.date_start:
                raise ValidationError(
                    self.env._(
                        "Module %(module)s on dossier %(dossier)s cannot end (%(end)s) "
                        "before it starts (%(start)s).",
                        module=activation.module_id.display_name,
                        dossier=activation.dossier_id.display_name,
                        end=activation.date_end,
                        start=activation.date_start,
                    )
                )

    @api.constrains("dossier_id", "module_id", "date_start", "date_end")
    def _check_overlap(self):
        # One query for the whole batch: an import creates thousands at once.
        others = self.search_fetch(
            [("dossier_id", "in", self.dossier_id.ids), ("module_id", "in", self.module_id.ids)],
            ["dossier_id", "module_id", "date_start", "date_end"],
        )
        by_key = {}
        for other in others:
            by_key.setdefault((other.dossier_id.id, other.module_id.id), []).append(other)
        for activation in self:
            key = (activation.dossier_id.id, activation.module_id.id)
            overlapping = [other for other in by_key.get(key, [])
                           if other != activation and activation._overlaps(other)]
            if overlapping:
                raise ValidationError(
                    self.env._(
                        "Module %(module)s is already active on dossier %(dossier)s from "
                        "%(start)s: a module runs at most once at any date on a dossier.",
                        module=activation.module_id.display_name,
                        dossier=activation.dossier_id.display_name,
                        start=overlapping[0].date_start,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        # Only the dossier's access methods create activations (no user has the
        # right to): the price is always the tariff of the start date.
        for vals in vals_list:
            module = self.env["octopus.module"].browse(vals.get("module_id"))
            date_start = fields.Date.to_date(vals.get("date_start")) or (
                fields.Date.context_today(self)
            )
            vals["annual_price"] = module.exists() and module._get_price(date_start)
        return super().create(vals_list)

    def write(self, vals):
        frozen = set(vals) - MUTABLE_FIELDS - {"ended_by_id"}
        if frozen:
            raise UserError(
                self.env._(
                    "The activation ledger is append-only: only the end date of an "
                    "activation can change (refused: %(fields)s).",
                    fields=", ".join(sorted(frozen)),
                )
            )
        if vals.get("date_end") and "ended_by_id" not in vals:
            vals = dict(vals, ended_by_id=self.env.uid)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_ledger(self):
        raise UserError(
            self.env._(
                "The activation ledger is append-only: end the module instead of deleting "
                "its activation."
            )
        )

    @api.model
    def _running_domain(self, on_date):
        """What "running on ``on_date``" means, the one definition that the Running
        field, its search, the D column, the export and the portal use: started, and
        not yet ended (an activation ended on a day no longer runs that day)."""
        return [("date_start", "<=", on_date),
                "|", ("date_end", "=", False), ("date_end", ">", on_date)]

    def _running(self, on_date):
        """The activations of this recordset that run on ``on_date``."""
        return self.filtered_domain(self._running_domain(on_date))

    def _days_in_period(self, period):
        """The first and last day the activation runs inside ``period`` (first
        day, last day), or None when it does not run in it."""
        self.ensure_one()
        return days_in_period(self.date_start, self.date_end, period)

    def _amount_in_period(self, period):
        """The frozen annual price for the days the activation runs inside the
        billing ``period`` (``amount_in_period``). The next invoice, the cost
        preview, the monthly summary and the Cost Analysis all price through
        that rule."""
        return amount_in_period(self.annual_price, self._days_in_period(period), period,
                                self.currency_id.rounding)

    def _invoice_amount(self, period):
        """What the activation adds to the office's invoice for ``period``."""
        return invoice_amount(self.access_category, self.annual_price,
                              self._days_in_period(period), period, self.currency_id.rounding)

    def _overlaps(self, other):
        """Whether the two activations run on a common day (an empty end runs for
        ever; the end day itself is not run)."""
        return (not other.date_end or other.date_end > self.date_start) and (
            not self.date_end or other.date_start < self.date_end
        )
