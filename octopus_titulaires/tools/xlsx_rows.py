"""A constant-memory xlsxwriter worksheet written a whole row at a time.

xlsxwriter keeps each cell written in a table, and writes the table's row to
its temporary file, cell by cell, when the next row starts: per cell a
dispatch on its type, a list of attributes, a cell reference and several
calls and regular expressions. That was most of the export's time. The
export knows each column's kind before its first row: this worksheet writes
a row as one string, each cell's XML as xlsxwriter 3.0.2 (the version Odoo 18
pins) writes an inline text or a number in constant-memory mode, with two
differences that keep a text a text (see ``_text_xml``). The tests compare
its cells with xlsxwriter's and read every sheet back.
"""

import re

from xlsxwriter.utility import datetime_to_excel_datetime, preserve_whitespace, xl_col_to_name
from xlsxwriter.worksheet import Worksheet, re_control_chars_1

# How a column's cells are written: texts, numbers, dates (a number formatted
# as a date: Excel stores a day as its serial number).
TEXT, NUMBER, DATE = "text", "number", "date"
# The characters of a text that Excel cannot hold as they are: control
# characters, escaped as Excel escapes them ("_x0001_"), except the carriage
# return (see _text_xml).
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
# A text holding none of these, nor white space at either end, goes into the
# sheet unchanged: no control character, no "_xHHHH_" to protect from Excel's
# unescaping, no XML character, no Unicode non-character.
NEEDS_ESCAPE = re.compile("[\x00-\x08\x0b-\x1f_&<>\ufffe\uffff]")


class TextTooLong(ValueError):
    """A text longer than an Excel cell holds (xlsxwriter would cut it), in
    ``column`` of the row written."""

    def __init__(self, column, text):
        super().__init__(f"column {column}: a text of {len(text)} characters")
        self.column = column
        self.text = text


def _text_xml(text):
    """The ``<t>`` element of a text cell, as xlsxwriter writes an inline
    text in constant-memory mode, except that:

    - a text shaped like a rich text, "<r>...</r>", is escaped like any other
      (xlsxwriter copies it into the sheet unescaped: a cell could close
      itself and open a formula one);
    - a carriage return is written as the character reference "&#13;", which
      every reader decodes (xlsxwriter's "_x000D_" is decoded by Excel, not by
      openpyxl, the reader of the dossier import)."""
    if NEEDS_ESCAPE.search(text) is None and not (text[:1].isspace() or text[-1:].isspace()):
        return f"<t>{text}</t>"
    text = re_control_chars_1.sub(r"_x005F\1", text)
    text = CONTROL_CHARACTERS.sub(lambda match: f"_x{ord(match.group()):04X}_", text)
    text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    preserve = ' xml:space="preserve"' if preserve_whitespace(text) else ""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f"<t{preserve}>{text.replace(chr(13), '&#13;')}</t>"


class RowWorksheet(Worksheet):
    """A constant-memory worksheet whose rows are written by ``write_cells``,
    in ascending order, through a write-only row file.

    In constant-memory mode xlsxwriter keeps the rows in a temporary file that
    it opens for reading and writing; Python then resets the file's decoder on
    each write. The file is written write-only here, and opened for reading
    only when xlsxwriter copies it into the sheet."""

    def _initialize(self, init_data):
        result = super()._initialize(init_data)
        if not self.constant_memory:
            raise ValueError("RowWorksheet writes in constant-memory mode only")
        self.row_data_fh.close()
        self.row_data_fh = self.fh = open(  # noqa: SIM115 - closed by xlsxwriter
            self.row_data_filename, mode="w", encoding="utf-8"
        )
        self.excel_days = {}
        return result

    def _write_optimized_sheet_data(self):
        self.row_data_fh.close()
        self.row_data_fh = open(  # noqa: SIM115 - closed by xlsxwriter
            self.row_data_filename, encoding="utf-8"
        )
        return super()._write_optimized_sheet_data()

    def cell_plan(self, columns):
        """What ``write_cells`` needs to know of ``columns``, (column number,
        kind, cell format or None) in ascending column order."""
        return [(column, xl_col_to_name(column),
                 f' s="{cell_format._get_xf_index()}"' if cell_format else "", kind)
                for column, kind, cell_format in columns]

    def write_cells(self, row, plan, values):
        """Write row number ``row`` (from 0, after the rows written before):
        ``values[column]`` of each column of ``plan`` (``cell_plan``), None for
        no cell. Raises TextTooLong before writing anything of the row."""
        number = str(row + 1)
        cells, written = [], []
        for column, letters, style, kind in plan:
            value = values[column]
            if value is None:
                continue
            if kind == TEXT:
                if len(value) > self.xls_strmax:
                    raise TextTooLong(column, value)
                cells.append(f'<c r="{letters}{number}"{style} t="inlineStr"><is>'
                             f'{_text_xml(value)}</is></c>')
            else:
                if kind == DATE:
                    value = self._excel_day(value)
                # xlsxwriter's format of a number; the database's numbers are
                # never NaN nor infinite, which xlsxwriter refuses.
                cells.append(f'<c r="{letters}{number}"{style}><v>{value:.16G}</v></c>')
            written.append(column)
        if cells:
            # The sheet's dimension, as xlsxwriter keeps it from its cells.
            self._check_dimensions(row, written[0])
            self._check_dimensions(row, written[-1])
            self.fh.write(f'<row r="{number}">{"".join(cells)}</row>')

    def _excel_day(self, day):
        """The number Excel stores for ``day``, converted as write_datetime()
        converts it, once per day: a sheet repeats few days."""
        serial = self.excel_days.get(day)
        if serial is None:
            serial = self.excel_days[day] = datetime_to_excel_datetime(
                day, self.date_1904, self.remove_timezone)
        return serial
