import logging
import re

from odoo import SUPERUSER_ID, Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, email_normalize

from ..tools import (
    AccessConfirmation,
    access_confirmation,
    confirmed_by_another,
    is_singular,
)

_logger = logging.getLogger(__name__)

# ASCII digits only: ``\d`` would take full-width or Arabic-Indic ones.
LOGIN_PATTERN = re.compile(r"^[KU][0-9]{8}$")
LOGIN_DIGITS = 8
SEQUENCE_CODES = {
    "K": "octopus.client.user.k",
    "U": "octopus.client.user.u",
}
# RFC 5321: what a mail server accepts for the local part and the whole address.
EMAIL_LOCAL_PART_MAX_LENGTH = 64
EMAIL_MAX_LENGTH = 254
# What a grant sends: the two Octopus mails, always to the office; and, when
# the client gets portal access, one mail to the client's own address only:
# the portal's invitation to a new portal user (its link chooses the user's
# password), or a notice of its new dossiers to an existing one.
ACCESS_MAILS = (
    "octopus_titulaires.mail_template_activation_confirmation",
    "octopus_titulaires.mail_template_client_username",
)
# Logins whose access mails the cron queues per run (see _cron_queue_access_mails):
# about 16 s of rendering, well within a cron worker's time limit.
ACCESS_MAIL_BATCH = 100
PORTAL_INVITATION = "portal.mail_template_data_portal_welcome"
PORTAL_NOTICE = "octopus_titulaires.mail_template_portal_new_dossier"
CONSENT_REMINDER = "octopus_titulaires.mail_template_consent_reminder"


def normalized_email(value):
    """The address as Odoo stores and sends it, or False when it is not one
    address that Odoo takes as typed: ``email_normalize`` extracts an address
    from "Name <x@y>" or from markup, and a login made of what it kept would
    not be the address the office typed."""
    text = (value or "").strip()
    normalized = email_normalize(text)
    if not normalized or normalized.lower() != text.lower():
        return False
    local_part = normalized.rsplit("@", 1)[0]
    if len(local_part) > EMAIL_LOCAL_PART_MAX_LENGTH or len(normalized) > EMAIL_MAX_LENGTH:
        return False
    return normalized


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
    # The office's staff addresses and names are not shown to its clients.
    office_email = fields.Char(
        string="Office E-mail", tracking=True, groups="octopus_titulaires.group_titulaire"
    )
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
    consent_date = fields.Datetime(
        readonly=True,
        tracking=True,
        help="When the client confirmed on the portal that its office may manage its dossiers.",
    )
    consent_user_id = fields.Many2one(
        "res.users",
        string="Consent Given By",
        readonly=True,
        groups="octopus_titulaires.group_titulaire",
    )

    # A grant by import: who asked and who confirmed it, until the cron has
    # queued the login's access mails (an import of a thousand logins cannot
    # render their two thousand mails within its request).
    access_mail_requester_id = fields.Many2one(
        "res.users", readonly=True, copy=False, index="btree_not_null", groups="base.group_system"
    )
    access_mail_confirmer_id = fields.Many2one(
        "res.users", readonly=True, copy=False, groups="base.group_system"
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
                if value and not normalized_email(value):
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

    def write(self, vals):
        self.env["octopus.dossier"]._check_office_kept(self, vals)
        return super().write(vals)

    def action_invite_again(self):
        """Send the client the portal's invitation again, as Odoo's portal
        wizard does (*Re-Invite*): a new link to choose a password, to the
        portal user's own address only and in its language; logged in the
        login's chatter."""
        self.ensure_one()
        self._check_office_user()
        user = self.user_id.sudo()
        if self.state != "active" or not user.active or not user._is_portal():
            raise UserError(self.env._(
                "Login %(login)s has no active portal user: only an active login with portal "
                "access gets the invitation again.", login=self.login))
        # The link chooses the portal user's password: it goes to that user's
        # own address, which the login's e-mail must still be.
        if normalized_email(self.email) != user.login:
            raise UserError(self.env._(
                "The e-mail of login %(login)s (%(email)s) is not the address its portal user "
                "signs in with (%(portal)s): the invitation goes to that address only.",
                login=self.login, email=self.email or "", portal=user.login))
        client_user = self.sudo()
        client_user._queue_portal_invitation(user)
        client_user.message_post(
            body=self.env._("Portal invitation sent again to %(email)s by %(user)s.",
                            email=user.login, user=self.env.user.name),
            author_id=self.env.user.partner_id.id)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"type": "success", "message": self.env._(
                "The portal invitation went again to %(email)s.", email=user.login)},
        }

    def action_remind_consent(self):
        """Remind the clients of these logins that they have not confirmed on
        the portal that their office may manage their dossiers: to the client's
        own address when the grant gave it portal access, else to the office's,
        which forwards it; in the client's language; logged in each login's
        chatter."""
        self._check_office_user()
        if not self:
            raise UserError(self.env._("Select the logins whose clients to remind."))
        refused = self.filtered(lambda client_user: client_user.state != "active"
                                or client_user.consent_date
                                or not client_user._consent_reminder_email())
        if refused:
            raise UserError(self.env._(
                "Only an active login without its client's consent, and with an e-mail to "
                "send to, gets a reminder: %(logins)s.",
                logins=", ".join(refused.mapped("login"))))
        template = self.env.ref(CONSENT_REMINDER)
        for client_user in self.sudo():
            template.send_mail(client_user.id, force_send=False)
            client_user.message_post(
                body=self.env._("Consent reminder sent to %(email)s by %(user)s.",
                                email=client_user._consent_reminder_email(),
                                user=self.env.user.name),
                author_id=self.env.user.partner_id.id)
        message = (self.env._("%(count)s reminder queued.", count=len(self))
                   if is_singular(self.env, len(self))
                   else self.env._("%(count)s reminders queued.", count=len(self)))
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"type": "success", "message": message},
        }

    def _check_office_user(self):
        """Only a B user of each login's own office acts on it (the ACL lets B
        users read logins; portal users read their own, and act on none)."""
        self.check_access("read")
        user = self.env.user
        if not user.has_group("octopus_titulaires.group_titulaire"):
            raise AccessError(self.env._("Only the office's B users act on client logins."))
        others = self.filtered(lambda client_user: client_user.company_id not in user.company_ids)
        if others:
            raise AccessError(self.env._(
                "Logins %(logins)s belong to another office.",
                logins=", ".join(others.mapped("login"))))

    def _consent_reminder_email(self):
        """Where the consent reminder goes, as the grant chose: the client's own
        address when it has portal access (where it confirms), else the
        office's, which forwards it."""
        self.ensure_one()
        return self.email if self.user_id else self.sudo().office_email

    def _check_can_take(self, dossiers):
        """The one rule of logins and dossiers (DESIGN.md, "Rules"): a login takes
        dossiers only while it is active, and only of its own office; they may
        belong to several of its clients (a person's companies: Octopus's
        "dossier supplementaire"), which the grant dialog shows before the
        password."""
        self.ensure_one()
        if self.state != "active":
            raise ValidationError(
                self.env._(
                    "Login %(login)s is revoked; dossiers can only be added to an active "
                    "login.",
                    login=self.login,
                )
            )
        if self.company_id != dossiers.company_id:
            raise ValidationError(
                self.env._(
                    "Login %(login)s belongs to %(office)s: it cannot take dossiers of another "
                    "office.",
                    login=self.login,
                    office=self.company_id.name,
                )
            )

    def _revoke_if_unused(self):
        """A login that holds no dossier any more is revoked, and its portal user
        loses the portal; one that still covers other dossiers stays active."""
        unused = self.filtered(lambda client_user: not client_user.dossier_ids)
        unused.write({"state": "revoked"})
        for client_user in unused:
            client_user.message_post(body=self.env._("Login revoked: it holds no dossier any more."))
        unused._remove_portal_access()

    @api.model
    def _portal_user_of(self, email):
        """The portal user that signs in with ``email`` (an existing one is reused,
        so one portal user may hold several logins), or a refusal: the one rule
        of who may get a portal user, for the dialog's option and for the grant.

        Returns (res.users, message): the user may be empty (one is to be made),
        the message is False when the e-mail may get portal access."""
        address = normalized_email(email)
        Users = self.env["res.users"].sudo().with_context(active_test=False)
        if not address:
            return Users, self.env._("%(email)s is not a valid e-mail address for a portal user.",
                                     email=email or "")
        user = Users.search([("login", "=", address)], limit=1)
        if user and not user._is_portal() and not user._is_public():
            return user, self.env._(
                "%(email)s is already the login of an Odoo user of the office; the client "
                "needs an e-mail of its own for the portal.", email=address)
        return user, False

    def _grant_portal_access(self):
        """Give the client a portal user, as Odoo's portal wizard
        (``portal.wizard.user``) does: a copy of the portal template user, put in
        the portal group, invited in the client's language. It differs in two ways:
        the portal user is a contact of its own under the client company, named
        after the login, because the company partner itself is the office's
        customer record; and an existing portal user with the same e-mail is
        reused, so that a person holding several logins signs in once.

        A signup link sets the password of its user: only a user made here gets
        one, and only at the login's e-mail. An existing portal user, whichever
        office made it, keeps its password and gets a notice of its new dossiers
        instead; a new link for it would let whoever typed its address take the
        account over. Returns what the client's address gets: ``"invitation"``
        or ``"notice"``."""
        self.ensure_one()
        user, refusal = self._portal_user_of(self.email)
        if refusal:
            raise UserError(refusal)
        email = normalized_email(self.email)
        client_mail = "notice" if user else "invitation"
        Users = self.env["res.users"].sudo()
        if not user:
            partner = self.env["res.partner"].sudo().create(
                {
                    "name": f"{self.partner_id.name or email} ({self.login})",
                    "email": email,
                    "parent_id": self.partner_id.id,
                    "company_id": self.company_id.id,
                    "lang": self.partner_id.lang or self.env.lang,
                }
            )
            user = Users.with_context(no_reset_password=True)._create_user_from_template(
                {"login": email, "email": email, "partner_id": partner.id,
                 "company_id": self.company_id.id,
                 "company_ids": [Command.set(self.company_id.ids)]}
            )
        if not user.active or not user._is_portal():
            user.write({"active": True, "groups_id": [
                Command.link(self.env.ref("base.group_portal").id),
                Command.unlink(self.env.ref("base.group_public").id)]})
        self.user_id = user
        if client_mail == "invitation":
            self._queue_portal_invitation(user)
            body = self.env._("Portal access given to %(email)s; the invitation to choose a "
                              "password went to that address only.", email=email)
        else:
            self._queue_client_mail(PORTAL_NOTICE, self.id)
            body = self.env._("Portal access given to %(email)s, an existing portal account; a "
                              "notice of its new dossiers went to that address.", email=email)
        self.message_post(body=body)
        return client_mail

    def _queue_portal_invitation(self, user):
        """The portal's own welcome (``portal.wizard.user``'s template, in the
        client's language, with the link to choose a password) for ``user``,
        queued to the client's own address.

        The portal wizard that renders it is made and removed by the system
        user: left behind, a partner manager could send it again, to an
        address of their choosing (``action_invite_again`` writes the wizard's
        e-mail on the partner)."""
        self.ensure_one()
        partner = user.sudo().partner_id
        partner.signup_prepare(signup_type="signup")
        wizard = self.env["portal.wizard"].with_user(SUPERUSER_ID).sudo().create(
            {"partner_ids": [Command.set(partner.ids)]}
        )
        mail = self._queue_client_mail(PORTAL_INVITATION, wizard.user_ids.id)
        wizard.unlink()
        return mail

    def _queue_client_mail(self, template_xmlid, res_id):
        """Queue the template ``template_xmlid`` rendered on ``res_id`` to the
        login's e-mail, the client's own address, and to nobody else; queued,
        not sent at once, so that a mail server that is down does not undo the
        grant.

        Odoo shows a ``mail.message`` to its author, its creator, its
        recipients and whoever reads its record: this one is filed on no
        record, has no recipient partner, and is written and created by the
        system user, so that no office user reads it (the invitation's link
        sets the client's password). It is deleted once sent."""
        self.ensure_one()
        email_from = self.company_id.email_formatted or self.env.user.email_formatted
        return self.env.ref(template_xmlid).with_user(SUPERUSER_ID).sudo().send_mail(
            res_id, force_send=False,
            email_values={"email_to": normalized_email(self.email), "email_cc": False,
                          "email_from": email_from, "recipient_ids": [],
                          "model": False, "res_id": False, "auto_delete": True},
        )

    def _remove_portal_access(self):
        """Take the portal away from users left without an active login, the way
        Odoo's portal wizard revokes it (out of the portal group, archived)."""
        users = self.user_id.sudo()
        still_used = self.sudo().search([("user_id", "in", users.ids), ("state", "=", "active")])
        for user in users - still_used.user_id:
            if user._is_portal():
                user.partner_id.signup_type = None
                user.write({"active": False, "groups_id": [
                    Command.unlink(self.env.ref("base.group_portal").id),
                    Command.link(self.env.ref("base.group_public").id)]})

    def _record_consent(self, user):
        """Store the client's consent once: the first confirmation is the one kept."""
        self.filtered(lambda client_user: not client_user.consent_date).write(
            {"consent_date": fields.Datetime.now(), "consent_user_id": user.id}
        )

    def _queue_access_mails(self, client_mail=False, added=None, new_login=True):
        """Queue the activation confirmation and the client-username mail, both to
        the office e-mail: the office completes the second one and forwards it.
        They say what this grant ``added`` (its activations), then every dossier
        of the login with its client and the modules running on them, and what
        the client's own address got (``client_mail``: ``"invitation"``,
        ``"notice"`` or nothing); a login that existed before (not
        ``new_login``) is told of more dossiers, not of a new access, and asks
        for no password. The values travel in the context
        (``octopus_added_activations``, ``octopus_client_mail``,
        ``octopus_new_login``), the one way ``send_mail`` hands a value to a
        template."""
        self.ensure_one()
        for xmlid in ACCESS_MAILS:
            self.env.ref(xmlid).with_context(
                octopus_client_mail=client_mail, octopus_added_activations=added,
                octopus_new_login=new_login,
            ).send_mail(self.id, force_send=False)

    def _queue_access_mails_later(self):
        """The access mails of these new logins, as a grant queues them, queued
        by the cron ``ir_cron_access_mails`` triggered at once: an import gives
        a thousand logins in one request, too many mails to render in it. The
        mails speak for the user who asked and name who confirmed, as the
        grant's do."""
        confirmation = access_confirmation(self.env)
        requester = confirmation.requested_by if confirmation else self.env.user
        confirmer = confirmation.confirmed_by if confirmation else self.env.user
        self.sudo().write({"access_mail_requester_id": requester.id,
                           "access_mail_confirmer_id": confirmer.id})
        self.env.ref("octopus_titulaires.ir_cron_access_mails").sudo()._trigger()

    @api.model
    def _cron_queue_access_mails(self, batch_size=ACCESS_MAIL_BATCH):
        """Queue the access mails an import left to queue, a batch at a time,
        each login's as the user who asked for it: in their language, with
        everything its dossiers run as added (the login is new)."""
        domain = [("access_mail_requester_id", "!=", False)]
        pending = self.sudo().search(domain, limit=batch_size)
        today = fields.Date.context_today(self)
        for client_user in pending:
            requester = client_user.access_mail_requester_id
            confirmation = AccessConfirmation(requester, client_user.access_mail_confirmer_id)
            mine = client_user.with_user(requester).with_company(client_user.company_id)
            try:
                with self.env.cr.savepoint():
                    mine.with_context(lang=requester.lang, **confirmation.context())\
                        ._queue_access_mails(
                            added=client_user.dossier_ids.activation_ids._running(today))
            except Exception:  # pylint: disable=broad-except
                # One login's mails (its importer since archived, say) do not
                # hold back the others'; it is said in the log, not retried.
                _logger.exception("Octopus: the access mails of login %s failed", client_user.login)
        pending.write({"access_mail_requester_id": False, "access_mail_confirmer_id": False})
        remaining = self.sudo().search_count(domain)
        self.env["ir.cron"]._notify_progress(done=len(pending), remaining=remaining)

    def _confirmed_by_another(self):
        """For the grant's mails: who asked and who confirmed the grant being
        mailed, when the office holder confirmed it for somebody else
        (an ``AccessConfirmation``), or None."""
        return confirmed_by_another(self.env)

    @api.model
    def _grant_mail_plan(self, office_email, client_email=False, client_mail=False,
                         client_lang=False, username_lang=False):
        """The mails a grant queues, as dicts (``label``, ``email_to``, ``lang``):
        what the dialog announces before the password and reports after it.
        The activation confirmation speaks the office user's language, the
        client-username mail, which the office forwards, the client's
        (``username_lang``; their templates' ``lang``); the client's own mail
        (``client_mail``: ``"invitation"`` or ``"notice"``, see
        ``_grant_portal_access``) goes to ``client_email`` in the client's
        language."""
        # The labels of ACCESS_MAILS, in their order.
        plan = [
            {"label": self.env._("Activation confirmation"), "email_to": office_email,
             "lang": self.env.user.lang},
            {"label": self.env._("Client username"), "email_to": office_email,
             "lang": username_lang or self.env.user.lang},
        ]
        if client_mail:
            label = (self.env._("Portal invitation") if client_mail == "invitation"
                     else self.env._("Notice of the new dossiers"))
            plan.append({"label": label, "email_to": client_email,
                         "lang": client_lang or self.env.lang})
        return plan

    @api.model
    def _next_login(self, kind):
        """Draw the next free login of ``kind`` from its sequence, in one query.

        Logins may also arrive from an import, at numbers the sequence has not
        drawn yet: the query draws numbers until one is free, skipping those
        taken whatever their office, so that an office that imported thousands
        of logins does not slow another office's grant. Drawn numbers are never
        handed out twice, even to concurrent transactions."""
        sequence = self._login_sequence(kind)
        self.flush_model(["login"])
        # Each step draws the next number while the last one drawn is taken: the
        # last one drawn is free (or past the last login of the format).
        self.env.cr.execute(SQL(
            """WITH RECURSIVE drawn(number) AS (
                   SELECT nextval(%(sequence)s)
                   UNION ALL
                   SELECT nextval(%(sequence)s) FROM drawn
                    WHERE drawn.number < %(numbers)s
                      AND EXISTS (SELECT 1 FROM octopus_client_user AS taken
                                   WHERE taken.login = %(kind)s || lpad(drawn.number::text,
                                                                        %(digits)s, '0'))
               )
               SELECT max(number) FROM drawn""",
            kind=kind, sequence=f"ir_sequence_{sequence.id:03d}", digits=LOGIN_DIGITS,
            numbers=10 ** LOGIN_DIGITS,
        ))
        [number] = self.env.cr.fetchone()
        if number >= 10 ** LOGIN_DIGITS:
            raise ValidationError(self.env._("No %(kind)s login is left to give.", kind=kind))
        return f"{kind}{number:0{LOGIN_DIGITS}d}"

    @api.model
    def _peek_login(self, kind):
        """The login of ``kind`` that ``_next_login`` would give now, without
        drawing it from the sequence: an example to show, such as the import
        template's, which then imports as it is (logins are unique over the
        whole database) and leaves the sequence as it was. A grant may take it
        in the meantime: nothing is reserved."""
        first = self._login_sequence(kind).number_next_actual
        self.flush_model(["login"])
        # The first free number from ``first`` on is ``first`` itself or one
        # past a taken number.
        self.env.cr.execute(SQL(
            """SELECT min(candidate.number)
                 FROM (SELECT %(first)s::bigint AS number
                       UNION ALL
                       SELECT substr(login, 2)::bigint + 1 FROM octopus_client_user
                        WHERE login ~ %(pattern)s AND substr(login, 2)::bigint >= %(first)s
                      ) AS candidate
                WHERE NOT EXISTS (SELECT 1 FROM octopus_client_user AS taken
                                   WHERE taken.login = %(kind)s || lpad(candidate.number::text,
                                                                        %(digits)s, '0'))""",
            first=first, kind=kind, digits=LOGIN_DIGITS,
            pattern=f"^{kind}[0-9]{{{LOGIN_DIGITS}}}$",
        ))
        [number] = self.env.cr.fetchone()
        if number >= 10 ** LOGIN_DIGITS:
            raise ValidationError(self.env._("No %(kind)s login is left to give.", kind=kind))
        return f"{kind}{number:0{LOGIN_DIGITS}d}"

    @api.model
    def _login_sequence(self, kind):
        """The sequence that numbers the logins of ``kind``."""
        sequence = self.env["ir.sequence"].sudo().search(
            [("code", "=", SEQUENCE_CODES[kind]), ("implementation", "=", "standard")], limit=1)
        if not sequence:
            raise ValidationError(
                self.env._("The sequence of %(kind)s logins is missing.", kind=kind)
            )
        return sequence
