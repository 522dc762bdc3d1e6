import io
import random
import re
import zipfile
from datetime import date

import xlsxwriter
from openpyxl import load_workbook

from odoo.tests import BaseCase, tagged

from ..tools.xlsx_rows import DATE, NUMBER, TEXT, RowWorksheet, TextTooLong

# Texts whose XML takes each branch of xlsxwriter's inline texts: plain, XML's
# characters, white space kept at either end, control characters and Excel's
# own escape of them, Unicode non-characters, line feeds and tabs inside.
TEXTS = [
    "Fiduciaire Dupont", "Société Générale – Ürün 東京", "", "Tom & Jerry <b>\"x\"</b>",
    " leading", "trailing ", "\ttab", "line\nfeed", "ends\n", "bell\x07 and \x1f",
    "_x0041_ stays", "a_b@example.be", "\ufffe\uffff", "\x0b\x0c", "=1+1", "  ",
]
NUMBERS = [0, 1, -1.5, 1234567.891, 0.1 + 0.2, 1e-7, 12345678901234567, 2**53 + 1, 1e300,
           -0.0, 7.0]
DAYS = [date(2026, 1, 1), date(2024, 2, 29), date(1900, 3, 1), date(2099, 12, 31)]
# What random texts are made of: every character or sequence the escapes of
# an inline text look for, white space of several kinds, letters; and, for
# the texts read back, markup and carriage returns.
ESCAPED_PIECES = [*"ab _&<>\"'\t\n\x00\x01\x0b\x0c\x1c\x1f\x7f\u00a0\u2028\u3000\ufffe\uffffé東",
                  "_x0041_", "_x000D_"]
MARKUP_PIECES = [*"ab _&<>\"'\t\n\r\u00a0é", "<r>", "</r>", "<t>", "</is></c>", "\r\n"]
# The row's columns: a text and a number with no format, then a date and a
# number each with a format.
KINDS = [TEXT, NUMBER, DATE, NUMBER]


def rows():
    """Rows that use every value above, and leave cells empty at the start, in
    the middle and at the end: each value comes twice, at rows whose empty
    column differs, so that it is written at least once."""
    count = 2 * max(len(TEXTS), len(NUMBERS), len(DAYS))
    for index in range(count):
        values = [TEXTS[index % len(TEXTS)], NUMBERS[index % len(NUMBERS)],
                  DAYS[index % len(DAYS)], NUMBERS[-1 - index % len(NUMBERS)]]
        if index % 5 < 4:
            values[index % 5] = None
        yield values


def random_texts(pieces, seed):
    """A thousand texts of up to 12 of ``pieces``, the same on every run."""
    rng = random.Random(seed)
    return ["".join(rng.choices(pieces, k=rng.randint(0, 12))) for _text in range(1000)]


def one_column(workbook, texts):
    """``texts`` in the first column of a RowWorksheet of ``workbook``."""
    sheet = workbook.add_worksheet(worksheet_class=RowWorksheet)
    plan = sheet.cell_plan([(0, TEXT, None)])
    for row, text in enumerate(texts):
        sheet.write_cells(row, plan, [text])


def sheet_data(content):
    """The <sheetData> of the first sheet of ``content``, and its dimension."""
    xml = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    return (re.search("<sheetData>.*</sheetData>", xml, re.DOTALL).group(),
            re.search('<dimension ref="[^"]*"/>', xml).group())


def workbook_of(write):
    """An .xlsx in constant-memory mode written by ``write(workbook, formats)``."""
    stream = io.BytesIO()
    workbook = xlsxwriter.Workbook(stream, {"constant_memory": True})
    formats = [None, None, workbook.add_format({"num_format": 14}),
               workbook.add_format({"num_format": "#,##0.00", "bold": True})]
    write(workbook, formats)
    workbook.close()
    return stream.getvalue()


@tagged("post_install", "-at_install")
class TestRowWorksheet(BaseCase):
    """The export's worksheet writes a row at once: the same cells as
    xlsxwriter's own writes, except for two kinds of texts that xlsxwriter
    would not keep as they are."""

    def test_cells_are_those_xlsxwriter_writes(self):
        def by_xlsxwriter(workbook, formats):
            sheet = workbook.add_worksheet()
            writes = {TEXT: sheet.write_string, NUMBER: sheet.write_number,
                      DATE: sheet.write_datetime}
            for row, values in enumerate(rows()):
                for column, value in enumerate(values):
                    if value is not None:
                        writes[KINDS[column]](row, column, value, formats[column])

        def by_rows(workbook, formats):
            sheet = workbook.add_worksheet(worksheet_class=RowWorksheet)
            plan = sheet.cell_plan(list(zip(range(len(KINDS)), KINDS, formats)))
            for row, values in enumerate(rows()):
                sheet.write_cells(row, plan, values)

        expected, written = workbook_of(by_xlsxwriter), workbook_of(by_rows)
        self.assertEqual(sheet_data(written), sheet_data(expected))
        # Every value went in: the comparison is not of two empty sheets.
        cells = load_workbook(io.BytesIO(written)).active
        self.assertEqual(cells.max_row, len(list(rows())))
        self.assertEqual(cells.cell(5, 1).value, TEXTS[4])

    def test_random_texts_are_written_as_xlsxwriter_writes_them(self):
        texts = random_texts(ESCAPED_PIECES, 18)

        def by_xlsxwriter(workbook, _formats):
            sheet = workbook.add_worksheet()
            for row, text in enumerate(texts):
                sheet.write_string(row, 0, text)

        written = workbook_of(lambda workbook, _formats: one_column(workbook, texts))
        self.assertEqual(sheet_data(written), sheet_data(workbook_of(by_xlsxwriter)))
        self.assertIn("_x0001_", sheet_data(written)[0], "the escapes were exercised")

    def test_random_texts_with_markup_and_carriage_returns_read_back_whole(self):
        texts = [text for text in random_texts(MARKUP_PIECES, 21) if text]
        content = workbook_of(lambda workbook, _formats: one_column(workbook, texts))
        sheet = load_workbook(io.BytesIO(content)).active
        self.assertEqual([value for (value,) in sheet.iter_rows(values_only=True)], texts)
        self.assertEqual(sheet.max_column, 1, "no text made a cell of its own")

    def test_rich_texts_and_carriage_returns_stay_texts(self):
        # xlsxwriter copies "<r>...</r>" into the sheet unescaped and writes a
        # carriage return as "_x000D_", which openpyxl does not decode.
        texts = ['<r><t>x</t></r></is></c><c r="B1"><f>1+1</f></c><c><is><r><t>y</t></r>',
                 "<r>plain</r>", "Line\r\nbreak", "Ends with\r", "\r"]

        def by_rows(workbook, _formats):
            sheet = workbook.add_worksheet(worksheet_class=RowWorksheet)
            plan = sheet.cell_plan([(0, TEXT, None)])
            for row, text in enumerate(texts):
                sheet.write_cells(row, plan, [text])

        sheet = load_workbook(io.BytesIO(workbook_of(by_rows))).active
        self.assertEqual([(cell.value, cell.data_type) for (cell,) in sheet.iter_rows()],
                         [(text, "s") for text in texts])
        self.assertEqual(sheet.max_column, 1, "no text made a cell of its own")

    def test_a_text_longer_than_a_cell_is_refused_before_its_row(self):
        def by_rows(workbook, _formats):
            sheet = workbook.add_worksheet(worksheet_class=RowWorksheet)
            plan = sheet.cell_plan([(0, TEXT, None), (1, TEXT, None)])
            sheet.write_cells(0, plan, ["fits", "L" * 32767])
            with self.assertRaises(TextTooLong) as refused:
                sheet.write_cells(1, plan, ["cut?", "L" * 32768])
            self.assertEqual(refused.exception.column, 1)

        sheet = load_workbook(io.BytesIO(workbook_of(by_rows))).active
        self.assertEqual([len(value) for value in next(sheet.iter_rows(values_only=True))],
                         [4, 32767])
        self.assertEqual(sheet.max_row, 1, "nothing of the refused row was written")
