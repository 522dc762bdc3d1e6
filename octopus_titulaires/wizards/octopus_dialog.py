from odoo import fields, models

# The context key through which a Confirm button hands over the password typed
# in the dialog (the field itself is never stored).
PASSWORD_KEY = "octopus_password"


class OctopusDialog(models.AbstractModel):
    """A dialog of several screens: each button changes the record's ``state``
    and shows the same dialog again on the screen that state names."""

    _name = "octopus.dialog"
    _description = "Octopus Dialog"

    # Never stored: the web client saves the dialog before it calls Confirm, so
    # the button hands the typed password over in its context (PASSWORD_KEY).
    password = fields.Char(
        store=False,
        help="Your own Odoo password: the change is confirmed by the office holder.",
    )

    def _reopen(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self._description,
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "context": {key: value for key, value in self.env.context.items()
                        if key != PASSWORD_KEY},
        }

    def _typed_password(self):
        """The password typed in the dialog, as the Confirm button hands it over."""
        return self.env.context.get(PASSWORD_KEY)
