import logging

from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import AccessDenied, UserError

_logger = logging.getLogger(__name__)


class OctopusAccessDialog(models.AbstractModel):
    """What the dialogs that change a client's access share: the step machine's
    plumbing, the cost preview and the final password check."""

    _name = "octopus.access.dialog"
    _inherit = ["octopus.dialog"]
    _description = "Octopus Client Access Dialog"
    # The values of the ``state`` field of each dialog, in the order of its screens.
    _steps = []

    dossier_ids = fields.Many2many(
        "octopus.dossier",
        string="Dossiers",
        default=lambda self: self.env["octopus.dossier"]._from_action_context(),
        # An archived dossier stays in the dialog, to be refused by name.
        context={"active_test": False},
    )
    password = fields.Char(
        help="Your own Odoo password: the change is confirmed by the office holder."
    )

    def action_next(self):
        self.ensure_one()
        self._check_step(self.state)
        self.state = self._steps[self._steps.index(self.state) + 1]
        return self._reopen()

    def action_previous(self):
        self.ensure_one()
        self.state = self._steps[max(self._steps.index(self.state) - 1, 0)]
        return self._reopen()

    def _check_step(self, step):
        """Refuse to leave ``step`` while its input is wrong (a UserError naming it)."""
        raise NotImplementedError

    def _check_password(self):
        """Re-authenticate the current user with Odoo's own credential check (the
        one the login page uses). A wrong password is logged and changes nothing."""
        self.ensure_one()
        user = self.env.user
        password, self.password = self.password, False
        if not password:
            raise UserError(self.env._("Enter your Odoo password to confirm."))
        try:
            user._check_credentials(
                {"login": user.login, "password": password, "type": "password"},
                {"interactive": True},
            )
        except AccessDenied:
            _logger.warning(
                "Octopus: wrong password from user %s (id %s) in %s; nothing changed",
                user.login,
                user.id,
                self._name,
            )
            raise UserError(
                self.env._("Wrong password: nothing was changed. Enter your own Odoo password.")
            ) from None

    def _render_cost_preview(self, dossiers, modules):
        if not dossiers or not modules:
            return False
        try:
            preview = dossiers._cost_preview(modules, fields.Date.context_today(self))
        except UserError as error:
            return Markup('<p class="text-danger">%s</p>') % error.args[0]
        return self.env["ir.qweb"]._render(
            "octopus_titulaires.cost_preview", {"preview": preview}
        )
