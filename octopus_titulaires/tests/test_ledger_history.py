import importlib.util
import io
from datetime import date

from freezegun import freeze_time
from openpyxl import load_workbook

from odoo.exceptions import UserError
from odoo.modules.module import get_module_path
from odoo.tests import tagged

from ..tools import INVOICE_DATE_KEY
from .invoice_common import InvoiceCase

# Seen from this day, the next invoice covers 2026, when the C dossier ran Scan
# from 1 January until its access was revoked on 1 March: 59 of 365 days.
BEFORE_REVOKE = date(2025, 6, 1)
REVOKED_ON = "2026-03-01"
SCAN_UNTIL_REVOKE = 59.0


@tagged("post_install", "-at_install")
class TestLedgerHistory(InvoiceCase):
    """An activation keeps the category it was activated under, as it keeps
    its price: a revoke or a change of kind sends the dossier to another
    category, not the days its modules ran."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.c_scan = cls._activate(cls.c_dossier, cls.scan, date(2026, 1, 1))
        cls.b_scan = cls._activate(cls.b_dossier, cls.scan, date(2026, 1, 1))

    def _revoke(self):
        with freeze_time(REVOKED_ON):
            self.c_dossier.with_user(self.b_user)._revoke_access()

    def _c_lines(self, on_date):
        return [line for line in self._project(on_date)["lines"] if line["category"] == "C"]

    def test_after_a_revoke_the_ended_activations_still_show_c(self):
        self._revoke()
        self.assertEqual(self.c_dossier.access_category, "A")
        self.assertEqual(self.c_scan.date_end, date(2026, 3, 1))
        self.assertEqual(self.c_scan.access_category, "C", "what ran under C stays C")
        self.assertEqual(self.c_scan.dossier_access_category, "A", "the dossier's category now")
        self.assertEqual(
            self.Activation.search([("dossier_id", "=", self.c_dossier.id),
                                    ("access_category", "=", "C")]), self.c_scan)
        self.assertEqual(self.b_scan.access_category, "B")
        # The ledger sheet of the export says so too.
        export = self.env["octopus.dossier.export"].with_user(self.b_user).create(
            {"company_id": self.office.id, "date": self.reference})
        ledger = load_workbook(io.BytesIO(export._build_xlsx()))["Activation ledger"]
        rows = list(ledger.iter_rows(values_only=True))
        self.assertEqual(rows[0][:3], ("Dossier", "Module", "Category"))
        self.assertEqual({row[0]: row[2] for row in rows[1:]}, {"C100": "C", "B100": "B"})

    def test_a_change_of_kind_does_not_rewrite_history(self):
        self._revoke()
        # Without a login, the office may make it external: it is B from now on.
        self.c_dossier.with_user(self.b_user).kind = "external"
        self.assertEqual(self.c_dossier.access_category, "B")
        self.assertEqual(self.c_scan.access_category, "C")
        self.assertEqual(self.c_scan.dossier_access_category, "B")
        self.assertEqual([line["amount"] for line in self._c_lines(BEFORE_REVOKE)],
                         [SCAN_UNTIL_REVOKE])

    def test_the_invoice_of_a_period_in_which_c_ran_still_bills_it(self):
        self.assertEqual([line["amount"] for line in self._c_lines(BEFORE_REVOKE)], [365.0])
        self._revoke()
        lines = self._c_lines(BEFORE_REVOKE)
        self.assertEqual(
            [(line["dossier_code"], line["module_code"], line["date_from"], line["date_to"],
              line["amount"]) for line in lines],
            [("C100", "SCAN", date(2026, 1, 1), date(2026, 2, 28), SCAN_UNTIL_REVOKE)])
        self.assertEqual(self._project(BEFORE_REVOKE)["total"], 1500.0 + SCAN_UNTIL_REVOKE)
        # The Cost Analysis and the dossier's amount read the same lines.
        Line = self.env["octopus.invoice.line"].with_context(
            **{INVOICE_DATE_KEY: BEFORE_REVOKE.isoformat()})
        self.assertEqual(
            Line._read_group([("dossier_id", "=", self.c_dossier.id)], ["access_category"],
                             ["amount:sum"]), [("C", SCAN_UNTIL_REVOKE)])
        # Not on the invoice seen after the revoke: it runs no day of 2027.
        self.assertFalse(self._c_lines(self.reference))

    def test_the_category_is_the_dossiers_at_activation_whatever_the_caller_says(self):
        activation = self.Activation.create(
            {"dossier_id": self.c_dossier.id, "module_id": self.api.id,
             "date_start": date(2026, 2, 1), "access_category": "A"})
        self.assertEqual(activation.access_category, "C")
        with self.assertRefused(UserError, "append-only.*access_category"):
            activation.access_category = "A"
        self.assertEqual(activation.access_category, "C")

    def test_the_upgrade_gives_back_c_to_what_a_revoke_rewrote(self):
        self._revoke()
        # The subject of the former template, and what the former related
        # field left in the column after the revoke.
        template = self.env.ref("octopus_titulaires.mail_template_billing_summary")
        template.subject = "Octopus billing summary {{ object.name }}"
        self.env.flush_all()
        self.env.cr.execute("UPDATE octopus_module_activation SET access_category = 'A' "
                            "WHERE id = %s", [self.c_scan.id])
        path = f"{get_module_path('octopus_titulaires')}/migrations/18.0.1.4.0/post-migrate.py"
        spec = importlib.util.spec_from_file_location("ledger_history_migration", path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        migration.migrate(self.env.cr, "18.0.1.3.0")
        self.env.invalidate_all()
        self.assertEqual((self.c_scan.access_category, self.b_scan.access_category), ("C", "B"))
        self.assertEqual(template.subject, "Octopus billing summary {{ object.display_name }}")
