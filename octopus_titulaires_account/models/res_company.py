from collections import defaultdict
from datetime import date

from dateutil.relativedelta import relativedelta
from markupsafe import Markup
from psycopg2.errors import LockNotAvailable

from odoo import Command, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL
from odoo.tools.misc import format_date, formatLang

from odoo.addons.octopus_titulaires.models.octopus_module_activation import (
    amount_sql,
    run_days_sql,
)
from odoo.addons.octopus_titulaires.tools.sql import fetch_rows

# One run creates the invoices of at most this many clients, so that it stays
# well within half of Odoo's limit_time_cpu (60 s): Odoo's own creation of an
# invoice costs about 60 ms on the README's machine. Measured by
# `python3 tools/bench.py --sizes=500,5000` (its re-invoicing rows: one capped
# run, one invoice of 1 to 4 lines per client): on 2026-12-01, the machine busy
# with other work, 300 clients (748 lines) took 18.3 s at 5,000 dossiers, 61 ms
# and 11 queries per invoice; 147 clients 12.5 s at 500 (85 ms each).
# The run's invoices are created in one call: the cap bounds its memory too.
# The next run of the same period continues with the next clients.
REINVOICE_BATCH = 300
# What each line to re-invoice holds, in the order of the query's columns.
REINVOICE_LINE_FIELDS = ("activation_id", "client_id", "dossier_id", "dossier_code",
                         "dossier_name", "module_id", "product_id", "date_from", "date_to",
                         "amount", "invoiced")
# How many months each re-invoicing rhythm covers; its periods start on the
# first month of a calendar month, quarter or year.
RHYTHM_MONTHS = {"month": 1, "quarter": 3, "year": 12}


class ResCompany(models.Model):
    _inherit = "res.company"

    octopus_reinvoice = fields.Boolean(
        string="Re-invoice Modules to Clients",
        help="Pass the cost of the modules of C dossiers on to their clients through draft "
        "customer invoices.",
    )
    octopus_reinvoice_journal_id = fields.Many2one(
        "account.journal",
        string="Re-invoicing Journal",
        check_company=True,
        domain="[('type', '=', 'sale'), ('company_id', '=', id)]",
        help="The sales journal of the invoices that pass the modules on to the clients.",
    )
    octopus_reinvoice_rhythm = fields.Selection(
        [("month", "Every month"), ("quarter", "Every quarter"), ("year", "Every year")],
        string="Re-invoicing Rhythm",
        default="quarter",
        required=True,
        help="The period each re-invoicing covers, in arrears: what the modules ran in the "
        "last full month, quarter or calendar year.",
    )

    def action_octopus_reinvoice(self):
        """The dashboard's Re-invoice Modules: the dialog, for this office."""
        self.ensure_one()
        self._octopus_check_reinvoice_rights()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "octopus_titulaires_account.octopus_reinvoice_action")
        action["context"] = {"default_company_id": self.id}
        return action

    def _octopus_last_reinvoice_period(self, on_date):
        """First and last day of the last full period of the office's rhythm
        before ``on_date``: what ran in it is re-invoiced, in arrears."""
        self.ensure_one()
        months = RHYTHM_MONTHS[self.octopus_reinvoice_rhythm or "quarter"]
        first_of_current = date(on_date.year, (on_date.month - 1) // months * months + 1, 1)
        first = first_of_current - relativedelta(months=months)
        return first, first_of_current - relativedelta(days=1)

    def _octopus_check_reinvoice_rights(self):
        """Re-invoicing is for the office's B users who may also invoice: the
        rule holds whatever calls it (the dialog, JSON-RPC)."""
        user = self.env.user
        if not self.env.su and not (
                user.has_group("octopus_titulaires.group_titulaire")
                and user.has_group("account.group_account_invoice")):
            raise AccessError(self.env._(
                "Only a B user with Invoicing rights may re-invoice the modules to the clients."))
        if not self.env.su and self - user.company_ids:
            raise AccessError(self.env._(
                "You may only re-invoice the modules of your own offices (not %(office)s).",
                office=", ".join((self - user.company_ids).sudo().mapped("name"))))

    def _octopus_check_reinvoice(self, period):
        """Refuse an office that does not re-invoice, or a period that cannot
        be: re-invoicing is in arrears, inside one calendar year (the year
        whose days divide the annual price)."""
        self.ensure_one()
        if not self.octopus_reinvoice:
            raise UserError(self.env._(
                "Office %(office)s does not re-invoice the modules to its clients: turn it "
                "on in the office's settings (tab Octopus).", office=self.name))
        if not self.octopus_reinvoice_journal_id:
            raise UserError(self.env._(
                "Office %(office)s has no re-invoicing journal: choose its sales journal in "
                "the office's settings (tab Octopus).", office=self.name))
        journal = self.octopus_reinvoice_journal_id
        if journal.type != "sale" or journal.company_id != self:
            raise UserError(self.env._(
                "The re-invoicing journal of %(office)s, %(journal)s, must be one of its sales "
                "journals.", office=self.name, journal=journal.display_name))
        date_from, date_to = period
        if not date_from or not date_to or date_from > date_to:
            raise UserError(self.env._(
                "The period to re-invoice needs a first day on or before its last day."))
        if date_from.year != date_to.year:
            raise UserError(self.env._(
                "The period to re-invoice must lie within one calendar year (from %(from)s "
                "to %(to)s).", to=format_date(self.env, date_to),
                **{"from": format_date(self.env, date_from)}))
        if date_to >= fields.Date.context_today(self):
            raise UserError(self.env._(
                "The modules are re-invoiced in arrears, for the days they ran: the period "
                "must be over (it ends on %(to)s).", to=format_date(self.env, date_to)))

    def _octopus_reinvoice_lines(self, period):
        """The lines to re-invoice for ``period`` (first day, last day) as
        dicts of ``REINVOICE_LINE_FIELDS``, by client, dossier and module: one
        per activation of the office's C dossiers that ran in the period (the
        category the activation was activated under, the dossier's when it
        has none), priced at its product's annual price for the days it ran,
        by the next invoice's day rule over the days of the calendar year (a
        leap year counts 366). ``invoiced`` says a non-cancelled invoice
        already holds the activation for days of the period. The clients come
        by name, then id: the order in which the capped runs take them.

        B dossiers are billed by Octopus to their clients, the Packet Deal is
        the office's own cost (it is no activation): neither is re-invoiced."""
        self.ensure_one()
        date_from, date_to = period
        period_from, period_to = SQL("%s::date", date_from), SQL("%s::date", date_to)
        first, last = run_days_sql(SQL("activation.date_start"), SQL("activation.date_end"),
                                   period_from, period_to)
        amount = amount_sql(
            SQL("template.list_price"), first, last,
            SQL("%s::date", date(date_from.year, 1, 1)),
            SQL("%s::date", date(date_from.year, 12, 31)),
            SQL("%s::numeric", self.currency_id.rounding))
        self.env.flush_all()
        rows = [dict(zip(REINVOICE_LINE_FIELDS, row)) for row in fetch_rows(self.env, SQL(
            """SELECT activation.id, dossier.partner_id, dossier.id, dossier.code, dossier.name,
                      module.id, module.product_id, %(first)s, %(last)s, %(amount)s,
                      EXISTS(SELECT 1 FROM account_move_line AS line
                               JOIN account_move AS move ON move.id = line.move_id
                              WHERE line.octopus_activation_id = activation.id
                                AND move.state != 'cancel'
                                AND line.octopus_period_from <= %(period_to)s
                                AND line.octopus_period_to >= %(period_from)s)
                 FROM octopus_module_activation AS activation
                 JOIN octopus_dossier AS dossier
                   ON dossier.id = activation.dossier_id AND dossier.active
                 JOIN res_partner AS client ON client.id = dossier.partner_id
                 JOIN octopus_module AS module ON module.id = activation.module_id
            LEFT JOIN product_product AS product ON product.id = module.product_id
            LEFT JOIN product_template AS template ON template.id = product.product_tmpl_id
                WHERE activation.company_id = %(office)s
                  AND COALESCE(activation.access_category, dossier.access_category) = 'C'
                  AND %(first)s <= %(last)s
             ORDER BY client.name, client.id, dossier.code COLLATE "C", dossier.id,
                      module.sequence, module.id, activation.date_start, activation.id""",
            first=first, last=last, amount=amount, period_from=period_from,
            period_to=period_to, office=self.id))]
        without_product = {row["module_id"] for row in rows if not row["product_id"]}
        if without_product:
            raise UserError(self.env._(
                "Module %(modules)s has no re-invoicing product: choose one on the module "
                "(Gestion > Configuration > Modules).",
                modules=", ".join(self.env["octopus.module"].browse(without_product).mapped(
                    "name"))))
        return rows

    @staticmethod
    def _octopus_lines_by_client(lines):
        """The ``lines`` not yet invoiced, and the same by client, in order."""
        to_invoice = [line for line in lines if not line["invoiced"]]
        by_client = defaultdict(list)
        for line in to_invoice:
            by_client[line["client_id"]].append(line)
        return to_invoice, by_client

    @staticmethod
    def _octopus_reinvoice_batch(by_client):
        """The clients one run invoices: the first ``REINVOICE_BATCH`` of
        ``by_client``, in its order; and how many are left after them."""
        clients = list(by_client)
        return clients[:REINVOICE_BATCH], max(len(clients) - REINVOICE_BATCH, 0)

    def _octopus_reinvoice_done_text(self, done, remaining):
        """What a run that invoiced ``done`` clients says, and of the
        ``remaining`` ones: two sentences, each in its own plural."""
        counts = {"done": formatLang(self.env, done, digits=0),
                  "remaining": formatLang(self.env, remaining, digits=0)}
        if done == 1:
            created = self.env._("Draft invoice created for 1 client.")
        else:
            created = self.env._("Draft invoices created for %(done)s clients.", **counts)
        if not remaining:
            left = self.env._("Every client of the period is invoiced.")
        elif remaining == 1:
            left = self.env._(
                "1 client remains: run Re-invoice Modules again for the same period.")
        else:
            left = self.env._(
                "%(remaining)s clients remain: run Re-invoice Modules again for the same "
                "period.", **counts)
        return f"{created} {left}"

    def _octopus_reinvoice_preview(self, period):
        """What the next run of ``period`` would create, per client: its
        dossiers, modules, the days they ran and the amount before taxes; when
        the run is capped (see ``REINVOICE_BATCH``), the sentence that says so
        with the clients left in all; and how many lines are skipped as
        already invoiced. Nothing is written."""
        self.ensure_one()
        self._octopus_check_reinvoice_rights()
        lines = self._octopus_reinvoice_lines(period)
        to_invoice, by_client = self._octopus_lines_by_client(lines)
        batch, remaining = self._octopus_reinvoice_batch(by_client)
        clients = self.env["res.partner"].browse(batch)
        modules = self.env["octopus.module"].browse(
            {line["module_id"] for client in batch for line in by_client[client]})
        names = dict(zip(modules.ids, modules.mapped("name")))
        rows = []
        for client in clients:
            client_lines = by_client[client.id]
            rows.append({
                "client": client.display_name,
                "dossiers": ", ".join(dict.fromkeys(line["dossier_code"] for line in client_lines)),
                "modules": ", ".join(dict.fromkeys(names[line["module_id"]]
                                                   for line in client_lines)),
                "days": sum((line["date_to"] - line["date_from"]).days + 1
                            for line in client_lines),
                "amount": sum(line["amount"] for line in client_lines),
            })
        capped = self.env._(
            "This run creates the invoices of the first %(batch)s clients (of %(clients)s); "
            "run it again for the next ones.",
            batch=formatLang(self.env, len(batch), digits=0),
            clients=formatLang(self.env, len(by_client), digits=0)) if remaining else False
        return {
            "clients": rows,
            "capped": capped,
            "currency": self.currency_id,
            "total": sum(row["amount"] for row in rows),
            "skipped": len(lines) - len(to_invoice),
        }

    def _octopus_reinvoice(self, period):
        """Create the draft customer invoices of ``period``: one per client,
        to its invoicing address, one line per activation of its C dossiers
        not yet re-invoiced for the period; for the first ``REINVOICE_BATCH``
        clients not yet invoiced only, so that a run fits in one request (the
        next run continues with the next ones). Two runs at once give one set:
        the office is locked for the transaction, as a change of access locks
        its dossiers. Return the invoices and how many clients are left."""
        self.ensure_one()
        self._octopus_check_reinvoice_rights()
        # The lock first: a run in flight is said as such, whatever it changes.
        self._octopus_lock_for_reinvoice()
        self._octopus_check_reinvoice(period)
        _to_invoice, by_client = self._octopus_lines_by_client(
            self._octopus_reinvoice_lines(period))
        Move = self.env["account.move"].with_company(self).with_context(
            default_move_type="out_invoice")
        clients, remaining = self._octopus_reinvoice_batch(by_client)
        # One create for the run's invoices, each with all its lines.
        moves = Move.create(self._octopus_reinvoice_move_vals(
            self.env["res.partner"].browse(clients), by_client, period))
        self._octopus_log_reinvoice(moves, clients, by_client, period)
        return moves, remaining

    def _octopus_lock_for_reinvoice(self):
        """Lock the office's row until the transaction ends and mark it
        changed. A second run while the first is in flight is told at once;
        one whose request began before the first was committed is refused its
        lock by PostgreSQL as a concurrent update, and Odoo runs it again, on
        the committed invoices."""
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    "SELECT id FROM res_company WHERE id = %s FOR UPDATE NOWAIT",
                    [self.id], log_exceptions=False)
        except LockNotAvailable:
            raise UserError(self.env._(
                "Another user is re-invoicing the modules of %(office)s right now; try again "
                "in a moment.", office=self.name)) from None
        self.env.cr.execute(SQL(
            "UPDATE res_company SET write_uid = %s, write_date = %s WHERE id = %s",
            self.env.uid, self.env.cr.now(), self.id))

    def _octopus_reinvoice_move_vals(self, clients, by_client, period):
        """The values of the invoices of ``clients``, each with its lines;
        the labels in the language of the client's invoicing address."""
        addresses = {client.id: client.address_get(["invoice"])["invoice"] for client in clients}
        invoice_partners = self.env["res.partner"].browse(set(addresses.values()))
        Module = self.env["octopus.module"]
        vals_list = []
        for client in clients:
            partner = invoice_partners.browse(addresses[client.id])
            env = self.with_context(lang=partner.lang or self.env.lang).env
            line_commands = []
            for line in by_client[client.id]:
                label = env._(
                    "%(dossier)s %(name)s - %(module)s, from %(from)s to %(to)s",
                    dossier=line["dossier_code"], name=line["dossier_name"],
                    module=Module.with_env(env).browse(line["module_id"]).name,
                    to=format_date(env, line["date_to"]),
                    **{"from": format_date(env, line["date_from"])})
                line_commands.append(Command.create({
                    "product_id": line["product_id"],
                    "name": label,
                    "quantity": 1.0,
                    "price_unit": line["amount"],
                    "octopus_activation_id": line["activation_id"],
                    "octopus_period_from": period[0],
                    "octopus_period_to": period[1],
                }))
            vals_list.append({
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "journal_id": self.octopus_reinvoice_journal_id.id,
                "company_id": self.id,
                "currency_id": self.currency_id.id,
                "invoice_origin": env._(
                    "Octopus modules from %(from)s to %(to)s", to=format_date(env, period[1]),
                    **{"from": format_date(env, period[0])}),
                "invoice_line_ids": line_commands,
            })
        return vals_list

    def _octopus_log_reinvoice(self, moves, clients, by_client, period):
        """Say on each invoice and on each dossier who re-invoiced what, each
        message linking to the other side: one batch of messages per model.
        ``moves`` are the invoices of ``clients``, in the same order."""
        user = self.env.user.name
        period_text = self.env._(
            "from %(from)s to %(to)s", to=format_date(self.env, period[1]),
            **{"from": format_date(self.env, period[0])})
        Dossier = self.env["octopus.dossier"]
        move_bodies, dossier_bodies = {}, {}
        for move, client_id in zip(moves, clients, strict=True):
            dossiers = Dossier.browse(dict.fromkeys(
                line["dossier_id"] for line in by_client[client_id]))
            move_bodies[move.id] = self.env._(
                "%(user)s re-invoiced the Octopus modules of %(dossiers)s %(period)s.",
                user=user, period=period_text,
                dossiers=Markup(", ").join(dossier._get_html_link() for dossier in dossiers))
            for dossier in dossiers:
                dossier_bodies[dossier.id] = self.env._(
                    "%(user)s re-invoiced the Octopus modules of this dossier %(period)s on "
                    "%(invoice)s.", user=user, period=period_text, invoice=move._get_html_link())
        moves._message_log_batch(bodies=move_bodies)
        Dossier.browse(dossier_bodies)._message_log_batch(bodies=dossier_bodies)
