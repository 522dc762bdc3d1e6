from datetime import date

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from .common import load_language

# The K login of each language's revoked dossier, as the tour reads it.
REVOKED_LOGINS = {"fr_BE": "K77770001", "nl_BE": "K77770002"}


@tagged("post_install", "-at_install")
class TestChangeTour(HttpCase):
    """End, Revoke and a bulk End from the list in the browser, as the office
    holder who speaks French or Dutch: each dialog has its own title and
    recaps what stops and what the next invoice loses before the password."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for lang in ("fr_BE", "nl_BE"):
            load_language(cls.env, lang)
        cls.scan = cls.env["octopus.module"].create(
            {"name": "Tour Scan", "code": "TOURSCAN",
             "tariff_ids": [(0, 0, {"date_from": date(2020, 1, 1), "annual_price": 365.0})]})
        cls.portal_module = cls.env.ref("octopus_titulaires.module_client_portal")

    def _office(self, lang, number):
        """An office whose holder, the tour's user, speaks ``lang``; its
        billing year starts in January, so the next invoice covers a whole
        next calendar year, where Tour Scan costs its 365."""
        office = self.env["res.company"].create({
            "name": f"Fiduciaire Arret {lang}", "octopus_b_number": f"B000000{number}",
            "currency_id": self.env.ref("base.EUR").id, "octopus_billing_month": 1})
        office.octopus_holder_id = new_test_user(
            self.env, login=f"tour_change_{number}", password="tour-b-password",
            email="tour@arret.example.be", groups="octopus_titulaires.group_titulaire",
            lang=lang, company_id=office.id, company_ids=[(6, 0, office.ids)])
        return office

    def _c_dossier(self, office, code, **login_values):
        """A C dossier of ``office`` running the default module and Tour Scan
        since last month."""
        client = self.env["res.partner"].create({"name": f"Client {code}"})
        login = self.env["octopus.client.user"].create(
            dict({"kind": "K", "company_id": office.id, "partner_id": client.id},
                 **login_values))
        dossier = self.env["octopus.dossier"].create(
            {"code": code, "name": f"Dossier {code}", "partner_id": client.id,
             "company_id": office.id, "client_user_id": login.id})
        start = fields.Date.today() - relativedelta(months=1)
        self.env["octopus.module.activation"].create(
            [{"dossier_id": dossier.id, "module_id": module.id, "date_start": start}
             for module in (self.portal_module, self.scan)])
        return dossier

    def _scan(self, dossier):
        return dossier.activation_ids.filtered(lambda activation: activation.module_id == self.scan)

    def _assert_logged(self, dossier, logged):
        """The dossier's chatter has one message more than ``logged``, about Tour Scan."""
        messages = dossier.message_ids.filtered("body")
        self.assertEqual(len(messages), logged + 1, "the chatter logs the change once")
        self.assertIn("Tour Scan", messages[0].body)

    def _run(self, tour, office):
        self.start_tour("/odoo/octopus-dossiers", tour,
                        login=office.octopus_holder_id.login, timeout=180)

    def test_end_with_its_recap_in_french_and_dutch(self):
        for number, lang in ((81, "fr_BE"), (82, "nl_BE")):
            with self.subTest(lang=lang):
                office = self._office(lang, number)
                dossier = self._c_dossier(office, "TOUR-END")
                logged = len(dossier.message_ids.filtered("body"))
                self._run("octopus_end_recap_tour", office)
                self.assertEqual(self._scan(dossier).date_end, fields.Date.today())
                self.assertEqual(dossier.active_module_ids, self.portal_module)
                self._assert_logged(dossier, logged)

    def test_revoke_with_its_recap_in_french_and_dutch(self):
        for number, lang in ((83, "fr_BE"), (84, "nl_BE")):
            with self.subTest(lang=lang):
                office = self._office(lang, number)
                portal_user = new_test_user(
                    self.env, login=f"portail-{lang}@tour.example.be", name="Portail Tour",
                    groups="base.group_portal")
                dossier = self._c_dossier(office, "TOUR-REV", login=REVOKED_LOGINS[lang],
                                          user_id=portal_user.id)
                login = dossier.client_user_id
                # What the tour reads the next invoice loses: Tour Scan and Client Portal.
                self.assertEqual(
                    self.portal_module._get_price(fields.Date.today()) + 365.0, 425.0)
                self._run("octopus_revoke_recap_tour", office)
                self.assertEqual((dossier.access_category, login.state), ("A", "revoked"))
                self.assertEqual(self._scan(dossier).date_end, fields.Date.today())
                self.assertFalse(portal_user.active, "the portal user the recap named")

    def test_bulk_end_of_three_dossiers_from_the_list_in_french_and_dutch(self):
        for number, lang in ((85, "fr_BE"), (86, "nl_BE")):
            with self.subTest(lang=lang):
                office = self._office(lang, number)
                dossiers = [self._c_dossier(office, f"TOUR-B{index}") for index in (1, 2, 3)]
                untouched = self._c_dossier(office, "TOUR-B4")
                logged = {dossier: len(dossier.message_ids.filtered("body"))
                          for dossier in dossiers}
                self._run("octopus_bulk_end_tour", office)
                for dossier in dossiers:
                    self.assertEqual(self._scan(dossier).date_end, fields.Date.today())
                    self.assertEqual(dossier.active_module_ids, self.portal_module)
                    self._assert_logged(dossier, logged[dossier])
                self.assertFalse(self._scan(untouched).date_end, "not selected, not ended")
