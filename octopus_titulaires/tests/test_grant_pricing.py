from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from .common import OctopusCase


@tagged("post_install", "-at_install")
class TestGrantCostPreview(OctopusCase):
    """Figures computed by hand: annual price x remaining days / days of the
    billing year, rounded to the cent."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal = cls.env["octopus.module"].create(
            {
                "name": "Preview Portal",
                "code": "PPORTAL",
                "tariff_ids": [(0, 0, {"date_from": date(2020, 1, 1), "annual_price": 60.0})],
            }
        )
        cls.bank = cls.env["octopus.module"].create(
            {
                "name": "Preview Bank",
                "code": "PBANK",
                "tariff_ids": [
                    (0, 0, {"date_from": date(2020, 1, 1), "annual_price": 48.0}),
                    (0, 0, {"date_from": date(2027, 1, 1), "annual_price": 96.0}),
                ],
            }
        )
        cls.office.currency_id = cls.env.ref("base.EUR")
        cls.dossier = cls._dossier("P001")

    def _preview(self, on_date, dossiers=None, modules=None):
        dossiers = dossiers or self.dossier
        return dossiers._cost_preview(modules or (self.portal | self.bank), on_date)

    def test_mid_year(self):
        # 1 July to 31 December 2026: 184 of 365 days.
        preview = self._preview(date(2026, 7, 1))
        self.assertEqual(preview["period"], (date(2026, 1, 1), date(2026, 12, 31)))
        portal, bank = preview["lines"]
        self.assertEqual((portal["annual_price"], portal["prorated_total"]), (60.0, 30.25))
        self.assertEqual((bank["annual_price"], bank["prorated_total"]), (48.0, 24.2))
        self.assertEqual(preview["annual_total"], 108.0)
        self.assertAlmostEqual(preview["prorated_total"], 54.45)

    def test_29_february_of_a_leap_year(self):
        # 29 February to 31 December 2028: 307 of 366 days.
        preview = self._preview(date(2028, 2, 29), modules=self.portal)
        self.assertEqual(preview["lines"][0]["prorated_total"], 50.33)

    def test_first_day_of_the_billing_year_costs_the_full_year(self):
        self.office.octopus_billing_month = 4
        preview = self._preview(date(2026, 4, 1), modules=self.portal)
        self.assertEqual(preview["period"], (date(2026, 4, 1), date(2027, 3, 31)))
        self.assertEqual(preview["lines"][0]["prorated_total"], 60.0)

    def test_last_day_of_the_billing_year_costs_one_day(self):
        self.office.octopus_billing_month = 4
        preview = self._preview(date(2026, 3, 31), modules=self.portal)
        self.assertEqual(preview["period"], (date(2025, 4, 1), date(2026, 3, 31)))
        self.assertEqual(preview["lines"][0]["prorated_total"], 0.16)

    def test_several_dossiers_and_the_tariff_of_the_day(self):
        second = self._dossier("P002")
        preview = self._preview(date(2027, 1, 1), dossiers=self.dossier | second)
        portal, bank = preview["lines"]
        self.assertEqual(bank["annual_price"], 96.0)
        self.assertEqual(bank["annual_total"], 192.0)
        self.assertEqual(portal["prorated_total"], 120.0)
        self.assertEqual(preview["prorated_total"], 312.0)

    @freeze_time("2026-07-01")
    def test_dialog_shows_the_preview_before_confirming(self):
        wizard = (
            self.env["octopus.dossier.grant"].with_user(self.b_user)
            .create({"dossier_ids": [(6, 0, self.dossier.ids)],
                     "module_ids": [(6, 0, self.bank.ids)]})
        )
        html = str(wizard.cost_preview)
        self.assertIn("Preview Bank", html)
        self.assertIn(self.portal_module.name, html, "the default module is in the preview")
        self.assertIn("24.20", html)
        self.assertIn("o_octopus_prorated_total", html)

    def test_amount_in_period_edges(self):
        period = (date(2026, 1, 1), date(2026, 12, 31))

        def amount(start, end=None):
            return self.env["octopus.module.activation"].new(
                {"module_id": self.bank_module.id, "annual_price": 365.0,
                 "date_start": start, "date_end": end}
            )._amount_in_period(period)

        self.assertEqual(amount(date(2025, 6, 1)), 365.0)
        self.assertEqual(amount(date(2026, 3, 1), date(2026, 4, 1)), 31.0, "ended on 1 April")
        self.assertEqual(amount(date(2025, 1, 1), date(2026, 1, 1)), 0.0)
        self.assertEqual(amount(date(2026, 3, 1), date(2026, 3, 1)), 0.0, "ended the day it began")
