from datetime import date

from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged

PERIOD = (date(2026, 1, 1), date(2026, 3, 31))


@tagged("post_install", "-at_install")
class TestReinvoiceConcurrency(TransactionCase):
    """Two users re-invoicing the same office at the same moment, played with
    two real cursors on the database's own office: the first one's invoices,
    and its lock, are not committed (both are rolled back)."""

    def _prepare(self, env):
        """The office re-invoicing, one C dossier running Bank, in ``env``'s
        transaction only."""
        office = env.ref("base.main_company")
        if not env["account.journal"].search([("type", "=", "sale"),
                                              ("company_id", "=", office.id)]):
            env["account.chart.template"].try_loading("generic_coa", office, install_demo=False)
        office.write({
            "octopus_reinvoice": True,
            "octopus_reinvoice_journal_id": env["account.journal"].search(
                [("type", "=", "sale"), ("company_id", "=", office.id)], limit=1).id,
        })
        client = env["res.partner"].create({"name": "Concurrent Client"})
        login = env["octopus.client.user"].create(
            {"kind": "K", "partner_id": client.id, "company_id": office.id})
        dossier = env["octopus.dossier"].create(
            {"code": "CONCURRENT-R", "name": "Concurrent", "partner_id": client.id,
             "company_id": office.id, "client_user_id": login.id})
        env["octopus.module.activation"].create(
            {"dossier_id": dossier.id, "module_id": env.ref("octopus_titulaires.module_bank").id,
             "date_start": date(2025, 1, 1)})
        return office

    def test_a_second_run_in_flight_creates_nothing(self):
        with self.registry.cursor() as first, self.registry.cursor() as second:
            first_env = api.Environment(first, SUPERUSER_ID, {})
            office = self._prepare(first_env)
            moves, remaining = office._octopus_reinvoice(PERIOD)
            self.assertEqual(remaining, 0)
            self.assertEqual(len(moves), 1)
            self.assertEqual(len(moves.invoice_line_ids), 1)
            second_env = api.Environment(second, SUPERUSER_ID, {})
            second_office = second_env["res.company"].browse(office.id)
            with self.assertRaisesRegex(UserError, "Another user is re-invoicing"):
                second_office._octopus_reinvoice(PERIOD)
            second_moves = second_env["account.move.line"].search_count(
                [("octopus_activation_id", "!=", False)])
            first.rollback()
            second.rollback()
        self.assertEqual(second_moves, 0)
