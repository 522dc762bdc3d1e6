import base64
import io
from datetime import date

from openpyxl import load_workbook
from openpyxl.styles.numbers import BUILTIN_FORMATS

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import SQL
from odoo.tools.misc import format_date

from ..tools.sql import sql_date_pattern
from .invoice_common import InvoiceCase


@tagged("post_install", "-at_install")
class TestDossierExport(InvoiceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._activate(cls.c_dossier, cls.scan, date(2026, 1, 1))
        cls._activate(cls.c_dossier, cls.api, date(2027, 7, 1))
        cls._activate(cls.b_dossier, cls.scan, date(2026, 3, 1))
        cls._activate(cls.c_dossier, cls.api, date(2025, 1, 1), date(2025, 12, 31))
        cls.client.vat = "BE0477472701"

    def _export(self, dossiers=None, user=None, **values):
        wizard = self.env["octopus.dossier.export"].with_user(user or self.b_user).create(
            dict({"company_id": self.office.id, "date": self.reference,
                  "dossier_ids": [(6, 0, (dossiers or self.Dossier).ids)]}, **values)
        )
        return wizard, load_workbook(io.BytesIO(wizard._build_xlsx()))

    def _rows(self, sheet):
        return [list(row) for row in sheet.iter_rows(values_only=True)]

    def test_three_sheets_with_short_names_and_headers(self):
        _wizard, workbook = self._export()
        self.assertEqual(workbook.sheetnames, ["Dossiers", "Next invoice", "Activation ledger"])
        self.assertTrue(all(len(name) <= 31 for name in workbook.sheetnames))
        self.assertEqual(
            self._rows(workbook["Dossiers"])[0],
            ["Code", "Name", "Client", "VAT", "Kind", "Category", "Login", "Modules",
             "Modules since", "Client e-mail"],
        )
        for sheet in workbook.worksheets:
            self.assertEqual(sheet.freeze_panes, "A2")
            self.assertTrue(sheet.auto_filter.ref.startswith("A1:"))

    def test_overview_lists_every_dossier_with_category_login_and_modules(self):
        _wizard, workbook = self._export()
        rows = {row[0]: row for row in self._rows(workbook["Dossiers"])[1:]}
        self.assertEqual(set(rows), {"A100", "B100", "C100"})
        c_row = rows["C100"]
        self.assertEqual(c_row[1:8], ["Dossier C100", "Boulangerie Test", "BE0477472701",
                                      "Internal", "C", self.c_dossier.client_user_id.login,
                                      "SCAN"])
        # Inside a text, the day as the user's language writes it (en_US here).
        self.assertEqual(c_row[8], "SCAN 01/01/2026")
        self.assertEqual(c_row[9], "c@client.example.be")
        self.assertEqual(rows["B100"][5], "B")
        self.assertEqual(rows["A100"][5:8], ["A", None, None])

    def test_next_invoice_sheet_has_lines_subtotals_fee_and_total(self):
        _wizard, workbook = self._export()
        rows = self._rows(workbook["Next invoice"])
        self.assertEqual(rows[0], ["Category", "Dossier", "Name", "Module", "From", "To",
                                   "Annual price", "Amount", "Currency"])
        by_name = {row[2]: row for row in rows[1:]}
        expected_total = 1500.0 + 365.0 + 80.66
        self.assertEqual(by_name["Total of the next invoice"][7], expected_total)
        self.assertEqual(by_name["Packet Deal"][7], 1500.0)
        self.assertEqual(by_name["Subtotal C100"][7], 445.66)
        self.assertEqual(by_name["Subtotal category C"][7], 445.66)
        self.assertEqual(by_name["Subtotal category B (billed to the clients by Octopus)"][7], 0.0)
        self.assertEqual({row[8] for row in rows[1:]}, {"EUR"})
        invoice = self._project()
        self.assertEqual(by_name["Total of the next invoice"][7], invoice["total"])
        module_rows = [row for row in rows[1:] if row[3]]
        self.assertEqual(len(module_rows), len(invoice["lines"]))

    def test_ledger_sheet_has_every_activation_with_who_and_price(self):
        _wizard, workbook = self._export()
        rows = self._rows(workbook["Activation ledger"])
        self.assertEqual(len(rows) - 1, 4)
        ended = [row for row in rows[1:] if row[4]]
        self.assertEqual(len(ended), 1)
        self.assertEqual(ended[0][:6], ["C100", "API", "C", *ended[0][3:5], 100.0])
        self.assertEqual(ended[0][6], self.env.user.name)

    def test_amounts_and_dates_have_number_formats(self):
        _wizard, workbook = self._export()
        sheet = workbook["Next invoice"]
        self.assertEqual(sheet["H2"].number_format, "#,##0.00")
        # Excel's built-in short date (14), which each reader's Excel shows in its
        # locale: every date of the workbook is a date cell, not a text.
        for cell in (sheet["E2"], sheet["F2"], workbook["Activation ledger"]["D2"],
                     workbook["Activation ledger"]["E3"]):
            self.assertTrue(cell.is_date, cell.coordinate)
            self.assertEqual(cell.number_format, BUILTIN_FORMATS[14])

    def test_sheets_print_landscape_one_page_wide_with_their_headers(self):
        _wizard, workbook = self._export()
        for sheet in workbook.worksheets:
            with self.subTest(sheet=sheet.title):
                self.assertEqual(sheet.page_setup.orientation, "landscape")
                self.assertEqual(sheet.page_setup.paperSize, 9, "A4")
                self.assertTrue(sheet.sheet_properties.pageSetUpPr.fitToPage)
                # Left out of the file when it is 1, the default of the format.
                self.assertEqual(sheet.page_setup.fitToWidth or 1, 1)
                # 0: as many pages long as the rows take.
                self.assertEqual(sheet.page_setup.fitToHeight, 0)
                self.assertEqual(sheet.print_title_rows, "$1:$1")

    def test_modules_since_speaks_the_users_language(self):
        self.env["res.lang"]._activate_lang("fr_BE")
        self.b_user.lang = "fr_BE"
        _wizard, workbook = self._export()
        rows = {row[0]: row for row in self._rows(workbook["Dossiers"])[1:]}
        self.assertEqual(rows["C100"][8], "SCAN 01/01/2026")
        self._activate(self.c_dossier, self.bank_module, date(2026, 2, 3))
        self.b_user.lang = "en_US"
        _wizard, workbook = self._export()
        rows = {row[0]: row for row in self._rows(workbook["Dossiers"])[1:]}
        self.assertEqual(rows["C100"][8], "SCAN 01/01/2026, BANK 02/03/2026",
                         "in the order the modules started")
        self.env["res.lang"]._activate_lang("de_DE")
        self.b_user.lang = "de_DE"
        _wizard, workbook = self._export()
        rows = {row[0]: row for row in self._rows(workbook["Dossiers"])[1:]}
        self.assertEqual(rows["C100"][8], "SCAN 01.01.2026, BANK 03.02.2026")

    def test_modules_since_in_a_format_postgresql_cannot_write(self):
        # A month name is written by Python, in the user's language: the
        # same text as the dates PostgreSQL writes for the other formats.
        lang = self.env["res.lang"]._activate_lang("fr_BE")
        lang.date_format = "%d %B %Y"
        self.b_user.lang = "fr_BE"
        _wizard, workbook = self._export()
        rows = {row[0]: row for row in self._rows(workbook["Dossiers"])[1:]}
        self.assertEqual(rows["C100"][8], "SCAN 01 janvier 2026")

    def test_postgresql_writes_dates_as_odoo_does(self):
        days = [date(2026, 1, 1), date(2024, 2, 29), date(2031, 12, 9)]
        left_to_python = {"%d %b %Y", 'a"b %d'}
        for date_format in ["%m/%d/%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y-%m-%d", "%d-%m-%y",
                            "%Y年%m月%d日", *left_to_python]:
            pattern = sql_date_pattern(date_format)
            self.assertEqual(pattern is None, date_format in left_to_python, date_format)
            if pattern is None:
                continue
            self.env["res.lang"]._lang_get("en_US").date_format = date_format
            for day in days:
                with self.subTest(date_format=date_format, day=day):
                    self.env.cr.execute(SQL("SELECT to_char(%s::date, %s)", day, pattern))
                    self.assertEqual(self.env.cr.fetchone()[0],
                                     format_date(self.env, day, lang_code="en_US"))

    def test_a_selection_exports_only_its_dossiers(self):
        _wizard, workbook = self._export(dossiers=self.b_dossier)
        self.assertEqual([row[0] for row in self._rows(workbook["Dossiers"])[1:]], ["B100"])
        ledger = self._rows(workbook["Activation ledger"])[1:]
        self.assertEqual({row[0] for row in ledger}, {"B100"})

    def test_a_selection_totals_its_dossiers_without_the_packet_deal(self):
        _wizard, workbook = self._export(dossiers=self.c_dossier)
        self.assertEqual(workbook.sheetnames,
                         ["Dossiers", "Next invoice (selection)", "Activation ledger"])
        rows = self._rows(workbook["Next invoice (selection)"])
        by_name = {row[2]: row for row in rows[1:]}
        self.assertNotIn("Total of the next invoice", by_name)
        self.assertNotIn("Packet Deal", by_name)
        # The office's fee, for reference: its annual amount, in no amount or total.
        fee = by_name["Packet Deal of the office (not in the selection's total)"]
        self.assertEqual((fee[6], fee[7]), (1500.0, None))
        self.assertEqual(by_name["Total of the selection"][7], 445.66)
        self.assertEqual(rows[-1][2], "Total of the selection")
        self.assertEqual(self._project(dossiers=self.c_dossier)["total"], 445.66)
        # A selection of a B dossier adds nothing to the office's invoice.
        _wizard, workbook = self._export(dossiers=self.b_dossier)
        rows = self._rows(workbook["Next invoice (selection)"])
        self.assertEqual(rows[-1][2::5], ["Total of the selection", 0.0])
        # The whole office's export is the invoice, with its fee.
        self.assertEqual(self._project()["total"], 1500.0 + 445.66)

    def test_action_export_shows_the_named_file(self):
        wizard = self.env["octopus.dossier.export"].with_user(self.b_user).create(
            {"company_id": self.office.id, "date": self.reference}
        )
        action = wizard.action_export()
        self.assertEqual((action["type"], action["res_id"], action["target"]),
                         ("ir.actions.act_window", wizard.id, "new"))
        self.assertEqual(wizard.state, "done")
        self.assertEqual(wizard.xlsx_filename, "octopus_Fiduciaire_Test_2026-11-28.xlsx")
        workbook = load_workbook(io.BytesIO(base64.b64decode(wizard.xlsx_file)))
        self.assertEqual(len(workbook.sheetnames), 3)

    def test_refusals_write_no_file(self):
        foreign = self._dossier("F100", company=self.other_office)
        wizard = self.env["octopus.dossier.export"].create(
            {"company_id": self.office.id, "dossier_ids": [(6, 0, foreign.ids)]}
        )
        with self.assertRefused(UserError, "must all belong to Fiduciaire Test"):
            wizard.action_export()
        self.assertFalse(wizard.xlsx_file)
        empty_office = self.env["res.company"].create(
            {"name": "Bureau Vide", "octopus_b_number": "B00000099"}
        )
        wizard = self.env["octopus.dossier.export"].create({"company_id": empty_office.id})
        with self.assertRefused(UserError, "has no dossier to export"):
            wizard.action_export()
        self.office.octopus_b_number = False
        wizard = self.env["octopus.dossier.export"].create({"company_id": self.office.id})
        with self.assertRefused(UserError, "has no Octopus B number"):
            wizard.action_export()
        self.assertFalse(wizard.xlsx_file)

    def test_b_user_of_another_office_cannot_export_this_one(self):
        with self.assertRaises(AccessError):
            self._export(user=self.other_b_user, dossiers=self.c_dossier)
        with self.assertRaises(AccessError):
            self.env["octopus.dossier.export"].with_user(self.plain_user).create({})

    def test_cost_analysis_measures_what_the_next_invoice_bills(self):
        groups = self.env["octopus.invoice.line"]._read_group(
            [("company_id", "=", self.office.id)], ["module_id", "access_category"],
            ["amount:sum"],
        )
        costs = {(module.code, category): cost for module, category, cost in groups}
        invoice = self._project(fields.Date.context_today(self.office))
        billed = {}
        for line in invoice["lines"]:
            key = (line["module_code"], line["category"])
            billed[key] = billed.get(key, 0.0) + line["amount"]
        self.assertEqual(costs[("SCAN", "B")], 0.0, "billed to the client by Octopus")
        self.assertGreater(costs[("API", "C")], 0.0)
        for key, amount in billed.items():
            self.assertAlmostEqual(costs[key], amount, places=2, msg=key)
