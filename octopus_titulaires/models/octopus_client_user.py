import re

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import email_normalize

LOGIN_PATTERN = re.compile(r"^[KU]\d{8}$")
SEQUENCE_CODES = {
    "K": "octopus.client.user.k",
    "U": "octopus.client.user.u",
}


class OctopusClientUser(models.Model):
    _name = "octopus.client.user"
    _description = "Octopus Client Login"
    _inherit = ["mail.thread"]
    _order = "login"
    _rec_name = "login"
    _check_company_auto = True

    login = fields.Char(
        copy=False,
        readonly=True,
        index=True,
        help="K (internal dossier, office pays) or U (external dossier, client pays) "
        "followed by 8 digits; given by the sequence of its letter.",
    )
    kind = fields.Selection(
        [("K", "K: client of an internal dossier"), ("U", "U: client of an external dossier")],
        required=True,
        default="K",
        tracking=True,
    )
    company_id = fields.Many2one(
        "res.company", string="Office", required=True, default=lambda self: self.env.company
    )
    partner_id = fields.Many2one(
        "res.partner", string="Client", check_company=True, tracking=True, index=True
    )
    email = fields.Char(string="Client E-mail", tracking=True)
    office_email = fields.Char(string="Office E-mail", tracking=True)
    dossier_ids = fields.One2many("octopus.dossier", "client_user_id", string="Dossiers")
    dossier_count = fields.Integer(compute="_compute_dossier_count")
    state = fields.Selection(
        [("active", "Active"), ("revoked", "Revoked")],
        required=True,
        default="active",
        tracking=True,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Portal User",
        ondelete="set null",
        help="Odoo user through which the client sees its dossiers on the portal.",
    )

    _sql_constraints = [
        ("login_unique", "unique(login)", "This login is already used."),
    ]

    @api.depends("dossier_ids")
    def _compute_dossier_count(self):
        for client_user in self:
            client_user.dossier_count = len(client_user.dossier_ids)

    @api.constrains("login", "kind")
    def _check_login(self):
        for client_user in self:
            login = client_user.login or ""
            if not LOGIN_PATTERN.match(login):
                raise ValidationError(
                    self.env._(
                        "Login %(login)s is invalid: it must be K or U followed by 8 digits.",
                        login=login,
                    )
                )
            if login[0] != client_user.kind:
                raise ValidationError(
                    self.env._(
                        "Login %(login)s does not match its kind: a %(kind)s login starts "
                        "with the letter %(kind)s.",
                        login=login,
                        kind=client_user.kind,
                    )
                )

    @api.constrains("email", "office_email")
    def _check_emails(self):
        for client_user in self:
            for field_name in ("email", "office_email"):
                value = client_user[field_name]
                if value and not email_normalize(value):
                    raise ValidationError(
                        self.env._(
                            "%(field)s of login %(login)s is not a valid e-mail address: "
                            "%(value)s.",
                            field=client_user._fields[field_name]._description_string(self.env),
                            login=client_user.login,
                            value=value,
                        )
                    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not vals.get("login"):
                vals["login"] = self._next_login(vals.get("kind") or "K")
        return super().create(vals_list)

    def _check_can_take(self, dossiers):
        """An existing login takes more dossiers only of its own office and client."""
        self.ensure_one()
        if self.kind != "K" or self.state != "active":
            raise UserError(
                self.env._(
                    "Login %(login)s is not an active K login; dossiers can only be added "
                    "to one.",
                    login=self.login,
                )
            )
        if self.company_id != dossiers.company_id or self.partner_id != dossiers.partner_id:
            raise UserError(
                self.env._(
                    "Login %(login)s belongs to %(client)s of %(office)s: it cannot take "
                    "dossiers of another client or office.",
                    login=self.login,
                    client=self.partner_id.display_name,
                    office=self.company_id.name,
                )
            )

    def _revoke_if_unused(self):
        """A login that holds no dossier any more is revoked; one that still
        covers other dossiers stays active for them."""
        unused = self.filtered(lambda client_user: not client_user.dossier_ids)
        unused.write({"state": "revoked"})
        for client_user in unused:
            client_user.message_post(body=self.env._("Login revoked: it holds no dossier any more."))

    def _mail_dossiers(self):
        """The dossiers a mail is about: those just granted, else all of the login's."""
        ids = self.env.context.get("octopus_dossier_ids")
        return self.env["octopus.dossier"].browse(ids) if ids else self.dossier_ids

    def _mail_activations(self):
        """The activations a mail is about: those just written, else the running ones."""
        ids = self.env.context.get("octopus_activation_ids")
        if ids:
            return self.env["octopus.module.activation"].browse(ids)
        today = fields.Date.context_today(self)
        return self._mail_dossiers().activation_ids.filtered(lambda a: a._is_running(today))

    def _queue_access_mails(self, dossiers, activations):
        """Queue the activation confirmation and the client-username mail, both to
        the office e-mail: the office completes the second one and forwards it."""
        self.ensure_one()
        context = {"octopus_dossier_ids": dossiers.ids, "octopus_activation_ids": activations.ids}
        for xmlid in (
            "octopus_titulaires.mail_template_activation_confirmation",
            "octopus_titulaires.mail_template_client_username",
        ):
            self.env.ref(xmlid).with_context(**context).send_mail(self.id, force_send=False)

    @api.model
    def _next_login(self, kind):
        """Draw the next free login of ``kind`` from its sequence.

        Logins may also arrive from an import, so a drawn number that is already
        taken is skipped rather than trusted.
        """
        sequence = self.env["ir.sequence"].sudo()
        while True:
            login = sequence.next_by_code(SEQUENCE_CODES[kind])
            if not login:
                raise ValidationError(
                    self.env._("The sequence of %(kind)s logins is missing.", kind=kind)
                )
            if not self.sudo().with_context(active_test=False).search_count(
                [("login", "=", login)], limit=1
            ):
                return login
