"""Run Odoo's own server command and write its test report as JSON.

Odoo logs "N failed, N error(s) of N tests" but not how many were skipped; a
skipped tour must not pass unnoticed, so the counts are read from the report
object itself once the registry has run its tests.

Usage: python3 odoo_harness.py REPORT.json <odoo server options>
"""

import json
import sys

from odoo.cli.server import main as server_main
from odoo.modules.registry import Registry
from odoo.service import server

REPORT_PATH = sys.argv[1]
_original_preload = server.preload_registries


def _preload_and_record(dbnames):
    rc = _original_preload(dbnames)
    counts = {"rc": rc, "tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for dbname in dbnames or []:
        registry = Registry.registries[dbname] if dbname in Registry.registries else None
        report = registry and registry._assertion_report
        if report:
            counts["tests"] += report.testsRun
            counts["failures"] += report.failures_count
            counts["errors"] += report.errors_count
            counts["skipped"] += report.skipped
    with open(REPORT_PATH, "w", encoding="utf-8") as report_file:
        json.dump(counts, report_file)
    return rc


server.preload_registries = _preload_and_record

if __name__ == "__main__":
    server_main(sys.argv[2:])
