import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools.translate import LazyTranslate

from ..models.octopus_dossier import TEXT_MAX_LENGTH

_lt = LazyTranslate(__name__)

# Sheet 1 speaks the columns of the dossier import, so that it can be imported
# back unchanged: (key, header, width).
OVERVIEW_COLUMNS = [
    ("code", _lt("Code"), 12),
    ("name", _lt("Name"), 32),
    ("client", _lt("Client"), 32),
    ("vat", _lt("VAT"), 16),
    ("kind", _lt("Kind"), 10),
    ("category", _lt("Category"), 10),
    ("login", _lt("Login"), 12),
    ("modules", _lt("Modules"), 28),
    ("module_dates", _lt("Modules since"), 40),
    ("client_email", _lt("Client e-mail"), 32),
]
INVOICE_COLUMNS = [
    ("category", _lt("Category"), 10),
    ("dossier_code", _lt("Dossier"), 12),
    ("dossier_name", _lt("Name"), 32),
    ("module_name", _lt("Module"), 24),
    ("date_from", _lt("From"), 12),
    ("date_to", _lt("To"), 12),
    ("annual_price", _lt("Annual price"), 14),
    ("amount", _lt("Amount"), 14),
    ("currency", _lt("Currency"), 10),
]
LEDGER_COLUMNS = [
    ("dossier_code", _lt("Dossier"), 12),
    ("module_name", _lt("Module"), 24),
    ("date_start", _lt("Start"), 12),
    ("date_end", _lt("End"), 12),
    ("annual_price", _lt("Annual price"), 14),
    ("activated_by", _lt("Activated by"), 24),
    ("ended_by", _lt("Ended by"), 24),
]
DATE_FORMAT = "yyyy-mm-dd"
AMOUNT_FORMAT = "#,##0.00"
# openpyxl writes a text starting with "=" as a formula and one of Excel's error
# codes (#N/A, #REF!...) as an error: such texts get a cell typed as text.
MISREAD_TEXT_PREFIXES = ("=", "#")


class OctopusDossierXlsx(models.AbstractModel):
    """The office's workbook: sheet 1 every dossier, sheet 2 the next invoice,
    sheet 3 the activation ledger. Written in openpyxl's write-only mode so that
    memory stays flat however many dossiers the office has."""

    _name = "octopus.dossier.xlsx"
    _description = "Octopus Dossier Workbook"

    def _build(self, company, on_date, dossiers=None):
        """Return the .xlsx bytes for ``company`` (all its dossiers, or ``dossiers``)."""
        invoice = company._octopus_project_invoice(on_date, dossiers)
        workbook = Workbook(write_only=True)
        stream = io.BytesIO()
        try:
            self._write_sheet(workbook, self.env._("Dossiers"), OVERVIEW_COLUMNS,
                              self._overview_rows(company, on_date, dossiers))
            self._write_sheet(workbook, self.env._("Next invoice"), INVOICE_COLUMNS,
                              self._invoice_rows(invoice))
            self._write_sheet(workbook, self.env._("Activation ledger"), LEDGER_COLUMNS,
                              self._ledger_rows(company, dossiers))
        finally:
            # Saving is how a write-only workbook closes its sheets and deletes
            # their temporary files, also when a refused text stops it halfway.
            workbook.save(stream)
        return stream.getvalue()

    def _write_sheet(self, workbook, title, columns, rows):
        sheet = workbook.create_sheet(title=title[:31])
        sheet.freeze_panes = "A2"
        for index, (_key, _header, width) in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        bold = Font(bold=True)
        sheet.append([self._styled(sheet, self.env._(header), bold)
                      for _key, header, _width in columns])
        keys = [key for key, _header, _width in columns]
        number = 1  # the header's, when there is no row
        for number, row in enumerate(rows, start=2):
            font = bold if row.get("total") else None
            sheet.append([self._value(sheet, number, row.get(key), font) for key in keys])
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{number}"
        return sheet

    def _value(self, sheet, number, value, font):
        """Plain values go straight to openpyxl, which is fast and formats dates
        itself; only amounts, total rows and texts openpyxl would misread pay for
        a cell of their own."""
        if isinstance(value, float):
            cell = self._styled(sheet, value, font)
            cell.number_format = AMOUNT_FORMAT
            return cell
        if isinstance(value, str):
            return self._text(sheet, number, value, font)
        if font and value is not None:
            return self._styled(sheet, value, font)
        return value if value is not False else None

    def _text(self, sheet, number, text, font):
        """``text`` as Excel will show it, never as a formula, never cut."""
        if len(text) > TEXT_MAX_LENGTH:
            raise UserError(self.env._(
                "Sheet %(sheet)s, row %(row)s: the text “%(start)s…” is longer than the "
                "%(limit)s characters an Excel cell holds; shorten it and export again.",
                sheet=sheet.title, row=number, start=text[:40], limit=TEXT_MAX_LENGTH,
            ))
        if not font and not text.startswith(MISREAD_TEXT_PREFIXES):
            return text
        cell = self._styled(sheet, text, font)
        cell.data_type = "s"
        return cell

    def _styled(self, sheet, value, font=None):
        cell = WriteOnlyCell(sheet, value=value)
        if font:
            cell.font = font
        return cell

    def _overview_rows(self, company, on_date, dossiers):
        Dossier = self.env["octopus.dossier"]
        domain = [("company_id", "=", company.id)]
        if dossiers is not None:
            domain.append(("id", "in", dossiers.ids))
        records = Dossier.search_fetch(
            domain, ["code", "name", "partner_id", "kind", "access_category", "client_user_id"]
        )
        partners = {
            partner.id: partner
            for partner in self.env["res.partner"].with_context(active_test=False).search_fetch(
                [("id", "in", records.partner_id.ids)], ["name", "vat"]
            )
        }
        logins = {
            login.id: login
            for login in self.env["octopus.client.user"].search_fetch(
                [("id", "in", records.client_user_id.ids)], ["login", "email"]
            )
        }
        running = {}
        Activation = self.env["octopus.module.activation"]
        for activation in Activation.search_fetch(
            [("dossier_id", "in", records.ids), *Activation._running_domain(on_date)],
            ["dossier_id", "module_id", "date_start"],
            order="date_start, id",
        ):
            running.setdefault(activation.dossier_id.id, []).append(activation)
        codes = {
            module.id: module.code
            for module in self.env["octopus.module"].with_context(active_test=False)
            .search_fetch([], ["code"])
        }
        kinds = dict(Dossier._fields["kind"]._description_selection(self.env))
        for dossier in records:
            partner = partners.get(dossier.partner_id.id)
            login = logins.get(dossier.client_user_id.id)
            activations = running.get(dossier.id, [])
            yield {
                "code": dossier.code,
                "name": dossier.name,
                "client": partner.name if partner else None,
                "vat": partner.vat if partner else None,
                "kind": kinds[dossier.kind],
                "category": dossier.access_category,
                "login": login.login if login else None,
                "modules": ", ".join(codes[a.module_id.id] for a in activations),
                "module_dates": ", ".join(
                    f"{codes[a.module_id.id]} {fields.Date.to_string(a.date_start)}"
                    for a in activations
                ),
                "client_email": login.email if login else None,
            }

    def _invoice_rows(self, invoice):
        currency = invoice["currency"].name
        lines_by_category = {"C": [], "B": []}
        for line in invoice["lines"]:
            lines_by_category[line["category"]].append(line)
        for category, lines in lines_by_category.items():
            dossier_total, previous = 0.0, None
            for line in lines:
                if previous and line["dossier_code"] != previous["dossier_code"]:
                    yield self._subtotal(previous, dossier_total, currency, invoice)
                    dossier_total = 0.0
                yield dict(line, currency=currency)
                dossier_total += line["amount"]
                previous = line
            if previous:
                yield self._subtotal(previous, dossier_total, currency, invoice)
            yield {
                "category": category,
                "dossier_name": self.env._("Subtotal category %(category)s", category=category)
                if category == "C"
                else self.env._("Subtotal category B (billed to the clients by Octopus)"),
                "amount": invoice["subtotals"][category],
                "currency": currency,
                "total": True,
            }
        period_from, period_to = invoice["period"]
        yield {
            "dossier_name": self.env._("Packet Deal"),
            "date_from": period_from,
            "date_to": period_to,
            "annual_price": invoice["packet_deal_fee"],
            "amount": invoice["packet_deal_fee"],
            "currency": currency,
        }
        yield {
            "dossier_name": self.env._("Total of the next invoice"),
            "date_from": period_from,
            "date_to": period_to,
            "amount": invoice["total"],
            "currency": currency,
            "total": True,
        }

    def _subtotal(self, line, amount, currency, invoice):
        return {
            "category": line["category"],
            "dossier_code": line["dossier_code"],
            "dossier_name": self.env._("Subtotal %(dossier)s", dossier=line["dossier_code"]),
            "amount": invoice["currency"].round(amount),
            "currency": currency,
            "total": True,
        }

    def _ledger_rows(self, company, dossiers):
        domain = [("company_id", "=", company.id)]
        if dossiers is not None:
            domain.append(("dossier_id", "in", dossiers.ids))
        activations = self.env["octopus.module.activation"].search_fetch(
            domain,
            ["dossier_id", "module_id", "date_start", "date_end", "annual_price",
             "activated_by_id", "ended_by_id"],
            order="dossier_id, date_start, id",
        )
        codes = {
            dossier.id: dossier.code
            for dossier in self.env["octopus.dossier"].with_context(active_test=False)
            .search_fetch([("id", "in", activations.dossier_id.ids)], ["code"])
        }
        modules = {
            module.id: module.name
            for module in self.env["octopus.module"].with_context(active_test=False)
            .search_fetch([("id", "in", activations.module_id.ids)], ["name"])
        }
        users = {
            user.id: user.name
            for user in self.env["res.users"].sudo().with_context(active_test=False).search_fetch(
                [("id", "in", (activations.activated_by_id | activations.ended_by_id).ids)],
                ["name"],
            )
        }
        for activation in activations:
            yield {
                "dossier_code": codes.get(activation.dossier_id.id),
                "module_name": modules.get(activation.module_id.id),
                "date_start": activation.date_start,
                "date_end": activation.date_end,
                "annual_price": activation.annual_price,
                "activated_by": users.get(activation.activated_by_id.id),
                "ended_by": users.get(activation.ended_by_id.id),
            }
