import io
from datetime import date, datetime, timedelta

from freezegun import freeze_time
from openpyxl import load_workbook

from odoo.exceptions import UserError
from odoo.tests import tagged

from .invoice_common import InvoiceCase

# The columns of sheet 2 that a line of the projection fills, in order.
LINE_COLUMNS = ("category", "dossier_code", "dossier_name", "module_name", "date_from", "date_to",
                "annual_price", "amount")


@tagged("post_install", "-at_install")
class TestExportScaling(InvoiceCase):
    """The export reads each sheet with one query and the daily refresh of D
    writes the relation once per set of modules: a large office costs as many
    queries as a small one. Sheet 2 is the projection, line by line, in its
    order."""

    def _seed(self, count, prefix, start, modules):
        """``count`` C dossiers of one login, each with ``modules`` from ``start``;
        every other one also with API, so that D holds two sets of modules."""
        login = self._login("K")
        dossiers = self.Dossier.create([
            {"code": f"{prefix}{index:03d}", "name": f"Scale {index}",
             "partner_id": self.client.id, "company_id": self.office.id,
             "client_user_id": login.id}
            for index in range(count)
        ])
        self.Activation.create([
            {"dossier_id": dossier.id, "module_id": module.id, "date_start": start}
            for index, dossier in enumerate(dossiers)
            for module in (modules | self.api if index % 2 else modules)
        ])
        self.env.flush_all()
        self.env.invalidate_all()
        return dossiers

    def _export_queries(self):
        """The queries of one export of the whole office, as a B user."""
        wizard = self.env["octopus.dossier.export"].with_user(self.b_user).create(
            {"company_id": self.office.id, "date": self.reference}
        )
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        content = wizard._build_xlsx()
        return self.cr.sql_log_count - before, content

    def test_export_queries_do_not_grow_with_the_dossiers(self):
        self._seed(4, "S", date(2026, 1, 1), self.scan)
        # The first export also fills Odoo's caches of rules and translations.
        self._export_queries()
        small_count, small = self._export_queries()
        self._seed(60, "L", date(2026, 1, 1), self.scan)
        large_count, large = self._export_queries()
        self.assertEqual(small_count, large_count, "one query per sheet, whatever the size")
        rows = {size: load_workbook(io.BytesIO(content))["Dossiers"].max_row
                for size, content in (("small", small), ("large", large))}
        self.assertEqual(rows["large"] - rows["small"], 60)

    def test_next_invoice_sheet_is_the_projection_line_by_line(self):
        # Codes whose order differs between Python, case-blind and accented
        # orderings; two modules of the same sequence, started on the same day.
        login = self._login("K")
        dossiers = self.Dossier.create([
            {"code": code, "name": f"Dossier {code}", "partner_id": self.client.id,
             "company_id": self.office.id, "client_user_id": login.id}
            for code in ("b1", "B2", "a3", "Z4", "é5", "e6")
        ])
        for index, dossier in enumerate(dossiers):
            self._activate(dossier, self.scan, date(2026, 1 + index, 1))
            self._activate(dossier, self.api, date(2026, 1 + index, 1),
                           date(2027, 2 + index, 10) if index % 2 else None)
        self._activate(self.b_dossier, self.scan, date(2027, 3, 1))
        self._activate(self.c_dossier, self.api, date(2025, 1, 1), date(2027, 1, 1))
        invoice = self._project()
        sheet = load_workbook(io.BytesIO(self._export_queries()[1]))["Next invoice"]
        module_rows = [row for row in sheet.iter_rows(min_row=2, values_only=True) if row[3]]
        expected = [tuple(line[key] for key in LINE_COLUMNS) + ("EUR",)
                    for line in invoice["lines"]]
        self.assertEqual([
            tuple(value.date() if isinstance(value, datetime) else value for value in row)
            for row in module_rows
        ], expected)
        c_codes = [line["dossier_code"] for line in invoice["lines"] if line["category"] == "C"]
        self.assertEqual(c_codes, sorted(c_codes), "codes as Python orders them")
        self.assertEqual(invoice["lines"][-1]["category"], "B")
        self.assertEqual(len(expected), 13)

    def test_a_module_without_tariff_stops_the_export_without_a_file(self):
        self._activate(self.c_dossier, self.scan, date(2026, 1, 1))
        self.scan.tariff_ids.unlink()
        wizard = self.env["octopus.dossier.export"].with_user(self.b_user).create(
            {"company_id": self.office.id, "date": self.reference}
        )
        with self.assertRefused(UserError, "Module Scan has no tariff valid on 01/01/2026"):
            wizard.action_export()
        self.assertFalse(wizard.xlsx_file)

    def test_refresh_of_d_queries_do_not_grow_with_the_dossiers(self):
        refresh = self.env.ref("octopus_titulaires.ir_cron_refresh_active_modules")

        def refresh_on(day, dossiers):
            self.assertFalse(dossiers.active_module_ids, "nothing runs before the day")
            with freeze_time(day):
                self.env.invalidate_all()
                before = self.cr.sql_log_count
                refresh.method_direct_trigger()
                count = self.cr.sql_log_count - before
            for index, dossier in enumerate(dossiers):
                expected = self.scan | self.api if index % 2 else self.scan
                self.assertEqual(dossier.active_module_ids, expected, dossier.code)
            return count

        # Ordinary days: not the first of a month, when an office may start its
        # billing year.
        with freeze_time("2026-07-01"):
            small = self._seed(4, "S", date(2026, 7, 2), self.scan)
            large = self._seed(60, "L", date(2026, 7, 3), self.scan)
            # The first run also fills Odoo's caches.
            refresh.method_direct_trigger()
        self.assertEqual(refresh_on("2026-07-02", small), refresh_on("2026-07-03", large),
                         "one write of D per set of modules, whatever the number of dossiers")

    def test_the_next_billing_year_begins_without_a_job(self):
        with freeze_time("2026-12-15"):
            # Started in March 2027: part of 2027 on the next invoice seen today,
            # the whole of 2028 once 2027 has begun.
            small = self._seed(4, "S", date(2027, 3, 1), self.scan)
            scan_lines = small.activation_ids.filtered(lambda a: a.module_id == self.scan)
            self.assertEqual(set(scan_lines.mapped("next_invoice_amount")), {306.0})
        with freeze_time("2027-01-01"):
            self.env.invalidate_all()
            self.assertEqual(set(scan_lines.mapped("next_invoice_amount")), {365.0})
            self.assertEqual(small[0].next_invoice_amount, 365.0)
            billed = self.Activation.search([("next_invoice_amount", "!=", 0),
                                             ("dossier_id", "in", small.ids)])
            self.assertEqual(billed, small.activation_ids)
            self.assertFalse(self.Activation.search([("next_invoice_amount", "=", 0),
                                                     ("dossier_id", "in", small.ids)]))
            with self.assertRaises(UserError):
                self.Activation.search([("next_invoice_amount", "=", "a lot")])
