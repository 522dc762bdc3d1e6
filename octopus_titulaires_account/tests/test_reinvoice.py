from datetime import date

from freezegun import freeze_time
from lxml import html

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from .common import ReinvoiceCase


@tagged("post_install", "-at_install")
@freeze_time("2027-04-15")
class TestReinvoice(ReinvoiceCase):
    """Re-invoicing the first quarter of 2027 (90 days of a 365-day year) on
    15 April 2027; Scan's product costs 365 a year, API's 100."""

    def _lines(self, moves=None):
        return (moves or self._moves()).invoice_line_ids.sorted(
            lambda line: (line.octopus_activation_id.date_start, line.id))

    def _run(self, **values):
        return self._wizard(**values).action_create_invoices()

    def test_products_of_modules_carry_the_current_tariff(self):
        self.assertEqual(self.scan.product_id.type, "service")
        self.assertEqual(self.scan.product_id.lst_price, 365.0)
        # API is at 100 until its tariff of 160 starts in June 2027.
        self.assertEqual(self.api.product_id.lst_price, 100.0)
        shipped = self.env["octopus.module"].with_context(active_test=False).search([])
        self.assertTrue(all(shipped.mapped("product_id")))

    def test_default_period_is_the_last_full_period_of_the_rhythm(self):
        for rhythm, period in (("month", (date(2027, 3, 1), date(2027, 3, 31))),
                               ("quarter", (date(2027, 1, 1), date(2027, 3, 31))),
                               ("year", (date(2026, 1, 1), date(2026, 12, 31)))):
            with self.subTest(rhythm=rhythm):
                self.office.octopus_reinvoice_rhythm = rhythm
                with Form(self.env["octopus.reinvoice"].with_user(self.b_user)) as form:
                    form.company_id = self.office
                    self.assertEqual((form.date_from, form.date_to), period)

    def test_amounts_follow_the_day_rule_of_the_next_invoice(self):
        granted = self._activate(self.c_dossier, self.scan, date(2027, 2, 15))
        ended = self._activate(self.c_dossier, self.api, date(2026, 1, 1), date(2027, 2, 1))
        both = self._activate(self.c_dossier, self.portal_module, date(2027, 2, 1),
                              date(2027, 3, 1))
        self.portal_module.product_id.lst_price = 73.0
        self._run()
        lines = self._lines()
        self.assertEqual(lines.octopus_activation_id, granted | ended | both)
        amounts = {line.octopus_activation_id: line.price_subtotal for line in lines}
        # 15 February to 31 March: 45 days of 365.
        self.assertEqual(amounts[granted], 45.0)
        # 1 to 31 January; it no longer runs on the day it ended.
        self.assertEqual(amounts[ended], round(100.0 * 31 / 365, 2))
        # 1 to 28 February.
        self.assertEqual(amounts[both], round(73.0 * 28 / 365, 2))
        self.assertEqual(set(lines.mapped("octopus_period_from")), {date(2027, 1, 1)})
        self.assertEqual(set(lines.mapped("octopus_period_to")), {date(2027, 3, 31)})
        line = lines.filtered(lambda line: line.octopus_activation_id == granted)
        self.assertIn("C100", line.name)
        self.assertIn("Scan", line.name)
        self.assertIn("02/15/2027", line.name)
        self.assertIn("03/31/2027", line.name)
        self.assertEqual(line.product_id, self.scan.product_id)
        self.assertEqual(line.tax_ids, self.scan.product_id.taxes_id.filtered(
            lambda tax: tax.company_id == self.office))

    def test_the_product_price_is_what_the_client_pays(self):
        self._activate(self.c_dossier, self.scan, date(2026, 1, 1))
        self.scan.product_id.lst_price = 730.0
        self._run()
        self.assertEqual(self._lines().price_subtotal, 180.0)

    @freeze_time("2028-04-15")
    def test_a_leap_year_counts_366_days(self):
        self._activate(self.c_dossier, self.scan, date(2028, 2, 29))
        self._run()
        # 29 February to 31 March 2028: 32 days of 366.
        self.assertEqual(self._lines().price_subtotal, round(365.0 * 32 / 366, 2))

    def test_one_draft_invoice_per_client_to_its_invoicing_address(self):
        holding = self.env["res.partner"].create({"name": "Holding Test", "is_company": True})
        billing = self.env["res.partner"].create(
            {"name": "Comptabilite Boulangerie", "type": "invoice", "parent_id": self.client.id})
        login = self.c_dossier.client_user_id
        second = self._dossier("C101", login=login)
        third = self._dossier("C102", login=login)
        third.partner_id = holding
        for dossier in (self.c_dossier, second, third):
            self._activate(dossier, self.scan, date(2027, 1, 1))
        self._activate(second, self.api, date(2027, 1, 1))
        self._run()
        moves = self._moves()
        self.assertEqual(len(moves), 2)
        self.assertEqual(set(moves.mapped("state")), {"draft"})
        self.assertEqual(set(moves.mapped("move_type")), {"out_invoice"})
        self.assertEqual(moves.journal_id, self.office.octopus_reinvoice_journal_id)
        by_partner = {move.partner_id: move for move in moves}
        self.assertEqual(set(by_partner), {billing, holding})
        self.assertEqual(billing.id, self.client.address_get(["invoice"])["invoice"])
        self.assertEqual(len(by_partner[billing].invoice_line_ids), 3)
        self.assertEqual(by_partner[billing].invoice_line_ids.octopus_activation_id.dossier_id,
                         self.c_dossier | second)
        self.assertEqual(by_partner[holding].invoice_line_ids.octopus_activation_id.dossier_id,
                         third)
        self.assertEqual(by_partner[holding].amount_untaxed, 90.0)

    def test_b_a_and_other_offices_dossiers_are_never_invoiced(self):
        self._activate(self.b_dossier, self.scan, date(2026, 1, 1))
        self._activate(self.a_dossier, self.scan, date(2026, 1, 1))
        other = self._dossier("C900", login=self._login("K", company=self.other_office),
                              company=self.other_office)
        self._activate(other, self.scan, date(2026, 1, 1))
        c_line = self._activate(self.c_dossier, self.api, date(2026, 1, 1))
        wizard = self._wizard()
        self.assertEqual(len(html.fromstring(wizard.preview).xpath(
            "//td[hasclass('o_octopus_reinvoice_client')]")), 1)
        wizard.action_create_invoices()
        self.assertEqual(self._moves().invoice_line_ids.octopus_activation_id, c_line)
        self.assertFalse(self._moves(self.other_office))
        # The Packet Deal is the office's own cost: no line carries it.
        self.assertEqual(len(self._moves().invoice_line_ids), 1)

    def test_the_same_period_twice_creates_nothing(self):
        self._activate(self.c_dossier, self.scan, date(2026, 1, 1))
        self._run()
        first = self._moves()
        wizard = self._wizard()
        skipped = html.fromstring(wizard.preview).xpath(
            "//p[hasclass('o_octopus_reinvoice_skipped')]")
        self.assertEqual(skipped[0].text_content().split(":")[-1].strip(), "1")
        self.assertIn("Nothing to re-invoice", wizard.preview)
        with self.assertRaisesRegex(UserError, "Nothing to re-invoice"):
            wizard.action_create_invoices()
        # A month inside the invoiced quarter is invoiced already too.
        with self.assertRaisesRegex(UserError, "Nothing to re-invoice"):
            self._run(date_from=date(2027, 2, 1), date_to=date(2027, 2, 28))
        self.assertEqual(self._moves(), first)

    def test_a_cancelled_or_deleted_draft_frees_its_lines(self):
        self._activate(self.c_dossier, self.scan, date(2026, 1, 1))
        self._run()
        first = self._moves()
        first.button_cancel()
        self._run()
        second = self._moves() - first
        self.assertEqual(len(second), 1)
        second.unlink()
        self._run()
        self.assertEqual(len(self._moves() - first), 1)

    def test_both_chatters_say_who_re_invoiced_what(self):
        self._activate(self.c_dossier, self.scan, date(2026, 1, 1))
        self._run()
        move = self._moves()
        move_note = move.message_ids.filtered(lambda message: "re-invoiced" in message.body)
        self.assertEqual(len(move_note), 1)
        self.assertEqual(move_note.author_id, self.b_user.partner_id)
        self.assertIn(f'data-oe-model="octopus.dossier" data-oe-id="{self.c_dossier.id}"',
                      move_note.body)
        dossier_note = self.c_dossier.message_ids.filtered(
            lambda message: "re-invoiced" in message.body)
        self.assertEqual(len(dossier_note), 1)
        self.assertEqual(dossier_note.author_id, self.b_user.partner_id)
        self.assertIn(f'data-oe-model="account.move" data-oe-id="{move.id}"', dossier_note.body)

    def test_a_period_not_over_or_across_years_is_refused(self):
        wizard = self._wizard(date_from=date(2027, 4, 1), date_to=date(2027, 4, 30))
        self.assertIn("the period must be over", wizard.preview)
        with self.assertRaisesRegex(UserError, "the period must be over"):
            wizard.action_create_invoices()
        with self.assertRaisesRegex(UserError, "within one calendar year"):
            self._run(date_from=date(2026, 12, 1), date_to=date(2027, 1, 31))
        self.office.octopus_reinvoice_journal_id = self.env["account.journal"].search(
            [("type", "=", "purchase"), ("company_id", "=", self.office.id)], limit=1)
        with self.assertRaisesRegex(UserError, "must be one of its sales journals"):
            self._run()
        self.office.octopus_reinvoice = False
        with self.assertRaisesRegex(UserError, "does not re-invoice"):
            self._run()
        self.assertFalse(self._moves())

    def test_only_a_b_user_with_invoicing_rights_may(self):
        self._activate(self.c_dossier, self.scan, date(2026, 1, 1))
        b_only = new_test_user(self.env, login="b_only", groups="octopus_titulaires.group_titulaire",
                               company_id=self.office.id, company_ids=[(6, 0, self.office.ids)])
        invoicing_only = new_test_user(
            self.env, login="invoicing_only", groups="account.group_account_invoice",
            company_id=self.office.id, company_ids=[(6, 0, self.office.ids)])
        for user in (b_only, invoicing_only):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self._wizard(user=user)
        with self.assertRaises(AccessError):
            self.office.with_user(invoicing_only)._octopus_reinvoice(
                (date(2027, 1, 1), date(2027, 3, 31)))
        # A B user of another office re-invoices only its own.
        with self.assertRaises(AccessError):
            self.office.with_user(self.other_b_user)._octopus_reinvoice(
                (date(2027, 1, 1), date(2027, 3, 31)))
        self.assertFalse(self._moves())

    def test_the_dashboard_and_the_menu_offer_it_to_who_may(self):
        b_only = new_test_user(self.env, login="b_only_menu",
                               groups="octopus_titulaires.group_titulaire",
                               company_id=self.office.id, company_ids=[(6, 0, self.office.ids)])
        view = self.env.ref("octopus_titulaires.res_company_view_kanban_octopus_dashboard")
        menu = self.env.ref("octopus_titulaires_account.octopus_reinvoice_menu")
        for user, shown in ((self.b_user, True), (b_only, False)):
            with self.subTest(user=user.login):
                arch = self.env["res.company"].with_user(user).get_views(
                    [(view.id, "kanban")])["views"]["kanban"]["arch"]
                self.assertEqual("action_octopus_reinvoice" in arch, shown)
                self.assertEqual(
                    menu.id in self.env["ir.ui.menu"].with_user(user)._visible_menu_ids(), shown)
        action = self.office.with_user(self.b_user).action_octopus_reinvoice()
        self.assertEqual((action["res_model"], action["context"]["default_company_id"]),
                         ("octopus.reinvoice", self.office.id))

    def test_the_client_sees_the_invoice_once_posted(self):
        self._activate(self.c_dossier, self.scan, date(2026, 1, 1))
        self._run()
        move = self._moves()
        self.assertEqual(move.partner_id.id, self.client.address_get(["invoice"])["invoice"])
        move.action_post()
        self.assertEqual(move.state, "posted")
        # What Odoo's portal rule lets the client's portal users read on /my/invoices.
        self.assertIn(move.partner_id, move.message_partner_ids)
