from odoo.tests import HttpCase, new_test_user, tagged

from .common import load_language


@tagged("post_install", "-at_install")
class TestGrantTour(HttpCase):
    def test_grant_dialog_in_the_browser(self):
        load_language(self.env, "nl_BE")
        self._grant_in_the_browser("en_US")

    def test_grant_dialog_in_french_and_dutch(self):
        load_language(self.env, "nl_BE")
        for lang in ("fr_BE", "nl_BE"):
            with self.subTest(lang=lang):
                load_language(self.env, lang)
                self._grant_in_the_browser(lang)

    def _grant_in_the_browser(self, lang):
        """The whole dialog as a B user who speaks ``lang``: the tour checks the
        title and step of every screen and the recap in that language."""
        number = {"en_US": 42, "fr_BE": 43, "nl_BE": 44}[lang]
        office = self.env["res.company"].create(
            {"name": f"Fiduciaire Tour {lang}", "octopus_b_number": f"B000000{number}"}
        )
        login = f"tour_b_user_{lang}"
        office.octopus_holder_id = new_test_user(
            self.env,
            login=login,
            password="tour-b-password",
            email="tour@fiduciaire.example.be",
            groups="octopus_titulaires.group_titulaire",
            lang=lang,
            company_id=office.id,
            company_ids=[(6, 0, office.ids)],
        )
        client_email = f"client-{lang[:2]}@tour.example.be"
        client = self.env["res.partner"].create({"name": "Client Tour", "email": client_email})
        dossier = self.env["octopus.dossier"].create(
            {"code": "TOUR-A", "name": "Dossier Tour", "partner_id": client.id,
             "company_id": office.id}
        )
        self.assertEqual(dossier.access_category, "A")
        self.start_tour("/odoo", "octopus_grant_tour", login=login, timeout=180)
        self.assertEqual(dossier.access_category, "C")
        client_user = dossier.client_user_id
        self.assertRegex(client_user.login, r"^K\d{8}$")
        # What the done screen listed: the office's two mails, filed on the
        # login, and the invitation to the client's address alone.
        Mail = self.env["mail.mail"]
        office_mails = Mail.search([("model", "=", client_user._name),
                                    ("res_id", "=", client_user.id)])
        self.assertEqual(office_mails.mapped("email_to"), ["tour@fiduciaire.example.be"] * 2)
        invitation = Mail.search([("email_to", "=", client_email)])
        self.assertEqual(len(invitation), 1)
        self.assertFalse(invitation.model)
        self.assertIn("/web/signup", invitation.body_html)
        # Screen 3 set the client to Dutch: its contact and its invitation.
        self.assertEqual(client.lang, "nl_BE")
        self.assertEqual(invitation.subject, f"Je account bij {office.name}")
        for mail in office_mails:
            self.assertNotIn("/web/signup", mail.body_html)

    def test_an_additional_dossier_of_another_company_in_french_and_dutch(self):
        """The person behind Client Tour also runs Holding Tour: its dossier
        joins the same K login, the dialog naming both clients."""
        for number, lang in ((45, "fr_BE"), (46, "nl_BE")):
            with self.subTest(lang=lang):
                load_language(self.env, lang)
                office = self.env["res.company"].create(
                    {"name": f"Fiduciaire Supplementaire {lang}",
                     "octopus_b_number": f"B000000{number}"})
                login = f"tour_add_{lang}"
                office.octopus_holder_id = new_test_user(
                    self.env, login=login, password="tour-b-password",
                    email="tour@fiduciaire.example.be", lang=lang,
                    groups="octopus_titulaires.group_titulaire", company_id=office.id,
                    company_ids=[(6, 0, office.ids)])
                client, holding = self.env["res.partner"].create([
                    {"name": "Client Tour", "email": f"jan-{lang}@tour.example.be"},
                    {"name": "Holding Tour"}])
                Dossier = self.env["octopus.dossier"]
                first, added = Dossier.create([
                    {"code": "TOUR-K", "name": "Dossier Tour", "partner_id": client.id,
                     "company_id": office.id},
                    {"code": "TOUR-ADD", "name": "Dossier Holding", "partner_id": holding.id,
                     "company_id": office.id}])
                k_login = first._grant_access(self.env["octopus.module"],
                                              "tour@fiduciaire.example.be", client.email)
                self.start_tour("/odoo/octopus-dossiers", "octopus_additional_dossier_tour",
                                login=login, timeout=180)
                self.assertEqual(added.client_user_id, k_login)
                self.assertEqual(k_login.dossier_ids, first | added)
                self.assertEqual(added.access_category, "C")
