import base64
import io
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time
from openpyxl import load_workbook

from odoo.addons.mail.tests.common import MockEmail
from odoo.exceptions import AccessError
from odoo.tests import tagged

from ..models import octopus_billing_summary as billing_summary
from .invoice_common import InvoiceCase

CRON = "octopus_titulaires.ir_cron_billing_summary"


@tagged("post_install", "-at_install")
@freeze_time("2026-11-28")
class TestBillingSummary(InvoiceCase, MockEmail):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._activate(cls.c_dossier, cls.scan, date(2026, 1, 1))
        # Only the offices of this test: demo data may hold others.
        cls.env.ref(CRON).sudo().write({"active": True})

    def setUp(self):
        super().setUp()
        offices = self.office | self.other_office
        self.patch(
            type(self.env["octopus.billing.summary"]), "_billing_companies_domain",
            lambda _self: [("id", "in", offices.ids)],
        )

    def _summaries(self, office=None):
        return self.env["octopus.billing.summary"].search(
            [("company_id", "=", (office or self.office).id)]
        )

    def test_cron_creates_one_summary_per_office_with_its_workbook_and_mail(self):
        with self.mock_mail_gateway():
            self.env.ref(CRON).method_direct_trigger()
        summary = self._summaries()
        self.assertEqual(len(summary), 1)
        self.assertEqual((summary.date_from, summary.date_to),
                         (date(2026, 11, 1), date(2026, 11, 30)))
        self.assertEqual((summary.invoice_date_from, summary.invoice_date_to),
                         (date(2027, 1, 1), date(2027, 12, 31)))
        self.assertEqual((summary.packet_deal_fee, summary.amount_modules, summary.amount_total),
                         (1500.0, 365.0, 1865.0))
        workbook = load_workbook(io.BytesIO(base64.b64decode(summary.attachment_id.datas)))
        totals = [row for row in workbook["Next invoice"].iter_rows(values_only=True)
                  if row[2] == "Total of the next invoice"]
        self.assertEqual(totals[0][7], summary.amount_total)
        mail = self.assertMailMail(self.b_user.partner_id, "outgoing",
                                   content="Total", fields_values={"subject":
                                   "Octopus billing summary Fiduciaire Test, November 2026"})
        self.assertEqual(mail.attachment_ids.name, summary.attachment_id.name)
        self.assertNotIn(self.other_b_user.partner_id, mail.recipient_ids)

    def test_cron_run_twice_sends_nothing_twice(self):
        with self.mock_mail_gateway():
            self.env.ref(CRON).method_direct_trigger()
            self.env.ref(CRON).method_direct_trigger()
        self.assertEqual(len(self._summaries()), 1)
        mails = self._new_mails.filtered(lambda mail: mail.model == "octopus.billing.summary")
        self.assertEqual(len(mails), 2, "one for each of the two offices, once")

    def test_an_office_without_b_number_is_skipped_quietly(self):
        self.office.octopus_b_number = False
        # Odoo's test runner raises the level of INFO logs: the logger is watched.
        with self.mock_mail_gateway(), patch.object(billing_summary, "_logger") as logger:
            self.env.ref(CRON).method_direct_trigger()
        logger.info.assert_called_once_with(
            "Octopus billing summary: office %s has no B number yet, skipped", "Fiduciaire Test"
        )
        logger.exception.assert_not_called()
        logger.error.assert_not_called()
        self.assertFalse(self._summaries())
        self.assertEqual(len(self._summaries(self.other_office)), 1)

    def test_a_failing_office_is_logged_and_does_not_stop_the_others(self):
        # A module billed on the office's invoice whose tariffs were removed.
        self.scan.tariff_ids.unlink()
        with self.mock_mail_gateway(), self.assertLogs(
            "odoo.addons.octopus_titulaires.models.octopus_billing_summary", level="ERROR"
        ) as logs:
            self.env.ref(CRON).method_direct_trigger()
        self.assertIn("failed for office Fiduciaire Test", logs.output[0])
        self.assertFalse(self._summaries())
        self.assertFalse(self.env["ir.attachment"].search(
            [("res_model", "=", "octopus.billing.summary"), ("name", "ilike", "B00000001")]
        ), "no file without its summary")
        self.assertEqual(len(self._summaries(self.other_office)), 1)

    def test_b_user_of_another_office_cannot_read_the_summary(self):
        with self.mock_mail_gateway():
            self.env.ref(CRON).method_direct_trigger()
        summary = self._summaries()
        Summary = self.env["octopus.billing.summary"]
        self.assertNotIn(summary, Summary.with_user(self.other_b_user).search([]))
        self.assertIn(summary, Summary.with_user(self.b_user).search([]))
        with self.assertRaises(AccessError):
            summary.with_user(self.other_b_user).read(["amount_total"])
        with self.assertRaises(AccessError):
            Summary.with_user(self.plain_user).search([])
