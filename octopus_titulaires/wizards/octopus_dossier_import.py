import base64
import io

from openpyxl import Workbook

from odoo import Command, fields, models
from odoo.exceptions import UserError

from ..tools import XLSX_MIMETYPE, is_singular
from ..tools.spreadsheet_reader import KB, MB, SpreadsheetError, read_rows


class OctopusDossierImport(models.TransientModel):
    """Import an office's dossier list from .xlsx or .xls: preview first, with
    every problem by row and column; import only when there is none, all or
    nothing. Importing the same file again changes nothing."""

    _name = "octopus.dossier.import"
    _inherit = ["octopus.access.dialog"]
    _description = "Import Dossiers"

    state = fields.Selection(
        [("upload", "Upload"), ("preview", "Preview"), ("done", "Done")],
        default="upload",
        required=True,
    )
    company_id = fields.Many2one(
        "res.company", string="Office", required=True, default=lambda self: self.env.company
    )
    file = fields.Binary(string="Spreadsheet", attachment=False)
    filename = fields.Char()
    preview_line_ids = fields.One2many(
        "octopus.dossier.import.line", "import_id", string="Preview", readonly=True
    )
    problem_text = fields.Text(string="Problems", readonly=True)
    create_count = fields.Integer(string="To Create", readonly=True)
    update_count = fields.Integer(string="To Update", readonly=True)
    unchanged_count = fields.Integer(string="Unchanged", readonly=True)
    problem_count = fields.Integer(string="Problems Found", readonly=True)
    needs_password = fields.Boolean(
        readonly=True,
        help="The file gives dossiers a login or activates modules: like the grant dialog, "
        "the import is confirmed with your password.",
    )
    template_file = fields.Binary(attachment=False, readonly=True)
    # What the file starts, priced as the grant prices it, and the grant's
    # mails it queues: said before the password.
    cost_preview = fields.Html(readonly=True)
    mail_count = fields.Integer(string="Mails to Queue", readonly=True)
    kept_count = fields.Integer(string="Rows That Keep More", readonly=True)

    def _confirming_office(self):
        return self.company_id

    def action_preview(self):
        """Check every row, then run the import's own write and roll it back, so
        that what the write would refuse is listed here too."""
        self.ensure_one()
        plans, problems, headers = self._plan()
        loader = self._loader()
        if not problems:
            problems = loader._apply(plans, self.company_id, dry_run=True)
        per_row, cost_html = self._price(plans if not problems else [])
        mails = loader._mail_plan(plans)
        self.preview_line_ids.unlink()
        self.write(
            {
                "state": "preview",
                **self._counts(plans),
                "problem_count": len(problems),
                "problem_text": self._format_problems(problems, headers) or False,
                "needs_password": loader._needs_password(plans),
                "cost_preview": cost_html,
                "mail_count": sum(len(row_mails) for row_mails in mails.values()),
                "kept_count": sum(1 for plan in plans if plan.get("kept")),
                "preview_line_ids": [
                    Command.create({
                        "row": plan["row"], "code": plan["code"], "name": plan["name"],
                        "kind": plan["kind"], "login": plan["login"],
                        "module_codes": ", ".join(m.code for m in plan["modules"]),
                        "action": plan["action"],
                        "annual_cost": per_row.get(plan["row"], {}).get("annual_total", 0.0),
                        "prorated_cost": per_row.get(plan["row"], {}).get("prorated_total", 0.0),
                        "mails": self._mail_text(mails.get(plan["row"])),
                        "kept": "; ".join(plan.get("kept", [])) or False,
                    })
                    for plan in plans
                ],
            }
        )
        return self._reopen()

    def _price(self, plans):
        """({row: cost preview}, the file's cost preview as HTML): the grant's
        pricing of what the rows start, or why it cannot be priced."""
        try:
            per_row, total = self._loader()._price(plans, fields.Date.context_today(self))
        except UserError as error:
            return {}, self._render_priced(False, error.args[0])
        return per_row, self._render_priced(total) if total else False

    def _mail_text(self, mails):
        """One row's mails (``_grant_mail_plan``), as the preview lists them."""
        return "; ".join(
            self.env._("%(mail)s to %(email)s", mail=mail["label"], email=mail["email_to"])
            for mail in mails or ()) or False

    def action_import(self):
        """Check the whole file again and write it, or refuse with every problem."""
        self.ensure_one()
        plans, problems, headers = self._plan()
        loader = self._loader()
        if not problems and loader._needs_password(plans):
            confirmation = self._check_password(
                subject=self.env._("an import of %(count)s row", count=len(plans))
                if is_singular(self.env, len(plans))
                else self.env._("an import of %(count)s rows", count=len(plans))
            )
            loader = loader.with_context(**confirmation.context())
        if not problems:
            problems = loader._apply(plans, self.company_id)
        if problems:
            raise UserError(
                self.env._("Nothing was imported; fix these rows first:\n%(problems)s",
                           problems=self._format_problems(problems, headers))
            )
        written = [plan for plan in plans if "record" in plan]
        self._log_in_chatter(written)
        self.write({
            "state": "done",
            **self._counts(plans),
            "dossier_ids": [Command.set([plan["record"].id for plan in written])],
        })
        return self._reopen()

    def action_open_dossiers(self):
        """The dossiers the import created or changed, in the dossier list."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "octopus_titulaires.octopus_dossier_action"
        )
        action["domain"] = [("id", "in", self.dossier_ids.ids)]
        return action

    def action_back(self):
        self.ensure_one()
        self.state = "upload"
        return self._reopen()

    def action_download_template(self):
        self.ensure_one()
        workbook = Workbook()
        sheet = workbook.active
        loader = self._loader()
        sheet.title = loader.env._("Dossiers")
        for row in loader._template_rows():
            sheet.append(row)
        stream = io.BytesIO()
        workbook.save(stream)
        self.template_file = base64.b64encode(stream.getvalue())
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self._name}/{self.id}/template_file/"
            f"octopus_dossier_import_template.xlsx?download=true&mimetype={XLSX_MIMETYPE}",
            "target": "self",
        }

    def _plan(self):
        if not self.file:
            raise UserError(self.env._("Choose the spreadsheet to import (field Spreadsheet)."))
        try:
            rows = read_rows(base64.b64decode(self.file))
        except SpreadsheetError as error:
            raise UserError(self._read_error_message(error)) from None
        loader = self._loader()
        records, problems = loader._read(rows)
        if problems:
            return [], problems, {}
        return *loader._plan(records, self.company_id), records[0]["headers"]

    @staticmethod
    def _counts(plans):
        """How many rows create, update or leave unchanged a dossier."""
        return {
            f"{action}_count": sum(1 for plan in plans if plan["action"] == action)
            for action in ("create", "update", "unchanged")
        }

    def _log_in_chatter(self, plans):
        """One line in the chatter of each dossier the import created or changed,
        written in one go (the import may hold thousands of rows)."""
        if not plans:
            return
        bodies = {}
        for plan in plans:
            values = {"file": self.filename or "", "row": plan["row"]}
            bodies[plan["record"].id] = (
                self.env._("Created by the import of %(file)s, row %(row)s.", **values)
                if plan["action"] == "create"
                else self.env._("Updated by the import of %(file)s, row %(row)s.", **values)
            )
        dossiers = self.env["octopus.dossier"].concat(*(plan["record"] for plan in plans))
        dossiers._message_log_batch(bodies)

    def _loader(self):
        """The rules of the import, speaking the user's language: the template's
        headers and the reader's messages, as the export's headers do."""
        return self.env["octopus.dossier.loader"].with_company(self.company_id).with_context(
            lang=self.env.user.lang)

    def _read_error_message(self, error):
        """Why the uploaded file cannot be read, in the user's language."""
        file = self.filename or ""
        if error.reason == "too_large":
            return self.env._(
                "%(file)s holds more than %(limit)s MB of data; split it into smaller files.",
                file=file, limit=error.limit // MB)
        if error.reason == "part_too_large":
            return self.env._(
                "%(file)s holds a part, %(part)s, of more than %(limit)s KB once unzipped; "
                "split the file, or paste its cells' values into a new workbook.",
                file=file, part=error.part, limit=error.limit // KB)
        return {
            "not_spreadsheet": self.env._(
                "%(file)s is not an Excel file (.xlsx or .xls).", file=file),
            "corrupted": self.env._(
                "%(file)s cannot be read: the spreadsheet is damaged.", file=file),
            "too_many_rows": self.env._(
                "%(file)s has more than %(limit)s rows; split it into smaller files.",
                file=file, limit=error.limit),
            "too_many_columns": self.env._(
                "%(file)s has more than %(limit)s columns; keep only the columns to import.",
                file=file, limit=error.limit),
        }[error.reason]

    def _format_problems(self, problems, headers):
        """Each problem on its line, naming its row and its columns by the
        headers the file wrote (``headers``: {column key: header})."""
        loader = self._loader()
        lines = []
        for row, columns, message in sorted(problems, key=lambda p: p[0]):
            column = loader._column_label(columns, headers)
            # In the language of the loader's messages.
            if "," in columns:
                lines.append(loader.env._("Row %(row)s, columns %(column)s: %(message)s",
                                          row=row, column=column, message=message))
            else:
                lines.append(loader.env._("Row %(row)s, column %(column)s: %(message)s",
                                          row=row, column=column, message=message))
        return "\n".join(lines)


class OctopusDossierImportLine(models.TransientModel):
    _name = "octopus.dossier.import.line"
    _description = "Dossier Import Preview Line"
    _order = "row"

    import_id = fields.Many2one("octopus.dossier.import", required=True, ondelete="cascade")
    row = fields.Integer()
    code = fields.Char()
    name = fields.Char()
    kind = fields.Selection([("internal", "Internal"), ("external", "External")])
    login = fields.Char()
    module_codes = fields.Char(string="Modules")
    action = fields.Selection(
        [("create", "Create"), ("update", "Update"), ("unchanged", "Unchanged")]
    )
    currency_id = fields.Many2one(related="import_id.company_id.currency_id")
    annual_cost = fields.Monetary(help="What the modules the row starts "
                                  "add to each next invoice (internal dossiers only).")
    prorated_cost = fields.Monetary(string="This Billing Year",
                                    help="What the modules the row starts cost for the rest of "
                                    "the current billing year, day by day.")
    mails = fields.Char(string="Mails Queued", help="The grant's mails of the new K login the "
                        "row gives, and where they go.")
    kept = fields.Char(help="What the dossier keeps although the row does not "
                       "list it: an import neither ends modules nor revokes logins.")
