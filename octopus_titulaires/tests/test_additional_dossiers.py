from lxml import html

from odoo.addons.mail.tests.common import MockEmail
from odoo.exceptions import UserError
from odoo.tests import tagged

from .test_grant_wizard import GrantDialogCase


@tagged("post_install", "-at_install")
class TestAdditionalDossiers(GrantDialogCase, MockEmail):
    """One person, two companies: a management company and an operating
    company are two clients of the office, two dossiers, one K login. The
    dialog shows every dossier the login will see with its client, the mails
    say what this grant added, then everything the login sees."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.holding = cls.env["res.partner"].create(
            {"name": "Dupont Management SRL", "is_company": True})
        cls.second = cls._dossier("G777")
        cls.second.partner_id = cls.holding

    def _grant_mails(self, login):
        return self.env["mail.mail"].sudo().search(
            [("model", "=", "octopus.client.user"), ("res_id", "=", login.id)], order="id")

    def _grant_first_then_second(self, lang=None):
        with self.mock_mail_gateway():
            first = self._run_to_password(self.dossier, modules=self.bank_module)
            self._confirm(first.with_context(lang=lang) if lang else first)
        login = self.dossier.client_user_id
        wizard = self._run_to_password(self.second, client_user_id=login)
        return login, wizard

    def test_the_dialog_lists_every_dossier_of_the_login_with_its_client(self):
        login, wizard = self._grant_first_then_second()
        for shown in (wizard.login_dossiers, wizard.recap):
            tree = html.fromstring(shown)
            added = tree.xpath("//*[contains(@class, 'o_octopus_login_dossier_added')]")
            kept = tree.xpath("//*[contains(@class, 'o_octopus_login_dossier_kept')]")
            self.assertEqual([node.text_content().split(":")[0].strip() for node in added],
                             [f"{self.second.display_name} (Dupont Management SRL)"])
            self.assertEqual([node.text_content().split(":")[0].strip() for node in kept],
                             [f"{self.dossier.display_name} ({self.client.name})"])
            self.assertIn("These dossiers belong to 2 clients", shown)
        self._confirm(wizard)
        self.assertEqual(login.dossier_ids, self.dossier | self.second)
        self.assertEqual(self.second.access_category, "C")
        # One login, one person: no second login nor portal user.
        self.assertEqual(self.env["octopus.client.user"].search_count(
            [("company_id", "=", self.office.id)]), 1)

    def test_one_client_alone_is_not_announced_as_several(self):
        wizard = self._run_to_password(self.dossier)
        self.assertIn(f"{self.dossier.display_name}</strong> ({self.client.name})", wizard.recap)
        self.assertNotIn("These dossiers belong to", wizard.recap)

    def test_the_mails_say_what_was_added_then_what_the_login_sees(self):
        login, wizard = self._grant_first_then_second()
        with self.mock_mail_gateway():
            self._confirm(wizard)
        confirmation, username = self._grant_mails(login)[-2:]
        for mail, added_title, all_title in (
                (confirmation, "Added by this grant:", "now sees:"),
                (username, "New with this mail:", "All your dossiers and their modules:")):
            with self.subTest(subject=mail.subject):
                body = html.fromstring(mail.body_html).text_content()
                added_part, everything = body.split(added_title)[1].split(all_title)
                self.assertIn(self.second.display_name, added_part)
                self.assertNotIn(self.dossier.display_name, added_part)
                self.assertIn(self.portal_module.name, added_part)
                self.assertNotIn(self.bank_module.name, added_part)
                for dossier in (self.dossier, self.second):
                    self.assertIn(dossier.display_name, everything)
                    self.assertIn(dossier.partner_id.name, everything)
                self.assertIn(self.bank_module.name, everything)

    def test_an_existing_login_is_told_of_more_dossiers_not_of_a_new_password(self):
        login, wizard = self._grant_first_then_second()
        first_confirmation, first_username = self._grant_mails(login)[-2:]
        with self.mock_mail_gateway():
            self._confirm(wizard)
        confirmation, username = self._grant_mails(login)[-2:]
        self.assertEqual(
            [first_confirmation.subject, first_username.subject, confirmation.subject,
             username.subject],
            [f"Client access activated: {login.login}", f"Your Octopus username: {login.login}",
             f"Dossiers added to client access: {login.login}",
             f"New dossiers for your Octopus username: {login.login}"])
        self.assertIn("[to be completed by your office]", first_username.body_html)
        self.assertNotIn("[to be completed by your office]", username.body_html)
        self.assertIn("Log in as before", username.body_html)
        self.assertIn("its password does not change", confirmation.body_html)
        self.assertNotIn("Client access has been activated", confirmation.body_html)

    def test_the_mails_speak_the_offices_language(self):
        lang = "fr_BE"
        self.env["res.lang"]._activate_lang(lang)
        self.env["ir.module.module"]._load_module_terms(
            ["mail", "portal", "auth_signup", "octopus_titulaires"], [lang], overwrite=True)
        self.b_user.lang = lang
        # The username mail, which the office forwards, speaks the client's.
        self.client.lang = lang
        login, wizard = self._grant_first_then_second(lang)
        with self.mock_mail_gateway():
            self._confirm(wizard.with_context(lang=lang))
        confirmation, username = self._grant_mails(login)[-2:]
        self.assertIn("Ajouté par cet accès", confirmation.body_html)
        self.assertIn("Ces dossiers appartiennent à 2 clients", confirmation.body_html)
        self.assertIn("Nouveau dans ce mail", username.body_html)
        self.assertIn("Tous vos dossiers et leurs modules", username.body_html)
        self.assertEqual(confirmation.subject, f"Dossiers ajoutés à l'accès client : {login.login}")
        self.assertIn("les nouveaux dossiers y sont", username.body_html)
        self.assertNotIn("[à compléter par votre bureau]", username.body_html)

    def test_a_login_takes_no_dossier_of_another_office_nor_once_revoked(self):
        login = self.dossier.with_user(self.b_user)._grant_access(
            self.env["octopus.module"], "a@fiduciaire-test.example.be", "c@client.example.be")
        foreign = self._dossier("G778", company=self.other_office)
        with self.assertRefused(UserError, "cannot take dossiers of another office"):
            foreign._grant_access(self.env["octopus.module"], "a@b.be", "c@d.be",
                                  client_user=login)
        self.dossier.with_user(self.b_user)._revoke_access()
        self.assertEqual(login.state, "revoked")
        with self.assertRefused(UserError, "is revoked"):
            self.second.with_user(self.b_user)._grant_access(
                self.env["octopus.module"], "a@b.be", "c@d.be", client_user=login)
        self.assertFalse(self.second.client_user_id)
