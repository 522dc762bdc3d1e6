"""Requests to the office holder, attacked as the real users of two offices
over JSON-RPC: answering somebody else's request, editing one, confirming one
whose dossiers changed. Each attack is re-read as superuser."""

import json

from odoo.tests import tagged

from .test_attacks_holder import HolderRpcCase
from .test_attacks_rpc import ACCESS_ERROR, PASSWORDS, RULE_REFUSAL, USER_ERROR

REQUEST = "octopus.access.request"
ANSWER = "octopus.access.request.answer"
NOT_THE_HOLDER = r"Only the office holder of Fiduciaire Attaquee, atk_b1"


@tagged("post_install", "-at_install")
class TestRpcAttacksRequest(HolderRpcCase):
    def _ask(self, dossier):
        """b1's colleague fills the grant dialog in and asks the holder."""
        self.login_as(self.b1_colleague)
        grant_id = self._grant(dossier, state="password",
                               module_ids=[[6, 0, self.bank_module.ids]])
        action = self.button("octopus.dossier.grant", "action_ask_holder", grant_id)
        self.assertEqual(action["res_model"], REQUEST)
        return action["res_id"]

    def _answer(self, request_id, answer="confirm"):
        """An answer dialog created over RPC by the logged-in user."""
        return self.call(ANSWER, "create", [{"request_id": request_id, "answer": answer}])[0]

    def _request(self, request_id):
        self.env.invalidate_all()
        return self.env[REQUEST].browse(request_id).read(
            ["state", "operation", "dossier_ids", "module_ids", "client_email",
             "requested_by_id", "answered_by_id"])[0]

    def _row_text(self, table, record_id):
        self.env.flush_all()
        self.env.cr.execute(f"SELECT row_to_json(t)::text FROM {table} t WHERE id = %s",  # noqa: S608
                            [record_id])
        return self.env.cr.fetchone()[0]

    def test_01_only_the_holder_confirms_a_request(self):
        request_id = self._ask(self.dossier_a)
        before, request = self._written(), self._request(request_id)
        holders_password = {"octopus_password": PASSWORDS["atk_b1"]}
        # Who asked and the office's other B user, with any password.
        for user in (self.b1_colleague, self.manager):
            self.login_as(user)
            with self.subTest(user=user.login):
                self.assertButtonRefused(USER_ERROR, NOT_THE_HOLDER, REQUEST,
                                         "action_open_confirm", request_id)
                answer_id = self._answer(request_id)
                for password in (PASSWORDS[user.login], PASSWORDS["atk_b1"]):
                    self.assertButtonRefused(USER_ERROR, NOT_THE_HOLDER, ANSWER, "action_confirm",
                                             answer_id, {"octopus_password": password})
                refusal_id = self.call(ANSWER, "create", [{
                    "request_id": request_id, "answer": "refuse", "reason": "No."}])[0]
                self.assertButtonRefused(USER_ERROR, NOT_THE_HOLDER, ANSWER, "action_refuse",
                                         refusal_id)
                # The request's own methods are not reachable over RPC.
                self.assertRefused(ACCESS_ERROR, "Private methods", REQUEST, "_confirm",
                                   [request_id], PASSWORDS["atk_b1"])
        # Another office's holder does not even read it.
        self.login_as(self.b2)
        self.assertRefused(ACCESS_ERROR, RULE_REFUSAL, REQUEST, "read", [request_id], ["state"])
        self.assertEqual(self.call(REQUEST, "search_read", [("id", "=", request_id)], ["id"]), [])
        self.assertButtonRefused(ACCESS_ERROR, RULE_REFUSAL, REQUEST, "action_open_confirm",
                                 request_id)
        foreign_answer = self._answer(request_id)
        for password in (PASSWORDS["atk_b2"], PASSWORDS["atk_b1"]):
            self.assertButtonRefused(ACCESS_ERROR, RULE_REFUSAL, ANSWER, "action_confirm",
                                     foreign_answer, {"octopus_password": password})
        self.assertEqual(self._written(), before)
        self.assertEqual(self._request(request_id), request)

        # The holder confirms with their own password, which nothing keeps.
        self.login_as(self.b1)
        action = self.button(REQUEST, "action_open_confirm", request_id)
        self.assertEqual((action["res_model"], action["target"]), (ANSWER, "new"))
        answer_id = action["res_id"]
        self.assertEqual(self.call(ANSWER, "read", [answer_id], ["request_id", "answer"]),
                         [{"id": answer_id, "request_id": [request_id, self.env[REQUEST].browse(
                             request_id).display_name], "answer": "confirm"}])
        self.call(ANSWER, "web_save", [answer_id], {"password": PASSWORDS["atk_b1"]},
                  specification={})
        self.assertButtonRefused(USER_ERROR, "Enter the password of the office holder", ANSWER,
                                 "action_confirm", answer_id)
        self.assertEqual(self._written(), before)
        result = self.button(ANSWER, "action_confirm", answer_id, holders_password)
        self.assertNotIn(PASSWORDS["atk_b1"], json.dumps(result))
        self.assertEqual(self.dossier_a.access_category, "C")
        self.assertEqual(self.dossier_a.activation_ids.module_id,
                         self.portal_module | self.bank_module)
        self.assertEqual(self.dossier_a.activation_ids.activated_by_id, self.b1_colleague)
        self.assertEqual(self.dossier_a.activation_ids.confirmed_by_id, self.b1)
        self.assertEqual(self._request(request_id)["state"], "confirmed")
        for table, record_id in (("octopus_access_request", request_id),
                                 ("octopus_access_request_answer", answer_id)):
            self.assertNotIn(PASSWORDS["atk_b1"], self._row_text(table, record_id))

    def test_02_a_request_cannot_be_edited(self):
        request_id = self._ask(self.dossier_a)
        before, request = self._written(), self._request(request_id)
        edits = ({"state": "confirmed"}, {"dossier_ids": [[6, 0, self.dossier_cy.ids]]},
                 {"module_ids": [[4, self.dms_module.id]]},
                 {"client_email": "attacker@evil.example.com"},
                 {"requested_by_id": self.b1.id})
        for user in (self.b1_colleague, self.b1, self.manager):
            self.login_as(user)
            for values in edits:
                with self.subTest(user=user.login, values=values):
                    self.assertRefused(ACCESS_ERROR, RULE_REFUSAL, REQUEST, "write",
                                       [request_id], values)
                    self.assertRefused(ACCESS_ERROR, RULE_REFUSAL, REQUEST, "web_save",
                                       [request_id], values, specification={})
            with self.subTest(user=user.login, operation="unlink/create/copy"):
                self.assertRefused(ACCESS_ERROR, RULE_REFUSAL, REQUEST, "unlink", [request_id])
                self.assertRefused(ACCESS_ERROR, RULE_REFUSAL, REQUEST, "copy", [request_id])
                self.assertRefused(ACCESS_ERROR, RULE_REFUSAL, REQUEST, "create", [{
                    "operation": "grant", "company_id": self.office.id, "state": "confirmed",
                    "dossier_ids": [[6, 0, self.dossier_a.ids]]}])
        self.assertEqual(self._request(request_id), request)
        self.assertEqual(self._written(), before)
        # Its readers may still discuss it.
        self.login_as(self.manager)
        self.call(REQUEST, "message_post", [request_id], body="Seen.", message_type="comment")
        self.assertEqual(self.env[REQUEST].browse(request_id).message_ids[0].body,
                         "<p>Seen.</p>")

    def test_03_a_stale_request_is_refused_with_nothing_written(self):
        request_id = self._ask(self.dossier_a)
        # Meanwhile the holder grants the dossier at their own desk.
        self.login_as(self.b1)
        grant_id = self._grant(self.dossier_a, state="password")
        self.button("octopus.dossier.grant", "action_confirm", grant_id,
                    {"octopus_password": PASSWORDS["atk_b1"]})
        login = self.dossier_a.client_user_id.login
        before = self._written()
        answer_id = self._answer(request_id)
        self.assertButtonRefused(
            USER_ERROR, rf"Dossier \[ATK-A1\] Dossier ATK-A1 was given client access \(login "
                        rf"{login}\) since the request was asked.*Nothing was changed",
            ANSWER, "action_confirm", answer_id, {"octopus_password": PASSWORDS["atk_b1"]})
        self.assertEqual(self._written(), before)
        self.assertEqual(self._request(request_id)["state"], "requested")
        # The modules it asked for are not there: the holder's own grant had none.
        self.assertNotIn(self.bank_module, self.dossier_a.activation_ids.module_id)
