import io
from functools import partial
from itertools import groupby
from operator import itemgetter

import xlsxwriter
from xlsxwriter.utility import datetime_to_excel_datetime
from xlsxwriter.worksheet import Worksheet

from odoo import models
from odoo.exceptions import UserError
from odoo.tools import SQL, float_round
from odoo.tools.misc import format_date, get_lang
from odoo.tools.translate import LazyTranslate

from ..models.octopus_dossier import TEXT_MAX_LENGTH
from ..tools.sql import fetch_rows, join_many2one, sql_date_pattern

_lt = LazyTranslate(__name__)

# How each column's cells are written.
TEXT, AMOUNT, DATE = "text", "amount", "date"

# Sheet 1 speaks the columns of the dossier import, so that it can be imported
# back without a change (an import adds and updates; it never ends a module nor
# revokes a login): (header, width, kind), in the order of the rows' values.
OVERVIEW_COLUMNS = [
    (_lt("Code"), 12, TEXT),
    (_lt("Name"), 32, TEXT),
    (_lt("Client"), 32, TEXT),
    (_lt("VAT"), 16, TEXT),
    (_lt("Kind"), 10, TEXT),
    (_lt("Category"), 10, TEXT),
    (_lt("Login"), 12, TEXT),
    (_lt("Modules"), 28, TEXT),
    (_lt("Modules since"), 40, TEXT),
    (_lt("Client e-mail"), 32, TEXT),
]
INVOICE_COLUMNS = [
    (_lt("Category"), 10, TEXT),
    (_lt("Dossier"), 12, TEXT),
    (_lt("Name"), 32, TEXT),
    (_lt("Module"), 24, TEXT),
    (_lt("From"), 12, DATE),
    (_lt("To"), 12, DATE),
    (_lt("Annual price"), 14, AMOUNT),
    (_lt("Amount"), 14, AMOUNT),
    (_lt("Currency"), 10, TEXT),
]
LEDGER_COLUMNS = [
    (_lt("Dossier"), 12, TEXT),
    (_lt("Module"), 24, TEXT),
    (_lt("Category"), 10, TEXT),
    (_lt("Start"), 12, DATE),
    (_lt("Ended on"), 12, DATE),
    (_lt("Annual price"), 14, AMOUNT),
    (_lt("Activated by"), 24, TEXT),
    (_lt("Ended by"), 24, TEXT),
]
# Excel's built-in short date: each reader's Excel shows it in its own locale.
DATE_FORMAT = 14
# Sheet 1's column of the modules with their start dates, written inside a
# text: its query gives the codes there, and the dates after the last column.
OVERVIEW_SINCE = 8
# Excel's paper size code of A4, the paper of Belgian offices.
PAPER_A4 = 9
AMOUNT_FORMAT = "#,##0.00"
WORKBOOK_OPTIONS = {
    # Each row goes to a temporary file once the next one starts: memory stays
    # flat however many dossiers the office has.
    "constant_memory": True,
    # Texts go through write_string(), which never reads them as a formula, a
    # number or a link; these keep any other write from doing so either.
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}
# In constant-memory mode xlsxwriter copies a text shaped "<r>...</r>" into the
# sheet's XML unescaped (the path of its own rich texts), and writes a carriage
# return as the escape _x000D_, which Excel decodes but openpyxl, the reader of
# our import, does not. Such texts take that rich-text path with XML escaped here.
RICH_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})


class NumberedWorksheet(Worksheet):
    """A worksheet whose cells are written by row and column numbers, through
    a write-only row file. Both lean on xlsxwriter 3.0.2, the version Odoo 18
    pins; the export's tests read back every sheet it writes.

    Each public write of xlsxwriter first tries to read its row as A1 notation
    (a decorator around the call), which costs about a tenth of writing the
    cell; the export numbers every cell, and writes it through the typed write
    under that decorator (``_write_string`` and ``_write_number``, as in every
    version since 1.0).

    In constant-memory mode xlsxwriter keeps the rows in a temporary file that
    it opens for reading and writing; Python then resets the file's decoder on
    each of the several writes a cell takes, 4-5 % of the export's time.
    The file is written write-only here, and opened for reading only when
    xlsxwriter copies it into the sheet."""

    write_string_at = Worksheet._write_string
    write_number_at = Worksheet._write_number

    def _initialize(self, init_data):
        result = super()._initialize(init_data)
        if self.constant_memory:
            self.row_data_fh.close()
            self.row_data_fh = self.fh = open(  # noqa: SIM115 - closed by xlsxwriter
                self.row_data_filename, mode="w", encoding="utf-8"
            )
        return result

    def _write_optimized_sheet_data(self):
        self.row_data_fh.close()
        self.row_data_fh = open(  # noqa: SIM115 - closed by xlsxwriter
            self.row_data_filename, encoding="utf-8"
        )
        return super()._write_optimized_sheet_data()


class ExcelDates(dict):
    """Day -> the number Excel stores for it in ``sheet``, converted as
    write_datetime() converts it, once per day: a sheet repeats few days."""

    def __init__(self, sheet):
        super().__init__()
        self.sheet = sheet

    def __missing__(self, day):
        serial = self[day] = datetime_to_excel_datetime(day, self.sheet.date_1904,
                                                        self.sheet.remove_timezone)
        return serial


class OctopusDossierXlsx(models.AbstractModel):
    """The office's workbook: sheet 1 every dossier, sheet 2 the next invoice,
    sheet 3 the activation ledger.

    Each sheet is one query, whose rows go to the file as the database
    returns them (sheet 2 through the company's invoice lines, priced on the
    way). xlsxwriter writes in constant-memory mode: time grows with the
    cells, memory does not."""

    _name = "octopus.dossier.xlsx"
    _description = "Octopus Dossier Workbook"

    def _build(self, company, on_date, dossiers=None):
        """Return the .xlsx bytes for ``company`` (all its dossiers, or ``dossiers``)."""
        stream = io.BytesIO()
        sheets = self._sheets(company, on_date, dossiers)
        workbook = xlsxwriter.Workbook(stream, WORKBOOK_OPTIONS)
        try:
            formats = self._formats(workbook)
            for title, columns, rows in sheets:
                self._write_sheet(workbook, formats, title, columns, rows)
        finally:
            # Closing is how xlsxwriter deletes its temporary files, also when a
            # refused text stops the export halfway.
            workbook.close()
        return stream.getvalue()

    def _sheets(self, company, on_date, dossiers):
        """Title, columns and rows of each sheet; a row is its values in the
        columns' order and whether it is a total (bold). Refuses an office
        whose invoice cannot be computed before anything is written."""
        company = company.with_env(self.env)
        invoice = company._octopus_invoice_frame(on_date)
        return [
            (self.env._("Dossiers"), OVERVIEW_COLUMNS,
             self._overview_rows(company, on_date, dossiers)),
            (self.env._("Next invoice") if dossiers is None
             else self.env._("Next invoice (selection)"),
             INVOICE_COLUMNS, self._invoice_rows(invoice, dossiers)),
            (self.env._("Activation ledger"), LEDGER_COLUMNS,
             self._plain_rows(self._ledger_sql(company, dossiers))),
        ]

    # Writing

    def _formats(self, workbook):
        """The cell format of each kind of column, plain and bold, made once."""
        bold = {"bold": True}
        amount = {"num_format": AMOUNT_FORMAT}
        date = {"num_format": DATE_FORMAT}
        return {
            (TEXT, False): None,
            (TEXT, True): workbook.add_format(bold),
            (AMOUNT, False): workbook.add_format(amount),
            (AMOUNT, True): workbook.add_format(dict(amount, **bold)),
            (DATE, False): workbook.add_format(date),
            (DATE, True): workbook.add_format(dict(date, **bold)),
        }

    def _write_sheet(self, workbook, formats, title, columns, rows):
        """Write ``rows`` under the headers of ``columns``. Each cell is written
        by its typed write, a text never as anything else, and a date as the
        number Excel stores for it, converted once per day."""
        sheet = workbook.add_worksheet(title[:31], worksheet_class=NumberedWorksheet)
        sheet.freeze_panes(1, 0)
        # Printed, a sheet keeps its columns together: across the page, as wide
        # as one page, as many pages long as it takes, the headers on each.
        sheet.set_paper(PAPER_A4)
        sheet.set_landscape()
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(0)
        write_string, write_number = sheet.write_string_at, sheet.write_number_at
        for index, (header, width, _kind) in enumerate(columns):
            sheet.set_column(index, index, width)
            write_string(0, index, self._cell_text(sheet, 0, self.env._(header)),
                         formats[TEXT, True])
        # Per kind of column, its columns and their format: in plain rows, and
        # in total rows.
        plans = {
            total: [[(column, formats[kind, total])
                     for column, (_header, _width, column_kind) in enumerate(columns)
                     if column_kind == kind]
                    for kind in (TEXT, AMOUNT, DATE)]
            for total in (False, True)
        }
        serials = ExcelDates(sheet)
        number = 0  # the header's, when there is no row
        for number, (values, total) in enumerate(rows, start=1):
            texts, amounts, dates = plans[total]
            for column, cell_format in texts:
                if (text := values[column]) is not None:
                    # Most texts need no care: a cheap look first.
                    if len(text) > TEXT_MAX_LENGTH or "\r" in text or "<" in text:
                        text = self._cell_text(sheet, number, text)
                    write_string(number, column, text, cell_format)
            for column, cell_format in amounts:
                if (amount := values[column]) is not None:
                    write_number(number, column, amount, cell_format)
            for column, cell_format in dates:
                if (day := values[column]) is not None:
                    write_number(number, column, serials[day], cell_format)
        sheet.autofilter(0, 0, number, len(columns) - 1)

    def _cell_text(self, sheet, row, text):
        """``text`` as Excel will show it, never as a formula, never cut."""
        if len(text) > TEXT_MAX_LENGTH:
            raise UserError(self.env._(
                "Sheet %(sheet)s, row %(row)s: the text “%(start)s…” is longer than the "
                "%(limit)s characters an Excel cell holds; shorten it and export again.",
                sheet=sheet.name, row=row + 1, start=text[:40], limit=TEXT_MAX_LENGTH,
            ))
        if "\r" in text or (text.startswith("<r>") and text.endswith("</r>")):
            return f'<r><t xml:space="preserve">{text.translate(RICH_TEXT_ESCAPES)}</t></r>'
        return text

    # Reading

    def _plain_rows(self, sql):
        """The rows of ``sql`` as a sheet takes them: none is a total."""
        for row in fetch_rows(self.env, sql):
            yield row, False

    def _dossier_domain(self, company, dossiers, field="id"):
        """The dossiers exported (through ``field`` for another model)."""
        domain = [("company_id", "=", company.id)]
        if dossiers is not None:
            domain.append((field, "in", dossiers.ids))
        return domain

    # Sheet 1: the dossiers

    def _overview_rows(self, company, on_date, dossiers):
        """The rows of sheet 1, each module's start date written as the user's
        language writes dates ("SCAN 01/01/2026"): inside a text, Excel cannot
        show a date in its reader's format. PostgreSQL writes the dates when
        the language's format has only day, month and year (every language
        Odoo ships): a sheet of 50,000 rows then costs no Python per row.
        Another format is written here, once per day, a sheet repeating few."""
        pattern = sql_date_pattern(get_lang(self.env).date_format)
        sql = self._overview_sql(company, on_date, dossiers, pattern)
        if pattern:
            yield from self._plain_rows(sql)
            return
        days = {}
        for *row, starts in fetch_rows(self.env, sql):
            if starts:
                for start in starts:
                    if start not in days:
                        days[start] = format_date(self.env, start)
                row[OVERVIEW_SINCE] = ", ".join(
                    f"{code} {days[start]}" for code, start in zip(row[OVERVIEW_SINCE], starts))
            yield row, False

    def _overview_sql(self, company, on_date, dossiers, pattern):
        """Sheet 1's query; its modules' start dates written by ``to_char``
        with ``pattern``, or, without one, as a list after the last column."""
        Dossier = self.env["octopus.dossier"]
        query = Dossier._search(self._dossier_domain(company, dossiers), order=Dossier._order)
        dossier = query.table
        Partner, partner = join_many2one(query, Dossier, dossier, "partner_id", readable=True)
        Login, login = join_many2one(query, Dossier, dossier, "client_user_id", readable=True)
        running = query.make_alias(dossier, "running")
        running_modules = self._running_modules_sql(company, on_date, dossiers, pattern)
        query.add_join("LEFT JOIN", running, SQL("(%s)", running_modules),
                       SQL("%s = %s", SQL.identifier(running, "dossier_id"),
                           SQL.identifier(dossier, "id")))
        return query.select(
            Dossier._field_to_sql(dossier, "code", query),
            Dossier._field_to_sql(dossier, "name", query),
            Partner._field_to_sql(partner, "name", query),
            Partner._field_to_sql(partner, "vat", query),
            self._selection_label_sql(Dossier, dossier, "kind", query),
            Dossier._field_to_sql(dossier, "access_category", query),
            Login._field_to_sql(login, "login", query),
            SQL.identifier(running, "codes"),
            SQL.identifier(running, "since"),
            Login._field_to_sql(login, "email", query),
            *([] if pattern else [SQL.identifier(running, "starts")]),
        )

    def _selection_label_sql(self, model, alias, fname, query):
        """The label of the selection ``fname``, in the user's language."""
        labels = model._fields[fname]._description_selection(self.env)
        return SQL("CASE %s %s END", model._field_to_sql(alias, fname, query), SQL(" ").join(
            SQL("WHEN %s THEN %s", value, label) for value, label in labels
        ))

    def _running_modules_sql(self, company, on_date, dossiers, pattern):
        """Per dossier, the codes of its modules running on ``on_date``, in the
        order they started: as one text, and each with its start date, as one
        text written with the ``to_char`` ``pattern``, or without one as a list
        beside the list of their start dates."""
        Activation = self.env["octopus.module.activation"]
        query = Activation._search([*self._dossier_domain(company, dossiers, "dossier_id"),
                                    *Activation._running_domain(on_date)])
        activation = query.table
        Module, module = join_many2one(query, Activation, activation, "module_id")
        code = Module._field_to_sql(module, "code", query)
        start = Activation._field_to_sql(activation, "date_start", query)
        order = SQL("%s, %s", start, SQL.identifier(activation, "id"))
        query.groupby = Activation._field_to_sql(activation, "dossier_id", query)
        return query.select(
            SQL("%s AS dossier_id", query.groupby),
            SQL("string_agg(%s, ', ' ORDER BY %s) AS codes", code, order),
            *([SQL("string_agg(%s || ' ' || to_char(%s, %s), ', ' ORDER BY %s) AS since",
                   code, start, pattern, order)] if pattern else [
                SQL("array_agg(%s ORDER BY %s) AS since", code, order),
                SQL("array_agg(%s ORDER BY %s) AS starts", start, order)]),
        )

    # Sheet 2: the next invoice

    def _invoice_rows(self, invoice, dossiers):
        """The lines of the next invoice, C dossiers then B dossiers, each
        dossier followed by its subtotal; then the category subtotals, the
        Packet Deal fee and the total. ``invoice`` is the invoice's frame: its
        office, period, currency and fee.

        A selection of ``dossiers`` is not the invoice: its total is what its
        dossiers add, and the office's Packet Deal, which no dossier adds, is
        shown for reference, its annual fee outside the amounts."""
        company, currency = invoice["company"], invoice["currency"]
        currency_name = currency.name
        round_amount = partial(float_round, precision_rounding=currency.rounding)
        subtotal_label = self.env._("Subtotal %(dossier)s")
        lines = company._octopus_invoice_lines(invoice["on_date"], dossiers)
        # The lines come C first, then B: the next category's lines wait here.
        categories = groupby(lines, key=itemgetter(0))
        waiting = next(categories, None)
        subtotals = {}
        for category in ("C", "B"):
            amount = 0.0
            if waiting and waiting[0] == category:
                for code, dossier_lines in groupby(waiting[1], key=itemgetter(1)):
                    dossier_amount = 0.0
                    for line in dossier_lines:
                        yield (*line[:8], currency_name), False
                        dossier_amount += line[7]
                    amount += dossier_amount
                    yield (category, code, subtotal_label % {"dossier": code}, None, None, None,
                           None, round_amount(dossier_amount), currency_name), True
                waiting = next(categories, None)
            subtotals[category] = round_amount(amount)
            label = (self.env._("Subtotal category %(category)s", category=category)
                     if category == "C"
                     else self.env._("Subtotal category B (billed to the clients by Octopus)"))
            yield (category, None, label, None, None, None, None, subtotals[category],
                   currency_name), True
        period_from, period_to = invoice["period"]
        fee = invoice["packet_deal_fee"]
        # A selection shows the fee in its annual price column only: no
        # amount, no total counts it.
        billed_fee = fee if dossiers is None else None
        fee_label = (self.env._("Packet Deal") if dossiers is None
                     else self.env._("Packet Deal of the office (not in the selection's total)"))
        yield (None, None, fee_label, None, period_from, period_to, fee, billed_fee,
               currency_name), False
        total = round_amount((billed_fee or 0.0) + subtotals["C"] + subtotals["B"])
        total_label = (self.env._("Total of the next invoice") if dossiers is None
                       else self.env._("Total of the selection"))
        yield (None, None, total_label, None, period_from, period_to, None, total,
               currency_name), True

    # Sheet 3: the activation ledger

    def _ledger_sql(self, company, dossiers):
        Activation = self.env["octopus.module.activation"]
        query = Activation._search(self._dossier_domain(company, dossiers, "dossier_id"))
        activation = query.table
        Dossier, dossier = join_many2one(query, Activation, activation, "dossier_id")
        Module, module = join_many2one(query, Activation, activation, "module_id")
        # The staff's names, which B users see in the ledger whatever their
        # rights on users.
        _users, activated = join_many2one(query, Activation, activation, "activated_by_id")
        _users, ended = join_many2one(query, Activation, activation, "ended_by_id")
        Users = self.env["res.users"].sudo()
        code = Dossier._field_to_sql(dossier, "code", query)
        start = Activation._field_to_sql(activation, "date_start", query)
        query.order = SQL("%s, %s, %s, %s", code, SQL.identifier(dossier, "id"), start,
                          SQL.identifier(activation, "id"))
        return query.select(
            code,
            Module._field_to_sql(module, "name", query),
            Activation._field_to_sql(activation, "access_category", query),
            start,
            Activation._field_to_sql(activation, "date_end", query),
            Activation._field_to_sql(activation, "annual_price", query),
            Users._field_to_sql(activated, "name", query),
            Users._field_to_sql(ended, "name", query),
        )
