import threading
from datetime import date

from psycopg2.errors import SerializationFailure

from odoo import SUPERUSER_ID, api
from odoo.api import Transaction
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


@tagged("post_install", "-at_install")
class TestChangeConcurrency(TransactionCase):
    """Activate Modules and Revoke Client Access confirmed on the same dossier
    at nearly the same moment, each in a thread of its own with its own
    cursor, on data committed for the purpose (and removed afterwards)."""

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"mail_create_nolog": True})
            partner = env["res.partner"].create({"name": "Racing Client"})
            login = env["octopus.client.user"].create({"kind": "K", "partner_id": partner.id})
            dossier = env["octopus.dossier"].create(
                {"code": "RACE-1", "name": "Race", "partner_id": partner.id,
                 "client_user_id": login.id})
            env["octopus.module.activation"].create(
                {"dossier_id": dossier.id,
                 "module_id": env.ref("octopus_titulaires.module_client_portal").id})
            self.ids = {"partner": partner.id, "login": login.id, "dossier": dossier.id}
        self.addCleanup(self._remove_committed_data)

    def _remove_committed_data(self):
        # The ledger refuses deletion through the ORM: it is append-only.
        with self.registry.cursor() as cr:
            for sql, key in (
                ("DELETE FROM octopus_module_activation WHERE dossier_id = %s", "dossier"),
                ("DELETE FROM mail_message WHERE model = 'octopus.dossier' AND res_id = %s",
                 "dossier"),
                ("DELETE FROM mail_message WHERE model = 'octopus.client.user' AND res_id = %s",
                 "login"),
                ("DELETE FROM octopus_dossier WHERE id = %s", "dossier"),
                ("DELETE FROM octopus_client_user WHERE id = %s", "login"),
                ("DELETE FROM res_partner WHERE id = %s", "partner"),
            ):
                cr.execute(sql, [self.ids[key]])

    def _env(self, cr, uid):
        """An environment on ``cr`` for a thread of this test: made from this
        registry, since looking the registry up by name waits for the lock that
        the running tests hold."""
        cr.transaction = Transaction(self.registry)
        return api.Environment(cr, uid, {})

    def _in_thread(self, target, errors):
        def run():
            try:
                target()
            except Exception as error:  # noqa: BLE001 - reported by the test
                errors.append(error)
        thread = threading.Thread(target=run)
        thread.start()
        return thread

    def test_activate_and_revoke_in_flight_give_one_after_the_other(self):
        """The revoke's request reads the dossier before the activation commits
        and takes its lock after: it must not end only the modules it saw."""
        admin_id = self.env.ref("base.user_admin").id
        bank_id = self.env.ref("octopus_titulaires.module_bank").id
        revoke_has_read, activated = threading.Event(), threading.Event()
        errors, refusals = [], []

        def revoke():
            with self.registry.cursor() as cr:
                env = self._env(cr, admin_id)
                dossier = env["octopus.dossier"].browse(self.ids["dossier"])
                self.assertEqual(dossier.access_category, "C")
                revoke_has_read.set()
                activated.wait(30)

                # What Odoo does with every request (``odoo.service.model.retrying``):
                # after a serialization failure, roll back and run it again.
                for attempt in range(2):
                    try:
                        dossier._revoke_access()
                        break
                    except SerializationFailure as failure:
                        refusals.append(failure)
                        cr.rollback()
                        env.invalidate_all(flush=False)

        def activate():
            revoke_has_read.wait(30)
            try:
                with self.registry.cursor() as cr:
                    env = self._env(cr, admin_id)
                    env["octopus.dossier"].browse(self.ids["dossier"])._activate_modules(
                        env["octopus.module"].browse(bank_id))
            finally:
                activated.set()

        threads = [self._in_thread(revoke, errors), self._in_thread(activate, errors)]
        for thread in threads:
            thread.join(60)
        self.assertEqual(errors, [])
        # The revoke ran twice: its first snapshot was refused under the lock.
        self.assertEqual(len(refusals), 1)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            dossier = env["octopus.dossier"].browse(self.ids["dossier"])
            self.assertEqual((dossier.access_category, dossier.client_user_id.id), ("A", False))
            self.assertEqual(sorted(dossier.activation_ids.module_id.ids),
                             sorted([bank_id, env.ref(
                                 "octopus_titulaires.module_client_portal").id]))
            self.assertFalse(dossier.activation_ids._running(date.today()))
            self.assertFalse(dossier.active_module_ids)
            self.assertEqual(env["octopus.client.user"].browse(self.ids["login"]).state,
                             "revoked")
