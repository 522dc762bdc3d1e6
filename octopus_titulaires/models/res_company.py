import re
from datetime import date

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.misc import format_date, formatLang
from odoo.tools.safe_eval import safe_eval

B_NUMBER_PATTERN = re.compile(r"^B\d{8}$")
# The dashboard's buttons open these actions; each card figure counts what the
# opened list shows (the same domains as the actions' default filters).
DOSSIER_LIST = "octopus_titulaires.octopus_dossier_action"
MODULE_OVERVIEW = "octopus_titulaires.octopus_dossier_action_overview"
NEXT_INVOICE = "octopus_titulaires.octopus_module_activation_action_cost"
THIS_MONTH = "octopus_titulaires.octopus_module_activation_action_this_month"
WITHOUT_CONSENT = "octopus_titulaires.octopus_client_user_action_without_consent"


class ResCompany(models.Model):
    _inherit = "res.company"

    octopus_b_number = fields.Char(
        help="The office's Octopus holder number: the letter B followed by 8 digits.",
    )
    octopus_billing_month = fields.Integer(
        string="Billing Month",
        default=1,
        help="Month (1-12) on whose first day the Octopus billing year starts.",
    )
    octopus_packet_deal_fee = fields.Monetary(
        string="Packet Deal Fee",
        currency_field="currency_id",
        help="Annual fee that covers the office's internal dossiers without client access.",
    )
    # The landing screen of Gestion: one kanban card of the day's figures per
    # office, each a button to the list it counts.
    # B users only: anybody else reading the whole company would compute it
    # without the right to read dossiers.
    octopus_dashboard = fields.Json(
        compute="_compute_octopus_dashboard", groups="octopus_titulaires.group_titulaire")

    @api.constrains("octopus_b_number")
    def _check_octopus_b_number(self):
        for company in self:
            number = company.octopus_b_number
            if number and not B_NUMBER_PATTERN.match(number):
                raise ValidationError(
                    self.env._(
                        "The Octopus B number of %(office)s must be the letter B followed "
                        "by 8 digits (got %(number)s).",
                        office=company.name,
                        number=number,
                    )
                )

    @api.constrains("octopus_billing_month")
    def _check_octopus_billing_month(self):
        for company in self:
            if not 1 <= company.octopus_billing_month <= 12:
                raise ValidationError(
                    self.env._(
                        "The billing month of %(office)s must be between 1 and 12.",
                        office=company.name,
                    )
                )

    @api.constrains("octopus_packet_deal_fee")
    def _check_octopus_packet_deal_fee(self):
        for company in self:
            if company.octopus_packet_deal_fee < 0:
                raise ValidationError(
                    self.env._(
                        "The Packet Deal fee of %(office)s cannot be negative.",
                        office=company.name,
                    )
                )

    def _octopus_billing_year(self, on_date):
        """First and last day of the office's billing year that contains ``on_date``."""
        self.ensure_one()
        month = self.octopus_billing_month or 1
        year = on_date.year if on_date.month >= month else on_date.year - 1
        first_day = date(year, month, 1)
        return first_day, first_day + relativedelta(years=1, days=-1)

    def _octopus_next_billing_year(self, on_date):
        """The next full billing year after ``on_date``: the one the next invoice covers."""
        self.ensure_one()
        # The year after next must exist in the calendar: the next billing year
        # ends in it.
        if not isinstance(on_date, date) or on_date.year > date.max.year - 2:
            raise UserError(
                self.env._(
                    "No billing year can be computed for the reference date %(date)s.",
                    date=on_date or "",
                )
            )
        _first, last = self._octopus_billing_year(on_date)
        first_next = last + relativedelta(days=1)
        return first_next, first_next + relativedelta(years=1, days=-1)

    def _octopus_check_billing_setup(self):
        self.ensure_one()
        if not self.octopus_b_number:
            raise UserError(
                self.env._(
                    "Office %(office)s has no Octopus B number: set it on the company "
                    "(tab Octopus) before computing its invoice.",
                    office=self.name,
                )
            )

    def _octopus_project_invoice(self, on_date, dossiers=None):
        """The office's next invoice as seen on ``on_date`` (DESIGN.md, "Pricing"):
        the one answer to "what is the next invoice".

        One line for the Packet Deal fee, one per activation of a C dossier that
        runs in the next billing year (priced by the activation's
        ``_amount_in_period``), and the B dossiers' activations at 0 since Octopus
        bills their clients. The
        number of queries does not depend on the number of dossiers: each model is
        read once, with the fields the invoice needs.
        """
        self.ensure_one()
        self._octopus_check_billing_setup()
        period = self._octopus_next_billing_year(on_date)
        currency = self.currency_id
        domain = [
            ("company_id", "=", self.id),
            ("dossier_id.active", "=", True),
            ("access_category", "in", ("B", "C")),
            ("date_start", "<=", period[1]),
            "|",
            ("date_end", "=", False),
            ("date_end", ">", period[0]),
        ]
        if dossiers is not None:
            domain.append(("dossier_id", "in", dossiers.ids))
        activations = self.env["octopus.module.activation"].search_fetch(
            domain,
            ["dossier_id", "module_id", "date_start", "date_end", "annual_price",
             "access_category"],
        )
        # Read once for all the lines: the activations' dossiers come from the cache.
        activations.dossier_id.fetch(["code", "name"])
        modules = activations.module_id
        modules.fetch(["name", "code", "sequence", "currency_id"])
        self._octopus_check_tariffs(activations, modules)
        lines = []
        for activation in activations:
            days = activation._days_in_period(period)
            if not days:
                continue
            dossier = activation.dossier_id
            lines.append(
                {
                    "category": activation.access_category,
                    "dossier_code": dossier.code,
                    "dossier_name": dossier.name,
                    "module_name": activation.module_id.name,
                    "module_code": activation.module_id.code,
                    "module_sequence": activation.module_id.sequence,
                    "date_from": days[0],
                    "date_to": days[1],
                    "annual_price": activation.annual_price,
                    "amount": activation._invoice_amount(period),
                }
            )
        lines.sort(key=lambda line: (line["category"] != "C", line["dossier_code"],
                                     line["module_sequence"], line["date_from"]))
        subtotals = {
            category: currency.round(
                sum(line["amount"] for line in lines if line["category"] == category)
            )
            for category in ("C", "B")
        }
        fee = currency.round(self.octopus_packet_deal_fee)
        return {
            "company": self,
            "period": period,
            "currency": currency,
            "lines": lines,
            "subtotals": subtotals,
            "packet_deal_fee": fee,
            "total": currency.round(fee + sum(line["amount"] for line in lines)),
        }

    def _octopus_check_tariffs(self, activations, modules):
        """Refuse to bill a module whose tariffs were removed after it was activated:
        its frozen price could no longer be explained."""
        first_tariff = {}
        for tariff in self.env["octopus.module.tariff"].search_fetch(
            [("module_id", "in", modules.ids)], ["module_id", "date_from"]
        ):
            module_id = tariff.module_id.id
            first_tariff[module_id] = min(first_tariff.get(module_id, tariff.date_from),
                                          tariff.date_from)
        for activation in activations:
            start = first_tariff.get(activation.module_id.id)
            if not start or start > activation.date_start:
                raise UserError(
                    self.env._(
                        "Module %(module)s has no tariff valid on %(date)s, when it was "
                        "activated on a dossier of %(office)s: add the tariff before "
                        "computing the invoice.",
                        module=activation.module_id.name,
                        date=activation.date_start,
                        office=self.name,
                    )
                )

    def _compute_octopus_dashboard(self):
        today = fields.Date.context_today(self)
        for company in self:
            company.octopus_dashboard = company._octopus_dashboard_figures(today)

    def _octopus_dashboard_figures(self, today):
        """The card's figures, amounts already written as the user reads them."""
        self.ensure_one()
        Dossier = self.env["octopus.dossier"]
        office = [("company_id", "=", self.id)]
        # Grouping by a many2many does not flush it: a change made in this
        # transaction would not be counted.
        Dossier.flush_model(["access_category", "active_module_ids"])
        categories = dict(Dossier._read_group(office, ["access_category"], ["__count"]))
        modules = Dossier._read_group(office, ["active_module_ids"], ["__count"])
        month = (today + relativedelta(day=1), today + relativedelta(day=1, months=1))
        Activation = self.env["octopus.module.activation"]
        figures = {
            "categories": {key: categories.get(key, 0) for key in ("A", "B", "C")},
            "modules": [{"name": module.name, "count": count}
                        for module, count in modules if module],
            "started": Activation.search_count(
                office + [("date_start", ">=", month[0]), ("date_start", "<", month[1])]),
            "ended": Activation.search_count(
                office + [("date_end", ">=", month[0]), ("date_end", "<", month[1])]),
            "without_consent": self.env["octopus.client.user"].search_count(
                office + [("consent_date", "=", False), ("state", "=", "active")]),
        }
        try:
            invoice = self._octopus_project_invoice(today)
        except UserError as error:
            # A setup that is missing (a tariff, the billing month) is said on the card.
            figures["invoice_error"] = error.args[0]
            return figures
        figures["invoice"] = {
            "period": self.env._(
                "%(start)s to %(end)s",
                start=format_date(self.env, invoice["period"][0]),
                end=format_date(self.env, invoice["period"][1]),
            ),
            **{key: formatLang(self.env, value, currency_obj=invoice["currency"])
               for key, value in (("packet_deal_fee", invoice["packet_deal_fee"]),
                                  ("c_lines", invoice["subtotals"]["C"]),
                                  ("total", invoice["total"]))},
        }
        return figures

    def _octopus_dashboard_action(self, xmlid, filters=None):
        """The action ``xmlid`` on this office's records, with its own default
        filters and ``filters`` on top."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action["context"] = dict(safe_eval(action.get("context") or "{}"), **(filters or {}))
        action["domain"] = [("company_id", "=", self.id)]
        return action

    def action_octopus_category(self):
        """The office's dossiers of the category the button names in its context."""
        category = self.env.context.get("octopus_category")
        return self._octopus_dashboard_action(
            DOSSIER_LIST, {f"search_default_category_{category.lower()}": 1})

    def action_octopus_modules(self):
        return self._octopus_dashboard_action(MODULE_OVERVIEW)

    def action_octopus_next_invoice(self):
        return self._octopus_dashboard_action(NEXT_INVOICE)

    def action_octopus_this_month(self):
        return self._octopus_dashboard_action(THIS_MONTH)

    def action_octopus_without_consent(self):
        return self._octopus_dashboard_action(WITHOUT_CONSENT)
