from datetime import date

from psycopg2 import IntegrityError

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import OctopusCase


@tagged("post_install", "-at_install")
class TestModule(OctopusCase):
    def test_catalogue_has_one_default_module_the_client_portal(self):
        defaults = self.env["octopus.module"].search([("is_default", "=", True)])
        self.assertEqual(defaults, self.portal_module)
        codes = set(self.env["octopus.module"].search([]).mapped("code"))
        self.assertTrue({"PORTAL", "BANK", "DMS", "WEBSERVICE"} <= codes)
        self.assertTrue(all(self.env["octopus.module"].search([]).tariff_ids))

    def test_marking_another_default_moves_the_flag(self):
        self.bank_module.is_default = True
        self.assertFalse(self.portal_module.is_default)
        new = self.env["octopus.module"].create({"name": "New", "code": "NEW", "is_default": True})
        self.assertFalse(self.bank_module.is_default)
        self.assertEqual(self.env["octopus.module"].search([("is_default", "=", True)]), new)

    def test_removing_the_only_default_is_refused(self):
        with self.assertRefused(ValidationError, "Exactly one active module"):
            self.portal_module.is_default = False
        with self.assertRefused(ValidationError, "Exactly one active module"):
            self.portal_module.active = False
        with self.assertRefused(UserError, "default module cannot be deleted"):
            self.portal_module.unlink()
        self.assertTrue(self.portal_module.exists().is_default)

    def test_price_is_the_tariff_valid_on_the_date(self):
        module = self.env["octopus.module"].create(
            {
                "name": "Priced",
                "code": "PRICED",
                "tariff_ids": [
                    (0, 0, {"date_from": date(2025, 1, 1), "annual_price": 100.0}),
                    (0, 0, {"date_from": date(2026, 7, 1), "annual_price": 130.0}),
                ],
            }
        )
        self.assertEqual(module._get_price(date(2025, 1, 1)), 100.0)
        self.assertEqual(module._get_price(date(2026, 6, 30)), 100.0)
        self.assertEqual(module._get_price(date(2026, 7, 1)), 130.0)
        with self.assertRefused(UserError, "no tariff valid on 12/31/2024"):
            module._get_price(date(2024, 12, 31))

    def test_two_tariffs_on_one_date_are_refused(self):
        before = self._counts()
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            self.env["octopus.module.tariff"].create(
                [
                    {"module_id": self.bank_module.id, "date_from": date(2027, 1, 1),
                     "annual_price": 1.0},
                    {"module_id": self.bank_module.id, "date_from": date(2027, 1, 1),
                     "annual_price": 2.0},
                ]
            )
        self.assertEqual(self._counts(), before)

    def test_negative_tariff_is_refused(self):
        before = self._counts()
        with self.assertRefused(ValidationError, "cannot be negative"):
            self.env["octopus.module.tariff"].create(
                {"module_id": self.bank_module.id, "date_from": date(2027, 1, 1),
                 "annual_price": -5.0}
            )
        self.assertEqual(self._counts(), before)
