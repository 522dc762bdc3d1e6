import os
import re

import polib
from freezegun import freeze_time

from odoo.tests import tagged
from odoo.tools.misc import file_path

from .common import ReinvoiceCase

I18N = os.path.dirname(file_path(
    "octopus_titulaires_account/i18n/octopus_titulaires_account.pot"))
PLACEHOLDER = re.compile(r"%\(\w+\)s")


@tagged("post_install", "-at_install")
class TestReinvoiceTranslations(ReinvoiceCase):
    def test_po_files_cover_the_template_with_its_placeholders(self):
        template = polib.pofile(os.path.join(I18N, "octopus_titulaires_account.pot"))
        for lang in ("fr", "nl"):
            po = {entry.msgid: entry.msgstr
                  for entry in polib.pofile(os.path.join(I18N, f"{lang}.po"))
                  if not entry.obsolete}
            for entry in template:
                with self.subTest(lang=lang, msgid=entry.msgid[:60]):
                    self.assertTrue(po.get(entry.msgid), "untranslated")
                    self.assertEqual(sorted(PLACEHOLDER.findall(po[entry.msgid])),
                                     sorted(PLACEHOLDER.findall(entry.msgid)))

    @freeze_time("2027-04-15")
    def test_labels_and_chatter_follow_the_readers_language(self):
        """The invoice lines in the client's language, the dates as it writes
        them; the dialog's refusals in the user's."""
        for lang in ("fr_BE", "nl_BE"):
            self.env["res.lang"]._activate_lang(lang)
            self.env["ir.module.module"]._load_module_terms(
                ["octopus_titulaires", "octopus_titulaires_account"], [lang], overwrite=True)
        self.client.lang = "nl_BE"
        self._activate(self.c_dossier, self.scan, self.reference)
        self._wizard().action_create_invoices()
        label = self._moves().invoice_line_ids.name
        self.assertIn("Scan, van 01-01-2027 tot 31-03-2027", label)
        wizard = self._wizard().with_context(lang="fr_BE")
        wizard.invalidate_recordset(["preview"])
        self.assertIn("Lignes déjà sur une facture non annulée", wizard.preview)
