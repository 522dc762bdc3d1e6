"""Attacks on the portal invitation, replayed as the real users over HTTP.

The invitation's link chooses the client's portal password: whoever reads it
signs in as the client. Office users (the granting B user, a colleague, a B
user of another office sharing the client's portal user) look for it wherever
JSON-RPC lets them look, and a grant to the address of another office's portal
client must not hand that office a way into the account.
"""

import json
from urllib.parse import parse_qs, urlsplit

from lxml import html

from odoo.addons.mail.tests.common import MockEmail
from odoo.tests import HttpCase, new_test_user, tagged

from .common import assert_signup_link, signup_tokens_made
from .test_attacks_rpc import LOCAL_ADDRESS

PASSWORDS = {
    "inv_b1": "inv-b1-Secret-1",
    "inv_b1_colleague": "inv-colleague-Secret-2",
    "inv_b2": "inv-b2-Secret-3",
    "client2@client-deux.example.be": "client2-own-Secret-4",
}
NEW_CLIENT = "nouveau@client-un.example.be"
# What a signup or reset link is made of, whatever its token.
LINK_PIECES = ("/web/signup", "/web/reset_password", "auth_signup", "token=")


@tagged("post_install", "-at_install")
class TestAttacksInvitation(HttpCase, MockEmail):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.office = cls.env["res.company"].create(
            {"name": "Fiduciaire Invitante", "octopus_b_number": "B00000201",
             "octopus_confirmation": "user"})
        cls.other_office = cls.env["res.company"].create(
            {"name": "Fiduciaire Deux", "octopus_b_number": "B00000202",
             "octopus_confirmation": "user"})
        group = "octopus_titulaires.group_titulaire"
        cls.b1 = cls._user("inv_b1", group, cls.office)
        cls.b1_colleague = cls._user("inv_b1_colleague", group, cls.office)
        cls.b2 = cls._user("inv_b2", group, cls.other_office)
        Partner = cls.env["res.partner"]
        cls.client_1 = Partner.create({"name": "Client Un", "is_company": True,
                                       "email": NEW_CLIENT, "company_id": cls.office.id})
        cls.client_2 = Partner.create({"name": "Client Deux", "is_company": True,
                                       "company_id": cls.other_office.id})
        cls.dossier_1 = cls._dossier("INV-1", cls.office, cls.client_1)
        cls.dossier_2 = cls._dossier("INV-2", cls.other_office, cls.client_2)
        # Office 2's client already uses the portal with a password of its own.
        cls.portal_2 = cls._user("client2@client-deux.example.be", "base.group_portal",
                                 cls.other_office)
        cls.login_2 = cls.env["octopus.client.user"].create(
            {"kind": "K", "company_id": cls.other_office.id, "partner_id": cls.client_2.id,
             "email": cls.portal_2.login, "user_id": cls.portal_2.id})
        cls.dossier_2.sudo().write({"client_user_id": cls.login_2.id})
        cls.login_2._record_consent(cls.portal_2)

    @classmethod
    def _user(cls, login, groups, company):
        return new_test_user(
            cls.env, login=login, password=PASSWORDS[login], groups=groups,
            email=login if "@" in login else f"{login}@invitation.example.be",
            company_id=company.id, company_ids=[(6, 0, company.ids)])

    @classmethod
    def _dossier(cls, code, company, partner):
        return cls.env["octopus.dossier"].create(
            {"code": code, "name": f"Dossier {code}", "partner_id": partner.id,
             "company_id": company.id})

    def setUp(self):
        super().setUp()
        # The login cooldown counts per address in the registry, across tests.
        self.addCleanup(lambda: getattr(self.registry, "_login_failures", {}).pop(
            LOCAL_ADDRESS, None))

    # -- as the user, over HTTP --------------------------------------------------

    def login_as(self, user):
        self.authenticate(user.login, PASSWORDS[user.login])

    def answer(self, route, **params):
        """The server's whole answer to a JSON call, refusals included: the
        text in which a link must not be found."""
        self.env.flush_all()
        response = self.url_open(
            route, data=json.dumps({"jsonrpc": "2.0", "method": "call", "id": 0,
                                    "params": params}),
            headers={"Content-Type": "application/json"})
        self.env.invalidate_all()
        return response.json()

    def call_kw(self, model, method, *args, route="/web/dataset/call_kw", **kwargs):
        return self.answer(route, model=model, method=method, args=list(args), kwargs=kwargs)

    def sign_in(self, login, password):
        """Odoo's own sign-in, which checks the password (``authenticate``
        does not); the answer names the user signed in, or the refusal."""
        return self.answer("/web/session/authenticate", db=self.env.cr.dbname, login=login,
                           password=password)

    def grant(self, user, dossier, client_email):
        """The grant dialog as ``user``'s web client drives it, with portal
        access; the answers of its calls."""
        self.login_as(user)
        answers = [self.call_kw("octopus.dossier.grant", "web_save", [], {
            "dossier_ids": [[6, 0, dossier.ids]], "client_email": client_email,
            "state": "password"}, specification={"portal_access": {}, "recap": {}})]
        wizard_id = answers[0]["result"][0]["id"]
        self.assertTrue(answers[0]["result"][0]["portal_access"])
        answers.append(self.call_kw(
            "octopus.dossier.grant", "action_confirm", [wizard_id],
            route="/web/dataset/call_button",
            context={"octopus_password": PASSWORDS[user.login]}))
        self.assertIn("result", answers[-1], answers[-1])
        answers.append(self.call_kw("octopus.dossier.grant", "web_read", [wizard_id],
                                    specification={"recap": {}, "granted_login": {},
                                                   "client_mail": {}}))
        return answers

    def what_the_user_reaches(self, logins, dossiers, message_ids):
        """Every answer in which the logged-in user could find a mail: the
        messages, mails and notifications it may search, the chatters of the
        logins and dossiers, its inbox, its dialogs and any portal wizard."""
        answers = [
            self.call_kw("mail.message", "search_read", [],
                         ["body", "subject", "model", "res_id", "author_id"]),
            self.call_kw("mail.message", "read", message_ids, ["body", "subject"]),
            self.call_kw("mail.mail", "search_read", [], ["body_html", "email_to"]),
            self.call_kw("mail.notification", "search_read", [],
                         ["mail_message_id", "mail_mail_id", "res_partner_id"]),
            self.call_kw("octopus.dossier.grant", "search_read", [], []),
            self.call_kw("portal.wizard.user", "search_read", [], []),
            self.answer("/mail/inbox/messages"),
        ]
        for model, records in (("octopus.client.user", logins), ("octopus.dossier", dossiers)):
            for record in records:
                answers.append(self.answer("/mail/thread/messages", thread_model=model,
                                           thread_id=record.id))
                found = self.call_kw(model, "read", record.ids, ["message_ids"])
                answers.append(found)
                for row in found.get("result", []):
                    answers.append(self.call_kw("mail.message", "read", row["message_ids"],
                                                ["body"]))
        return answers

    def assertNoLink(self, answers, token):
        text = json.dumps(answers)
        for piece in (token, *LINK_PIECES):
            self.assertNotIn(piece, text)

    def _invitation(self, address=NEW_CLIENT):
        """The client's mail as the superuser reads it from the database."""
        self.env.invalidate_all()
        return self.env["mail.mail"].search([("email_to", "=", address)])

    def _token(self, mail):
        href = next(href for href in html.fromstring(mail.body_html).xpath("//a/@href")
                    if "/web/signup" in href)
        return parse_qs(urlsplit(href).query)["token"][0]

    # -- 1. nobody in the offices reads the invitation ------------------------------

    def test_01_the_invitation_is_the_clients_alone(self):
        granted = self.grant(self.b1, self.dossier_1, NEW_CLIENT)
        login_1 = self.dossier_1.client_user_id
        invitation = self._invitation()
        self.assertEqual(len(invitation), 1)
        assert_signup_link(self, invitation.body_html, login_1.user_id)
        token = self._token(invitation)
        self.assertEqual(invitation.state, "outgoing", "queued")
        # Office 2 then grants its own dossier to the same address: one portal
        # user now holds logins of both offices.
        self.dossier_2.sudo().write({"client_user_id": False})
        self.login_2.sudo().write({"state": "revoked"})
        granted += self.grant(self.b2, self.dossier_2, NEW_CLIENT)
        login_2 = self.dossier_2.client_user_id
        self.assertEqual(login_2.user_id, login_1.user_id)

        self.assertNoLink(granted, token)
        for user in (self.b1, self.b1_colleague, self.b2):
            with self.subTest(user=user.login):
                self.login_as(user)
                reached = self.what_the_user_reaches(
                    login_1 | login_2, self.dossier_1 | self.dossier_2,
                    invitation.mail_message_id.ids)
                self.assertNoLink(reached, token)
                # The search does answer: it finds the login's chatter line.
                self.assertTrue(any(f"Portal access given to {NEW_CLIENT}" in row["body"]
                                    for row in reached[0]["result"]))
                # Refused, not merely empty: the message exists.
                self.assertEqual(reached[1]["error"]["data"]["name"],
                                 "odoo.exceptions.AccessError")
        # Read again as superuser: the link is in the client's mail, queued to
        # its address only, and nowhere else.
        self.env.invalidate_all()
        holders = self.env["mail.message"].search([("body", "ilike", token)])
        self.assertEqual(holders, invitation.mail_message_id)
        self.assertEqual(self.env["mail.mail"].search([("body_html", "ilike", token)]),
                         invitation)
        self.assertEqual(invitation.email_to, NEW_CLIENT)
        self.assertFalse(invitation.recipient_ids | invitation.partner_ids)
        self.assertFalse(self.env["portal.wizard"].search([]))
        # Once sent, the mail and its message are gone.
        message = invitation.mail_message_id
        with self.mock_mail_gateway(mail_unlink_sent=True):
            invitation.send()
        self.assertEqual([mail["email_to"] for mail in self._mails], [[NEW_CLIENT]])
        self.assertIn(token, self._mails[0]["body"])
        self.assertFalse(invitation.exists() or message.exists())

    # -- 2. a grant to another office's portal client ------------------------------

    def test_02_a_grant_takes_no_portal_account_over(self):
        address = self.portal_2.login
        partner = self.portal_2.partner_id
        # The client has signed in before: its account is in use.
        self.assertEqual(self.sign_in(address, PASSWORDS[address])["result"]["uid"],
                         self.portal_2.id)
        self.env.invalidate_all()
        signup_before = (partner.signup_type, partner._get_login_date())
        self.assertTrue(signup_before[1])
        mails_before = self.env["mail.mail"].search([])
        with signup_tokens_made(self.env) as minted:
            answers = self.grant(self.b1, self.dossier_1, address)
        login_1 = self.dossier_1.client_user_id
        self.assertEqual(login_1.user_id, self.portal_2, "the portal user is reused")
        self.assertEqual(minted, [], "no signup token made for anybody")
        self.env.invalidate_all()
        self.assertEqual((partner.signup_type, partner._get_login_date()), signup_before)
        self.assertEqual(answers[-1]["result"][0]["client_mail"], "notice")
        self.assertNoLink(answers, "no token")
        # The client is told of its new dossier, at its address, with no link
        # but the one to its dossiers.
        new_mails = self.env["mail.mail"].search([]) - mails_before
        notice = new_mails.filtered(lambda mail: mail.email_to == address)
        self.assertEqual(len(notice), 1)
        self.assertEqual(notice.subject, f"New dossiers on your portal at {self.office.name}")
        self.assertIn("INV-1", notice.body_html)
        self.assertNotIn("INV-2", notice.body_html, "office 1 tells nothing of office 2")
        self.assertIn("/my/dossiers", notice.body_html)
        for mail in new_mails:
            for piece in LINK_PIECES:
                self.assertNotIn(piece, mail.body_html)
        # Office 2's dossiers stay out of office 1's reach, through the shared
        # portal user too.
        for user in (self.b1, self.b1_colleague):
            with self.subTest(user=user.login):
                self.login_as(user)
                self.assertEqual(self.call_kw("octopus.dossier", "read", self.dossier_2.ids,
                                              ["name"])["error"]["data"]["name"],
                                 "odoo.exceptions.AccessError")
                shared = self.call_kw("octopus.dossier", "search_read",
                                      [("client_user_id.user_id", "=", self.portal_2.id)],
                                      ["code"])["result"]
                self.assertEqual([row["code"] for row in shared], ["INV-1"])
                logins = self.call_kw("octopus.client.user", "search_read",
                                      [("user_id", "=", self.portal_2.id)], ["login"])
                self.assertEqual([row["id"] for row in logins["result"]], login_1.ids)
                self.assertEqual(self.url_open("/my/dossiers").status_code, 404)
        # The client's own password still opens its account, and only it.
        self.assertIn("error", self.sign_in(address, "chosen-by-the-Office-1"))
        self.assertEqual(self.sign_in(address, PASSWORDS[address])["result"]["uid"],
                         self.portal_2.id)
        self.assertEqual(self.url_open("/my/dossiers").status_code, 200)

    # -- 3. the office's other ways to a client's password --------------------------

    def test_03_office_users_neither_set_nor_reset_a_clients_password(self):
        partner = self.portal_2.partner_id
        signup_type = partner.signup_type
        mails_before = self.env["mail.mail"].search([])
        for user in (self.b1, self.b2):
            with self.subTest(user=user.login):
                self.login_as(user)
                for model, method, ids, args in (
                    ("res.users", "write", self.portal_2.ids, [{"password": "taken-Over-1"}]),
                    ("res.users", "action_reset_password", self.portal_2.ids, []),
                    ("res.partner", "action_signup_prepare", partner.ids, []),
                    ("change.password.wizard", "create", [],
                     [{"user_ids": [[0, 0, {"user_id": self.portal_2.id,
                                            "new_passwd": "taken-Over-1"}]]}]),
                ):
                    answer = self.call_kw(model, method, *([ids] if ids else []), *args)
                    self.assertIn("error", answer, f"{model}.{method} was accepted")
                auth = self.call_kw("res.partner", "signup_get_auth_param", partner.ids)
                self.assertNoLink([auth], "no token")
                self.assertNotIn("auth_signup_token", json.dumps(auth))
        self.env.invalidate_all()
        self.assertEqual(partner.signup_type, signup_type)
        self.assertEqual(self.env["mail.mail"].search([]), mails_before, "no mail went out")
        self.assertEqual(self.sign_in(self.portal_2.login, PASSWORDS[self.portal_2.login])
                         ["result"]["uid"], self.portal_2.id)
