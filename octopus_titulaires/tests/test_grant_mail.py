from lxml import html

from odoo import fields
from odoo.addons.mail.tests.common import MockEmail
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools.misc import formatLang

from .common import assert_signup_link
from .test_grant_wizard import GrantDialogCase


def _by_class(tree, css_class):
    return tree.xpath(f"//*[contains(concat(' ', @class, ' '), ' {css_class} ')]")


@tagged("post_install", "-at_install")
class TestGrantMails(GrantDialogCase, MockEmail):
    def _grant_mails(self, login):
        return self.env["mail.mail"].sudo().search(
            [("model", "=", "octopus.client.user"), ("res_id", "=", login.id)], order="id"
        )

    def test_every_mail_goes_to_the_office_unless_chosen(self):
        wizard = self._run_to_password(
            self.dossier, modules=self.bank_module, office_email="bureau@fiduciaire-test.example.be"
        )
        self.assertTrue(wizard.portal_access)
        self.assertEqual(wizard.invitation_recipient, "office")
        with self.mock_mail_gateway():
            self._confirm(wizard)
        login = self.dossier.client_user_id
        mails = self._grant_mails(login)
        self.assertEqual(len(mails), 3)
        self.assertEqual(set(mails.mapped("email_to")), {"bureau@fiduciaire-test.example.be"})
        self.assertFalse(mails.recipient_ids, "no partner of the client is a recipient")
        self.assertEqual(set(mails.mapped("state")), {"outgoing"}, "queued, not sent at once")
        self.assertEqual(
            mails.mapped("subject"),
            [f"Client access activated: {login.login}", f"Your Octopus username: {login.login}",
             f"Your account at {self.office.name}"],
        )
        # The portal's own invitation, with the link to choose a password.
        assert_signup_link(self, mails[2].body_html, login.user_id)
        self.assertNotIn("Never heard of Odoo", mails[2].body_html)
        self.assertMailMailWEmails(
            ["bureau@fiduciaire-test.example.be"], "outgoing",
            content="How to log in",
            fields_values={"subject": f"Your Octopus username: {login.login}"},
        )

    def test_done_screen_lists_the_mails_that_went_out(self):
        wizard = self._run_to_password(self.dossier, office_email="bureau@fiduciaire-test.example.be",
                                       invitation_recipient="client")
        with self.mock_mail_gateway():
            self._confirm(wizard)
        mails = self._grant_mails(self.dossier.client_user_id)
        self.assertEqual(mails.mapped("email_to"), [
            "bureau@fiduciaire-test.example.be", "bureau@fiduciaire-test.example.be",
            "gerant@boulangerie.example.be"])
        screen = html.fromstring(wizard.recap)
        self.assertEqual(
            [cell.text_content() for cell in _by_class(screen, "o_octopus_mail_to")],
            mails.mapped("email_to"),
        )
        self.assertIn("Portal invitation", wizard.recap)

    def test_no_portal_no_invitation(self):
        wizard = self._run_to_password(self.dossier, portal_access=False)
        self.assertNotIn("Portal invitation", wizard.recap)
        with self.mock_mail_gateway():
            self._confirm(wizard)
        login = self.dossier.client_user_id
        self.assertFalse(login.user_id)
        self.assertEqual(len(self._grant_mails(login)), 2)

    def test_recap_shows_what_the_password_confirms(self):
        second = self._dossier("G020")
        wizard = self._run_to_password(self.dossier | second, modules=self.bank_module)
        screen = html.fromstring(wizard.recap)
        text = screen.text_content()
        for expected in (self.dossier.display_name, second.display_name, "A new K number",
                         "gerant@boulangerie.example.be", self.bank_module.name,
                         self.portal_module.name):
            self.assertIn(expected, text)
        preview = (self.dossier | second)._cost_preview(
            self.bank_module | self.portal_module, fields.Date.context_today(wizard))
        currency = self.office.currency_id
        for css, amount in (("o_octopus_recap_annual", preview["annual_total"]),
                            ("o_octopus_recap_prorated", preview["prorated_total"])):
            shown = _by_class(screen, css)[0].text_content()
            self.assertIn(formatLang(self.env, amount, currency_obj=currency).replace("\xa0", " "),
                          shown.replace("\xa0", " "))
        self.assertEqual(len(_by_class(screen, "o_octopus_mail_to")), 3)

    def test_a_french_office_grants_a_french_client_in_french(self):
        lang = "fr_BE"
        self.env["res.lang"]._activate_lang(lang)
        self.env["ir.module.module"]._load_module_terms(
            ["mail", "portal", "auth_signup", "octopus_titulaires"], [lang], overwrite=True)
        self.b_user.lang = lang
        self.client.lang = lang
        wizard = self._run_to_password(self.dossier, modules=self.bank_module,
                                       office_email="bureau@fiduciaire-test.example.be")
        self.assertIn("Invitation au portail", wizard.with_context(lang=lang).recap)
        with self.mock_mail_gateway():
            self._confirm(wizard.with_context(lang=lang))
        login = self.dossier.client_user_id
        self.assertEqual(login.user_id.lang, lang)
        mails = self._grant_mails(login)
        self.assertEqual(set(mails.mapped("email_to")), {"bureau@fiduciaire-test.example.be"})
        self.assertEqual(mails.mapped("subject"), [
            f"Accès client activé : {login.login}", f"Votre numéro K Octopus : {login.login}",
            f"Votre compte sur {self.office.name}"])
        for mail in mails:
            with self.subTest(subject=mail.subject):
                for english in ("Dear", "Welcome", "Your account", "Your Account", "How to log in", "Activate"):
                    self.assertNotIn(english, mail.body_html)
        today = fields.Date.context_today(wizard)
        self.assertIn(today.strftime("%d/%m/%Y"), mails[0].body_html)

    def test_username_mail_holds_login_dossiers_modules_and_how_to_log_in(self):
        second = self._dossier("G020")
        wizard = self._run_to_password(self.dossier | second, modules=self.bank_module)
        with self.mock_mail_gateway():
            self._confirm(wizard)
        login = self.dossier.client_user_id
        mail = self.env["mail.mail"].sudo().search(
            [("subject", "=", f"Your Octopus username: {login.login}")]
        )
        body = mail.body_html
        for expected in (login.login, "G001", "G020", "Bank Statements",
                         self.portal_module.name, "How to log in",
                         "gerant@boulangerie.example.be"):
            self.assertIn(expected, body)

    def test_confirmation_mail_lists_the_activations_with_prices(self):
        wizard = self._run_to_password(self.dossier, modules=self.bank_module)
        with self.mock_mail_gateway():
            self._confirm(wizard)
        login = self.dossier.client_user_id
        mail = self.env["mail.mail"].sudo().search(
            [("subject", "=", f"Client access activated: {login.login}")]
        )
        self.assertIn("Bank Statements", mail.body_html)
        self.assertIn("48.00", mail.body_html)
        self.assertIn(self.b_user.name, mail.body_html)

    def test_mails_render_in_the_office_users_language(self):
        self.env["res.lang"]._activate_lang("fr_BE")
        self.b_user.lang = "fr_BE"
        login = self._login("K", office_email="bureau@fiduciaire-test.example.be")
        for xmlid in ("octopus_titulaires.mail_template_activation_confirmation",
                      "octopus_titulaires.mail_template_client_username"):
            template = self.env.ref(xmlid).with_user(self.b_user)
            self.assertEqual(template._render_lang(login.ids), {login.id: "fr_BE"})

    def test_refused_grant_sends_no_mail(self):
        wizard = self._run_to_password(self.dossier)
        with self.mock_mail_gateway(), self.assertRaises(UserError):
            self._confirm(wizard, password="wrong")
        self.assertFalse(self._new_mails)
        self.assertNotSentEmail()
