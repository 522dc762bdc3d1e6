import base64
import io
import os
import re

import polib
from freezegun import freeze_time
from openpyxl import load_workbook

from odoo.tests import tagged
from odoo.tools.misc import file_path

from .invoice_common import InvoiceCase

I18N = os.path.dirname(file_path("octopus_titulaires/i18n/octopus_titulaires.pot"))


@tagged("post_install", "-at_install")
class TestTranslations(InvoiceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for lang in ("fr_BE", "nl_BE"):
            cls.env["res.lang"]._activate_lang(lang)

    def _load(self, lang):
        with self.assertNoLogs("odoo.tools.translate", level="WARNING"):
            self.env["ir.module.module"]._load_module_terms(
                ["octopus_titulaires"], [lang], overwrite=True
            )

    def test_po_files_cover_the_whole_template(self):
        template = {entry.msgid for entry in polib.pofile(os.path.join(I18N, "octopus_titulaires.pot"))}
        for lang in ("fr", "nl"):
            po = polib.pofile(os.path.join(I18N, f"{lang}.po"))
            translated = {entry.msgid for entry in po if entry.msgstr and not entry.obsolete}
            with self.subTest(lang=lang):
                self.assertEqual(sorted(template - translated), [], "untranslated")

    def test_dutch_calls_a_login_gebruiker_throughout(self):
        """One Dutch word for the K/U login: "gebruiker" ("klantgebruiker"
        where the English says client login); "gebruikersnaam" stays for the
        username the client types. Placeholders and markup are not text."""
        markup = re.compile(r'%\(\w+\)s|\{\{[^}]*\}\}|t-\w+="[^"]*"|<[^>]+>')
        for entry in polib.pofile(os.path.join(I18N, "nl.po")):
            source, text = (markup.sub(" ", value) for value in (entry.msgid, entry.msgstr))
            if re.search(r"\blogins?\b", source, re.IGNORECASE):
                with self.subTest(msgid=entry.msgid[:60]):
                    self.assertIn("gebruiker", text.lower())
                    self.assertFalse(re.findall(r"\blogins?\b|gebruikersnummer|inlognaam",
                                                text, re.IGNORECASE))

    def test_po_files_load_without_warning(self):
        for lang in ("fr_BE", "nl_BE"):
            with self.subTest(lang=lang):
                self._load(lang)
                module = self.env.ref("octopus_titulaires.module_bank").with_context(lang=lang)
                expected = {"fr_BE": "Extraits bancaires", "nl_BE": "Bankafschriften"}[lang]
                self.assertEqual(module.name, expected)

    def test_mails_render_in_french_and_dutch(self):
        login = self._login("K", office_email="bureau@example.be", email="client@example.be")
        self.a_dossier.client_user_id = login
        template = self.env.ref("octopus_titulaires.mail_template_client_username")
        for lang, subject, body in (
            ("fr_BE", "Votre numéro K Octopus", "Pour vous connecter"),
            ("nl_BE", "Je Octopus-gebruikersnaam", "Zo meld je je aan"),
        ):
            with self.subTest(lang=lang):
                self._load(lang)
                # The mail the office forwards speaks its client's language.
                self.client.lang = lang
                rendered = template.with_user(self.b_user)._generate_template(
                    login.ids, ["subject", "body_html"]
                )[login.id]
                self.assertIn(subject, rendered["subject"])
                self.assertIn(login.login, rendered["subject"])
                self.assertIn(body, rendered["body_html"])

    def test_excel_headers_follow_the_users_language_and_import_back(self):
        # A C dossier always runs the default module (the import adds it otherwise).
        self._activate(self.c_dossier, self.portal_module, self.reference)
        self._load("fr_BE")
        self.b_user.lang = "fr_BE"
        export = self.env["octopus.dossier.export"].with_user(self.b_user).create(
            {"company_id": self.office.id, "date": self.reference}
        )
        content = export._build_xlsx()
        workbook = load_workbook(io.BytesIO(content))
        self.assertEqual(workbook.sheetnames,
                         ["Dossiers", "Prochaine facture", "Registre des activations"])
        header = next(workbook["Dossiers"].iter_rows(values_only=True))
        self.assertEqual(header[:5], ("Code", "Nom", "Client", "TVA", "Type"))
        self.assertEqual(next(workbook["Dossiers"].iter_rows(min_row=2, values_only=True))[4],
                         "Interne")
        wizard = self.env["octopus.dossier.import"].with_user(self.b_user).create(
            {"file": base64.b64encode(content), "filename": "export.xlsx",
             "company_id": self.office.id}
        )
        wizard.action_preview()
        self.assertFalse(wizard.problem_text)
        self.assertEqual((wizard.create_count, wizard.update_count), (0, 0))

    @freeze_time("2026-11-28")
    def test_dates_are_written_as_the_readers_language_writes_them(self):
        self._load("fr_BE")
        self.b_user.lang = "fr_BE"
        # As a web request of that user runs: its language in the context.
        dossier = self._dossier("FR1").with_user(self.b_user).with_context(lang="fr_BE")
        with self.mock_mail_gateway():
            dossier._grant_access(self.scan, "bureau@fr.example.be", "client@fr.example.be")
        confirmation = self._new_mails.filtered(lambda mail: "K" in (mail.subject or ""))[:1]
        self.assertIn("28/11/2026", confirmation.body_html)
        self.assertNotIn("2026-11-28", confirmation.body_html)
        dossier._end_modules(self.scan)
        self.assertIn("28/11/2026", dossier.message_ids[0].body)

    def test_a_billing_summary_names_its_month_in_the_readers_language(self):
        summary = self.env["octopus.billing.summary"].create(
            {"company_id": self.office.id, "date_from": "2026-11-01", "date_to": "2026-11-30"}
        )
        for lang, month in (("fr_BE", "novembre 2026"), ("nl_BE", "november 2026"),
                            ("en_US", "November 2026")):
            with self.subTest(lang=lang):
                self.assertEqual(summary.with_context(lang=lang).display_name,
                                 f"Fiduciaire Test, {month}")
