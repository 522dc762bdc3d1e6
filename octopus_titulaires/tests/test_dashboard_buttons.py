from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from .common import load_language
from .test_daily_screens import TODAY, DailyScreensCase


@tagged("post_install", "-at_install")
class TestDashboardButtons(DailyScreensCase):
    """The card's module counts and invoice amounts open what they count; its
    count sentences say 1 in the singular."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._activate(cls.dossier_c1, cls.bank_module, date(2026, 11, 3))
        cls._activate(cls.dossier_c1, cls.portal_module, date(2026, 1, 1))
        cls._activate(cls.dossier_c2, cls.portal_module, date(2026, 2, 1))

    def test_a_module_count_opens_the_dossiers_running_it(self):
        with freeze_time(TODAY):
            office = self.office.with_user(self.b_user)
            counts = {module["id"]: module["count"] for module in office.octopus_dashboard["modules"]}
            self.assertEqual(counts, {self.portal_module.id: 2, self.bank_module.id: 1})
            for module, dossiers in ((self.portal_module, self.dossier_c1 | self.dossier_c2),
                                     (self.bank_module, self.dossier_c1)):
                with self.subTest(module=module.code):
                    action = office.with_context(octopus_module_id=module.id).action_octopus_module()
                    self.assertEqual(action["res_model"], "octopus.dossier")
                    opened = self.env["octopus.dossier"].with_user(self.b_user).search(
                        action["domain"])
                    self.assertEqual(opened, dossiers)
                    self.assertEqual(len(opened), counts[module.id])
                    self.assertIn(module.name, action["name"])

    def test_the_invoice_amounts_open_the_cost_analysis_on_their_lines(self):
        with freeze_time(TODAY):
            office = self.office.with_user(self.b_user)
            invoice = self.office._octopus_project_invoice(TODAY)
            Line = self.env["octopus.invoice.line"].with_user(self.b_user)
            c_lines = office.action_octopus_c_lines()
            self.assertEqual(c_lines["res_model"], "octopus.invoice.line")
            lines = Line.search(c_lines["domain"])
            self.assertEqual(set(lines.mapped("access_category")), {"C"})
            self.assertEqual(lines.dossier_id.company_id, self.office)
            self.assertAlmostEqual(sum(lines.mapped("amount")), invoice["subtotals"]["C"], places=2)
            total = office.action_octopus_next_invoice()
            self.assertEqual(total["res_model"], "octopus.invoice.line")
            self.assertAlmostEqual(sum(Line.search(total["domain"]).mapped("amount")),
                                   invoice["total"] - invoice["packet_deal_fee"], places=2)

    def test_count_sentences_say_one_in_the_singular(self):
        expected = {
            "en_US": {(1, 1): "This month: 1 module activated, 1 module ended",
                      (2, 0): "This month: 2 modules activated, 0 modules ended"},
            "fr_BE": {(1, 1): "Ce mois-ci : 1 module activé, 1 module arrêté",
                      (2, 0): "Ce mois-ci : 2 modules activés, 0 module arrêté"},
            "nl_BE": {(1, 1): "Deze maand: 1 module geactiveerd, 1 module beëindigd",
                      (2, 0): "Deze maand: 2 modules geactiveerd, 0 modules beëindigd"},
        }
        requests = {
            "en_US": ("1 request waiting for the office holder",
                      "2 requests waiting for the office holder"),
            "fr_BE": ("1 demande en attente du titulaire du bureau",
                      "2 demandes en attente du titulaire du bureau"),
            "nl_BE": ("1 verzoek dat op de titularis van het kantoor wacht",
                      "2 verzoeken die op de titularis van het kantoor wachten"),
        }
        consent = {
            "en_US": ("1 login without consent", "2 logins without consent"),
            "fr_BE": ("1 numéro d'utilisateur sans consentement",
                      "2 numéros d'utilisateur sans consentement"),
            "nl_BE": ("1 gebruiker zonder toestemming", "2 gebruikers zonder toestemming"),
        }
        for lang, sentences in expected.items():
            if lang != "en_US":
                load_language(self.env, lang)
            office = self.office.with_context(lang=lang)
            for (started, ended), sentence in sentences.items():
                with self.subTest(lang=lang, started=started, ended=ended):
                    self.assertEqual(office._octopus_this_month_text(started, ended), sentence)
            self.assertEqual(office._octopus_requests_text(1), requests[lang][0])
            self.assertEqual(office._octopus_requests_text(2), requests[lang][1])
            self.assertEqual(office._octopus_without_consent_text(1), consent[lang][0])
            self.assertEqual(office._octopus_without_consent_text(2), consent[lang][1])
