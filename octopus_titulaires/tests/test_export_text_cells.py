import base64
import io
import os
import tempfile
from unittest.mock import patch

from openpyxl import load_workbook

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..models.octopus_dossier import TEXT_MAX_LENGTH
from ..tools.spreadsheet_reader import read_rows
from .common import OctopusCase

# Texts a spreadsheet could take for a formula, a number or an error, or lose
# the first character of.
RISKY_TEXTS = [
    '=HYPERLINK("http://evil.example","x")',
    "=2+2",
    "+32 2 123",
    "-5",
    "@SUM(A1)",
    "\tTab",
    "\rCR",
    "#N/A",
]
NAME, CLIENT = 2, 3


@tagged("post_install", "-at_install")
class TestExportTextCells(OctopusCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Category A dossiers (internal, no login): a re-import only compares them.
        cls.risky = cls.Dossier.create([
            {"code": f"R{index}", "name": text, "kind": "internal",
             "company_id": cls.office.id,
             "partner_id": cls.env["res.partner"].create({"name": text, "is_company": True}).id}
            for index, text in enumerate(RISKY_TEXTS)
        ])

    def _export(self, dossiers):
        return self.env["octopus.dossier.export"].with_user(self.b_user).create(
            {"company_id": self.office.id, "dossier_ids": [(6, 0, dossiers.ids)]}
        )

    def test_names_are_written_as_text_cells(self):
        sheet = load_workbook(io.BytesIO(self._export(self.risky)._build_xlsx()))["Dossiers"]
        for row, text in enumerate(RISKY_TEXTS, start=2):
            for column in (NAME, CLIENT):
                cell = sheet.cell(row, column)
                with self.subTest(text=text, column=column):
                    self.assertEqual((cell.data_type, cell.value), ("s", text))

    def test_the_export_reads_back_identical(self):
        rows = read_rows(self._export(self.risky)._build_xlsx())
        self.assertEqual([row[NAME - 1:CLIENT] for row in rows[1:]],
                         [[text, text] for text in RISKY_TEXTS])

    def test_the_export_imports_back_unchanged(self):
        dossiers = self.risky
        content = self._export(dossiers)._build_xlsx()
        wizard = self.env["octopus.dossier.import"].with_user(self.b_user).create(
            {"file": base64.b64encode(content), "filename": "export.xlsx",
             "company_id": self.office.id}
        )
        wizard.action_preview()
        self.assertFalse(wizard.problem_text, wizard.problem_text)
        self.assertEqual(
            (wizard.create_count, wizard.update_count, wizard.unchanged_count),
            (0, 0, len(dossiers)),
        )
        before = self._counts()
        wizard.action_import()
        self.assertEqual(wizard.state, "done")
        self.assertEqual(self._counts(), before)
        self.assertEqual(dossiers.mapped("name"), RISKY_TEXTS)

    def test_a_text_longer_than_a_cell_is_refused_not_cut(self):
        dossier = self.risky[:1]
        dossier.partner_id.name = "L" * TEXT_MAX_LENGTH
        sheet = load_workbook(io.BytesIO(self._export(dossier)._build_xlsx()))["Dossiers"]
        self.assertEqual(sheet.cell(2, CLIENT).value, "L" * TEXT_MAX_LENGTH)
        dossier.partner_id.name = "Too long " + "L" * TEXT_MAX_LENGTH
        wizard = self._export(dossier)
        with self.assertRefused(UserError, "Sheet Dossiers, row 2: the text “Too long L+…” "
                                           f"is longer than the {TEXT_MAX_LENGTH} characters"):
            wizard.action_export()
        self.assertFalse(wizard.xlsx_file)

    def test_the_export_leaves_no_temporary_file(self):
        # xlsxwriter keeps each sheet's rows in a temporary file, which the
        # export's worksheet writes and reads back itself: each file goes, also
        # when a text refused halfway stops the export.
        dossier = self.risky[:1]
        with tempfile.TemporaryDirectory() as directory, \
                patch.object(tempfile, "tempdir", directory):
            self.assertTrue(self._export(dossier)._build_xlsx())
            self.assertEqual(os.listdir(directory), [])
            dossier.partner_id.name = "Too long " + "L" * TEXT_MAX_LENGTH
            with self.assertRaises(UserError):
                self._export(dossier)._build_xlsx()
            self.assertEqual(os.listdir(directory), [])
