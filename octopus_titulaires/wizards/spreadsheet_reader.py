"""Read the first sheet of an .xlsx (openpyxl, read-only) or .xls (xlrd) file.

The format is told by the file's first bytes, not by its name: an .xlsx is a
zip archive, an .xls an OLE2 compound document.
"""

import io
import zipfile

import xlrd
from xlrd.compdoc import CompDocError
from openpyxl import load_workbook

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class SpreadsheetError(Exception):
    """``reason`` is one of: not_spreadsheet, corrupted."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def read_rows(content):
    """The rows of the first sheet, as lists of cell values (text, numbers, dates)."""
    if content.startswith(XLSX_MAGIC):
        return _read_xlsx(content)
    if content.startswith(XLS_MAGIC):
        return _read_xls(content)
    raise SpreadsheetError("not_spreadsheet")


def _read_xlsx(content):
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            return [list(row) for row in sheet.iter_rows(values_only=True)]
        finally:
            workbook.close()
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError, TypeError) as error:
        raise SpreadsheetError("corrupted") from error


def _read_xls(content):
    try:
        book = xlrd.open_workbook(file_contents=content)
        sheet = book.sheet_by_index(0)
        rows = []
        for index in range(sheet.nrows):
            row = []
            for cell in sheet.row(index):
                if cell.ctype == xlrd.XL_CELL_DATE:
                    row.append(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode))
                else:
                    row.append(cell.value)
            rows.append(row)
        return rows
    except (xlrd.XLRDError, CompDocError, OSError, ValueError, IndexError, AssertionError) as error:
        raise SpreadsheetError("corrupted") from error
