from datetime import date

from odoo.exceptions import AccessError
from odoo.tests import tagged, users

from .common import OctopusCase

OCTOPUS_MODELS = (
    "octopus.dossier",
    "octopus.client.user",
    "octopus.module",
    "octopus.module.tariff",
    "octopus.module.activation",
)


@tagged("post_install", "-at_install")
class TestSecurity(OctopusCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dossier = cls._dossier("S001", login=cls._login("K"))
        cls.activation = cls.Activation.create(
            {"dossier_id": cls.dossier.id, "module_id": cls.bank_module.id}
        )
        cls.foreign_dossier = cls._dossier(
            "S002", login=cls._login("K", company=cls.other_office), company=cls.other_office
        )
        cls.foreign_activation = cls.Activation.with_company(cls.other_office).create(
            {"dossier_id": cls.foreign_dossier.id, "module_id": cls.bank_module.id}
        )
        cls.menu_root = cls.env.ref("octopus_titulaires.octopus_titulaires_menu_root")
        cls.menu_configuration = cls.env.ref("octopus_titulaires.octopus_titulaires_menu_configuration")

    def _visible_menus(self, user):
        return self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()

    def test_plain_user_gets_access_error_on_every_model(self):
        for model in OCTOPUS_MODELS:
            records = self.env[model].with_user(self.plain_user)
            with self.subTest(model=model):
                with self.assertRaises(AccessError):
                    records.search([])
                with self.assertRaises(AccessError):
                    records.create({})

    def test_plain_user_does_not_see_the_gestion_menu(self):
        self.assertNotIn(self.menu_root.id, self._visible_menus(self.plain_user))
        self.assertIn(self.menu_root.id, self._visible_menus(self.b_user))

    def test_only_managers_see_the_configuration_menu(self):
        self.assertNotIn(self.menu_configuration.id, self._visible_menus(self.b_user))
        self.assertIn(self.menu_configuration.id, self._visible_menus(self.manager))

    @users("b_user")
    def test_b_user_sees_only_the_dossiers_of_its_office(self):
        dossiers = self.env["octopus.dossier"].search([])
        self.assertIn(self.dossier, dossiers)
        self.assertNotIn(self.foreign_dossier, dossiers)
        with self.assertRaises(AccessError):
            self.foreign_dossier.with_env(self.env).read(["name"])

    @users("b_user")
    def test_b_user_sees_only_the_logins_and_ledger_of_its_office(self):
        logins = self.env["octopus.client.user"].search([])
        activations = self.env["octopus.module.activation"].search([])
        self.assertEqual(logins, self.dossier.client_user_id)
        self.assertEqual(activations, self.activation)
        with self.assertRaises(AccessError):
            self.foreign_activation.with_env(self.env).read(["annual_price"])
        with self.assertRaises(AccessError):
            self.foreign_dossier.client_user_id.with_env(self.env).write({"email": "x@y.be"})

    def test_b_user_works_on_its_own_dossiers(self):
        dossier = self.env["octopus.dossier"].with_user(self.b_user).create(
            {"code": "S003", "name": "Created by B", "partner_id": self.client.id}
        )
        self.assertEqual(dossier.company_id, self.office)
        dossier.with_user(self.b_user).name = "Renamed by B"
        self.assertEqual(dossier.name, "Renamed by B")
        with self.assertRaises(AccessError):
            dossier.with_user(self.b_user).unlink()
        self.assertTrue(dossier.exists())

    def test_b_user_cannot_edit_tariffs_or_modules(self):
        tariff = self.bank_module.tariff_ids[:1]
        price = tariff.annual_price
        with self.assertRaises(AccessError):
            tariff.with_user(self.b_user).write({"annual_price": 1.0})
        with self.assertRaises(AccessError):
            self.env["octopus.module.tariff"].with_user(self.b_user).create(
                {"module_id": self.bank_module.id, "date_from": date(2030, 1, 1),
                 "annual_price": 1.0}
            )
        with self.assertRaises(AccessError):
            self.bank_module.with_user(self.b_user).write({"name": "Hacked"})
        self.assertEqual(tariff.annual_price, price)
        self.assertEqual(self.bank_module.tariff_ids, tariff | self.bank_module.tariff_ids)

    def test_manager_edits_tariffs(self):
        tariff = self.env["octopus.module.tariff"].with_user(self.manager).create(
            {"module_id": self.bank_module.id, "date_from": date(2030, 1, 1), "annual_price": 99.0}
        )
        self.assertEqual(self.bank_module._get_price(date(2030, 1, 1)), 99.0)
        tariff.with_user(self.manager).annual_price = 101.0
        self.assertEqual(self.bank_module._get_price(date(2030, 6, 1)), 101.0)
