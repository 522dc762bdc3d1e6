import html
import io
import re
from datetime import date

from freezegun import freeze_time
from openpyxl import load_workbook

from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from ..models.octopus_dossier import RUNNING_MARK
from .invoice_common import InvoiceCase


@tagged("post_install", "-at_install")
@freeze_time("2026-06-15")
class TestRunning(InvoiceCase):
    """"Running" has one definition: a module ended or revoked today has left D,
    the Running field and filter and sheet 1 at once, and a same-day re-grant
    bills no day twice."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dossier = cls._dossier("RUN1")
        cls.today = date(2026, 6, 15)

    def _grant(self, modules):
        return self.dossier.with_user(self.b_user)._grant_access(
            modules, "bureau@run.example.be", "client@run.example.be"
        )

    def _sheet1_modules(self):
        export = self.env["octopus.dossier.export"].with_user(self.b_user).create(
            {"company_id": self.office.id, "dossier_ids": [(6, 0, self.dossier.ids)]}
        )
        sheet = load_workbook(io.BytesIO(export._build_xlsx()))["Dossiers"]
        header = [cell.value for cell in sheet[1]]
        return sheet.cell(2, header.index("Modules") + 1).value or ""

    def _running_searched(self):
        return self.env["octopus.module.activation"].search(
            [("dossier_id", "=", self.dossier.id), ("is_running", "=", True)]
        )

    def test_a_module_ended_today_has_left_everything_at_once(self):
        self._grant(self.scan)
        self.assertIn("SCAN", self._sheet1_modules())
        scan_activation = self.dossier.activation_ids.filtered(lambda a: a.module_id == self.scan)
        self.dossier.with_user(self.b_user)._end_modules(self.scan)
        self.assertEqual(scan_activation.date_end, self.today)
        self.assertNotIn(self.scan, self.dossier.active_module_ids)
        self.assertFalse(scan_activation.is_running)
        self.assertNotIn(scan_activation, self._running_searched())
        self.assertIn(scan_activation, self.env["octopus.module.activation"].search(
            [("is_running", "=", False)]))
        self.assertEqual(self._sheet1_modules(), "PORTAL")

    def _ledger_filter(self, name):
        """The activations of the dossier that the ledger's filter ``name``
        shows, its domain read from the search view."""
        arch = self.env.ref("octopus_titulaires.octopus_module_activation_view_search").arch
        domain = re.search(rf'<filter[^>]*name="{name}"[^>]*domain="([^"]*)"', arch).group(1)
        return self.env["octopus.module.activation"].search(
            [("dossier_id", "=", self.dossier.id), *safe_eval(html.unescape(domain))])

    def test_a_module_ending_on_a_later_day_is_ending_until_then(self):
        self._grant(self.scan)
        scan_activation = self.dossier.activation_ids.filtered(lambda a: a.module_id == self.scan)
        self.dossier.with_user(self.b_user)._end_modules(self.scan, date(2026, 6, 20))
        for day, running, ending, ended in (
                ("2026-06-15", True, True, False),
                ("2026-06-19", True, True, False),
                # The end day itself no longer runs; a day the job missed changes nothing.
                ("2026-06-20", False, False, True),
                ("2026-07-04", False, False, True)):
            with self.subTest(day=day), freeze_time(day):
                self.env.invalidate_all()
                self.assertEqual(scan_activation in self._ledger_filter("running"), running)
                self.assertEqual(scan_activation in self._ledger_filter("ending"), ending)
                self.assertEqual(scan_activation in self._ledger_filter("ended"), ended)

    def test_revoke_then_grant_again_the_same_day_bills_no_day_twice(self):
        with freeze_time("2026-01-01"):
            self._grant(self.scan)
        first = self.dossier.activation_ids
        self.dossier.with_user(self.b_user)._revoke_access()
        self.assertFalse(self.dossier.active_module_ids)
        self.assertFalse(self._running_searched())
        self.assertFalse(self._sheet1_modules())
        self._grant(self.scan)
        second = self.dossier.activation_ids - first
        self.assertEqual(self.dossier.access_category, "C")
        self.assertEqual(self.dossier.active_module_ids, self.portal_module | self.scan)
        self.assertEqual(self._running_searched(), second)
        # This billing year: the first SCAN line stops the day before the second starts.
        period = self.office._octopus_billing_year(self.today)
        old_scan = first.filtered(lambda a: a.module_id == self.scan)
        new_scan = second.filtered(lambda a: a.module_id == self.scan)
        self.assertEqual(old_scan._days_in_period(period), (date(2026, 1, 1), date(2026, 6, 14)))
        self.assertEqual(new_scan._days_in_period(period)[0], date(2026, 6, 15))
        self.assertAlmostEqual(
            old_scan._amount_in_period(period) + new_scan._amount_in_period(period), 365.0,
            delta=0.01, msg="every day of the year billed once",
        )

    def test_refresh_touches_only_the_dossiers_whose_modules_change_that_day(self):
        starting = self._dossier("RUN2", login=self._login("K"))
        ending = self._dossier("RUN3", login=self._login("K"))
        quiet = self._dossier("RUN4", login=self._login("K"))
        self._activate(starting, self.scan, date(2026, 6, 16))
        self._activate(ending, self.scan, date(2026, 1, 1), date(2026, 6, 16))
        self._activate(quiet, self.scan, date(2026, 1, 1))
        self.assertEqual((starting.active_module_ids, ending.active_module_ids),
                         (self.env["octopus.module"], self.scan))
        # The job last ran on the 15th. A quiet dossier's D, made wrong behind
        # the ORM's back, shows whether the job rewrote it.
        self.env["ir.config_parameter"].set_param(RUNNING_MARK, "2026-06-15")
        self.env.flush_all()
        self.env.cr.execute(
            "DELETE FROM octopus_dossier_active_module_rel WHERE dossier_id = %s", [quiet.id])
        with freeze_time("2026-06-16"):
            self.env.ref("octopus_titulaires.ir_cron_refresh_active_modules").method_direct_trigger()
        self.assertEqual((starting.active_module_ids, ending.active_module_ids),
                         (self.scan, self.env["octopus.module"]))
        self.assertFalse(quiet.active_module_ids, "a dossier whose modules did not change "
                         "that day is not rewritten")


@tagged("post_install", "-at_install")
class TestOnePrice(InvoiceCase):
    """The Cost Analysis (``octopus.invoice.line``) and sheet 2 (the next
    invoice) read the same lines: their totals agree to the cent."""

    def _check_pivot_equals_invoice(self, today):
        with freeze_time(today):
            period = self.office._octopus_next_billing_year(today)
            first, last = period
            c_dossier = self._dossier(f"P{today.year}", login=self._login("K"))
            # Odd prices and dates starting and ending inside the next billing year.
            self._activate(c_dossier, self.scan, date(first.year, 2, 3), date(first.year, 5, 13))
            self._activate(c_dossier, self.api, date(first.year, 4, 11))
            self._activate(self.c_dossier, self.scan, date(first.year - 1, 3, 1),
                           date(first.year, 4, 12))
            self._activate(self.b_dossier, self.scan, date(first.year, 1, 1))
            groups = self.env["octopus.invoice.line"]._read_group(
                [("company_id", "=", self.office.id)], [], ["amount:sum"]
            )
            invoice = self.office._octopus_project_invoice(today)
        self.assertEqual(invoice["period"], (first, last))
        module_lines = round(sum(line["amount"] for line in invoice["lines"]), 2)
        self.assertEqual(round(groups[0][0], 2), module_lines)
        self.assertEqual(module_lines, invoice["subtotals"]["C"])
        # The dossier form's Next Invoice button shows the same amount.
        c100 = [line["amount"] for line in invoice["lines"] if line["dossier_code"] == "C100"]
        with freeze_time(today):
            self.c_dossier.invalidate_recordset(["next_invoice_amount"])
            self.assertAlmostEqual(self.c_dossier.next_invoice_amount, sum(c100), places=2)
        self.assertEqual(self.c_dossier.activation_count, len(self.c_dossier.activation_ids))
        return invoice

    def test_pivot_equals_sheet_two_on_a_leap_year(self):
        invoice = self._check_pivot_equals_invoice(date(2027, 3, 10))
        self.assertEqual(invoice["period"][1], date(2028, 12, 31))
        # Ended on 12 April 2028: 102 days of 366 (29 February included).
        line = next(line for line in invoice["lines"] if line["dossier_code"] == "C100")
        self.assertEqual(line["amount"], round(365.0 * 102 / 366, 2))

    def test_pivot_equals_sheet_two_on_a_common_year(self):
        invoice = self._check_pivot_equals_invoice(date(2026, 3, 10))
        self.assertEqual(invoice["period"][1], date(2027, 12, 31))
        line = next(line for line in invoice["lines"] if line["dossier_code"] == "C100")
        self.assertEqual(line["amount"], round(365.0 * 101 / 365, 2))
