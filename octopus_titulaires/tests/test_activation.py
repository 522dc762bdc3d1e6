from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import OctopusCase


@tagged("post_install", "-at_install")
class TestActivation(OctopusCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.module = cls.env["octopus.module"].create(
            {
                "name": "Scan",
                "code": "SCAN",
                "tariff_ids": [(0, 0, {"date_from": date(2025, 1, 1), "annual_price": 50.0})],
            }
        )
        cls.dossier = cls._dossier("L001", login=cls._login("K"))

    def _activate(self, start, end=None, **values):
        return self.Activation.create(
            dict(
                {"dossier_id": self.dossier.id, "module_id": self.module.id,
                 "date_start": start, "date_end": end},
                **values,
            )
        )

    def test_price_and_user_are_frozen_at_activation(self):
        # As the dossier's access methods create it: superuser rights, the B user's id.
        activation = self.Activation.with_user(self.b_user).sudo().create(
            {"dossier_id": self.dossier.id, "module_id": self.module.id,
             "date_start": date(2026, 2, 1), "annual_price": 0.0}
        )
        self.assertEqual(activation.annual_price, 50.0, "the price is the tariff's, not the caller's")
        self.assertEqual(activation.activated_by_id, self.b_user)

    def test_users_cannot_write_the_ledger_themselves(self):
        before = self._counts()
        for user in (self.b_user, self.manager):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    self.Activation.with_user(user).create(
                        {"dossier_id": self.dossier.id, "module_id": self.module.id}
                    )
        self.assertEqual(self._counts(), before)

    def test_later_tariff_changes_only_new_activations(self):
        old = self._activate(date(2026, 2, 1), date(2026, 5, 31))
        self.env["octopus.module.tariff"].create(
            {"module_id": self.module.id, "date_from": date(2026, 6, 1), "annual_price": 80.0}
        )
        new = self._activate(date(2026, 6, 1))
        self.assertEqual(old.annual_price, 50.0)
        self.assertEqual(new.annual_price, 80.0)

    def test_module_without_tariff_cannot_be_activated(self):
        untariffed = self.env["octopus.module"].create({"name": "Free?", "code": "NOTARIFF"})
        before = self._counts()
        # The day as the user's language writes it (en_US here), not ISO.
        with self.assertRefused(UserError, "has no tariff valid on 02/01/2026"):
            self._activate(date(2026, 2, 1), module_id=untariffed.id)
        self.assertEqual(self._counts(), before)

    def test_end_before_start_is_refused(self):
        before = self._counts()
        with self.assertRefused(ValidationError,
                                r"cannot end \(02/28/2026\) before it starts \(03/01/2026\)"):
            self._activate(date(2026, 3, 1), date(2026, 2, 28))
        self.assertEqual(self._counts(), before)

    def test_same_day_start_and_end_is_allowed(self):
        activation = self._activate(date(2026, 3, 1), date(2026, 3, 1))
        self.assertEqual(activation.date_end, activation.date_start)

    def test_overlap_with_a_running_activation_is_refused(self):
        self._activate(date(2026, 1, 1))
        before = self._counts()
        with self.assertRefused(ValidationError, "already active on dossier .* from 01/01/2026"):
            self._activate(date(2026, 4, 1), date(2026, 4, 30))
        self.assertEqual(self._counts(), before)

    def test_overlap_with_an_ended_activation_is_refused(self):
        self._activate(date(2026, 1, 1), date(2026, 3, 31))
        before = self._counts()
        with self.assertRefused(ValidationError, "already active on dossier"):
            self._activate(date(2025, 12, 1))
        with self.assertRefused(ValidationError, "already active on dossier"):
            self._activate(date(2026, 3, 30), date(2026, 5, 1))
        self.assertEqual(self._counts(), before)
        # Ended on 31 March, it does not run that day: a new period may start then.
        self.assertTrue(self._activate(date(2026, 3, 31)))

    def test_consecutive_periods_and_other_modules_are_allowed(self):
        first = self._activate(date(2026, 1, 1), date(2026, 3, 31))
        second = self._activate(date(2026, 4, 1))
        other = self._activate(date(2026, 1, 1), module_id=self.bank_module.id)
        self.assertEqual(len(first | second | other), 3)

    def test_reopening_an_ended_period_over_another_is_refused(self):
        first = self._activate(date(2026, 1, 1), date(2026, 3, 31))
        self._activate(date(2026, 4, 1))
        with self.assertRefused(ValidationError, "already active on dossier"):
            first.date_end = date(2026, 4, 15)
        self.assertEqual(first.date_end, date(2026, 3, 31))

    @freeze_time("2026-06-15")
    def test_ending_records_who_ended_and_keeps_the_line(self):
        activation = self._activate(date(2026, 1, 1))
        activation.with_user(self.b_user).sudo().date_end = date(2026, 6, 15)
        self.assertEqual(activation.ended_by_id, self.b_user)
        self.assertTrue(activation.exists())

    def test_ledger_lines_cannot_be_rewritten_or_deleted(self):
        activation = self._activate(date(2026, 1, 1))
        with self.assertRefused(UserError, "append-only.*annual_price"):
            activation.annual_price = 1.0
        with self.assertRefused(UserError, "append-only.*date_start"):
            activation.date_start = date(2026, 2, 1)
        with self.assertRefused(UserError, "append-only"):
            activation.unlink()
        self.assertEqual(activation.annual_price, 50.0)
        self.assertEqual(activation.date_start, date(2026, 1, 1))
