from datetime import date

from freezegun import freeze_time
from lxml import html

from odoo.tests import Form, new_test_user, tagged

from .common import B_USER_PASSWORD
from .invoice_common import InvoiceCase

COLLEAGUE_PASSWORD = "colleague-secret-2"


@tagged("post_install", "-at_install")
@freeze_time("2026-11-28")
class TestChangeRecap(InvoiceCase):
    """End Modules and Revoke Client Access say, before the password, what
    stops on which day and what the office's next invoice loses, priced as
    the next invoice prices it; a request to the holder shows the same."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The next invoice covers 2027 (365 days): Scan 365.00, API 100.00.
        cls.scan_activation = cls._activate(cls.c_dossier, cls.scan, date(2026, 1, 1))
        cls._activate(cls.c_dossier, cls.api, date(2026, 3, 1))
        cls.portal_user = new_test_user(
            cls.env, login="client.portal@example.be", name="Client Portal",
            groups="base.group_portal")
        cls.c_dossier.client_user_id.user_id = cls.portal_user

    def _dialog(self, operation, modules=None, date_end=None, user=None):
        Change = self.env["octopus.dossier.change"].with_user(user or self.b_user).with_context(
            active_model="octopus.dossier", active_ids=self.c_dossier.ids,
            default_operation=operation)
        with Form(Change) as form:
            for module in modules or ():
                form.module_ids.add(module)
            if date_end:
                form.date_end = date_end
        wizard = form.record
        wizard.action_next()
        return wizard

    def _text(self, recap):
        return " ".join(html.fromstring(str(recap)).text_content().split())

    def test_end_recaps_each_module_its_day_and_what_the_invoice_loses(self):
        wizard = self._dialog("end", self.scan, date(2027, 4, 1))
        preview = self.c_dossier._end_preview(self.scan, date(2027, 4, 1))
        line = preview["dossiers"][0]["lines"][0]
        # Before: the invoice's own line; after: Scan runs 90 days of 2027.
        self.assertEqual((line["module"], line["before"], line["after"]),
                         (self.scan, 365.0, 90.0))
        self.assertEqual(line["before"], self.scan_activation.next_invoice_amount)
        self.assertEqual((preview["loss"], preview["invoice_before"], preview["invoice_after"]),
                         (275.0, 1965.0, 1690.0))
        text = self._text(wizard.recap)
        for expected in ("[C100] Dossier C100", "Scan", "04/01/2027", "365.00", "90.00",
                         "loses 275.00", "from 1,965.00", "to 1,690.00"):
            self.assertIn(expected, text)
        self.assertNotIn("API", text, "only the chosen module stops")
        self.assertEqual(self._project(date(2026, 11, 28))["total"], 1965.0)
        self._confirm_with_password(wizard)
        self.assertEqual(self.scan_activation.date_end, date(2027, 4, 1))
        # The recap said what the next invoice became.
        self.assertEqual(self._project(date(2026, 11, 28))["total"], preview["invoice_after"])

    def test_revoke_recaps_login_modules_portal_user_and_invoice(self):
        login = self.c_dossier.client_user_id
        wizard = self._dialog("revoke")
        text = self._text(wizard.recap)
        for expected in (login.login, "is revoked: it holds no dossier any more", "Scan", "API",
                         "Client Portal", "client.portal@example.be", "loses access",
                         "11/28/2026", "loses 465.00", "from 1,965.00", "to 1,500.00"):
            self.assertIn(expected, text)
        self._confirm_with_password(wizard)
        self.assertEqual(login.state, "revoked")
        self.assertFalse(self.portal_user.active, "the recap named the portal user that lost it")
        self.assertEqual(self._project(date(2026, 11, 28))["total"], 1500.0)

    def test_revoke_of_one_dossier_of_a_login_says_what_it_keeps(self):
        login = self.c_dossier.client_user_id
        other = self._dossier("C200", login=login)
        preview = self.c_dossier._revoke_preview()
        self.assertEqual(len(preview["logins"]), 1)
        self.assertEqual(preview["logins"][0]["kept"], other)
        self.assertFalse(preview["logins"][0]["portal_user"], "the login keeps its portal user")
        text = self._text(self._dialog("revoke").recap)
        self.assertIn("it keeps [C200] Dossier C200", text)
        self.assertNotIn("loses access", text)

    def test_the_holder_sees_the_same_recap_priced_on_the_day_they_confirm(self):
        colleague = new_test_user(
            self.env, login="colleague", password=COLLEAGUE_PASSWORD,
            groups="octopus_titulaires.group_titulaire", company_id=self.office.id,
            company_ids=[(6, 0, self.office.ids)])
        self.office.write({"octopus_confirmation": "holder", "octopus_holder_id": self.b_user.id})
        wizard = self._dialog("end", self.scan, date(2027, 4, 1), user=colleague)
        request = self.env["octopus.access.request"].browse(
            wizard.action_ask_holder()["res_id"])
        self.assertIn("loses 275.00", self._text(request.recap))
        # Two months later the same end removes the same days from another year.
        with freeze_time("2027-01-15"):
            request.invalidate_recordset(["recap_today"])
            today = self._text(request.with_user(self.b_user).recap_today)
            self.assertIn("04/01/2027", today)
            self.assertIn("to 12/31/2028", today)
        answer = self.env["octopus.access.request.answer"].with_user(self.b_user).create(
            {"request_id": request.id, "answer": "confirm"})
        with Form(answer) as form:
            form.password = B_USER_PASSWORD
        answer.with_context(octopus_password=B_USER_PASSWORD).action_confirm()
        self.assertEqual(self.scan_activation.date_end, date(2027, 4, 1))
