from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..models.octopus_client_user import normalized_email
from ..tools import AccessConfirmation

# The context key through which a Confirm button hands over the password typed
# in the dialog (the field itself is never stored).
PASSWORD_KEY = "octopus_password"


class OctopusAccessDialog(models.AbstractModel):
    """What the dialogs that change client access share: screens that follow
    the values of their ``state`` selection, the dossiers they act on, the cost
    preview and the final password check.

    Each button changes the record's ``state`` and shows the same dialog again
    on the screen that state names."""

    _name = "octopus.access.dialog"
    _description = "Octopus Client Access Dialog"
    # What a request to the office holder keeps of the dialog besides its
    # dossiers (``octopus.access.request`` has fields of the same names).
    _request_fields = ()

    dossier_ids = fields.Many2many(
        "octopus.dossier",
        string="Dossiers",
        default=lambda self: self._default_dossier_ids(),
        # An archived dossier stays in the dialog, to be refused by name.
        context={"active_test": False},
    )
    # Never stored: the web client saves the dialog before it calls Confirm, so
    # the button hands the typed password over in its context (PASSWORD_KEY).
    password = fields.Char(
        store=False,
        help="The password of the office holder, or your own, as the office chose: it "
        "confirms the change.",
    )
    # Whose password the last screen asks for, or why none can confirm.
    confirmation_text = fields.Char(compute="_compute_confirmation")
    confirmation_problem = fields.Char(compute="_compute_confirmation")
    # A colleague of the holder may ask the holder to confirm instead.
    can_ask_holder = fields.Boolean(compute="_compute_confirmation")

    @api.constrains("dossier_ids")
    def _check_dossiers_in_reach(self):
        """A dialog holds only dossiers its user may read. The ORM leaves the
        others out of ``dossier_ids`` when the user reads it, so that a
        dossier of another office sent over RPC with the user's own would be
        left out of the change without a word while the rest is changed: it
        is refused instead, by its id (its name is not the user's to read)."""
        # Whose dialog it is comes first: it belongs to its creator alone.
        self.check_access("read")
        field = self._fields["dossier_ids"]
        self.env.flush_all()
        self.env.cr.execute(SQL(
            "SELECT %s FROM %s WHERE %s IN %s",
            SQL.identifier(field.column2), SQL.identifier(field.relation),
            SQL.identifier(field.column1), tuple(self.ids)))
        held = {row[0] for row in self.env.cr.fetchall()}
        readable = self.env["octopus.dossier"].with_context(active_test=False).search(
            [("id", "in", list(held))])
        hidden = held - set(readable.ids)
        if hidden:
            raise ValidationError(self.env._(
                "You may not change these dossiers (another office's, or deleted): %(ids)s. "
                "Nothing was changed.",
                ids=", ".join(f"#{dossier_id}" for dossier_id in sorted(hidden))))

    def _compute_confirmation(self):
        Request = self.env["octopus.access.request"]
        for dialog in self:
            office = dialog._confirming_office_or_none()
            problem = office and office._octopus_holder_problem()
            dialog.confirmation_problem = problem
            dialog.can_ask_holder = bool(office) and not Request._ask_problem(office)
            if not office or problem:
                dialog.confirmation_text = False
            elif office.octopus_confirmation == "holder":
                dialog.confirmation_text = self.env._(
                    "Check what you confirm, then let the office holder, %(holder)s, type their "
                    "Odoo password.", holder=office.sudo().octopus_holder_id.name)
            else:
                dialog.confirmation_text = self.env._(
                    "Check what you confirm, then type your own Odoo password.")

    def _confirming_office(self):
        """The office whose rule confirms the change (its holder or the user)."""
        return self.dossier_ids._confirming_office()

    def _confirming_office_or_none(self):
        try:
            return self._confirming_office()
        except UserError:
            return self.env["res.company"]

    def action_next(self):
        self.ensure_one()
        self._check_step(self.state)
        steps = self._steps()
        self.state = steps[steps.index(self.state) + 1]
        return self._reopen()

    def action_previous(self):
        self.ensure_one()
        steps = self._steps()
        self.state = steps[max(steps.index(self.state) - 1, 0)]
        return self._reopen()

    def _default_dossier_ids(self):
        """The dossiers of the list's Action menu (the dossier's own buttons pass
        ``default_dossier_ids``); archived ones included, to be refused by name."""
        if self.env.context.get("active_model") != "octopus.dossier":
            return self.env["octopus.dossier"]
        return self.env["octopus.dossier"].with_context(active_test=False).browse(
            self.env.context.get("active_ids")
        )

    def _steps(self):
        """The screens, in the order of the ``state`` selection."""
        return [value for value, _label in self._fields["state"].selection]

    def _check_step(self, step):
        """Refuse to leave ``step`` while its input is wrong (a UserError naming it)."""
        raise NotImplementedError

    def _reopen(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self._dialog_title(),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "context": {key: value for key, value in self.env.context.items()
                        if key != PASSWORD_KEY},
        }

    def _dialog_title(self):
        """The dialog's title as translated for the user: the model's name
        (``_description`` is not translated)."""
        return self.env["ir.model"].sudo()._get(self._name).name

    def action_confirm(self):
        """Check every screen and the password again, then make the change."""
        self.ensure_one()
        self._check_steps()
        self._apply(self._check_password())
        return self._reopen()

    def action_ask_holder(self):
        """Instead of the password: save what the dialog would confirm as a
        request to the office holder, who confirms it from an activity with
        their own password; show the request."""
        self.ensure_one()
        self._check_steps()
        request = self.env["octopus.access.request"]._ask_holder(self)
        return request._form_action()

    def _check_steps(self):
        """Check the input of every screen before the password's again,
        whatever the state: a button may be called on any screen."""
        self._check_dossiers_in_reach()
        steps = self._steps()
        for step in steps[: steps.index("password")]:
            self._check_step(step)

    def _check_password(self, subject=None):
        """The password typed on the last screen, as the Confirm button hands it
        over, checked by the dossiers' ``_check_password``. Returns who asked
        (the user) and whose password confirmed (an ``AccessConfirmation``)."""
        self.ensure_one()
        office = self._confirming_office()
        self.dossier_ids._check_password(self.env.context.get(PASSWORD_KEY), subject=subject,
                                         office=office)
        return AccessConfirmation(self.env.user, office._octopus_confirmer())

    def _confirmed_dossiers(self, confirmation):
        """The dialog's dossiers, to change under ``confirmation``."""
        return self.dossier_ids.with_context(**confirmation.context())

    def _apply(self, confirmation):
        """Make the change the dialog confirms, as ``confirmation`` says who
        asked and who confirmed: the dialog's Confirm after the password, or
        the holder's confirmation of a request."""
        raise NotImplementedError

    def _request_values(self):
        """What a request to the holder keeps of the dialog, as values of
        ``octopus.access.request``."""
        self.ensure_one()
        return self._convert_to_write(
            {name: self[name] for name in ("dossier_ids", *self._request_fields)})

    def _normalized_email(self, value, label):
        normalized = normalized_email(value)
        if not normalized:
            raise UserError(
                self.env._(
                    "%(field)s is missing or not a valid e-mail address (one address, at most "
                    "64 characters before the @ and 254 in all): %(value)s",
                    field=label,
                    value=value or "",
                )
            )
        return normalized

    def _cost_preview_or_error(self, dossiers, modules):
        """(preview, error): what activating ``modules`` on ``dossiers`` today
        costs, or why it cannot be priced (a missing tariff, a wrong setup)."""
        if not dossiers or not modules:
            return False, False
        try:
            return dossiers._cost_preview(modules, fields.Date.context_today(self)), False
        except UserError as error:
            return False, error.args[0]

    def _render_cost_preview(self, dossiers, modules):
        return self._render_priced(*self._cost_preview_or_error(dossiers, modules))

    def _render_priced(self, preview, error=False):
        """A cost preview (``_cost_preview``) as the dialogs show it, or its error."""
        if error:
            return Markup('<p class="text-danger">%s</p>') % error
        if not preview:
            return False
        return self.env["ir.qweb"]._render(
            "octopus_titulaires.cost_preview", {"preview": preview}
        )
