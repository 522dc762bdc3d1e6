import datetime

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import clean_context

from ..tools import AccessConfirmation
from .octopus_dossier import ACCESS_STATE_FIELDS

# The dialog that asks for each change, and whose methods make it once the
# holder confirms.
DIALOGS = {
    "grant": "octopus.dossier.grant",
    "activate": "octopus.dossier.change",
    "end": "octopus.dossier.change",
    "revoke": "octopus.dossier.change",
}
# The activity that reaches the holder, and the requester after a refusal.
TODO = "mail.mail_activity_data_todo"


def _jsonable(value):
    """``value`` (a dossier's access state) as JSON stores it and gives it
    back: sets as sorted lists, dates as text."""
    if isinstance(value, frozenset):
        return sorted((_jsonable(item) for item in value), key=repr)
    if isinstance(value, tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, datetime.date):
        return fields.Date.to_string(value)
    return value


class OctopusAccessRequest(models.Model):
    """A change of client access that a B user asked the office holder to
    confirm instead of typing the holder's password (Octopus's four eyes,
    without sharing a password): what the grant or change dialog would have
    confirmed, kept as it was asked, with its recap and cost of that day.

    The holder confirms it with their own password, which makes the change
    with the dialog's own methods, or refuses it with a reason. Nobody edits
    a request: only its methods below move its state, once."""

    _name = "octopus.access.request"
    _description = "Request to the Office Holder"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True
    # The office's B users read a request and may discuss it in its chatter,
    # but none writes it (its access rights are read-only).
    _mail_post_access = "read"

    company_id = fields.Many2one(
        "res.company", string="Office", required=True, readonly=True, index=True)
    state = fields.Selection(
        [
            ("requested", "Waiting for the Holder"),
            ("confirmed", "Confirmed"),
            ("refused", "Refused"),
            ("cancelled", "Cancelled"),
        ],
        default="requested",
        required=True,
        readonly=True,
        index=True,
        tracking=True,
    )
    operation = fields.Selection(
        [
            ("grant", "Grant client access"),
            ("activate", "Activate modules"),
            ("end", "End modules"),
            ("revoke", "Revoke client access"),
        ],
        string="Change",
        required=True,
        readonly=True,
    )
    dossier_ids = fields.Many2many(
        "octopus.dossier",
        "octopus_access_request_dossier_rel",
        "request_id",
        "dossier_id",
        string="Dossiers",
        readonly=True,
        check_company=True,
        # An archived dossier stays in the request, to be named as such.
        context={"active_test": False},
    )
    client_user_id = fields.Many2one(
        "octopus.client.user",
        string="Existing K Login",
        readonly=True,
        check_company=True,
        help="The K login the dossiers are added to; empty for a new K login.",
    )
    office_email = fields.Char(string="Office E-mail", readonly=True)
    client_email = fields.Char(string="Client E-mail", readonly=True)
    portal_access = fields.Boolean(readonly=True)
    lang = fields.Selection(selection="_lang_selection", string="Client Language",
                            readonly=True)
    module_ids = fields.Many2many(
        "octopus.module",
        "octopus_access_request_module_rel",
        "request_id",
        "module_id",
        string="Modules",
        readonly=True,
    )
    date_end = fields.Date(string="Ended On", readonly=True)
    recap = fields.Html(string="Recap When Asked", readonly=True)
    recap_today = fields.Html(compute="_compute_recap_today", sanitize=False)
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount_annual = fields.Monetary(
        string="Yearly Cost When Asked", readonly=True, currency_field="currency_id")
    amount_prorated = fields.Monetary(
        string="Cost until the End of the Billing Year When Asked", readonly=True,
        currency_field="currency_id")
    requested_by_id = fields.Many2one(
        "res.users", string="Asked By", required=True, readonly=True, index=True,
        default=lambda self: self.env.user)
    holder_id = fields.Many2one(
        "res.users", string="Asked To", readonly=True,
        help="The office holder, who confirms or refuses the request.")
    answered_by_id = fields.Many2one("res.users", readonly=True)
    answered_on = fields.Datetime(readonly=True)
    refusal_reason = fields.Text(readonly=True)
    # The dossiers' client access when the request was asked: a request whose
    # dossiers changed since is not confirmed (``_stale_reason``).
    access_snapshot = fields.Json(readonly=True)
    stale_reason = fields.Char(compute="_compute_stale_reason")
    # Which of the form's buttons the reader may use.
    can_answer = fields.Boolean(compute="_compute_can_answer")
    can_cancel = fields.Boolean(compute="_compute_can_answer")

    @api.model
    def _lang_selection(self):
        return self.env["res.lang"].get_installed()

    @api.depends("operation", "dossier_ids")
    def _compute_display_name(self):
        operations = dict(self._fields["operation"]._description_selection(self.env))
        for request in self:
            request.display_name = self.env._(
                "%(change)s: %(dossiers)s",
                change=operations.get(request.operation, ""),
                dossiers=", ".join(request.dossier_ids.mapped("code")),
            )

    @api.depends_context("uid")
    def _compute_recap_today(self):
        for request in self:
            waiting = request.state == "requested" and request.dossier_ids
            request.recap_today = waiting and request._dialog(new=True).recap

    def _compute_stale_reason(self):
        for request in self:
            request.stale_reason = request.state == "requested" and request._stale_reason()

    @api.depends_context("uid")
    def _compute_can_answer(self):
        for request in self:
            waiting = request.state == "requested"
            request.can_answer = waiting and not request._answer_problem()
            request.can_cancel = waiting and request.requested_by_id == self.env.user

    def action_open_confirm(self):
        return self._open_answer("confirm")

    def action_open_refuse(self):
        return self._open_answer("refuse")

    def action_cancel(self):
        """The requester takes the request back, while it waits."""
        self.ensure_one()
        self._check_waiting()
        if self.requested_by_id != self.env.user:
            raise UserError(
                self.env._("Only %(user)s, who asked, cancels request %(request)s.",
                           user=self.requested_by_id.name, request=self.display_name))
        self._close("cancelled")
        self.sudo().activity_unlink([TODO], user_id=self.holder_id.id)
        self.message_post(body=self.env._("Cancelled by %(user)s.", user=self.env.user.name))

    # Asking, confirming and refusing: the rules of a request.

    @api.model
    def _holder_problem(self, office):
        """Why ``office`` has no holder to answer a request (a translated
        sentence), or False."""
        if office.octopus_confirmation != "holder":
            return self.env._(
                "Office %(office)s has each B user confirm changes of client access with their "
                "own password: it has no office holder to ask.",
                office=office.name,
            )
        return office._octopus_holder_problem()

    @api.model
    def _ask_problem(self, office):
        """Why the current user cannot ask the holder of ``office`` to confirm
        a change, or False."""
        problem = self._holder_problem(office)
        if not problem and office.sudo().octopus_holder_id == self.env.user:
            problem = self.env._(
                "You are the office holder of %(office)s: confirm with your own password.",
                office=office.name,
            )
        return problem

    @api.model
    def _ask_holder(self, dialog):
        """Save what ``dialog`` (a grant or change dialog whose screens were
        checked) would confirm as a request to the office holder, priced
        today, and give the holder an activity on it."""
        office = dialog._confirming_office()
        problem = self._ask_problem(office)
        if problem:
            raise UserError(problem)
        self.env["octopus.dossier"]._check_office_allowed(office)
        # Who asks may change these dossiers, as the dialog's own Confirm requires.
        dossiers = dialog.dossier_ids
        dossiers.check_access("write")
        request = self.sudo().create(dict(
            dialog._request_values(),
            company_id=office.id,
            requested_by_id=self.env.uid,
            holder_id=office.sudo().octopus_holder_id.id,
            recap=dialog.recap,
            access_snapshot=self._access_snapshot(dossiers),
        ))
        request.write(request._amounts_today())
        request._notify_holder()
        return request.sudo(False)

    def _confirm(self, password):
        """The holder confirms with their own ``password``: the change is made
        by the dialog's methods, as the requester asked it, and the ledger, the
        chatter and the grant's mails name who asked and who confirmed. Refused,
        with nothing written, when the dossiers changed since it was asked."""
        self.ensure_one()
        self._check_answerable()
        stale = self._stale_reason()
        if stale:
            raise UserError(self.env._(
                "%(reason)s Nothing was changed: refuse this request; %(user)s asks again if "
                "the change is still wanted.", reason=stale, user=self.requested_by_id.name))
        self.company_id._octopus_check_confirmation(password, self.display_name)
        dialog = self._dialog()
        dialog._check_steps()
        dialog._apply(AccessConfirmation(self.requested_by_id, self.env.user))
        self._close("confirmed")
        self.sudo().activity_feedback([TODO], user_id=self.holder_id.id)
        body = self.env._("Confirmed by %(holder)s with their password.",
                          holder=self.env.user.name)
        if self.operation == "grant":
            body = self.env._("Confirmed by %(holder)s with their password: login %(login)s.",
                              holder=self.env.user.name, login=dialog.granted_login)
        self.message_post(body=body, partner_ids=self.requested_by_id.partner_id.ids,
                          subtype_xmlid="mail.mt_note")

    def _refuse(self, reason):
        """The holder refuses, with a reason that goes back to the requester
        as an activity; nothing else is written."""
        self.ensure_one()
        self._check_answerable()
        reason = (reason or "").strip()
        if not reason:
            raise UserError(self.env._(
                "Give the reason of the refusal (field Reason): it goes back to %(user)s.",
                user=self.requested_by_id.name))
        self._close("refused", refusal_reason=reason)
        self.sudo().activity_feedback([TODO], user_id=self.holder_id.id)
        requester = self.requested_by_id
        in_their_language = self.with_context(lang=requester.lang)
        self.sudo().activity_schedule(
            TODO,
            user_id=requester.id,
            summary=in_their_language.env._("Refused by the office holder"),
            note=reason,
        )
        self.message_post(body=self.env._("Refused by %(holder)s: %(reason)s",
                                          holder=self.env.user.name, reason=reason))

    def _check_waiting(self):
        for request in self:
            if request.state != "requested":
                raise UserError(self.env._(
                    "Request %(request)s is %(state)s already: it is answered once.",
                    request=request.display_name,
                    state=dict(self._fields["state"]._description_selection(self.env))[
                        request.state].lower(),
                ))

    def _check_answerable(self):
        """Only the office's holder answers a waiting request, never their own."""
        self._check_waiting()
        for request in self:
            problem = request._answer_problem()
            if problem:
                raise UserError(problem)

    def _answer_problem(self):
        """Why the current user cannot confirm or refuse the request, or False."""
        self.ensure_one()
        office = self.company_id
        problem = self._holder_problem(office)
        if problem:
            return problem
        holder = office.sudo().octopus_holder_id
        if holder != self.env.user:
            return self.env._(
                "Only the office holder of %(office)s, %(holder)s, confirms or refuses the "
                "requests of its B users.", office=office.name, holder=holder.name)
        if self.requested_by_id == self.env.user:
            return self.env._("You asked for this change yourself: another person confirms it.")
        return False

    def _close(self, state, **values):
        """Move the request to its final ``state``, with who answered and when:
        the one write a request takes, besides its holder (``_hand_to_holder``)."""
        self.sudo().write(dict(values, state=state, answered_by_id=self.env.uid,
                               answered_on=fields.Datetime.now()))

    def _notify_holder(self):
        """The holder's activity (Odoo mails it to the holder as it mails every
        activity given to somebody else), in the holder's language."""
        for request in self:
            holder = request.holder_id
            in_their_language = request.with_context(lang=holder.lang)
            request.sudo().activity_schedule(
                TODO,
                user_id=holder.id,
                summary=in_their_language.env._("Confirm with your password"),
                note=in_their_language.env._(
                    "%(user)s asks you to confirm: %(change)s. The request shows the recap "
                    "priced for the day you open it.",
                    user=request.requested_by_id.name,
                    change=in_their_language.display_name,
                ),
            )

    def _hand_to_holder(self):
        """The waiting requests go to their office's new holder: its activity
        with them."""
        for request in self.filtered(lambda request: request.state == "requested"):
            holder = request.company_id.sudo().octopus_holder_id
            if holder and holder != request.holder_id:
                request.sudo().activity_ids.filtered(
                    lambda activity, old=request.holder_id: activity.user_id == old
                ).user_id = holder
                request.sudo().holder_id = holder

    def _amounts_today(self):
        """The yearly cost of the modules the request activates, and their cost
        until the end of the billing year, priced today as the dialogs price
        them (nothing for ending modules or revoking access)."""
        self.ensure_one()
        if self.operation not in ("grant", "activate") or not self.module_ids:
            return {"amount_annual": 0.0, "amount_prorated": 0.0}
        preview = self.dossier_ids._cost_preview(self.module_ids,
                                                 fields.Date.context_today(self))
        return {"amount_annual": preview["annual_total"],
                "amount_prorated": preview["prorated_total"]}

    def _dialog(self, new=False):
        """The dialog of the request's change, filled in as it was asked and on
        its last screen: a real one of the current user's (``new``: in memory
        only, to show its recap)."""
        self.ensure_one()
        Dialog = self.env[DIALOGS[self.operation]].with_context(clean_context(self.env.context))
        values = self._convert_to_write(
            {name: self[name] for name in ("dossier_ids", *Dialog._request_fields)})
        values["state"] = "password"
        return Dialog.new(values) if new else Dialog.create(values)

    def _form_action(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "octopus_titulaires.octopus_access_request_action")
        action.update({"res_id": self.id, "view_mode": "form", "views": [(False, "form")],
                       "context": {}})
        return action

    def _open_answer(self, answer):
        """The holder's dialog that confirms (with the password) or refuses
        (with a reason) the request. It opens saved, as the grant dialog's last
        screen is: the web client saves a dialog before its buttons run, and
        only a saved one hands the typed password on to its Confirm button."""
        self.ensure_one()
        self._check_answerable()
        dialog = self.env["octopus.access.request.answer"].create(
            {"request_id": self.id, "answer": answer})
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "octopus_titulaires.octopus_access_request_answer_action")
        action.update({"res_id": dialog.id, "context": {}})
        return action

    @api.model
    def _access_snapshot(self, dossiers):
        """{dossier id: its client access and whether it is archived}, as the
        request keeps it (JSON)."""
        states = dossiers._access_states()
        return {
            str(dossier.id): dict(
                zip(ACCESS_STATE_FIELDS, _jsonable(states[dossier.id])), active=dossier.active)
            for dossier in dossiers.with_context(active_test=False)
        }

    def _stale_reason(self):
        """Why the request no longer matches its dossiers (granted, revoked,
        archived, other modules since it was asked), or False."""
        self.ensure_one()
        then = self.access_snapshot or {}
        now = self._access_snapshot(self.dossier_ids)
        if set(now) != set(then):
            return self.env._("A dossier of the request was deleted since it was asked.")
        Dossier = self.env["octopus.dossier"].with_context(active_test=False)
        for key, before in then.items():
            after = now[key]
            if after != before:
                return self._describe_change(Dossier.browse(int(key)), before, after)
        return False

    def _describe_change(self, dossier, before, after):
        """What changed on ``dossier`` between two of its snapshots, as a sentence."""
        name = dossier.display_name
        if before["active"] != after["active"]:
            return (self.env._("Dossier %(dossier)s was archived since the request was asked.",
                               dossier=name) if before["active"] else
                    self.env._("Dossier %(dossier)s was restored since the request was asked.",
                               dossier=name))
        if before["client_user_id"] != after["client_user_id"]:
            if not after["client_user_id"]:
                return self.env._(
                    "The client access of dossier %(dossier)s was revoked since the request "
                    "was asked.", dossier=name)
            return self.env._(
                "Dossier %(dossier)s was given client access (login %(login)s) since the "
                "request was asked.", dossier=name, login=dossier.client_user_id.login)
        if (before["activation_ids"], before["active_module_ids"]) != (
                after["activation_ids"], after["active_module_ids"]):
            return self.env._(
                "The modules of dossier %(dossier)s changed since the request was asked.",
                dossier=name)
        return self.env._(
            "The client access of dossier %(dossier)s changed since the request was asked.",
            dossier=name)
