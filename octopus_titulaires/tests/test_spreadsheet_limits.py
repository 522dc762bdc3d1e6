import base64
import io
import re
import struct
import tracemalloc
import zipfile
from contextlib import ExitStack, contextmanager
from unittest.mock import patch

import xlrd
import xlsxwriter
from openpyxl.packaging.manifest import Manifest
from openpyxl.packaging.relationship import RelationshipList
from openpyxl.packaging.workbook import WorkbookPackage
from openpyxl.reader import excel
from openpyxl.styles.stylesheet import Stylesheet
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._reader import WorkSheetParser
from xlrd.compdoc import CompDoc
from xlwt.CompoundDoc import XlsDoc

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..tools.spreadsheet_reader import (
    KB,
    MAX_COLUMNS,
    MAX_PART_BYTES,
    MAX_ROWS,
    MAX_UNZIPPED_BYTES,
    MAX_XLS_BYTES,
    MB,
    XLS_MAGIC,
    XLSX_MAGIC,
    SpreadsheetError,
    read_rows,
)
from .common import OctopusCase
from .test_dossier_import import xls, xlsx

SHEET_XML = "xl/worksheets/sheet1.xml"
STRINGS_XML = "xl/sharedStrings.xml"
BOMB_MEMORY_CEILING = 200 * 1024 * 1024
# The parts that describe a workbook, each with the openpyxl class that turns
# it into objects.
DESCRIBING_PARTS = {
    "[Content_Types].xml": Manifest,
    "xl/workbook.xml": WorkbookPackage,
    "xl/_rels/workbook.xml.rels": RelationshipList,
    "xl/styles.xml": Stylesheet,
}
# BIFF records of an .xls (xlrd's biffh).
XLS_CODEPAGE = 0x0042
XLS_DIMENSIONS = 0x0200
RELATIONSHIPS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


class Parsed(Exception):
    """What a parser raises when the reader must not have reached it."""


@contextmanager
def never_called(*targets):
    """Each (owner, name) raises Parsed if called, which no reader catches."""
    with ExitStack() as stack:
        for owner, name in targets:
            stack.enter_context(patch.object(owner, name, side_effect=Parsed(name)))
        yield


def rewritten(content, changes=None, extra_member=0):
    """``content`` with each part named in ``changes`` passed through its function
    and, if given, one more part of ``extra_member`` zero bytes, written in chunks
    (never in memory)."""
    changes = changes or {}
    source = zipfile.ZipFile(io.BytesIO(content))
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            data = source.read(member)
            target.writestr(member, changes.get(member.filename, bytes)(data))
        if extra_member:
            chunk = bytes(1024 * 1024)
            with target.open("xl/media/padding.bin", "w", force_zip64=True) as padding:
                for start in range(0, extra_member, len(chunk)):
                    padding.write(chunk[:extra_member - start])
    return stream.getvalue()


def declaring(content, dimension):
    """``content`` whose sheet claims the dimension ``dimension`` (None: no claim)."""
    ref = f'<dimension ref="{dimension}"/>'.encode() if dimension else b""
    return rewritten(content, {SHEET_XML: lambda xml: re.sub(rb"<dimension [^>]*/>", ref, xml)})


def undeclared(content, old, new):
    """``content`` without a declared dimension, its sheet's first ``old`` made ``new``:
    only reading the rows can tell their number and width."""
    return rewritten(declaring(content, None), {SHEET_XML: lambda xml: xml.replace(old, new, 1)})


def padded(xml, size):
    """``xml`` grown to ``size`` bytes with blanks before its last closing tag."""
    end = xml.rindex(b"</")
    return xml[:end] + b" " * (size - len(xml)) + xml[end:]


def truncated(xml):
    return xml[:len(xml) // 2]


def shared_strings_xlsx(rows):
    """An .xlsx whose texts are shared strings, as Excel writes them (openpyxl
    writes them in the sheet)."""
    stream = io.BytesIO()
    workbook = xlsxwriter.Workbook(stream)
    sheet = workbook.add_worksheet()
    for number, row in enumerate(rows):
        sheet.write_row(number, 0, row)
    workbook.close()
    return stream.getvalue()


def rebuilt_xls(content, change):
    """``content``, an .xls, with its BIFF stream passed through ``change``."""
    memory, start, length = CompDoc(content, logfile=io.StringIO()).locate_named_stream(
        "Workbook")
    stream = io.BytesIO()
    XlsDoc().save(stream, change(bytes(memory[start:start + length])))
    return stream.getvalue()


def with_record(code, payload):
    """A change of a BIFF stream: its first record ``code`` holds ``payload``."""

    def change(biff):
        position = 0
        while True:
            found, length = struct.unpack_from("<HH", biff, position)
            if found == code:
                return (biff[:position] + struct.pack("<HH", code, len(payload)) + payload
                        + biff[position + 4 + length:])
            position += 4 + length

    return change


def declared_xls_dimensions(rows, columns):
    """A change of a BIFF8 stream: its first sheet declares ``rows`` and ``columns``."""
    return with_record(XLS_DIMENSIONS, struct.pack("<IIHHH", 0, rows, 0, columns, 0))


@tagged("post_install", "-at_install")
class TestSpreadsheetLimits(OctopusCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.small_rows = [["code", "name", "kind"], ["1001", "Boulangerie", "internal"]]
        cls.small = xlsx(cls.small_rows)
        cls.shared = shared_strings_xlsx(cls.small_rows)
        cls.bomb = declaring(cls.shared, "A1:XFD1048576")
        cls.wide_bomb = declaring(cls.shared, "A1:XFD2")
        cls.zip_bomb = rewritten(cls.small, extra_member=MAX_UNZIPPED_BYTES + 1)
        cls.styles_bomb = rewritten(
            cls.small, {"xl/styles.xml": lambda xml: padded(xml, MAX_PART_BYTES + 1)})
        cls.long_xls = xls([[index] for index in range(MAX_ROWS + 1)])

    def assertRefusedRead(self, content, reason, limit=None):
        with self.assertRaises(SpreadsheetError) as caught:
            read_rows(content)
        self.assertEqual((caught.exception.reason, caught.exception.limit), (reason, limit))
        return caught.exception

    def _wizard(self, content, filename):
        return self.env["octopus.dossier.import"].with_user(self.b_user).create(
            {"file": base64.b64encode(content), "filename": filename,
             "company_id": self.office.id}
        )

    def test_declared_dimensions_refuse_a_bomb_before_its_strings_and_rows(self):
        self.assertLess(len(self.bomb), 10 * 1024)
        tracemalloc.start()
        try:
            with never_called((excel, "read_string_table"), (WorkSheetParser, "parse")):
                self.assertRefusedRead(self.bomb, "too_many_rows", MAX_ROWS)
                _current, peak = tracemalloc.get_traced_memory()
                self.assertRefusedRead(self.wide_bomb, "too_many_columns", MAX_COLUMNS)
        finally:
            tracemalloc.stop()
        self.assertLess(peak, BOMB_MEMORY_CEILING)

    def test_oversized_files_are_refused_before_they_are_opened(self):
        # Parsing these bytes would find them damaged; the size is refused first.
        with never_called((excel.ExcelReader, "read_manifest"), (xlrd, "open_workbook")):
            self.assertRefusedRead(XLSX_MAGIC + bytes(MAX_UNZIPPED_BYTES), "too_large",
                                   MAX_UNZIPPED_BYTES)
            self.assertRefusedRead(XLS_MAGIC + bytes(MAX_XLS_BYTES), "too_large", MAX_XLS_BYTES)

    def test_zip_bomb_is_refused_before_a_part_is_parsed(self):
        self.assertLess(len(self.zip_bomb), MAX_UNZIPPED_BYTES // 100)
        with never_called((excel.ExcelReader, "read_manifest")):
            self.assertRefusedRead(self.zip_bomb, "too_large", MAX_UNZIPPED_BYTES)

    def test_each_part_describing_the_workbook_is_bounded_before_it_is_parsed(self):
        for part, parser in DESCRIBING_PARTS.items():
            with self.subTest(part=part):
                at_limit = rewritten(self.shared, {part: lambda xml: padded(xml, MAX_PART_BYTES)})
                self.assertEqual(read_rows(at_limit), self.small_rows)
                past = rewritten(self.shared, {part: lambda xml: padded(xml, MAX_PART_BYTES + 1)})
                with never_called((parser, "from_tree")):
                    refusal = self.assertRefusedRead(past, "part_too_large", MAX_PART_BYTES)
                self.assertEqual(refusal.part, part)

    def test_the_sheet_and_its_strings_are_bounded_by_the_file_alone(self):
        rows = [[f"row {row} column {column} " + "x" * 10 for column in range(8)]
                for row in range(MAX_ROWS - 100)]
        content = shared_strings_xlsx(rows)
        sizes = {part.filename: part.file_size for part in zipfile.ZipFile(io.BytesIO(content))
                 .infolist()}
        self.assertGreater(min(sizes[SHEET_XML], sizes[STRINGS_XML]), MAX_PART_BYTES)
        self.assertEqual(read_rows(content), rows)

    def test_a_sheet_listed_a_thousand_times_is_read_once(self):
        # load_workbook would size each sheet the workbook lists, parsing the
        # whole part every time when the sheet declares no dimension.
        sheets = "".join(f'<sheet xmlns:r="{RELATIONSHIPS_NS}" name="Copy {index}" '
                         f'sheetId="{index + 2}" r:id="rId1"/>' for index in range(1000))
        content = rewritten(declaring(self.small, None), {
            "xl/workbook.xml": lambda xml: xml.replace(b"</sheets>", sheets.encode() + b"</sheets>")
        })
        with patch.object(WorkSheetParser, "parse_dimensions", autospec=True,
                          side_effect=WorkSheetParser.parse_dimensions) as sizing:
            self.assertEqual(read_rows(content), self.small_rows)
        self.assertEqual(sizing.call_count, 1)

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

    def test_a_sheet_at_both_limits_is_read(self):
        header = [f"column {column}" for column in range(MAX_COLUMNS)]
        rows = [header] + [[f"r{row}c{column}" for column in range(MAX_COLUMNS)]
                           for row in range(MAX_ROWS - 1)]
        for builder in (xlsx, xls):
            with self.subTest(builder=builder.__name__):
                read = read_rows(builder(rows))
                self.assertEqual(len(read), MAX_ROWS)
                self.assertEqual(read[0], header)
                self.assertEqual(read[-1][-1], f"r{MAX_ROWS - 2}c{MAX_COLUMNS - 1}")
                self.assertEqual({len(row) for row in read}, {MAX_COLUMNS})

    def test_xls_past_its_declared_limits_is_refused_before_its_rows_are_parsed(self):
        with never_called((xlrd.sheet.Sheet, "read")):
            self.assertRefusedRead(self.long_xls, "too_many_rows", MAX_ROWS)
            self.assertRefusedRead(xls([list(range(MAX_COLUMNS + 1))]), "too_many_columns",
                                   MAX_COLUMNS)
            self.assertRefusedRead(
                rebuilt_xls(xls([[1]]), declared_xls_dimensions(MAX_ROWS + 1, 1)),
                "too_many_rows", MAX_ROWS)
        self.assertEqual(read_rows(xls([list(range(MAX_COLUMNS))])),
                         [[float(index) for index in range(MAX_COLUMNS)]])

    def test_xls_understating_its_dimensions_is_refused_while_reading(self):
        self.assertRefusedRead(rebuilt_xls(self.long_xls, declared_xls_dimensions(1, 1)),
                               "too_many_rows", MAX_ROWS)

    def test_malformed_xml_in_any_part_read_is_damaged(self):
        for part in (SHEET_XML, STRINGS_XML, *DESCRIBING_PARTS):
            with self.subTest(part=part):
                self.assertRefusedRead(rewritten(self.shared, {part: truncated}), "corrupted")

    def test_a_truncated_corrupted_or_encrypted_zip_is_damaged(self):
        for cut in (len(self.shared) // 4, len(self.shared) // 2, len(self.shared) - 10):
            with self.subTest(cut=cut):
                self.assertRefusedRead(self.shared[:cut], "corrupted")
        # A deflated part whose data is garbled fails its inflate or its checksum.
        part = zipfile.ZipFile(io.BytesIO(self.shared)).getinfo(SHEET_XML)
        start = part.header_offset + 30 + len(part.filename) + len(part.extra)
        garbled = self.shared[:start] + bytes(16) + self.shared[start + 16:]
        self.assertRefusedRead(garbled, "corrupted")
        encrypted = bytearray(self.shared)
        encrypted[encrypted.index(b"PK\x01\x02") + 8] |= 0x1
        self.assertRefusedRead(bytes(encrypted), "corrupted")

    def test_a_broken_xls_is_damaged(self):
        content = xls(self.small_rows)
        for cut in (len(content) // 4, len(content) // 2, len(content) - 600):
            with self.subTest(cut=cut):
                self.assertRefusedRead(content[:cut], "corrupted")
        for name, change in (
            ("unknown code page", with_record(XLS_CODEPAGE, struct.pack("<H", 6))),
            ("dimensions cut short", with_record(XLS_DIMENSIONS, b"\x00\x00")),
        ):
            with self.subTest(name=name):
                self.assertRefusedRead(rebuilt_xls(content, change), "corrupted")

    def test_the_import_names_the_limit_and_writes_nothing(self):
        before = self._counts()
        for content, filename, message in (
            (self.bomb, "bomb.xlsx",
             f"bomb.xlsx has more than {MAX_ROWS} rows; split it into smaller files."),
            (self.wide_bomb, "wide.xlsx", f"wide.xlsx has more than {MAX_COLUMNS} columns"),
            (self.long_xls, "long.xls", f"long.xls has more than {MAX_ROWS} rows"),
            (self.zip_bomb, "zip.xlsx",
             f"zip.xlsx holds more than {MAX_UNZIPPED_BYTES // MB} MB of data"),
            (XLS_MAGIC + bytes(MAX_XLS_BYTES), "big.xls",
             f"big.xls holds more than {MAX_XLS_BYTES // MB} MB of data"),
            (self.styles_bomb, "styles.xlsx",
             f"styles.xlsx holds a part, xl/styles.xml, of more than {MAX_PART_BYTES // KB} KB "
             "once unzipped"),
            (rewritten(self.shared, {STRINGS_XML: truncated}), "strings.xlsx",
             "strings.xlsx cannot be read: the spreadsheet is damaged."),
            (rewritten(self.shared, {"xl/workbook.xml": truncated}), "workbook.xlsx",
             "workbook.xlsx cannot be read: the spreadsheet is damaged."),
            (self.shared[:len(self.shared) // 2], "cut.xlsx",
             "cut.xlsx cannot be read: the spreadsheet is damaged."),
            (xls(self.small_rows)[:2048], "cut.xls",
             "cut.xls cannot be read: the spreadsheet is damaged."),
        ):
            wizard = self._wizard(content, filename)
            for action in (wizard.action_preview, wizard.action_import):
                with self.subTest(filename=filename, action=action.__name__), \
                        self.assertRefused(UserError, re.escape(message)):
                    action()
            self.assertEqual(wizard.state, "upload")
            self.assertFalse(wizard.preview_line_ids)
        self.assertEqual(self._counts(), before)
