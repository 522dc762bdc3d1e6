from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from .common import B_USER_PASSWORD, OctopusCase

DIALOG_LOGGER = "odoo.addons.octopus_titulaires.models.res_users"


class GrantDialogCase(OctopusCase):
    """Drives the grant dialog screen by screen through odoo.tests.Form, which
    enforces the view's modifiers (a field of another step cannot be set)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dossier = cls._dossier("G001")

    def _open(self, dossiers, user=None):
        Grant = self.env["octopus.dossier.grant"].with_user(user or self.b_user)
        form = Form(Grant.with_context(active_model="octopus.dossier", active_ids=dossiers.ids))
        return form.save()

    def _next(self, wizard, **values):
        with Form(wizard) as form:
            for name, value in values.items():
                setattr(form, name, value)
        wizard.action_next()
        return wizard

    def _run_to_password(self, dossiers, modules=None, **values):
        wizard = self._open(dossiers)
        self._next(wizard, **{k: v for k, v in values.items() if k == "client_user_id"})
        self._next(wizard, **{k: v for k, v in values.items() if k == "office_email"})
        self._next(wizard, **{k: v for k, v in values.items()
                              if k in ("client_email", "portal_access", "lang")})
        with Form(wizard) as form:
            for module in modules or ():
                form.module_ids.add(module)
        wizard.action_next()
        self.assertEqual(wizard.state, "password")
        return wizard

    def _confirm(self, wizard, password=B_USER_PASSWORD):
        return self._confirm_with_password(wizard, password)


@tagged("post_install", "-at_install")
class TestGrantDialog(GrantDialogCase):
    def test_dialog_step_by_step_creates_k_login_and_c_dossier(self):
        wizard = self._open(self.dossier)
        states = [wizard.state]
        for _screen in range(4):
            self._next(wizard)
            states.append(wizard.state)
        self.assertEqual(
            states, ["dossier", "office_email", "client_email", "modules", "password"]
        )
        action = self._confirm(wizard)
        login = self.dossier.client_user_id
        self.assertEqual(wizard.state, "done")
        self.assertEqual(action["res_id"], wizard.id)
        self.assertRegex(login.login, r"^K\d{8}$")
        self.assertEqual(wizard.granted_login, login.login)
        self.assertEqual(self.dossier.access_category, "C")
        self.assertEqual(login.partner_id, self.client)
        self.assertEqual(login.office_email, "holder@fiduciaire-test.example.be")
        self.assertEqual(login.email, "gerant@boulangerie.example.be")
        activation = self.dossier.activation_ids
        self.assertEqual(activation.module_id, self.portal_module)
        self.assertEqual(activation.annual_price, self.portal_module.current_price)
        self.assertEqual(activation.activated_by_id, self.b_user)
        self.assertFalse(wizard.password, "the password is not kept once checked")

    def test_back_returns_to_the_previous_screen_and_keeps_the_input(self):
        wizard = self._open(self.dossier)
        self._next(wizard)
        self._next(wizard, office_email="office@fiduciaire-test.example.be")
        self.assertEqual(wizard.state, "client_email")
        wizard.action_previous()
        self.assertEqual(wizard.state, "office_email")
        self.assertEqual(Form(wizard).office_email, "office@fiduciaire-test.example.be")
        wizard.action_previous()
        wizard.action_previous()
        self.assertEqual(wizard.state, "dossier")

    def test_fields_of_another_screen_cannot_be_edited(self):
        wizard = self._open(self.dossier)
        form = Form(wizard)
        with self.assertRaises(AssertionError):
            form.password = B_USER_PASSWORD
        with self.assertRaises(AssertionError):
            form.office_email = "other@example.be"

    def test_default_module_is_always_activated_with_the_chosen_ones(self):
        wizard = self._run_to_password(self.dossier, modules=self.bank_module)
        self.assertEqual(wizard.module_ids, self.bank_module, "the default one is no choice")
        self._confirm(wizard)
        self.assertEqual(
            self.dossier.activation_ids.module_id, self.portal_module | self.bank_module
        )
        self.assertEqual(self.dossier.active_module_ids, self.portal_module | self.bank_module)

    def test_several_dossiers_from_the_list_share_one_new_login(self):
        second = self._dossier("G002")
        wizard = self._run_to_password(self.dossier | second)
        self._confirm(wizard)
        self.assertTrue(self.dossier.client_user_id)
        self.assertEqual(self.dossier.client_user_id, second.client_user_id)
        self.assertEqual(self.dossier.client_user_id.dossier_ids, self.dossier | second)
        self.assertEqual(len(self.dossier.activation_ids | second.activation_ids), 2)

    def test_dossier_added_to_an_existing_k_login(self):
        login = self._login("K", email="old@boulangerie.example.be")
        main = self._dossier("G003", login=login)
        logins_before = self.ClientUser.search_count([])
        wizard = self._run_to_password(self.dossier, client_user_id=login)
        self.assertEqual(wizard.client_email, "old@boulangerie.example.be")
        self._confirm(wizard)
        self.assertEqual(self.dossier.client_user_id, login)
        self.assertEqual(login.dossier_ids, main | self.dossier)
        self.assertEqual(self.ClientUser.search_count([]), logins_before)

    def test_grant_is_posted_in_the_chatter_of_each_dossier(self):
        second = self._dossier("G004")
        self._confirm(self._run_to_password(self.dossier | second, modules=self.bank_module))
        login = self.dossier.client_user_id.login
        for dossier in self.dossier | second:
            bodies = dossier.message_ids.mapped("body")
            self.assertTrue(
                any(login in body and "Bank Statements" in body for body in bodies),
                f"no grant message on {dossier.code}",
            )

    def test_open_from_the_dossier_button(self):
        action = self.dossier.with_user(self.b_user).action_grant_access()
        self.assertEqual(action["res_model"], "octopus.dossier.grant")
        wizard = (
            self.env["octopus.dossier.grant"].with_user(self.b_user)
            .with_context(**action["context"]).create({})
        )
        self.assertEqual(wizard.dossier_ids, self.dossier)


@tagged("post_install", "-at_install")
class TestGrantRefusals(GrantDialogCase):
    """Each refused case names the problem and writes no login, activation or mail."""

    def _written(self):
        counts = self._counts()
        counts["mail.mail"] = self.env["mail.mail"].sudo().search_count([])
        return counts

    def _assert_refused_at_next_and_confirm(self, wizard, pattern):
        """Next refuses the screen; Confirm, reached by any means, refuses again
        and writes no login, activation or mail."""
        with self.assertRefused(UserError, pattern):
            wizard.action_next()
        before = self._written()
        wizard.state = "password"
        with self.assertRefused(UserError, pattern):
            self._confirm(wizard)
        self.assertEqual(self._written(), before)

    def test_wrong_password_is_refused_logged_and_creates_nothing(self):
        wizard = self._run_to_password(self.dossier)
        before = self._written()
        with self.assertLogs(DIALOG_LOGGER, level="WARNING") as logs:
            with self.assertRefused(UserError, "Wrong password"):
                self._confirm(wizard, password="not-my-password")
        self.assertIn("wrong password of user b_user", logs.output[0])
        self.assertEqual(self._written(), before)
        self.assertEqual(self.dossier.access_category, "A")

    def test_empty_password_is_refused(self):
        wizard = self._run_to_password(self.dossier)
        before = self._written()
        with self.assertRefused(UserError, "Enter your Odoo password"):
            wizard.action_confirm()
        self.assertEqual(self._written(), before)

    def test_malformed_or_empty_office_email_is_refused(self):
        wizard = self._open(self.dossier)
        self._next(wizard)
        for value in ("not-an-email", "office@", False):
            with self.subTest(value=value):
                wizard.office_email = value
                with self.assertRefused(UserError, "Office e-mail is missing or not a valid"):
                    wizard.action_next()
                self.assertEqual(wizard.state, "office_email")

    def test_malformed_client_email_is_refused(self):
        wizard = self._open(self.dossier)
        self._next(wizard)
        self._next(wizard)
        wizard.client_email = "gerant at boulangerie"
        with self.assertRefused(UserError, "Client e-mail is missing or not a valid"):
            wizard.action_next()
        self.assertEqual(wizard.state, "client_email")

    def test_confirm_checks_every_screen_again(self):
        wizard = self._run_to_password(self.dossier)
        wizard.client_email = "broken@"
        before = self._written()
        with self.assertRefused(UserError, "Client e-mail is missing or not a valid"):
            self._confirm(wizard)
        self.assertEqual(self._written(), before)

    def test_external_dossier_is_refused(self):
        external = self._dossier("G010", kind="external")
        wizard = self._open(external)
        self._assert_refused_at_next_and_confirm(wizard, "is external")

    def test_archived_dossier_is_refused(self):
        archived = self._dossier("G011")
        archived.active = False
        wizard = self._open(archived)
        self.assertEqual(wizard.dossier_ids, archived, "kept in the dialog to be named")
        self._assert_refused_at_next_and_confirm(wizard, "is archived")
        self.assertFalse(archived.client_user_id)

    def test_dossier_already_in_c_is_refused_for_a_new_grant(self):
        c_dossier = self._dossier("G012", login=self._login("K"))
        wizard = self._open(c_dossier)
        before = self._written()
        with self.assertRefused(UserError, "already has client access"):
            wizard.action_next()
        self.assertEqual(self._written(), before)

    def test_existing_login_of_another_client_takes_the_dossier(self):
        other_client = self.env["res.partner"].create({"name": "Autre Client"})
        login = self._login("K", partner_id=other_client.id)
        kept = self._dossier("G020", login=login)
        kept.partner_id = other_client
        wizard = self._open(self.dossier)
        wizard.client_user_id = login
        self.assertIn("These dossiers belong to 2 clients", wizard.login_dossiers)
        for dossier in (self.dossier, kept):
            self.assertIn(dossier.partner_id.name, wizard.login_dossiers)
        wizard.state = "password"
        self._confirm_with_password(wizard)
        self.assertEqual(login.dossier_ids, self.dossier | kept)
        self.assertEqual(self.dossier.access_category, "C")

    def test_existing_login_of_another_office_is_refused(self):
        foreign = self._login("K", company=self.other_office)
        before = self._written()
        with self.assertRefused(UserError, "cannot take dossiers of another office"):
            self.dossier._grant_access(
                self.env["octopus.module"], "a@b.be", "c@d.be", client_user=foreign
            )
        self.assertEqual(self._written(), before)

    def test_no_dossier_is_refused(self):
        wizard = self.env["octopus.dossier.grant"].with_user(self.b_user).create({})
        self._assert_refused_at_next_and_confirm(wizard, "Select at least one dossier")

    def test_dossiers_of_two_clients_share_one_new_login(self):
        other = self._dossier("G013")
        other.partner_id = self.env["res.partner"].create({"name": "Second Client"})
        wizard = self._open(self.dossier | other)
        self.assertIn("These dossiers belong to 2 clients", wizard.recap)
        wizard.state = "password"
        self._confirm_with_password(wizard)
        login = self.dossier.client_user_id
        self.assertEqual(other.client_user_id, login)
        self.assertEqual(login.partner_id, self.dossier.partner_id, "the main dossier's client")

    def test_dossiers_of_two_offices_are_refused(self):
        other = self._dossier("G014", company=self.other_office)
        both_offices = new_test_user(
            self.env, login="two_offices", groups="octopus_titulaires.group_titulaire",
            company_id=self.office.id, company_ids=[(6, 0, (self.office | self.other_office).ids)])
        with self.assertRefused(UserError, "covers dossiers of one office"):
            (self.dossier | other).with_user(both_offices).with_context(
                allowed_company_ids=(self.office | self.other_office).ids)._check_grantable()

    def test_user_without_the_group_gets_access_error_and_no_action(self):
        with self.assertRaises(AccessError):
            self.env["octopus.dossier.grant"].with_user(self.plain_user).create(
                {"dossier_ids": [(6, 0, self.dossier.ids)]}
            )
        bindings = self.env["ir.actions.actions"].with_user(self.plain_user).get_bindings(
            "octopus.dossier"
        )
        action = self.env.ref("octopus_titulaires.octopus_dossier_grant_action")
        self.assertNotIn(action.id, [a["id"] for a in bindings.get("action", [])])
        b_bindings = self.env["ir.actions.actions"].with_user(self.b_user).get_bindings(
            "octopus.dossier"
        )
        self.assertIn(action.id, [a["id"] for a in b_bindings.get("action", [])])
