from odoo import api, fields, models
from odoo.tools import SQL

from ..models.octopus_module_activation import amount_sql, run_days_sql
from ..tools import INVOICE_DATE_KEY


class OctopusInvoiceLine(models.Model):
    """The lines of each office's next invoice (DESIGN.md, "Pricing"), as a view
    over the activation ledger computed where it is read, as Odoo's own
    ``account.invoice.report``: nothing is stored, so no scheduled job has to
    price the next billing year on its first day, and a missed run changes
    nothing the office reads.

    The one selection of the invoice's lines: sheet 2 of the export, the
    dashboard, the monthly summary and the Cost Analysis all read this view,
    the same activations (activated under B or C, that run in the office's
    next billing year; an archived dossier is not billed), the same days, the
    same amounts."""

    _name = "octopus.invoice.line"
    _description = "Octopus Next Invoice Line"
    _auto = False
    _order = "company_id, dossier_id, module_id, date_from, activation_id"
    # What the view reads: the ORM writes pending changes of these fields
    # before it is queried.
    _depends = {
        "octopus.module.activation": ["company_id", "dossier_id", "module_id", "access_category",
                                      "date_start", "date_end", "annual_price"],
        "octopus.dossier": ["active"],
        "octopus.module": ["currency_id"],
        "res.currency": ["rounding"],
        "res.company": ["octopus_billing_month"],
    }

    activation_id = fields.Many2one("octopus.module.activation", readonly=True)
    company_id = fields.Many2one("res.company", string="Office", readonly=True)
    dossier_id = fields.Many2one("octopus.dossier", readonly=True)
    module_id = fields.Many2one("octopus.module", readonly=True)
    access_category = fields.Selection(
        [("B", "B: external"), ("C", "C: client access")], string="Category", readonly=True,
        help="The category the module was activated under, which bills it.")
    date_start = fields.Date(string="Started On", readonly=True)
    date_from = fields.Date(string="From", readonly=True,
                            help="The first day the module runs in the billing year.")
    date_to = fields.Date(string="To", readonly=True,
                          help="The last day the module runs in the billing year.")
    period_from = fields.Date(string="Billing Year From", readonly=True)
    period_to = fields.Date(string="Billing Year To", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    annual_price = fields.Monetary(currency_field="currency_id", readonly=True,
                                   aggregator=None)
    amount = fields.Monetary(
        string="Amount on the Next Invoice", currency_field="currency_id", readonly=True,
        help="The frozen annual price for the days the module runs in the next billing "
        "year. Zero on a B dossier, whose client Octopus bills.")

    @property
    def _table_query(self):
        return self._lines_sql(self._invoice_date())

    @api.model
    def _invoice_date(self):
        """The day the next invoice is seen from: today, unless the context
        names another day (an export at a reference date)."""
        return fields.Date.to_date(self.env.context.get(INVOICE_DATE_KEY)) or (
            fields.Date.context_today(self))

    @api.model
    def _lines_sql(self, on_date):
        """One row per activation activated under B or C, on an active
        dossier, that runs in its office's next billing year after
        ``on_date``, priced by the rule of ``amount_sql``.

        The category is the activation's own, frozen when it was activated,
        not the dossier's of today: the days a module ran under C are the
        office's to pay even once the access is revoked (the dossier back in
        A), as its price is the one of its start date. A revoke or an end
        takes the module out of the following days, not out of those it
        ran."""
        periods = SQL(", ").join(
            SQL("(%s, %s::date, %s::date)", office.id, *office._octopus_next_billing_year(on_date))
            for office in self.env["res.company"].sudo().search_fetch([], ["octopus_billing_month"])
        )
        first, last = run_days_sql(SQL("activation.date_start"), SQL("activation.date_end"),
                                   SQL("period.date_from"), SQL("period.date_to"))
        amount = amount_sql(SQL("activation.annual_price"), first, last, SQL("period.date_from"),
                            SQL("period.date_to"), SQL("currency.rounding"))
        return SQL(
            """SELECT activation.id AS id,
                      activation.id AS activation_id,
                      activation.company_id,
                      activation.dossier_id,
                      activation.module_id,
                      activation.access_category,
                      activation.date_start,
                      %(first)s AS date_from,
                      %(last)s AS date_to,
                      period.date_from AS period_from,
                      period.date_to AS period_to,
                      module.currency_id,
                      COALESCE(activation.annual_price, 0) AS annual_price,
                      CASE WHEN activation.access_category = 'C' THEN %(amount)s ELSE 0 END
                          AS amount
                 FROM octopus_module_activation AS activation
                 JOIN (VALUES %(periods)s) AS period(company_id, date_from, date_to)
                   ON period.company_id = activation.company_id
                 JOIN octopus_dossier AS dossier
                   ON dossier.id = activation.dossier_id AND dossier.active
                 JOIN octopus_module AS module ON module.id = activation.module_id
                 JOIN res_currency AS currency ON currency.id = module.currency_id
                WHERE activation.access_category IN ('B', 'C')
                  AND %(first)s <= %(last)s""",
            first=first, last=last, amount=amount, periods=periods,
        )

    @api.model
    def _amounts_by(self, fname, records):
        """{id of ``records``: the sum of their lines' amounts}, ``records``
        being what the lines' many2one ``fname`` points to."""
        ids = [record_id for record_id in records.ids if record_id]
        if not ids:
            return {}
        return {record.id: amount for record, amount in self._read_group(
            [(fname, "in", ids)], [fname], ["amount:sum"])}
