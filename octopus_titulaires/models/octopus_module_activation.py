import operator

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL
from odoo.tools.misc import format_date

from .octopus_dossier import ACCESS_CATEGORIES

from ..tools import access_confirmation

# How the amount on the next invoice may be searched, and whether an amount of
# zero (an activation that adds nothing to the invoice) matches.
AMOUNT_OPERATORS = {"=": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
                    ">": operator.gt, ">=": operator.ge}
# Ending a module is the only change the ledger accepts once a line is written.
MUTABLE_FIELDS = {"date_end"}


# The pricing rule (DESIGN.md, "Pricing") is written once, in SQL: the next
# invoice's lines are a view over the ledger (``octopus.invoice.line``), read
# as such by sheet 2, the dashboard, the monthly summary and the Cost Analysis,
# and the cost preview prices an activation not yet written with the same
# expressions, so that none of them can differ by a cent.

def run_days_sql(date_start, date_end, period_from, period_to):
    """The first and last day that an activation started on ``date_start`` and
    stopped on ``date_end`` (NULL while it runs) runs inside the period: it
    does not run on the day it stopped. The first is after the last when it
    does not run in the period."""
    return (SQL("GREATEST(%s, %s)", date_start, period_from),
            SQL("LEAST(COALESCE(%s - 1, %s), %s)", date_end, period_to, period_to))


def amount_sql(annual_price, first_day, last_day, period_from, period_to, rounding):
    """The frozen ``annual_price`` for the days from ``first_day`` to
    ``last_day`` of a period, the period's own length as divisor (a leap year
    counts 366 days), rounded half up to the currency's ``rounding`` as Odoo
    rounds amounts; in exact decimals, as the prices are stored."""
    return SQL(
        "ROUND(COALESCE(%(price)s, 0) * (%(last)s - %(first)s + 1)"
        " / (%(to)s - %(from)s + 1) / %(rounding)s) * %(rounding)s",
        price=annual_price, first=first_day, last=last_day, to=period_to,
        rounding=rounding, **{"from": period_from},
    )


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
    # Who asked for the module; when the office holder confirmed it (at the
    # user's desk or from a request), ``confirmed_by_id`` names the holder.
    activated_by_id = fields.Many2one(
        "res.users",
        default=lambda self: self.env.user,
        readonly=True,
        groups="octopus_titulaires.group_titulaire",
    )
    confirmed_by_id = fields.Many2one(
        "res.users",
        readonly=True,
        groups="octopus_titulaires.group_titulaire",
        help="The user whose password confirmed the activation: the office holder, or the "
        "user who asked for it when each B user confirms with their own password.",
    )
    ended_by_id = fields.Many2one(
        "res.users", readonly=True, groups="octopus_titulaires.group_titulaire"
    )
    # The category the module was activated under, frozen as its price is: a
    # revoke sends the dossier back to A, but what ran under C was billed as C,
    # and the ledger keeps saying so.
    access_category = fields.Selection(
        ACCESS_CATEGORIES,
        string="Category",
        readonly=True,
        help="The dossier's category when the module was activated, under which it is billed.",
    )
    dossier_access_category = fields.Selection(
        related="dossier_id.access_category", string="Dossier Category Now")
    is_running = fields.Boolean(
        compute="_compute_is_running", search="_search_is_running", string="Running"
    )
    # Read from the next invoice's lines where it is read: the next invoice
    # covers another year from the first day of the billing year on, whether
    # or not a job ran that day.
    next_invoice_amount = fields.Monetary(
        string="Amount on the Next Invoice",
        currency_field="currency_id",
        compute="_compute_next_invoice_amount",
        search="_search_next_invoice_amount",
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

    def _compute_next_invoice_amount(self):
        amounts = self.env["octopus.invoice.line"]._amounts_by("activation_id", self._origin)
        for activation in self:
            activation.next_invoice_amount = amounts.get(activation._origin.id, 0.0)

    def _search_next_invoice_amount(self, operator, value):
        """The activations whose line on the next invoice matches, and those
        without a line when an amount of zero does."""
        Line = self.env["octopus.invoice.line"]
        if operator not in AMOUNT_OPERATORS or isinstance(value, bool) or (
                not isinstance(value, (int, float))):
            raise UserError(self.env._("The amount on the next invoice is searched as a number."))
        domain = [("id", "in", Line._search([("amount", operator, value)]).subselect(
            "activation_id"))]
        if AMOUNT_OPERATORS[operator](0.0, value):
            domain = expression.OR([domain, [("id", "not in", Line._search([]).subselect(
                "activation_id"))]])
        return domain

    @api.depends("dossier_id", "module_id", "date_start")
    @api.depends_context("lang")
    def _compute_display_name(self):
        for activation in self:
            activation.display_name = self.env._(
                "%(module)s on %(dossier)s from %(date)s",
                module=activation.module_id.name or "",
                dossier=activation.dossier_id.code or "",
                date=format_date(self.env, activation.date_start),
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
                        end=format_date(self.env, activation.date_end),
                        start=format_date(self.env, activation.date_start),
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
                        start=format_date(self.env, overlapping[0].date_start),
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        # Only the dossier's access methods create activations (no user has the
        # right to): the price is always the tariff of the start date, the
        # category the dossier's, both whatever the caller says, and who asked
        # and who confirmed are those of the confirmation they run under.
        confirmation = access_confirmation(self.env)
        dossiers = self.env["octopus.dossier"].browse(
            list({vals.get("dossier_id") for vals in vals_list} - {None, False}))
        categories = {dossier.id: dossier.access_category for dossier in dossiers.exists()}
        for vals in vals_list:
            vals["access_category"] = categories.get(vals.get("dossier_id"), False)
            if confirmation:
                vals["activated_by_id"] = confirmation.requested_by.id
                vals["confirmed_by_id"] = confirmation.confirmed_by.id
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
            confirmation = access_confirmation(self.env)
            vals = dict(vals, ended_by_id=(confirmation.requested_by.id if confirmation
                                           else self.env.uid))
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

    def _priced_in_period(self, period):
        """(first day, last day, amount) of the activation inside the billing
        ``period`` (first day, last day), by the rule the invoice's lines use
        (``run_days_sql``, ``amount_sql``); the days are None when it does not
        run in the period. An activation not yet written is priced too: the
        cost preview shows what confirming would write."""
        self.ensure_one()
        period_from, period_to = SQL("%s::date", period[0]), SQL("%s::date", period[1])
        first, last = run_days_sql(SQL("%s::date", self.date_start),
                                   SQL("%s::date", self.date_end or None), period_from, period_to)
        self.env.cr.execute(SQL(
            "SELECT %(first)s, %(last)s, %(amount)s",
            first=first, last=last,
            amount=amount_sql(SQL("%s::numeric", self.annual_price or 0.0), first, last,
                              period_from, period_to,
                              SQL("%s::numeric", self.currency_id.rounding)),
        ))
        first_day, last_day, amount = self.env.cr.fetchone()
        if first_day > last_day:
            return None, 0.0
        return (first_day, last_day), amount

    def _days_in_period(self, period):
        """The first and last day the activation runs inside ``period`` (first
        day, last day), or None when it does not run in it."""
        return self._priced_in_period(period)[0]

    def _amount_in_period(self, period):
        """The frozen annual price for the days the activation runs inside the
        billing ``period``, whatever its dossier's category: the cost preview
        prices what a grant would add."""
        return self._priced_in_period(period)[1]

    def _overlaps(self, other):
        """Whether the two activations run on a common day (an empty end runs for
        ever; the end day itself is not run)."""
        return (not other.date_end or other.date_end > self.date_start) and (
            not self.date_end or other.date_start < self.date_end
        )
