from datetime import date

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .invoice_common import InvoiceCase


@tagged("post_install", "-at_install")
class TestInvoiceProjection(InvoiceCase):
    def _amounts(self, invoice, dossier_code=None):
        return [line["amount"] for line in invoice["lines"]
                if dossier_code is None or line["dossier_code"] == dossier_code]

    def test_next_invoice_covers_the_next_full_billing_year(self):
        self.assertEqual(self._project()["period"], (date(2027, 1, 1), date(2027, 12, 31)))
        self.office.octopus_billing_month = 4
        self.assertEqual(self._project(date(2026, 3, 31))["period"],
                         (date(2026, 4, 1), date(2027, 3, 31)))
        self.assertEqual(self._project(date(2026, 4, 1))["period"],
                         (date(2027, 4, 1), date(2028, 3, 31)))

    def test_running_module_costs_its_full_price(self):
        self._activate(self.c_dossier, self.scan, date(2026, 1, 1))
        invoice = self._project()
        self.assertEqual(self._amounts(invoice), [365.0])
        self.assertEqual(invoice["total"], 1865.0)

    def test_leap_year_counts_366_days_and_29_february(self):
        # Next invoice seen from 2027: the billing year 2028 has 366 days.
        self._activate(self.c_dossier, self.scan, date(2028, 2, 29))
        invoice = self._project(date(2027, 6, 1))
        self.assertEqual(invoice["period"], (date(2028, 1, 1), date(2028, 12, 31)))
        # 29 February to 31 December: 307 days of 366.
        self.assertEqual(self._amounts(invoice), [round(365.0 * 307 / 366, 2)])

    def test_start_inside_the_period(self):
        self._activate(self.c_dossier, self.scan, date(2027, 7, 1))
        line = self._project()["lines"][0]
        self.assertEqual((line["date_from"], line["date_to"]), (date(2027, 7, 1), date(2027, 12, 31)))
        self.assertEqual(line["amount"], 184.0)

    def test_end_inside_the_period(self):
        # Ended on 1 April: January to March run, 90 days.
        self._activate(self.c_dossier, self.scan, date(2026, 1, 1), date(2027, 4, 1))
        self.assertEqual(self._amounts(self._project()), [90.0])

    def test_start_and_end_inside_the_period(self):
        self._activate(self.c_dossier, self.scan, date(2027, 2, 1), date(2027, 3, 1))
        self.assertEqual(self._amounts(self._project()), [28.0])

    def test_activation_ended_before_the_period_is_not_billed(self):
        self._activate(self.c_dossier, self.scan, date(2025, 1, 1), date(2026, 12, 31))
        invoice = self._project()
        self.assertEqual(invoice["lines"], [])
        self.assertEqual(invoice["total"], 1500.0)

    def test_tariff_change_during_the_period_applies_to_new_activations_only(self):
        self._activate(self.c_dossier, self.api, date(2026, 1, 1), date(2027, 6, 1))
        self._activate(self.c_dossier, self.api, date(2027, 6, 1))
        old, new = self._project()["lines"]
        self.assertEqual((old["annual_price"], new["annual_price"]), (100.0, 160.0))
        self.assertEqual(old["amount"], round(100.0 * 151 / 365, 2))
        self.assertEqual(new["amount"], round(160.0 * 214 / 365, 2))

    def test_b_dossiers_are_listed_at_zero_and_a_dossiers_add_nothing(self):
        self._activate(self.b_dossier, self.scan, date(2026, 1, 1))
        self._activate(self.a_dossier, self.api, date(2025, 1, 1), date(2025, 6, 30))
        invoice = self._project()
        b_lines = [line for line in invoice["lines"] if line["category"] == "B"]
        self.assertEqual([(line["dossier_code"], line["amount"]) for line in b_lines],
                         [("B100", 0.0)])
        self.assertFalse([line for line in invoice["lines"] if line["dossier_code"] == "A100"])
        self.assertEqual(invoice["subtotals"], {"C": 0.0, "B": 0.0})
        self.assertEqual(invoice["total"], 1500.0)

    def test_total_is_the_sum_of_the_rounded_lines(self):
        # Three thirds of a cent that a total rounded once would get wrong.
        for day in (1, 2, 3):
            self._activate(self.c_dossier, self.env["octopus.module"].create(
                {"name": f"Third {day}", "code": f"THIRD{day}",
                 "tariff_ids": [(0, 0, {"date_from": date(2020, 1, 1), "annual_price": 0.05})]}
            ), date(2027, 12, 30))
        invoice = self._project()
        amounts = self._amounts(invoice)
        self.assertEqual(amounts, [0.0, 0.0, 0.0])
        self.assertEqual(invoice["total"], round(1500.0 + sum(amounts), 2))
        self.assertEqual(invoice["subtotals"]["C"], sum(amounts))

    def test_office_without_b_number_is_refused(self):
        self.office.octopus_b_number = False
        with self.assertRefused(UserError, "has no Octopus B number"):
            self._project()

    def test_module_whose_tariff_was_removed_is_refused(self):
        self._activate(self.c_dossier, self.scan, date(2026, 1, 1))
        self.scan.tariff_ids.unlink()
        with self.assertRefused(UserError, "Module Scan has no tariff valid on 01/01/2026"):
            self._project()

    def test_reference_date_without_billing_year_is_refused(self):
        for on_date in (False, date(9999, 6, 1)):
            with self.subTest(on_date=on_date), self.assertRefused(
                UserError, "No billing year can be computed"
            ):
                self.office._octopus_project_invoice(on_date)

    def test_query_count_does_not_grow_with_the_dossiers(self):
        def seed(count, prefix):
            login = self._login("K")
            dossiers = self.Dossier.create([
                {"code": f"{prefix}{index}", "name": f"Q {index}", "partner_id": self.client.id,
                 "company_id": self.office.id, "client_user_id": login.id}
                for index in range(count)
            ])
            self.Activation.create([
                {"dossier_id": dossier.id, "module_id": module.id, "date_start": date(2026, 1, 1)}
                for dossier in dossiers for module in (self.scan, self.api)
            ])
            self.env.invalidate_all()

        def project_counting_queries():
            before = self.cr.sql_log_count
            # The office's setup, the offices' billing years, then one query
            # for every line, priced in it.
            with self.assertQueryCount(4), mute_logger("odoo.tests.common"):
                invoice = self._project()
            return self.cr.sql_log_count - before, invoice

        seed(10, "QA")
        small_count, small = project_counting_queries()
        seed(190, "QB")
        large_count, large = project_counting_queries()
        self.assertEqual((len(small["lines"]), len(large["lines"])), (20, 400))
        self.assertEqual(small_count, large_count, "one query for the lines, whatever the size")
