from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import UserError


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
        """The password typed on the last screen, checked by the dossiers'
        ``_check_password``; the dialog keeps no trace of it."""
        self.ensure_one()
        self.dossier_ids._check_password(self._typed_password())

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
