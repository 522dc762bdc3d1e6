from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestGrantConcurrency(TransactionCase):
    """Two B users confirming at the same moment, played with two real cursors
    on a dossier committed for the purpose (and removed afterwards)."""

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"mail_create_nolog": True})
            partner = env["res.partner"].create(
                {"name": "Concurrent Client", "email": "client@concurrent.example.be"}
            )
            dossier = env["octopus.dossier"].create(
                {"code": "CONCURRENT-1", "name": "Concurrent", "partner_id": partner.id}
            )
            self.dossier_id, self.partner_id = dossier.id, partner.id
        self.addCleanup(self._remove_committed_data)

    def _remove_committed_data(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["octopus.dossier"].browse(self.dossier_id).unlink()
            env["res.partner"].browse(self.partner_id).unlink()

    def _grant(self, cr):
        env = api.Environment(cr, self.env.ref("base.user_admin").id, {})
        dossier = env["octopus.dossier"].browse(self.dossier_id)
        return dossier._grant_access(
            env["octopus.module"], "office@concurrent.example.be", "client@concurrent.example.be"
        )

    def test_second_concurrent_grant_gets_a_clear_error(self):
        with self.registry.cursor() as first, self.registry.cursor() as second:
            login = self._grant(first)
            self.assertRegex(login.login, r"^K\d{8}$")
            with self.assertRaisesRegex(UserError, "Another user is changing"):
                self._grant(second)
            first.rollback()
            second.rollback()

    def test_k_logins_stay_unique_across_concurrent_transactions(self):
        with self.registry.cursor() as first, self.registry.cursor() as second:
            logins = [
                api.Environment(cr, SUPERUSER_ID, {})["octopus.client.user"].create({"kind": "K"}).login
                for cr in (first, second)
            ]
            first.rollback()
            second.rollback()
        self.assertEqual(len(set(logins)), 2)
        self.assertTrue(all(login.startswith("K") for login in logins))
