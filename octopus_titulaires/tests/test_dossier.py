from datetime import date

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import OctopusCase


@tagged("post_install", "-at_install")
class TestDossier(OctopusCase):
    def test_code_is_unique_per_office(self):
        self._dossier("D001")
        before = self._counts()
        with self.assertRaises(IntegrityError) as caught, mute_logger("odoo.sql_db"):
            self._dossier("D001")
        self.assertIn("code_company_unique", str(caught.exception))
        self.assertEqual(self._counts(), before)

    def test_same_code_in_another_office_is_allowed(self):
        mine = self._dossier("D002")
        theirs = self._dossier("D002", company=self.other_office)
        self.assertNotEqual(mine, theirs)
        self.assertEqual(theirs.company_id, self.other_office)

    def test_display_name_and_search_by_code(self):
        dossier = self._dossier("D003")
        self.assertEqual(dossier.display_name, "[D003] Dossier D003")
        found = self.Dossier.name_search("D003")
        self.assertEqual([dossier_id for dossier_id, _name in found], dossier.ids)

    @freeze_time("2026-03-15")
    def test_d_column_lists_modules_running_today(self):
        dossier = self._dossier("D004", login=self._login("K"))
        self.Activation.create(
            [
                {"dossier_id": dossier.id, "module_id": self.portal_module.id,
                 "date_start": date(2026, 1, 1)},
                {"dossier_id": dossier.id, "module_id": self.bank_module.id,
                 "date_start": date(2025, 1, 1), "date_end": date(2025, 12, 31)},
                {"dossier_id": dossier.id, "module_id": self.bank_module.id,
                 "date_start": date(2026, 6, 1)},
            ]
        )
        self.assertEqual(dossier.active_module_ids, self.portal_module)

    def test_d_column_follows_the_date_through_the_daily_cron(self):
        with freeze_time("2026-05-31"):
            dossier = self._dossier("D005", login=self._login("K"))
            self.Activation.create(
                {"dossier_id": dossier.id, "module_id": self.bank_module.id,
                 "date_start": date(2026, 6, 1)}
            )
            self.assertFalse(dossier.active_module_ids)
        with freeze_time("2026-06-01"):
            self.env.ref("octopus_titulaires.ir_cron_refresh_active_modules").method_direct_trigger()
            self.assertEqual(dossier.active_module_ids, self.bank_module)

    def test_group_by_active_module(self):
        dossier = self._dossier("D006", login=self._login("K"))
        self.Activation.create({"dossier_id": dossier.id, "module_id": self.bank_module.id})
        self.assertEqual(dossier.active_module_ids, self.bank_module)
        groups = self.Dossier._read_group(
            [("id", "=", dossier.id)], ["active_module_ids"], ["__count"]
        )
        self.assertEqual(groups, [(self.bank_module, 1)])

    def test_kind_change_is_tracked(self):
        dossier = self._dossier("D007")
        self.flush_tracking()
        dossier.kind = "external"
        tracked = self._tracked(dossier, "kind")
        self.assertEqual(tracked.new_value_char, "External")

    def test_duplicate_is_a_new_a_dossier_with_a_free_code(self):
        """Duplicate (the form's and the list's Action menu) copies a dossier
        without its client access, under a code its office does not use."""
        dossier = self._dossier("D008", login=self._login("K"))
        self.Activation.create({"dossier_id": dossier.id, "module_id": self.bank_module.id})
        self._dossier("D008 (copy)", company=self.other_office)
        Dossier = self.Dossier.with_user(self.b_user)
        copy = Dossier.browse(dossier.id).copy()
        self.assertEqual(copy.code, "D008 (copy)", "another office's codes do not count")
        self.assertEqual((copy.name, copy.partner_id, copy.kind, copy.company_id),
                         (dossier.name, dossier.partner_id, "internal", self.office))
        self.assertEqual(copy.access_category, "A")
        self.assertFalse(copy.client_user_id)
        self.assertFalse(copy.activation_ids)
        self.assertFalse(copy.active_module_ids)
        self.assertEqual(dossier.access_category, "C", "the original keeps its access")
        # Once more, and several at once from the list: each takes the next free code.
        again = Dossier.browse(dossier.id).copy()
        other = self._dossier("D009")
        both = Dossier.browse((dossier | other).ids).copy()
        self.assertEqual(again.code, "D008 (copy 2)")
        self.assertEqual(both.mapped("code"), ["D008 (copy 3)", "D009 (copy)"])
        # A code named by the caller is taken as it is.
        self.assertEqual(Dossier.browse(other.id).copy({"code": "D010"}).code, "D010")

    def test_duplicate_names_the_copy_in_the_users_language(self):
        self.env["res.lang"]._activate_lang("fr_BE")
        self.env["ir.module.module"]._load_module_terms(["octopus_titulaires"], ["fr_BE"])
        self.b_user.lang = "fr_BE"
        dossier = self._dossier("D011")
        # As a web request of that user runs: its language in the context.
        Dossier = self.Dossier.with_user(self.b_user).with_context(lang="fr_BE")
        first, second = (Dossier.browse(dossier.id).copy() for _index in range(2))
        self.assertEqual((first.code, second.code), ("D011 (copie)", "D011 (copie 2)"))
