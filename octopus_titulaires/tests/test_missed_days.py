import html
import io
import re
from datetime import date

from freezegun import freeze_time
from openpyxl import load_workbook

from odoo.exceptions import AccessError
from odoo.osv import expression
from odoo.tests import tagged
from odoo.tools.misc import formatLang
from odoo.tools.safe_eval import safe_eval

from ..models.octopus_dossier import RUNNING_MARK
from .invoice_common import InvoiceCase

LEDGER_SEARCH = "octopus_titulaires.octopus_module_activation_view_search"
COST_SEARCH = "octopus_titulaires.octopus_invoice_line_view_search"


@tagged("post_install", "-at_install")
class TestMissedDays(InvoiceCase):
    """The job that brings D up to date may miss a day, the first day of a
    billing year, two weeks: its next run puts D right, and every figure of
    money is read where it is shown. D, the search by module, the ledger's
    Running / Ending / Ended filters, the dashboard, sheet 2, the Cost
    Analysis pivot and the monthly summary agree to the cent on every day."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ending = cls._dossier("END1", login=cls._login("K"))
        cls.quiet = cls._dossier("QUI1", login=cls._login("K"))
        cls.dossiers = cls.c_dossier | cls.b_dossier | cls.ending | cls.quiet

    def _set_up_office(self, job_day, end_day, billing_month=1):
        """On ``job_day`` the job runs, and the ENDING dossier's SCAN is ended
        on the later ``end_day``; QUIET runs SCAN and API all along."""
        self.office.octopus_billing_month = billing_month
        with freeze_time(job_day):
            self._activate(self.quiet, self.scan, date(2025, 3, 1))
            self._activate(self.quiet, self.api, date(2025, 3, 1))
            self._activate(self.b_dossier, self.scan, date(2025, 3, 1))
            self._activate(self.c_dossier, self.api, date(2025, 5, 7))
            self._activate(self.ending, self.scan, date(2025, 3, 1))
            self.ending.with_user(self.b_user)._end_modules(self.scan, end_day)
            self._run_job(job_day)

    def _run_job(self, day):
        with freeze_time(day):
            self.env.invalidate_all()
            self.env.ref("octopus_titulaires.ir_cron_refresh_active_modules").method_direct_trigger()
            self.env.invalidate_all()

    def _filter(self, view, name, model):
        """What the filter ``name`` of the search ``view`` shows today, its domain
        read from the view and evaluated as the web client does."""
        arch = self.env.ref(view).arch
        domain = re.search(rf'<filter[^>]*name="{name}"[^>]*domain="([^"]*)"', arch).group(1)
        return self.env[model].with_user(self.b_user).search(
            expression.AND([[("company_id", "=", self.office.id)],
                            safe_eval(html.unescape(domain))]))

    def _sheet2_total(self, day):
        export = self.env["octopus.dossier.export"].with_user(self.b_user).create(
            {"company_id": self.office.id, "date": day})
        sheet = load_workbook(io.BytesIO(export._build_xlsx()))["Next invoice"]
        [total] = [row[7] for row in sheet.iter_rows(values_only=True)
                   if row[2] == "Total of the next invoice"]
        return total

    def _pivot_total(self):
        """The Cost Analysis as its pivot reads it: ``read_group`` on its measure,
        with the action's default filter and the dashboard's office domain."""
        action = self.office.with_user(self.b_user).action_octopus_next_invoice()
        billed = self._filter(COST_SEARCH, "billed", "octopus.invoice.line")
        self.assertTrue(action["context"].get("search_default_billed"))
        [group] = self.env["octopus.invoice.line"].with_user(self.b_user).read_group(
            expression.AND([action["domain"], [("id", "in", billed.ids)]]), ["amount:sum"], [])
        return group["amount"] or 0.0

    def _figures(self, day):
        """Every figure an office reads on ``day``, each from its own screen."""
        with freeze_time(day):
            self.env.invalidate_all()
            office = self.office.with_user(self.b_user)
            Dossier = self.env["octopus.dossier"].with_user(self.b_user)
            invoice = self.office._octopus_project_invoice(day)
            summary = self.env["octopus.billing.summary"]._create_for_month(self.office, day)
            ending_scan = self.ending.activation_ids
            return {
                "D": {dossier.code: sorted(dossier.with_user(self.b_user).active_module_ids
                                           .mapped("code")) for dossier in self.dossiers},
                "search SCAN": sorted(Dossier.search(
                    [("company_id", "=", self.office.id),
                     ("active_module_ids", "in", self.scan.ids)]).mapped("code")),
                "filters": [ending_scan in self._filter(LEDGER_SEARCH, name,
                                                        "octopus.module.activation")
                            for name in ("running", "ending", "ended")],
                "invoice": invoice["total"],
                "invoice C": invoice["subtotals"]["C"],
                "pivot": self._pivot_total(),
                "sheet 2": self._sheet2_total(day),
                "dashboard": office.octopus_dashboard["invoice"]["total"],
                "dashboard expected": formatLang(self.env, invoice["total"],
                                                 currency_obj=self.office.currency_id),
                "summary": summary.amount_total,
                "dossier form": sum((self.dossiers - self.b_dossier).with_user(self.b_user)
                                    .mapped("next_invoice_amount")),
            }

    def _assert_agree(self, figures, ended):
        """The figures of one day agree with each other, and D with whether the
        ENDING dossier's SCAN has ended."""
        self.assertEqual(figures["D"]["END1"], [] if ended else ["SCAN"])
        self.assertEqual(figures["D"]["QUI1"], ["API", "SCAN"])
        self.assertEqual("END1" in figures["search SCAN"], not ended)
        self.assertEqual(figures["filters"], [not ended, not ended, ended])
        money = [figures[key] for key in ("invoice", "sheet 2", "summary")]
        self.assertEqual(money, [figures["invoice"]] * 3)
        self.assertEqual(round(figures["pivot"], 2), figures["invoice C"])
        self.assertAlmostEqual(figures["dossier form"], figures["invoice C"], places=2)
        self.assertEqual(figures["invoice"], round(1500.0 + figures["invoice C"], 2))
        self.assertEqual(figures["dashboard"], figures["dashboard expected"])

    def test_the_job_missed_on_the_end_day(self):
        self._set_up_office(date(2026, 6, 12), date(2026, 6, 14))
        # The job ran on the 13th, not on the 14th nor the 15th.
        self._run_job(date(2026, 6, 13))
        self._run_job(date(2026, 6, 16))
        figures = self._figures(date(2026, 6, 16))
        self._assert_agree(figures, ended=True)
        # The next invoice (2027) bills QUIET's SCAN and API and C100's API in
        # full, at the prices frozen in 2025 (API's tariff of 2027 is for new
        # activations).
        self.assertEqual(figures["invoice C"], 365.0 + 100.0 + 100.0)

    def test_money_needs_no_job_on_the_first_day_of_the_billing_year(self):
        self._set_up_office(date(2026, 12, 30), date(2027, 2, 1))
        # No run since 30 December: on 2 January the next invoice already covers 2028.
        before_job = self._figures(date(2027, 1, 2))
        self._assert_agree(before_job, ended=False)
        self.assertEqual(before_job["invoice C"], 365.0 + 100.0 + 100.0)
        self._run_job(date(2027, 1, 2))
        self.assertEqual(self._figures(date(2027, 1, 2)), before_job)

    def test_two_missed_weeks_with_a_new_billing_year_inside(self):
        # Billed from July: the year rolls over on 1 July, inside the two weeks.
        self._set_up_office(date(2026, 6, 20), date(2026, 6, 25), billing_month=7)
        self.assertEqual(self._figures(date(2026, 6, 20))["D"]["END1"], ["SCAN"])
        self._run_job(date(2026, 7, 5))
        figures = self._figures(date(2026, 7, 5))
        self._assert_agree(figures, ended=True)
        self.assertEqual(self.office._octopus_project_invoice(date(2026, 7, 5))["period"],
                         (date(2027, 7, 1), date(2028, 6, 30)))
        self.assertEqual(figures["invoice C"], 365.0 + 100.0 + 100.0)

    def test_a_missed_leap_day(self):
        # Seen from 2027, the next invoice covers 2028 (366 days); SCAN ends on
        # 29 February 2028, when the job does not run.
        self._set_up_office(date(2027, 12, 20), date(2028, 2, 29))
        before_end = self._figures(date(2028, 2, 28))
        self._assert_agree(before_end, ended=False)
        self._run_job(date(2028, 3, 2))
        figures = self._figures(date(2028, 3, 2))
        self._assert_agree(figures, ended=True)
        # Seen from 2028, the next invoice covers 2029, without END1's SCAN.
        self.assertEqual(figures["invoice C"], 365.0 + 100.0 + 100.0)
        with freeze_time("2027-12-20"):
            seen_from_2027 = self.office._octopus_project_invoice(date(2027, 12, 20))
        [end_line] = [line for line in seen_from_2027["lines"] if line["dossier_code"] == "END1"]
        self.assertEqual((end_line["date_from"], end_line["date_to"]),
                         (date(2028, 1, 1), date(2028, 2, 28)))
        self.assertEqual(end_line["amount"], round(365.0 * 59 / 366, 2))

    def test_a_database_restored_from_the_day_before(self):
        self._set_up_office(date(2026, 6, 12), date(2026, 6, 14))
        self._run_job(date(2026, 6, 13))
        self._run_job(date(2026, 6, 14))
        self.assertEqual(self._figures(date(2026, 6, 14))["D"]["END1"], [])
        # Restored from the backup of the 13th: D and its mark as they were then.
        self.env.cr.execute(
            "INSERT INTO octopus_dossier_active_module_rel (dossier_id, module_id) VALUES (%s, %s)",
            [self.ending.id, self.scan.id])
        self.env["ir.config_parameter"].set_param(RUNNING_MARK, "2026-06-13")
        self.assertEqual(self._figures(date(2026, 6, 15))["D"]["END1"], ["SCAN"])
        self._run_job(date(2026, 6, 15))
        self._assert_agree(self._figures(date(2026, 6, 15)), ended=True)
        self.assertEqual(self.env["ir.config_parameter"].get_param(RUNNING_MARK), "2026-06-15")

    def test_the_lines_are_read_by_their_office_only(self):
        self._set_up_office(date(2026, 6, 12), date(2026, 6, 14))
        Line = self.env["octopus.invoice.line"]
        with freeze_time("2026-06-12"):
            mine = Line.with_user(self.b_user).search([])
            # Every activation of the office that runs in 2027, END1's ended in 2026.
            self.assertEqual(mine.activation_id,
                             (self.dossiers - self.ending).activation_ids)
            self.assertFalse(Line.with_user(self.other_b_user).search([]))
            with self.assertRaises(AccessError):
                Line.with_user(self.plain_user).search([])
