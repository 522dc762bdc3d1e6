import re
from datetime import date

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL
from odoo.tools.misc import format_date, formatLang
from odoo.tools.safe_eval import safe_eval

from ..tools import INVOICE_DATE_KEY, is_singular
from ..tools.sql import fetch_rows, join_many2one

B_NUMBER_PATTERN = re.compile(r"^B\d{8}$")
# What each line of the next invoice holds, in the order of its values.
INVOICE_LINE_FIELDS = ("category", "dossier_code", "dossier_name", "module_name", "date_from",
                       "date_to", "annual_price", "amount", "module_code", "module_sequence")
# The dashboard's buttons open these actions; each card figure counts what the
# opened list shows (the same domains as the actions' default filters).
DOSSIER_LIST = "octopus_titulaires.octopus_dossier_action"
MODULE_OVERVIEW = "octopus_titulaires.octopus_dossier_action_overview"
NEXT_INVOICE = "octopus_titulaires.octopus_invoice_line_action"
THIS_MONTH = "octopus_titulaires.octopus_module_activation_action_this_month"
WITHOUT_CONSENT = "octopus_titulaires.octopus_client_user_action_without_consent"
REQUESTS = "octopus_titulaires.octopus_access_request_action"


class ResCompany(models.Model):
    _inherit = "res.company"

    octopus_b_number = fields.Char(
        help="The office's Octopus holder number: the letter B followed by 8 digits.",
    )
    octopus_billing_month = fields.Integer(
        string="Billing Month",
        default=1,
        help="Month (1-12) on whose first day the Octopus billing year starts.",
    )
    octopus_packet_deal_fee = fields.Monetary(
        string="Packet Deal Fee",
        currency_field="currency_id",
        help="Annual fee that covers the office's internal dossiers without client access.",
    )
    # Octopus confirms every activation with the password of the office
    # holder, the person behind the office's B number.
    octopus_holder_id = fields.Many2one(
        "res.users",
        string="Office Holder",
        domain=lambda self: [("share", "=", False), ("groups_id", "in", self.env.ref(
            "octopus_titulaires.group_titulaire").ids)],
        help="The B user behind the office's B number, whose password confirms the changes "
        "of client access when they are confirmed by the office holder.",
    )
    octopus_confirmation = fields.Selection(
        [("holder", "By the office holder"),
         ("user", "By each B user with their own password")],
        string="Access Changes Confirmed",
        default="holder",
        required=True,
        help="Who types the password that confirms a grant, a change of modules, a revoke or "
        "an import that changes client access: the office holder (the Octopus rule), or "
        "each B user with their own password.",
    )
    # The landing screen of Gestion: one kanban card of the day's figures per
    # office, each a button to the list it counts.
    # B users only: anybody else reading the whole company would compute it
    # without the right to read dossiers.
    octopus_dashboard = fields.Json(
        compute="_compute_octopus_dashboard", groups="octopus_titulaires.group_titulaire")

    @api.constrains("octopus_b_number")
    def _check_octopus_b_number(self):
        for company in self:
            number = company.octopus_b_number
            if number and not B_NUMBER_PATTERN.match(number):
                raise ValidationError(
                    self.env._(
                        "The Octopus B number of %(office)s must be the letter B followed "
                        "by 8 digits (got %(number)s).",
                        office=company.name,
                        number=number,
                    )
                )

    @api.constrains("octopus_billing_month")
    def _check_octopus_billing_month(self):
        for company in self:
            if not 1 <= company.octopus_billing_month <= 12:
                raise ValidationError(
                    self.env._(
                        "The billing month of %(office)s must be between 1 and 12.",
                        office=company.name,
                    )
                )

    @api.constrains("octopus_packet_deal_fee")
    def _check_octopus_packet_deal_fee(self):
        for company in self:
            if company.octopus_packet_deal_fee < 0:
                raise ValidationError(
                    self.env._(
                        "The Packet Deal fee of %(office)s cannot be negative.",
                        office=company.name,
                    )
                )

    @api.constrains("octopus_holder_id")
    def _check_octopus_holder(self):
        for company in self.filtered("octopus_holder_id"):
            problem = company._octopus_holder_problem()
            if problem:
                raise ValidationError(problem)

    def write(self, vals):
        result = super().write(vals)
        if "octopus_holder_id" in vals:
            # What waits for the holder goes to the one now named.
            self.env["octopus.access.request"].sudo().search(
                [("company_id", "in", self.ids), ("state", "=", "requested")]
            )._hand_to_holder()
        return result

    def _octopus_holder_problem(self):
        """Why no change of client access can be confirmed in this office (a
        translated sentence), or False: the office confirms with its holder's
        password and names none, or one who is no longer one of its B users."""
        self.ensure_one()
        if self.octopus_confirmation != "holder":
            return False
        holder = self.sudo().octopus_holder_id
        if not holder:
            return self.env._(
                "Office %(office)s confirms changes of client access with the password of its "
                "holder, and names no holder yet: an administrator names one in the office's "
                "settings (tab Octopus).",
                office=self.name,
            )
        if not (holder.active and self in holder.company_ids
                and holder._has_group("octopus_titulaires.group_titulaire")):
            return self.env._(
                "%(holder)s, named holder of office %(office)s, is not one of its B users: "
                "an administrator names another holder in the office's settings (tab Octopus).",
                holder=holder.name,
                office=self.name,
            )
        return False

    def _octopus_confirmer(self):
        """The user whose password confirms a change of client access in this
        office: its holder, or the user making the change, as the office chose."""
        self.ensure_one()
        problem = self._octopus_holder_problem()
        if problem:
            raise UserError(problem)
        if self.octopus_confirmation == "holder":
            return self.sudo().octopus_holder_id.sudo(False)
        return self.env.user

    def _octopus_check_confirmation(self, password, subject):
        """Check the password that confirms a change of client access in this
        office (``subject``, for the log), typed by the current user: the
        holder's or the user's own (``_octopus_confirmer``)."""
        confirmer = self._octopus_confirmer()
        confirmer._octopus_check_password(password, subject,
                                          as_holder=self.octopus_confirmation == "holder")

    def _octopus_billing_year(self, on_date):
        """First and last day of the office's billing year that contains ``on_date``."""
        self.ensure_one()
        month = self.octopus_billing_month or 1
        year = on_date.year if on_date.month >= month else on_date.year - 1
        first_day = date(year, month, 1)
        return first_day, first_day + relativedelta(years=1, days=-1)

    def _octopus_next_billing_year(self, on_date):
        """The next full billing year after ``on_date``: the one the next invoice covers."""
        self.ensure_one()
        # The year after next must exist in the calendar: the next billing year
        # ends in it.
        if not isinstance(on_date, date) or on_date.year > date.max.year - 2:
            raise UserError(
                self.env._(
                    "No billing year can be computed for the reference date %(date)s.",
                    date=format_date(self.env, on_date) if isinstance(on_date, date) else on_date or "",
                )
            )
        _first, last = self._octopus_billing_year(on_date)
        first_next = last + relativedelta(days=1)
        return first_next, first_next + relativedelta(years=1, days=-1)

    def _octopus_check_billing_setup(self):
        self.ensure_one()
        if not self.octopus_b_number:
            raise UserError(
                self.env._(
                    "Office %(office)s has no Octopus B number: set it on the company "
                    "(tab Octopus) before computing its invoice.",
                    office=self.name,
                )
            )

    def _octopus_project_invoice(self, on_date, dossiers=None):
        """The office's next invoice as seen on ``on_date`` (DESIGN.md, "Pricing"):
        the one answer to "what is the next invoice".

        One line for the Packet Deal fee, one per activation of a C dossier that
        runs in the next billing year, and the B dossiers' activations at 0 since
        Octopus bills their clients (``_octopus_invoice_lines``). The total of a
        selection of ``dossiers`` is what they add: the office's fee is no
        dossier's."""
        invoice = self._octopus_invoice_frame(on_date)
        currency = invoice["currency"]
        lines = [dict(zip(INVOICE_LINE_FIELDS, line))
                 for line in self._octopus_invoice_lines(on_date, dossiers)]
        subtotals = {
            category: currency.round(
                sum(line["amount"] for line in lines if line["category"] == category)
            )
            for category in ("C", "B")
        }
        fee = invoice["packet_deal_fee"] if dossiers is None else 0.0
        total = currency.round(fee + sum(line["amount"] for line in lines))
        return dict(invoice, lines=lines, subtotals=subtotals, total=total)

    def _octopus_invoice_frame(self, on_date):
        """The next invoice without its lines: the office, the day it is seen
        from, its billing period, currency and Packet Deal fee. Refuses an
        office that cannot be billed."""
        self.ensure_one()
        self._octopus_check_billing_setup()
        return {
            "company": self,
            "on_date": on_date,
            "period": self._octopus_next_billing_year(on_date),
            "currency": self.currency_id,
            "packet_deal_fee": self.currency_id.round(self.octopus_packet_deal_fee),
        }

    def _octopus_invoice_lines(self, on_date, dossiers=None):
        """The lines of the invoice seen on ``on_date`` (of all the office's
        active dossiers, or of ``dossiers``) as tuples of ``INVOICE_LINE_FIELDS``,
        in the invoice's order: C dossiers, then B dossiers, by code as Python
        compares texts, then by module; read from ``octopus.invoice.line``, the
        one selection and pricing of the invoice's lines.

        One query, read a batch of rows at a time: nothing else may use the
        cursor until the last line is read. Refuses a module whose tariffs were
        removed after it was activated: its frozen price could no longer be
        explained."""
        for (category, code, name, module_name, module_code, sequence, date_start, date_from,
             date_to, annual_price, amount, first_tariff) in fetch_rows(
                 self.env, self._octopus_invoice_lines_sql(on_date, dossiers)):
            if first_tariff is None or first_tariff > date_start:
                raise UserError(
                    self.env._(
                        "Module %(module)s has no tariff valid on %(date)s, when it was "
                        "activated on a dossier of %(office)s: add the tariff before "
                        "computing the invoice.",
                        module=module_name,
                        date=format_date(self.env, date_start),
                        office=self.name,
                    )
                )
            yield (category, code, name, module_name, date_from, date_to, annual_price, amount,
                   module_code, sequence)

    def _octopus_invoice_lines_sql(self, on_date, dossiers):
        """The office's lines of the invoice seen on ``on_date``, with what a
        line shows and the first day their module had a tariff."""
        self.ensure_one()
        Line = self.env["octopus.invoice.line"].with_context(
            **{INVOICE_DATE_KEY: fields.Date.to_string(on_date)})
        domain = [("company_id", "=", self.id)]
        if dossiers is not None:
            domain.append(("dossier_id", "in", dossiers.ids))
        query = Line._search(domain)
        line = query.table
        Dossier, dossier = join_many2one(query, Line, line, "dossier_id")
        Module, module = join_many2one(query, Line, line, "module_id")
        tariffs = query.make_alias(module, "first_tariff")
        query.add_join("LEFT JOIN", tariffs, SQL("(%s)", self._octopus_first_tariffs_sql()),
                       SQL("%s = %s", SQL.identifier(tariffs, "module_id"),
                           SQL.identifier(module, "id")))

        def column(model, alias, fname):
            return model._field_to_sql(alias, fname, query)

        category = column(Line, line, "access_category")
        sequence = SQL("COALESCE(%s, 0)", column(Module, module, "sequence"))
        # The order of the lines, ties kept in the activations' own order.
        query.order = SQL(
            '%s DESC, %s COLLATE "C", %s, %s, %s DESC, %s DESC',
            category, column(Dossier, dossier, "code"), sequence, column(Line, line, "date_from"),
            column(Line, line, "date_start"), column(Line, line, "activation_id"),
        )
        return query.select(
            category,
            column(Dossier, dossier, "code"),
            column(Dossier, dossier, "name"),
            column(Module, module, "name"),
            column(Module, module, "code"),
            sequence,
            column(Line, line, "date_start"),
            column(Line, line, "date_from"),
            column(Line, line, "date_to"),
            column(Line, line, "annual_price"),
            column(Line, line, "amount"),
            SQL.identifier(tariffs, "first_day"),
        )

    def _octopus_first_tariffs_sql(self):
        """Per module, the first day it had a tariff."""
        Tariff = self.env["octopus.module.tariff"]
        query = Tariff._search([])
        query.groupby = Tariff._field_to_sql(query.table, "module_id", query)
        return query.select(
            SQL("%s AS module_id", query.groupby),
            SQL("MIN(%s) AS first_day", Tariff._field_to_sql(query.table, "date_from", query)),
        )

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
            "modules": [{"id": module.id, "name": module.name, "count": count}
                        for module, count in modules if module],
            "started": Activation.search_count(
                office + [("date_start", ">=", month[0]), ("date_start", "<", month[1])]),
            "ended": Activation.search_count(
                office + [("date_end", ">=", month[0]), ("date_end", "<", month[1])]),
            "without_consent": self.env["octopus.client.user"].search_count(
                office + [("consent_date", "=", False), ("state", "=", "active")]),
            "confirmation": dict(self._fields["octopus_confirmation"]._description_selection(
                self.env))[self.octopus_confirmation],
            "holder": self.sudo().octopus_holder_id.name or False,
            "holder_problem": self._octopus_holder_problem(),
            "requests": self.env["octopus.access.request"].search_count(
                office + [("state", "=", "requested")]),
        }
        figures["this_month"] = self._octopus_this_month_text(figures["started"], figures["ended"])
        figures["requests_text"] = self._octopus_requests_text(figures["requests"])
        figures["without_consent_text"] = self._octopus_without_consent_text(
            figures["without_consent"])
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

    def _octopus_this_month_text(self, started, ended):
        """The month's activations and ends, each count with its noun's number."""
        started_text = (
            self.env._("%(count)s module activated", count=started)
            if is_singular(self.env, started)
            else self.env._("%(count)s modules activated", count=started))
        ended_text = (
            self.env._("%(count)s module ended", count=ended)
            if is_singular(self.env, ended)
            else self.env._("%(count)s modules ended", count=ended))
        return self.env._("This month: %(started)s, %(ended)s", started=started_text,
                          ended=ended_text)

    def _octopus_requests_text(self, count):
        if is_singular(self.env, count):
            return self.env._("%(count)s request waiting for the office holder", count=count)
        return self.env._("%(count)s requests waiting for the office holder", count=count)

    def _octopus_without_consent_text(self, count):
        if is_singular(self.env, count):
            return self.env._("%(count)s login without consent", count=count)
        return self.env._("%(count)s logins without consent", count=count)

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

    def action_octopus_module(self):
        """The office's dossiers running the module the button names in its
        context: the records its count on the card counts."""
        module = self.env["octopus.module"].browse(self.env.context.get("octopus_module_id"))
        action = self._octopus_dashboard_action(DOSSIER_LIST)
        action["domain"] += [("active_module_ids", "in", module.ids)]
        action["name"] = self.env._("Dossiers running %(module)s", module=module.name)
        return action

    def action_octopus_next_invoice(self):
        return self._octopus_dashboard_action(NEXT_INVOICE)

    def action_octopus_c_lines(self):
        """The next invoice's lines of C dossiers: the card's "C dossiers' modules"."""
        action = self._octopus_dashboard_action(NEXT_INVOICE)
        action["domain"] += [("access_category", "=", "C")]
        return action

    def action_octopus_this_month(self):
        return self._octopus_dashboard_action(THIS_MONTH)

    def action_octopus_without_consent(self):
        return self._octopus_dashboard_action(WITHOUT_CONSENT)

    def action_octopus_requests(self):
        return self._octopus_dashboard_action(REQUESTS)
