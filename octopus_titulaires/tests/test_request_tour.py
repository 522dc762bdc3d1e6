from odoo.tests import HttpCase, new_test_user, tagged

from .common import load_language


@tagged("post_install", "-at_install")
class TestRequestTour(HttpCase):
    def test_a_colleague_asks_and_the_holder_confirms_in_french_and_dutch(self):
        for lang in ("fr_BE", "nl_BE"):
            with self.subTest(lang=lang):
                load_language(self.env, lang)
                self._ask_and_confirm_in_the_browser(lang)

    def _user(self, login, office, lang, **values):
        return new_test_user(
            self.env, login=login, groups="octopus_titulaires.group_titulaire", lang=lang,
            company_id=office.id, company_ids=[(6, 0, office.ids)], **values)

    def _ask_and_confirm_in_the_browser(self, lang):
        """A colleague of the holder, who speaks ``lang``, asks from the grant
        dialog; the holder, who speaks it too, confirms from the dashboard."""
        number = {"fr_BE": 53, "nl_BE": 54}[lang]
        office = self.env["res.company"].create(
            {"name": f"Fiduciaire Demande {lang}", "octopus_b_number": f"B000000{number}"})
        holder = self._user(f"tour_holder_{lang}", office, lang, password="tour-holder-password",
                            email="titulaire@demande.example.be")
        colleague = self._user(f"tour_colleague_{lang}", office, lang,
                               password="tour-colleague-password",
                               email="collegue@demande.example.be")
        office.octopus_holder_id = holder
        client = self.env["res.partner"].create(
            {"name": "Client Demande", "email": f"client-{lang[:2]}@demande.example.be"})
        dossier = self.env["octopus.dossier"].create(
            {"code": "REQ-TOUR", "name": "Dossier Demande", "partner_id": client.id,
             "company_id": office.id})

        self.start_tour("/odoo", "octopus_request_ask_tour", login=colleague.login, timeout=180)
        request = self.env["octopus.access.request"].search([("company_id", "=", office.id)])
        self.assertEqual((request.state, request.requested_by_id), ("requested", colleague))
        self.assertEqual(request.activity_ids.user_id, holder)
        self.assertEqual(dossier.access_category, "A", "asking changes nothing yet")

        self.start_tour("/odoo", "octopus_request_confirm_tour", login=holder.login, timeout=180)
        self.assertEqual((request.state, request.answered_by_id), ("confirmed", holder))
        self.assertEqual(dossier.access_category, "C")
        self.assertEqual(dossier.activation_ids.activated_by_id, colleague)
        self.assertEqual(dossier.activation_ids.confirmed_by_id, holder)
