import base64
import io
from datetime import date

from freezegun import freeze_time
from openpyxl import load_workbook

from odoo.addons.mail.tests.common import MockEmail
from odoo.tests import new_test_user, tagged

from .common import load_language
from .invoice_common import InvoiceCase

CRON = "octopus_titulaires.ir_cron_billing_summary"


@tagged("post_install", "-at_install")
@freeze_time("2026-11-28")
class TestBillingSummaryLanguages(InvoiceCase, MockEmail):
    """The monthly summary reaches each B user in their language and formats:
    one mail per language, with the workbook in that language."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for lang in ("fr_BE", "nl_BE"):
            load_language(cls.env, lang, ["mail", "octopus_titulaires"])
        cls._activate(cls.c_dossier, cls.scan, date(2026, 1, 1))
        cls.office.partner_id.lang = "fr_BE"
        cls.b_user.lang = "en_US"
        cls.fr_user, cls.nl_user = (
            new_test_user(cls.env, login=login, lang=lang, email=f"{login}@fiduciaire.example.be",
                          groups="octopus_titulaires.group_titulaire",
                          company_id=cls.office.id, company_ids=[(6, 0, cls.office.ids)])
            for login, lang in (("b_user_fr", "fr_BE"), ("b_user_nl", "nl_BE")))

    def setUp(self):
        super().setUp()
        office = self.office
        self.patch(type(self.env["octopus.billing.summary"]), "_billing_companies_domain",
                   lambda _self: [("id", "=", office.id)])

    def _header(self, attachment, sheet_index):
        workbook = load_workbook(io.BytesIO(base64.b64decode(attachment.datas)))
        sheet = workbook.worksheets[sheet_index]
        return sheet.title, sheet.cell(1, 1).value

    def test_each_reader_gets_the_summary_in_their_language_and_formats(self):
        with self.mock_mail_gateway():
            self.env.ref(CRON).method_direct_trigger()
        summary = self.env["octopus.billing.summary"].search(
            [("company_id", "=", self.office.id)])
        self.assertEqual(summary.amount_total, 1865.0)
        mails = self._new_mails.filtered(lambda mail: mail.model == summary._name)
        self.assertEqual(len(mails), 3, "one mail per language")
        expected = {
            self.b_user: ("Octopus billing summary Fiduciaire Test, November 2026",
                          ("12/31/2027", "1,865.00"),
                          "Octopus B00000001 November 2026.xlsx",
                          ("Next invoice", "Category")),
            self.fr_user: ("Récapitulatif de facturation Octopus Fiduciaire Test, novembre 2026",
                           ("31/12/2027", "1.865,00"),
                           "Octopus B00000001 novembre 2026.xlsx",
                           ("Prochaine facture", "Catégorie")),
            self.nl_user: ("Octopus-factuuroverzicht Fiduciaire Test, november 2026",
                           ("31-12-2027", "1.865,00"),
                           "Octopus B00000001 november 2026.xlsx",
                           ("Volgende factuur", "Categorie")),
        }
        for user, (subject, body_texts, filename, header) in expected.items():
            with self.subTest(lang=user.lang):
                mail = mails.filtered(lambda mail, user=user: user.partner_id in mail.recipient_ids)
                self.assertEqual(len(mail), 1)
                # The office's manager is a B user who reads English too.
                group = user | self.manager if user == self.b_user else user
                self.assertEqual(mail.recipient_ids, group.partner_id, "its language group alone")
                self.assertEqual(mail.subject, subject)
                for text in body_texts:
                    self.assertIn(text, mail.body_html)
                self.assertNotIn("2027-12-31", mail.body_html)
                self.assertEqual(mail.attachment_ids.mapped("name"), [filename])
                self.assertEqual(self._header(mail.attachment_ids, 1), header)
        # The summary's own file is the office's, in the office's language.
        self.assertEqual(summary.attachment_id.name, "Octopus B00000001 novembre 2026.xlsx")
        self.assertIn(summary.attachment_id, mails.attachment_ids)
        self.assertNotIn("2026-11", summary.with_context(lang="nl_BE").display_name)
        # English amounts are not the Belgian ones: the formats truly differ.
        english = mails.filtered(lambda mail: self.b_user.partner_id in mail.recipient_ids)
        self.assertNotIn("1.865,00", english.body_html)
