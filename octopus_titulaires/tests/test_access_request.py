from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from .common import B_USER_PASSWORD, OctopusCase, load_language, load_migration

COLLEAGUE_PASSWORD = "colleague-secret-2"
REASON = "Not this year: the client has not paid its last invoice."


@tagged("post_install", "-at_install")
@freeze_time("2026-11-28")
class TestAccessRequest(OctopusCase):
    """Four eyes without sharing a password: a colleague of the office holder
    asks the holder to confirm a grant or a change; the holder confirms it with
    their own password, which makes the dialog's change, or refuses it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.holder = cls.b_user
        cls.holder.name = "Sophie Delvaux"
        cls.colleague = new_test_user(
            cls.env, login="colleague", name="Marc Lambert", password=COLLEAGUE_PASSWORD,
            email="colleague@fiduciaire-test.example.be",
            groups="octopus_titulaires.group_titulaire", company_id=cls.office.id,
            company_ids=[(6, 0, cls.office.ids)])
        cls.other_colleague = new_test_user(
            cls.env, login="other_colleague", name="Julie Peeters", groups="octopus_titulaires.group_titulaire",
            company_id=cls.office.id, company_ids=[(6, 0, cls.office.ids)])
        cls.office.write({"octopus_confirmation": "holder", "octopus_holder_id": cls.holder.id})
        cls.dossier = cls._dossier("REQ1")
        cls.dms_module = cls.env.ref("octopus_titulaires.module_dms")
        cls.Request = cls.env["octopus.access.request"]

    def setUp(self):
        super().setUp()
        failures = self.registry.__dict__.get("_octopus_password_failures")
        if failures is not None:
            self.addCleanup(failures.clear)

    # -- helpers ---------------------------------------------------------------

    def _grant_dialog(self, user, dossier=None, modules=None):
        return self.env["octopus.dossier.grant"].with_user(user).create({
            "dossier_ids": [(6, 0, (dossier or self.dossier).ids)],
            "office_email": "bureau@req.example.be", "client_email": "client@req.example.be",
            "module_ids": [(6, 0, (modules or self.bank_module).ids)], "state": "password"})

    def _change_dialog(self, user, dossier, operation, modules=None):
        return self.env["octopus.dossier.change"].with_user(user).create({
            "dossier_ids": [(6, 0, dossier.ids)], "operation": operation,
            "module_ids": [(6, 0, modules.ids if modules else [])], "state": "password"})

    def _ask(self, dialog):
        """The colleague's Ask the Holder to Confirm, from the dialog's last
        screen as the web client saves it: without a password."""
        with Form(dialog) as form:
            self.assertFalse(form.password)
        action = dialog.action_ask_holder()
        self.assertEqual((action["res_model"], action["target"]),
                         ("octopus.access.request", "current"))
        return self.Request.browse(action["res_id"])

    def _c_dossier(self, code):
        dossier = self._dossier(code, login=self._login("K"))
        dossier.sudo()._create_activations(self.portal_module)
        return dossier

    def _answer(self, request, answer, user=None):
        return self.env["octopus.access.request.answer"].with_user(user or self.holder).create(
            {"request_id": request.id, "answer": answer})

    def _confirm(self, request, user=None, password=B_USER_PASSWORD):
        """The holder's answer as the web client sends it: the password in the
        Confirm button's context."""
        answer = self._answer(request, "confirm", user)
        with Form(answer) as form:
            form.password = password
        return answer.with_context(octopus_password=password).action_confirm()

    def _refuse(self, request, reason=REASON, user=None):
        answer = self._answer(request, "refuse", user)
        answer.reason = reason
        return answer.action_refuse()

    def _access(self, *dossiers):
        """What the dossiers' client access is, with the ledger and the logins."""
        return (self._counts(), self.Dossier.concat(*dossiers)._access_states())

    def _last_message(self, record):
        return record.message_ids.filtered("body")[:1].body

    # -- asking ----------------------------------------------------------------

    def test_a_colleague_asks_and_the_holder_gets_an_activity(self):
        dialog = self._grant_dialog(self.colleague)
        self.assertTrue(dialog.can_ask_holder)
        before = self._access(self.dossier)
        with self.mock_mail_gateway():
            request = self._ask(dialog)
        self.assertEqual(self._access(self.dossier), before, "asking changes no access")
        self.assertEqual(self.dossier.access_category, "A")
        self.assertRecordValues(request, [{
            "state": "requested", "operation": "grant", "company_id": self.office.id,
            "office_email": "bureau@req.example.be", "client_email": "client@req.example.be",
            "portal_access": True, "requested_by_id": self.colleague.id,
            "holder_id": self.holder.id, "client_user_id": False,
        }])
        self.assertEqual(request.dossier_ids, self.dossier)
        self.assertEqual(request.module_ids, self.bank_module | self.portal_module)
        preview = self.dossier._cost_preview(self.bank_module | self.portal_module,
                                            date(2026, 11, 28))
        self.assertEqual((request.amount_annual, request.amount_prorated),
                         (preview["annual_total"], preview["prorated_total"]))
        self.assertTrue(request.amount_annual)
        self.assertIn("[REQ1] Dossier REQ1", request.recap)
        self.assertIn("Yearly cost", request.recap)
        # The holder's activity, which Odoo mails to the holder.
        activity = request.activity_ids
        self.assertRecordValues(activity, [{
            "user_id": self.holder.id, "summary": "Confirm with your password",
            "activity_type_id": self.env.ref("mail.mail_activity_data_todo").id}])
        self.assertIn("Marc Lambert asks you to confirm: Grant client access: REQ1", activity.note)
        self.assertSentEmail(self.colleague.partner_id, [self.holder.partner_id])
        # The dashboard counts it for the office's B users.
        for user in (self.colleague, self.holder):
            self.assertEqual(self.office.with_user(user).octopus_dashboard["requests"], 1)
        action = self.office.with_user(self.holder).action_octopus_requests()
        self.assertEqual(action["domain"], [("company_id", "=", self.office.id)])
        self.assertEqual(action["context"].get("search_default_waiting"), 1)
        self.assertEqual(self.Request.with_user(self.holder).search(
            action["domain"] + [("state", "=", "requested")]), request)

    def test_only_a_colleague_of_a_holder_asks(self):
        holder_dialog = self._grant_dialog(self.holder)
        self.assertFalse(holder_dialog.can_ask_holder)
        with self.assertRefused(UserError, "You are the office holder"):
            holder_dialog.action_ask_holder()
        self.office.octopus_confirmation = "user"
        dialog = self._grant_dialog(self.colleague)
        self.assertFalse(dialog.can_ask_holder)
        with self.assertRefused(UserError, "own password: it has no office holder to ask"):
            dialog.action_ask_holder()
        self.office.write({"octopus_confirmation": "holder", "octopus_holder_id": False})
        with self.assertRefused(UserError, "names no holder yet"):
            dialog.action_ask_holder()
        # What the dialog's own screens refuse is refused before asking.
        self.office.octopus_holder_id = self.holder
        dialog.client_email = "not an address"
        with self.assertRefused(UserError, "Client e-mail is missing or not a valid"):
            dialog.action_ask_holder()
        self.assertFalse(self.Request.search([]))

    # -- confirming ------------------------------------------------------------

    def test_the_holder_confirms_a_grant_with_their_own_password(self):
        request = self._ask(self._grant_dialog(self.colleague))
        before = self._access(self.dossier)
        # Neither who asked nor another colleague answers, whatever the password.
        for user, password in ((self.colleague, COLLEAGUE_PASSWORD),
                               (self.colleague, B_USER_PASSWORD),
                               (self.other_colleague, B_USER_PASSWORD)):
            with self.subTest(user=user.login, password=password):
                with self.assertRefused(UserError, "Only the office holder of Fiduciaire Test, "
                                                   "Sophie Delvaux, confirms or refuses"):
                    request.with_user(user).action_open_confirm()
                with self.assertRefused(UserError, "Only the office holder"):
                    self._confirm(request, user, password)
        self.assertFalse(request.with_user(self.colleague).can_answer)
        with self.assertRefused(UserError, "Wrong password: nothing was changed"):
            self._confirm(request, password=COLLEAGUE_PASSWORD)
        self.assertEqual(self._access(self.dossier), before)
        self.assertEqual(request.state, "requested")

        self.assertTrue(request.with_user(self.holder).can_answer)
        self.assertIn("[REQ1] Dossier REQ1", request.with_user(self.holder).recap_today)
        with self.mock_mail_gateway():
            self._confirm(request)
        self.assertRecordValues(request, [{"state": "confirmed",
                                           "answered_by_id": self.holder.id}])
        self.assertFalse(request.activity_ids, "the holder's activity is done")
        self.assertEqual(self.dossier.access_category, "C")
        login = self.dossier.client_user_id
        self.assertEqual((login.email, login.office_email),
                         ("client@req.example.be", "bureau@req.example.be"))
        self.assertIn(login.login, self._last_message(request))
        self.assertIn(self.colleague.partner_id, request.message_ids[0].partner_ids)
        # The ledger, the chatter and the office's mails name who asked and who confirmed.
        activations = self.dossier.activation_ids
        self.assertEqual(activations.module_id, self.bank_module | self.portal_module)
        self.assertEqual(activations.activated_by_id, self.colleague)
        self.assertEqual(activations.confirmed_by_id, self.holder)
        both = "Asked by Marc Lambert and confirmed by Sophie Delvaux, the office holder."
        self.assertIn(f"Client access granted with login {login.login}",
                      self._last_message(self.dossier))
        self.assertIn(both, self._last_message(self.dossier))
        mails = self._new_mails.filtered(lambda mail: mail.model == "octopus.client.user")
        self.assertEqual(len(mails), 2)
        for mail in mails:
            with self.subTest(subject=mail.subject):
                self.assertIn("Asked by Marc Lambert and confirmed by", mail.body_html)
                self.assertIn("Sophie Delvaux, the office holder.", mail.body_html)
        with self.assertRefused(UserError, "is confirmed already"):
            self._confirm(request)

    def test_a_confirmed_request_does_what_the_dialog_does(self):
        """The holder's confirmation of a request and the holder's own dialog
        write the same login, modules and prices."""
        asked_for = self._dossier("REQ2")
        self._confirm(self._ask(self._grant_dialog(self.colleague, asked_for,
                                                   self.bank_module | self.dms_module)))
        self._confirm_with_password(self._grant_dialog(self.holder, self.dossier,
                                                       self.bank_module | self.dms_module))

        def result(dossier):
            login = dossier.client_user_id
            return (dossier.access_category, login.kind, login.state, login.email,
                    login.office_email, bool(login.user_id),
                    sorted((a.module_id.code, a.date_start, a.annual_price, a.date_end)
                           for a in dossier.activation_ids))

        self.assertEqual(result(asked_for), result(self.dossier))
        self.assertEqual(self.dossier.activation_ids.activated_by_id, self.holder)
        self.assertEqual(self.dossier.activation_ids.confirmed_by_id, self.holder)
        self.assertNotIn("Asked by", self._last_message(self.dossier))

    def test_the_holder_confirms_changes_of_modules(self):
        dossier = self._c_dossier("REQ3")
        request = self._ask(self._change_dialog(self.colleague, dossier, "activate",
                                                self.bank_module))
        self.assertEqual(request.operation, "activate")
        self.assertEqual(request.amount_annual, self.bank_module._get_price(date(2026, 11, 28)))
        self.assertIn("Activate modules", request.recap)
        self._confirm(request)
        bank = dossier.activation_ids.filtered(lambda a: a.module_id == self.bank_module)
        self.assertEqual((bank.activated_by_id, bank.confirmed_by_id),
                         (self.colleague, self.holder))
        self.assertIn(self.bank_module, dossier.active_module_ids)
        self.assertIn("Modules activated: Bank Statements", self._last_message(dossier))
        self.assertIn("Asked by Marc Lambert and confirmed by Sophie Delvaux", self._last_message(dossier))

        request = self._ask(self._change_dialog(self.colleague, dossier, "end",
                                                self.bank_module))
        self.assertFalse(request.amount_annual)
        self._confirm(request)
        self.assertNotIn(self.bank_module, dossier.active_module_ids)
        self.assertEqual(bank.ended_by_id, self.colleague)
        self.assertIn("Modules ended on", self._last_message(dossier))

        request = self._ask(self._change_dialog(self.colleague, dossier, "revoke"))
        self._confirm(request)
        self.assertEqual(dossier.access_category, "A")
        self.assertIn("Client access revoked", self._last_message(dossier))
        self.assertIn("Asked by Marc Lambert and confirmed by Sophie Delvaux", self._last_message(dossier))

    # -- refusing --------------------------------------------------------------

    def test_a_refusal_goes_back_to_the_requester_with_its_reason(self):
        request = self._ask(self._grant_dialog(self.colleague))
        before = self._access(self.dossier)
        with self.assertRefused(UserError, "Only the office holder"):
            self._refuse(request, user=self.colleague)
        with self.assertRefused(UserError, "Give the reason of the refusal"):
            self._refuse(request, reason="  ")
        self._refuse(request)
        self.assertEqual(self._access(self.dossier), before, "a refusal changes no access")
        self.assertRecordValues(request, [{"state": "refused", "refusal_reason": REASON,
                                           "answered_by_id": self.holder.id}])
        activity = request.activity_ids
        self.assertRecordValues(activity, [{"user_id": self.colleague.id,
                                            "summary": "Refused by the office holder"}])
        self.assertIn(REASON, activity.note)
        self.assertIn(f"Refused by Sophie Delvaux: {REASON}", self._last_message(request))
        with self.assertRefused(UserError, "is refused already"):
            self._confirm(request)
        self.assertEqual(self._access(self.dossier), before)

    # -- what changed meanwhile ------------------------------------------------

    def test_a_request_whose_dossiers_changed_is_refused_with_nothing_written(self):
        granted, archived = self.dossier, self._dossier("REQ4")
        revoked = self._c_dossier("REQ5")
        requests = {
            "granted": self._ask(self._grant_dialog(self.colleague, granted)),
            "archived": self._ask(self._grant_dialog(self.colleague, archived)),
            "revoked": self._ask(self._change_dialog(self.colleague, revoked, "activate",
                                                     self.bank_module)),
        }
        self.assertFalse(any(request.stale_reason for request in requests.values()))
        # Meanwhile, the holder grants at their own desk, a colleague archives a
        # dossier, and the holder revokes another.
        self._confirm_with_password(self._grant_dialog(self.holder, granted))
        archived.with_user(self.colleague).action_archive()
        self._confirm_with_password(self._change_dialog(self.holder, revoked, "revoke"))
        reasons = {
            "granted": rf"Dossier \[REQ1\] Dossier REQ1 was given client access \(login "
                       rf"{granted.client_user_id.login}\) since the request was asked",
            "archived": r"Dossier \[REQ4\] Dossier REQ4 was archived since the request was asked",
            "revoked": r"The client access of dossier \[REQ5\] Dossier REQ5 was revoked since",
        }
        before = self._access(granted, archived, revoked)
        for case, request in requests.items():
            with self.subTest(case=case):
                request = request.with_user(self.holder)
                self.assertRegex(request.stale_reason, reasons[case])
                self.assertTrue(request.can_answer, "a changed request is still refused")
                with self.assertRefused(UserError, reasons[case] + r".*Nothing was changed"):
                    self._confirm(request)
                self.assertEqual(self._access(granted, archived, revoked), before)
                self.assertEqual(request.state, "requested")
                self._refuse(request, "The dossier changed.")
                self.assertEqual(request.state, "refused")

    # -- the request itself ------------------------------------------------------

    def test_a_request_is_never_edited_nor_holds_a_password(self):
        request = self._ask(self._grant_dialog(self.colleague))
        for user in (self.colleague, self.holder, self.manager):
            with self.subTest(user=user.login):
                mine = request.with_user(user)
                with self.assertRefused(AccessError, "not allowed to modify"):
                    mine.write({"state": "confirmed"})
                with self.assertRefused(AccessError, "not allowed to modify"):
                    mine.write({"module_ids": [(4, self.dms_module.id)]})
                with self.assertRefused(AccessError, "not allowed to delete"):
                    mine.unlink()
                with self.assertRefused(AccessError, "not allowed to create"):
                    self.Request.with_user(user).create({
                        "operation": "revoke", "company_id": self.office.id,
                        "dossier_ids": [(6, 0, self.dossier.ids)]})
        self.assertRecordValues(request, [{"state": "requested"}])
        self.assertEqual(request.module_ids, self.bank_module | self.portal_module)
        # Another office's B user does not even read it.
        with self.assertRefused(AccessError, "doesn't have 'read' access"):
            request.with_user(self.other_b_user).read(["state"])
        self._confirm(request)
        self.env.flush_all()
        self.env.cr.execute(
            """SELECT table_name, column_name FROM information_schema.columns
                WHERE table_name IN ('octopus_access_request', 'octopus_access_request_answer')
                  AND column_name ILIKE %s""", ["%passw%"])
        self.assertEqual(self.env.cr.fetchall(), [], "no column may hold a password")
        self.env.cr.execute(
            "SELECT count(*) FROM octopus_access_request r, octopus_access_request_answer a "
            "WHERE row_to_json(r)::text LIKE %s OR row_to_json(a)::text LIKE %s",
            [f"%{B_USER_PASSWORD}%"] * 2)
        self.assertEqual(self.env.cr.fetchone()[0], 0)

    def test_the_requester_cancels_and_a_new_holder_answers(self):
        cancelled = self._ask(self._grant_dialog(self.colleague))
        with self.assertRefused(UserError, "Only Marc Lambert, who asked, cancels"):
            cancelled.with_user(self.other_colleague).action_cancel()
        cancelled.with_user(self.colleague).action_cancel()
        self.assertEqual(cancelled.state, "cancelled")
        self.assertFalse(cancelled.activity_ids)

        request = self._ask(self._grant_dialog(self.colleague))
        self.office.octopus_holder_id = self.other_colleague
        self.assertEqual(request.holder_id, self.other_colleague)
        self.assertEqual(request.activity_ids.user_id, self.other_colleague)
        with self.assertRefused(UserError, "Only the office holder of Fiduciaire Test, "
                                           "Julie Peeters"):
            self._confirm(request)
        # Who asked, named holder since, does not confirm their own request.
        self.office.octopus_holder_id = self.colleague
        with self.assertRefused(UserError, "You asked for this change yourself"):
            self._confirm(request, self.colleague, COLLEAGUE_PASSWORD)
        self.office.octopus_holder_id = self.other_colleague
        self.other_colleague.password = "other-secret-3"
        self._confirm(request, self.other_colleague, "other-secret-3")
        self.assertEqual(self.dossier.access_category, "C")
        self.assertEqual(self.dossier.activation_ids.confirmed_by_id, self.other_colleague)

    def test_an_upgrade_writes_the_grants_mails_again(self):
        """The templates of an upgraded database, which its upgrade does not
        load again (noupdate), are reset from the addon with their French."""
        load_language(self.env, "fr_BE", ["octopus_titulaires"])
        templates = [self.env.ref(f"octopus_titulaires.{name}") for name in (
            "mail_template_activation_confirmation", "mail_template_client_username")]
        for template in templates:
            template.with_context(lang="en_US").body_html = "<p>As the office left it</p>"
            template.with_context(lang="fr_BE").body_html = "<p>Comme le bureau l'a laissé</p>"
        load_migration("18.0.1.3.0", "post-migrate").migrate(self.env.cr, "18.0.1.2.0")
        for template in templates:
            with self.subTest(template=template.name):
                template.invalidate_recordset()
                self.assertIn("Asked by <t t-out=\"confirmation.requested_by.name",
                              template.with_context(lang="en_US").body_html)
                self.assertIn("Demandé par <t t-out=\"confirmation.requested_by.name",
                              template.with_context(lang="fr_BE").body_html)
