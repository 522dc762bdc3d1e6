from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestGrantTour(HttpCase):
    def test_grant_dialog_in_the_browser(self):
        self._grant_in_the_browser("en_US")

    def test_grant_dialog_in_french(self):
        self.env["res.lang"]._activate_lang("fr_BE")
        self.env["ir.module.module"]._load_module_terms(
            ["base", "web", "mail", "portal", "octopus_titulaires"], ["fr_BE"], overwrite=True)
        self._grant_in_the_browser("fr_BE")

    def _grant_in_the_browser(self, lang):
        """The whole dialog as a B user who speaks ``lang``: the tour checks the
        title and step of every screen and the recap in that language."""
        office = self.env["res.company"].create(
            {"name": "Fiduciaire Tour", "octopus_b_number": "B00000042"}
        )
        new_test_user(
            self.env,
            login="tour_b_user",
            password="tour-b-password",
            email="tour@fiduciaire.example.be",
            groups="octopus_titulaires.group_titulaire",
            lang=lang,
            company_id=office.id,
            company_ids=[(6, 0, office.ids)],
        )
        client = self.env["res.partner"].create(
            {"name": "Client Tour", "email": "client@tour.example.be"}
        )
        dossier = self.env["octopus.dossier"].create(
            {"code": "TOUR-A", "name": "Dossier Tour", "partner_id": client.id,
             "company_id": office.id}
        )
        self.assertEqual(dossier.access_category, "A")
        self.start_tour("/odoo", "octopus_grant_tour", login="tour_b_user", timeout=180)
        self.assertEqual(dossier.access_category, "C")
        self.assertRegex(dossier.client_user_id.login, r"^K\d{8}$")
