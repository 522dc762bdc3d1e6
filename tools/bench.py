"""The README's benchmark (`make bench`): our Excel export against what a user
would otherwise do, on an office of 5,000 dossiers seeded in a fresh database.

Prints, median of three runs each:
  (a) our _build_xlsx() for all dossiers (three sheets),
  (b) Odoo's own list export to .xlsx of the same dossiers (export_data plus the
      web client's xlsx writer) with the columns code, name, client, kind,
      category, login, active modules,
  (c) plain openpyxl writing the same rows as (b),
the ratios a/b and a/c, the peak memory of (a), and the number of SQL queries of
the invoice projection for 50 and for 5,000 dossiers.
"""

import argparse
import base64
import io
import os
import statistics
import sys
import time
import tracemalloc
from datetime import date
from types import SimpleNamespace
from unittest.mock import patch

from openpyxl import Workbook, load_workbook

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import odoo_env  # noqa: E402 - after the path tweak above
import run_tests  # noqa: E402

EXPORT_FIELDS = ["code", "name", "partner_id", "kind", "access_category", "client_user_id",
                 "active_module_ids"]
IMPORT_ROWS = 20000
# Odoo's default --limit-time-real: the seconds one request may take.
LIMIT_TIME_REAL = 120
HEADERS = ["Code", "Name", "Client", "Kind", "Category", "Login", "Active modules"]


def seed(env, count):
    """An office with ``count`` dossiers, a third each A, B and C, one to four
    modules each on B and C dossiers."""
    company = env["res.company"].create(
        {"name": "Fiduciaire Benchmark", "octopus_b_number": "B99999999",
         "octopus_packet_deal_fee": 1500.0}
    )
    env = env(context=dict(env.context, allowed_company_ids=company.ids,
                           tracking_disable=True, mail_create_nolog=True,
                           mail_notrack=True))
    modules = env["octopus.module"].search([], order="sequence")
    partners = env["res.partner"].create(
        [{"name": f"Client {index:05d}", "is_company": True} for index in range(count)]
    )
    kinds = ["A", "B", "C"]
    logins = env["octopus.client.user"].create(
        [{"kind": "U" if kinds[index % 3] == "B" else "K", "company_id": company.id,
          "partner_id": partners[index].id, "email": f"client{index}@bench.example.be"}
         for index in range(count) if kinds[index % 3] != "A"]
    )
    login_iter = iter(logins)
    dossiers = env["octopus.dossier"].create(
        [{"code": f"{index:05d}", "name": f"Dossier {index:05d}",
          "partner_id": partners[index].id, "company_id": company.id,
          "kind": "external" if kinds[index % 3] == "B" else "internal",
          "client_user_id": next(login_iter).id if kinds[index % 3] != "A" else False}
         for index in range(count)]
    )
    env["octopus.module.activation"].create(
        [{"dossier_id": dossier.id, "module_id": module.id, "date_start": date(2026, 1, 1)}
         for index, dossier in enumerate(dossiers) if kinds[index % 3] != "A"
         for module in modules[: 1 + index % 4]]
    )
    env.flush_all()
    return env, company, dossiers


def time_import(env, company, count):
    """Preview, then import, ``count`` new dossiers with a module each from an
    .xlsx, as a B user does: two requests, each timed alone."""
    user = env["res.users"].create(
        {"name": "Bench Holder", "login": "bench_holder", "password": "bench-holder-password",
         "company_id": company.id, "company_ids": [(6, 0, company.ids)],
         "groups_id": [(6, 0, env.ref("octopus_titulaires.group_titulaire").ids)]}
    )
    env = env(user=user, context=dict(env.context, octopus_password="bench-holder-password"))
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["code", "name", "client", "vat", "kind", "login", "client_email", "modules"])
    for index in range(count):
        sheet.append([f"IMP{index:05d}", f"Imported {index}", f"Imported client {index}",
                      "", "internal", "", "", "BANK"])
    stream = io.BytesIO()
    workbook.save(stream)
    wizard = env["octopus.dossier.import"].create(
        {"file": base64.b64encode(stream.getvalue()), "filename": "bench.xlsx",
         "company_id": company.id}
    )
    started = time.perf_counter()
    wizard.action_preview()
    env.flush_all()
    preview_seconds = time.perf_counter() - started
    started = time.perf_counter()
    wizard.action_import()
    env.flush_all()
    return preview_seconds, time.perf_counter() - started


def count_cells(content):
    """Non-empty cells of a workbook, all sheets."""
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return sum(1 for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True)
               for value in row if value is not None)


def median_time(func, runs=3):
    times, result = [], None
    for _run in range(runs):
        started = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dossiers", type=int, default=5000)
    options = parser.parse_args()

    odoo_env.require_odoo()
    odoo_env.ensure_test_tools(lint=False)
    pg = odoo_env.postgres()
    dbname = "octopus_bench"
    run_tests.install_fresh(pg, dbname, ["--without-demo=all"])

    import odoo  # noqa: PLC0415 - after the import check
    from odoo.addons.web.controllers import export as web_export  # noqa: PLC0415
    from odoo.tools import config  # noqa: PLC0415

    config.parse_config([f"--database={dbname}",
                         f"--addons-path={odoo_env.default_addons_path()}",
                         *odoo_env.odoo_db_args(pg)])
    registry = odoo.modules.registry.Registry(dbname)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        started = time.perf_counter()
        env, company, dossiers = seed(env, options.dossiers)
        # Measure on a database as an office runs it: committed, with planner statistics.
        cr.commit()
        cr.execute("ANALYZE")
        odoo_env.say(f"seeded {len(dossiers)} dossiers in {time.perf_counter() - started:.0f}s")
        today = date(2026, 11, 28)
        builder = env["octopus.dossier.xlsx"]

        def ours():
            env.invalidate_all()
            return builder._build(company, today)

        def odoo_list_export():
            env.invalidate_all()
            records = env["octopus.dossier"].search([("company_id", "=", company.id)])
            rows = records.export_data(EXPORT_FIELDS)["datas"]
            fields = [{"type": records._fields[name].type} for name in EXPORT_FIELDS]
            with patch.object(web_export, "request", SimpleNamespace(env=env)):
                content = web_export.ExcelExport().from_data(fields, HEADERS, rows)
            return content, rows

        def plain_openpyxl(rows):
            workbook = Workbook()
            sheet = workbook.active
            sheet.append(HEADERS)
            for row in rows:
                sheet.append(row)
            stream = io.BytesIO()
            workbook.save(stream)
            return stream.getvalue()


        time_a, content_a = median_time(ours)
        time_b, (content_b, rows) = median_time(odoo_list_export)
        time_c, _content_c = median_time(lambda: plain_openpyxl(rows))

        env.invalidate_all()
        tracemalloc.start()
        builder._build(company, today)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

        def projection_queries(selection):
            env.invalidate_all()
            before = cr.sql_log_count
            company._octopus_project_invoice(today, selection)
            return cr.sql_log_count - before

        queries_50 = projection_queries(dossiers[:50])
        queries_all = projection_queries(None)
        preview_seconds, import_seconds = time_import(env, company, IMPORT_ROWS)

    print(f"dossiers: {options.dossiers}")
    print(f"(a) our _build_xlsx, 3 sheets:           {time_a:8.2f} s  ({len(content_a):,} bytes)")
    print(f"(b) Odoo list export to .xlsx:           {time_b:8.2f} s  ({len(content_b):,} bytes)")
    print(f"(c) plain openpyxl, same rows as (b):    {time_c:8.2f} s")
    print(f"ratio a/b: {time_a / time_b:.2f}   ratio a/c: {time_a / time_c:.2f}")
    cells_a = count_cells(content_a)
    cells_b = count_cells(content_b)
    print(f"cells written: (a) {cells_a:,}  (b) {cells_b:,}; per 1,000 cells: "
          f"(a) {1e6 * time_a / cells_a:.1f} ms  (b) {1e6 * time_b / cells_b:.1f} ms")
    print(f"peak memory of (a): {peak / 1024 / 1024:.1f} MiB (tracemalloc)")
    print(f"projection queries: {queries_50} for 50 dossiers, {queries_all} for "
          f"{options.dossiers} dossiers")
    slowest = max(preview_seconds, import_seconds)
    print(f"import of {IMPORT_ROWS:,} new rows (.xlsx) as a B user: preview {preview_seconds:.2f} s, "
          f"import {import_seconds:.2f} s; the slower request takes "
          f"{100 * slowest / LIMIT_TIME_REAL:.0f} % of Odoo's default limit_time_real "
          f"({LIMIT_TIME_REAL} s)")


if __name__ == "__main__":
    main()
