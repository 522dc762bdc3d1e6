import base64
from datetime import date

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import B_USER_PASSWORD, OctopusCase
from .test_dossier_import import HEADER, xlsx


@tagged("post_install", "-at_install")
@freeze_time("2026-06-15")
class TestAccessChanges(OctopusCase):
    """Activate, end and revoke on a C dossier, each through the change dialog
    with the password step, each logged in the chatter and the ledger."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dms_module = cls.env.ref("octopus_titulaires.module_dms")

    def setUp(self):
        super().setUp()
        self.login = self._login("K")
        self.dossier = self._dossier("H001", login=self.login)
        self.Activation.create(
            [
                {"dossier_id": self.dossier.id, "module_id": module.id,
                 "date_start": date(2026, 1, 1)}
                for module in (self.portal_module, self.bank_module)
            ]
        )

    def _change(self, operation, modules=None, dossiers=None, password=B_USER_PASSWORD):
        dossiers = dossiers or self.dossier
        Change = self.env["octopus.dossier.change"].with_user(self.b_user).with_context(
            active_model="octopus.dossier", active_ids=dossiers.ids, default_operation=operation
        )
        with Form(Change) as form:
            for module in modules or ():
                form.module_ids.add(module)
        wizard = form.record
        wizard.action_next()
        self._confirm_with_password(wizard, password)
        return wizard

    def _last_message(self, record=None):
        """The newest message with a text (tracking messages have none)."""
        return (record or self.dossier).message_ids.filtered("body")[:1].body

    def test_activate_more_modules_with_a_cost_preview(self):
        Change = self.env["octopus.dossier.change"].with_user(self.b_user).with_context(
            active_model="octopus.dossier", active_ids=self.dossier.ids
        )
        with Form(Change) as form:
            form.module_ids.add(self.dms_module)
            self.assertIn("Document Storage", str(form.cost_preview))
        wizard = self._change("activate", self.dms_module)
        self.assertEqual(wizard.state, "done")
        new = self.dossier.activation_ids.filtered(lambda a: a.module_id == self.dms_module)
        self.assertEqual(new.date_start, date(2026, 6, 15))
        self.assertEqual(new.activated_by_id, self.b_user)
        self.assertIn(self.dms_module, self.dossier.active_module_ids)
        self.assertIn("Modules activated: Document Storage", self._last_message())

    def test_activating_a_running_module_is_refused(self):
        before = self._counts()
        with self.assertRefused(UserError, "runs Bank Statements already"):
            self._change("activate", self.bank_module)
        self.assertEqual(self._counts(), before)

    def test_end_a_module_keeps_the_ledger_line(self):
        self._change("end", self.bank_module)
        bank = self.dossier.activation_ids.filtered(lambda a: a.module_id == self.bank_module)
        self.assertEqual(bank.date_end, date(2026, 6, 15))
        self.assertEqual(bank.ended_by_id, self.b_user)
        self.assertEqual(len(self.dossier.activation_ids), 2)
        self.assertIn("Modules ended on 06/15/2026: Bank Statements", self._last_message())

    def test_ending_the_default_module_is_refused(self):
        with self.assertRefused(UserError, "stays active as long as the client has access"):
            self.dossier._end_modules(self.portal_module)
        self.assertFalse(self.dossier.activation_ids.filtered("date_end"))

    def test_revoke_sends_the_dossier_back_to_a(self):
        self._change("revoke")
        self.assertEqual(self.dossier.access_category, "A")
        self.assertFalse(self.dossier.client_user_id)
        self.assertEqual(set(self.dossier.activation_ids.mapped("date_end")), {date(2026, 6, 15)})
        self.assertEqual(self.login.state, "revoked")
        self.assertIn("Client access revoked: login " + self.login.login, self._last_message())
        self.assertIn("Login revoked", self._last_message(self.login))

    def test_revoke_keeps_a_login_that_holds_other_dossiers(self):
        other = self._dossier("H002", login=self.login)
        self._change("revoke")
        self.assertEqual(self.login.state, "active")
        self.assertEqual(self.login.dossier_ids, other)
        self.assertEqual(other.access_category, "C")

    def test_changes_need_a_c_dossier(self):
        a_dossier = self._dossier("H003")
        with self.assertRefused(UserError, "is in category A; this needs category C"):
            self._change("revoke", dossiers=a_dossier)

    def test_wrong_password_changes_nothing(self):
        before = self._counts()
        with self.assertRefused(UserError, "Wrong password"):
            self._change("revoke", password="guess")
        self.assertEqual(self.dossier.access_category, "C")
        self.assertFalse(self.dossier.activation_ids.filtered("date_end"))
        self.assertEqual(self._counts(), before)

    def test_activate_or_end_without_module_is_refused(self):
        Change = self.env["octopus.dossier.change"].with_user(self.b_user).with_context(
            active_model="octopus.dossier", active_ids=self.dossier.ids, default_operation="end"
        )
        wizard = Form(Change).save()
        with self.assertRefused(UserError, "Choose at least one module"):
            wizard.action_next()
        self.assertEqual(wizard.state, "modules")

    def test_modules_can_end_on_a_later_day_never_a_past_one(self):
        bank = self.dossier.activation_ids.filtered(lambda a: a.module_id == self.bank_module)
        before = self._counts()
        with self.assertRefused(UserError, "a day already past"):
            self.dossier.with_user(self.b_user)._end_modules(self.bank_module, date(2026, 6, 14))
        self.assertFalse(bank.date_end)
        self.dossier.with_user(self.b_user)._end_modules(self.bank_module, date(2026, 6, 30))
        self.assertEqual(self._counts(), before)
        self.assertEqual(bank.date_end, date(2026, 6, 30))
        self.assertIn(self.bank_module, self.dossier.active_module_ids, "it runs until then")
        with freeze_time("2026-06-30"):
            self.env.ref("octopus_titulaires.ir_cron_refresh_active_modules").method_direct_trigger()
            self.assertNotIn(self.bank_module, self.dossier.active_module_ids)

    def test_password_screen_recaps_the_change(self):
        Change = self.env["octopus.dossier.change"].with_user(self.b_user).with_context(
            active_model="octopus.dossier", active_ids=self.dossier.ids, default_operation="end"
        )
        with Form(Change) as form:
            form.module_ids.add(self.bank_module)
            form.date_end = date(2026, 7, 1)
        wizard = form.record
        wizard.action_next()
        self.assertEqual(wizard.state, "password")
        recap = str(wizard.recap)
        for expected in ("End modules", self.dossier.display_name, self.login.login,
                         self.bank_module.name, "07/01/2026", "None"):
            self.assertIn(expected, recap)
        self.assertNotIn(self.portal_module.name, recap, "only the modules that end")

    def _import_preview(self, rows):
        """The import dialog of the B user, previewed."""
        wizard = self.env["octopus.dossier.import"].with_user(self.b_user).create(
            {"file": base64.b64encode(xlsx([HEADER, *rows])), "filename": "rows.xlsx",
             "company_id": self.office.id}
        )
        wizard.action_preview()
        return wizard

    def _endable_modules(self, dossiers):
        """The modules the End Modules dialog offers for ``dossiers``."""
        Change = self.env["octopus.dossier.change"].with_user(self.b_user).with_context(
            active_model="octopus.dossier", active_ids=dossiers.ids, default_operation="end"
        )
        return Form(Change).save().endable_module_ids

    def test_a_b_dossiers_imported_modules_end_in_the_change_dialog(self):
        """The import gives modules to B dossiers (U logins), which no grant
        reaches: End Modules ends them, the default module too, since a B
        dossier has no K access to revoke. On a C dossier the default module
        ends only with the access."""
        wizard = self._import_preview([["H010", "Garage", "Boulangerie Test", "", "external",
                                        "U12340010", "", "PORTAL, BANK"]])
        self.assertFalse(wizard.problem_text, wizard.problem_text)
        wizard.with_context(octopus_password=B_USER_PASSWORD).action_import()
        b_dossier = self.Dossier.search([("code", "=", "H010")])
        self.assertEqual(b_dossier.access_category, "B")
        self.assertEqual(b_dossier.active_module_ids, self.portal_module | self.bank_module)
        self.assertEqual(self._endable_modules(b_dossier),
                         self.portal_module | self.bank_module)
        self.assertEqual(self._endable_modules(self.dossier), self.bank_module)
        with self.assertRefused(UserError, "stays active as long as the client has access"):
            self._change("end", self.portal_module)

        self._change("end", self.portal_module | self.bank_module, dossiers=b_dossier)
        self.assertEqual(set(b_dossier.activation_ids.mapped("date_end")), {date(2026, 6, 15)})
        self.assertEqual(b_dossier.activation_ids.ended_by_id, self.b_user)
        self.assertFalse(b_dossier.active_module_ids)
        message = self._last_message(b_dossier)
        for expected in ("Modules ended on 06/15/2026", "Client Portal", "Bank Statements"):
            self.assertIn(expected, message)

    def test_an_a_dossier_gets_modules_from_no_path(self):
        a_dossier = self._dossier("H011")
        before = self._counts()
        wizard = self._import_preview([["H011", "Dossier H011", "Boulangerie Test", "",
                                        "internal", "", "", "BANK"]])
        self.assertIn('Row 2, column "modules": Modules run only on a dossier with a login',
                      wizard.problem_text)
        with self.assertRefused(UserError, "Nothing was imported"):
            wizard.with_context(octopus_password=B_USER_PASSWORD).action_import()
        with self.assertRefused(UserError, "is in category A; this needs category C"):
            self._change("activate", self.bank_module, dossiers=a_dossier)
        # Below the dialogs and the import, the one method that starts modules.
        with self.assertRefused(UserError, "has no client login: modules run only on a dossier "
                                           "with a login"):
            a_dossier.with_user(self.b_user)._start_modules({a_dossier.id: self.bank_module})
        self.assertEqual(self._counts(), before)
        self.assertFalse(a_dossier.activation_ids)
