import re
from datetime import date

from lxml import html

from odoo import http
from odoo.addons.mail.tests.common import MockEmail
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import assert_signup_link

PORTAL_PASSWORD = "portal-secret-1"


@tagged("post_install", "-at_install")
class TestClientPortal(HttpCase, MockEmail):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_BE")
        cls.office = cls.env["res.company"].create(
            {"name": "Fiduciaire Portail", "octopus_b_number": "B00000077",
             "octopus_confirmation": "user"}
        )
        cls.b_user = new_test_user(
            cls.env, login="portal_b_user", groups="octopus_titulaires.group_titulaire",
            company_id=cls.office.id, company_ids=[(6, 0, cls.office.ids)],
        )
        cls.client = cls.env["res.partner"].create(
            {"name": "Client Portail", "email": "client@portail.example.be", "lang": "fr_BE",
             "company_id": cls.office.id}
        )
        cls.other_client = cls.env["res.partner"].create({"name": "Autre Client"})
        Dossier = cls.env["octopus.dossier"].with_company(cls.office)
        cls.dossier, cls.second = Dossier.create([
            {"code": f"PORTAL-{index}", "name": f"Dossier Portail {index}",
             "partner_id": cls.client.id, "company_id": cls.office.id}
            for index in (1, 2)
        ])
        cls.foreign = Dossier.create(
            {"code": "FOREIGN-1", "name": "Dossier d'un autre", "partner_id": cls.other_client.id,
             "company_id": cls.office.id}
        )
        bank = cls.env.ref("octopus_titulaires.module_bank")
        cls.login = (cls.dossier | cls.second).with_user(cls.b_user)._grant_access(
            bank, "bureau@portail.example.be", "client@portail.example.be", portal=True,
        )
        cls.foreign_login = cls.foreign._grant_access(
            bank, "bureau@portail.example.be", "autre@client.example.be", portal=True,
        )
        cls.portal_user = cls.login.user_id
        cls.portal_user.sudo().password = PORTAL_PASSWORD

    def _consent(self):
        self.login.sudo()._record_consent(self.portal_user)

    def test_grant_gives_a_portal_user_invited_in_the_clients_language(self):
        user = self.login.user_id
        self.assertTrue(user._is_portal())
        self.assertEqual((user.login, user.lang), ("client@portail.example.be", "fr_BE"))
        self.assertEqual(user.company_ids, self.office)
        self.assertEqual(user.partner_id.parent_id, self.client)
        with self.mock_mail_gateway():
            self.login._queue_portal_invitation(user)
        invitation = self._new_mails
        self.assertEqual(len(invitation), 1)
        self.assertEqual(invitation.email_to, "client@portail.example.be")
        assert_signup_link(self, invitation.body_html, user)
        # Filed on no record, by the system user, deleted once sent.
        self.assertEqual((invitation.model, invitation.res_id), (False, False))
        self.assertFalse(invitation.recipient_ids | invitation.partner_ids)
        self.assertEqual(invitation.author_id, self.env.ref("base.partner_root"))
        self.assertEqual(invitation.create_uid, self.env.ref("base.user_root"))
        self.assertTrue(invitation.auto_delete)
        self.assertFalse(self.env["portal.wizard"].search([]), "no wizard left to send it again")

    def test_portal_option_is_off_when_the_email_belongs_to_a_user(self):
        Grant = self.env["octopus.dossier.grant"].with_user(self.b_user)
        third = self.env["octopus.dossier"].create(
            {"code": "PORTAL-3", "name": "Trois", "partner_id": self.other_client.id,
             "company_id": self.office.id}
        )
        wizard = Grant.create({"dossier_ids": [(6, 0, third.ids)],
                               "client_email": "nouveau@client.example.be"})
        self.assertTrue(wizard.portal_access)
        wizard.client_email = self.b_user.login
        self.assertFalse(wizard.portal_access)

    def test_a_module_ended_today_has_left_the_portal(self):
        bank = self.env.ref("octopus_titulaires.module_bank")
        self._consent()
        self.authenticate(self.portal_user.login, PORTAL_PASSWORD)
        # The page speaks the client's language (French here).
        name = bank.with_context(lang=self.portal_user.lang).name
        self.assertEqual(self.url_open("/my/dossiers").text.count(name), 2)
        self.dossier.with_user(self.b_user)._end_modules(bank)
        self.assertEqual(self.url_open("/my/dossiers").text.count(name), 1,
                         "still on the second dossier only")

    def test_the_list_is_paged_as_odoo_portal_lists_are(self):
        # One dossier more than a page holds, all on the client's own login.
        step = 80  # CustomerPortal._items_per_page
        more = self.env["octopus.dossier"].create([
            {"code": f"PAGE-{index:03d}", "name": f"Page {index}", "partner_id": self.client.id,
             "company_id": self.office.id}
            for index in range(step - 1)
        ])
        more.sudo().write({"client_user_id": self.login.id})
        self._consent()
        self.authenticate(self.portal_user.login, PORTAL_PASSWORD)
        first = self.url_open("/my/dossiers").text
        second = self.url_open("/my/dossiers/page/2").text
        self.assertEqual(first.count("o_octopus_portal_dossier\""), step)
        self.assertEqual(second.count("o_octopus_portal_dossier\""), 1)
        self.assertIn("/my/dossiers/page/2", first)
        self.assertIn("PORTAL-1", first)
        self.assertIn("PORTAL-2", second, "sorted by code: the last one is on page 2")
        self.assertNotIn("FOREIGN-1", first + second)

    def test_first_visit_asks_for_consent_stored_once(self):
        self.authenticate(self.portal_user.login, PORTAL_PASSWORD)
        page = self.url_open("/my/dossiers")
        self.assertIn("o_octopus_consent_confirm", page.text)
        self.assertNotIn("PORTAL-1", page.text)
        self.url_open("/my/dossiers/consent", data={"csrf_token": http.Request.csrf_token(self)})
        first = self.login.consent_date
        self.assertTrue(first)
        self.assertEqual(self.login.consent_user_id, self.portal_user)
        self.login.sudo()._record_consent(self.env.ref("base.user_admin"))
        self.assertEqual(self.login.consent_date, first)
        self.assertEqual(self.login.consent_user_id, self.portal_user)

    def test_portal_user_sees_its_own_dossiers_and_nothing_else(self):
        self._consent()
        self.authenticate(self.portal_user.login, PORTAL_PASSWORD)
        listing = self.url_open("/my/dossiers")
        self.assertEqual(listing.status_code, 200)
        self.assertIn("PORTAL-1", listing.text)
        self.assertIn("PORTAL-2", listing.text)
        self.assertNotIn("FOREIGN-1", listing.text)
        page = self.url_open(f"/my/dossiers/{self.dossier.id}")
        self.assertEqual(page.status_code, 200)
        bank = self.env.ref("octopus_titulaires.module_bank")
        self.assertIn(bank.with_context(lang=self.portal_user.lang).name, page.text)
        self.assertIn(date.today().strftime("%d/%m/%Y"), page.text, "start date, in French")
        self.assertEqual(self.url_open(f"/my/dossiers/{self.foreign.id}").status_code, 404)
        self.assertEqual(self.url_open("/my/dossiers/999999").status_code, 404)

    def test_the_breadcrumb_says_where_the_client_is(self):
        self.env["ir.module.module"]._load_module_terms(["octopus_titulaires"], ["fr_BE"])
        self._consent()
        self.authenticate(self.portal_user.login, PORTAL_PASSWORD)

        def breadcrumb(url):
            page = html.fromstring(self.url_open(url).text)
            items = page.xpath("//ol[contains(@class, 'o_portal_submenu')]/li")
            return [(" ".join(item.text_content().split()), item.xpath("a/@href"))
                    for item in items]

        home = ("", ["/my/home"])
        # In the client's language (French here).
        self.assertEqual(breadcrumb("/my/dossiers"), [home, ("Dossiers comptables", [])])
        self.assertEqual(breadcrumb(f"/my/dossiers/{self.dossier.id}"), [
            home, ("Dossiers comptables", ["/my/dossiers"]),
            ("[PORTAL-1] Dossier Portail 1", [])])

    def test_a_person_sees_the_dossiers_of_its_companies_grouped_by_client(self):
        holding = self.env["res.partner"].create({"name": "Aaa Holding Portail",
                                                  "is_company": True})
        management = self.env["octopus.dossier"].create(
            {"code": "ZZ-HOLD", "name": "Dossier Holding", "partner_id": holding.id,
             "company_id": self.office.id})
        management.with_user(self.b_user)._grant_access(
            self.env["octopus.module"], "bureau@portail.example.be", "client@portail.example.be",
            client_user=self.login)
        self._consent()
        self.authenticate(self.portal_user.login, PORTAL_PASSWORD)
        listing = self.url_open("/my/dossiers").text
        headers = re.findall(r'o_octopus_portal_client">\s*<th colspan="3">([^<]+)</th>', listing)
        self.assertEqual(headers, ["Aaa Holding Portail", "Client Portail"])
        # Each client's dossiers under its own header.
        positions = [listing.index(text) for text in
                     ('<th colspan="3">Aaa Holding Portail', "ZZ-HOLD",
                      '<th colspan="3">Client Portail', "PORTAL-1", "PORTAL-2")]
        self.assertEqual(positions, sorted(positions))
        self.assertEqual(self.url_open(f"/my/dossiers/{management.id}").status_code, 200)
        self.assertNotIn("FOREIGN-1", listing)

    def test_record_rules_keep_other_dossiers_away(self):
        Dossier = self.env["octopus.dossier"].with_user(self.portal_user)
        self.assertEqual(Dossier.search([]), self.dossier | self.second)
        with self.assertRaises(AccessError):
            self.foreign.with_user(self.portal_user).read(["name"])
        with self.assertRaises(AccessError):
            self.dossier.with_user(self.portal_user).write({"name": "Hacked"})
        logins = self.env["octopus.client.user"].with_user(self.portal_user).search([])
        self.assertEqual(logins, self.login)

    def test_my_home_has_the_dossiers_entry_with_its_count(self):
        self.authenticate(self.portal_user.login, PORTAL_PASSWORD)
        self.assertIn("/my/dossiers", self.url_open("/my").text)
        counters = self.make_jsonrpc_request("/my/counters",
                                             {"counters": ["octopus_dossier_count"]})
        self.assertEqual(counters["octopus_dossier_count"], 2)

    def test_revoke_removes_the_portal_access(self):
        self._consent()
        self.authenticate(self.portal_user.login, PORTAL_PASSWORD)
        self.dossier._revoke_access()
        self.assertEqual(self.url_open(f"/my/dossiers/{self.dossier.id}").status_code, 404)
        self.assertEqual(self.url_open(f"/my/dossiers/{self.second.id}").status_code, 200)
        self.assertTrue(self.portal_user.active, "the login still covers PORTAL-2")
        self.second._revoke_access()
        self.assertEqual(self.login.state, "revoked")
        self.assertFalse(self.portal_user.active)
        self.assertFalse(self.portal_user._is_portal())

    def test_portal_tour(self):
        # start_tour logs in with the login as password; the tour reads English.
        self.portal_user.sudo().write({"password": self.portal_user.login, "lang": "en_US"})
        self.start_tour("/my", "octopus_portal_tour", login=self.portal_user.login,
                        timeout=120)
        self.assertTrue(self.login.consent_date)
