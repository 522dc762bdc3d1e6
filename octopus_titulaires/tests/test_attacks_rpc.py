"""Attacks on client access, replayed as the real user over HTTP.

Each test logs in as an office user (or a portal client), sends what the web
client (or a hand-written script) could send to JSON-RPC, a download URL or a
portal page, and checks both the refusal and, re-read as superuser from the
database, that nothing was written.
"""

import base64
import json
from datetime import date

from odoo import http
from odoo.tests import HttpCase, new_test_user, tagged

from ..tools import XLSX_MIMETYPE
from .test_dossier_import import HEADER, xlsx

DOSSIER_LOGGER = "odoo.addons.octopus_titulaires.models.res_users"
# Odoo's login cooldown counts failures per remote address; the test server
# sees every request of the test, and of the tours after it, from this one.
LOCAL_ADDRESS = "127.0.0.1"

ACCESS_ERROR = "odoo.exceptions.AccessError"
USER_ERROR = "odoo.exceptions.UserError"
VALIDATION_ERROR = "odoo.exceptions.ValidationError"
# What Odoo answers when a record rule or an ACL refuses an operation.
RULE_REFUSAL = r"top-secret records|You are not allowed to"
ACCESS_DOOR = r"changes only through Grant Client Access"
FIELD_REFUSAL = r"You do not have enough rights to access the fields"

PASSWORDS = {
    "atk_b1": "b1-holder-Secret-1",
    "atk_b1_colleague": "b1-colleague-Secret-2",
    "atk_b2": "b2-holder-Secret-3",
    "atk_manager": "manager-Secret-4",
    "atk_plain": "plain-Secret-5",
    "atk_portal_x": "portal-x-Secret-6",
    "atk_portal_y": "portal-y-Secret-7",
}


def xlsx_base64(rows):
    return base64.b64encode(xlsx(rows)).decode()


class RpcAttackCase(HttpCase):
    """Two offices, their B users, a manager, a plain user and two portal
    clients, and the helpers that talk to the server as each of them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.office = cls.env["res.company"].create(
            {"name": "Fiduciaire Attaquee", "octopus_b_number": "B00000101",
             "octopus_packet_deal_fee": 100.0, "octopus_confirmation": "user"}
        )
        cls.other_office = cls.env["res.company"].create(
            {"name": "Fiduciaire Voisine", "octopus_b_number": "B00000102",
             "octopus_packet_deal_fee": 200.0, "octopus_confirmation": "user"}
        )
        cls.b1 = cls._user("atk_b1", "octopus_titulaires.group_titulaire", cls.office)
        cls.b1_colleague = cls._user(
            "atk_b1_colleague", "octopus_titulaires.group_titulaire", cls.office
        )
        cls.b2 = cls._user("atk_b2", "octopus_titulaires.group_titulaire", cls.other_office)
        cls.manager = cls._user(
            "atk_manager", "octopus_titulaires.group_titulaire_manager", cls.office
        )
        cls.plain = cls._user("atk_plain", "base.group_user", cls.office)
        cls.portal_x = cls._user("atk_portal_x", "base.group_portal", cls.office)
        cls.portal_y = cls._user("atk_portal_y", "base.group_portal", cls.office)

        cls.portal_module = cls.env.ref("octopus_titulaires.module_client_portal")
        cls.bank_module = cls.env.ref("octopus_titulaires.module_bank")
        cls.dms_module = cls.env.ref("octopus_titulaires.module_dms")
        Partner = cls.env["res.partner"]
        # Client X is the office's own contact: office 2 cannot read it.
        cls.client_x = Partner.create({"name": "Client Attaque X", "is_company": True,
                                       "email": "x@client-x.example.be",
                                       "company_id": cls.office.id})
        cls.client_y = Partner.create({"name": "Client Attaque Y", "is_company": True,
                                       "email": "y@client-y.example.be"})
        cls.client_z = Partner.create({"name": "Client Attaque Z", "is_company": True})

        # Office 1: client X has an A dossier and a C dossier (login with a
        # portal user who consented); client Y a C dossier whose portal user
        # has not consented yet, and a revoked login.
        cls.login_x = cls._client_login(cls.office, cls.client_x, user_id=cls.portal_x.id,
                                        email="k-login-x@client-x.example.be")
        cls.login_y = cls._client_login(cls.office, cls.client_y, user_id=cls.portal_y.id,
                                        email="y@client-y.example.be")
        cls.revoked_login = cls._client_login(cls.office, cls.client_x, state="revoked")
        cls.dossier_a = cls._dossier("ATK-A1", cls.office, cls.client_x)
        cls.dossier_cx = cls._dossier("ATK-CX", cls.office, cls.client_x, cls.login_x,
                                      cls.portal_module | cls.bank_module)
        cls.dossier_cy = cls._dossier("ATK-CY", cls.office, cls.client_y, cls.login_y,
                                      cls.portal_module)
        cls.login_x._record_consent(cls.portal_x)
        # Office 2: a C dossier, so that its next invoice has lines to steal.
        cls.login_z = cls._client_login(cls.other_office, cls.client_z)
        cls.dossier_f2 = cls._dossier("ATK-F2", cls.other_office, cls.client_z, cls.login_z,
                                      cls.portal_module | cls.bank_module)

    @classmethod
    def _user(cls, login, groups, company):
        return new_test_user(
            cls.env, login=login, password=PASSWORDS[login], groups=groups,
            email=f"{login}@attaque.example.be",
            company_id=company.id, company_ids=[(6, 0, company.ids)],
        )

    @classmethod
    def _client_login(cls, company, partner, **values):
        return cls.env["octopus.client.user"].with_company(company).create(
            dict({"kind": "K", "company_id": company.id, "partner_id": partner.id}, **values)
        )

    @classmethod
    def _dossier(cls, code, company, partner, login=None, modules=None):
        """As superuser: the data an attacker finds, not a path under test."""
        dossier = cls.env["octopus.dossier"].with_company(company).create(
            {"code": code, "name": f"Dossier {code}", "partner_id": partner.id,
             "company_id": company.id, "client_user_id": login and login.id}
        )
        if modules:
            cls.env["octopus.module.activation"].create(
                [{"dossier_id": dossier.id, "module_id": module.id} for module in modules]
            )
        return dossier

    def setUp(self):
        super().setUp()
        # Wrong passwords typed here would put the next login (a tour's, on the
        # same address) on cooldown: the counter lives in the registry, not in
        # the test transaction.
        self._forget_login_failures()
        self.addCleanup(self._forget_login_failures)

    def _forget_login_failures(self):
        failures = getattr(self.registry, "_login_failures", None)
        if failures is not None:
            failures.pop(LOCAL_ADDRESS, None)
        # The dialogs also count failures per user whose password is checked.
        getattr(self.registry, "_octopus_password_failures", {}).clear()

    # -- talking to the server as the user ---------------------------------

    def login_as(self, user):
        self.authenticate(user.login, PASSWORDS[user.login])

    def _rpc_body(self, route, model, method, args, kwargs):
        """The JSON-RPC answer, error included: ``make_jsonrpc_request`` keeps
        only the exception's class name, and a refusal must also say why."""
        self.env.flush_all()
        payload = {"jsonrpc": "2.0", "method": "call", "id": 0,
                   "params": {"model": model, "method": method, "args": list(args),
                              "kwargs": kwargs}}
        response = self.url_open(route, data=json.dumps(payload),
                                 headers={"Content-Type": "application/json"})
        response.raise_for_status()
        # What the request wrote is read back from the database, not this cache.
        self.env.invalidate_all()
        return response.json()

    def call(self, model, method, *args, route="/web/dataset/call_kw", **kwargs):
        """A call the server must accept (a step of the attack, or a control)."""
        self.env.flush_all()
        result = self.make_jsonrpc_request(
            route, {"model": model, "method": method, "args": list(args), "kwargs": kwargs}
        )
        self.env.invalidate_all()
        return result

    def button(self, model, method, record_id, context=None):
        """A dialog button, as the web client sends it."""
        return self.call(model, method, [record_id], route="/web/dataset/call_button",
                         context=context or {})

    def assertRefused(self, errors, pattern, model, method, *args,
                      route="/web/dataset/call_kw", **kwargs):
        """The server answers the call with an error of one of the ``errors``
        classes whose message matches ``pattern``."""
        body = self._rpc_body(route, model, method, args, kwargs)
        self.assertNotIn("result", body, f"{model}.{method}{args} was accepted")
        error = body["error"]["data"]
        self.assertIn(error["name"], (errors,) if isinstance(errors, str) else errors,
                      error["message"])
        self.assertRegex(error["message"], pattern)
        return error

    def assertButtonRefused(self, errors, pattern, model, method, record_id, context=None):
        return self.assertRefused(errors, pattern, model, method, [record_id],
                                  route="/web/dataset/call_button", context=context or {})

    # -- what must not change ------------------------------------------------

    def _written(self):
        """Everything that client access and billing consist of, read as
        superuser from the database."""
        self.env.invalidate_all()
        Dossier = self.env["octopus.dossier"].with_context(active_test=False)
        return {
            "dossiers": Dossier.search_read(
                [], ["code", "company_id", "client_user_id", "access_category", "active",
                     "kind", "partner_id", "active_module_ids"], order="id"),
            "logins": self.env["octopus.client.user"].search_read(
                [], ["login", "company_id", "state", "user_id", "email", "office_email",
                     "consent_date", "consent_user_id", "partner_id", "kind"], order="id"),
            "activations": self.env["octopus.module.activation"].search_read(
                [], ["dossier_id", "module_id", "company_id", "date_start", "date_end",
                     "annual_price", "activated_by_id", "ended_by_id"], order="id"),
        }

    def _invoice_total(self, office):
        self.env.invalidate_all()
        return office._octopus_project_invoice(date.today())["total"]

    def _grant(self, dossier, **values):
        """A grant dialog created over RPC by the logged-in user."""
        vals = dict({"dossier_ids": [[6, 0, dossier.ids]],
                     "office_email": "bureau@attaque.example.be",
                     "client_email": "client@attaque.example.be"}, **values)
        return self.call("octopus.dossier.grant", "web_save", [], vals,
                         specification={"state": {}})[0]["id"]



@tagged("post_install", "-at_install")
class TestRpcAttacks(RpcAttackCase):
    # -- 1. a dossier's login --------------------------------------------------

    def test_01_a_dossier_cannot_be_handed_a_login_by_write(self):
        before = self._written()
        for user in (self.b1, self.manager):
            self.login_as(user)
            for dossier in (self.dossier_a, self.dossier_cx):
                with self.subTest(user=user.login, dossier=dossier.code):
                    self.assertRefused(ACCESS_ERROR, ACCESS_DOOR, "octopus.dossier", "write",
                                       dossier.ids, {"client_user_id": self.login_y.id})
                    # The form's own save goes through the same write.
                    self.assertRefused(ACCESS_ERROR, ACCESS_DOOR, "octopus.dossier", "web_save",
                                       dossier.ids, {"client_user_id": self.login_y.id},
                                       specification={})
            # The methods that do write logins are not reachable over RPC.
            self.assertRefused(ACCESS_ERROR, "Private methods", "octopus.dossier",
                               "_grant_access", self.dossier_a.ids, self.bank_module.ids,
                               "bureau@attaque.example.be", "y@client-y.example.be",
                               self.login_y.id)
        self.assertEqual(self._written(), before)
        self.assertFalse(self.dossier_a.client_user_id)
        self.assertEqual(self.dossier_a.access_category, "A")
        self.assertEqual(self.dossier_cx.client_user_id, self.login_x)

    # -- 2. the activation ledger ----------------------------------------------

    def test_02_no_activation_is_created_or_changed_by_rpc(self):
        tariffs = self.dms_module.tariff_ids
        backdated = {"dossier_id": self.dossier_cx.id, "module_id": self.dms_module.id,
                     "date_start": "2021-01-01", "annual_price": 0.0,
                     "activated_by_id": self.b1_colleague.id}
        running = self.dossier_cx.activation_ids.filtered(
            lambda activation: activation.module_id == self.bank_module)
        before = self._written()
        for user in (self.b1, self.manager):
            self.login_as(user)
            with self.subTest(user=user.login):
                self.assertRefused(ACCESS_ERROR, RULE_REFUSAL, "octopus.module.activation",
                                   "create", [backdated])
                # The ledger's own guard may answer first: either way, a refusal.
                self.assertRefused((ACCESS_ERROR, USER_ERROR), RULE_REFUSAL + "|append-only",
                                   "octopus.module.activation", "write", running.ids,
                                   {"annual_price": 0.0})
                # Ending a billed module is the one change the ledger takes, and
                # only the End Modules dialog may make it.
                self.assertRefused(ACCESS_ERROR, RULE_REFUSAL, "octopus.module.activation",
                                   "write", running.ids, {"date_end": "2021-12-31"})
                self.assertRefused((ACCESS_ERROR, USER_ERROR), RULE_REFUSAL + "|append-only",
                                   "octopus.module.activation", "unlink", running.ids)
                # Through the dossier's one2many: the same ledger, another door.
                for command in ([0, 0, backdated], [1, running.id, {"annual_price": 0.0}],
                                [2, running.id]):
                    self.assertRefused((ACCESS_ERROR, USER_ERROR),
                                       ACCESS_DOOR + "|" + RULE_REFUSAL, "octopus.dossier",
                                       "write", self.dossier_cx.ids,
                                       {"activation_ids": [command]})
                # The D column is computed from the ledger, not typed.
                self.assertRefused(ACCESS_ERROR, ACCESS_DOOR, "octopus.dossier", "write",
                                   self.dossier_a.ids,
                                   {"active_module_ids": [[6, 0, self.bank_module.ids]]})
        # A cheap tariff would make the next activations cheap: tariffs are the
        # configuration group's, not the B users'.
        self.login_as(self.b1)
        self.assertRefused(ACCESS_ERROR, RULE_REFUSAL, "octopus.module.tariff", "create",
                           [{"module_id": self.dms_module.id, "date_from": "2021-01-01",
                             "annual_price": 0.0}])
        self.assertEqual(self._written(), before)
        self.assertNotIn(self.dms_module, self.dossier_cx.activation_ids.module_id)
        self.assertEqual(self.dms_module.tariff_ids, tariffs)

    # -- 3. the category -------------------------------------------------------

    def test_03_the_category_is_not_written_by_rpc(self):
        before = self._written()
        for user in (self.b1, self.manager):
            self.login_as(user)
            with self.subTest(user=user.login):
                self.assertRefused(ACCESS_ERROR, ACCESS_DOOR, "octopus.dossier", "write",
                                   self.dossier_cx.ids, {"access_category": "A"})
                self.assertRefused(ACCESS_ERROR, ACCESS_DOOR, "octopus.dossier", "create",
                                   [{"code": "ATK-NEW", "name": "New C",
                                     "partner_id": self.client_x.id,
                                     "access_category": "C"}])
        self.assertEqual(self._written(), before)
        self.assertEqual(self.dossier_cx.access_category, "C")
        self.assertFalse(self.env["octopus.dossier"].search([("code", "=", "ATK-NEW")]))

    # -- 4. the logins ---------------------------------------------------------

    def test_04_logins_are_read_only_for_office_users(self):
        attempts = [
            (self.login_y, {"consent_date": "2020-01-01 00:00:00"}),
            (self.revoked_login, {"state": "active"}),
            (self.login_x, {"login": "K99999999"}),
            (self.login_x, {"user_id": self.portal_y.id}),
            (self.login_x, {"email": "attacker@evil.example.com"}),
        ]
        before = self._written()
        for user in (self.b1, self.manager):
            self.login_as(user)
            for login, values in attempts:
                with self.subTest(user=user.login, values=values):
                    self.assertRefused(ACCESS_ERROR, RULE_REFUSAL, "octopus.client.user",
                                       "write", login.ids, values)
            with self.subTest(user=user.login, operation="create/unlink"):
                self.assertRefused(ACCESS_ERROR, RULE_REFUSAL, "octopus.client.user", "create",
                                   [{"kind": "K", "partner_id": self.client_x.id}])
                self.assertRefused(ACCESS_ERROR, RULE_REFUSAL, "octopus.client.user", "unlink",
                                   self.login_x.ids)
            # The dossier shows the login's e-mail as a related field: writing it
            # there must not reach the login either (refused or ignored).
            self._rpc_body("/web/dataset/call_kw", "octopus.dossier", "write",
                           [self.dossier_cx.ids, {"client_email": "attacker@evil.example.com"}],
                           {})
        self.assertEqual(self._written(), before)
        self.assertFalse(self.login_y.consent_date)
        self.assertEqual(self.revoked_login.state, "revoked")
        self.assertEqual((self.login_x.user_id, self.login_x.email),
                         (self.portal_x, "k-login-x@client-x.example.be"))

    # -- 5. the office ---------------------------------------------------------

    def test_05_nothing_moves_into_another_office(self):
        total_other = self._invoice_total(self.other_office)
        total_own = self._invoice_total(self.office)
        before = self._written()
        self.login_as(self.b1)
        move = {"company_id": self.other_office.id}
        self.assertRefused((USER_ERROR, ACCESS_ERROR), "cannot move to another office",
                           "octopus.dossier", "write", self.dossier_cx.ids, move)
        self.assertRefused((USER_ERROR, ACCESS_ERROR),
                           "cannot move to another office|" + RULE_REFUSAL,
                           "octopus.client.user", "write", self.login_x.ids, move)
        new_dossier = {"code": "ATK-MOVED", "name": "Moved", "partner_id": self.client_x.id,
                       "company_id": self.other_office.id}
        self.assertRefused(ACCESS_ERROR, "You do not work for the office", "octopus.dossier",
                           "create", [new_dossier])
        # The same, claiming the other office as the current one.
        self.assertRefused(ACCESS_ERROR, "unauthorized or invalid companies|do not work for",
                           "octopus.dossier", "create", [new_dossier],
                           context={"allowed_company_ids": [self.other_office.id]})
        # The office's own billing settings belong to its administrator.
        self.assertRefused(ACCESS_ERROR, RULE_REFUSAL, "res.company", "write",
                           self.office.ids,
                           {"octopus_packet_deal_fee": 0.0, "octopus_billing_month": 7})
        self.assertEqual(self._written(), before)
        self.assertEqual(self.dossier_cx.company_id, self.office)
        self.assertEqual(self.dossier_cx.activation_ids.company_id, self.office)
        self.assertEqual(self._invoice_total(self.other_office), total_other)
        self.assertEqual(self._invoice_total(self.office), total_own)

    # -- 6. Odoo's list import -------------------------------------------------

    def assertLoadRefused(self, model, fields, rows):
        """``load`` answers with error messages and no ids (or refuses outright)."""
        body = self._rpc_body("/web/dataset/call_kw", model, "load", [fields, rows], {})
        if "error" in body:
            self.assertIn(body["error"]["data"]["name"], (ACCESS_ERROR, USER_ERROR))
            return body["error"]["data"]["message"]
        result = body["result"]
        self.assertFalse(result["ids"], result)
        errors = [m for m in result["messages"] if m["type"] == "error"]
        self.assertTrue(errors, result)
        return errors[0]["message"]

    def test_06_list_import_cannot_set_access(self):
        partner = str(self.client_x.id)
        attempts = [
            (["code", "name", "partner_id/.id", "client_user_id/.id"],
             [["ATK-L1", "Loaded", partner, str(self.login_y.id)]]),
            (["code", "name", "partner_id/.id", "client_user_id"],
             [["ATK-L2", "Loaded", partner, self.login_y.login]]),
            (["code", "name", "partner_id/.id", "access_category"],
             [["ATK-L3", "Loaded", partner, "C"]]),
            # An existing dossier, named by its database id.
            ([".id", "client_user_id/.id"], [[str(self.dossier_a.id), str(self.login_y.id)]]),
            ([".id", "access_category"], [[str(self.dossier_cx.id), "A"]]),
        ]
        before = self._written()
        for user in (self.b1, self.manager):
            self.login_as(user)
            for fields, rows in attempts:
                with self.subTest(user=user.login, fields=fields):
                    message = self.assertLoadRefused("octopus.dossier", fields, rows)
                    self.assertRegex(message, ACCESS_DOOR)
            with self.subTest(user=user.login, model="octopus.client.user"):
                message = self.assertLoadRefused(
                    "octopus.client.user", ["kind", "partner_id/.id", "company_id/.id"],
                    [["K", partner, str(self.office.id)]])
                self.assertRegex(message, RULE_REFUSAL)
        self.assertEqual(self._written(), before)
        self.assertFalse(self.env["octopus.dossier"].search([("code", "like", "ATK-L")]))

    # -- 7. somebody else's dialog -----------------------------------------------

    def test_07_dialogs_and_workbooks_belong_to_their_creator(self):
        self.login_as(self.b1)
        grant_id = self._grant(self.dossier_a, client_email="secret@client-x.example.be")
        export_id = self.call("octopus.dossier.export", "create",
                              [{"company_id": self.office.id}])[0]
        self.button("octopus.dossier.export", "action_export", export_id)
        # The creator downloads its workbook as the dialog's link does, under its
        # name and type: the refusals below mean something.
        download = self.url_open(
            f"/web/content?model=octopus.dossier.export&id={export_id}&field=xlsx_file"
            "&filename_field=xlsx_filename&download=true")
        self.assertEqual(download.status_code, 200)
        self.assertTrue(download.content.startswith(b"PK"), "an .xlsx is a zip archive")
        self.assertEqual(download.headers["Content-Type"], XLSX_MIMETYPE)
        self.assertIn("octopus_", download.headers["Content-Disposition"])
        self.assertIn(".xlsx", download.headers["Content-Disposition"])

        Grant = self.env["octopus.dossier.grant"]
        for intruder in (self.b1_colleague, self.b2):
            self.login_as(intruder)
            with self.subTest(intruder=intruder.login):
                self.assertRefused(ACCESS_ERROR, RULE_REFUSAL, "octopus.dossier.grant", "read",
                                   [grant_id], ["client_email", "office_email"])
                self.assertEqual(self.call("octopus.dossier.grant", "search_read",
                                           [("id", "=", grant_id)], ["id"]), [])
                self.assertRefused(ACCESS_ERROR, RULE_REFUSAL, "octopus.dossier.grant", "write",
                                   [grant_id], {"client_email": "intruder@evil.example.com"})
                self.assertButtonRefused(ACCESS_ERROR, RULE_REFUSAL, "octopus.dossier.grant",
                                         "action_confirm", grant_id,
                                         {"octopus_password": PASSWORDS[intruder.login]})
                self.assertRefused(ACCESS_ERROR, RULE_REFUSAL, "octopus.dossier.export", "read",
                                   [export_id], ["xlsx_filename"])
                stolen = self.url_open(
                    f"/web/content/octopus.dossier.export/{export_id}/xlsx_file")
                self.assertIn(stolen.status_code, (403, 404))
                self.assertFalse(stolen.content.startswith(b"PK"))
        self.assertEqual(Grant.browse(grant_id).client_email, "secret@client-x.example.be")
        self.assertFalse(self.dossier_a.client_user_id)

        # A workbook of an office the user does not work for is not built at all.
        self.login_as(self.b1)
        foreign_id = self.call("octopus.dossier.export", "create",
                               [{"company_id": self.other_office.id}])[0]
        self.assertButtonRefused((ACCESS_ERROR, USER_ERROR),
                                 "unauthorized or invalid companies|" + RULE_REFUSAL,
                                 "octopus.dossier.export", "action_export", foreign_id)
        self.assertFalse(self.env["octopus.dossier.export"].browse(foreign_id).xlsx_file)

    # -- 8. the typed password ---------------------------------------------------

    def _grant_row_text(self, grant_id):
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT row_to_json(g)::text FROM octopus_dossier_grant g WHERE id = %s",
            [grant_id])
        return self.env.cr.fetchone()[0]

    def test_08_the_typed_password_is_never_stored(self):
        # needs_password is the import's flag "this file asks for a password".
        self.env.cr.execute(
            """SELECT table_name, column_name FROM information_schema.columns
                WHERE table_name IN ('octopus_dossier_grant', 'octopus_dossier_change',
                                     'octopus_dossier_import')
                  AND column_name ILIKE %s AND column_name != 'needs_password'""",
            ["%passw%"])
        self.assertEqual(self.env.cr.fetchall(), [], "no column may hold a password")

        right, wrong = PASSWORDS["atk_b1"], "not-the-Password-9"
        self.login_as(self.b1)
        grant_id = self._grant(self.dossier_a, state="password", password=wrong)
        self.assertNotIn(wrong, self._grant_row_text(grant_id))
        self.call("octopus.dossier.grant", "web_save", [grant_id], {"password": right},
                  specification={})
        self.assertNotIn(right, self._grant_row_text(grant_id))
        # Read back in a later request: the server kept nothing.
        read = self.call("octopus.dossier.grant", "web_read", [grant_id],
                         specification={"password": {}})
        self.assertFalse(read[0]["password"])

        # The saved field is no way in: only the button's context carries it.
        self.assertButtonRefused(USER_ERROR, "Enter your Odoo password",
                                 "octopus.dossier.grant", "action_confirm", grant_id)
        self.assertButtonRefused(USER_ERROR, "Wrong password", "octopus.dossier.grant",
                                 "action_confirm", grant_id, {"octopus_password": wrong})
        self.assertEqual(self.dossier_a.access_category, "A")
        action = self.button("octopus.dossier.grant", "action_confirm", grant_id,
                             {"octopus_password": right})
        self.assertEqual(self.dossier_a.access_category, "C")
        self.assertNotIn(right, self._grant_row_text(grant_id))
        # The next screen is not handed the password either.
        self.assertNotIn(right, json.dumps(action))

    # -- 9. guessing the password ------------------------------------------------

    def test_09_wrong_passwords_put_the_dialog_on_cooldown(self):
        # Odoo creates a database with a cooldown after 10 failures; the office
        # may lower it, and the dialog follows the setting of the login page.
        self.env["ir.config_parameter"].set_param("base.login_cooldown_after", 5)
        self.login_as(self.b1)
        grant_id = self._grant(self.dossier_a, state="password")
        before = self._written()
        with self.assertLogs(DOSSIER_LOGGER, level="WARNING") as logs:
            for attempt in range(5):
                self.assertButtonRefused(USER_ERROR, "Wrong password", "octopus.dossier.grant",
                                         "action_confirm", grant_id,
                                         {"octopus_password": f"guess-{attempt}"})
            self.assertButtonRefused(USER_ERROR, "Too many wrong passwords",
                                     "octopus.dossier.grant", "action_confirm", grant_id,
                                     {"octopus_password": PASSWORDS["atk_b1"]})
        self.assertEqual(self._written(), before)
        self.assertEqual(self.dossier_a.access_category, "A")
        self.assertEqual(len(logs.output), 6, logs.output)
        for line in logs.output[:5]:
            self.assertIn("wrong password of user atk_b1", line)
            self.assertIn("[ATK-A1] Dossier ATK-A1", line)
        self.assertIn("password refused during the login cooldown of user atk_b1",
                      logs.output[5])
        self.assertIn("[ATK-A1] Dossier ATK-A1", logs.output[5])
        # Only the cooldown refused the right password.
        self._forget_login_failures()
        self.button("octopus.dossier.grant", "action_confirm", grant_id,
                    {"octopus_password": PASSWORDS["atk_b1"]})
        self.assertEqual(self.dossier_a.access_category, "C")

    # -- 10. office users on the portal ------------------------------------------

    def test_10_office_users_are_not_clients_on_the_portal(self):
        before = self._written()
        for user in (self.plain, self.b1):
            self.login_as(user)
            with self.subTest(user=user.login):
                self.assertEqual(self.url_open("/my/dossiers").status_code, 404)
                self.assertEqual(
                    self.url_open(f"/my/dossiers/{self.dossier_cy.id}").status_code, 404)
                consent = self.url_open("/my/dossiers/consent",
                                        data={"csrf_token": http.Request.csrf_token(self)})
                self.assertEqual(consent.status_code, 404)
                counters = self.make_jsonrpc_request(
                    "/my/counters", {"counters": ["octopus_dossier_count"]})
                self.assertEqual(counters["octopus_dossier_count"], 0)
        self.assertEqual(self._written(), before)
        self.assertFalse(self.login_y.consent_date)
        # The same POST from the client records its consent: the 404s above
        # are the office users' refusal, not a broken form.
        self.login_as(self.portal_y)
        self.url_open("/my/dossiers/consent", data={"csrf_token": http.Request.csrf_token(self)})
        self.env.invalidate_all()
        self.assertTrue(self.login_y.consent_date)
        self.assertEqual(self.login_y.consent_user_id, self.portal_y)

    # -- 11. a portal client -----------------------------------------------------

    def test_11_portal_client_sees_its_own_dossiers_without_prices(self):
        activations = self.dossier_cx.activation_ids
        self.login_as(self.portal_x)
        hidden = [
            ("octopus.module.activation", activations.ids,
             ["annual_price", "next_invoice_amount", "activated_by_id", "ended_by_id"]),
            ("octopus.client.user", self.login_x.ids, ["office_email", "consent_user_id"]),
            ("octopus.module", self.bank_module.ids, ["current_price", "tariff_ids"]),
        ]
        for model, ids, fields in hidden:
            for field in fields:
                with self.subTest(model=model, field=field):
                    self.assertRefused(ACCESS_ERROR, FIELD_REFUSAL, model, "read", ids, [field])
        # Nor by asking for every field, searching or grouping on a price.
        everything = self.call("octopus.module.activation", "read", activations.ids)
        self.assertEqual(len(everything), len(activations))
        self.assertFalse({"annual_price", "next_invoice_amount", "activated_by_id"}
                         & set(everything[0]))
        self.assertRefused(ACCESS_ERROR, FIELD_REFUSAL, "octopus.module.activation",
                           "search_count", [("annual_price", ">", 40)])
        self.assertRefused(ACCESS_ERROR, FIELD_REFUSAL, "octopus.module.activation",
                           "read_group", [], ["annual_price:sum"], [])

        listing = self.url_open("/my/dossiers")
        self.assertEqual(listing.status_code, 200)
        self.assertIn("ATK-CX", listing.text)
        for other in ("ATK-CY", "ATK-A1", "ATK-F2"):
            self.assertNotIn(other, listing.text)
        self.assertEqual(self.url_open(f"/my/dossiers/{self.dossier_cx.id}").status_code, 200)
        for other in (self.dossier_cy, self.dossier_a, self.dossier_f2):
            with self.subTest(dossier=other.code):
                self.assertEqual(self.url_open(f"/my/dossiers/{other.id}").status_code, 404)

    # -- 12. this addon's import ---------------------------------------------------

    def _import(self, rows, company=None):
        """An import created and previewed over RPC; its id and preview."""
        import_id = self.call("octopus.dossier.import", "create", [{
            "file": xlsx_base64([HEADER, *rows]), "filename": "attack.xlsx",
            "company_id": (company or self.office).id,
        }])[0]
        self.button("octopus.dossier.import", "action_preview", import_id)
        preview = self.call("octopus.dossier.import", "read", [import_id],
                            ["problem_text", "needs_password", "state"])[0]
        return import_id, preview

    def test_12_import_cannot_hand_out_logins(self):
        self.login_as(self.b1)
        password = {"octopus_password": PASSWORDS["atk_b1"]}
        attacks = {
            # Another client's login of the office takes it as an additional
            # dossier (issue 19); another office's login never does.
            "new dossier of X on another office's login": [
                "ATK-I1", "Imported", "Client Attaque X", "", "internal", self.login_z.login,
                "", ""],
            "X's A dossier on another office's login": [
                "ATK-A1", "Dossier ATK-A1", "Client Attaque X", "", "internal",
                self.login_z.login, "", ""],
            "revoked login": [
                "ATK-I2", "Imported", "Client Attaque X", "", "internal",
                self.revoked_login.login, "", ""],
        }
        before = self._written()
        for name, row in attacks.items():
            with self.subTest(attack=name):
                import_id, preview = self._import([row])
                self.assertRegex(preview["problem_text"] or "", r'Row 2, columns? "login"')
                self.assertButtonRefused(USER_ERROR, "Nothing was imported",
                                         "octopus.dossier.import", "action_import", import_id,
                                         password)
        self.assertEqual(self._written(), before)

        # An import into an office the user does not work for.
        new_row = ["ATK-I3", "Imported", "Client Attaque Z", "", "internal", "K55500001",
                   "z@client-z.example.be", ""]
        body = self._rpc_body("/web/dataset/call_kw", "octopus.dossier.import", "create", [[{
            "file": xlsx_base64([HEADER, new_row]), "filename": "attack.xlsx",
            "company_id": self.other_office.id}]], {})
        # The dialog itself may name any office; what it does there is refused.
        foreign_id = body["result"][0]
        for method in ("action_preview", "action_import"):
            self.assertButtonRefused((ACCESS_ERROR, USER_ERROR),
                                     "unauthorized or invalid companies|do not work for",
                                     "octopus.dossier.import", method, foreign_id, password)
        self.assertEqual(self._written(), before)

        # A new K login needs the password typed in the dialog.
        import_id, preview = self._import([new_row])
        self.assertFalse(preview["problem_text"], preview["problem_text"])
        self.assertTrue(preview["needs_password"])
        self.assertButtonRefused(USER_ERROR, "Enter your Odoo password",
                                 "octopus.dossier.import", "action_import", import_id)
        self.assertEqual(self._written(), before)
        self.button("octopus.dossier.import", "action_import", import_id, password)
        dossier = self.env["octopus.dossier"].search([("code", "=", "ATK-I3")])
        self.assertEqual((dossier.company_id, dossier.access_category,
                          dossier.client_user_id.login),
                         (self.office, "C", "K55500001"))
        self.assertEqual(dossier.activation_ids.module_id, self.portal_module)
        self.assertEqual(dossier.active_module_ids, self.portal_module)

    # -- 13. e-mail addresses ------------------------------------------------------

    def test_13_mangled_email_addresses_are_refused(self):
        self.login_as(self.b1)
        before = self._written()
        for email in ("<script>alert(1)</script>@example.com",
                      "a" * 65 + "@example.com"):
            with self.subTest(email=email):
                grant_id = self._grant(self.dossier_a, state="client_email", client_email=email)
                self.assertButtonRefused(USER_ERROR, "Client e-mail is missing or not a valid",
                                         "octopus.dossier.grant", "action_next", grant_id)
                self.call("octopus.dossier.grant", "write", [grant_id], {"state": "password"})
                self.assertButtonRefused(USER_ERROR, "Client e-mail is missing or not a valid",
                                         "octopus.dossier.grant", "action_confirm", grant_id,
                                         {"octopus_password": PASSWORDS["atk_b1"]})
        self.assertEqual(self._written(), before)
        # Sixty-four characters before the @ are still an address.
        grant_id = self._grant(self.dossier_a, state="client_email",
                               client_email="a" * 64 + "@example.com")
        self.button("octopus.dossier.grant", "action_next", grant_id)
        self.assertEqual(self.env["octopus.dossier.grant"].browse(grant_id).state, "modules")

    # -- beyond the brief --------------------------------------------------------

    def test_14_archiving_a_c_dossier_keeps_it_on_the_invoice(self):
        """Archiving is a plain write: a C dossier whose client keeps its login
        and its running modules must not drop off the office's next invoice."""
        total = self._invoice_total(self.office)
        before = self._written()
        self.login_as(self.b1)
        self.assertRefused(USER_ERROR, "has client access: revoke it", "octopus.dossier",
                           "action_archive", self.dossier_cx.ids)
        self.assertEqual(self._written(), before)
        self.assertEqual(self._invoice_total(self.office), total)

    def test_15_a_dialog_does_not_read_another_offices_records(self):
        """The grant dialog fills the client e-mail in from its login or dossiers;
        pointed at records of another office, it must not copy what the user
        cannot read there."""
        self.login_as(self.b2)
        # What the dialog must not tell: office 2 cannot read either directly.
        self.assertRefused(ACCESS_ERROR, RULE_REFUSAL, "octopus.client.user", "read",
                           self.login_x.ids, ["email"])
        self.assertRefused(ACCESS_ERROR, RULE_REFUSAL, "res.partner", "read",
                           self.client_x.ids, ["email"])
        for field, value in (("client_user_id", self.login_x.id),
                             ("dossier_ids", [[6, 0, self.dossier_cx.ids]])):
            with self.subTest(field=field):
                self.assertRefused(ACCESS_ERROR, RULE_REFUSAL, "octopus.dossier.grant",
                                   "web_save", [], {field: value},
                                   specification={"client_email": {}})
