import io

from openpyxl import load_workbook

from odoo.tests import tagged

from ..tools.spreadsheet_reader import read_rows
from .common import OctopusCase

# Texts the writer's own XML could take for markup or change: one shaped like
# the rich texts xlsxwriter copies into the sheet unescaped (closing its cell
# and opening a formula one), carriage returns, which xlsxwriter escapes in a
# way openpyxl (the import's reader) does not decode, and XML's own characters.
XML_TEXTS = [
    '<r><t>x</t></r></is></c><c r="K2"><f>1+1</f></c><c t="inlineStr"><is><r><t>y</t></r>',
    "<r>plain</r>",
    "Line\r\nbreak",
    "Ends with\r",
    " Tom & Jerry <b>bold</b> ",
]
NAME, CLIENT = 2, 3


@tagged("post_install", "-at_install")
class TestExportXmlTexts(OctopusCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dossiers = cls.Dossier.create([
            {"code": f"X{index}", "name": text, "kind": "internal", "company_id": cls.office.id,
             "partner_id": cls.env["res.partner"].create({"name": text, "is_company": True}).id}
            for index, text in enumerate(XML_TEXTS)
        ])

    def _content(self):
        return self.env["octopus.dossier.export"].with_user(self.b_user).create(
            {"company_id": self.office.id, "dossier_ids": [(6, 0, self.dossiers.ids)]}
        )._build_xlsx()

    def test_texts_are_text_cells_with_nothing_added(self):
        sheet = load_workbook(io.BytesIO(self._content()))["Dossiers"]
        for row, text in enumerate(XML_TEXTS, start=2):
            for column in (NAME, CLIENT):
                cell = sheet.cell(row, column)
                with self.subTest(text=text, column=column):
                    self.assertEqual((cell.data_type, cell.value), ("s", text))
        cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
        self.assertFalse([cell.coordinate for cell in cells if cell.data_type == "f"],
                         "no text became a formula")
        self.assertEqual(sheet.max_column, 10, "no text added a cell")

    def test_the_import_reads_them_back_identical(self):
        rows = read_rows(self._content())
        self.assertEqual([row[NAME - 1:CLIENT] for row in rows[1:]],
                         [[text, text] for text in XML_TEXTS])
