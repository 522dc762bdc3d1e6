from lxml import html

from odoo import fields
from odoo.addons.mail.tests.common import MockEmail
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged
from odoo.tools.misc import formatLang

from .common import assert_signup_link, signup_tokens_made
from .test_grant_wizard import GrantDialogCase


def _by_class(tree, css_class):
    return tree.xpath(f"//*[contains(concat(' ', @class, ' '), ' {css_class} ')]")


@tagged("post_install", "-at_install")
class TestGrantMails(GrantDialogCase, MockEmail):
    def _grant_mails(self, login):
        """The office's mails, filed on the login."""
        return self.env["mail.mail"].sudo().search(
            [("model", "=", "octopus.client.user"), ("res_id", "=", login.id)], order="id"
        )

    def _client_mails(self, address="gerant@boulangerie.example.be"):
        return self.env["mail.mail"].sudo().search([("email_to", "=", address)])

    def _assert_the_clients_alone(self, mail):
        """Filed on no record, written and created by the system user, no
        partner a recipient: no office user reads it through Odoo's rules of
        mail.message."""
        self.assertEqual((mail.model, mail.res_id), (False, False))
        self.assertFalse(mail.recipient_ids | mail.partner_ids)
        self.assertFalse(mail.notification_ids)
        self.assertEqual(mail.author_id, self.env.ref("base.partner_root"))
        self.assertEqual(mail.create_uid, self.env.ref("base.user_root"))
        self.assertTrue(mail.auto_delete, "deleted once sent")
        self.assertEqual(mail.state, "outgoing", "queued, not sent at once")

    def test_the_office_gets_its_mails_and_the_client_alone_the_invitation(self):
        wizard = self._run_to_password(
            self.dossier, modules=self.bank_module, office_email="bureau@fiduciaire-test.example.be"
        )
        self.assertTrue(wizard.portal_access)
        self.assertEqual(wizard.client_mail, "invitation")
        with self.mock_mail_gateway():
            self._confirm(wizard)
        login = self.dossier.client_user_id
        mails = self._grant_mails(login)
        self.assertEqual(len(mails), 2)
        self.assertEqual(set(mails.mapped("email_to")), {"bureau@fiduciaire-test.example.be"})
        self.assertFalse(mails.recipient_ids, "no partner of the client is a recipient")
        self.assertEqual(set(mails.mapped("state")), {"outgoing"}, "queued, not sent at once")
        self.assertEqual(
            mails.mapped("subject"),
            [f"Client access activated: {login.login}", f"Your Octopus username: {login.login}"],
        )
        for mail in mails:
            with self.subTest(subject=mail.subject):
                self.assertNotIn("/web/signup", mail.body_html)
                self.assertIn("invitation", mail.body_html)
                self.assertIn("gerant@boulangerie.example.be", mail.body_html)
        self.assertIn("an invitation went to <strong>gerant@boulangerie.example.be</strong> only",
                      mails[0].body_html)
        self.assertIn("An invitation to the portal went to gerant@boulangerie.example.be directly",
                      mails[1].body_html)
        # The portal's own invitation, with the link to choose a password, to
        # the client's address and nowhere else.
        invitation = self._client_mails()
        self.assertEqual(len(invitation), 1)
        self.assertEqual(invitation.subject, f"Your account at {self.office.name}")
        assert_signup_link(self, invitation.body_html, login.user_id)
        self.assertNotIn("Never heard of Odoo", invitation.body_html)
        self._assert_the_clients_alone(invitation)
        self.assertEqual(self._new_mails, mails | invitation, "no other mail")
        self.assertMailMailWEmails(
            ["bureau@fiduciaire-test.example.be"], "outgoing",
            content="How to log in",
            fields_values={"subject": f"Your Octopus username: {login.login}"},
        )

    def test_done_screen_lists_the_mails_that_went_out(self):
        wizard = self._run_to_password(self.dossier, office_email="bureau@fiduciaire-test.example.be")
        with self.mock_mail_gateway():
            self._confirm(wizard)
        mails = self._grant_mails(self.dossier.client_user_id) | self._client_mails()
        self.assertEqual(mails.mapped("email_to"), [
            "bureau@fiduciaire-test.example.be", "bureau@fiduciaire-test.example.be",
            "gerant@boulangerie.example.be"])
        screen = html.fromstring(wizard.recap)
        self.assertEqual(
            [cell.text_content() for cell in _by_class(screen, "o_octopus_mail_to")],
            mails.mapped("email_to"),
        )
        self.assertIn("Portal invitation", wizard.recap)
        self.assertEqual(
            " ".join(_by_class(screen, "o_octopus_client_mail")[0].text_content().split()),
            "An invitation with the link to choose a password went only to "
            "gerant@boulangerie.example.be The office never receives that link.")
        self.assertNotIn("/web/signup", wizard.recap)

    def test_no_portal_no_invitation(self):
        wizard = self._run_to_password(self.dossier, portal_access=False)
        self.assertNotIn("Portal invitation", wizard.recap)
        self.assertFalse(wizard.client_mail)
        with self.mock_mail_gateway():
            self._confirm(wizard)
        login = self.dossier.client_user_id
        self.assertFalse(login.user_id)
        mails = self._grant_mails(login)
        self.assertEqual(len(mails), 2)
        self.assertEqual(self._new_mails, mails)
        for mail in mails:
            self.assertNotIn("invitation", mail.body_html)
            self.assertNotIn("notice", mail.body_html)

    def test_an_existing_portal_user_gets_a_notice_and_keeps_its_password(self):
        """The address already signs in to the portal (here for another office):
        it is told of its new dossiers in its own language, and no signup
        token is made for it, which would let the office choose its password."""
        self.env["res.lang"]._activate_lang("nl_BE")
        self.env["ir.module.module"]._load_module_terms(
            ["mail", "portal", "auth_signup", "octopus_titulaires"], ["nl_BE"], overwrite=True)
        portal_user = new_test_user(
            self.env, login="gerant@boulangerie.example.be", email="gerant@boulangerie.example.be",
            password="own-Secret-42", groups="base.group_portal", lang="nl_BE",
            company_id=self.other_office.id, company_ids=[(6, 0, self.other_office.ids)])
        signup_type = portal_user.partner_id.signup_type
        wizard = self._run_to_password(self.dossier, office_email="bureau@fiduciaire-test.example.be")
        self.assertEqual(wizard.client_mail, "notice")
        self.assertIn("Notice of the new dossiers", wizard.recap)
        with signup_tokens_made(self.env) as tokens, self.mock_mail_gateway():
            self._confirm(wizard)
        login = self.dossier.client_user_id
        self.assertEqual(login.user_id, portal_user)
        self.assertEqual(tokens, [], "no signup token made")
        self.assertEqual(portal_user.partner_id.signup_type, signup_type)
        self.assertEqual(wizard.client_mail, "notice", "the done screen says what was sent")
        self.assertIn("a notice of its new dossiers went to <strong>gerant@boulangerie.example.be"
                      "</strong>", wizard.recap)
        notice = self._client_mails()
        self.assertEqual(len(notice), 1)
        self._assert_the_clients_alone(notice)
        self.assertEqual(notice.subject,
                         f"Nieuwe dossiers op je portaal bij {self.office.name}")
        self.assertIn("G001", notice.body_html)
        self.assertIn(f"{login.get_base_url()}/my/dossiers", notice.body_html)
        for forbidden in ("/web/signup", "/web/reset_password", "token=", "New dossiers"):
            self.assertNotIn(forbidden, notice.body_html)
        office_mails = self._grant_mails(login)
        self.assertIn("a notice of these dossiers went to that address", office_mails[0].body_html)
        self.assertIn("A notice of these dossiers on the portal went to "
                      "gerant@boulangerie.example.be directly", office_mails[1].body_html)
        self.assertEqual(self._new_mails, office_mails | notice, "no other mail")
        self.assertTrue(portal_user.with_user(portal_user)._check_credentials(
            {"login": portal_user.login, "password": "own-Secret-42", "type": "password"},
            {"interactive": True}))

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
        office_mails = self._grant_mails(login)
        self.assertEqual(set(office_mails.mapped("email_to")),
                         {"bureau@fiduciaire-test.example.be"})
        invitation = self._client_mails()
        mails = office_mails | invitation
        self.assertEqual(mails.mapped("subject"), [
            f"Accès client activé : {login.login}", f"Votre numéro K Octopus : {login.login}",
            f"Votre compte sur {self.office.name}"])
        self.assertIn("Une invitation au portail est partie directement à "
                      "gerant@boulangerie.example.be", office_mails[1].body_html)
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

    def test_mails_render_in_their_readers_language(self):
        """The activation confirmation is the office's, the username mail the
        client's, which the office forwards."""
        for lang in ("fr_BE", "nl_BE"):
            self.env["res.lang"]._activate_lang(lang)
        self.b_user.lang = "fr_BE"
        self.client.lang = "nl_BE"
        login = self._login("K", office_email="bureau@fiduciaire-test.example.be")
        for xmlid, lang in (("octopus_titulaires.mail_template_activation_confirmation", "fr_BE"),
                            ("octopus_titulaires.mail_template_client_username", "nl_BE")):
            template = self.env.ref(xmlid).with_user(self.b_user)
            self.assertEqual(template._render_lang(login.ids), {login.id: lang})

    def test_refused_grant_sends_no_mail(self):
        wizard = self._run_to_password(self.dossier)
        with self.mock_mail_gateway(), self.assertRaises(UserError):
            self._confirm(wizard, password="wrong")
        self.assertFalse(self._new_mails)
        self.assertNotSentEmail()
