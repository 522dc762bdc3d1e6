from datetime import date
from unittest.mock import patch

from freezegun import freeze_time
from lxml import html

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import ReinvoiceCase

CAP = "odoo.addons.octopus_titulaires_account.models.res_company.REINVOICE_BATCH"


@tagged("post_install", "-at_install")
@freeze_time("2027-04-15")
class TestReinvoiceCap(ReinvoiceCase):
    """Five clients to invoice for the first quarter of 2027, with runs capped
    at two clients: each run continues where the last one stopped."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Created from the last name to the first: the runs follow the names,
        # not the order of creation.
        cls.clients = cls.env["res.partner"]
        for number in range(5, 0, -1):
            client = cls.env["res.partner"].create(
                {"name": f"Cap Client {number}", "is_company": True})
            dossier = cls._dossier(f"CAP{number}", login=cls._login("K"))
            dossier.partner_id = client
            cls._activate(dossier, cls.scan, date(2027, 1, number))
            if number % 2:
                cls._activate(dossier, cls.api, date(2027, 2, number))
            cls.clients = client + cls.clients

    def _totals(self):
        """Amount before taxes of each client's draft invoice."""
        return {move.partner_id.name: move.amount_untaxed for move in self._moves()}

    def _preview(self):
        return html.fromstring(self._wizard().preview)

    def _run(self):
        action = self._wizard().action_create_invoices()
        return action["params"]["message"], action["params"]["next"]

    def test_runs_continue_with_the_next_clients_to_the_amounts_of_one_run(self):
        # What one run without the cap creates, then the same drafts deleted.
        with patch(CAP, 100):
            self._run()
        uncapped = self._totals()
        self.assertEqual(sorted(uncapped), self.clients.mapped("name"))
        self._moves().unlink()

        with patch(CAP, 2):
            preview = self._preview()
            capped = preview.xpath("//p[hasclass('o_octopus_reinvoice_capped')]")
            self.assertEqual(capped[0].text_content().strip(),
                             "This run creates the invoices of the first 2 clients (of 5); "
                             "run it again for the next ones.")
            self.assertEqual(
                [cell.text_content() for cell in
                 preview.xpath("//td[hasclass('o_octopus_reinvoice_client')]")],
                ["Cap Client 1", "Cap Client 2"])

            message, action = self._run()
            self.assertEqual(message, "Draft invoices created for 2 clients. 3 clients remain: "
                             "run Re-invoice Modules again for the same period.")
            self.assertEqual(sorted(self._totals()), ["Cap Client 1", "Cap Client 2"])
            self.assertEqual(self.env["account.move"].search(action["domain"]), self._moves())
            self.assertIn("(of 3)", self._wizard().preview)

            first = self._moves()
            message, _action = self._run()
            self.assertEqual(message, "Draft invoices created for 2 clients. 1 client remains: "
                             "run Re-invoice Modules again for the same period.")
            self.assertEqual(sorted((self._moves() - first).partner_id.mapped("name")),
                             ["Cap Client 3", "Cap Client 4"])

            # The last client fits in one run: no cap to say.
            preview = self._preview()
            self.assertFalse(preview.xpath("//p[hasclass('o_octopus_reinvoice_capped')]"))
            self.assertEqual(len(preview.xpath("//td[hasclass('o_octopus_reinvoice_client')]")),
                             1)
            message, _action = self._run()
            self.assertEqual(message, "Draft invoice created for 1 client. Every client of the "
                             "period is invoiced.")

            # Nothing is left: the preview says so and a fourth run creates nothing.
            self.assertTrue(self._preview().xpath(
                "//p[hasclass('o_octopus_reinvoice_nothing')]"))
            before = self._moves()
            with self.assertRaisesRegex(UserError, "Nothing to re-invoice"):
                self._run()
            self.assertEqual(self._moves(), before)

        self.assertEqual(len(self._moves()), 5)
        self.assertEqual(self._totals(), uncapped)

    def test_the_cap_is_the_models_rule(self):
        """The model method itself takes no more than the cap, and tells how
        many clients are left, whatever calls it."""
        office = self.office.with_user(self.b_user)
        with patch(CAP, 3):
            moves, remaining = office._octopus_reinvoice((date(2027, 1, 1), date(2027, 3, 31)))
            self.assertEqual((len(moves), remaining), (3, 2))
            moves, remaining = office._octopus_reinvoice((date(2027, 1, 1), date(2027, 3, 31)))
            self.assertEqual((len(moves), remaining), (2, 0))
        self.assertEqual(self._moves().partner_id, self.clients)
