from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import OctopusCase


@tagged("post_install", "-at_install")
class TestAccessCategory(OctopusCase):
    def test_internal_without_login_is_a(self):
        dossier = self._dossier("A001")
        self.assertEqual(dossier.access_category, "A")

    def test_external_is_b_with_or_without_u_login(self):
        without_login = self._dossier("B001", kind="external")
        with_login = self._dossier("B002", kind="external", login=self._login("U"))
        self.assertEqual(without_login.access_category, "B")
        self.assertEqual(with_login.access_category, "B")

    def test_internal_with_k_login_is_c(self):
        dossier = self._dossier("C001", login=self._login("K"))
        self.assertEqual(dossier.access_category, "C")

    def test_category_follows_login_changes(self):
        login = self._login("K")
        dossier = self._dossier("C002")
        self.assertEqual(dossier.access_category, "A")
        dossier.client_user_id = login
        self.assertEqual(dossier.access_category, "C")
        login.state = "revoked"
        self.assertEqual(dossier.access_category, "A")

    def test_category_is_stored_and_searchable(self):
        c_dossier = self._dossier("C003", login=self._login("K"))
        a_dossier = self._dossier("A003")
        found = self.Dossier.search([("access_category", "=", "C"), ("code", "in", ["C003", "A003"])])
        self.assertEqual(found, c_dossier)
        self.assertNotIn(a_dossier, found)

    def test_category_change_is_tracked_in_chatter(self):
        dossier = self._dossier("C004")
        self.flush_tracking()
        dossier.client_user_id = self._login("K")
        tracked = self._tracked(dossier, "access_category")
        self.assertEqual(tracked.old_value_char, "A: no client access")
        self.assertEqual(tracked.new_value_char, "C: client access")

    def test_turning_c_dossier_external_is_refused(self):
        dossier = self._dossier("C005", login=self._login("K"))
        with self.assertRefused(ValidationError, "only accepts a U login"):
            dossier.kind = "external"
        self.assertEqual(dossier.kind, "internal")
        self.assertEqual(dossier.access_category, "C")
