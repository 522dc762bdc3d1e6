from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestGrantTour(HttpCase):
    def test_grant_dialog_in_the_browser(self):
        office = self.env["res.company"].create(
            {"name": "Fiduciaire Tour", "octopus_b_number": "B00000042"}
        )
        new_test_user(
            self.env,
            login="tour_b_user",
            password="tour-b-password",
            email="tour@fiduciaire.example.be",
            groups="octopus_titulaires.group_titulaire",
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
