import base64
import io

from openpyxl import Workbook

from odoo import Command, fields, models
from odoo.exceptions import UserError

from ..tools import XLSX_MIMETYPE
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

    def _confirming_office(self):
        return self.company_id

    def action_preview(self):
        """Check every row, then run the import's own write and roll it back, so
        that what the write would refuse is listed here too."""
        self.ensure_one()
        plans, problems = self._plan()
        if not problems:
            problems = self._loader()._apply(plans, self.company_id, dry_run=True)
        self.preview_line_ids.unlink()
        self.write(
            {
                "state": "preview",
                **self._counts(plans),
                "problem_count": len(problems),
                "problem_text": self._format_problems(problems) or False,
                "needs_password": self._loader()._needs_password(plans),
                "preview_line_ids": [
                    Command.create({
                        "row": plan["row"], "code": plan["code"], "name": plan["name"],
                        "kind": plan["kind"], "login": plan["login"],
                        "module_codes": ", ".join(m.code for m in plan["modules"]),
                        "action": plan["action"],
                    })
                    for plan in plans
                ],
            }
        )
        return self._reopen()

    def action_import(self):
        """Check the whole file again and write it, or refuse with every problem."""
        self.ensure_one()
        plans, problems = self._plan()
        loader = self._loader()
        if not problems and loader._needs_password(plans):
            confirmation = self._check_password(
                subject=self.env._("an import of %(count)s rows", count=len(plans))
            )
            loader = loader.with_context(**confirmation.context())
        if not problems:
            problems = loader._apply(plans, self.company_id)
        if problems:
            raise UserError(
                self.env._("Nothing was imported; fix these rows first:\n%(problems)s",
                           problems=self._format_problems(problems))
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
            return [], problems
        return loader._plan(records, self.company_id)

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

    def _format_problems(self, problems):
        return "\n".join(
            self.env._("Row %(row)s, column %(column)s: %(message)s",
                       row=row, column=column, message=message)
            for row, column, message in sorted(problems, key=lambda p: p[0])
        )


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
