import base64
import re
import io
from datetime import date

import xlwt
from freezegun import freeze_time
from openpyxl import Workbook, load_workbook

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from ..tools import XLSX_MIMETYPE
from ..tools.spreadsheet_reader import MAX_ROWS
from .common import B_USER_PASSWORD, OctopusCase, import_columns

HEADER = ["code", "name", "client", "vat", "kind", "login", "client_email", "modules"]


def xlsx(rows):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def xls(rows):
    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet("Dossiers")
    for row_index, row in enumerate(rows):
        for column, value in enumerate(row):
            sheet.write(row_index, column, value)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


@tagged("post_install", "-at_install")
@freeze_time("2026-11-28")
class TestDossierImport(OctopusCase):
    def _wizard(self, content, filename="dossiers.xlsx", user=None):
        return self.env["octopus.dossier.import"].with_user(user or self.b_user).create(
            {"file": base64.b64encode(content), "filename": filename,
             "company_id": self.office.id}
        )

    def _preview(self, rows, builder=xlsx, **kwargs):
        wizard = self._wizard(builder(rows), **kwargs)
        wizard.action_preview()
        return wizard

    def _import(self, rows, builder=xlsx, **kwargs):
        wizard = self._preview(rows, builder, **kwargs)
        self.assertFalse(wizard.problem_text, wizard.problem_text)
        wizard.with_context(octopus_password=B_USER_PASSWORD).action_import()
        return wizard

    def _office_dossiers(self):
        return self.Dossier.search([("company_id", "=", self.office.id)])

    def _assert_refused(self, rows, row, column, message, builder=xlsx):
        """The preview names the row and the column; Import refuses; nothing is written."""
        wizard = self._preview(rows, builder)
        self.assertIn(f"Row {row}, {import_columns(column)}: ", wizard.problem_text)
        self.assertIn(message, wizard.problem_text)
        before = self._counts()
        with self.assertRefused(UserError, f"Nothing was imported(.|\n)*Row {row}, {re.escape(import_columns(column))}"):
            wizard.action_import()
        self.assertEqual(self._counts(), before)
        self.assertEqual(wizard.state, "preview")

    def test_xlsx_creates_dossiers_clients_logins_and_modules(self):
        wizard = self._import([
            HEADER,
            ["1001", "Boulangerie Dupont", "Dupont SRL", "BE0477472701", "internal",
             "K12340001", "gerant@dupont.example.be", "PORTAL, BANK"],
            ["1002", "Garage Peeters", "Peeters BV", "", "external", "U12340002", "", "DMS"],
            ["1003", "Cabinet Lambert", "", "", "internal", "", "", ""],
        ])
        self.assertEqual((wizard.create_count, wizard.update_count, wizard.state), (3, 0, "done"))
        dossiers = {d.code: d for d in self._office_dossiers()}
        dupont = dossiers["1001"]
        self.assertEqual(dupont.access_category, "C")
        self.assertEqual(dupont.client_user_id.login, "K12340001")
        self.assertEqual(dupont.client_user_id.email, "gerant@dupont.example.be")
        self.assertEqual(dupont.partner_id.vat, "BE0477472701")
        self.assertCountEqual(dupont.active_module_ids.mapped("code"), ["PORTAL", "BANK"])
        self.assertEqual(set(dupont.activation_ids.mapped("date_start")), {date(2026, 11, 28)})
        self.assertEqual(dossiers["1002"].access_category, "B")
        self.assertEqual(dossiers["1003"].access_category, "A")
        self.assertEqual(dossiers["1003"].partner_id.name, "Cabinet Lambert")

    def test_xls_is_read_with_xlrd(self):
        self._import([HEADER, ["2001", "Fleuriste Janssens", "Janssens", "", "internal",
                               "K12340021", "", "BANK"]], builder=xls, filename="dossiers.xls")
        dossier = self._office_dossiers()
        self.assertEqual(dossier.code, "2001")
        self.assertCountEqual(dossier.active_module_ids.mapped("code"), ["PORTAL", "BANK"])

    def test_format_comes_from_the_content_not_the_name(self):
        self._import([HEADER, ["2002", "Menuiserie Maes", "", "", "internal", "", "", ""]],
                     filename="misnamed.xls")
        self.assertEqual(self._office_dossiers().code, "2002")
        wizard = self._wizard(b"code;name\n1;x\n", filename="fake.xlsx")
        with self.assertRefused(UserError, "fake.xlsx is not an Excel file"):
            wizard.action_preview()

    def test_french_headers_in_another_order(self):
        self._import([
            ["Type", "Nom", "Code", "Identifiant", "E-mail client", "TVA", "Client", "Modules"],
            ["interne", "Pharmacie Jacobs", "3001", "K12340031", "", "", "Jacobs", "PORTAL"],
        ])
        self.assertEqual(self._office_dossiers().name, "Pharmacie Jacobs")

    def test_dutch_headers_and_kind_told_by_the_login(self):
        self._import([
            ["Naam", "Code", "Klant", "BTW", "Soort", "Gebruiker", "E-mail klant", "Modules",
             "Extra kolom"],
            ["Brasserie De Smet", "3002", "De Smet", "", "", "U12340003", "", "", "ignored"],
        ])
        dossier = self._office_dossiers()
        self.assertEqual((dossier.kind, dossier.client_user_id.login), ("external", "U12340003"))

    def test_importing_the_same_file_twice_changes_nothing(self):
        rows = [HEADER, ["4001", "Imprimerie Willems", "Willems", "", "internal", "K12340004",
                         "", "PORTAL"]]
        self._import(rows)
        before = self._counts()
        dossier = self._office_dossiers()
        written = dossier.write_date
        wizard = self._import(rows)
        self.assertEqual((wizard.create_count, wizard.update_count, wizard.unchanged_count),
                         (0, 0, 1))
        self.assertEqual(self._counts(), before)
        self.assertEqual(dossier.write_date, written)

    def test_a_changed_row_updates_its_dossier(self):
        self._import([HEADER, ["4002", "Librairie Claes", "Claes", "", "internal", "", "", ""]])
        wizard = self._import([HEADER, ["4002", "Librairie Claes & Fils", "Claes", "", "internal",
                                        "K12340005", "", "BANK"]])
        self.assertEqual((wizard.create_count, wizard.update_count), (0, 1))
        dossier = self._office_dossiers()
        self.assertEqual(dossier.name, "Librairie Claes & Fils")
        self.assertEqual(dossier.access_category, "C")
        self.assertEqual(
            dossier.active_module_ids, self.portal_module | self.bank_module,
            "a K login brings the default module, as the grant does",
        )

    def test_client_found_by_vat_then_by_name(self):
        by_vat = self.env["res.partner"].create({"name": "Old Name", "vat": "BE0477472701"})
        by_name = self.env["res.partner"].create({"name": "Transport Goossens"})
        self._import([HEADER,
                      ["5001", "A", "New Name", "BE 0477.472.701", "internal", "", "", ""],
                      ["5002", "B", "Transport Goossens", "", "internal", "", "", ""]])
        dossiers = {d.code: d for d in self._office_dossiers()}
        self.assertEqual(dossiers["5001"].partner_id, by_vat)
        self.assertEqual(dossiers["5002"].partner_id, by_name)

    def test_not_a_spreadsheet_or_corrupted_file_is_refused(self):
        before = self._counts()
        for content, message in ((b"%PDF-1.4 not a sheet", "is not an Excel file"),
                                 (b"PK\x03\x04 broken zip", "the spreadsheet is damaged"),
                                 (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 broken", "damaged")):
            with self.subTest(message=message), self.assertRefused(UserError, message):
                self._wizard(content).action_preview()
        self.assertEqual(self._counts(), before)

    def test_empty_sheet_is_refused(self):
        wizard = self._preview([])
        self.assertIn("No header row with the columns code and name", wizard.problem_text)
        wizard = self._preview([HEADER])
        self.assertIn('Row 2, column "Code": The sheet has no dossier row.', wizard.problem_text)

    def test_missing_required_columns_are_refused(self):
        self._assert_refused([["name", "kind"], ["Sans code", "internal"]], 1, "Code, Name",
                             "No header row with the columns code and name")
        self._assert_refused([["code", "name"], ["6001", "Sans type"]], 1, "Kind, Login",
                             "needs a kind or a login column")

    def test_unknown_kind_is_refused(self):
        self._assert_refused([HEADER, ["6002", "X", "", "", "hybrid", "", "", ""]],
                             2, "kind", "Unknown kind hybrid")

    def test_login_of_the_wrong_letter_is_refused(self):
        self._assert_refused([HEADER, ["6003", "X", "", "", "internal", "U12340006", "", ""]],
                             2, "login", "is Internal: it only accepts a K login, not U12340006")

    def test_login_of_another_office_is_refused(self):
        foreign = self._login("K", company=self.other_office)
        self._assert_refused([HEADER, ["6004", "X", "", "", "internal", foreign.login, "", ""]],
                             2, "login", "not a login of this office")

    def test_invalid_belgian_vat_is_refused(self):
        self._assert_refused([HEADER, ["6005", "X", "", "BE0477472702", "internal", "", "", ""]],
                             2, "vat", "not a valid Belgian VAT number")

    def test_invalid_email_is_refused(self):
        self._assert_refused([HEADER, ["6006", "X", "", "", "internal", "", "nope@", ""]],
                             2, "client_email", "not a valid e-mail address")

    def test_unknown_module_code_is_refused(self):
        self._assert_refused([HEADER, ["6007", "X", "", "", "internal", "", "", "BANK, TELEX"]],
                             2, "modules", "Unknown module codes: TELEX")

    def test_same_code_twice_is_refused(self):
        self._assert_refused([HEADER, ["6008", "X", "", "", "internal", "", "", ""],
                              ["6008", "Y", "", "", "internal", "", "", ""]],
                             3, "code", "Code 6008 already appears on row 2")

    def test_preview_lists_every_problem_at_once(self):
        wizard = self._preview([HEADER,
                                ["7001", "", "", "BE1", "internal", "", "", ""],
                                ["7002", "Fine", "", "", "internal", "", "", ""],
                                ["7003", "X", "", "", "sideways", "", "bad@", "NOPE"]])
        self.assertEqual(wizard.problem_count, 5)
        for fragment in ('Row 2, column "name"', 'Row 2, column "vat"', 'Row 4, column "kind"',
                         'Row 4, column "client_email"', 'Row 4, column "modules"'):
            self.assertIn(fragment, wizard.problem_text)
        with self.assertRaises(UserError):
            wizard.action_import()
        self.assertFalse(self._office_dossiers(), "not even the fine row")

    def test_export_then_import_round_trip_changes_nothing(self):
        self.office.octopus_b_number = "B00000001"
        self._import([HEADER,
                      ["8001", "Chocolaterie Martin", "Martin", "BE0477472701", "internal",
                       "K12340008", "martin@example.be", "PORTAL, BANK"],
                      ["8002", "Vins Hermans", "Hermans", "", "external", "U12340009", "", "DMS"],
                      ["8003", "Taverne Michiels", "Michiels", "", "internal", "", "", ""]])
        export = self.env["octopus.dossier.export"].with_user(self.b_user).create(
            {"company_id": self.office.id}
        )
        before = self._counts()
        wizard = self._import([], builder=lambda _rows: export._build_xlsx())
        self.assertEqual((wizard.create_count, wizard.update_count, wizard.unchanged_count),
                         (0, 0, 3))
        self.assertEqual(self._counts(), before)

    def test_as_many_rows_as_the_limit_in_one_go(self):
        count = MAX_ROWS - 1
        rows = [HEADER] + [
            [f"9{index:04d}", f"Dossier {index}", f"Client {index}", "",
             "internal" if index % 2 else "external", f"K7{index:07d}" if index % 2 else "", "",
             "BANK" if index % 2 else ""]
            for index in range(count)
        ]
        wizard = self._import(rows)
        self.assertEqual(wizard.create_count, count)
        self.assertEqual(len(self._office_dossiers()), count)
        self.assertEqual(
            # Each internal row runs BANK and, with its K login, the default module.
            self.Activation.search_count([("dossier_id.company_id", "=", self.office.id)]),
            count // 2 * 2,
        )

    def _template(self):
        """The template as the B user downloads it, and its rows; downloading
        it draws no login from the sequence."""
        sequence = self.ClientUser._login_sequence("K")
        next_number = sequence.number_next_actual
        wizard = self.env["octopus.dossier.import"].with_user(self.b_user).create({})
        action = wizard.action_download_template()
        sequence.invalidate_recordset(["number_next_actual"])
        self.assertEqual(sequence.number_next_actual, next_number, "no login drawn")
        self.assertIn("template_file", action["url"])
        self.assertIn(f"mimetype={XLSX_MIMETYPE}", action["url"])
        content = base64.b64decode(wizard.template_file)
        return content, list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))

    def _assert_template_imports(self, content, rows):
        """The template's two example rows preview without a problem and import
        as they are: the K row gets its login, the default module and the
        other module it names; the row without a login runs no module."""
        k_row, plain_row = rows[1], rows[2]
        self.assertRegex(k_row[5], r"^K[0-9]{8}$")
        self.assertEqual(k_row[7], "PORTAL, BANK")
        self.assertFalse(plain_row[5] or plain_row[7], "no login, no module")
        preview = self._preview([], builder=lambda _rows: content)
        self.assertEqual((preview.create_count, preview.problem_count), (2, 0))
        self.assertTrue(preview.needs_password)
        preview.with_context(octopus_password=B_USER_PASSWORD).action_import()
        dossiers = {dossier.code: dossier for dossier in self._office_dossiers()}
        with_login, without_login = dossiers[str(k_row[0])], dossiers[str(plain_row[0])]
        self.assertEqual((with_login.access_category, with_login.client_user_id.login),
                         ("C", k_row[5]))
        self.assertEqual(with_login.active_module_ids, self.portal_module | self.bank_module)
        self.assertEqual((without_login.access_category, without_login.activation_ids),
                         ("A", self.Activation))

    def test_template_has_the_columns_and_two_examples_that_import(self):
        # Logins imported at the numbers the sequence gives next: the example skips them.
        next_login = self.ClientUser._peek_login("K")
        taken = [f"K{int(next_login[1:]) + step:08d}" for step in (0, 1)]
        for login in taken:
            self._login("K", login=login)
        content, rows = self._template()
        self.assertEqual(list(rows[0]), ["Code", "Name", "Client", "VAT", "Kind", "Login",
                                         "Client e-mail", "Modules"])
        self.assertEqual(len(rows), 3)
        self.assertEqual((rows[1][4], rows[2][4]), ("Internal", "Internal"))
        self.assertEqual(rows[1][5], f"K{int(next_login[1:]) + 2:08d}")
        self._assert_template_imports(content, rows)

    def _assert_template_speaks(self, lang, headers, kind):
        self.env["res.lang"]._activate_lang(lang)
        self.env["ir.module.module"]._load_module_terms(["octopus_titulaires"], [lang])
        self.b_user.lang = lang
        content, rows = self._template()
        self.assertEqual((list(rows[0]), rows[1][4], rows[2][4]), (headers, kind, kind))
        self._assert_template_imports(content, rows)

    def test_template_in_french_imports_as_it_is(self):
        self._assert_template_speaks(
            "fr_BE", ["Code", "Nom", "Client", "TVA", "Type", "Numéro d'utilisateur",
                      "E-mail client", "Modules"], "Interne")

    def test_template_in_dutch_imports_as_it_is(self):
        self._assert_template_speaks(
            "nl_BE", ["Code", "Naam", "Klant", "Btw", "Soort", "Gebruiker",
                      "E-mail klant", "Modules"], "Intern")

    def test_user_without_the_group_cannot_import(self):
        with self.assertRaises(AccessError):
            self._wizard(xlsx([HEADER]), user=self.plain_user)
