"""Read the first sheet of an .xlsx (openpyxl, read-only) or .xls (xlrd) file.

The format is told by the file's first bytes, not by its name: an .xlsx is a
zip archive, an .xls an OLE2 compound document.

An upload is not trusted: its size, the size it unzips to and the sheet's
declared dimensions are checked before a row is read, and the real dimensions
while the rows are read, so that a few kilobytes cannot claim gigabytes.
"""

import io
import zipfile

import xlrd
from xlrd.compdoc import CompDocError
from openpyxl import load_workbook

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# 20,000 rows of 50 text columns weigh 3.7 MB as .xlsx (68 MB once unzipped)
# and 31 MB as .xls: the limits give them about twice that room, and an upload
# stays below what an Odoo request carries (128 MB, base64 included).
MAX_UPLOAD_BYTES = 64 * 1024 * 1024
MAX_UNZIPPED_BYTES = 128 * 1024 * 1024
# Sheet rows (the header and any empty row above the last one included).
MAX_ROWS = 25_000
MAX_COLUMNS = 64
# Excel's last row: openpyxl would fill the gap up to any row number a file
# claims, one empty row at a time.
EXCEL_MAX_ROWS = 1_048_576


class SpreadsheetError(Exception):
    """``reason`` is one of: not_spreadsheet, corrupted, too_large, too_many_rows,
    too_many_columns; ``limit`` is the limit the file goes past (bytes, rows or
    columns)."""

    def __init__(self, reason, limit=None):
        super().__init__(reason)
        self.reason = reason
        self.limit = limit


def read_rows(content):
    """The rows of the first sheet, as lists of cell values (text, numbers, dates)."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise SpreadsheetError("too_large", MAX_UPLOAD_BYTES)
    if content.startswith(XLSX_MAGIC):
        return _read_xlsx(content)
    if content.startswith(XLS_MAGIC):
        return _read_xls(content)
    raise SpreadsheetError("not_spreadsheet")


def _check_dimensions(rows, columns):
    if rows > MAX_ROWS:
        raise SpreadsheetError("too_many_rows", MAX_ROWS)
    if columns > MAX_COLUMNS:
        raise SpreadsheetError("too_many_columns", MAX_COLUMNS)


def _read_xlsx(content):
    stream = io.BytesIO(content)
    try:
        _check_unzipped_size(stream)
        workbook = load_workbook(stream, read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            # The sheet's own <dimension> refuses an oversized file before a row is parsed.
            _check_dimensions(sheet.max_row or 0, sheet.max_column or 0)
            return _xlsx_rows(sheet)
        finally:
            workbook.close()
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError, TypeError) as error:
        raise SpreadsheetError("corrupted") from error


def _check_unzipped_size(stream):
    # zipfile never inflates a member past the size the archive's directory
    # declares for it, so the declared sizes bound what openpyxl can unzip.
    with zipfile.ZipFile(stream) as archive:
        if sum(member.file_size for member in archive.infolist()) > MAX_UNZIPPED_BYTES:
            raise SpreadsheetError("too_large", MAX_UNZIPPED_BYTES)


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
    try:
        # Ragged rows: xlrd does not pad every row to the widest one.
        book = xlrd.open_workbook(file_contents=content, on_demand=True, ragged_rows=True)
        try:
            sheet = book.sheet_by_index(0)
            _check_dimensions(sheet.nrows, sheet.ncols)
            return [_xls_row(sheet.row(index), book.datemode) for index in range(sheet.nrows)]
        finally:
            book.release_resources()
    except (xlrd.XLRDError, CompDocError, OSError, ValueError, IndexError, AssertionError) as error:
        raise SpreadsheetError("corrupted") from error


def _xls_row(cells, datemode):
    return [
        xlrd.xldate.xldate_as_datetime(cell.value, datemode)
        if cell.ctype == xlrd.XL_CELL_DATE else cell.value
        for cell in cells
    ]
