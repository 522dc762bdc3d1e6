"""Security round 3, replayed as the real users of two offices over HTTP:
defaults and copies that would grant without the password, contacts and files
of another office, the read-only billing summaries, the import's rules, login
numbers, and the password step. Each attack is re-read as superuser."""

from datetime import date

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .test_attacks_rpc import (
    ACCESS_DOOR, ACCESS_ERROR, PASSWORDS, RULE_REFUSAL, USER_ERROR,
    RpcAttackCase, xlsx_base64,
)
from .test_dossier_import import HEADER

# Every context key through which a default would reach a dossier's access.
ACCESS_DEFAULTS = {
    "default_client_user_id": None,  # the login, filled in setUp
    "default_access_category": "C",
    "default_active_module_ids": None,
}
FILE_REFUSAL = r"a file of an office you do not work for|not allowed|top-secret records"


@tagged("post_install", "-at_install")
class TestRpcAttacksRound3(RpcAttackCase):
    def setUp(self):
        super().setUp()
        self.defaults = dict(ACCESS_DEFAULTS, default_client_user_id=self.login_x.id,
                             default_active_module_ids=self.bank_module.ids)

    def assertWithoutAccess(self, dossier_ids):
        """The dossiers exist, in the office, as A: no login, no module, no ledger."""
        self.env.invalidate_all()
        dossiers = self.env["octopus.dossier"].browse(dossier_ids)
        self.assertEqual(len(dossiers.exists()), len(dossier_ids))
        for dossier in dossiers:
            self.assertEqual(
                (dossier.company_id, dossier.client_user_id.id, dossier.access_category,
                 dossier.active_module_ids.ids, dossier.activation_ids.ids),
                (self.office, False, "A", [], []), dossier.code)

    # -- 1. context defaults, copies and every path that creates a dossier --------

    def test_01_context_defaults_and_copies_grant_nothing(self):
        before = self._written()
        self.login_as(self.b1)
        created = [self.call("octopus.dossier", "create",
                             [{"code": "R3-CREATE", "name": "R3", "partner_id": self.client_x.id}],
                             context=self.defaults)[0]]
        created.append(self.call(
            "octopus.dossier", "name_create", "R3 quick",
            context=dict(self.defaults, default_code="R3-QUICK",
                         default_partner_id=self.client_x.id))[0])
        created.append(self.call(
            "octopus.dossier", "web_save", [],
            {"code": "R3-FORM", "name": "R3 form", "partner_id": self.client_x.id},
            specification={}, context=self.defaults)[0]["id"])
        loaded = self.call("octopus.dossier", "load", ["code", "name", "partner_id/.id"],
                           [["R3-LOAD", "R3 loaded", str(self.client_x.id)]],
                           context=self.defaults)
        self.assertEqual(len(loaded["ids"]), 1, loaded["messages"])
        created += loaded["ids"]
        # A copy of a C dossier starts as A: its login and ledger stay behind.
        created.append(self.call("octopus.dossier", "copy", self.dossier_cx.ids,
                                 default={"code": "R3-COPY"}, context=self.defaults)[0])
        # This addon's import, its button called with the same defaults.
        import_id = self.call(
            "octopus.dossier.import", "web_save", [],
            {"file": xlsx_base64([HEADER, ["R3-IMPORT", "R3 import", "Client R3", "",
                                           "internal", "", "", ""]]),
             "filename": "r3.xlsx"}, specification={})[0]["id"]
        for method in ("action_preview", "action_import"):
            self.button("octopus.dossier.import", method, import_id, context=self.defaults)
        created += self.env["octopus.dossier"].search([("code", "=", "R3-IMPORT")]).ids
        self.assertEqual(len(created), 6)
        self.assertWithoutAccess(created)
        # Naming the login in a copy's own values is refused, not ignored.
        self.assertRefused(ACCESS_ERROR, ACCESS_DOOR, "octopus.dossier", "copy",
                           self.dossier_a.ids,
                           default={"code": "R3-COPY2", "client_user_id": self.login_x.id})
        after = self._written()
        self.assertEqual(after["logins"], before["logins"])
        self.assertEqual(after["activations"], before["activations"])
        self.assertEqual([d for d in after["dossiers"] if d["id"] not in created],
                         before["dossiers"])

    # -- 2. contacts ----------------------------------------------------------------

    def test_02_each_office_keeps_its_own_contacts(self):
        self.assertFalse(self.b1.has_group("base.group_partner_manager"))
        office_2_client = self.env["res.partner"].create(
            {"name": "Client Office 2", "email": "client@office-2.example.be",
             "company_id": self.other_office.id})
        shared_before = self.client_y.read(["name", "email"])
        rename = {"name": "Taken over", "email": "attacker@evil.example.com"}
        self.login_as(self.b1)
        self.assertRefused(ACCESS_ERROR, RULE_REFUSAL, "res.partner", "write",
                           office_2_client.ids, rename)
        # A contact of no office is read-only to B users.
        self.assertRefused(ACCESS_ERROR, RULE_REFUSAL, "res.partner", "write",
                           self.client_y.ids, rename)
        for company in (self.other_office.id, False):
            self.assertRefused(ACCESS_ERROR, RULE_REFUSAL, "res.partner", "create",
                               [{"name": "Planted", "company_id": company}])
        # Odoo's own portal wizard needs Contact Creation, which B users lack.
        self.assertRefused(ACCESS_ERROR, RULE_REFUSAL, "portal.wizard", "create",
                           [{"partner_ids": [[6, 0, self.client_x.ids]]}])
        # The office's own clients stay the B users' to keep.
        self.call("res.partner", "write", self.client_x.ids, {"phone": "+32 2 000 00 00"})
        own_id = self.call("res.partner", "create",
                           [{"name": "New own client", "company_id": self.office.id}])[0]
        self.env.invalidate_all()
        self.assertEqual(office_2_client.email, "client@office-2.example.be")
        self.assertEqual(self.client_y.read(["name", "email"]), shared_before)
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Planted")]))
        self.assertFalse(self.env["portal.wizard"].search([]))
        self.assertEqual(self.client_x.phone, "+32 2 000 00 00")
        self.assertEqual(self.env["res.partner"].browse(own_id).company_id, self.office)

    # -- 3. the office's files --------------------------------------------------------

    def test_03_office_files_leave_only_with_their_readers(self):
        summary = self.env["octopus.billing.summary"]._create_for_month(
            self.other_office, date.today())
        workbook = summary.attachment_id
        self.assertTrue(workbook)
        Mail = self.env["mail.mail"]

        def carriers():
            self.env.invalidate_all()
            return (Mail.search([("attachment_ids", "in", workbook.ids)]).ids,
                    self.env["mail.message"].search([("attachment_ids", "in", workbook.ids)]).ids)

        before = carriers()
        template = self.env.ref("octopus_titulaires.mail_template_client_username")
        self.login_as(self.b1)
        self.assertRefused(ACCESS_ERROR, FILE_REFUSAL, "mail.template", "send_mail",
                           template.ids, self.login_x.id,
                           email_values={"attachment_ids": [[4, workbook.id]],
                                         "email_to": "thief@evil.example.com"})
        self.assertRefused(ACCESS_ERROR, FILE_REFUSAL, "octopus.dossier", "message_post",
                           self.dossier_a.ids, body="the other office's prices",
                           attachment_ids=workbook.ids)
        composer_id = self.call(
            "mail.compose.message", "create",
            [{"model": "octopus.dossier", "res_ids": self.dossier_a.ids,
              "composition_mode": "comment", "body": "see attached",
              "attachment_ids": [[6, 0, workbook.ids]]}])[0]
        self.assertRefused(ACCESS_ERROR, FILE_REFUSAL, "mail.compose.message",
                           "action_send_mail", [composer_id])
        download = f"/web/content/{workbook.id}?download=true"
        self.assertNotEqual(self.url_open(download).status_code, 200)
        for user in (self.plain, self.manager):
            self.login_as(user)
            self.assertNotEqual(self.url_open(download).status_code, 200, user.login)
        self.assertEqual(carriers(), before)
        # The office's own B user downloads and forwards it.
        self.login_as(self.b2)
        response = self.url_open(download)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content[:2], b"PK")
        self.call("octopus.dossier", "message_post", self.dossier_f2.ids,
                  body="our summary", attachment_ids=workbook.ids)
        self.assertEqual(len(carriers()[1]), len(before[1]) + 1)

    # -- 4. billing summaries are the job's -----------------------------------------

    def test_04_billing_summaries_are_written_by_the_job_only(self):
        summary = self.env["octopus.billing.summary"]._create_for_month(self.office, date.today())
        before = summary.read(["amount_total", "packet_deal_fee", "attachment_id"])
        self.login_as(self.manager)
        self.assertEqual(self.call("octopus.billing.summary", "read", summary.ids,
                                   ["amount_total"])[0]["amount_total"],
                         before[0]["amount_total"])
        self.assertRefused(ACCESS_ERROR, RULE_REFUSAL, "octopus.billing.summary", "write",
                           summary.ids, {"amount_total": 1.0})
        self.assertRefused(ACCESS_ERROR, RULE_REFUSAL, "octopus.billing.summary", "create",
                           [{"company_id": self.office.id, "date_from": "2020-01-01",
                             "date_to": "2020-01-31", "amount_total": 1.0}])
        self.assertRefused(ACCESS_ERROR, RULE_REFUSAL, "octopus.billing.summary", "unlink",
                           summary.ids)
        self.env.invalidate_all()
        self.assertEqual(summary.read(["amount_total", "packet_deal_fee", "attachment_id"]),
                         before)
        self.assertEqual(self.env["octopus.billing.summary"].search_count(
            [("company_id", "=", self.office.id)]), 1)

    # -- 5. the import follows the grant's rules ----------------------------------------

    def test_05_the_import_refuses_archived_dossiers_and_modules_without_login(self):
        archived = self._dossier("R3-ARCH", self.office, self.client_x)
        archived.active = False
        rows = [HEADER,
                ["R3-ARCH", "Archived", "Client Attaque X", "", "internal", "K77770001", "",
                 "PORTAL"],
                ["R3-NOLOGIN", "No login", "Client Attaque X", "", "internal", "", "", "BANK"],
                ["R3-FOREIGN", "Foreign", "Client Attaque X", "", "internal",
                 self.login_z.login, "", ""],
                ["R3-WIDE", "Wide digits", "Client Attaque X", "", "internal",
                 "K\uff12\uff10\uff11\uff16\uff14\uff10\uff16\uff11", "", ""]]
        before = self._written()
        self.login_as(self.b1)
        import_id = self.call("octopus.dossier.import", "web_save", [],
                              {"file": xlsx_base64(rows), "filename": "r3.xlsx"},
                              specification={})[0]["id"]
        self.button("octopus.dossier.import", "action_preview", import_id)
        problems = self.call("octopus.dossier.import", "read", [import_id],
                             ["problem_text"])[0]["problem_text"]
        self.assertRegex(problems, r'Row 2, column "code": Dossier R3-ARCH is archived')
        self.assertRegex(problems, r'Row 3, column "modules": Modules run only on a dossier with '
                                   r"a login")
        self.assertRegex(problems, rf'Row 4, column "login": Login {self.login_z.login} is not a '
                                   r"login of this office")
        self.assertRegex(problems, r'Row 5, column "login": Login K\S+ is invalid')
        # Nothing tells the office that another office exists, or whose the login is.
        self.assertNotRegex(problems, r"another office|other office|Voisine|Attaque Z")
        self.assertButtonRefused(USER_ERROR, "Nothing was imported", "octopus.dossier.import",
                                 "action_import", import_id, {"octopus_password":
                                                              PASSWORDS["atk_b1"]})
        self.assertEqual(self._written(), before)
        self.assertFalse(archived.client_user_id)

    # -- 6. login numbers -----------------------------------------------------------------

    def test_06_logins_are_k_or_u_and_eight_ascii_digits(self):
        ClientUser = self.env["octopus.client.user"]
        for login in ("K\uff12\uff10\uff11\uff16\uff14\uff10\uff16\uff11",
                      "K\u0662\u0660\u0661\u0666\u0664\u0660\u0666\u0661", "K2016406", "X20164061"):
            with self.subTest(login=login), \
                    self.assertRaisesRegex(ValidationError, "is invalid"), self.env.cr.savepoint():
                ClientUser.create({"kind": "K", "login": login, "partner_id": self.client_x.id})
        self.assertFalse(ClientUser.search([]).filtered(
            lambda client_user: not client_user.login.isascii()))

    def test_07_the_next_login_takes_one_query_whatever_another_office_imported(self):
        ClientUser = self.env["octopus.client.user"]
        first = ClientUser._next_login("K")
        number = int(first[1:])
        # Office 2 took the next 300 numbers (an import names its logins).
        ClientUser.with_company(self.other_office).create([
            {"kind": "K", "login": f"K{number + step:08d}", "company_id": self.other_office.id}
            for step in range(1, 301)])
        self.env.flush_all()
        queries = self.env.cr.sql_log_count
        login = ClientUser._next_login("K")
        self.assertLessEqual(self.env.cr.sql_log_count - queries, 2)
        self.assertEqual(login, f"K{number + 301:08d}")
        self.assertEqual(ClientUser._next_login("K"), f"K{number + 302:08d}")

    # -- 8. the password step ---------------------------------------------------------------

    def test_08_a_password_that_is_not_text_is_refused_plainly(self):
        self.login_as(self.b1)
        grant_id = self._grant(self.dossier_a, state="password")
        before = self._written()
        for password in (["atk"], {"password": PASSWORDS["atk_b1"]}, 12345, "x" * 5000):
            with self.subTest(password=str(password)[:20]):
                self.assertButtonRefused(
                    USER_ERROR, "Enter your Odoo password|at most 4096 bytes",
                    "octopus.dossier.grant", "action_confirm", grant_id,
                    {"octopus_password": password})
        self.assertEqual(self._written(), before)

    def test_09_failures_count_per_user_whatever_the_address_does(self):
        self.env["ir.config_parameter"].set_param("base.login_cooldown_after", 3)
        self.login_as(self.b1)
        grant_id = self._grant(self.dossier_a, state="password")
        before = self._written()
        # Two wrong guesses, then a sign-in from the same address (the attacker's
        # own, or a colleague's), which makes Odoo forget the address's failures,
        # then a third guess: the count of the user's own failures reaches 3.
        for attempt in range(2):
            self.assertButtonRefused(USER_ERROR, "Wrong password", "octopus.dossier.grant",
                                     "action_confirm", grant_id,
                                     {"octopus_password": f"guess-{attempt}"})
        self.make_jsonrpc_request("/web/session/authenticate", {
            "db": self.env.cr.dbname, "login": self.b1_colleague.login,
            "password": PASSWORDS["atk_b1_colleague"]})
        self.assertFalse(self.registry._login_failures.get("127.0.0.1", (0,))[0])
        self.login_as(self.b1)
        self.assertButtonRefused(USER_ERROR, "Wrong password", "octopus.dossier.grant",
                                 "action_confirm", grant_id, {"octopus_password": "guess-2"})
        self.assertEqual(self.registry._login_failures["127.0.0.1"][0], 1)
        self.login_as(self.b1)
        self.assertButtonRefused(USER_ERROR, "Too many wrong passwords", "octopus.dossier.grant",
                                 "action_confirm", grant_id,
                                 {"octopus_password": PASSWORDS["atk_b1"]})
        self.assertEqual(self._written(), before)
        # The colleague's own count is another one.
        self.login_as(self.b1_colleague)
        colleague_grant = self._grant(self.dossier_a, state="password")
        self.assertButtonRefused(USER_ERROR, "Wrong password", "octopus.dossier.grant",
                                 "action_confirm", colleague_grant, {"octopus_password": "nope"})
        self.assertEqual(self._written(), before)
        # Once the cooldown is over, the right password confirms.
        self._forget_login_failures()
        self.login_as(self.b1)
        self.button("octopus.dossier.grant", "action_confirm", grant_id,
                    {"octopus_password": PASSWORDS["atk_b1"]})
        self.env.invalidate_all()
        self.assertEqual(self.dossier_a.access_category, "C")

    def test_10_the_next_invoice_lines_are_read_only_and_of_their_office(self):
        """The Cost Analysis's lines are computed, never written: no user
        creates, changes or deletes one, and each office reads its own."""
        before = self._written()
        self.login_as(self.b1)
        lines = self.call("octopus.invoice.line", "search_read", [], ["dossier_id", "amount"])
        self.assertTrue(lines)
        self.assertEqual(
            {line["dossier_id"][0] for line in lines}
            - set(self.env["octopus.dossier"].search([("company_id", "=", self.office.id)]).ids),
            set())
        for method, args in (("create", [{"amount": 1.0}]),
                             ("write", [[lines[0]["id"]], {"amount": 1.0}]),
                             ("unlink", [[lines[0]["id"]]])):
            with self.subTest(method=method):
                self.assertRefused(ACCESS_ERROR, RULE_REFUSAL, "octopus.invoice.line", method,
                                   *args)
        self.login_as(self.b2)
        self.assertFalse(self.call("octopus.invoice.line", "search_read",
                                   [("company_id", "=", self.office.id)], ["amount"]))
        for user in (self.plain, self.portal_x):
            self.login_as(user)
            with self.subTest(user=user.login):
                self.assertRefused(ACCESS_ERROR, RULE_REFUSAL, "octopus.invoice.line",
                                   "search_read", [], ["amount"])
        self.assertEqual(self._written(), before)
