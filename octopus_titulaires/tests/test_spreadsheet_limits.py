import base64
import io
import re
import tracemalloc
import zipfile

from openpyxl.utils import get_column_letter

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..tools.spreadsheet_reader import (
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_UNZIPPED_BYTES,
    MAX_UPLOAD_BYTES,
    XLS_MAGIC,
    XLSX_MAGIC,
    SpreadsheetError,
    read_rows,
)
from .common import OctopusCase
from .test_dossier_import import xls, xlsx

SHEET_XML = "xl/worksheets/sheet1.xml"
BOMB_MEMORY_CEILING = 200 * 1024 * 1024


def rewrite_members(content, sheet_xml=None, extra_member=None):
    """``content`` with its sheet XML passed through ``sheet_xml`` and, if given, one
    more member of ``extra_member`` zero bytes, written in chunks (never in memory)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == SHEET_XML and sheet_xml:
                data = sheet_xml(data)
            target.writestr(member, data)
        if extra_member:
            chunk = bytes(1024 * 1024)
            with target.open("xl/media/padding.bin", "w", force_zip64=True) as padding:
                for start in range(0, extra_member, len(chunk)):
                    padding.write(chunk[:extra_member - start])
    return stream.getvalue()


def declaring(content, dimension):
    """``content`` whose sheet claims the dimension ``dimension`` (None: no claim)."""
    ref = f'<dimension ref="{dimension}"/>'.encode() if dimension else b""
    return rewrite_members(content, lambda xml: re.sub(rb"<dimension [^>]*/>", ref, xml))


def undeclared(content, old, new):
    """``content`` without a declared dimension, its sheet's first ``old`` made ``new``:
    only reading the rows can tell their number and width."""
    return rewrite_members(declaring(content, None), lambda xml: xml.replace(old, new, 1))


@tagged("post_install", "-at_install")
class TestSpreadsheetLimits(OctopusCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.small = xlsx([["code", "name", "kind"], ["1001", "Boulangerie", "internal"]])
        cls.bomb = declaring(cls.small, "A1:XFD1048576")
        cls.wide_bomb = declaring(cls.small, "A1:XFD2")
        cls.zip_bomb = rewrite_members(cls.small, extra_member=MAX_UNZIPPED_BYTES + 1)
        cls.long_xls = xls([[index] for index in range(MAX_ROWS + 1)])

    def assertRefusedRead(self, content, reason, limit):
        with self.assertRaises(SpreadsheetError) as caught:
            read_rows(content)
        self.assertEqual((caught.exception.reason, caught.exception.limit), (reason, limit))

    def _wizard(self, content, filename):
        return self.env["octopus.dossier.import"].with_user(self.b_user).create(
            {"file": base64.b64encode(content), "filename": filename,
             "company_id": self.office.id}
        )

    def test_declared_dimensions_refuse_a_bomb_before_reading(self):
        self.assertLess(len(self.bomb), 10 * 1024)
        tracemalloc.start()
        try:
            self.assertRefusedRead(self.bomb, "too_many_rows", MAX_ROWS)
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        self.assertLess(peak, BOMB_MEMORY_CEILING)
        self.assertRefusedRead(self.wide_bomb, "too_many_columns", MAX_COLUMNS)

    def test_oversized_upload_is_refused_without_parsing(self):
        # Parsing these bytes would find them damaged; the size is refused first.
        for magic in (XLSX_MAGIC, XLS_MAGIC):
            with self.subTest(magic=magic):
                self.assertRefusedRead(magic + bytes(MAX_UPLOAD_BYTES), "too_large",
                                       MAX_UPLOAD_BYTES)

    def test_zip_member_bomb_is_refused_before_unzipping(self):
        self.assertLess(len(self.zip_bomb), MAX_UPLOAD_BYTES)
        self.assertRefusedRead(self.zip_bomb, "too_large", MAX_UNZIPPED_BYTES)

    def test_rows_past_the_limit_are_refused(self):
        header = [["code", "name", "kind"]]
        self.assertRefusedRead(xlsx(header + [[index] for index in range(MAX_ROWS)]),
                               "too_many_rows", MAX_ROWS)
        at_limit = xlsx(header + [[index] for index in range(MAX_ROWS - 1)])
        self.assertEqual(len(read_rows(at_limit)), MAX_ROWS)
        past = MAX_ROWS + 1
        self.assertRefusedRead(
            undeclared(at_limit, b"</sheetData>",
                       f'<row r="{past}"><c r="A{past}"><v>1</v></c></row></sheetData>'.encode()),
            "too_many_rows", MAX_ROWS)
        trailing_empty = undeclared(at_limit, b"</sheetData>",
                                    f'<row r="{past}"><c r="A{past}"/></row></sheetData>'.encode())
        self.assertEqual(len(read_rows(trailing_empty)), MAX_ROWS)

    def test_columns_past_the_limit_are_refused_while_reading(self):
        past = get_column_letter(MAX_COLUMNS + 1)
        at_limit = xlsx([list(range(MAX_COLUMNS))])
        self.assertRefusedRead(
            undeclared(at_limit, b"</row>", f'<c r="{past}1"><v>1</v></c></row>'.encode()),
            "too_many_columns", MAX_COLUMNS)
        trailing_empty = undeclared(at_limit, b"</row>", f'<c r="{past}1"/></row>'.encode())
        self.assertEqual(read_rows(trailing_empty), [list(range(MAX_COLUMNS))])

    def test_twenty_thousand_dossiers_of_fifty_columns_are_read(self):
        header = [f"column {column}" for column in range(50)]
        content = xlsx([header] + [[f"r{row}c{column}" for column in range(50)]
                                   for row in range(20_000)])
        rows = read_rows(content)
        self.assertEqual(len(rows), 20_001)
        self.assertEqual(rows[0], header)
        self.assertEqual(rows[-1][-1], "r19999c49")
        self.assertEqual({len(row) for row in rows}, {50})

    def test_xls_past_the_limits_is_refused(self):
        self.assertRefusedRead(xls([list(range(MAX_COLUMNS + 1))]), "too_many_columns",
                               MAX_COLUMNS)
        self.assertRefusedRead(self.long_xls, "too_many_rows", MAX_ROWS)
        self.assertEqual(read_rows(xls([list(range(MAX_COLUMNS))])),
                         [[float(index) for index in range(MAX_COLUMNS)]])

    def test_the_import_names_the_limit_and_writes_nothing(self):
        before = self._counts()
        for content, filename, message in (
            (self.bomb, "bomb.xlsx",
             f"bomb.xlsx has more than {MAX_ROWS} rows; split it into smaller files."),
            (self.wide_bomb, "wide.xlsx", f"wide.xlsx has more than {MAX_COLUMNS} columns"),
            (self.long_xls, "long.xls", f"long.xls has more than {MAX_ROWS} rows"),
            (self.zip_bomb, "zip.xlsx",
             f"zip.xlsx holds more than {MAX_UNZIPPED_BYTES // (1024 * 1024)} MB of data"),
        ):
            wizard = self._wizard(content, filename)
            with self.subTest(filename=filename), self.assertRefused(UserError, re.escape(message)):
                wizard.action_preview()
            self.assertEqual(wizard.state, "upload")
            self.assertFalse(wizard.preview_line_ids)
        self.assertEqual(self._counts(), before)
