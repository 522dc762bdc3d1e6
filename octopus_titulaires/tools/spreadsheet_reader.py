"""Read the first sheet of an .xlsx (openpyxl, read-only) or .xls (xlrd) file.

The format is told by the file's first bytes, not by its name: an .xlsx is a
zip archive, an .xls an OLE2 compound document.

An upload is not trusted: one request of an Odoo worker reads it and imports
it, so its size is bounded by what that request can afford. Before a row is
parsed, its size, the size of each part of an .xlsx once unzipped and of all
of them, and the sheet's declared dimensions are checked; the real dimensions
while the rows are read, so that a few kilobytes cannot claim gigabytes. A
damaged file, whatever its damaged part, is told apart from one too large.
"""

import io
import struct
import zipfile
import zlib
from xml.etree.ElementTree import ParseError

import xlrd
from lxml.etree import XMLSyntaxError
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from xlrd.compdoc import CompDocError

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

KB = 1024
MB = 1024 * KB
# One request of an Odoo worker reads the file and previews or imports it, so
# the limits are measured (make bench, README "Benchmark"): the largest file
# they let through, every row creating a dossier with a new K login and
# modules, is previewed and imported in 5-6 s each on the README's machine;
# in 10-14 s when the bytes its rows leave are spent on what openpyxl parses
# slowest and a last row only the write refuses (measured on 2026-11-30 on that
# machine, shared with other work): within a third of Odoo's default
# limit_time_cpu (60 s).
# Sheet rows (the header and any empty row above the last one included).
MAX_ROWS = 1_500
MAX_COLUMNS = 64
# An .xlsx's parts once unzipped, in all; the upload itself too, as a zip is no
# larger than the parts it holds but for its directory. openpyxl parses the
# sheet and its shared strings as streams, at up to 1 s per MB.
MAX_UNZIPPED_BYTES = 6 * MB
# Each other part openpyxl reads (content types, relationships, workbook,
# styles) it turns into objects, at up to 3 s per MB: a few kilobytes in any
# real file.
MAX_PART_BYTES = 256 * KB
# An .xls, whose records xlrd parses at up to 0.4 s per MB.
MAX_XLS_BYTES = 6 * MB
# Excel's last row: openpyxl would fill the gap up to any row number a file
# claims, one empty row at a time.
EXCEL_MAX_ROWS = 1_048_576
# BIFF records (xlrd's biffh): a sheet declares its dimensions among its first
# records, before its rows.
XLS_DIMENSIONS = 0x0200
XLS_EOF = 0x000A
XLS_HEADER_RECORDS = 1_000

# A zip part's flag that it is encrypted.
ZIP_ENCRYPTED = 0x1

# What a damaged file makes the readers raise: a truncated or corrupted zip or
# deflate stream, or zip features zipfile does not read; malformed XML
# (openpyxl streams the sheet and its strings with ElementTree, parses the
# other parts with lxml); a missing part, values of the wrong type or out of
# range; a broken compound document or BIFF stream (an unknown code page or
# style index is a LookupError).
XLSX_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ParseError,
               XMLSyntaxError, KeyError, OSError, ValueError, IndexError, TypeError)
XLS_ERRORS = (xlrd.XLRDError, CompDocError, struct.error, OSError, ValueError, LookupError,
              AssertionError)


class SpreadsheetError(Exception):
    """``reason`` is one of: not_spreadsheet, corrupted, too_large,
    part_too_large, too_many_rows, too_many_columns; ``limit`` is the limit the
    file goes past (bytes, rows or columns), ``part`` the part of an .xlsx that
    goes past it."""

    def __init__(self, reason, limit=None, part=None):
        super().__init__(reason)
        self.reason = reason
        self.limit = limit
        self.part = part


def read_rows(content):
    """The rows of the first sheet, as lists of cell values (text, numbers, dates)."""
    if content.startswith(XLSX_MAGIC):
        return _read_xlsx(content)
    if content.startswith(XLS_MAGIC):
        return _read_xls(content)
    raise SpreadsheetError("not_spreadsheet")


def _check_size(size, limit):
    if size > limit:
        raise SpreadsheetError("too_large", limit)


def _check_dimensions(rows, columns):
    if rows > MAX_ROWS:
        raise SpreadsheetError("too_many_rows", MAX_ROWS)
    if columns > MAX_COLUMNS:
        raise SpreadsheetError("too_many_columns", MAX_COLUMNS)


def _read_xlsx(content):
    _check_size(len(content), MAX_UNZIPPED_BYTES)
    try:
        reader = _FirstSheetReader(content)
        try:
            return _xlsx_rows(reader.first_sheet())
        finally:
            reader.archive.close()
    except XLSX_ERRORS as error:
        raise SpreadsheetError("corrupted") from error


class _Parts(zipfile.ZipFile):
    """An .xlsx's zip archive that opens a part only within ``part_bytes``
    once unzipped: zipfile never inflates a part past the size the archive's
    directory declares for it, so the declared size is checked, before
    openpyxl parses a byte of the part."""

    part_bytes = MAX_PART_BYTES

    def check(self):
        """What the directory tells before any part is inflated: the parts'
        size in all, and that none is encrypted (Excel encrypts a workbook
        otherwise; zipfile would ask for a password)."""
        parts = self.infolist()
        _check_size(sum(part.file_size for part in parts), MAX_UNZIPPED_BYTES)
        if any(part.flag_bits & ZIP_ENCRYPTED for part in parts):
            raise SpreadsheetError("corrupted")

    def open(self, name, *args, **kwargs):
        part = name if isinstance(name, zipfile.ZipInfo) else self.getinfo(name)
        if part.file_size > self.part_bytes:
            raise SpreadsheetError("part_too_large", self.part_bytes, part.filename)
        return super().open(name, *args, **kwargs)


class _FirstSheetReader(ExcelReader):
    """openpyxl's read-only reader (what load_workbook runs), reading only the
    parts the import uses, each within its bound.

    load_workbook opens every sheet a workbook lists to size it, parsing the
    whole part when the sheet declares no dimension, and a workbook may list
    one part a thousand times: only the first worksheet is opened here. The
    parts that describe the workbook are read first, each within
    MAX_PART_BYTES; then the sheet, whose declared dimensions are checked
    before its shared strings are read.
    """

    def __init__(self, content):
        super().__init__(io.BytesIO(content), read_only=True, data_only=True, keep_links=False)
        # openpyxl opened the upload with a plain zipfile: the bounded one takes its place.
        self.archive = _Parts(io.BytesIO(content))
        self.archive.check()

    def first_sheet(self):
        self.read_manifest()
        self.read_workbook()
        title, part = self._first_worksheet()
        # The styles tell which numbers are dates.
        apply_stylesheet(self.archive, self.wb)
        self.archive.part_bytes = MAX_UNZIPPED_BYTES
        # The sheet reads its strings from this list, filled once its size is known.
        strings = []
        sheet = ReadOnlyWorksheet(self.wb, title, part, strings)
        _check_dimensions(sheet.max_row or 0, sheet.max_column or 0)
        self.read_strings()
        strings.extend(self.shared_strings)
        return sheet

    def _first_worksheet(self):
        """The title and part of the sheet load_workbook would give first: sheets
        without a relationship, chart sheets and sheets whose part is missing
        are skipped. Unlike openpyxl's find_sheets, which scans the workbook's
        relationships for each sheet it lists, relationships and parts are
        looked up in a dict and a set: a workbook may list ten thousand sheets."""
        relations = {relation.Id: relation for relation in self.parser.rels.Relationship}
        parts = set(self.valid_files)
        for sheet in self.parser.sheets:
            if not sheet.id:
                continue
            relation = relations[sheet.id]
            if relation.target in parts and "chartsheet" not in relation.Type:
                return sheet.name, relation.target
        raise SpreadsheetError("corrupted")


def _xlsx_rows(sheet):
    """The real rows, whatever the declared dimensions say: one column past the
    limit is read to see whether it is used, none further; empty cells ending a
    row and empty rows ending the sheet are dropped."""
    rows, empty_rows = [], 0
    cells = sheet.iter_rows(max_row=EXCEL_MAX_ROWS, max_col=MAX_COLUMNS + 1, values_only=True)
    for number, row in enumerate(cells, start=1):
        values = _trimmed(row)
        if not values:
            empty_rows += 1
            continue
        _check_dimensions(number, len(values))
        rows.extend([] for _ in range(empty_rows))
        rows.append(values)
        empty_rows = 0
    return rows


def _trimmed(row):
    # Empty rows first, at C speed: a sheet can claim a million of them.
    if row.count(None) == len(row):
        return []
    end = len(row)
    while row[end - 1] is None:
        end -= 1
    return list(row[:end])


def _read_xls(content):
    _check_size(len(content), MAX_XLS_BYTES)
    try:
        # Ragged rows: xlrd does not pad every row to the widest one. On demand:
        # the workbook's globals are read, its sheets only when asked for. What
        # xlrd tells of a damaged file goes to the error, not to the server's output.
        book = xlrd.open_workbook(file_contents=content, on_demand=True, ragged_rows=True,
                                  logfile=io.StringIO())
        try:
            _check_dimensions(*_xls_declared_dimensions(book))
            sheet = book.sheet_by_index(0)
            _check_dimensions(sheet.nrows, sheet.ncols)
            return [_xls_row(sheet.row(index), book.datemode) for index in range(sheet.nrows)]
        finally:
            book.release_resources()
    except XLS_ERRORS as error:
        raise SpreadsheetError("corrupted") from error


def _xls_declared_dimensions(book):
    """The rows and columns the first sheet's DIMENSIONS record declares, (0, 0)
    without one among its first XLS_HEADER_RECORDS records: they are walked
    from the sheet's start (where xlrd keeps it, in _sh_abs_posn) as xlrd walks
    them, since xlrd parses every row of a sheet it opens."""
    mem, position = book.mem, book._sh_abs_posn[0]
    for _record in range(XLS_HEADER_RECORDS):
        code, length = struct.unpack_from("<HH", mem, position)
        data = mem[position + 4:position + 4 + length]
        position += 4 + length
        if code == XLS_DIMENSIONS:
            # First row, last row + 1 (2 bytes each before BIFF8, 4 since), first
            # column, last column + 1: the second and the fourth.
            if book.biff_version < 80:
                return struct.unpack("<2xH2xH", data[:8])
            return struct.unpack("<4xI2xH", data[:12])
        if code == XLS_EOF:
            break
    return 0, 0


def _xls_row(cells, datemode):
    return [
        xlrd.xldate.xldate_as_datetime(cell.value, datemode)
        if cell.ctype == xlrd.XL_CELL_DATE else cell.value
        for cell in cells
    ]
