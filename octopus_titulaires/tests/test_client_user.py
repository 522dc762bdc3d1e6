import re

from psycopg2 import IntegrityError

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import OctopusCase


@tagged("post_install", "-at_install")
class TestClientUser(OctopusCase):
    def test_k_and_u_logins_come_from_their_sequences(self):
        first_k, second_k = self._login("K"), self._login("K")
        u_login = self._login("U")
        self.assertRegex(first_k.login, r"^K\d{8}$")
        self.assertRegex(u_login.login, r"^U\d{8}$")
        self.assertEqual(int(second_k.login[1:]), int(first_k.login[1:]) + 1)

    def test_sequence_skips_a_login_taken_by_an_import(self):
        sequence = self.env.ref("octopus_titulaires.seq_client_user_k")
        upcoming = f"K{sequence.number_next_actual:08d}"
        imported = self._login("K", login=upcoming)
        drawn = self._login("K")
        self.assertEqual(imported.login, upcoming)
        self.assertNotEqual(drawn.login, upcoming)
        self.assertRegex(drawn.login, r"^K\d{8}$")

    def test_duplicate_login_is_refused(self):
        existing = self._login("K")
        before = self._counts()
        with self.assertRaises(IntegrityError) as caught, mute_logger("odoo.sql_db"):
            self._login("K", login=existing.login, company=self.other_office)
        self.assertIn("login_unique", str(caught.exception))
        self.assertEqual(self._counts(), before)

    def test_malformed_login_is_refused(self):
        before = self._counts()
        for login in ("K123", "X12345678", "k12345678", "K123456789"):
            with self.subTest(login=login), self.assertRefused(
                ValidationError, re.escape(login) + " is invalid"
            ):
                self._login("K", login=login)
        self.assertEqual(self._counts(), before)

    def test_login_letter_must_match_kind(self):
        before = self._counts()
        with self.assertRefused(ValidationError, "does not match its kind"):
            self._login("K", login="U00001234")
        self.assertEqual(self._counts(), before)

    def test_k_login_on_external_dossier_is_refused(self):
        login = self._login("K")
        before = self._counts()
        with self.assertRefused(ValidationError, "only accepts a U login"):
            self._dossier("X001", kind="external", login=login)
        self.assertEqual(self._counts(), before)

    def test_u_login_on_internal_dossier_is_refused(self):
        login = self._login("U")
        dossier = self._dossier("X002")
        with self.assertRefused(ValidationError, "only accepts a K login"):
            dossier.client_user_id = login
        self.assertFalse(dossier.client_user_id)
        self.assertFalse(login.dossier_ids)

    def test_dossier_has_at_most_one_login(self):
        first, second = self._login("K"), self._login("K")
        dossier = self._dossier("X003", login=first)
        with self.assertRefused(ValidationError, "already has the login"):
            dossier.client_user_id = second
        with self.assertRefused(ValidationError, "already has the login"):
            second.dossier_ids = [(4, dossier.id)]
        self.assertEqual(dossier.client_user_id, first)
        self.assertFalse(second.dossier_ids)

    def test_one_login_covers_several_dossiers(self):
        login = self._login("K")
        main, additional = self._dossier("X004", login=login), self._dossier("X005", login=login)
        self.assertEqual(login.dossier_ids, main | additional)
        self.assertEqual(login.dossier_count, 2)

    def test_revoked_login_takes_no_dossier(self):
        login = self._login("K", state="revoked")
        dossier = self._dossier("X006")
        with self.assertRefused(ValidationError, "is revoked"):
            dossier.client_user_id = login
        self.assertFalse(dossier.client_user_id)

    def test_login_of_another_office_is_refused(self):
        foreign = self._login("K", company=self.other_office)
        dossier = self._dossier("X007")
        with self.assertRaises(UserError):
            dossier.client_user_id = foreign
        self.assertFalse(dossier.client_user_id)

    def test_invalid_email_is_refused(self):
        before = self._counts()
        with self.assertRefused(ValidationError, "Client E-mail of login .* not a valid"):
            self._login("K", email="not-an-email")
        with self.assertRefused(ValidationError, "Office E-mail of login .* not a valid"):
            self._login("K", office_email="office@")
        self.assertEqual(self._counts(), before)
