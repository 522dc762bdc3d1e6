from odoo.addons.mail.tests.common import MockEmail
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import B_USER_PASSWORD, load_language
from .test_grant_wizard import GrantDialogCase

MAIL_MODULES = ["mail", "portal", "auth_signup", "octopus_titulaires"]


@tagged("post_install", "-at_install")
class TestGrantClientLanguage(GrantDialogCase, MockEmail):
    """Screen 3 of the grant says and sets the client's language: the client's
    contact keeps it, and the client's mails speak it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for lang in ("fr_BE", "nl_BE"):
            load_language(cls.env, lang, MAIL_MODULES)

    def _mails_to(self, address):
        return self.env["mail.mail"].sudo().search([("email_to", "=", address)], order="id")

    def test_the_client_language_defaults_to_the_contact_then_the_office(self):
        self.client.lang = "fr_BE"
        self.assertEqual(self._open(self.dossier).lang, "fr_BE")
        self.client.lang = "de_DE"  # not installed here: the office's then
        self.office.partner_id.lang = "nl_BE"
        self.assertEqual(self._open(self.dossier).lang, "nl_BE")
        self.assertIn(("nl_BE", "Dutch (BE) / Nederlands (BE)"),
                      self.env["octopus.dossier.grant"]._lang_selection())

    def test_a_grant_that_sets_the_client_to_dutch_sends_dutch_mails(self):
        self.assertEqual(self.client.lang, "en_US")
        wizard = self._run_to_password(self.dossier, lang="nl_BE",
                                       office_email="bureau@fiduciaire-test.example.be")
        self.assertIn("Dutch (BE)", wizard.recap, "the recap names the client's language")
        with self.mock_mail_gateway():
            self._confirm(wizard)
        login = self.dossier.client_user_id
        self.assertEqual(self.client.lang, "nl_BE", "written on the client's contact")
        self.assertEqual(login.user_id.lang, "nl_BE", "the portal user made speaks it")
        invitation = self._mails_to("gerant@boulangerie.example.be")
        self.assertEqual(invitation.subject, f"Je account bij {self.office.name}")
        self.assertNotIn("Your account", invitation.body_html)
        office_mails = self._mails_to("bureau@fiduciaire-test.example.be")
        self.assertEqual(office_mails.mapped("subject"), [
            f"Client access activated: {login.login}",
            f"Je Octopus-gebruikersnaam: {login.login}",
        ], "the office reads its confirmation in its user's language, the mail it forwards "
           "in the client's")
        self.assertNotIn("How to log in", office_mails[1].body_html)
        self.assertIn("Je gebruikersnaam", office_mails[1].body_html)

    def test_an_unknown_language_is_refused_and_nothing_is_written(self):
        before = self._counts()
        with self.assertRefused(UserError, "Client language"):
            self.dossier.with_user(self.b_user)._grant_access(
                self.bank_module, "bureau@fiduciaire-test.example.be",
                "gerant@boulangerie.example.be", lang="xx_XX")
        self.assertEqual(self._counts(), before)
        self.assertEqual(self.client.lang, "en_US")
        wizard = self._open(self.dossier)
        self._next(wizard)
        self._next(wizard)
        wizard.lang = False
        with self.assertRefused(UserError, "Client language"):
            wizard.action_next()
        self.assertEqual(wizard.state, "client_email")

    def test_a_request_to_the_holder_carries_the_language(self):
        colleague = self.env["res.users"].create({
            "name": "Marc Lambert", "login": "lang_colleague", "password": "colleague-secret-2",
            "email": "marc@fiduciaire-test.example.be",
            "groups_id": [(6, 0, self.env.ref("octopus_titulaires.group_titulaire").ids)],
            "company_id": self.office.id, "company_ids": [(6, 0, self.office.ids)]})
        self.office.write({"octopus_confirmation": "holder", "octopus_holder_id": self.b_user.id})
        wizard = self._open(self.dossier, user=colleague)
        self._next(wizard)
        self._next(wizard)
        self._next(wizard, lang="nl_BE")
        wizard.action_next()
        action = wizard.action_ask_holder()
        request = self.env["octopus.access.request"].browse(action["res_id"])
        self.assertEqual(request.lang, "nl_BE")
        self.assertEqual(self.client.lang, "en_US", "asking writes nothing")
        answer = self.env["octopus.access.request.answer"].with_user(self.b_user).create(
            {"request_id": request.id, "answer": "confirm"})
        with self.mock_mail_gateway():
            answer.with_context(octopus_password=B_USER_PASSWORD).action_confirm()
        self.assertEqual(self.dossier.access_category, "C")
        self.assertEqual(self.client.lang, "nl_BE")
        self.assertEqual(self._mails_to("gerant@boulangerie.example.be").subject,
                         f"Je account bij {self.office.name}")
