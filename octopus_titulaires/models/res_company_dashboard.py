from dateutil.relativedelta import relativedelta

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import format_date, formatLang
from odoo.tools.safe_eval import safe_eval

# The dashboard's buttons open these actions; each card figure counts what the
# opened list shows (the same domains as the actions' default filters).
DOSSIER_LIST = "octopus_titulaires.octopus_dossier_action"
MODULE_OVERVIEW = "octopus_titulaires.octopus_dossier_action_overview"
NEXT_INVOICE = "octopus_titulaires.octopus_module_activation_action_cost"
THIS_MONTH = "octopus_titulaires.octopus_module_activation_action_this_month"
WITHOUT_CONSENT = "octopus_titulaires.octopus_client_user_action_without_consent"


class ResCompany(models.Model):
    """The office as the landing screen of Gestion shows it: one kanban card of
    the day's figures, each a button to the list it counts."""

    _inherit = "res.company"

    octopus_dashboard = fields.Json(compute="_compute_octopus_dashboard")

    def _compute_octopus_dashboard(self):
        today = fields.Date.context_today(self)
        for company in self:
            company.octopus_dashboard = company._octopus_dashboard_figures(today)

    def _octopus_dashboard_figures(self, today):
        """The card's figures, amounts already written as the user reads them."""
        self.ensure_one()
        Dossier = self.env["octopus.dossier"]
        office = [("company_id", "=", self.id)]
        # Grouping by a many2many does not flush it: a change made in this
        # transaction would not be counted.
        Dossier.flush_model(["access_category", "active_module_ids"])
        categories = dict(Dossier._read_group(office, ["access_category"], ["__count"]))
        modules = Dossier._read_group(office, ["active_module_ids"], ["__count"])
        month = (today + relativedelta(day=1), today + relativedelta(day=1, months=1))
        Activation = self.env["octopus.module.activation"]
        figures = {
            "categories": {key: categories.get(key, 0) for key in ("A", "B", "C")},
            "modules": [{"name": module.name, "count": count}
                        for module, count in modules if module],
            "started": Activation.search_count(
                office + [("date_start", ">=", month[0]), ("date_start", "<", month[1])]),
            "ended": Activation.search_count(
                office + [("date_end", ">=", month[0]), ("date_end", "<", month[1])]),
            "without_consent": self.env["octopus.client.user"].search_count(
                office + [("consent_date", "=", False), ("state", "=", "active")]),
        }
        try:
            invoice = self._octopus_project_invoice(today)
        except UserError as error:
            # A setup that is missing (a tariff, the billing month) is said on the card.
            figures["invoice_error"] = error.args[0]
            return figures
        figures["invoice"] = {
            "period": self.env._(
                "%(start)s to %(end)s",
                start=format_date(self.env, invoice["period"][0]),
                end=format_date(self.env, invoice["period"][1]),
            ),
            **{key: formatLang(self.env, value, currency_obj=invoice["currency"])
               for key, value in (("packet_deal_fee", invoice["packet_deal_fee"]),
                                  ("c_lines", invoice["subtotals"]["C"]),
                                  ("total", invoice["total"]))},
        }
        return figures

    def _octopus_dashboard_action(self, xmlid, filters=None):
        """The action ``xmlid`` on this office's records, with its own default
        filters and ``filters`` on top."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action["context"] = dict(safe_eval(action.get("context") or "{}"), **(filters or {}))
        action["domain"] = [("company_id", "=", self.id)]
        return action

    def action_octopus_category(self):
        """The office's dossiers of the category the button names in its context."""
        category = self.env.context.get("octopus_category")
        return self._octopus_dashboard_action(
            DOSSIER_LIST, {f"search_default_category_{category.lower()}": 1})

    def action_octopus_modules(self):
        return self._octopus_dashboard_action(MODULE_OVERVIEW)

    def action_octopus_next_invoice(self):
        return self._octopus_dashboard_action(NEXT_INVOICE)

    def action_octopus_this_month(self):
        return self._octopus_dashboard_action(THIS_MONTH)

    def action_octopus_without_consent(self):
        return self._octopus_dashboard_action(WITHOUT_CONSENT)
