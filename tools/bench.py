"""The README's benchmark (`make bench`): how the addon's heavy paths scale, on
one office grown to 500, 5,000 and 50,000 dossiers (a third each A, B and C,
one to four modules on the B and C dossiers) in a fresh database.

For each size, the median of --runs runs on a cold ORM cache, each run's
writes rolled back:
- our Excel export, as a B user (the export dialog's _build_xlsx): time, peak
  memory (tracemalloc), queries;
- the writer's floor: the same cell values, already in Python lists, written
  by openpyxl write-only and by xlsxwriter constant_memory, no database;
- Odoo's own list export of the dossiers (export_data and the web client's
  xlsx writer), compared per cell;
  these three are called in turn, run after run, so that their ratios compare
  calls made in the same state of the machine;
- the next-invoice projection (res.company._octopus_project_invoice);
- the dossier list as the web client asks for it as a B user: its first page
  (web_search_read) and its counts per category (web_read_group);
- the refresh of D on an ordinary day, after a run the day before and after
  two weeks without a run, and the monthly billing job of the office;
- re-invoicing the last quarter's modules of the C dossiers to their clients
  (octopus_titulaires_account, res.company._octopus_reinvoice) as the B user
  with Invoicing rights: ONE run, which invoices at most REINVOICE_BATCH
  clients (one draft invoice each): its time (within half of limit_time_cpu),
  the invoices and lines it creates, its queries in all and per invoice (flat:
  not one per line), and how many runs the office needs for the quarter;
- the preview and the import of a typical .xlsx of as many new rows as the
  import accepts (each a dossier with a K login and a module), as a B user;
- the preview and the import of the largest .xlsx and of the largest .xls the
  import accepts, at their worst: every row a new internal dossier with a new
  K login and the modules PORTAL and BANK, every column filled with texts of
  their own as long as the limits let the file be (the .xlsx's shared strings
  as large as they may be). Each request must stay within half of Odoo's
  default limit_time_cpu.

Prints one table with each figure's growth between the last two sizes and the
goals met or not, and writes the same to bench-results/. --only-import times
the imports alone.
"""

import argparse
import base64
import importlib.util
import inspect
import io
import os
import platform
import random
import statistics
import string
import sys
import time
import tracemalloc
import zipfile
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from unittest.mock import patch

import xlsxwriter
import xlwt
from freezegun import freeze_time
from openpyxl import Workbook, load_workbook

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import odoo_env  # noqa: E402 - after the path tweak above
import run_tests  # noqa: E402

DATABASE = "octopus_bench"
SIZES = (500, 5000, 50000)
RESULTS_DIR = os.path.join(odoo_env.REPO, "bench-results")
# The day the figures are computed for, and the day the refresh of D is timed
# on (some modules start every day), after a run the day before and after two
# weeks without a run.
TODAY = date(2026, 11, 28)
ORDINARY_DAY = date(2026, 6, 1)
MISSED_DAYS = {"refresh": 1, "refresh_weeks": 14}
FIRST_START = date(2026, 1, 1)
# The last full quarter on TODAY: what a quarterly office re-invoices.
REINVOICE_PERIOD = (date(2026, 7, 1), date(2026, 9, 30))
# The queries per invoice may vary this much between the sizes.
REINVOICE_FLAT_GOAL = 1.25
SEED_BATCH = 5000
# Odoo's default --limit-time-real: the seconds one request may take.
LIMIT_TIME_REAL = 120
# Half of Odoo's default --limit-time-cpu (60 s): what a preview or an import
# of the largest file the import accepts, or one run of re-invoicing, may take.
REQUEST_GOAL_S = 30
B_LOGIN, B_PASSWORD = "bench_holder", "bench-holder-password"
EXPORT_FIELDS = ["code", "name", "partner_id", "kind", "access_category", "client_user_id",
                 "active_module_ids"]
EXPORT_HEADERS = ["Code", "Name", "Client", "Kind", "Category", "Login", "Active modules"]
# What the web client reads for the first page of the dossier list (its columns).
LIST_SPECIFICATION = {
    "code": {}, "name": {}, "partner_id": {"fields": {"display_name": {}}}, "kind": {},
    "access_category": {}, "client_user_id": {"fields": {"display_name": {}}},
    "active_module_ids": {"fields": {"display_name": {}}}, "client_email": {},
    "company_id": {"fields": {"display_name": {}}},
}


def load_reader():
    """The import's reader, for its limits: plain Python (openpyxl, xlrd),
    loaded without Odoo."""
    path = os.path.join(odoo_env.REPO, odoo_env.ADDON, "tools", "spreadsheet_reader.py")
    spec = importlib.util.spec_from_file_location("spreadsheet_reader", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


READER = load_reader()
# The rows of the typical file under its header: as many as the import accepts.
IMPORT_ROWS = READER.MAX_ROWS - 1
WORST_MODULES = "PORTAL, BANK"
# The goals of the issue this benchmark answers.
FLOOR_RATIO_GOAL = 1.1
ODOO_CELL_RATIO_GOAL = 0.33
MEMORY_GOAL_MIB = 50

# The requests on the largest files the import accepts, at their worst, each
# within REQUEST_GOAL_S: (key, what).
WORST_IMPORTS = [
    ("worst_xlsx_preview_s", "largest .xlsx at its worst: preview"),
    ("worst_xlsx_import_s", "largest .xlsx at its worst: import"),
    ("worst_xls_preview_s", "largest .xls at its worst: preview"),
    ("worst_xls_import_s", "largest .xls at its worst: import"),
]

# (key, label, scale, format, how it may grow): "linear" at most as the
# dossiers, "flat" not at all; None for ratios. Times are kept in seconds.
MS = 1000
FIGURES = [
    ("export_s", "export: time (s)", 1, "{:.2f}", "linear"),
    ("export_mib", "export: peak memory (MiB)", 1, "{:.1f}", "linear"),
    ("export_sheets_mib", "export: peak memory before zipping (MiB)", 1, "{:.1f}", "flat"),
    ("export_file_mib", "export: file size (MiB)", 1, "{:.1f}", "linear"),
    ("export_queries", "export: queries", 1, "{:.0f}", "flat"),
    ("export_cells", "export: cells written", 1, "{:,.0f}", "linear"),
    ("floor_openpyxl_s", "floor: openpyxl write-only (s)", 1, "{:.2f}", "linear"),
    ("floor_xlsxwriter_s", "floor: xlsxwriter constant_memory (s)", 1, "{:.2f}", "linear"),
    ("floor_ratio", f"export / floor (goal <= {FLOOR_RATIO_GOAL})", 1, "{:.2f}", None),
    ("export_projection_s", "export: of which the projection (s)", 1, "{:.2f}", "linear"),
    ("floor_ratio_unpriced", "(export - projection) / floor", 1, "{:.2f}", None),
    ("odoo_export_s", "Odoo list export: time (s)", 1, "{:.2f}", "linear"),
    ("odoo_export_cells", "Odoo list export: cells", 1, "{:,.0f}", "linear"),
    ("cell_ms", "export: ms per 1,000 cells", 1, "{:.2f}", None),
    ("odoo_cell_ms", "Odoo list export: ms per 1,000 cells", 1, "{:.2f}", None),
    ("cell_ratio", f"export / Odoo per cell (goal <= {ODOO_CELL_RATIO_GOAL})", 1, "{:.2f}",
     None),
    ("projection_s", "projection: time (ms)", MS, "{:.0f}", "linear"),
    ("projection_queries", "projection: queries", 1, "{:.0f}", "flat"),
    ("list_page_s", "list, first page web_search_read (ms)", MS, "{:.1f}", "linear"),
    ("list_page_queries", "list, first page: queries", 1, "{:.0f}", "flat"),
    ("list_groups_s", "list, web_read_group by category (ms)", MS, "{:.1f}", "linear"),
    ("list_groups_queries", "list, group by category: queries", 1, "{:.0f}", "flat"),
    ("refresh_s", "refresh of D, ordinary day (ms)", MS, "{:.1f}", "linear"),
    ("refresh_queries", "refresh of D, ordinary day: queries", 1, "{:.0f}", "flat"),
    ("refresh_weeks_s", "refresh of D, after 2 missed weeks (ms)", MS, "{:.1f}", "linear"),
    ("refresh_weeks_queries", "refresh of D, 2 missed weeks: queries", 1, "{:.0f}", "flat"),
    ("billing_s", "billing job, one office (s)", 1, "{:.2f}", "linear"),
    ("billing_queries", "billing job: queries", 1, "{:.0f}", "flat"),
    ("reinvoice_s", "re-invoicing, one run: time (s)", 1, "{:.2f}", "linear"),
    ("reinvoice_invoices", "re-invoicing, one run: draft invoices", 1, "{:,.0f}", "linear"),
    ("reinvoice_lines", "re-invoicing, one run: invoice lines", 1, "{:,.0f}", "linear"),
    ("reinvoice_queries", "re-invoicing, one run: queries", 1, "{:,.0f}", "linear"),
    ("reinvoice_queries_per_invoice", "re-invoicing: queries per invoice", 1, "{:.2f}",
     "flat"),
    ("reinvoice_ms_per_invoice", "re-invoicing: ms per invoice", 1, "{:.0f}", "flat"),
    ("reinvoice_runs", "re-invoicing: runs the quarter needs", 1, "{:,.0f}", "linear"),
    ("preview_s", f"preview of {IMPORT_ROWS:,} rows (s)", 1, "{:.1f}", "linear"),
    ("import_s", f"import of {IMPORT_ROWS:,} rows (s)", 1, "{:.1f}", "linear"),
    *((key, f"{what} (s)", 1, "{:.1f}", "linear") for key, what in WORST_IMPORTS),
]

# Calls shorter than this are repeated more often (see measure()).
SHORT_CALL_S = 0.2
SHORT_RUNS = 15


# Seeding

def seed(env, company, first, count):
    """Add dossiers number ``first`` to ``first + count - 1`` to ``company``, a
    batch at a time: a third each A, B and C, one to four modules on the B and
    C dossiers, started on days spread over 2026."""
    modules = env["octopus.module"].search([], order="sequence")
    for start in range(first, first + count, SEED_BATCH):
        _seed_batch(env, company, modules, range(start, min(start + SEED_BATCH, first + count)))
        env.flush_all()
        env.invalidate_all()


def _seed_batch(env, company, modules, numbers):
    kinds = {number: "ABC"[number % 3] for number in numbers}
    partners = env["res.partner"].create(
        [{"name": f"Client {number:05d}", "is_company": True} for number in numbers]
    )
    partner_of = dict(zip(numbers, partners.ids))
    with_login = [number for number in numbers if kinds[number] != "A"]
    logins = env["octopus.client.user"].create(
        [{"kind": "U" if kinds[number] == "B" else "K", "company_id": company.id,
          "partner_id": partner_of[number], "email": f"client{number}@bench.example.be"}
         for number in with_login]
    )
    login_of = dict(zip(with_login, logins.ids))
    dossiers = env["octopus.dossier"].create(
        [{"code": f"{number:05d}", "name": f"Dossier {number:05d}",
          "partner_id": partner_of[number], "company_id": company.id,
          "kind": "external" if kinds[number] == "B" else "internal",
          "client_user_id": login_of.get(number, False)}
         for number in numbers]
    )
    env["octopus.module.activation"].create(
        [{"dossier_id": dossier.id, "module_id": module.id,
          "date_start": FIRST_START + timedelta(days=number % 330)}
         for number, dossier in zip(numbers, dossiers) if number in login_of
         for module in modules[: 1 + number % 4]]
    )


def create_office(env):
    """The benchmark's office and its B user, who may also use Odoo's list export."""
    company = env["res.company"].create(
        {"name": "Fiduciaire Benchmark", "octopus_b_number": "B99999999",
         "octopus_packet_deal_fee": 1500.0}
    )
    user = env["res.users"].with_context(no_reset_password=True).create(
        # An address of its own: the mails of the logins it imports go to it.
        {"name": "Bench Holder", "login": B_LOGIN, "password": B_PASSWORD,
         "email": "holder@bench.example.be", "company_id": company.id, "company_ids": [(6, 0, company.ids)],
         "groups_id": [(6, 0, [env.ref("octopus_titulaires.group_titulaire").id,
                               env.ref("base.group_allow_export").id,
                               env.ref("account.group_account_invoice").id])]}
    )
    # Re-invoicing every quarter through the sales journal of a generic chart.
    env["account.chart.template"].try_loading("generic_coa", company, install_demo=False)
    company.write({
        "octopus_reinvoice": True,
        "octopus_reinvoice_rhythm": "quarter",
        "octopus_reinvoice_journal_id": env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", company.id)], limit=1).id,
    })
    # The Octopus rule: the office's holder confirms, and the bench's B user is it.
    company.octopus_holder_id = user
    return company, user


# Measuring

def measure(env, func, runs):
    """Median seconds of ``runs`` calls of ``func``, its queries and result
    (see measure_in_turn)."""
    return measure_in_turn(env, {"": func}, runs)[""]


def measure_in_turn(env, funcs, runs):
    """For each of ``funcs`` (name -> function), called in turn so that a ratio
    between two of them compares calls made in the same state of the machine:
    the median seconds of ``runs`` calls on a cold ORM cache, the queries of the
    last call (the first one also fills Odoo's caches of access rules and
    translations, as a server's first request does) and its result. Every
    call's writes are rolled back, so that each one meets the same office. When
    the slowest call is shorter than SHORT_CALL_S, each is made at least
    SHORT_RUNS times: at that scale a busy machine's noise is as large as the
    differences measured."""
    cr = env.cr
    times = {name: [] for name in funcs}
    queries, results = {}, {}
    made = 0
    while made < runs or (
            made < SHORT_RUNS and max(max(spent) for spent in times.values()) < SHORT_CALL_S):
        made += 1
        for name, func in funcs.items():
            cr.rollback()
            before = cr.sql_log_count
            started = time.perf_counter()
            results[name] = func()
            env.flush_all()
            times[name].append(time.perf_counter() - started)
            queries[name] = cr.sql_log_count - before
    cr.rollback()
    return {name: (statistics.median(times[name]), queries[name], results[name])
            for name in funcs}


@contextmanager
def stopwatch(model, method, seconds):
    """Add to ``seconds`` the time spent in each call of ``model``'s ``method``,
    and in reading what it yields when it is a generator (the export prices
    the invoice's lines as it writes them)."""
    original = getattr(type(model), method)

    def timed_iteration(generator):
        spent = 0.0
        try:
            while True:
                started = time.perf_counter()
                try:
                    item = next(generator)
                except StopIteration:
                    return
                finally:
                    spent += time.perf_counter() - started
                yield item
        finally:
            seconds.append(spent)

    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            result = original(*args, **kwargs)
        finally:
            seconds.append(time.perf_counter() - started)
        return timed_iteration(result) if inspect.isgenerator(result) else result

    with patch.object(type(model), method, timed):
        yield


def peak_memory_mib(env, func):
    """Peak memory of ``func`` (tracemalloc), in all and before its workbook is
    closed: closing zips the sheets into the file, which grows with them."""
    before_close = []
    close = xlsxwriter.Workbook.close

    def noted_close(workbook):
        before_close.append(tracemalloc.get_traced_memory()[1])
        return close(workbook)

    env.cr.rollback()
    tracemalloc.start()
    try:
        with patch.object(xlsxwriter.Workbook, "close", noted_close):
            func()
        return tracemalloc.get_traced_memory()[1] / 2**20, before_close[0] / 2**20
    finally:
        tracemalloc.stop()
        env.cr.rollback()


def count_cells(content):
    """Non-empty cells of a workbook, all sheets."""
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return sum(1 for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True)
               for value in row if value is not None)


def floor_sheets(builder, company):
    """Our workbook's cell values, headers included, in plain Python lists."""
    return [
        (title, [[builder.env._(header) for header, _width, _kind in columns],
                 *(list(values) for values, _total in rows)])
        for title, columns, rows in builder._sheets(company, TODAY, None)
    ]


def write_openpyxl(sheets):
    workbook = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title=title)
        for row in rows:
            sheet.append(row)
    workbook.save(io.BytesIO())


def write_xlsxwriter(sheets):
    workbook = xlsxwriter.Workbook(io.BytesIO(), {"constant_memory": True})
    for title, rows in sheets:
        sheet = workbook.add_worksheet(title)
        for number, row in enumerate(rows):
            sheet.write_row(number, 0, row)
    workbook.close()


IMPORT_HEADER = ["code", "name", "client", "vat", "kind", "login", "client_email", "modules"]


def import_file(count):
    """An .xlsx of ``count`` new internal dossiers, each with a K login of its
    own and a module (modules run only on a dossier with a login)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(IMPORT_HEADER)
    for index in range(count):
        sheet.append([f"IMP{index:05d}", f"Imported {index}", f"Imported client {index}",
                      "", "internal", f"K{70000000 + index:08d}", "", "BANK"])
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def worst_rows(length):
    """The sheet of the largest file at its worst: its header and as many rows
    as the import accepts, each a new internal dossier with a new K login, a
    VAT number, an e-mail and WORST_MODULES, every other cell of its
    MAX_COLUMNS a text of its own (numbered, so that no two are shared)
    ending in ``length`` letters."""
    rng = random.Random(length)
    numbers = iter(range(READER.MAX_ROWS * READER.MAX_COLUMNS))

    def text():
        return f"{next(numbers)}{''.join(rng.choices(string.ascii_lowercase, k=length))}"

    yield IMPORT_HEADER + [f"note {column}"
                           for column in range(len(IMPORT_HEADER), READER.MAX_COLUMNS)]
    for index in range(1, READER.MAX_ROWS):
        vat = f"0{2000000 + index:07d}"
        yield [f"WC{index:05d} {text()}", f"Dossier {index} {text()}",
               f"Client {index} {text()}", f"BE{vat}{97 - int(vat) % 97:02d}", "internal",
               f"K{80000000 + index:08d}", f"client{index}@worst-case.example.be", WORST_MODULES,
               *(text() for _column in range(len(IMPORT_HEADER), READER.MAX_COLUMNS))]


def worst_xlsx(length):
    """Texts in shared strings, as Excel writes them."""
    stream = io.BytesIO()
    workbook = xlsxwriter.Workbook(stream)
    sheet = workbook.add_worksheet()
    for number, row in enumerate(worst_rows(length)):
        sheet.write_row(number, 0, row)
    workbook.close()
    return stream.getvalue()


def worst_xls(length):
    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet("Dossiers")
    for number, row in enumerate(worst_rows(length)):
        for column, value in enumerate(row):
            sheet.write(number, column, value)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def unzipped_size(content):
    return sum(part.file_size for part in zipfile.ZipFile(io.BytesIO(content)).infolist())


def longest_within(build, size, limit):
    """``build(length)`` for the longest texts whose file keeps ``size`` within
    ``limit``: the size grows with the length by as much per letter as the file
    holds texts."""
    base = size(build(1))
    length = 1 + (limit - base) // (size(build(2)) - base)
    while True:
        content = build(length)
        if size(content) <= limit:
            return content
        length -= 1


def import_files():
    """(prefix of the figures' keys, file name, content) of each file imported:
    the typical file, and the largest .xlsx and .xls at their worst."""
    return [
        ("", "typical.xlsx", import_file(IMPORT_ROWS)),
        ("worst_xlsx_", "worst.xlsx",
         longest_within(worst_xlsx, unzipped_size, READER.MAX_UNZIPPED_BYTES)),
        ("worst_xls_", "worst.xls", longest_within(worst_xls, len, READER.MAX_XLS_BYTES)),
    ]


def time_import(b_env, company, content, filename):
    """Preview, then import, as a B user does: two requests, each timed alone.
    The file must import whole: a refused one would time nothing."""
    wizard = b_env["octopus.dossier.import"].create(
        {"file": base64.b64encode(content), "filename": filename, "company_id": company.id}
    )
    started = time.perf_counter()
    wizard.action_preview()
    b_env.flush_all()
    preview_seconds = time.perf_counter() - started
    if wizard.problem_text:
        raise RuntimeError(f"{filename} does not import:\n{wizard.problem_text[:2000]}")
    started = time.perf_counter()
    wizard.action_import()
    b_env.flush_all()
    import_seconds = time.perf_counter() - started
    b_env.cr.rollback()
    return preview_seconds, import_seconds


def measure_imports(b_env, company, files):
    """The preview and the import of each of ``files`` (import_files)."""
    figures = {}
    for prefix, filename, content in files:
        figures[f"{prefix}preview_s"], figures[f"{prefix}import_s"] = time_import(
            b_env, company, content, filename)
    return figures


def measure_exports(env, b_env, company, runs):
    """Our export as a B user, the writer's floor (the same cells from Python
    lists, by each writer) and Odoo's list export of the dossiers, called in
    turn: time, queries, peak memory and cells of ours, and the ratios.

    The projection's share of our export is timed in runs of its own: its
    stopwatch costs time on each invoice line."""
    from odoo.addons.web.controllers import export as web_export  # noqa: PLC0415

    def export():
        return b_env["octopus.dossier.export"].create(
            {"company_id": company.id, "date": TODAY}
        )._build_xlsx()

    def odoo_list_export():
        records = b_env["octopus.dossier"].search([])
        rows = records.export_data(EXPORT_FIELDS)["datas"]
        columns = [{"type": records._fields[name].type} for name in EXPORT_FIELDS]
        with patch.object(web_export, "request", SimpleNamespace(env=b_env)):
            return web_export.ExcelExport().from_data(columns, EXPORT_HEADERS, rows)

    sheets = floor_sheets(b_env["octopus.dossier.xlsx"].with_company(company), company)
    env.cr.rollback()
    timed = measure_in_turn(env, {
        "export": export,
        "floor_openpyxl": lambda: write_openpyxl(sheets),
        "floor_xlsxwriter": lambda: write_xlsxwriter(sheets),
        "odoo_export": odoo_list_export,
    }, runs)
    figures = {}
    figures["export_s"], figures["export_queries"], content = timed["export"]
    figures["export_cells"] = count_cells(content)
    figures["export_file_mib"] = len(content) / 2**20
    figures["export_mib"], figures["export_sheets_mib"] = peak_memory_mib(env, export)

    projection_calls, projection_seconds = [], []

    def timed_export():
        projection_calls.clear()
        export()
        projection_seconds.append(sum(projection_calls))

    with stopwatch(company, "_octopus_invoice_lines", projection_calls):
        measure(env, timed_export, runs)
    figures["export_projection_s"] = statistics.median(projection_seconds)

    figures["floor_openpyxl_s"] = timed["floor_openpyxl"][0]
    figures["floor_xlsxwriter_s"] = timed["floor_xlsxwriter"][0]
    floor = min(figures["floor_openpyxl_s"], figures["floor_xlsxwriter_s"])
    figures["floor_ratio"] = figures["export_s"] / floor
    figures["floor_ratio_unpriced"] = (figures["export_s"] - figures["export_projection_s"]) / floor

    figures["odoo_export_s"], _queries, odoo_content = timed["odoo_export"]
    figures["odoo_export_cells"] = count_cells(odoo_content)
    figures["cell_ms"] = 1e6 * figures["export_s"] / figures["export_cells"]
    figures["odoo_cell_ms"] = 1e6 * figures["odoo_export_s"] / figures["odoo_export_cells"]
    figures["cell_ratio"] = figures["cell_ms"] / figures["odoo_cell_ms"]
    return figures


def measure_reads(env, b_env, company, runs):
    """The projection, and the dossier list as the web client reads it."""
    Dossier = b_env["octopus.dossier"]
    figures = {}
    figures["projection_s"], figures["projection_queries"], _invoice = measure(
        env, lambda: company._octopus_project_invoice(TODAY), runs
    )
    figures["list_page_s"], figures["list_page_queries"], _page = measure(
        env, lambda: Dossier.web_search_read([], LIST_SPECIFICATION, limit=80,
                                             count_limit=10001), runs
    )
    figures["list_groups_s"], figures["list_groups_queries"], _groups = measure(
        env, lambda: Dossier.web_read_group([], [], ["access_category"], lazy=True), runs
    )
    return figures


def measure_jobs(env, company, runs):
    """The refresh of D and the monthly billing job of the office, each on its
    day (tick: the frozen clock runs on, so that time can be measured); the
    refresh after one day, then after two weeks, since its last run."""
    from odoo.addons.octopus_titulaires.models.octopus_dossier import RUNNING_MARK

    refresh = env["octopus.dossier"]._cron_refresh_active_modules
    Summary = env["octopus.billing.summary"]
    figures = {}
    for key, missed in MISSED_DAYS.items():
        # Kept for every run: measure() rolls each run's writes back.
        env["ir.config_parameter"].set_param(
            RUNNING_MARK, (ORDINARY_DAY - timedelta(days=missed)).isoformat())
        env.cr.commit()
        with freeze_time(ORDINARY_DAY, tick=True):
            figures[f"{key}_s"], figures[f"{key}_queries"], _done = measure(env, refresh, runs)
    with freeze_time(TODAY, tick=True), patch.object(
        type(Summary), "_billing_companies_domain", lambda _self: [("id", "=", company.id)]
    ):
        figures["billing_s"], figures["billing_queries"], _done = measure(
            env, Summary._cron_billing_summary, runs
        )
    return figures


def measure_reinvoice(env, b_env, company):
    """One run of re-invoicing the last full quarter as the B user who may
    invoice, its draft invoices rolled back: the invoices of the first
    REINVOICE_BATCH clients, what one request is handed. One run: most of its
    time is Odoo's own creation of the invoices (about 60 ms each on the
    machine below), a call of seconds whose noise is small beside it."""
    from odoo.addons.octopus_titulaires_account.models.res_company import (  # noqa: PLC0415
        REINVOICE_BATCH,
    )

    office = b_env["res.company"].browse(company.id)

    def run():
        moves, remaining = office._octopus_reinvoice(REINVOICE_PERIOD)
        return len(moves), remaining

    with freeze_time(TODAY, tick=True):
        # Counted apart: reading the lines back would add to the queries measured.
        _to_invoice, by_client = office._octopus_lines_by_client(
            office._octopus_reinvoice_lines(REINVOICE_PERIOD))
        batch, _remaining = office._octopus_reinvoice_batch(by_client)
        lines = sum(len(by_client[client]) for client in batch)
        seconds, queries, (invoices, remaining) = measure(env, run, 1)
    return {"reinvoice_s": seconds, "reinvoice_queries": queries,
            "reinvoice_invoices": invoices, "reinvoice_lines": lines,
            "reinvoice_queries_per_invoice": queries / max(invoices, 1),
            "reinvoice_ms_per_invoice": 1000 * seconds / max(invoices, 1),
            "reinvoice_runs": -(-(invoices + remaining) // REINVOICE_BATCH)}


def measure_size(env, b_env, company, runs, files, only_import=False):
    """Every figure of one size of the office (only the imports' with ``only_import``)."""
    figures = {}
    if not only_import:
        figures.update(measure_exports(env, b_env, company, runs))
        figures.update(measure_reads(env, b_env, company, runs))
        figures.update(measure_jobs(env, company, runs))
        figures.update(measure_reinvoice(env, b_env, company))
    figures.update(measure_imports(b_env, company, files))
    return figures


# Reporting

def machine():
    cpu = "unknown CPU"
    with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="utf-8") as meminfo:
        memory_kib = int(meminfo.readline().split()[1])
    return f"{os.cpu_count()} CPUs (nproc), {memory_kib / 2**20:.1f} GiB memory, {cpu}"


def versions(env):
    import odoo.release  # noqa: PLC0415
    import openpyxl  # noqa: PLC0415

    env.cr.execute("SHOW server_version")
    return (f"Odoo {odoo.release.version}, PostgreSQL {env.cr.fetchone()[0]}, "
            f"Python {platform.python_version()}, xlsxwriter {xlsxwriter.__version__}, "
            f"openpyxl {openpyxl.__version__}")


def growth_verdict(rule, growth, size_ratio):
    if rule == "flat":
        return "flat" if growth <= 1.25 else "GROWS"
    return "<= linear" if growth <= size_ratio * 1.1 else "MORE THAN LINEAR"


def table(results):
    sizes = sorted(results)
    low, high = sizes[-2:] if len(sizes) > 1 else (sizes[0], sizes[0])
    size_ratio = high / low
    header = (f"{'figure':44}" + "".join(f"{size:>12,}" for size in sizes)
              + f"   growth {low:,} -> {high:,} (x{size_ratio:g})")
    lines = [header, "-" * len(header)]
    for key, label, scale, fmt, rule in FIGURES:
        if key not in results[low]:
            continue
        cells = "".join(f"{fmt.format(scale * results[size][key]):>12}" for size in sizes)
        growth = ""
        if rule and results[low][key]:
            ratio = results[high][key] / results[low][key]
            growth = f"   x{ratio:.2f}  {growth_verdict(rule, ratio, size_ratio)}"
        lines.append(f"{label:44}{cells}{growth}")
    return lines


def verdict(ok):
    return "met" if ok else "NOT MET"


def per_size(results, key, fmt="{:.2f}"):
    return ", ".join(f"{fmt.format(results[size][key])} at {size:,}" for size in sorted(results))


def goals(results):
    """The goals of the figures measured (only the imports' with --only-import)."""
    measured = results[min(results)]
    return ((export_goals(results) + reinvoice_goals(results)
             if "floor_ratio" in measured else [])
            + import_goals(results))


def export_goals(results):
    sizes = sorted(results)
    largest = results[sizes[-1]]
    floor_ok = all(results[size]["floor_ratio"] <= FLOOR_RATIO_GOAL for size in sizes)
    cell_ok = all(results[size]["cell_ratio"] <= ODOO_CELL_RATIO_GOAL for size in sizes)
    flat_queries = len({results[size]["projection_queries"] for size in sizes}) == 1
    return [
        f"export / writer's floor <= {FLOOR_RATIO_GOAL}: {per_size(results, 'floor_ratio')}: "
        f"{verdict(floor_ok)}",
        f"export per cell <= {ODOO_CELL_RATIO_GOAL} of Odoo's list export: "
        f"{per_size(results, 'cell_ratio')}: {verdict(cell_ok)}",
        f"export peak memory < {MEMORY_GOAL_MIB} MiB at {sizes[-1]:,} dossiers: "
        f"{largest['export_mib']:.1f} MiB: {verdict(largest['export_mib'] < MEMORY_GOAL_MIB)}",
        f"projection queries flat: {per_size(results, 'projection_queries', '{:.0f}')}: "
        f"{verdict(flat_queries)}",
    ]


def reinvoice_goals(results):
    per_invoice = [results[size]["reinvoice_queries_per_invoice"] for size in sorted(results)]
    slowest = max(figures["reinvoice_s"] for figures in results.values())
    return [
        f"re-invoicing: queries per invoice flat (at most x{REINVOICE_FLAT_GOAL} of the "
        f"smallest size's): {per_size(results, 'reinvoice_queries_per_invoice')}: "
        f"{verdict(max(per_invoice) <= per_invoice[0] * REINVOICE_FLAT_GOAL)}",
        f"re-invoicing one run within half of limit_time_cpu (<= {REQUEST_GOAL_S} s): "
        f"{per_size(results, 'reinvoice_s', '{:.1f} s')}: {verdict(slowest <= REQUEST_GOAL_S)}",
    ]


def import_goals(results):
    def slowest(*keys):
        return max(figures[key] for figures in results.values() for key in keys)

    typical = slowest("preview_s", "import_s")
    return [
        f"{IMPORT_ROWS:,} rows imported within limit_time_real ({LIMIT_TIME_REAL} s): "
        f"slowest request {typical:.1f} s: {verdict(typical < LIMIT_TIME_REAL)}",
        *(f"{what} within half of limit_time_cpu (<= {REQUEST_GOAL_S} s): "
          f"{per_size(results, key, '{:.1f} s')}: {verdict(slowest(key) <= REQUEST_GOAL_S)}"
          for key, what in WORST_IMPORTS),
    ]


def publish(name, lines):
    """Print ``lines`` and write them to bench-results/<name>-<date and time>.txt."""
    text = "\n".join(lines) + "\n"
    print(text, flush=True)
    os.makedirs(RESULTS_DIR, exist_ok=True)
    path = os.path.join(RESULTS_DIR, f"{name}-{datetime.now():%Y%m%d-%H%M%S}.txt")
    with open(path, "w", encoding="utf-8") as output:
        output.write(text)
    odoo_env.say(f"written to {path}")


def report(results, env, runs):
    publish("bench", [
        f"octopus_titulaires benchmark, {datetime.now():%Y-%m-%d %H:%M}, median of {runs} runs "
        f"({SHORT_RUNS} for a call under {SHORT_CALL_S} s)",
        f"machine: {machine()}",
        f"software: {versions(env)}",
        "",
        *table(results),
        "",
        "goals:",
        *(f"  {line}" for line in goals(results)),
    ])


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)),
                        help="office sizes in dossiers, comma-separated (default: %(default)s)")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (default: 3)")
    parser.add_argument("--database", default=DATABASE, help="(default: %(default)s)")
    parser.add_argument("--only-import", action="store_true",
                        help="only the preview and the import of each file")
    options = parser.parse_args()
    sizes = sorted(int(size) for size in options.sizes.split(","))

    odoo_env.require_odoo()
    odoo_env.ensure_test_tools(lint=False)
    pg = odoo_env.postgres()
    run_tests.install_fresh(pg, options.database, ["--without-demo=all"])

    import odoo  # noqa: PLC0415 - after the import check
    from odoo.tools import config  # noqa: PLC0415

    config.parse_config([f"--database={options.database}",
                         f"--addons-path={odoo_env.default_addons_path()}",
                         "--log-level=warn", *odoo_env.odoo_db_args(pg)])
    registry = odoo.modules.registry.Registry(options.database)
    results = {}
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {
            "tracking_disable": True, "mail_create_nolog": True, "mail_notrack": True,
        })
        company, user = create_office(env)
        env = env(context=dict(env.context, allowed_company_ids=company.ids))
        b_env = env(user=user, context={"allowed_company_ids": company.ids,
                                        "octopus_password": B_PASSWORD})
        files = import_files()
        seeded = 0
        for size in sizes:
            started = time.perf_counter()
            seed(env, company, seeded, size - seeded)
            seeded = size
            # Measure on a database as an office runs it: committed, with
            # planner statistics.
            cr.commit()
            cr.execute("ANALYZE")
            cr.commit()
            odoo_env.say(f"{size:,} dossiers seeded in {time.perf_counter() - started:.0f}s; "
                         "measuring")
            started = time.perf_counter()
            results[size] = measure_size(env, b_env, company, options.runs, files,
                                         options.only_import)
            odoo_env.say(f"{size:,} dossiers measured in {time.perf_counter() - started:.0f}s")
        report(results, env, options.runs)


if __name__ == "__main__":
    main()
