import base64

from odoo import fields, models
from odoo.exceptions import UserError


class OctopusDossierExport(models.TransientModel):
    """Export the dossier overview, the next invoice and the activation ledger
    of an office to one Excel workbook."""

    _name = "octopus.dossier.export"
    _description = "Export Dossiers to Excel"

    company_id = fields.Many2one(
        "res.company", string="Office", required=True, default=lambda self: self.env.company
    )
    dossier_ids = fields.Many2many(
        "octopus.dossier",
        string="Dossiers",
        default=lambda self: self.env["octopus.access.dialog"]._default_dossier_ids(),
        help="Leave empty to export every dossier of the office.",
    )
    date = fields.Date(
        string="Reference Date", required=True, default=fields.Date.context_today,
        help="The next invoice covers the next full billing year after this date.",
    )
    state = fields.Selection([("choose", "Choose"), ("done", "Download")], default="choose",
                             required=True)
    # Kept as an attachment: its type is then read from the whole file (an .xlsx,
    # not the zip that its first bytes suggest) and the download is named for Excel.
    xlsx_file = fields.Binary(string="Excel File", readonly=True)
    xlsx_filename = fields.Char(readonly=True)

    def action_export(self):
        self.ensure_one()
        content = self._build_xlsx()
        self.write(
            {
                "xlsx_file": base64.b64encode(content),
                "xlsx_filename": self._filename(),
            }
        )
        # The dialog stays open on the file, named, as Odoo's own exports of
        # translations do: a download started by the server would leave it open
        # on the Export button.
        self.state = "done"
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "octopus_titulaires.octopus_dossier_export_action")
        action.update({"res_id": self.id, "context": self.env.context})
        return action

    def _build_xlsx(self):
        """The workbook's bytes; a selection from another office is refused."""
        self.ensure_one()
        # Odoo refuses an environment restricted to an office the user does not
        # belong to (AccessError), as it refuses its records.
        office = self.with_company(self.company_id).env.company
        selection = self.dossier_ids if self.dossier_ids else None
        if selection is not None and selection.company_id != self.company_id:
            raise UserError(
                self.env._(
                    "The selected dossiers must all belong to %(office)s.",
                    office=self.company_id.name,
                )
            )
        if not self.env["octopus.dossier"].search_count(
            [("company_id", "=", self.company_id.id)], limit=1
        ):
            raise UserError(
                self.env._("Office %(office)s has no dossier to export.",
                           office=self.company_id.name)
            )
        # Headers and sheet names in the language of the user who exports.
        builder = self.env["octopus.dossier.xlsx"].with_company(office)
        return builder.with_context(lang=self.env.user.lang)._build(
            office, self.date, selection
        )

    def _filename(self):
        office = "".join(c if c.isalnum() else "_" for c in self.company_id.name).strip("_")
        return f"octopus_{office}_{fields.Date.to_string(self.date)}.xlsx"
