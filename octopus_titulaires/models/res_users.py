import collections
import datetime
import logging

from odoo import api, models
from odoo.exceptions import AccessDenied, UserError

_logger = logging.getLogger(__name__)

DASHBOARD = "octopus_titulaires.octopus_dashboard_action"
B_USERS = "octopus_titulaires.group_titulaire"
# passlib refuses to hash a longer password (its MAX_PASSWORD_SIZE).
PASSWORD_MAX_BYTES = 4096


class ResUsers(models.Model):
    _inherit = "res.users"

    @api.model_create_multi
    def create(self, vals_list):
        users = super().create(vals_list)
        users._octopus_set_home_action()
        return users

    def write(self, vals):
        result = super().write(vals)
        # Groups arrive as groups_id or, from the user form, as in_group_/sel_groups_ keys.
        if any(key.startswith(("groups_id", "in_group_", "sel_groups_")) for key in vals):
            self._octopus_set_home_action()
        return result

    def _octopus_set_home_action(self):
        """A B user who has no home action of its own lands on the Gestion
        dashboard; one who leaves the group no longer does."""
        dashboard = self.env.ref(DASHBOARD, raise_if_not_found=False)
        if not dashboard:  # while the addon's data is being loaded
            return
        for user in self.sudo():
            is_b_user = user._has_group(B_USERS)
            if is_b_user and not user.action_id:
                user.action_id = dashboard.id
            elif not is_b_user and user.action_id.id == dashboard.id:
                user.action_id = False

    def _octopus_check_password(self, password, subject, as_holder=False):
        """Re-authenticate this user with the check of Odoo's login page before
        a change of client access, and through its cooldown
        (``_assert_can_auth``, same settings): after several wrong passwords
        even the right one is refused until the cooldown ends.

        Odoo counts failures per remote address, and any successful login from
        that address resets its count: an office's users share one address. So
        the failures are also counted per user whose password is checked, and
        only that user's own success resets them: the holder typing at a
        colleague's desk is throttled as the holder. A failure is logged with
        the user, who typed it and ``subject`` (what the password would have
        confirmed) and changes nothing. With ``as_holder`` the messages ask for
        the office holder's password rather than the user's own."""
        self.ensure_one()
        if not isinstance(password, str) or not password:
            raise UserError(
                self.env._("Enter the password of the office holder, %(holder)s, to confirm.",
                           holder=self.name) if as_holder
                else self.env._("Enter your Odoo password to confirm."))
        if len(password.encode()) > PASSWORD_MAX_BYTES:
            raise UserError(
                self.env._("A password holds at most %(limit)s bytes: nothing was changed.",
                           limit=PASSWORD_MAX_BYTES)
            )
        user = self.with_user(self)
        failures = self._octopus_password_failures()
        count, previous = failures[self.id]
        checked = False
        try:
            if user._on_login_cooldown(count, previous):
                raise AccessDenied()
            with user._assert_can_auth(user=self.id):
                checked = True
                user._check_credentials(
                    {"login": self.login, "password": password, "type": "password"},
                    {"interactive": True},
                )
        except AccessDenied:
            if checked:
                failures[self.id] = (count + 1, datetime.datetime.now())
            _logger.warning(
                "Octopus: %s of user %s (id %s), typed by user %s (id %s), on %s; nothing changed",
                "wrong password" if checked else "password refused during the login cooldown",
                self.login, self.id, self.env.user.login, self.env.uid, subject,
            )
            if not checked:
                raise UserError(
                    self.env._(
                        "Too many wrong passwords: wait a minute before trying again. "
                        "Nothing was changed."
                    )
                ) from None
            raise UserError(
                self.env._("Wrong password: nothing was changed. Enter the password of the "
                           "office holder, %(holder)s.", holder=self.name) if as_holder
                else self.env._("Wrong password: nothing was changed. Enter your own Odoo "
                                "password.")
            ) from None
        failures.pop(self.id, None)

    def _octopus_password_failures(self):
        """{user id: (failures, time of the last one)}, kept by the registry of
        this database as Odoo keeps its login failures (per process)."""
        registry = self.env.registry
        if not hasattr(registry, "_octopus_password_failures"):
            registry._octopus_password_failures = collections.defaultdict(
                lambda: (0, datetime.datetime.min))
        return registry._octopus_password_failures
