from datetime import date

from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.octopus_titulaires.tests.common import TOUR_MODULES, load_language

from .common import setup_reinvoicing


@tagged("post_install", "-at_install")
class TestReinvoiceTour(HttpCase):
    def test_reinvoice_from_the_dashboard_in_french(self):
        """A B user with Invoicing rights who reads French, from the dashboard
        to the draft invoice of the last full quarter."""
        load_language(self.env, "fr_BE",
                      (*TOUR_MODULES, "account", "octopus_titulaires_account"))
        office = self.env["res.company"].create(
            {"name": "Fiduciaire Refacturation", "octopus_b_number": "B00000061"})
        setup_reinvoicing(self.env, office)
        login = "tour_reinvoice_fr"
        office.octopus_holder_id = new_test_user(
            self.env, login=login, password="tour-b-password", lang="fr_BE",
            email="tour@refacturation.example.be",
            groups="octopus_titulaires.group_titulaire,account.group_account_invoice",
            company_id=office.id, company_ids=[(6, 0, office.ids)])
        client = self.env["res.partner"].create({"name": "Boulangerie Tournee",
                                                 "is_company": True})
        client_user = self.env["octopus.client.user"].create(
            {"kind": "K", "partner_id": client.id, "company_id": office.id})
        dossier = self.env["octopus.dossier"].create(
            {"code": "TOUR-R1", "name": "Boulangerie", "partner_id": client.id,
             "company_id": office.id, "client_user_id": client_user.id})
        self.env["octopus.module.activation"].create(
            {"dossier_id": dossier.id, "date_start": date(2020, 1, 1),
             "module_id": self.env.ref("octopus_titulaires.module_bank").id})
        self.start_tour("/odoo", "octopus_reinvoice_tour", login=login, timeout=180)
        move = self.env["account.move"].search([("company_id", "=", office.id)])
        self.assertEqual(len(move), 1)
        self.assertEqual((move.state, move.partner_id), ("draft", client))
        self.assertEqual(move.invoice_line_ids.octopus_activation_id.dossier_id, dossier)
