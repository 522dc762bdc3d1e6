import re
from datetime import date

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

B_NUMBER_PATTERN = re.compile(r"^B\d{8}$")


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
