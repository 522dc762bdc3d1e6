from odoo import models


class OctopusDialog(models.AbstractModel):
    """A dialog of several screens: each button changes the record's ``state``
    and shows the same dialog again on the screen that state names."""

    _name = "octopus.dialog"
    _description = "Octopus Dialog"

    def _reopen(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self._description,
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "context": self.env.context,
        }
