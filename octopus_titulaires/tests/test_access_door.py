from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from ..models.octopus_client_user import normalized_email
from .common import OctopusCase


@tagged("post_install", "-at_install")
class TestAccessDoor(OctopusCase):
    """Client access and billable modules change only through the dossier's
    methods: the ORM refuses every other write, whoever asks."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.login = cls._login("K")
        cls.c_dossier = cls._dossier("D001", login=cls.login)
        cls.a_dossier = cls._dossier("D002")

    def test_users_cannot_set_login_category_or_ledger_of_a_dossier(self):
        attempts = [
            (self.a_dossier, {"client_user_id": self.login.id}),
            (self.c_dossier, {"client_user_id": False}),
            (self.c_dossier, {"access_category": "A"}),
            (self.a_dossier, {"active_module_ids": [(4, self.bank_module.id)]}),
        ]
        for user in (self.b_user, self.manager):
            for dossier, values in attempts:
                with self.subTest(user=user.login, values=values):
                    with self.assertRefused(AccessError, "changes only through Grant"):
                        dossier.with_user(user).write(values)
        self.assertEqual(self.a_dossier.access_category, "A")
        self.assertEqual((self.c_dossier.access_category, self.c_dossier.client_user_id),
                         ("C", self.login))
        self.assertFalse(self.a_dossier.active_module_ids)

    def test_saving_a_form_with_the_same_login_is_no_change(self):
        self.c_dossier.with_user(self.b_user).write(
            {"name": "Renamed", "client_user_id": self.login.id}
        )
        self.assertEqual(self.c_dossier.name, "Renamed")

    def test_users_cannot_create_a_dossier_with_access(self):
        before = self._counts()
        for values in ({"client_user_id": self.login.id}, {"access_category": "C"}):
            with self.subTest(values=values), self.assertRefused(AccessError, "changes only"):
                self.Dossier.with_user(self.b_user).create(
                    dict({"code": "D003", "name": "X", "partner_id": self.client.id}, **values)
                )
        self.assertEqual(self._counts(), before)

    def test_users_cannot_write_logins(self):
        for user in (self.b_user, self.manager):
            for values in ({"state": "revoked"}, {"login": "K99999999"},
                           {"user_id": self.plain_user.id}):
                with self.subTest(user=user.login, values=values):
                    with self.assertRaises(AccessError):
                        self.login.with_user(user).write(values)
        self.assertEqual((self.login.state, self.login.user_id), ("active", self.env["res.users"]))

    def test_office_never_changes_even_for_the_superuser(self):
        activation = self.Activation.create(
            {"dossier_id": self.c_dossier.id, "module_id": self.portal_module.id}
        )
        for record in (self.c_dossier, self.login):
            with self.subTest(model=record._name):
                with self.assertRefused(UserError, "cannot move to another office"):
                    record.write({"company_id": self.other_office.id})
        with self.assertRefused(UserError, "append-only"):
            activation.write({"company_id": self.other_office.id})
        self.assertEqual(self.c_dossier.company_id, self.office)
        self.assertEqual(self.login.company_id, self.office)

    def test_a_dossier_is_created_in_one_of_the_users_offices_only(self):
        before = self._counts()
        with self.assertRefused(AccessError, "You do not work for the office Autre Fiduciaire"):
            self.Dossier.with_user(self.b_user).create(
                {"code": "D004", "name": "X", "partner_id": self.client.id,
                 "company_id": self.other_office.id}
            )
        self.assertEqual(self._counts(), before)

    def test_a_client_of_another_office_cannot_carry_a_dossier_there(self):
        foreign_client = self.env["res.partner"].create(
            {"name": "Client de l'autre", "company_id": self.other_office.id}
        )
        with self.assertRaises(UserError):
            self.Dossier.with_user(self.b_user).create(
                {"code": "D005", "name": "X", "partner_id": foreign_client.id}
            )
        self.assertFalse(self.Dossier.search([("code", "=", "D005")]))

    def test_dialogs_belong_to_their_creator(self):
        colleague = self.b_user.copy({"login": "b_colleague"})
        for model in ("octopus.dossier.grant", "octopus.dossier.change",
                      "octopus.dossier.export", "octopus.dossier.import"):
            with self.subTest(model=model):
                dialog = self.env[model].with_user(self.b_user).with_context(
                    active_model="octopus.dossier", active_ids=self.a_dossier.ids
                ).create({})
                self.assertFalse(self.env[model].with_user(colleague).search([]))
                with self.assertRaises(AccessError):
                    dialog.with_user(colleague).read(["id"])
                with self.assertRaises(AccessError):
                    dialog.with_user(colleague).write({})

    def test_the_password_has_no_column(self):
        for table in ("octopus_dossier_grant", "octopus_dossier_change", "octopus_dossier_import"):
            self.env.cr.execute(
                "SELECT count(*) FROM information_schema.columns "
                "WHERE table_name = %s AND column_name = 'password'",
                [table],
            )
            self.assertEqual(self.env.cr.fetchone()[0], 0, table)

    def test_email_addresses_odoo_would_have_to_mangle_are_refused(self):
        self.assertEqual(normalized_email("  Gerant@Boulangerie.example.be "),
                         "gerant@boulangerie.example.be")
        self.assertEqual(normalized_email(f"{'x' * 64}@example.be"), f"{'x' * 64}@example.be")
        for value in ("<script>alert(1)</script>@example.com", f"{'x' * 65}@example.be",
                      f"x@{'d' * 250}.be", "Gerant <gerant@example.be>", "a@b.be, c@d.be", ""):
            with self.subTest(value=value):
                self.assertFalse(normalized_email(value))
        with self.assertRefused(UserError, "not a valid e-mail address"):
            self.login.email = "<script>alert(1)</script>@example.com"

    def test_a_name_an_excel_cell_cannot_hold_is_refused_at_input(self):
        for name, message in (("Bell\x07", "cannot hold control characters"),
                              ("N" * 32768, "holds at most 32767 characters")):
            with self.subTest(message=message), self.assertRefused(UserError, message):
                self.a_dossier.with_user(self.b_user).name = name
        self.assertEqual(self.a_dossier.name, "Dossier D002")
        self.a_dossier.with_user(self.b_user).name = "\tTab, line\nbreak"
        self.assertEqual(self.a_dossier.name, "\tTab, line\nbreak")
