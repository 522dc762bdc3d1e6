from datetime import date

from freezegun import freeze_time
from lxml import html

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from .common import load_language
from .invoice_common import InvoiceCase
from .test_attacks_rpc import PASSWORDS, USER_ERROR, VALIDATION_ERROR, RpcAttackCase

ACTIONS = {
    "activate": "octopus_titulaires.octopus_dossier_activate_action",
    "end": "octopus_titulaires.octopus_dossier_end_action",
    "revoke": "octopus_titulaires.octopus_dossier_revoke_action",
}
TITLES = {
    "en_US": ("Activate Modules", "End Modules", "Revoke Client Access"),
    "fr_BE": ("Activer des modules", "Arrêter des modules", "Révoquer l'accès client"),
    "nl_BE": ("Modules activeren", "Modules beëindigen", "Klanttoegang intrekken"),
}


@tagged("post_install", "-at_install")
@freeze_time("2026-11-28")
class TestBulkChanges(InvoiceCase):
    """Dossiers selected in the list, changed in one dialog from the Action
    menu: one recap for all, one password, each dossier's chatter; a selection
    the model refuses for one dossier is refused whole, naming it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dms_module = cls.env.ref("octopus_titulaires.module_dms")
        cls.c_dossiers = cls.c_dossier | cls._dossier(
            "C300", login=cls._login("K")) | cls._dossier("C400", login=cls._login("K"))
        for dossier in cls.c_dossiers:
            cls._activate(dossier, cls.portal_module, date(2026, 1, 1))
            cls._activate(dossier, cls.scan, date(2026, 1, 1))

    def _from_list(self, operation, dossiers, modules=(), user=None):
        """The dialog as the list's Action menu opens it: the action's context
        with the selected dossiers."""
        action = self.env["ir.actions.act_window"].with_user(user or self.b_user)._for_xml_id(
            ACTIONS[operation])
        self.assertEqual(action["context"], f"{{'default_operation': '{operation}'}}")
        Change = self.env["octopus.dossier.change"].with_user(user or self.b_user).with_context(
            active_model="octopus.dossier", active_ids=dossiers.ids,
            default_operation=operation)
        with Form(Change) as form:
            for module in modules:
                form.module_ids.add(module)
        return form.record

    def _state(self, dossiers):
        self.env.invalidate_all()
        return (self._counts(), dossiers._access_states(),
                {dossier.id: len(dossier.message_ids) for dossier in dossiers})

    def _messages(self, dossier):
        return dossier.message_ids.filtered("body").mapped("body")

    def test_the_list_offers_each_operation_with_its_own_title(self):
        for lang in ("fr_BE", "nl_BE"):
            load_language(self.env, lang, ("octopus_titulaires",))
        for operation, xmlid in ACTIONS.items():
            action = self.env.ref(xmlid)
            self.assertEqual((action.binding_model_id.model, action.binding_view_types),
                             ("octopus.dossier", "list"))
        for lang, titles in TITLES.items():
            with self.subTest(lang=lang):
                dossier = self.c_dossier.with_user(self.b_user).with_context(lang=lang)
                opened = [dossier.action_activate_modules(), dossier.action_end_modules(),
                          dossier.action_revoke_access()]
                self.assertEqual(tuple(action["name"] for action in opened), titles)
                self.assertEqual(opened[1]["context"]["default_operation"], "end")
                # Next and Back keep the operation's title.
                for operation, title in zip(ACTIONS, titles):
                    wizard = self.env["octopus.dossier.change"].with_user(
                        self.b_user).with_context(lang=lang).create(
                        {"dossier_ids": [(6, 0, self.c_dossier.ids)], "operation": operation,
                         "module_ids": [(6, 0, self.scan.ids)]})
                    self.assertEqual(wizard.action_next()["name"], title)

    def test_bulk_end_of_three_dossiers_one_recap_one_password(self):
        wizard = self._from_list("end", self.c_dossiers, [self.scan])
        self.assertEqual(wizard.dossier_ids, self.c_dossiers)
        wizard.action_next()
        recap = " ".join(html.fromstring(wizard.recap).text_content().split())
        for code in ("C100", "C300", "C400"):
            self.assertIn(f"[{code}] Dossier {code}", recap)
        self.assertEqual(recap.count("Scan"), 3, "one line per dossier")
        self.assertIn("loses 1,095.00", recap)
        self._confirm_with_password(wizard)
        for dossier in self.c_dossiers:
            scan = dossier.activation_ids.filtered(lambda a: a.module_id == self.scan)
            self.assertEqual(scan.date_end, date(2026, 11, 28))
            self.assertEqual(dossier.active_module_ids, self.portal_module)
            self.assertIn("Modules ended on 11/28/2026: Scan.", self._messages(dossier)[0])

    def test_bulk_activate_and_revoke(self):
        two = self.c_dossiers[1:]
        wizard = self._from_list("activate", two, [self.dms_module])
        wizard.action_next()
        self.assertIn("None: the change is logged", wizard.recap)
        queued = self.env["mail.mail"].search_count([])
        self._confirm_with_password(wizard)
        # The grant's mails say what a grant added; Activate sends none, as its
        # recap says: each chatter names what this change added, nothing more.
        self.assertEqual(self.env["mail.mail"].search_count([]), queued)
        for dossier in two:
            self.assertIn(self.dms_module, dossier.active_module_ids)
            self.assertEqual(self._messages(dossier)[0], "<p>Modules activated: Document Storage.</p>")
        logins = two.client_user_id
        wizard = self._from_list("revoke", two)
        wizard.action_next()
        self._confirm_with_password(wizard)
        for dossier in two:
            self.assertEqual((dossier.access_category, dossier.active_module_ids.ids), ("A", []))
            self.assertIn("Client access revoked", self._messages(dossier)[0])
        self.assertEqual(set(logins.mapped("state")), {"revoked"})
        self.assertEqual(self.c_dossier.access_category, "C", "the dossier not selected")

    def test_a_selection_with_an_a_dossier_is_refused_whole(self):
        selection = self.c_dossiers | self.a_dossier
        for operation, modules, refusal in (
            ("activate", [self.dms_module], r"\[A100\] Dossier A100 is in category A"),
            ("end", [self.scan], r"\[A100\] Dossier A100 has no running module Scan"),
            ("revoke", [], r"\[A100\] Dossier A100 is in category A"),
        ):
            with self.subTest(operation=operation):
                before = self._state(selection)
                wizard = self._from_list(operation, selection, modules)
                with self.assertRefused(UserError, refusal):
                    wizard.action_next()
                # A Confirm sent without the screens checks them again.
                wizard.state = "password"
                with self.assertRefused(UserError, refusal):
                    self._confirm_with_password(wizard)
                self.assertEqual(self._state(selection), before, "nothing written")

    def test_an_archived_dossier_in_the_selection_is_refused_whole(self):
        # A dossier with client access is never archived: an archived one is A.
        archived = self._dossier("A200")
        archived.active = False
        selection = self.c_dossiers | archived
        before = self._state(selection)
        for operation, modules in (("activate", [self.dms_module]), ("revoke", [])):
            with self.subTest(operation=operation):
                wizard = self._from_list(operation, selection, modules)
                self.assertIn(archived, wizard.dossier_ids, "listed, to be refused by name")
                wizard.state = "password"
                with self.assertRefused(UserError, r"\[A200\] Dossier A200 is in category A"):
                    self._confirm_with_password(wizard)
        self.assertEqual(self._state(selection), before)
        self.assertNotIn(self.dms_module, self.c_dossier.active_module_ids)

    def test_a_dossier_of_another_office_in_the_selection_is_refused_whole(self):
        other = self._dossier("F200", login=self._login("K", company=self.other_office),
                              company=self.other_office)
        self._activate(other, self.scan, date(2026, 1, 1))
        selection = self.c_dossier | other
        before = self._state(selection)
        # An office user does not even see it.
        with self.assertRaises(AccessError):
            self._from_list("end", selection, [self.scan])
        # One of both offices is told to change them office by office.
        both = new_test_user(
            self.env, login="both_offices", password="both-Secret-1",
            groups="octopus_titulaires.group_titulaire", company_id=self.office.id,
            company_ids=[(6, 0, (self.office | self.other_office).ids)])
        wizard = self._from_list(
            "end", selection, [self.scan],
            user=both.with_context(allowed_company_ids=(self.office | self.other_office).ids))
        wizard = wizard.with_context(allowed_company_ids=(self.office | self.other_office).ids)
        wizard.action_next()
        with self.assertRefused(UserError, r"belong to several offices"):
            self._confirm_with_password(wizard, "both-Secret-1")
        self.assertEqual(self._state(selection), before)


@tagged("post_install", "-at_install")
class TestRpcBulkChanges(RpcAttackCase):
    """A bulk change as a script sends it: the change dialog created and
    confirmed over JSON-RPC by a B user, with a selection the model must
    refuse whole; re-read as superuser, nothing was written."""

    def _change(self, operation, dossiers, modules=None):
        return self.call("octopus.dossier.change", "web_save", [], {
            "dossier_ids": [[6, 0, dossiers.ids]], "operation": operation,
            "module_ids": [[6, 0, modules.ids if modules else []]], "state": "password",
        }, specification={"state": {}})[0]["id"]

    def test_a_dossier_out_of_reach_refuses_the_whole_selection(self):
        before = self._written()
        self.login_as(self.b1)
        dialogs = self.env["octopus.dossier.change"].sudo().search_count([])
        selection = [[6, 0, (self.dossier_cx | self.dossier_f2).ids]]
        for operation, modules in (("end", self.bank_module), ("revoke", None),
                                   ("activate", self.dms_module)):
            with self.subTest(operation=operation):
                # The dialog with the other office's dossier is refused whole,
                # not saved without it.
                self.assertRefused(
                    VALIDATION_ERROR,
                    rf"You may not change these dossiers .*: #{self.dossier_f2.id}\.",
                    "octopus.dossier.change", "web_save", [], {
                        "dossier_ids": selection, "operation": operation,
                        "module_ids": [[6, 0, modules.ids if modules else []]],
                        "state": "password"}, specification={"state": {}})
                # Nor may a saved dialog of the user's own dossier take it later.
                wizard_id = self._change(operation, self.dossier_cx, modules)
                self.assertRefused(
                    VALIDATION_ERROR, rf"You may not change these dossiers .*: #{self.dossier_f2.id}\.",
                    "octopus.dossier.change", "write", [wizard_id], {"dossier_ids": selection})
        self.assertEqual(self._written(), before)
        self.assertEqual(self.env["octopus.dossier.change"].sudo().search_count([]), dialogs + 3)
        self.assertEqual(self.dossier_cx.access_category, "C")
        self.assertIn(self.bank_module, self.dossier_cx.active_module_ids)
        self.assertIn(self.bank_module, self.dossier_f2.active_module_ids)
        self.assertFalse([body for body in self.dossier_f2.message_ids.mapped("body")
                          if "ended" in body or "revoked" in body])

    def test_an_a_dossier_refuses_the_whole_selection(self):
        before = self._written()
        messages = self.env["mail.message"].search_count([("model", "=", "octopus.dossier")])
        self.login_as(self.b1)
        for operation, modules, refusal in (
            ("end", self.bank_module, r"ATK-A1.*no running module"),
            ("revoke", None, r"ATK-A1.*category A"),
            ("activate", self.dms_module, r"ATK-A1.*category A"),
        ):
            with self.subTest(operation=operation):
                wizard_id = self._change(operation, self.dossier_cx | self.dossier_a, modules)
                self.assertButtonRefused(USER_ERROR, refusal, "octopus.dossier.change",
                                         "action_confirm", wizard_id,
                                         {"octopus_password": PASSWORDS["atk_b1"]})
        self.assertEqual(self._written(), before)
        self.assertEqual(
            self.env["mail.message"].search_count([("model", "=", "octopus.dossier")]), messages)
        # The same selection without the A dossier is made, both dossiers logged.
        wizard_id = self._change("revoke", self.dossier_cx | self.dossier_cy)
        self.button("octopus.dossier.change", "action_confirm", wizard_id,
                    {"octopus_password": PASSWORDS["atk_b1"]})
        for dossier in self.dossier_cx | self.dossier_cy:
            self.assertEqual(dossier.access_category, "A")
            self.assertIn("Client access revoked", dossier.message_ids.filtered("body")[0].body)
