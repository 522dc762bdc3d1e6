import json
from datetime import date

from odoo.tests import HttpCase, new_test_user, tagged

from .common import ReinvoiceCase

PASSWORD = "reinvoice-Secret-1"
PERIOD = {"date_from": "2026-01-01", "date_to": "2026-03-31"}


@tagged("post_install", "-at_install")
class TestReinvoiceRpc(HttpCase, ReinvoiceCase):
    """Re-invoicing asked over JSON-RPC, as the web client or a script would,
    by B users with and without Invoicing rights; what was written is read
    back as superuser."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._activate(cls.c_dossier, cls.scan, date(2025, 1, 1))
        cls.b_no_invoicing = new_test_user(
            cls.env, login="rpc_b_only", password=PASSWORD,
            groups="octopus_titulaires.group_titulaire", company_id=cls.office.id,
            company_ids=[(6, 0, cls.office.ids)])
        cls.b_invoicing = new_test_user(
            cls.env, login="rpc_b_invoicing", password=PASSWORD,
            groups="octopus_titulaires.group_titulaire,account.group_account_invoice",
            company_id=cls.office.id, company_ids=[(6, 0, cls.office.ids)])

    def _rpc(self, route, model, method, args, kwargs=None):
        """The JSON-RPC answer, error included."""
        self.env.flush_all()
        payload = {"jsonrpc": "2.0", "method": "call", "id": 0,
                   "params": {"model": model, "method": method, "args": args,
                              "kwargs": kwargs or {}}}
        response = self.url_open(route, data=json.dumps(payload),
                                 headers={"Content-Type": "application/json"})
        response.raise_for_status()
        self.env.invalidate_all()
        return response.json()

    def _reinvoiced_lines(self):
        return self.env["account.move.line"].sudo().search_count(
            [("octopus_activation_id.dossier_id", "=", self.c_dossier.id)])

    def assertRefused(self, body, pattern):
        self.assertNotIn("result", body)
        self.assertEqual(body["error"]["data"]["name"], "odoo.exceptions.AccessError")
        self.assertRegex(body["error"]["data"]["message"], pattern)

    def test_a_b_user_without_invoicing_rights_is_refused(self):
        self.authenticate("rpc_b_only", PASSWORD)
        body = self._rpc("/web/dataset/call_kw", "octopus.reinvoice", "create",
                         [dict(PERIOD, company_id=self.office.id)])
        self.assertRefused(body, "You are not allowed to create")
        body = self._rpc("/web/dataset/call_button", "res.company", "action_octopus_reinvoice",
                         [self.office.ids])
        self.assertRefused(body, "Only a B user with Invoicing rights")
        self.assertEqual(self._reinvoiced_lines(), 0)
        self.assertFalse(self._moves())

    def test_another_users_dialog_cannot_be_confirmed(self):
        wizard = self.env["octopus.reinvoice"].with_user(self.b_user).create(
            dict(PERIOD, company_id=self.office.id))
        self.authenticate("rpc_b_invoicing", PASSWORD)
        body = self._rpc("/web/dataset/call_button", "octopus.reinvoice",
                         "action_create_invoices", [wizard.ids])
        self.assertRefused(body, "not allowed to access|top-secret")
        self.assertEqual(self._reinvoiced_lines(), 0)
        # The same user's own dialog goes through: the refusal was the rule's.
        self.authenticate("rpc_b_invoicing", PASSWORD)
        created = self._rpc("/web/dataset/call_kw", "octopus.reinvoice", "create",
                            [dict(PERIOD, company_id=self.office.id)])
        self._rpc("/web/dataset/call_button", "octopus.reinvoice", "action_create_invoices",
                  [[created["result"]]])
        self.assertEqual(self._reinvoiced_lines(), 1)
