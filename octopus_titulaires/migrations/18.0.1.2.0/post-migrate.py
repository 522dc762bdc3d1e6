"""The next invoice's amounts are no longer stored (issue 18): they are read
from ``octopus.invoice.line`` when they are read. The stored column of the
activations is dropped, so that nothing reads last year's figures from it.

The job that brings D up to date now catches up every day since its last
run and runs every hour: its record is kept by upgrades (noupdate), so its
rhythm is changed here."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    cr.execute("ALTER TABLE octopus_module_activation DROP COLUMN IF EXISTS next_invoice_amount")
    env = api.Environment(cr, SUPERUSER_ID, {})
    cron = env.ref("octopus_titulaires.ir_cron_refresh_active_modules", raise_if_not_found=False)
    if cron:
        cron.write({"interval_number": 1, "interval_type": "hours"})
