from collections import defaultdict

from markupsafe import Markup
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from psycopg2.errors import LockNotAvailable

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL, escape_psql, format_date

from ..tools import confirmed_by_another


# The access categories, as the Octopus legend words them (DESIGN.md): a
# dossier's of today, and the one each activation ran under.
ACCESS_CATEGORIES = [
    ("A", "A: no client access"),
    ("B", "B: external"),
    ("C", "C: client access"),
]
# The kind of login each kind of dossier accepts (DESIGN.md, "Rules").
LOGIN_KIND_BY_DOSSIER_KIND = {"internal": "K", "external": "U"}
# What only the grant, activate, end and revoke methods may set: client access
# is billed to the office, so it changes only after the holder's password.
ACCESS_FIELDS = ("client_user_id", "access_category", "activation_ids", "active_module_ids")
# What ``_access_states`` compares, in its order: the office is kept too.
ACCESS_STATE_FIELDS = ("company_id", "client_user_id", "activation_ids", "active_module_ids",
                       "access_category")
# The access of a dossier that a user (not the access methods) creates.
NO_ACCESS = (None, False, frozenset(), frozenset(), False)
# The last day D was brought up to date (``_cron_refresh_active_modules``).
RUNNING_MARK = "octopus_titulaires.running_refreshed_on"
# The window action of each later change: the dossier's buttons and the list's
# Action menu open the change dialog through it, with the operation's title.
CHANGE_ACTIONS = {
    "activate": "octopus_titulaires.octopus_dossier_activate_action",
    "end": "octopus_titulaires.octopus_dossier_end_action",
    "revoke": "octopus_titulaires.octopus_dossier_revoke_action",
}
# The most characters an Excel cell holds: a longer name could not be exported
# and imported back as it is (openpyxl would cut it without a word).
TEXT_MAX_LENGTH = 32767


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
        ACCESS_CATEGORIES,
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
    activation_count = fields.Integer(compute="_compute_activation_figures")
    currency_id = fields.Many2one(related="company_id.currency_id")
    next_invoice_amount = fields.Monetary(
        string="Amount on the Next Invoice",
        compute="_compute_activation_figures",
        currency_field="currency_id",
        groups="octopus_titulaires.group_titulaire",
        help="What the dossier's modules add to the office's next invoice.",
    )
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
        dossiers_by_modules = defaultdict(list)
        for dossier in self:
            dossiers_by_modules[dossier.activation_ids._running(today).module_id].append(dossier.id)
        # One assignment per set of modules, not per dossier: each one reads and
        # writes the relation of all its dossiers at once, so that the daily
        # refresh costs as many queries for 50,000 dossiers as for 500.
        for modules, dossier_ids in dossiers_by_modules.items():
            self.browse(dossier_ids).active_module_ids = modules

    # The amount is read from the next invoice's lines where it is read
    # (``octopus.invoice.line``): it depends on the day, not only on the ledger.
    @api.depends("activation_ids")
    def _compute_activation_figures(self):
        amounts = self.env["octopus.invoice.line"]._amounts_by("dossier_id", self._origin)
        for dossier in self:
            dossier.activation_count = len(dossier.activation_ids)
            dossier.next_invoice_amount = amounts.get(dossier._origin.id, 0.0)

    @api.depends("code", "name")
    def _compute_display_name(self):
        for dossier in self:
            dossier.display_name = (
                f"[{dossier.code}] {dossier.name}" if dossier.code else dossier.name or ""
            )

    @api.constrains("kind", "client_user_id")
    def _check_client_user_kind(self):
        for dossier in self.filtered("client_user_id"):
            dossier._check_login_kind(dossier.client_user_id)

    @api.constrains("code", "name")
    def _check_text(self):
        """A dossier's code and name go to an Excel cell as they are: refused at
        input what a cell cannot hold, rather than cut or dropped at export."""
        for dossier in self:
            for field_name in ("code", "name"):
                if ILLEGAL_CHARACTERS_RE.search(dossier[field_name] or ""):
                    raise ValidationError(
                        self.env._(
                            "%(field)s of a dossier cannot hold control characters: "
                            "\"%(value)s\".",
                            field=self._fields[field_name]._description_string(self.env),
                            value=ILLEGAL_CHARACTERS_RE.sub("?", dossier[field_name][:30]),
                        )
                    )
                if len(dossier[field_name] or "") > TEXT_MAX_LENGTH:
                    raise ValidationError(
                        self.env._(
                            "%(field)s of a dossier holds at most %(limit)s characters (what an "
                            "Excel cell holds); \"%(start)s...\" is longer.",
                            field=self._fields[field_name]._description_string(self.env),
                            start=dossier[field_name][:30],
                            limit=TEXT_MAX_LENGTH,
                        )
                    )

    @api.constrains("client_user_id", "partner_id", "company_id")
    def _check_client_user_fits(self):
        for client_user, dossiers in self.filtered("client_user_id").grouped(
            "client_user_id"
        ).items():
            client_user._check_can_take(dossiers)

    @api.model
    def default_get(self, fields_list):
        """Client access is never a default: a context key (``default_client_user_id``)
        or a user default would grant a login, or fill D, without the password.
        A copy goes through here too (its access fields are not copied)."""
        defaults = super().default_get(fields_list)
        for name in ACCESS_FIELDS:
            defaults.pop(name, None)
        return defaults

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_access_fields(vals)
            self._check_office_allowed(
                self.env["res.company"].browse(vals.get("company_id")) or self.env.company
            )
        dossiers = super().create(vals_list)
        if not self.env.su:
            dossiers._check_access_result(dict.fromkeys(dossiers.ids, NO_ACCESS))
        return dossiers

    def write(self, vals):
        self._check_access_fields(vals)
        self._check_office_kept(self, vals)
        if "active" in vals and not vals["active"]:
            self._check_archivable()
        if vals.get("client_user_id"):
            self._check_no_other_login(vals["client_user_id"])
        before = None if self.env.su else self._access_states()
        result = super().write(vals)
        if before is not None:
            self._check_access_result(before)
        return result

    def message_post(self, **kwargs):
        """The message of a change of client access that the office holder
        confirmed for somebody else says who asked and who confirmed."""
        confirmation = confirmed_by_another(self.env)
        if confirmation and kwargs.get("body"):
            kwargs["body"] = Markup("%s<br/>%s") % (kwargs["body"], self.env._(
                "Asked by %(requested_by)s and confirmed by %(confirmed_by)s, the office holder.",
                requested_by=confirmation.requested_by.name,
                confirmed_by=confirmation.confirmed_by.name,
            ))
        return super().message_post(**kwargs)

    def copy_data(self, default=None):
        """A copy (Duplicate) is a new dossier of the same client without
        client access: its login and its ledger are not copied, so that an
        internal dossier's copy is A, and it takes a code that its office does
        not use yet, the original's with a suffix ("1001 (copy)", then
        "1001 (copy 2)"), since codes are unique per office."""
        vals_list = super().copy_data(default=default)
        if default and "code" in default:
            return vals_list
        Dossier = self.with_context(active_test=False)
        for dossier, vals in zip(self, vals_list):
            company_id = vals.get("company_id", dossier.company_id.id)
            taken = set(Dossier.search_fetch(
                [("company_id", "=", company_id),
                 ("code", "=like", f"{escape_psql(dossier.code)}%")], ["code"]).mapped("code"))
            code = self.env._("%(code)s (copy)", code=dossier.code)
            number = 1
            while code in taken:
                number += 1
                code = self.env._("%(code)s (copy %(number)s)", code=dossier.code, number=number)
            vals["code"] = code
        return vals_list

    def _check_access_fields(self, vals):
        """Refuse at once a request that names client access in its values
        (the result's guard, ``_check_access_result``, would refuse it after
        the write, but constraints on the login could speak first)."""
        if self.env.su:
            return
        # Forms and imports send the unchanged (or empty, on create) login along
        # with the other fields.
        login_id = vals.get("client_user_id") or False
        login_changes = any(d.client_user_id.id != login_id for d in self) or (
            not self and login_id
        )
        self._refuse_access_change(
            name for name in ACCESS_FIELDS
            if name in vals and (name != "client_user_id" or login_changes)
        )

    def _refuse_access_change(self, field_names):
        """An AccessError naming ``field_names``, if there are any."""
        field_names = set(field_names)
        names = [name for name in ACCESS_STATE_FIELDS if name in field_names]
        if names:
            raise AccessError(
                self.env._(
                    "The client access of a dossier changes only through Grant Client Access, "
                    "Activate Modules, End Modules or Revoke Client Access (refused: %(fields)s).",
                    fields=", ".join(
                        self._fields[name]._description_string(self.env) for name in names
                    ),
                )
            )

    def _access_states(self):
        """{dossier id: what its client access is}: the office, the login, the
        ledger's lines with their end dates, D, and the category when a login
        decides it (without one, the category follows the kind: A or B)."""
        self.flush_recordset()
        return {
            dossier.id: (
                dossier.company_id.id,
                dossier.client_user_id.id,
                frozenset((activation.id, activation.date_end)
                          for activation in dossier.activation_ids),
                frozenset(dossier.active_module_ids.ids),
                dossier.access_category if dossier.client_user_id else False,
            )
            for dossier in self.with_context(active_test=False)
        }

    def _check_access_result(self, before):
        """The one guard of client access, on the result of a write rather than
        its request: whatever path wrote the dossiers (vals, context or user
        defaults, ``copy``, ``name_create``, ``web_save``, ``load``, an import),
        their access is what it was (``before``), unless the grant, activate, end
        and revoke methods wrote it as superuser after the password. A new
        dossier belongs to one of the user's offices and has no client access."""
        after = self._access_states()
        allowed_offices = self.env.user.company_ids.ids
        changed = set()
        for dossier_id, state in after.items():
            expected = before.get(dossier_id)
            if expected is NO_ACCESS:
                expected = (state[0] if state[0] in allowed_offices else None, *NO_ACCESS[1:])
            changed.update(ACCESS_STATE_FIELDS[index]
                           for index, (old, new) in enumerate(zip(expected, state))
                           if old != new)
        self._refuse_access_change(changed)

    def _check_archivable(self):
        """An archived dossier leaves the invoice and the portal: while its client
        has access, its modules run and are billed, so access is revoked first
        (with the password), which ends them."""
        with_access = self.filtered(lambda dossier: dossier.access_category == "C")
        if with_access:
            raise UserError(
                self.env._(
                    "Dossier %(dossier)s has client access: revoke it (Revoke Client Access) "
                    "before archiving the dossier.",
                    dossier=with_access[0].display_name,
                )
            )

    @api.model
    def _check_office_allowed(self, company):
        """A user creates records only in the offices it belongs to."""
        if not self.env.su and company not in self.env.user.company_ids:
            raise AccessError(
                self.env._(
                    "You do not work for the office %(office)s.",
                    office=company.sudo().display_name,
                )
            )

    @api.model
    def _check_office_kept(self, records, vals):
        """A dossier, a login or an activation never moves to another office: its
        ledger and its invoice lines belong to the office it was created in."""
        if "company_id" not in vals:
            return
        moved = records.filtered(lambda record: record.company_id.id != vals["company_id"])
        if moved:
            raise UserError(
                self.env._(
                    "%(record)s belongs to %(office)s and cannot move to another office.",
                    record=moved[0].display_name,
                    office=moved[0].company_id.name,
                )
            )

    def _check_login_kind(self, client_user):
        """A K login belongs to internal dossiers only, a U login to external
        ones: the constraint on the dossiers' own login, and the check of a
        login before it is attached (``_check_can_attach``)."""
        for dossier in self:
            expected = LOGIN_KIND_BY_DOSSIER_KIND[dossier.kind]
            if client_user.kind != expected:
                raise ValidationError(
                    self.env._(
                        "Dossier %(dossier)s is %(kind)s: it only accepts a %(expected)s "
                        "login, not %(login)s.",
                        dossier=dossier.display_name,
                        kind=dict(
                            self._fields["kind"]._description_selection(self.env)
                        )[dossier.kind],
                        expected=expected,
                        login=client_user.login,
                    )
                )

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

    def action_grant_access(self):
        return self._open_access_dialog("octopus_titulaires.octopus_dossier_grant_action")

    def action_activate_modules(self):
        return self._open_access_dialog(CHANGE_ACTIONS["activate"], operation="activate")

    def action_end_modules(self):
        return self._open_access_dialog(CHANGE_ACTIONS["end"], operation="end")

    def action_revoke_access(self):
        return self._open_access_dialog(CHANGE_ACTIONS["revoke"], operation="revoke")

    def _open_access_dialog(self, xmlid, operation=None):
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        context = {"default_dossier_ids": self.ids}
        if operation:
            context["default_operation"] = operation
        action["context"] = context
        return action

    # Granting and changing client access: reached only from a dialog or an import
    # that checked the password; a refusal raises, and the request's transaction
    # writes nothing.

    def _check_password(self, password, subject=None, office=None):
        """The confirmation of a change of client access to these dossiers (or
        in ``office``): the password of the office holder, or of the current
        user, as the office chose (``res.company._octopus_check_confirmation``),
        the failure logged with these dossiers (or ``subject``)."""
        office = office or self._confirming_office()
        office._octopus_check_confirmation(
            password, subject or ", ".join(self.mapped("display_name")) or "no dossier")

    def _confirming_office(self):
        """The office whose rule confirms a change of these dossiers: one
        office at a time, since each has its own holder."""
        if len(self.company_id) > 1:
            raise UserError(
                self.env._(
                    "%(dossiers)s belong to several offices, each confirmed by its own holder: "
                    "change them office by office.",
                    dossiers=", ".join(self.mapped("display_name")),
                )
            )
        return self.company_id or self.env.company

    def _sudo_for_access(self):
        """These dossiers as superuser, once the user is known to be allowed to
        change them: the methods below write logins and activations, which no user
        may write directly (the pattern of Odoo's portal wizard)."""
        self.check_access("write")
        return self.sudo()

    def _grant_access(self, modules, office_email, client_email, client_user=None,
                      portal=False, lang=None):
        """Give the client of these internal dossiers a K login: a new one, or
        ``client_user`` when the dossiers are added to an existing login.

        Writes the login, the activations of ``modules`` (the default module is
        always added) at today's tariffs, a chatter message per dossier, and queues
        the activation confirmation and the client-username mail to the office.
        With ``portal`` the client also gets a portal user, and its own address
        (``client_email``) alone the portal's mail: the invitation to choose a
        password, or a notice of its new dossiers when that portal user exists
        already (``_grant_portal_access``); the office never receives the
        invitation's link. ``_grant_mail_plan`` lists these mails for the dialog.

        ``lang`` (an installed language, the dialog's screen 3) is written on the
        client's contacts first, so that the client's mails and the portal user
        made here speak it; ``None`` leaves them as they are.
        """
        self._lock_for_update()
        self._check_grantable(client_user)
        if lang is not None:
            self._check_client_lang(lang)
        if client_user:
            client_user.check_access("read")
        dossiers = self._sudo_for_access()
        new_login = not client_user
        if client_user:
            client_user = client_user.sudo()
            client_user.write({"office_email": office_email, "email": client_email})
        else:
            client_user = dossiers.env["octopus.client.user"].create(
                {
                    "kind": "K",
                    "company_id": dossiers.company_id.id,
                    # The main dossier's client; the others are additional dossiers.
                    "partner_id": dossiers.partner_id[:1].id,
                    "email": client_email,
                    "office_email": office_email,
                }
            )
        if lang is not None:
            (client_user.partner_id | dossiers.partner_id).write({"lang": lang})
        self._attach_logins(client_user)
        default_module = self.env["octopus.module"]._default_module()
        activations = self._start_modules(modules | default_module)
        for dossier in dossiers:
            dossier.message_post(
                body=self.env._(
                    "Client access granted with login %(login)s; modules activated: "
                    "%(modules)s.",
                    login=client_user.login,
                    modules=dossier._module_names(activations),
                )
            )
        client_mail = False
        if portal and not client_user.user_id:
            client_mail = client_user._grant_portal_access()
        client_user._queue_access_mails(client_mail, added=activations, new_login=new_login)
        return client_user.sudo(False)

    def _client_lang(self, client_user=None):
        """The language the client of these dossiers reads, as its contact says
        (``client_user``'s when the dossiers join that login), else its
        office's: an installed language, the grant's default."""
        installed = dict(self.env["res.lang"].get_installed())
        contact = client_user.partner_id if client_user else self.partner_id[:1]
        for lang in (contact.lang, self.company_id[:1].partner_id.lang, self.env.lang):
            if lang in installed:
                return lang
        return False

    @api.model
    def _check_client_lang(self, lang):
        if lang not in dict(self.env["res.lang"].get_installed()):
            raise UserError(self.env._(
                "Client language: choose one of the installed languages (%(lang)s is not one).",
                lang=lang or self.env._("none")))

    def _activate_modules(self, modules):
        """Activate more modules from today on dossiers that have client access.
        A module the dossier runs already is refused: the dialog offers only
        the others, and the chatter says what started."""
        self._lock_for_update()
        self._check_category("C")
        today = fields.Date.context_today(self)
        for dossier in self:
            running = modules & dossier.activation_ids._running(today).module_id
            if running:
                raise UserError(
                    self.env._(
                        "Dossier %(dossier)s runs %(modules)s already: choose modules it does "
                        "not run yet.",
                        dossier=dossier.display_name,
                        modules=", ".join(running.mapped("name")),
                    )
                )
        activations = self._start_modules(modules)
        for dossier in self._sudo_for_access():
            dossier.message_post(
                body=self.env._(
                    "Modules activated: %(modules)s.",
                    modules=dossier._module_names(activations),
                )
            )
        return activations.sudo(False)

    def _end_modules(self, modules, date_end=None):
        """Stop running modules on ``date_end`` (today by default; later, they run
        until then); the ledger keeps their lines. A day already past is refused:
        the office may have been billed for it."""
        today = fields.Date.context_today(self)
        date_end = date_end or today
        if date_end < today:
            raise UserError(
                self.env._(
                    "Modules cannot be ended on %(date)s, a day already past: choose today "
                    "or a later day.",
                    date=format_date(self.env, date_end),
                )
            )
        self._lock_for_update()
        self._check_endable(modules)
        for dossier in self._sudo_for_access():
            running = dossier.activation_ids._running(today).filtered(
                lambda a: a.module_id in modules
            )
            running.write({"date_end": date_end})
            dossier.message_post(
                body=self.env._(
                    "Modules ended on %(date)s: %(modules)s.",
                    date=format_date(self.env, date_end),
                    modules=", ".join(running.module_id.mapped("name")),
                )
            )

    def _revoke_access(self):
        """Take the K login off these dossiers: they fall back to A, their running
        modules end today, and a login left without dossiers is revoked."""
        self._lock_for_update()
        self._check_category("C")
        dossiers = self._sudo_for_access()
        today = fields.Date.context_today(self)
        client_users = dossiers.client_user_id
        for dossier in dossiers:
            login = dossier.client_user_id.login
            dossier.activation_ids._running(today).write({"date_end": today})
            dossier.client_user_id = False
            dossier.message_post(
                body=self.env._(
                    "Client access revoked: login %(login)s removed, running modules "
                    "ended on %(date)s.",
                    login=login,
                    date=format_date(self.env, today),
                )
            )
        client_users._revoke_if_unused()

    def _attach_logins(self, logins):
        """Give each of these dossiers its login: ``logins`` is the login of all
        of them, or {dossier id: octopus.client.user} when each has its own (an
        import's rows); a dossier that holds it already is left as it is.
        Returns the dossiers that got a login.

        The one way a login reaches a dossier, for the grant and the import
        alike: the rules are checked here (``_check_can_attach``), so that a
        rule added for the grant holds for the import without being said
        twice. One lock for all the dossiers, whatever their number: the
        import attaches a hundred rows' logins at a time."""
        logins = self._per_dossier(logins)
        self._lock_for_update()
        changing = self.filtered(lambda dossier: dossier.client_user_id != logins[dossier.id])
        by_login = changing.grouped(lambda dossier: logins[dossier.id])
        for client_user, dossiers in by_login.items():
            dossiers._check_can_attach(client_user)
        for client_user, dossiers in changing._sudo_for_access().grouped(
            lambda dossier: logins[dossier.id]
        ).items():
            dossiers.write({"client_user_id": client_user.id})
        return changing

    def _start_modules(self, modules):
        """Start from today, on each of these dossiers, its modules that it does
        not run yet, at today's tariffs: ``modules`` are the modules of all of
        them, or {dossier id: octopus.module} when each has its own (an
        import's rows). Returns the new activations (as superuser).

        The one way modules start, for the grant, Activate Modules and the
        import: modules run only on an active dossier with a login (K or U),
        so an A dossier runs none and an archived one gets none (it is restored
        first, by hand). One lock and one create for all the dossiers: the
        import starts a hundred rows' modules at a time."""
        self._lock_for_update()
        self._check_active()
        self._check_has_login()
        modules = self._per_dossier(modules)
        today = fields.Date.context_today(self)
        new_modules = {
            dossier.id: modules[dossier.id] - dossier.activation_ids._running(today).module_id
            for dossier in self
        }
        return self._sudo_for_access()._create_activations(new_modules)

    def _cost_preview(self, modules, on_date):
        """Per module: the annual price at ``on_date`` and the prorated amount for
        the rest of the billing year, for all these dossiers together."""
        # A dialog computes this on its unsaved copies of the modules: use the originals.
        return self.with_company(self.company_id[:1] or self.env.company)._cost_preview_of_counts(
            dict.fromkeys(modules._origin.sorted(), len(self)), on_date)

    @api.model
    def _cost_preview_of_counts(self, counts, on_date):
        """The cost preview of starting each module of ``counts`` ({module:
        number of dossiers}) on ``on_date`` in the current office: per module,
        its annual price and, for its dossiers together, the annual total and
        the prorated amount for the rest of the billing year; and the totals."""
        company = self.env.company
        period = company._octopus_billing_year(on_date)
        currency = company.currency_id
        Activation = self.env["octopus.module.activation"]
        lines = []
        for module in self.env["octopus.module"].union(*counts).sorted():
            count = counts[module]
            annual_price = module._get_price(on_date)
            # Priced as the activation that confirming writes, without writing it.
            prorated = Activation.new(
                {"module_id": module.id, "date_start": on_date, "annual_price": annual_price}
            )._amount_in_period(period)
            lines.append(
                {
                    "module": module,
                    "dossier_count": count,
                    "annual_price": annual_price,
                    "annual_total": currency.round(annual_price * count),
                    "prorated_total": currency.round(prorated * count),
                }
            )
        return {
            "lines": lines,
            "period": period,
            "currency": currency,
            "annual_total": currency.round(sum(line["annual_total"] for line in lines)),
            "prorated_total": currency.round(sum(line["prorated_total"] for line in lines)),
        }

    def _end_preview(self, modules=None, date_end=None):
        """What ending ``modules`` (all the running ones when None, as a revoke
        does) on ``date_end`` (today by default) would stop on these dossiers
        and remove from the office's next invoice, without writing anything:
        what the End and Revoke dialogs, and a request to the holder, recap.

        A dict: ``period`` (the next invoice's billing year), ``currency``,
        ``dossiers`` (per dossier: ``dossier`` and its ``lines``, one per
        module that stops: ``module``, ``date_end``, the amount on the next
        invoice ``before`` and ``after``), the totals ``before``, ``after``
        and ``loss``, and the office's whole next invoice ``invoice_before``
        and ``invoice_after``. Before is the invoice's own line
        (``next_invoice_amount``); after is that line priced by the same rule
        with the new end (``_amount_in_period``), for what the invoice bills
        (an activation under C on an active dossier)."""
        today = fields.Date.context_today(self)
        date_end = date_end or today
        company = self.company_id[:1] or self.env.company
        period = company._octopus_next_billing_year(today)
        currency = company.currency_id
        Activation = self.env["octopus.module.activation"]
        dossiers = []
        for dossier in self._origin.sorted(lambda dossier: (dossier.code or "", dossier.id)):
            running = dossier.activation_ids._running(today)
            if modules is not None:
                running = running.filtered(lambda activation: activation.module_id in modules)
            lines = []
            for activation in running.sorted(lambda activation: activation.module_id.sequence):
                after = 0.0
                if activation.access_category == "C" and dossier.active:
                    after = Activation.new({
                        "module_id": activation.module_id.id,
                        "date_start": activation.date_start,
                        "date_end": date_end,
                        "annual_price": activation.annual_price,
                    })._amount_in_period(period)
                lines.append({"module": activation.module_id, "date_end": date_end,
                              "before": activation.next_invoice_amount,
                              "after": currency.round(after)})
            dossiers.append({"dossier": dossier, "lines": lines})
        before = currency.round(sum(line["before"] for item in dossiers for line in item["lines"]))
        after = currency.round(sum(line["after"] for item in dossiers for line in item["lines"]))
        # The office's whole next invoice: its Packet Deal fee and all its lines.
        invoice_before = currency.round(
            company.octopus_packet_deal_fee
            + self.env["octopus.invoice.line"]._amounts_by("company_id", company).get(
                company.id, 0.0))
        return {
            "period": period,
            "currency": currency,
            "dossiers": dossiers,
            "before": before,
            "after": after,
            "loss": currency.round(before - after),
            "invoice_before": invoice_before,
            "invoice_after": currency.round(invoice_before - before + after),
        }

    def _revoke_preview(self):
        """What revoking these dossiers' client access would do, without
        writing anything: ``_end_preview`` of every running module, today, and
        per login (``logins``): the ``login``, the dossiers it keeps
        (``kept``; none: it is revoked) and the portal user that loses the
        portal with it (``portal_user``), as ``_revoke_access`` and
        ``octopus.client.user._revoke_if_unused`` would decide."""
        preview = self._end_preview()
        dossiers = self._origin
        logins = []
        for client_user in dossiers.client_user_id:
            kept = client_user.dossier_ids - dossiers
            portal_user = self.env["res.users"]
            if not kept and client_user.user_id:
                # The portal stays with a user that signs in for another active login.
                others = self.env["octopus.client.user"].sudo().search_count([
                    ("user_id", "=", client_user.user_id.id), ("state", "=", "active"),
                    ("id", "not in", dossiers.client_user_id.ids)])
                if not others and client_user.user_id.sudo()._is_portal():
                    portal_user = client_user.user_id
            logins.append({"login": client_user, "dossiers": client_user.dossier_ids & dossiers,
                           "kept": kept, "portal_user": portal_user})
        return dict(preview, logins=logins)

    def _check_grantable(self, client_user=None):
        """Why these dossiers cannot get a K login, as a UserError naming them."""
        if not self:
            raise UserError(self.env._("Select at least one dossier."))
        self._check_active()
        for dossier in self:
            if dossier.kind != "internal":
                raise UserError(
                    self.env._(
                        "Dossier %(dossier)s is external: its client has a U login of its own; "
                        "a K login is only for internal dossiers.",
                        dossier=dossier.display_name,
                    )
                )
            if dossier.access_category == "C" or dossier.client_user_id:
                raise UserError(
                    self.env._(
                        "Dossier %(dossier)s already has client access (login %(login)s).",
                        dossier=dossier.display_name,
                        login=dossier.client_user_id.login,
                    )
                )
        if len(self.company_id) > 1:
            raise UserError(
                self.env._(
                    "One K login covers dossiers of one office: %(dossiers)s belong to several.",
                    dossiers=", ".join(self.mapped("display_name")),
                )
            )
        if client_user:
            if client_user.kind != "K":
                raise UserError(
                    self.env._(
                        "Login %(login)s is a U login; only a K login takes internal dossiers.",
                        login=client_user.login,
                    )
                )
            client_user._check_can_take(self)

    def _check_active(self):
        """An archived dossier gets no login and no module: it is restored first."""
        for dossier in self:
            if not dossier.active:
                raise UserError(
                    self.env._("Dossier %(dossier)s is archived.", dossier=dossier.display_name)
                )

    def _check_has_login(self):
        """Modules run only on a dossier with a login (K or U): an A dossier runs none."""
        for dossier in self:
            if dossier.client_user_id.state != "active":
                raise UserError(
                    self.env._(
                        "Dossier %(dossier)s has no client login: modules run only on a dossier "
                        "with a login (K or U).",
                        dossier=dossier.display_name,
                    )
                )

    def _check_can_attach(self, client_user):
        """Why these dossiers cannot take the login ``client_user`` (an error
        naming them): the login is one the user may read, active, of the
        dossiers' office, client and kind; the dossiers are active and hold no
        other login."""
        client_user.with_env(self.env).check_access("read")
        self._check_active()
        self._check_login_kind(client_user)
        self._check_no_other_login(client_user.id)
        client_user._check_can_take(self)

    def _check_endable(self, modules):
        """Why ``modules`` cannot be ended on these dossiers (a UserError naming
        them).

        Whatever runs can be ended, whatever the dossier's category, so that
        every running activation can be ended from a screen: the import gives
        modules to B dossiers (external, U login), which no other dialog
        changes, and earlier imports gave some to dossiers without a login.
        Ending never adds to an invoice. Only the default module stays as long
        as the client has access (C): revoking the access ends it."""
        today = fields.Date.context_today(self)
        default_module = self.env["octopus.module"]._default_module()
        for dossier in self:
            if dossier.access_category == "C" and modules & default_module:
                raise UserError(
                    self.env._(
                        "%(module)s stays active as long as the client has access: revoke "
                        "the access instead.",
                        module=default_module.name,
                    )
                )
            missing = modules - dossier.activation_ids._running(today).module_id
            if missing:
                raise UserError(
                    self.env._(
                        "Dossier %(dossier)s has no running module %(modules)s to end.",
                        dossier=dossier.display_name,
                        modules=", ".join(missing.mapped("name")),
                    )
                )

    def _check_category(self, category):
        for dossier in self:
            if dossier.access_category != category:
                raise UserError(
                    self.env._(
                        "Dossier %(dossier)s is in category %(current)s; this needs "
                        "category %(expected)s.",
                        dossier=dossier.display_name,
                        current=dossier.access_category,
                        expected=category,
                    )
                )

    def _lock_for_update(self):
        """Lock the dossiers' rows until the transaction ends and mark them
        changed, then read them again: two changes of the same dossiers in
        flight give the result of one after the other.

        A user who changes them while another's change is still running is
        told at once. One whose request began before the other's change was
        committed would still see the dossiers as they were (Odoo's requests
        read one snapshot): since every change of access updates the rows it
        locks, PostgreSQL refuses that request's lock as a concurrent update,
        and Odoo runs the request again, on the committed change."""
        if not self:
            return
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    "SELECT id FROM octopus_dossier WHERE id IN %s FOR UPDATE NOWAIT",
                    [tuple(self.ids)],
                    log_exceptions=False,
                )
        except LockNotAvailable:
            raise UserError(
                self.env._(
                    "Another user is changing %(dossiers)s right now; try again in a moment.",
                    dossiers=", ".join(self.mapped("display_name")),
                )
            ) from None
        self.env.cr.execute(
            SQL("UPDATE octopus_dossier SET write_uid = %s, write_date = %s WHERE id IN %s",
                self.env.uid, self.env.cr.now(), tuple(self.ids))
        )
        self.invalidate_recordset()
        self.env["octopus.module.activation"].invalidate_model()
        self.env["octopus.client.user"].invalidate_model()

    def _module_names(self, activations):
        """The names of the modules ``activations`` brought to this dossier."""
        self.ensure_one()
        mine = activations.filtered(lambda activation: activation.dossier_id == self)
        return ", ".join(mine.module_id.mapped("name"))

    def _per_dossier(self, value):
        """{dossier id: value} for these dossiers: ``value`` itself when it is
        given per dossier (a dict), else the one value of all of them."""
        return value if isinstance(value, dict) else dict.fromkeys(self.ids, value)

    def _create_activations(self, modules):
        """The activations from today of each of these dossiers' modules
        (``modules``: as ``_start_modules`` takes them), in one create."""
        modules = self._per_dossier(modules)
        today = fields.Date.context_today(self)
        return self.env["octopus.module.activation"].create(
            [
                {"dossier_id": dossier.id, "module_id": module.id, "date_start": today}
                for dossier in self
                for module in modules[dossier.id]
            ]
        )

    @api.model
    def _cron_refresh_active_modules(self):
        """Running depends on the date, D is stored (the list searches, groups
        and counts by it): bring D up to date with every activation that
        started or stopped since D was last brought up to date, whatever the
        number of days between: a missed day, two missed weeks, a database
        restored from an older backup (its mark is restored with it).

        The mark is kept in this transaction, not taken from the job's
        ``lastcall``, which Odoo moves on even when a run fails. Only the
        dossiers concerned are rewritten, in two statements whatever their
        number (the ORM would read and write them a thousand at a time), by
        the one definition of Running; no stored field depends on D."""
        today = fields.Date.context_today(self)
        parameters = self.env["ir.config_parameter"].sudo()
        since = fields.Date.to_date(parameters.get_param(RUNNING_MARK))
        if since and since >= today:
            return
        self.env.flush_all()
        Activation = self.env["octopus.module.activation"].sudo()
        changed = Activation._search(self._changing_activations_domain(since, today))
        dossier_ids = changed.subselect(SQL.identifier(changed.table, "dossier_id"))
        running = Activation._search(
            [("dossier_id", "in", dossier_ids), *Activation._running_domain(today)])
        field = self._fields["active_module_ids"]
        relation = SQL.identifier(field.relation)
        columns = SQL("%s, %s", SQL.identifier(field.column1), SQL.identifier(field.column2))
        self.env.cr.execute(SQL("DELETE FROM %s WHERE %s IN %s", relation,
                                SQL.identifier(field.column1), dossier_ids))
        self.env.cr.execute(SQL("INSERT INTO %s (%s) %s", relation, columns, running.select(
            SQL("DISTINCT %s, %s", SQL.identifier(running.table, "dossier_id"),
                SQL.identifier(running.table, "module_id")))))
        self.invalidate_model(["active_module_ids"])
        parameters.set_param(RUNNING_MARK, fields.Date.to_string(today))

    @api.model
    def _changing_activations_domain(self, since, today):
        """The activations that started or stopped after ``since`` (ever, when
        D was never brought up to date) and on or before ``today``."""
        changed = [[(fname, "<=", today)] + ([(fname, ">", since)] if since else [])
                   for fname in ("date_start", "date_end")]
        return expression.OR(changed)
