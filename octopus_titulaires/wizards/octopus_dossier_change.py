from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount, format_date

from ..models.octopus_dossier import CHANGE_ACTIONS


class OctopusDossierChange(models.TransientModel):
    """Later changes to a dossier with client access: activate modules, end
    modules, or revoke the K login; each confirmed with the user's password.
    Ending modules is open to any dossier that runs some (a B dossier's, given
    by the import, too): see ``octopus.dossier._check_endable``."""

    _name = "octopus.dossier.change"
    _inherit = ["octopus.access.dialog"]
    _description = "Change Client Access"
    _request_fields = ("operation", "module_ids", "date_end")

    state = fields.Selection(
        [("modules", "Change"), ("password", "Password"), ("done", "Done")],
        default="modules",
        required=True,
    )
    operation = fields.Selection(
        [
            ("activate", "Activate modules"),
            ("end", "End modules"),
            ("revoke", "Revoke client access"),
        ],
        required=True,
        default="activate",
    )
    running_module_ids = fields.Many2many(
        "octopus.module", compute="_compute_running_module_ids", string="Running Modules"
    )
    endable_module_ids = fields.Many2many(
        "octopus.module", compute="_compute_endable_module_ids", string="Modules That Can End"
    )
    module_ids = fields.Many2many("octopus.module", string="Modules")
    date_end = fields.Date(
        string="Ended On",
        default=fields.Date.context_today,
        help="The day the modules stop: they no longer run that day.",
    )
    cost_preview = fields.Html(compute="_compute_cost_preview", sanitize=False)
    # What the password confirms.
    recap = fields.Html(compute="_compute_recap", sanitize=False)

    @api.depends("dossier_ids")
    def _compute_running_module_ids(self):
        for wizard in self:
            wizard.running_module_ids = wizard.dossier_ids.active_module_ids

    @api.depends("dossier_ids")
    def _compute_endable_module_ids(self):
        default_module = self.env["octopus.module"]._default_module()
        for wizard in self:
            endable = wizard.dossier_ids.active_module_ids
            # The default module of a dossier with client access ends with the access only.
            if "C" in wizard.dossier_ids.mapped("access_category"):
                endable -= default_module
            wizard.endable_module_ids = endable

    @api.depends("dossier_ids", "module_ids", "operation")
    def _compute_cost_preview(self):
        for wizard in self:
            wizard.cost_preview = (
                wizard._render_cost_preview(wizard.dossier_ids, wizard.module_ids)
                if wizard.operation == "activate"
                else False
            )

    @api.depends("dossier_ids", "module_ids", "operation", "date_end")
    def _compute_recap(self):
        for wizard in self:
            # A cost that cannot be priced is said on the first screen already.
            preview, _error = wizard._cost_preview_or_error(
                wizard.dossier_ids,
                wizard.module_ids if wizard.operation == "activate" else False)
            wizard.recap = self.env["ir.qweb"]._render("octopus_titulaires.change_recap", {
                "wizard": wizard,
                "operation": dict(wizard._fields["operation"]._description_selection(
                    self.env))[wizard.operation],
                "modules": wizard.module_ids._origin.sorted(),
                "preview": preview,
                **wizard._stopping_recap_values(),
            })

    def _stopping_recap_values(self):
        """What the recap of an End or a Revoke shows (``stopping``: the
        dossiers' preview), with its sentences written whole, so that each
        translates as one, amounts and dates as the reader writes them."""
        stopping = self._stopping_preview()
        if not stopping:
            return {"stopping": False}
        currency = stopping["currency"]

        def amount(value):
            return format_amount(self.env, value, currency)

        sentences = {"logins": [], "portal_users": []}
        for item in stopping.get("logins", []):
            sentences["logins"].append(
                self.env._("Login %(login)s is taken off %(dossiers)s; it keeps %(kept)s.",
                           login=item["login"].login,
                           dossiers=", ".join(item["dossiers"].mapped("display_name")),
                           kept=", ".join(item["kept"].mapped("display_name")))
                if item["kept"] else
                self.env._("Login %(login)s is revoked: it holds no dossier any more.",
                           login=item["login"].login))
            if item["portal_user"]:
                sentences["portal_users"].append(self.env._(
                    "Portal user %(name)s (%(email)s) loses access to the portal.",
                    name=item["portal_user"].name, email=item["portal_user"].login))
        sentences["loss"] = self.env._(
            "The next invoice (%(date_from)s to %(date_to)s) loses %(loss)s: the office's whole "
            "invoice goes from %(before)s to %(after)s.",
            date_from=format_date(self.env, stopping["period"][0]),
            date_to=format_date(self.env, stopping["period"][1]),
            loss=amount(stopping["loss"]), before=amount(stopping["invoice_before"]),
            after=amount(stopping["invoice_after"]))
        return {"stopping": stopping, "sentences": sentences}

    def _stopping_preview(self):
        """What an End or a Revoke stops and removes from the next invoice, as
        the dossiers compute it (``_end_preview``, ``_revoke_preview``)."""
        self.ensure_one()
        dossiers = self.dossier_ids._origin
        if self.operation == "end" and dossiers:
            return dossiers._end_preview(self.module_ids._origin, self.date_end)
        if self.operation == "revoke" and dossiers:
            return dossiers._revoke_preview()
        return False

    def _dialog_title(self):
        """The title of the operation's own window action (Activate Modules,
        End Modules, Revoke Client Access), as the dialog first opened."""
        return self.env["ir.actions.act_window"]._for_xml_id(
            CHANGE_ACTIONS[self.operation])["name"]

    def _apply(self, confirmation):
        dossiers = self._confirmed_dossiers(confirmation)
        if self.operation == "activate":
            dossiers._activate_modules(self.module_ids)
        elif self.operation == "end":
            dossiers._end_modules(self.module_ids, self.date_end)
        else:
            dossiers._revoke_access()
        self.state = "done"

    def _check_step(self, step):
        if step != "modules":
            return
        if not self.dossier_ids:
            raise UserError(self.env._("Select at least one dossier."))
        if self.operation != "end":
            self.dossier_ids._check_category("C")
        if self.operation in ("activate", "end") and not self.module_ids:
            raise UserError(self.env._("Choose at least one module."))
        if self.operation == "end":
            self.dossier_ids._check_endable(self.module_ids)
        elif self.operation == "activate":
            self.dossier_ids._cost_preview(self.module_ids, fields.Date.context_today(self))
