from odoo import api, models

DASHBOARD = "octopus_titulaires.octopus_dashboard_action"
B_USERS = "octopus_titulaires.group_titulaire"


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
