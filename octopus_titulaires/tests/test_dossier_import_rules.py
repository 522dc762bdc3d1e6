import base64
import re
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..models.octopus_dossier_loader import WRITE_CHUNK
from .common import B_USER_PASSWORD, OctopusCase, import_columns
from .test_dossier_import import HEADER, xlsx


@tagged("post_install", "-at_install")
@freeze_time("2026-11-28")
class TestDossierImportRules(OctopusCase):
    """The import follows the grant's rules, asks for the password when it
    changes client access or modules, and its preview runs the import's own
    write (rolled back), so that a clean preview means a clean import."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_client = cls.env["res.partner"].create(
            {"name": "Autre Client", "is_company": True}
        )
        cls.other_login = cls._login("K", partner_id=cls.other_client.id)

    def _preview(self, rows):
        wizard = self.env["octopus.dossier.import"].with_user(self.b_user).create(
            {"file": base64.b64encode(xlsx([HEADER, *rows])), "filename": "rows.xlsx",
             "company_id": self.office.id}
        )
        wizard.action_preview()
        return wizard

    def _import(self, wizard, password=B_USER_PASSWORD):
        return wizard.with_context(octopus_password=password).action_import()

    def _office_dossier(self, code):
        return self.Dossier.with_context(active_test=False).search(
            [("company_id", "=", self.office.id), ("code", "=", code)]
        )

    def _assert_refused_by_write(self, rows, row, column, message):
        """The row passes the column checks, the write refuses it; the preview
        says so by row and column, the import refuses the same, nothing is written."""
        loader = self.env["octopus.dossier.loader"].with_user(self.b_user)
        records, _problems = loader._read([HEADER, *rows])
        _plans, problems = loader._plan(records, self.office)
        self.assertFalse(problems, "the column checks alone let the row through")
        before = self._counts()
        wizard = self._preview(rows)
        self.assertEqual(self._counts(), before, "the preview's write is rolled back")
        self.assertIn(f"Row {row}, {import_columns(column)}: ", wizard.problem_text)
        self.assertIn(message, wizard.problem_text)
        with self.assertRefused(UserError, f"Nothing was imported(.|\n)*Row {row}, {re.escape(import_columns(column))}"):
            self._import(wizard)
        self.assertEqual(self._counts(), before)
        return wizard

    def test_dossier_onto_another_clients_login_is_an_additional_dossier(self):
        wizard = self._preview([["R001", "Boulangerie", "Boulangerie Test", "", "internal",
                                 self.other_login.login, "", ""]])
        self.assertFalse(wizard.problem_count, wizard.problem_text)
        self._import(wizard)
        dossier = self._office_dossier("R001")
        self.assertEqual(dossier.client_user_id, self.other_login)
        self.assertNotEqual(dossier.partner_id, self.other_login.partner_id)

    def test_the_write_stops_at_the_first_chunk_it_refuses(self):
        """A refused row is searched for row by row in its chunk of rows alone,
        and the rows below that chunk are not tried: writing every row on its
        own would cost the largest file six times its write."""
        rows = [[f"C{index:04d}", f"Dossier {index}", "Boulangerie Test", "", "internal",
                 "", "", ""] for index in range(2 * WRITE_CHUNK)]
        revoked = self._login("K", state="revoked")
        for index in (WRITE_CHUNK + 10, 2 * WRITE_CHUNK):
            rows.insert(index, [f"R{index:04d}", "Onto a revoked login", "Boulangerie Test", "",
                                "internal", revoked.login, "", ""])
        loader = type(self.env["octopus.dossier.loader"])
        with patch.object(loader, "_locate", autospec=True,
                          side_effect=loader._locate) as locate:
            wizard = self._preview(rows)
        self.assertEqual([len(call.args[1]) for call in locate.call_args_list], [WRITE_CHUNK])
        # Rows are counted from the header, row 1.
        self.assertEqual(re.findall(r"Row (\d+), columns? ([^:]+):", wizard.problem_text),
                         [(str(WRITE_CHUNK + 12), '"login", "client_email"')])

    def test_names_longer_than_a_cell_are_refused_in_the_models_words(self):
        # openpyxl cuts what it writes at 32,767 characters, so the rows are given
        # to the loader as the reader returns them.
        loader = self.env["octopus.dossier.loader"].with_user(self.b_user)
        records, _problems = loader._read([
            HEADER,
            ["R002", "N" * 32768, "Boulangerie Test", "", "internal", "", "", ""],
            ["R003", "Fine", "Boulangerie Test", "", "internal", "", "", ""],
            ["R004", "Fine", "C" * 32768, "", "internal", "", "", ""],
        ])
        plans, problems = loader._plan(records, self.office)
        with self.assertRaises(UserError) as model_refusal:
            self.Dossier.create({"code": "R002", "name": "N" * 32768,
                                 "partner_id": self.client.id})
        self.assertEqual(problems, [
            (2, "name", model_refusal.exception.args[0]),
            (4, "client", "The client's name is longer than 32767 characters."),
        ])
        self.assertEqual([plan["row"] for plan in plans], [3])

    def test_revoked_login_is_refused(self):
        revoked = self._login("K", state="revoked")
        wizard = self._preview(
            [["R005", "X", "Boulangerie Test", "", "internal", revoked.login, "", ""]]
        )
        self.assertIn(f'Row 2, columns "login", "client_email": Login {revoked.login} is revoked',
                      wizard.problem_text)
        with self.assertRefused(UserError, "Nothing was imported"):
            self._import(wizard)
        self.assertFalse(self._office_dossier("R005"))

    def test_k_login_brings_the_default_module(self):
        wizard = self._preview(
            [["R006", "X", "Boulangerie Test", "", "internal", "K55550006", "", "BANK"]]
        )
        self.assertEqual(wizard.preview_line_ids.module_codes, "PORTAL, BANK")
        self._import(wizard)
        dossier = self._office_dossier("R006")
        self.assertEqual(dossier.access_category, "C")
        self.assertEqual(dossier.active_module_ids, self.portal_module | self.bank_module)
        self.assertEqual(dossier.activation_ids.activated_by_id, self.b_user)

    def test_logins_and_modules_ask_for_the_password(self):
        rows = [["R007", "X", "Boulangerie Test", "", "internal", "K55550007", "", ""]]
        wizard = self._preview(rows)
        self.assertTrue(wizard.needs_password)
        before = self._counts()
        with self.assertRefused(UserError, "Enter your Odoo password"):
            wizard.action_import()
        with self.assertRefused(UserError, "Wrong password"):
            self._import(wizard, password="guess")
        self.assertEqual(self._counts(), before)
        self.assertEqual(wizard.state, "preview")
        self._import(wizard)
        self.assertEqual(self._office_dossier("R007").client_user_id.login, "K55550007")

    def test_rows_without_logins_or_modules_need_no_password(self):
        wizard = self._preview([["R008", "X", "Boulangerie Test", "", "internal", "", "", ""]])
        self.assertFalse(wizard.needs_password)
        wizard.action_import()
        self.assertEqual(self._office_dossier("R008").access_category, "A")

    def test_preview_writes_nothing_not_even_chatter(self):
        existing = self._dossier("R009")
        messages = existing.message_ids
        before = self._counts()
        wizard = self._preview(
            [["R009", "Renamed", "Boulangerie Test", "", "internal", "K55550009", "", "BANK"],
             ["R010", "New", "Nouveau Client", "", "internal", "K55550010", "", "BANK"]]
        )
        self.assertEqual((wizard.create_count, wizard.update_count, wizard.problem_count),
                         (1, 1, 0))
        self.flush_tracking()
        existing.invalidate_recordset()
        self.assertEqual(self._counts(), before)
        self.assertEqual(existing.name, "Dossier R009")
        self.assertEqual(existing.message_ids, messages)
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Nouveau Client")]))

    def test_hostile_email_addresses_are_refused(self):
        for email in ("<script>alert(1)</script>@example.com", f"{'x' * 65}@example.com",
                      "Gerant <gerant@example.be>"):
            with self.subTest(email=email):
                wizard = self._preview(
                    [["R011", "X", "Boulangerie Test", "", "internal", "K55550011", email, ""]]
                )
                self.assertIn('Row 2, column "client_email"', wizard.problem_text)

    def test_the_import_ends_on_a_summary_and_tells_each_dossier(self):
        existing = self._dossier("R012")
        wizard = self._preview(
            [["R012", "Renamed", "Boulangerie Test", "", "internal", "", "", ""],
             ["R013", "New", "Boulangerie Test", "", "internal", "", "", ""],
             ["R014", "Other", "Boulangerie Test", "", "internal", "", "", ""]]
        )
        self._dossier("R014")  # changed by somebody else between preview and import
        wizard.action_import()
        created = self._office_dossier("R013")
        self.assertEqual((wizard.create_count, wizard.update_count, wizard.unchanged_count),
                         (1, 2, 0))
        self.assertEqual(wizard.dossier_ids, existing | created | self._office_dossier("R014"))
        action = wizard.action_open_dossiers()
        self.assertEqual(self.Dossier.search(action["domain"]), wizard.dossier_ids)
        self.assertIn("Updated by the import of rows.xlsx, row 2.", existing.message_ids[0].body)
        self.assertIn("Created by the import of rows.xlsx, row 3.", created.message_ids[0].body)

    def _assert_refused_by_plan(self, rows, refusals):
        """The preview names each refused row and its column with the message
        (``refusals``: [(row, column, message)]), the import refuses the same,
        nothing is written."""
        before = self._counts()
        wizard = self._preview(rows)
        for row, column, message in refusals:
            self.assertIn(f"Row {row}, {import_columns(column)}: {message}", wizard.problem_text)
        self.assertEqual(wizard.problem_count, len(refusals))
        with self.assertRefused(UserError, "Nothing was imported"):
            self._import(wizard)
        self.assertEqual(self._counts(), before)

    def test_modules_on_a_row_without_login_are_refused(self):
        a_dossier = self._dossier("R020")
        no_login = ("Modules run only on a dossier with a login (K or U): give the row a login, "
                    "or leave its modules empty.")
        self._assert_refused_by_plan(
            [["R020", "Dossier R020", "Boulangerie Test", "", "internal", "", "", "BANK"],
             ["R021", "New", "Boulangerie Test", "", "internal", "", "", "PORTAL"],
             ["R022", "External", "Boulangerie Test", "", "external", "", "", "DMS"]],
            [(2, "modules", no_login), (3, "modules", no_login), (4, "modules", no_login)],
        )
        self.assertFalse(a_dossier.activation_ids)
        self.assertFalse(self._office_dossier("R021") | self._office_dossier("R022"))

    def test_an_archived_dossier_is_refused_even_with_a_login_and_modules(self):
        archived = self._dossier("R023")
        archived.active = False
        row = ["R023", "Dossier R023", "Boulangerie Test", "", "internal", "K55550023", "",
               "BANK"]
        self._assert_refused_by_plan([row], [(2, "code", "Dossier R023 is archived: restore "
                                                         "it in Odoo before importing changes "
                                                         "to it.")])
        self.assertFalse(archived.client_user_id)
        self.assertFalse(archived.activation_ids)
        self.assertFalse(self.ClientUser.search([("login", "=", "K55550023")]))
        # Restored by hand, the dossier takes the same row.
        archived.active = True
        self._import(self._preview([row]))
        self.assertEqual(archived.client_user_id.login, "K55550023")
        self.assertEqual(archived.active_module_ids, self.portal_module | self.bank_module)

    def test_the_dossiers_own_rules_hold_at_the_write(self):
        """Logins and modules reach a dossier through its own methods, the
        grant's: a row that passed the checks is refused by them when its
        dossier changed in the meantime, by row and column, nothing written."""
        loader = self.env["octopus.dossier.loader"].with_user(self.b_user)
        c_dossier = self._dossier("R025", login=self._login("K"))
        records, _problems = loader._read([
            HEADER,
            ["R024", "Dossier R024", "Boulangerie Test", "", "internal", "K55550024", "", "BANK"],
            ["R025", "Dossier R025", "Boulangerie Test", "", "internal", "", "", "BANK"],
        ])
        to_archive = self._dossier("R024")
        plans, problems = loader._plan(records, self.office)
        self.assertEqual((len(plans), problems), (2, []))
        # Meanwhile, another user archives one dossier and revokes the other's access.
        to_archive.active = False
        c_dossier._revoke_access()
        before = self._counts()
        self.assertEqual(loader._apply(plans, self.office), [
            (2, "login, client_email", "Dossier [R024] Dossier R024 is archived."),
            (3, "modules", "Dossier [R025] Dossier R025 has no client login: modules run only "
                           "on a dossier with a login (K or U)."),
        ])
        self.assertEqual(self._counts(), before)
        self.assertFalse((to_archive | c_dossier).activation_ids)
        self.assertFalse(self.ClientUser.search([("login", "=", "K55550024")]))

    def test_the_write_locks_and_creates_once_per_chunk(self):
        """The rows' logins and modules go to the dossiers' methods a chunk at
        a time: one lock per chunk and stage, one create of activations per
        chunk, whatever the number of rows."""
        rows = [[f"P{index:04d}", f"Dossier {index}", f"Client {index}", "", "internal",
                 f"K5556{index:04d}", "", "BANK"] for index in range(2 * WRITE_CHUNK)]
        Dossier = type(self.env["octopus.dossier"])
        with patch.object(Dossier, "_lock_for_update", autospec=True,
                          side_effect=Dossier._lock_for_update) as lock, \
                patch.object(Dossier, "_create_activations", autospec=True,
                             side_effect=Dossier._create_activations) as create:
            wizard = self._preview(rows)
        self.assertEqual((wizard.create_count, wizard.problem_count), (2 * WRITE_CHUNK, 0))
        # Per chunk: the logins' lock, then the modules' lock.
        self.assertEqual([len(call.args[0]) for call in lock.call_args_list], [WRITE_CHUNK] * 4)
        self.assertEqual([len(call.args[0]) for call in create.call_args_list], [WRITE_CHUNK] * 2)
        self.assertEqual(
            [sum(len(modules) for modules in call.args[1].values())
             for call in create.call_args_list],
            [2 * WRITE_CHUNK] * 2, "each row runs BANK and, with its K login, the default module",
        )
