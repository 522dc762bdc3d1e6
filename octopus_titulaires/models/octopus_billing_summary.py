import base64
import logging

from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models
from odoo.tools import format_date

from ..tools import XLSX_MIMETYPE

_logger = logging.getLogger(__name__)


class OctopusBillingSummary(models.Model):
    """The monthly summary of an office's next Octopus invoice, with the
    workbook attached, as mailed to the office's B users."""

    _name = "octopus.billing.summary"
    _description = "Octopus Billing Summary"
    _inherit = ["mail.thread"]
    _order = "date_from desc, id desc"
    _check_company_auto = True

    # The stored name is the summary's key, searched and sorted the same in
    # every language ("Fiduciaire Delvaux, 2026-11"): a stored text speaks one
    # language. What a reader sees is the display name, the month as that
    # reader says it ("novembre 2026"): the screens, the mail's subject.
    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one("res.company", string="Office", required=True, index=True)
    date_from = fields.Date(string="Month", required=True)
    date_to = fields.Date(required=True)
    invoice_date_from = fields.Date(string="Next Invoice From")
    invoice_date_to = fields.Date(string="Next Invoice To")
    currency_id = fields.Many2one(related="company_id.currency_id")
    packet_deal_fee = fields.Monetary(currency_field="currency_id")
    amount_modules = fields.Monetary(string="Modules (C dossiers)", currency_field="currency_id")
    amount_total = fields.Monetary(string="Total", currency_field="currency_id")
    attachment_id = fields.Many2one("ir.attachment", string="Excel File", readonly=True)

    _sql_constraints = [
        (
            "company_period_unique",
            "unique(company_id, date_from, date_to)",
            "An office has one billing summary per period.",
        ),
    ]

    @api.depends("company_id", "date_from")
    def _compute_name(self):
        for summary in self:
            summary.name = self.env._(
                "%(office)s, %(month)s",
                office=summary.company_id.name or "",
                month=summary.date_from and summary.date_from.strftime("%Y-%m") or "",
            )

    @api.depends("company_id", "date_from")
    @api.depends_context("lang")
    def _compute_display_name(self):
        """The office and the month as the reader says it ("novembre 2026")."""
        for summary in self:
            summary.display_name = self.env._(
                "%(office)s, %(month)s",
                office=summary.company_id.name or "",
                month=summary.date_from
                and format_date(self.env, summary.date_from, date_format="MMMM y") or "",
            )

    @api.model
    def _cron_billing_summary(self):
        """Once a month, per office with B users: one summary, one mail. An office
        that fails is logged and skipped; the others still get theirs."""
        today = fields.Date.context_today(self)
        companies = self.env["res.company"].search(self._billing_companies_domain())
        # An office that has not set its B number yet has no invoice to sum up:
        # that is a setting to make, not a failure.
        unnumbered = companies.filtered(lambda company: not company.octopus_b_number)
        for company in unnumbered:
            _logger.info("Octopus billing summary: office %s has no B number yet, skipped",
                         company.name)
        companies -= unnumbered
        for done, company in enumerate(companies, start=1):
            try:
                with self.env.cr.savepoint():
                    self.with_company(company)._create_for_month(company, today)
            except Exception:
                _logger.exception("Octopus billing summary failed for office %s", company.name)
            self.env["ir.cron"]._notify_progress(done=done, remaining=len(companies) - done)

    @api.model
    def _billing_companies_domain(self):
        """Offices with at least one B user (overridable, e.g. to skip test offices)."""
        group = self.env.ref("octopus_titulaires.group_titulaire")
        return [("id", "in", group.users.company_ids.ids)]

    @api.model
    def _create_for_month(self, company, on_date):
        """The summary of ``company`` for the month of ``on_date``, created and
        mailed once: a second call for the same month returns the first summary."""
        date_from = on_date.replace(day=1)
        date_to = date_from + relativedelta(months=1, days=-1)
        existing = self.search(
            [("company_id", "=", company.id), ("date_from", "=", date_from),
             ("date_to", "=", date_to)],
            limit=1,
        )
        if existing:
            return existing
        invoice = company._octopus_project_invoice(on_date)
        summary = self.create(
            {
                "company_id": company.id,
                "date_from": date_from,
                "date_to": date_to,
                "invoice_date_from": invoice["period"][0],
                "invoice_date_to": invoice["period"][1],
                "packet_deal_fee": invoice["packet_deal_fee"],
                "amount_modules": invoice["subtotals"]["C"],
                "amount_total": invoice["total"],
            }
        )
        # The summary's own file speaks the office's language, not the cron user's.
        summary.attachment_id = summary._attach_workbook(summary._office_lang(), on_date)
        summary._send_to_b_users(on_date)
        return summary

    def _b_users(self):
        self.ensure_one()
        group = self.env.ref("octopus_titulaires.group_titulaire")
        return group.users.filtered(lambda user: self.company_id in user.company_ids)

    def _office_lang(self):
        self.ensure_one()
        return self.company_id.partner_id.lang or self.env.lang

    def _attach_workbook(self, lang, on_date):
        """The workbook of ``on_date`` in ``lang`` (headers, sheet names and the
        dates written inside texts), attached to the summary under a name that
        says the month as a reader of ``lang`` says it."""
        self.ensure_one()
        company = self.company_id
        content = self.env["octopus.dossier.xlsx"].with_context(lang=lang)._build(
            company, on_date)
        month = format_date(self.env(context=dict(self.env.context, lang=lang)),
                            self.date_from, date_format="MMMM y")
        return self.env["ir.attachment"].create(
            {
                "name": f"Octopus {company.octopus_b_number} {month}.xlsx",
                "datas": base64.b64encode(content),
                "res_model": self._name,
                "res_id": self.id,
                "mimetype": XLSX_MIMETYPE,
            }
        )

    def _send_to_b_users(self, on_date):
        """One mail per language of the B users, each with the workbook in that
        language: every reader gets the subject, the amounts and the dates as
        they write them, and a file in their words."""
        self.ensure_one()
        template = self.env.ref("octopus_titulaires.mail_template_billing_summary")
        office_lang = self._office_lang()
        readers = self._b_users().grouped(lambda user: user.lang or office_lang)
        for lang, users in sorted(readers.items()):
            attachment = (self.attachment_id if lang == office_lang
                          else self._attach_workbook(lang, on_date))
            # The template's language reads this key: its default is the office's.
            template.with_context(octopus_lang=lang).send_mail(
                self.id,
                force_send=False,
                email_values={
                    "recipient_ids": [Command.set(users.partner_id.ids)],
                    "attachment_ids": [Command.link(attachment.id)],
                },
            )
