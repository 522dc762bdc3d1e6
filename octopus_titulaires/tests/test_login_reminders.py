"""Invitation again and consent reminders, from a K login or the list of the
logins without consent: in the client's language, logged in the login's
chatter, and refused to anybody but a B user of the login's office."""

import json

from odoo.addons.mail.tests.common import MockEmail
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import OctopusCase, assert_signup_link, load_language
from .test_attacks_rpc import LOCAL_ADDRESS

MAIL_MODULES = ["mail", "portal", "auth_signup", "octopus_titulaires"]
OFFICE_EMAIL = "bureau@fiduciaire-test.example.be"


class LoginMailCase(OctopusCase, MockEmail):
    """A K login whose client got portal access (its portal user reads
    French) and one whose client did not (its contact reads Dutch)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for lang in ("fr_BE", "nl_BE"):
            load_language(cls.env, lang, MAIL_MODULES)
        Partner = cls.env["res.partner"]
        cls.client_fr = Partner.create({"name": "Boulangerie Dupont", "is_company": True,
                                        "email": "gerant@dupont.example.be", "lang": "fr_BE"})
        cls.client_nl = Partner.create({"name": "Bakkerij Peeters", "is_company": True,
                                        "email": "zaakvoerder@peeters.example.be",
                                        "lang": "nl_BE"})
        Dossier = cls.Dossier
        cls.dossier_fr, cls.dossier_nl = Dossier.create([
            {"code": "REM-FR", "name": "Dossier Dupont", "partner_id": cls.client_fr.id,
             "company_id": cls.office.id},
            {"code": "REM-NL", "name": "Dossier Peeters", "partner_id": cls.client_nl.id,
             "company_id": cls.office.id}])
        cls.login_fr = cls.dossier_fr._grant_access(
            cls.env["octopus.module"], OFFICE_EMAIL, cls.client_fr.email, portal=True)
        cls.login_nl = cls.dossier_nl._grant_access(
            cls.env["octopus.module"], OFFICE_EMAIL, cls.client_nl.email)

    def _last_note(self, login):
        login.invalidate_recordset(["message_ids"])
        return login.message_ids[:1]


@tagged("post_install", "-at_install")
class TestConsentReminder(LoginMailCase):
    def test_a_reminder_goes_to_the_client_or_the_office_in_the_clients_language(self):
        logins = (self.login_fr | self.login_nl).with_user(self.b_user)
        with self.mock_mail_gateway():
            action = logins.action_remind_consent()
        self.assertEqual(action["params"]["message"], "2 reminders queued.")
        # With portal access: to the client's own address, where it confirms.
        self.assertMailMailWEmails(
            ["gerant@dupont.example.be"], "outgoing",
            content="Fiduciaire Test",
            fields_values={"subject": "Veuillez confirmer vos dossiers chez Fiduciaire Test"})
        # Without: to the office, which forwards it, still in the client's language.
        self.assertMailMailWEmails(
            [OFFICE_EMAIL], "outgoing", content="Door te sturen naar",
            fields_values={"subject": "Bevestig je dossiers bij Fiduciaire Test"})
        self.assertEqual(len(self._new_mails), 2, "nothing else")
        to_client = self._new_mails.filtered(lambda mail: mail.email_to != OFFICE_EMAIL)
        self.assertIn("/my/dossiers", to_client.body_html, "where the client confirms")
        self.assertIn("Vraag je kantoor om toegang tot het portaal",
                      (self._new_mails - to_client).body_html, "no portal yet: ask for it")
        for mail in self._new_mails:
            for forbidden in ("/web/signup", "token=", "Dear client"):
                self.assertNotIn(forbidden, mail.body_html)
        for login, email in ((self.login_fr, "gerant@dupont.example.be"),
                             (self.login_nl, OFFICE_EMAIL)):
            note = self._last_note(login)
            self.assertIn(f"Consent reminder sent to {email} by {self.b_user.name}.", note.body)
            self.assertEqual(note.author_id, self.b_user.partner_id)

    def test_a_login_with_consent_or_revoked_gets_no_reminder(self):
        self.login_fr._record_consent(self.login_fr.user_id)
        before = self.login_nl.message_ids
        with self.mock_mail_gateway(), self.assertRefused(UserError, self.login_fr.login):
            (self.login_fr | self.login_nl).with_user(self.b_user).action_remind_consent()
        self.assertFalse(self._new_mails)
        self.assertEqual(self.login_nl.message_ids, before, "nothing logged either")

    def test_only_a_b_user_of_the_office_reminds(self):
        for user in (self.other_b_user, self.plain_user, self.login_fr.user_id):
            with self.subTest(user=user.login), self.mock_mail_gateway(), \
                    self.assertRaises(AccessError):
                self.login_fr.with_user(user).action_remind_consent()
            self.assertFalse(self._new_mails)

    def test_the_dashboard_opens_the_logins_to_remind(self):
        action = self.office.with_user(self.b_user).action_octopus_without_consent()
        self.assertEqual(action["res_model"], "octopus.client.user")
        found = self.env["octopus.client.user"].with_user(self.b_user).with_context(
            **action["context"]).search(action["domain"] + [("consent_date", "=", False),
                                                          ("state", "=", "active")])
        self.assertEqual(found, self.login_fr | self.login_nl)
        arch = self.env["octopus.client.user"].get_view(view_type="list")["arch"]
        self.assertIn('name="action_remind_consent"', arch)


@tagged("post_install", "-at_install")
class TestInviteAgain(LoginMailCase):
    def test_the_invitation_goes_again_to_the_portal_user_in_its_language(self):
        portal_user = self.login_fr.user_id
        self.assertEqual(portal_user.lang, "fr_BE")
        with self.mock_mail_gateway():
            self.login_fr.with_user(self.b_user).action_invite_again()
        [mail] = self._new_mails
        self.assertEqual(mail.email_to, "gerant@dupont.example.be")
        self.assertEqual(mail.subject, "Votre compte sur Fiduciaire Test")
        assert_signup_link(self, mail.body_html, portal_user)
        # The link is the client's: filed on no record, read by no office user.
        self.assertEqual((mail.model, mail.res_id), (False, False))
        self.assertEqual(mail.create_uid, self.env.ref("base.user_root"))
        note = self._last_note(self.login_fr)
        self.assertIn("Portal invitation sent again to gerant@dupont.example.be", note.body)
        self.assertNotIn("signup", note.body)
        self.assertEqual(note.author_id, self.b_user.partner_id)

    def test_no_invitation_without_an_active_portal_user(self):
        with self.mock_mail_gateway(), self.assertRefused(UserError, "no active portal user"):
            self.login_nl.with_user(self.b_user).action_invite_again()
        self.dossier_fr._revoke_access()
        with self.mock_mail_gateway(), self.assertRefused(UserError, "no active portal user"):
            self.login_fr.with_user(self.b_user).action_invite_again()
        self.assertFalse(self._new_mails)

    def test_only_a_b_user_of_the_office_invites_again(self):
        for user in (self.other_b_user, self.plain_user, self.login_fr.user_id):
            with self.subTest(user=user.login), self.mock_mail_gateway(), \
                    self.assertRaises(AccessError):
                self.login_fr.with_user(user).action_invite_again()
            self.assertFalse(self._new_mails)


@tagged("post_install", "-at_install")
class TestAttacksLoginMails(HttpCase):
    """The buttons over JSON-RPC as a B user of another office and as the
    client's portal user: refused, nothing sent, nothing logged."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Company = cls.env["res.company"]
        cls.office = Company.create({"name": "Fiduciaire Rappel", "octopus_b_number": "B00000301",
                                     "octopus_confirmation": "user"})
        other_office = Company.create({"name": "Fiduciaire Autre",
                                       "octopus_b_number": "B00000302",
                                       "octopus_confirmation": "user"})
        cls.intruder = new_test_user(
            cls.env, login="rem_intruder", password="rem-intruder-Secret-1",
            groups="octopus_titulaires.group_titulaire", company_id=other_office.id,
            company_ids=[(6, 0, other_office.ids)])
        client = cls.env["res.partner"].create({"name": "Client Rappel", "is_company": True})
        dossier = cls.env["octopus.dossier"].create(
            {"code": "RPC-1", "name": "Dossier RPC", "partner_id": client.id,
             "company_id": cls.office.id})
        cls.login = dossier._grant_access(cls.env["octopus.module"], "bureau@rappel.example.be",
                                          "client@rappel.example.be", portal=True)
        cls.portal_user = cls.login.user_id
        cls.portal_user.password = "client-own-Secret-2"

    def setUp(self):
        super().setUp()
        self.addCleanup(lambda: getattr(self.registry, "_login_failures", {}).pop(
            LOCAL_ADDRESS, None))

    def _call_button(self, method):
        self.env.flush_all()
        response = self.url_open("/web/dataset/call_button", data=json.dumps({
            "jsonrpc": "2.0", "method": "call", "id": 0,
            "params": {"model": "octopus.client.user", "method": method,
                       "args": [self.login.ids], "kwargs": {}}}),
            headers={"Content-Type": "application/json"})
        self.env.invalidate_all()
        return response.json()

    def test_another_office_and_the_client_are_refused(self):
        Mail = self.env["mail.mail"].sudo()
        mails_before = Mail.search_count([])
        messages_before = self.login.message_ids
        for login, password in (("rem_intruder", "rem-intruder-Secret-1"),
                                ("client@rappel.example.be", "client-own-Secret-2")):
            self.authenticate(login, password)
            for method in ("action_invite_again", "action_remind_consent"):
                with self.subTest(login=login, method=method):
                    answer = self._call_button(method)
                    self.assertIn("error", answer)
                    self.assertEqual(answer["error"]["data"]["name"],
                                     "odoo.exceptions.AccessError")
        self.assertEqual(Mail.search_count([]), mails_before, "nothing sent")
        self.assertEqual(self.login.message_ids, messages_before, "nothing logged")


@tagged("post_install", "-at_install")
class TestConsentReminderTour(HttpCase):
    def test_a_reminder_from_the_dashboard_in_french_and_dutch(self):
        for number, lang in ((311, "fr_BE"), (312, "nl_BE")):
            with self.subTest(lang=lang):
                load_language(self.env, lang)
                self._remind_in_the_browser(number, lang)

    def _remind_in_the_browser(self, number, lang):
        """A B user who reads ``lang`` reminds a Dutch client that has portal
        access: the mail goes to the client's address, in Dutch."""
        load_language(self.env, "nl_BE", MAIL_MODULES)
        office = self.env["res.company"].create(
            {"name": f"Fiduciaire Rappel {lang}", "octopus_b_number": f"B00000{number}",
             "octopus_confirmation": "user"})
        login = f"rem_tour_{lang}"
        b_user = new_test_user(
            self.env, login=login, password="rem-tour-Secret-1", lang=lang,
            email=f"{login}@rappel.example.be", groups="octopus_titulaires.group_titulaire",
            company_id=office.id, company_ids=[(6, 0, office.ids)])
        client = self.env["res.partner"].create(
            {"name": "Client Rappel", "is_company": True, "lang": "nl_BE"})
        dossier = self.env["octopus.dossier"].create(
            {"code": "REM-TOUR", "name": "Dossier Rappel", "partner_id": client.id,
             "company_id": office.id})
        client_email = f"klant-{lang}@rappel.example.be"
        k_login = dossier._grant_access(self.env["octopus.module"], f"bureau-{lang}@rappel.example.be",
                                        client_email, portal=True)
        self.start_tour("/odoo", "octopus_consent_reminder_tour", login=login, timeout=180)
        reminder = self.env["mail.mail"].sudo().search(
            [("model", "=", k_login._name), ("res_id", "=", k_login.id),
             ("email_to", "=", client_email)])
        self.assertEqual(reminder.subject, f"Bevestig je dossiers bij {office.name}")
        k_login.invalidate_recordset(["message_ids"])
        # The chatter speaks the B user's language, who wrote it.
        note = {"fr_BE": "Rappel de consentement envoyé à %s par %s.",
                "nl_BE": "Herinnering voor de toestemming verstuurd naar %s door %s."}[lang]
        self.assertIn(note % (client_email, b_user.name), k_login.message_ids[0].body)
