"""The office holder's confirmation, attacked as the real users of two offices
over JSON-RPC: a colleague's own password, the rule itself, another office's
holder. Each attack is re-read as superuser."""

from odoo.tests import tagged

from .test_attacks_rpc import (ACCESS_ERROR, PASSWORDS, RULE_REFUSAL, USER_ERROR,
                               VALIDATION_ERROR, RpcAttackCase)


class HolderRpcCase(RpcAttackCase):
    """The two offices confirm with their holders: office 1 with b1, office 2 with b2."""

    def setUp(self):
        super().setUp()
        self.office.write({"octopus_confirmation": "holder", "octopus_holder_id": self.b1.id})
        self.other_office.write({"octopus_confirmation": "holder",
                                 "octopus_holder_id": self.b2.id})


@tagged("post_install", "-at_install")
class TestRpcAttacksHolder(HolderRpcCase):

    def _confirm(self, grant_id, password):
        return self.button("octopus.dossier.grant", "action_confirm", grant_id,
                           {"octopus_password": password})

    def test_01_a_colleague_confirms_only_with_the_holders_password(self):
        self.login_as(self.b1_colleague)
        grant_id = self._grant(self.dossier_a, state="password")
        before = self._written()
        for password in (PASSWORDS["atk_b1_colleague"], PASSWORDS["atk_b2"]):
            with self.subTest(password=password):
                self.assertButtonRefused(USER_ERROR, "Wrong password.*office holder",
                                         "octopus.dossier.grant", "action_confirm", grant_id,
                                         {"octopus_password": password})
        self.assertEqual(self._written(), before)
        self._confirm(grant_id, PASSWORDS["atk_b1"])
        self.env.invalidate_all()
        self.assertEqual(self.dossier_a.access_category, "C")
        self.assertEqual(self.dossier_a.activation_ids.activated_by_id, self.b1_colleague)

    def test_02_the_rule_and_the_holder_are_not_the_office_users_to_change(self):
        for user in (self.b1_colleague, self.manager):
            self.login_as(user)
            for values in ({"octopus_confirmation": "user"},
                           {"octopus_holder_id": user.id}):
                with self.subTest(user=user.login, values=values):
                    self.assertRefused(ACCESS_ERROR, RULE_REFUSAL, "res.company", "write",
                                       [self.office.id], values)
        self.env.invalidate_all()
        self.assertEqual((self.office.octopus_confirmation, self.office.octopus_holder_id),
                         ("holder", self.b1))

    def test_03_the_holders_password_is_throttled_like_the_login_page(self):
        self.env["ir.config_parameter"].set_param("base.login_cooldown_after", 3)
        self.login_as(self.b1_colleague)
        grant_id = self._grant(self.dossier_a, state="password")
        before = self._written()
        for attempt in range(3):
            self.assertButtonRefused(USER_ERROR, "Wrong password", "octopus.dossier.grant",
                                     "action_confirm", grant_id,
                                     {"octopus_password": f"guess-{attempt}"})
        self.assertButtonRefused(USER_ERROR, "Too many wrong passwords", "octopus.dossier.grant",
                                 "action_confirm", grant_id,
                                 {"octopus_password": PASSWORDS["atk_b1"]})
        self.assertEqual(self._written(), before)
        # Another office's holder does not even see the dossier: no dialog
        # holds it for them, nothing changes here.
        self.login_as(self.b2)
        self.assertRefused(VALIDATION_ERROR, rf"You may not change these dossiers .*: "
                           rf"#{self.dossier_a.id}\.", "octopus.dossier.grant", "web_save", [],
                           {"dossier_ids": [[6, 0, self.dossier_a.ids]],
                            "office_email": "bureau@attaque.example.be",
                            "client_email": "client@attaque.example.be", "state": "password"},
                           specification={"state": {}})
        self.assertEqual(self._written(), before)
