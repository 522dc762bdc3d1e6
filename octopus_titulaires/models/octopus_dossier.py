from odoo import api, fields, models
from odoo.exceptions import ValidationError

# The kind of login each kind of dossier accepts (DESIGN.md, "Rules").
LOGIN_KIND_BY_DOSSIER_KIND = {"internal": "K", "external": "U"}


class OctopusDossier(models.Model):
    _name = "octopus.dossier"
    _description = "Octopus Dossier"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "code, id"
    _check_company_auto = True
    _rec_names_search = ["code", "name"]

    name = fields.Char(required=True, tracking=True)
    code = fields.Char(required=True, index=True, copy=False, tracking=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Client",
        required=True,
        check_company=True,
        tracking=True,
        index=True,
    )
    company_id = fields.Many2one(
        "res.company",
        string="Office",
        required=True,
        default=lambda self: self.env.company,
        index=True,
    )
    kind = fields.Selection(
        [("internal", "Internal"), ("external", "External")],
        required=True,
        default="internal",
        tracking=True,
        help="Internal: kept by the office. External: kept by the client itself in Octopus.",
    )
    client_user_id = fields.Many2one(
        "octopus.client.user",
        string="Client Login",
        check_company=True,
        tracking=True,
        index=True,
        copy=False,
    )
    access_category = fields.Selection(
        [
            ("A", "A: internal, no client access"),
            ("B", "B: external, managed by the client"),
            ("C", "C: internal, with client access"),
        ],
        string="Category",
        compute="_compute_access_category",
        store=True,
        tracking=True,
    )
    activation_ids = fields.One2many(
        "octopus.module.activation", "dossier_id", string="Module Activations"
    )
    active_module_ids = fields.Many2many(
        "octopus.module",
        "octopus_dossier_active_module_rel",
        "dossier_id",
        "module_id",
        string="Active Modules",
        compute="_compute_active_module_ids",
        store=True,
        help="Modules running today (the D column of Octopus).",
    )
    client_email = fields.Char(related="client_user_id.email", string="Client E-mail")
    active = fields.Boolean(default=True, tracking=True)

    _sql_constraints = [
        (
            "code_company_unique",
            "unique(company_id, code)",
            "A dossier with this code already exists in this office.",
        ),
    ]

    @api.depends("kind", "client_user_id.kind", "client_user_id.state")
    def _compute_access_category(self):
        for dossier in self:
            if dossier.kind == "external":
                dossier.access_category = "B"
            elif dossier.client_user_id.kind == "K" and dossier.client_user_id.state == "active":
                dossier.access_category = "C"
            else:
                dossier.access_category = "A"

    @api.depends(
        "activation_ids.module_id", "activation_ids.date_start", "activation_ids.date_end"
    )
    def _compute_active_module_ids(self):
        today = fields.Date.context_today(self)
        for dossier in self:
            running = dossier.activation_ids.filtered(lambda a: a._is_running(today))
            dossier.active_module_ids = running.module_id

    @api.depends("code", "name")
    def _compute_display_name(self):
        for dossier in self:
            dossier.display_name = (
                f"[{dossier.code}] {dossier.name}" if dossier.code else dossier.name or ""
            )

    @api.constrains("kind", "client_user_id")
    def _check_client_user_kind(self):
        for dossier in self.filtered("client_user_id"):
            expected = LOGIN_KIND_BY_DOSSIER_KIND[dossier.kind]
            if dossier.client_user_id.kind != expected:
                raise ValidationError(
                    self.env._(
                        "Dossier %(dossier)s is %(kind)s: it only accepts a %(expected)s "
                        "login, not %(login)s.",
                        dossier=dossier.display_name,
                        kind=dict(
                            self._fields["kind"]._description_selection(self.env)
                        )[dossier.kind],
                        expected=expected,
                        login=dossier.client_user_id.login,
                    )
                )

    @api.constrains("client_user_id")
    def _check_client_user_active(self):
        for dossier in self:
            if dossier.client_user_id.state == "revoked":
                raise ValidationError(
                    self.env._(
                        "Login %(login)s is revoked and cannot be given dossier %(dossier)s.",
                        login=dossier.client_user_id.login,
                        dossier=dossier.display_name,
                    )
                )

    def write(self, vals):
        if vals.get("client_user_id"):
            self._check_no_other_login(vals["client_user_id"])
        return super().write(vals)

    def _check_no_other_login(self, client_user_id):
        """A dossier has at most one login: replacing one silently would hand the
        dossier to another client, so the current login must be revoked first."""
        for dossier in self:
            if dossier.client_user_id and dossier.client_user_id.id != client_user_id:
                raise ValidationError(
                    self.env._(
                        "Dossier %(dossier)s already has the login %(login)s; revoke it "
                        "before giving the dossier another login.",
                        dossier=dossier.display_name,
                        login=dossier.client_user_id.login,
                    )
                )

    @api.model
    def _cron_refresh_active_modules(self):
        """The D column depends on today's date: recompute it once a day."""
        dossiers = self.with_context(active_test=False).search(self._active_modules_domain())
        self.env.add_to_compute(self._fields["active_module_ids"], dossiers)
        dossiers._recompute_recordset(["active_module_ids"])

    @api.model
    def _active_modules_domain(self):
        return [("activation_ids", "!=", False)]
