from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import OctopusCase


@tagged("post_install", "-at_install")
class TestCompany(OctopusCase):
    def test_office_defaults(self):
        office = self.env["res.company"].create({"name": "Nouvelle Fiduciaire"})
        self.assertEqual(office.octopus_billing_month, 1)
        self.assertFalse(office.octopus_packet_deal_fee)

    def test_b_number_must_be_b_and_eight_digits(self):
        for number in ("12345678", "B1234567", "B123456789", "K12345678", "b12345678"):
            with self.subTest(number=number), self.assertRefused(
                ValidationError, "B followed by 8 digits"
            ):
                self.office.octopus_b_number = number
        self.assertEqual(self.office.octopus_b_number, "B00000001")

    def test_billing_month_between_1_and_12(self):
        for month in (0, 13, -1):
            with self.subTest(month=month), self.assertRefused(
                ValidationError, "between 1 and 12"
            ):
                self.office.octopus_billing_month = month
        self.office.octopus_billing_month = 12
        self.assertEqual(self.office.octopus_billing_month, 12)

    def test_packet_deal_fee_cannot_be_negative(self):
        with self.assertRefused(ValidationError, "cannot be negative"):
            self.office.octopus_packet_deal_fee = -1.0
        self.assertEqual(self.office.octopus_packet_deal_fee, 0.0)
