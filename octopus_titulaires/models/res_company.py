import re
from datetime import date

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError

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
