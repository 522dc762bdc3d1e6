import io
from operator import itemgetter

import xlsxwriter

from odoo import models
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools.translate import LazyTranslate

from ..models.octopus_dossier import TEXT_MAX_LENGTH

_lt = LazyTranslate(__name__)

# How each column's cells are written.
TEXT, AMOUNT, DATE = "text", "amount", "date"

# Sheet 1 speaks the columns of the dossier import, so that it can be imported
# back unchanged: (header, width, kind), in the order of the rows' values.
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
# The values of an invoice line in the columns' order, the currency apart.
INVOICE_LINE_VALUES = itemgetter("category", "dossier_code", "dossier_name", "module_name",
                                 "date_from", "date_to", "annual_price", "amount")
LEDGER_COLUMNS = [
    (_lt("Dossier"), 12, TEXT),
    (_lt("Module"), 24, TEXT),
    (_lt("Start"), 12, DATE),
    (_lt("Ended on"), 12, DATE),
    (_lt("Annual price"), 14, AMOUNT),
    (_lt("Activated by"), 24, TEXT),
    (_lt("Ended by"), 24, TEXT),
]
# Excel's built-in short date: each reader's Excel shows it in its own locale.
DATE_FORMAT = 14
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
# Rows converted from the database's answer to Python at a time.
FETCH_BATCH = 2000
# Dossiers priced per call of the invoice projection: its lines and records
# leave memory after each batch.
INVOICE_BATCH = 2000


class OctopusDossierXlsx(models.AbstractModel):
    """The office's workbook: sheet 1 every dossier, sheet 2 the next invoice,
    sheet 3 the activation ledger.

    Sheets 1 and 3 are one query each, whose rows go to the file as the
    database returns them; sheet 2 is the company's invoice projection, called
    for a batch of dossiers at a time. xlsxwriter writes in constant-memory
    mode: time grows with the cells, memory does not."""

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
        invoice = company._octopus_project_invoice(on_date, self.env["octopus.dossier"])
        return [
            (self.env._("Dossiers"), OVERVIEW_COLUMNS,
             self._overview_rows(company, on_date, dossiers)),
            (self.env._("Next invoice"), INVOICE_COLUMNS,
             self._invoice_rows(company, on_date, dossiers, invoice)),
            (self.env._("Activation ledger"), LEDGER_COLUMNS, self._ledger_rows(company, dossiers)),
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
        sheet = workbook.add_worksheet(title[:31])
        sheet.freeze_panes(1, 0)
        write_text = self._text_writer(sheet)
        writers = {TEXT: write_text, AMOUNT: sheet.write_number, DATE: sheet.write_datetime}
        for index, (header, width, _kind) in enumerate(columns):
            sheet.set_column(index, index, width)
            write_text(0, index, self.env._(header), formats[TEXT, True])
        # Per column, the write and its format: plain rows, then total rows.
        cells = {
            total: [(writers[kind], formats[kind, total]) for _header, _width, kind in columns]
            for total in (False, True)
        }
        number = 0  # the header's, when there is no row
        for number, (values, total) in enumerate(rows, start=1):
            for column, ((write, cell_format), value) in enumerate(zip(cells[total], values)):
                if value is not None and value is not False:
                    write(number, column, value, cell_format)
        sheet.autofilter(0, 0, number, len(columns) - 1)

    def _text_writer(self, sheet):
        """A write for text cells: the text as Excel will show it, never as a
        formula, never cut."""
        write_string = sheet.write_string

        def write_text(row, column, text, cell_format):
            if len(text) > TEXT_MAX_LENGTH:
                raise UserError(self.env._(
                    "Sheet %(sheet)s, row %(row)s: the text “%(start)s…” is longer than the "
                    "%(limit)s characters an Excel cell holds; shorten it and export again.",
                    sheet=sheet.name, row=row + 1, start=text[:40], limit=TEXT_MAX_LENGTH,
                ))
            if "\r" in text or (text.startswith("<r>") and text.endswith("</r>")):
                text = f'<r><t xml:space="preserve">{text.translate(RICH_TEXT_ESCAPES)}</t></r>'
            write_string(row, column, text, cell_format)

        return write_text

    # Reading

    def _fetch(self, sql):
        """The rows of ``sql``, turned into Python objects a batch at a time.
        Nothing else may use the cursor before the last row is read: writing a
        sheet runs no query."""
        self.env.flush_query(sql)
        self.env.cr.execute(sql)
        while rows := self.env.cr.fetchmany(FETCH_BATCH):
            yield from rows

    def _dossier_domain(self, company, dossiers, field="id"):
        """The dossiers exported (through ``field`` for another model)."""
        domain = [("company_id", "=", company.id)]
        if dossiers is not None:
            domain.append((field, "in", dossiers.ids))
        return domain

    def _join(self, query, model, alias, fname, readable=False):
        """LEFT JOIN the many2one ``fname`` of ``model`` (at ``alias``) to its
        comodel; return the comodel and its alias. With ``readable``, only the
        records the user may read join, archived ones included: the others
        leave their columns empty, as reading them through the ORM would."""
        comodel = self.env[model._fields[fname].comodel_name].with_context(active_test=False)
        coalias = query.make_alias(alias, fname)
        condition = SQL("%s = %s", model._field_to_sql(alias, fname, query),
                        SQL.identifier(coalias, "id"))
        if readable:
            allowed = comodel._search([])
            if allowed.where_clause:
                condition = SQL("%s AND %s IN %s", condition, SQL.identifier(coalias, "id"),
                                allowed.subselect())
        query.add_join("LEFT JOIN", coalias, comodel._table, condition)
        return comodel, coalias

    # Sheet 1: the dossiers

    def _overview_rows(self, company, on_date, dossiers):
        kinds = dict(self.env["octopus.dossier"]._fields["kind"]._description_selection(self.env))
        for code, name, client, vat, kind, *others in self._fetch(
            self._overview_sql(company, on_date, dossiers)
        ):
            yield (code, name, client, vat, kinds[kind], *others), False

    def _overview_sql(self, company, on_date, dossiers):
        Dossier = self.env["octopus.dossier"]
        query = Dossier._search(self._dossier_domain(company, dossiers), order=Dossier._order)
        dossier = query.table
        Partner, partner = self._join(query, Dossier, dossier, "partner_id", readable=True)
        Login, login = self._join(query, Dossier, dossier, "client_user_id", readable=True)
        running = query.make_alias(dossier, "running")
        running_modules = self._running_modules_sql(company, on_date, dossiers)
        query.add_join("LEFT JOIN", running, SQL("(%s)", running_modules),
                       SQL("%s = %s", SQL.identifier(running, "dossier_id"),
                           SQL.identifier(dossier, "id")))
        return query.select(
            Dossier._field_to_sql(dossier, "code", query),
            Dossier._field_to_sql(dossier, "name", query),
            Partner._field_to_sql(partner, "name", query),
            Partner._field_to_sql(partner, "vat", query),
            Dossier._field_to_sql(dossier, "kind", query),
            Dossier._field_to_sql(dossier, "access_category", query),
            Login._field_to_sql(login, "login", query),
            SQL.identifier(running, "codes"),
            SQL.identifier(running, "since"),
            Login._field_to_sql(login, "email", query),
        )

    def _running_modules_sql(self, company, on_date, dossiers):
        """Per dossier, the codes of its modules running on ``on_date`` and the
        same with their start dates, in the order they started."""
        Activation = self.env["octopus.module.activation"]
        query = Activation._search([*self._dossier_domain(company, dossiers, "dossier_id"),
                                    *Activation._running_domain(on_date)])
        activation = query.table
        Module, module = self._join(query, Activation, activation, "module_id")
        code = Module._field_to_sql(module, "code", query)
        start = Activation._field_to_sql(activation, "date_start", query)
        order = SQL("%s, %s", start, SQL.identifier(activation, "id"))
        query.groupby = Activation._field_to_sql(activation, "dossier_id", query)
        return query.select(
            SQL("%s AS dossier_id", query.groupby),
            SQL("string_agg(%s, ', ' ORDER BY %s) AS codes", code, order),
            SQL("string_agg(%s || ' ' || to_char(%s, 'YYYY-MM-DD'), ', ' ORDER BY %s) AS since",
                code, start, order),
        )

    # Sheet 2: the next invoice

    def _invoice_rows(self, company, on_date, dossiers, invoice):
        """The lines of the next invoice, C dossiers then B dossiers, each
        dossier followed by its subtotal; then the category subtotals, the
        Packet Deal fee and the total. ``invoice`` is the invoice without any
        dossier: its period, currency, fee and total (the fee alone)."""
        currency = invoice["currency"]
        subtotals = {}
        for category in ("C", "B"):
            amount = 0.0
            for batch in self._invoice_batches(company, category, dossiers):
                batch_invoice = company._octopus_project_invoice(on_date, batch)
                yield from self._line_rows(batch_invoice["lines"], currency)
                amount += batch_invoice["subtotals"][category]
                self._forget_invoice_records()
            subtotals[category] = currency.round(amount)
            label = (self.env._("Subtotal category %(category)s", category=category)
                     if category == "C"
                     else self.env._("Subtotal category B (billed to the clients by Octopus)"))
            yield (category, None, label, None, None, None, None, subtotals[category],
                   currency.name), True
        period_from, period_to = invoice["period"]
        fee = invoice["packet_deal_fee"]
        yield (None, None, self.env._("Packet Deal"), None, period_from, period_to, fee, fee,
               currency.name), False
        total = currency.round(invoice["total"] + subtotals["C"] + subtotals["B"])
        yield (None, None, self.env._("Total of the next invoice"), None, period_from, period_to,
               None, total, currency.name), True

    def _invoice_batches(self, company, category, dossiers):
        """The active dossiers of ``category``, ``INVOICE_BATCH`` at a time, in
        the order of the invoice's lines: by code compared as Python compares
        texts (code points, the "C" collation)."""
        Dossier = self.env["octopus.dossier"]
        query = Dossier._search(
            [*self._dossier_domain(company, dossiers), ("access_category", "=", category)]
        )
        query.order = SQL('%s COLLATE "C", %s', Dossier._field_to_sql(query.table, "code", query),
                          SQL.identifier(query.table, "id"))
        ids = [dossier_id for dossier_id, in self.env.execute_query(query.select())]
        for start in range(0, len(ids), INVOICE_BATCH):
            yield Dossier.browse(ids[start:start + INVOICE_BATCH])

    def _forget_invoice_records(self):
        """Drop what a batch's projection read from the cache, so that memory
        holds one batch whatever the office's size."""
        self.env["octopus.module.activation"].invalidate_model()
        self.env["octopus.dossier"].invalidate_model()

    def _line_rows(self, lines, currency):
        """Each line of one category, and a subtotal after each dossier's lines."""
        subtotal_label = self.env._("Subtotal %(dossier)s")
        dossier_total, previous = 0.0, None
        for line in lines:
            if previous and line["dossier_code"] != previous["dossier_code"]:
                yield self._subtotal_row(previous, dossier_total, currency, subtotal_label)
                dossier_total = 0.0
            yield (*INVOICE_LINE_VALUES(line), currency.name), False
            dossier_total += line["amount"]
            previous = line
        if previous:
            yield self._subtotal_row(previous, dossier_total, currency, subtotal_label)

    def _subtotal_row(self, line, amount, currency, label):
        code = line["dossier_code"]
        return (line["category"], code, label % {"dossier": code}, None, None, None, None,
                currency.round(amount), currency.name), True

    # Sheet 3: the activation ledger

    def _ledger_rows(self, company, dossiers):
        for row in self._fetch(self._ledger_sql(company, dossiers)):
            yield row, False

    def _ledger_sql(self, company, dossiers):
        Activation = self.env["octopus.module.activation"]
        query = Activation._search(self._dossier_domain(company, dossiers, "dossier_id"))
        activation = query.table
        Dossier, dossier = self._join(query, Activation, activation, "dossier_id")
        Module, module = self._join(query, Activation, activation, "module_id")
        # The staff's names, which B users see in the ledger whatever their
        # rights on users.
        _users, activated = self._join(query, Activation, activation, "activated_by_id")
        _users, ended = self._join(query, Activation, activation, "ended_by_id")
        Users = self.env["res.users"].sudo()
        code = Dossier._field_to_sql(dossier, "code", query)
        start = Activation._field_to_sql(activation, "date_start", query)
        query.order = SQL("%s, %s, %s, %s", code, SQL.identifier(dossier, "id"), start,
                          SQL.identifier(activation, "id"))
        return query.select(
            code,
            Module._field_to_sql(module, "name", query),
            start,
            Activation._field_to_sql(activation, "date_end", query),
            Activation._field_to_sql(activation, "annual_price", query),
            Users._field_to_sql(activated, "name", query),
            Users._field_to_sql(ended, "name", query),
        )
