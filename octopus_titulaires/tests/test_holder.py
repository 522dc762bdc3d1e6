import base64

from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import B_USER_PASSWORD, OctopusCase, load_migration
from .test_dossier_import import HEADER, xlsx

COLLEAGUE_PASSWORD = "colleague-secret-2"


@tagged("post_install", "-at_install")
@freeze_time("2026-11-28")
class TestHolder(OctopusCase):
    """An office confirms changes of client access with its holder's password
    (the Octopus rule), or with each B user's own, as it chose: the grant, the
    change dialog and the import take the password of the person the office
    names, whoever types it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.colleague = new_test_user(
            cls.env, login="colleague", password=COLLEAGUE_PASSWORD,
            groups="octopus_titulaires.group_titulaire", company_id=cls.office.id,
            company_ids=[(6, 0, cls.office.ids)])
        cls.office.write({"octopus_confirmation": "holder", "octopus_holder_id": cls.b_user.id})
        cls.dossier = cls._dossier("HOLD1")

    def setUp(self):
        super().setUp()
        failures = self.registry.__dict__.get("_octopus_password_failures")
        if failures is not None:
            self.addCleanup(failures.clear)

    def _grant_wizard(self, user, dossier=None):
        wizard = self.env["octopus.dossier.grant"].with_user(user).create({
            "dossier_ids": [(6, 0, (dossier or self.dossier).ids)],
            "office_email": "bureau@hold.example.be", "client_email": "client@hold.example.be",
            "state": "password"})
        return wizard

    def test_a_new_office_confirms_with_its_holder_and_says_it_has_none(self):
        office = self.env["res.company"].create({"name": "Nouvelle Fiduciaire Holder",
                                                 "octopus_b_number": "B00000777"})
        self.assertEqual(office.octopus_confirmation, "holder")
        problem = office._octopus_holder_problem()
        self.assertIn("names no holder yet", problem)
        self.assertEqual(office.octopus_dashboard["holder_problem"], problem)
        self.office.octopus_holder_id = False
        wizard = self._grant_wizard(self.colleague)
        self.assertIn("names no holder yet", wizard.confirmation_problem)
        self.assertFalse(wizard.confirmation_text)
        before = self._counts()
        with self.assertRefused(UserError, "names no holder yet"):
            self._confirm_with_password(wizard, B_USER_PASSWORD)
        self.assertEqual(self._counts(), before)
        self.assertEqual(self.dossier.access_category, "A")

    def test_the_holders_password_confirms_and_the_colleagues_own_does_not(self):
        wizard = self._grant_wizard(self.colleague)
        self.assertFalse(wizard.confirmation_problem)
        self.assertIn(self.b_user.name, wizard.confirmation_text)
        before = self._counts()
        with self.assertRefused(UserError, "Wrong password.*office holder, b_user"):
            self._confirm_with_password(wizard, COLLEAGUE_PASSWORD)
        self.assertEqual(self._counts(), before)
        with self.assertRefused(UserError, "Enter the password of the office holder"):
            self._confirm_with_password(wizard, "")
        self._confirm_with_password(wizard, B_USER_PASSWORD)
        self.assertEqual(self.dossier.access_category, "C")
        self.assertEqual(self.dossier.activation_ids.activated_by_id, self.colleague)

    def test_an_office_that_chose_so_confirms_with_each_users_password(self):
        self.office.octopus_confirmation = "user"
        wizard = self._grant_wizard(self.colleague)
        self.assertNotIn(self.b_user.name, wizard.confirmation_text)
        with self.assertRefused(UserError, "Enter your own Odoo password"):
            self._confirm_with_password(wizard, B_USER_PASSWORD)
        self._confirm_with_password(wizard, COLLEAGUE_PASSWORD)
        self.assertEqual(self.dossier.access_category, "C")

    def test_the_holder_is_one_of_the_offices_b_users(self):
        for user in (self.plain_user, self.other_b_user):
            with self.subTest(user=user.login), self.assertRefused(
                    ValidationError, "is not one of its B users"):
                self.office.octopus_holder_id = user
        # A holder who leaves the office's B users confirms nothing any more.
        self.b_user.groups_id = [(3, self.env.ref("octopus_titulaires.group_titulaire").id)]
        wizard = self._grant_wizard(self.colleague)
        self.assertIn("is not one of its B users", wizard.confirmation_problem)
        with self.assertRefused(UserError, "is not one of its B users"):
            self._confirm_with_password(wizard, B_USER_PASSWORD)
        self.assertEqual(self.dossier.access_category, "A")

    def test_the_holders_wrong_passwords_count_against_the_holder(self):
        self.env["ir.config_parameter"].set_param("base.login_cooldown_after", 3)
        wizard = self._grant_wizard(self.colleague)
        for attempt in range(3):
            with self.assertRefused(UserError, "Wrong password"):
                self._confirm_with_password(wizard, f"guess-{attempt}")
        # Even the right password waits: the holder is on cooldown, whoever types.
        with self.assertRefused(UserError, "Too many wrong passwords"):
            self._confirm_with_password(wizard, B_USER_PASSWORD)
        holder_wizard = self._grant_wizard(self.b_user, self._dossier("HOLD2"))
        with self.assertRefused(UserError, "Too many wrong passwords"):
            self._confirm_with_password(holder_wizard, B_USER_PASSWORD)
        self.assertEqual(self.dossier.access_category, "A")

    def test_the_change_dialog_takes_the_holders_password(self):
        login = self._login("K")
        dossier = self._dossier("HOLD3", login=login)
        dossier.sudo()._create_activations(self.portal_module | self.bank_module)
        wizard = self.env["octopus.dossier.change"].with_user(self.colleague).create({
            "dossier_ids": [(6, 0, dossier.ids)], "operation": "end",
            "module_ids": [(6, 0, self.bank_module.ids)], "state": "password"})
        with self.assertRefused(UserError, "Wrong password"):
            self._confirm_with_password(wizard, COLLEAGUE_PASSWORD)
        self.assertIn(self.bank_module, dossier.active_module_ids)
        self._confirm_with_password(wizard, B_USER_PASSWORD)
        self.assertNotIn(self.bank_module, dossier.active_module_ids)

    def test_the_import_takes_the_holders_password(self):
        wizard = self.env["octopus.dossier.import"].with_user(self.colleague).create({
            "file": base64.b64encode(xlsx([HEADER, ["HOLD9", "Dossier Holder", "", "", "internal",
                                                    "K77700001", "", ""]])),
            "filename": "holder.xlsx", "company_id": self.office.id})
        wizard.action_preview()
        self.assertTrue(wizard.needs_password)
        self.assertIn(self.b_user.name, wizard.confirmation_text)
        before = self._counts()
        with self.assertRefused(UserError, "Wrong password"):
            wizard.with_context(octopus_password=COLLEAGUE_PASSWORD).action_import()
        self.assertEqual(self._counts(), before)
        wizard.with_context(octopus_password=B_USER_PASSWORD).action_import()
        self.assertEqual(self.ClientUser.search([("login", "=", "K77700001")]).company_id,
                         self.office)

    def test_the_dashboard_names_the_holder_and_the_rule(self):
        figures = self.office.with_user(self.colleague).octopus_dashboard
        self.assertEqual(figures["holder"], self.b_user.name)
        self.assertEqual(figures["confirmation"], "By the office holder")
        self.assertFalse(figures["holder_problem"])
        self.env["res.lang"]._activate_lang("fr_BE")
        self.env["ir.module.module"]._load_module_terms(["octopus_titulaires"], ["fr_BE"],
                                                       overwrite=True)
        figures = self.office.with_user(self.colleague).with_context(lang="fr_BE") \
            .octopus_dashboard
        self.assertEqual(figures["confirmation"], "Par le titulaire du bureau")

    def test_an_upgraded_database_keeps_each_users_password(self):
        self.assertEqual(self.office.octopus_confirmation, "holder")
        load_migration("18.0.1.3.0", "post-migrate").migrate(self.env.cr, "18.0.1.2.0")
        self.office.invalidate_recordset()
        self.assertEqual(self.office.octopus_confirmation, "user")
