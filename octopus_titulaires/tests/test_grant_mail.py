from odoo.addons.mail.tests.common import MockEmail
from odoo.exceptions import UserError
from odoo.tests import tagged

from .test_grant_wizard import GrantDialogCase


@tagged("post_install", "-at_install")
class TestGrantMails(GrantDialogCase, MockEmail):
    def test_two_mails_are_queued_to_the_office_email(self):
        wizard = self._run_to_password(
            self.dossier, modules=self.bank_module, office_email="bureau@fiduciaire-test.example.be"
        )
        with self.mock_mail_gateway():
            self._confirm(wizard)
        login = self.dossier.client_user_id
        mails = self.env["mail.mail"].sudo().search(
            [("model", "=", "octopus.client.user"), ("res_id", "=", login.id)]
        )
        self.assertEqual(len(mails), 2)
        self.assertEqual(set(mails.mapped("email_to")), {"bureau@fiduciaire-test.example.be"})
        self.assertEqual(set(mails.mapped("state")), {"outgoing"}, "queued, not sent at once")
        self.assertEqual(
            sorted(mails.mapped("subject")),
            sorted([f"Client access activated: {login.login}",
                    f"Your Octopus username: {login.login}"]),
        )
        self.assertMailMailWEmails(
            ["bureau@fiduciaire-test.example.be"], "outgoing",
            content="How to log in",
            fields_values={"subject": f"Your Octopus username: {login.login}"},
        )

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
