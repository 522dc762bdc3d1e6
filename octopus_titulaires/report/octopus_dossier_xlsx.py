import io
from functools import partial
from itertools import groupby
from operator import itemgetter

import xlsxwriter

from odoo import models
from odoo.exceptions import UserError
from odoo.tools import SQL, float_round
from odoo.tools.misc import format_date, get_lang
from odoo.tools.translate import LazyTranslate

from ..tools.sql import fetch_rows, join_many2one, sql_date_pattern
from ..tools.xlsx_rows import DATE, NUMBER, TEXT, RowWorksheet, TextTooLong

_lt = LazyTranslate(__name__)

# How each column's cells are written: amounts are numbers in AMOUNT_FORMAT.
AMOUNT = NUMBER

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
    # The cells go through RowWorksheet, which never reads a text as a
    # formula, a number or a link; these keep any other write from doing so.
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}


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
        """Write ``rows`` under the headers of ``columns``, a row at a time:
        each cell by its column's kind, a text never as anything else."""
        sheet = workbook.add_worksheet(title[:31], worksheet_class=RowWorksheet)
        sheet.freeze_panes(1, 0)
        # Printed, a sheet keeps its columns together: across the page, as wide
        # as one page, as many pages long as it takes, the headers on each.
        sheet.set_paper(PAPER_A4)
        sheet.set_landscape()
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(0)
        for index, (_header, width, _kind) in enumerate(columns):
            sheet.set_column(index, index, width)
        header_plan = sheet.cell_plan([(index, TEXT, formats[TEXT, True])
                                       for index in range(len(columns))])
        # The cells of plain rows, and of total rows (bold).
        plans = {
            total: sheet.cell_plan([(column, kind, formats[kind, total])
                                    for column, (_header, _width, kind) in enumerate(columns)])
            for total in (False, True)
        }
        number = 0  # the header's, when there is no row
        try:
            sheet.write_cells(0, header_plan, [self.env._(header) for header, *_rest in columns])
            for number, (values, total) in enumerate(rows, start=1):
                sheet.write_cells(number, plans[total], values)
        except TextTooLong as error:
            raise UserError(self.env._(
                "Sheet %(sheet)s, row %(row)s: the text “%(start)s…” is longer than the "
                "%(limit)s characters an Excel cell holds; shorten it and export again.",
                sheet=sheet.name, row=number + 1, start=error.text[:40], limit=sheet.xls_strmax,
            )) from None
        sheet.autofilter(0, 0, number, len(columns) - 1)

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
