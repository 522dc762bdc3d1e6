import base64
import re
from datetime import date

from freezegun import freeze_time
from lxml import html

from odoo.tests import tagged

from .common import B_USER_PASSWORD, load_language
from .test_dossier_import import HEADER, xlsx
from .test_grant_wizard import GrantDialogCase

TODAY = date(2026, 11, 28)


def digits(text):
    return re.sub(r"[^0-9]", "", text)


@tagged("post_install", "-at_install")
@freeze_time("2026-11-28")
class TestImportAsGrant(GrantDialogCase):
    """An import that gives a new K login is a grant: priced, mailed and
    confirmed as the dialog does; it never ends a module nor revokes."""

    def _preview(self, rows, user=None):
        wizard = self.env["octopus.dossier.import"].with_user(user or self.b_user).create(
            {"file": base64.b64encode(xlsx(rows)), "filename": "dossiers.xlsx",
             "company_id": self.office.id})
        wizard.action_preview()
        return wizard

    def _mails_of(self, login):
        return self.env["mail.mail"].sudo().search(
            [("model", "=", "octopus.client.user"), ("res_id", "=", login.id)], order="id")

    def _shape(self, mails, login):
        """What a mail of ``login`` says, its login's number set aside."""
        return [(mail.email_to, mail.email_from, mail.subject.replace(login.login, "LOGIN"))
                for mail in mails]

    def test_a_new_k_login_queues_the_mails_of_the_dialog(self):
        # The dialog, without portal access (an import gives none).
        wizard = self._run_to_password(self.dossier, modules=self.bank_module,
                                       office_email=self.b_user.email, portal_access=False)
        self._confirm(wizard)
        dialog_login = self.dossier.client_user_id
        dialog_mails = self._mails_of(dialog_login)
        self.assertEqual(len(dialog_mails), 2)

        new_login = self.ClientUser._peek_login("K")
        preview = self._preview([HEADER, ["G900", "Dossier G900", self.client.name, "", "internal",
                                          new_login, "", "BANK"]])
        self.assertFalse(preview.problem_text, preview.problem_text)
        self.assertEqual(preview.mail_count, 2)
        self.assertEqual(
            preview.preview_line_ids.mails,
            f"Activation confirmation to {self.b_user.email}; Client username to "
            f"{self.b_user.email}")
        preview.with_context(octopus_password=B_USER_PASSWORD).action_import()
        imported_login = self.ClientUser.search([("login", "=", new_login)])
        self.assertEqual(imported_login.office_email, self.b_user.email)
        self.assertFalse(self._mails_of(imported_login), "queued by the cron, not the request")
        cron = self.env.ref("octopus_titulaires.ir_cron_access_mails")
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]),
                        "the import starts the cron at once")
        # Queued by the cron the import triggered, as the user who imported.
        cron.method_direct_trigger()
        imported_mails = self._mails_of(imported_login)
        self.assertEqual(self._shape(imported_mails, imported_login),
                         self._shape(dialog_mails, dialog_login))
        self.assertEqual(set(imported_mails.mapped("state")), {"outgoing"})
        self.assertIn(self.b_user.name, imported_mails[0].body_html, "said as of who imported")
        self.assertIn("Bank Statements", imported_mails[0].body_html)
        self.assertFalse(imported_login.sudo().access_mail_requester_id, "mailed once")
        self.env.ref("octopus_titulaires.ir_cron_access_mails").method_direct_trigger()
        self.assertEqual(self._mails_of(imported_login), imported_mails, "no mail twice")

    def test_a_new_k_login_needs_the_users_address_for_its_mails(self):
        self.b_user.email = False
        before = self._counts()
        wizard = self._preview([HEADER, ["G907", "Dossier G907", self.client.name, "", "internal",
                                         self.ClientUser._peek_login("K"), "", ""]])
        self.assertIn('Row 2, column "login": Login K', wizard.problem_text)
        self.assertIn("your user has none", wizard.problem_text)
        self.assertEqual(self._counts(), before)

    def test_the_preview_prices_each_row_and_the_file_as_the_grant(self):
        running = self._dossier("G901", login=self._login())
        running._sudo_for_access()._create_activations(self.portal_module)
        external = self._dossier("G902", kind="external")
        rows = [HEADER,
                ["G903", "New with login", self.client.name, "", "internal",
                 self.ClientUser._peek_login("K"), "", "BANK"],
                ["G901", running.name, self.client.name, "", "internal",
                 running.client_user_id.login, "", "PORTAL, BANK"],
                ["G902", external.name, self.client.name, "", "external",
                 self.ClientUser._peek_login("U"), "", "BANK"]]
        wizard = self._preview(rows)
        self.assertFalse(wizard.problem_text, wizard.problem_text)
        cost = {line.row: (line.annual_cost, line.prorated_cost)
                for line in wizard.preview_line_ids}
        both = self.Dossier.browse(self.dossier.id)._cost_preview(
            self.portal_module | self.bank_module, TODAY)
        bank = self.Dossier.browse(self.dossier.id)._cost_preview(self.bank_module, TODAY)
        self.assertEqual(cost[2], (both["annual_total"], both["prorated_total"]))
        self.assertEqual(cost[3], (bank["annual_total"], bank["prorated_total"]),
                         "a module the dossier runs costs nothing more")
        self.assertEqual(cost[4], (0.0, 0.0), "the client of an external dossier pays Octopus")
        self.assertGreater(bank["annual_total"], 0)
        total = html.fromstring(wizard.cost_preview)
        annual = total.xpath("//*[contains(@class, 'o_octopus_annual_total')]")[0].text_content()
        self.assertEqual(digits(annual), digits(f"{cost[2][0] + cost[3][0]:.2f}"))
        counts = [cell.text_content().strip() for cell in total.xpath("//tbody/tr/td[2]")]
        self.assertEqual(counts, ["1", "2"], "Client Portal once, Bank Statements twice")

    def test_a_row_that_lists_fewer_modules_keeps_them_running(self):
        login = self._login()
        dossier = self._dossier("G904", login=login)
        dossier._sudo_for_access()._create_activations(self.portal_module | self.bank_module)
        keeping_login = self._dossier("G905", login=self._login())
        wizard = self._preview([HEADER,
                                ["G904", dossier.name, self.client.name, "", "internal",
                                 login.login, "", "PORTAL"],
                                ["G905", keeping_login.name, self.client.name, "", "internal",
                                 "", "", ""]])
        self.assertFalse(wizard.problem_count, "a warning, not a problem")
        self.assertEqual(wizard.kept_count, 2)
        kept = {line.row: line.kept for line in wizard.preview_line_ids}
        self.assertEqual(kept[2], "keeps running Bank Statements")
        self.assertEqual(kept[3], f"keeps its login {keeping_login.client_user_id.login}")
        wizard.with_context(octopus_password=B_USER_PASSWORD).action_import()
        self.assertEqual(dossier.active_module_ids, self.portal_module | self.bank_module)
        self.assertTrue(keeping_login.client_user_id)

    def _assert_names_the_header(self, lang, header, expected):
        load_language(self.env, lang)
        self.b_user.lang = lang
        rows = [header, ["G906", "Dossier G906", self.client.name, "BE0123", "internal"]]
        wizard = self._preview(rows)
        self.assertEqual(wizard.problem_count, 1)
        self.assertIn(expected, wizard.problem_text)
        self.assertNotIn("vat", wizard.problem_text)

    def test_a_french_file_is_answered_with_its_own_header(self):
        self._assert_names_the_header("fr_BE", ["Code", "Nom", "Client", "N° TVA", "Type"],
                                      "Ligne 2, colonne « N° TVA » :")

    def test_a_dutch_file_is_answered_with_its_own_header(self):
        self._assert_names_the_header("nl_BE", ["Code", "Naam", "Klant", "Btw-nummer", "Soort"],
                                      "Rij 2, kolom 'Btw-nummer':")
