from odoo import Command, api, fields, models

from ..models.octopus_client_user import normalized_email


class OctopusDossierGrant(models.TransientModel):
    """Octopus' "grant the client access to an internal dossier", one step per
    screen; Confirm checks every step again whatever the state."""

    _name = "octopus.dossier.grant"
    _inherit = ["octopus.access.dialog"]
    _description = "Grant Client Access"
    _request_fields = ("client_user_id", "office_email", "client_email", "portal_access",
                       "lang", "module_ids")

    state = fields.Selection(
        [
            ("dossier", "Dossiers"),
            ("office_email", "Office e-mail"),
            ("client_email", "Client e-mail"),
            ("modules", "Modules"),
            ("password", "Password"),
            ("done", "Done"),
        ],
        default="dossier",
        required=True,
    )
    company_id = fields.Many2one("res.company", compute="_compute_client")
    partner_id = fields.Many2one("res.partner", string="Client", compute="_compute_client")
    client_user_id = fields.Many2one(
        "octopus.client.user",
        string="Existing K Login",
        domain="[('kind', '=', 'K'), ('state', '=', 'active'), ('company_id', '=', company_id)]",
        help="Leave empty to create a new K login; choose one to add the dossiers to it "
        "as additional dossiers, also those of another client of the office (a person's "
        "other companies).",
    )
    # Every dossier the login will see, with its client: said before the
    # password, since the person who signs in sees them all.
    login_dossiers = fields.Html(compute="_compute_login_dossiers", sanitize=False,
                                 compute_sudo=False)
    office_email = fields.Char(
        string="Office E-mail", default=lambda self: self.env.user.email
    )
    client_email = fields.Char(
        string="Client E-mail",
        compute="_compute_client_email",
        store=True,
        readonly=False,
        # With the user's rights: another office's login or dossier put in the
        # dialog over RPC must not hand its e-mail back.
        compute_sudo=False,
    )
    portal_access = fields.Boolean(
        compute="_compute_portal_access",
        compute_sudo=False,
        store=True,
        readonly=False,
        help="Give the client an Odoo portal user to see its dossiers and modules at "
        "/my/dossiers. Off when the e-mail already belongs to a user of the office.",
    )
    # The language the client reads: its username mail and the portal's mail
    # speak it, and the grant writes it on the client's contact, which a B
    # user has no other screen to change.
    lang = fields.Selection(
        selection="_lang_selection",
        string="Client Language",
        compute="_compute_lang",
        compute_sudo=False,
        store=True,
        readonly=False,
        help="The language of the client's mails: the username mail to forward and the "
        "portal's invitation or notice. Written on the client's contact at confirmation.",
    )
    # Stored: once granted, the e-mail is a portal user's whatever it was, and
    # the done screen must still say what the client's address received.
    client_mail = fields.Selection(
        [("invitation", "Portal invitation"), ("notice", "Notice of the new dossiers")],
        string="Mail to the Client",
        compute="_compute_client_mail",
        compute_sudo=False,
        store=True,
        help="What the client's own address receives with portal access: the invitation "
        "to choose a password, or, when that address already has a portal account, a "
        "notice of its new dossiers. The office never receives the invitation.",
    )
    module_ids = fields.Many2many(
        "octopus.module",
        string="Modules",
        help="The optional modules; the default module is always activated.",
    )
    default_module_id = fields.Many2one(
        "octopus.module", default=lambda self: self.env["octopus.module"]._default_module()
    )
    cost_preview = fields.Html(compute="_compute_cost_preview", sanitize=False)
    # What the password confirms, and once done, which mails went where.
    recap = fields.Html(compute="_compute_recap", sanitize=False)
    granted_login = fields.Char(readonly=True)

    @api.depends("dossier_ids")
    def _compute_client(self):
        for wizard in self:
            wizard.company_id = wizard.dossier_ids.company_id[:1]
            wizard.partner_id = wizard.dossier_ids.partner_id[:1]

    @api.depends("dossier_ids", "client_user_id")
    def _compute_login_dossiers(self):
        for wizard in self:
            added = wizard.dossier_ids._origin
            kept = wizard.client_user_id.dossier_ids - added
            wizard.login_dossiers = (added or kept) and self.env["ir.qweb"]._render(
                "octopus_titulaires.grant_login_dossiers",
                {"added": added, "kept": kept, "clients": (kept | added).partner_id,
                 "login": wizard.client_user_id})

    @api.depends("dossier_ids", "client_user_id")
    def _compute_client_email(self):
        for wizard in self:
            wizard.client_email = (
                wizard.client_user_id.email or wizard.dossier_ids.partner_id[:1].email
            )

    @api.depends("client_email", "client_user_id")
    def _compute_portal_access(self):
        ClientUser = self.env["octopus.client.user"]
        for wizard in self:
            _user, refusal = ClientUser._portal_user_of(wizard.client_email)
            wizard.portal_access = not refusal and not wizard.client_user_id.user_id

    @api.model
    def _lang_selection(self):
        return self.env["res.lang"].get_installed()

    @api.depends("dossier_ids", "client_user_id")
    def _compute_lang(self):
        for wizard in self:
            # Only what the user may read: another office's dossier put in the
            # dialog over RPC is refused at Confirm, and hands nothing back here.
            dossiers = wizard.dossier_ids._origin._filtered_access("read")
            client_user = wizard.client_user_id._origin._filtered_access("read")
            wizard.lang = dossiers._client_lang(client_user)

    @api.depends("client_email", "portal_access")
    def _compute_client_mail(self):
        ClientUser = self.env["octopus.client.user"]
        for wizard in self:
            user, _refusal = ClientUser._portal_user_of(wizard.client_email)
            wizard.client_mail = wizard.portal_access and ("notice" if user else "invitation")

    @api.depends("dossier_ids", "module_ids")
    def _compute_cost_preview(self):
        for wizard in self:
            wizard.cost_preview = wizard._render_cost_preview(
                wizard.dossier_ids, wizard._modules_to_activate()
            )

    @api.depends("dossier_ids", "client_user_id", "office_email", "client_email",
                 "portal_access", "client_mail", "lang", "module_ids", "state")
    def _compute_recap(self):
        for wizard in self:
            modules = wizard._modules_to_activate()
            # A cost that cannot be priced is said on the modules screen already.
            preview, _error = wizard._cost_preview_or_error(wizard.dossier_ids, modules)
            wizard.recap = self.env["ir.qweb"]._render("octopus_titulaires.grant_recap", {
                "wizard": wizard,
                "modules": modules._origin.sorted(),
                "preview": preview,
                "mails": wizard._mail_plan(),
                "langs": dict(self.env["res.lang"].get_installed()),
            })

    def _mail_plan(self):
        """The grant's mails; the client's own one in the language of the portal
        user that reads it: the existing one, or the one made in the language
        chosen on screen 3."""
        user, _refusal = self.env["octopus.client.user"]._portal_user_of(self.client_email)
        return self.env["octopus.client.user"]._grant_mail_plan(
            self.office_email, self.client_email, self.client_mail,
            user.lang or self.lang, username_lang=self.lang,
        )

    def _apply(self, confirmation):
        # The screens checked both addresses: they are stored normalized.
        client_user = self._confirmed_dossiers(confirmation)._grant_access(
            self._modules_to_activate(),
            normalized_email(self.office_email),
            normalized_email(self.client_email),
            client_user=self.client_user_id,
            portal=self.portal_access,
            lang=self.lang,
        )
        self.write({"state": "done", "granted_login": client_user.login})
        return client_user

    def _request_values(self):
        return dict(
            super()._request_values(),
            operation="grant",
            office_email=normalized_email(self.office_email),
            client_email=normalized_email(self.client_email),
            module_ids=[Command.set(self._modules_to_activate().ids)],
        )

    def _modules_to_activate(self):
        return self.module_ids | self.default_module_id

    def _check_step(self, step):
        if step == "dossier":
            self.dossier_ids._check_grantable(self.client_user_id)
        elif step == "office_email":
            self._normalized_email(self.office_email, self.env._("Office e-mail"))
        elif step == "client_email":
            self._normalized_email(self.client_email, self.env._("Client e-mail"))
            self.env["octopus.dossier"]._check_client_lang(self.lang)
        elif step == "modules":
            self.dossier_ids._cost_preview(
                self._modules_to_activate(), fields.Date.context_today(self)
            )
