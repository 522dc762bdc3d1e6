"""The README's test command: install the addon and its Invoicing bridge in
fresh databases, run their tests (without, then with demo data), check
upgrade, the bridge's uninstall (the addon keeps working) and the addon's,
run the linters, and end with the line "N passed, N failed, N skipped".

Exits non-zero on any failure, error or skipped test.
"""

import argparse
import glob
import json
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import odoo_env  # noqa: E402 - after the path tweak above

HARNESS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "odoo_harness.py")
# A logged error outside a test (a broken view, a failed data file) fails the run
# even when every test passed.
LOG_ERROR = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (ERROR|CRITICAL) ")
LIFECYCLE_TABLES = ("octopus_dossier", "octopus_client_user", "octopus_module_activation")
ADDONS = ",".join(odoo_env.ADDONS)
# After the bridge's uninstall, the addon's own tests of what the bridge builds
# on (the next invoice's pricing, the dashboard and its menus) run again.
SMOKE_TESTS = ",".join(f"/{odoo_env.ADDON}:{name}" for name in (
    "TestInvoiceProjection", "TestDailyScreens", "TestActivation"))


class Tally:
    def __init__(self):
        self.passed = self.failed = self.skipped = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            odoo_env.say(f"PASS {name}")
        else:
            self.failed += 1
            odoo_env.say(f"FAIL {name} {detail}")


def run_odoo(pg, dbname, extra_args, log_path):
    """Run Odoo's server command once; return its report and the logged errors."""
    report_path = log_path + ".json"
    args = [
        sys.executable, HARNESS, report_path,
        f"--database={dbname}",
        f"--addons-path={odoo_env.default_addons_path()}",
        f"--http-port={odoo_env.free_port()}",
        "--gevent-port=0",
        "--stop-after-init",
        "--max-cron-threads=0",
        "--log-level=info",
        *odoo_env.odoo_db_args(pg),
        *extra_args,
    ]
    errors = []
    with open(log_path, "w", encoding="utf-8") as log:
        process = subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=odoo_env.REPO
        )
        for line in process.stdout:
            log.write(line)
            if LOG_ERROR.match(line):
                errors.append(line.rstrip())
            if " ERROR " in line or " CRITICAL " in line or "FAIL" in line or " skipped " in line:
                sys.stdout.write(line)
        process.wait()
    report = {"rc": process.returncode, "tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    if os.path.exists(report_path):
        with open(report_path, encoding="utf-8") as report_file:
            report.update(json.load(report_file))
    report["rc"] = report["rc"] or process.returncode
    return report, errors


def install_fresh(pg, dbname, extra_args=()):
    """Install the addon and its bridge in a new database (for the benchmark
    and the screenshots); stop with the log's path if the install fails."""
    odoo_env.drop_database(pg, dbname)
    odoo_env.say(f"installing {ADDONS} in a fresh database '{dbname}'")
    log_path = f"/tmp/{dbname}.log"
    report, errors = run_odoo(pg, dbname, [f"--init={ADDONS}", *extra_args], log_path)
    if report["rc"] or errors:
        sys.exit(f"install failed, see {log_path}")


def test_database(tally, pg, dbname, demo, workdir):
    label = "with demo data" if demo else "without demo data"
    odoo_env.drop_database(pg, dbname)
    odoo_env.say(f"installing {ADDONS} {label} in a fresh database '{dbname}'")
    started = time.time()
    args = [
        f"--init={ADDONS}",
        "--test-enable",
        "--test-tags=" + ",".join(f"/{addon}" for addon in odoo_env.ADDONS),
    ]
    if not demo:
        args.append("--without-demo=all")
    report, errors = run_odoo(pg, dbname, args, os.path.join(workdir, f"{dbname}.log"))
    seconds = time.time() - started
    broken = report["failures"] + report["errors"]
    odoo_env.say(
        f"{label}: {report['tests']} tests, {broken} failed, {report['skipped']} skipped, "
        f"install and tests in {seconds:.0f}s"
    )
    tally.passed += report["tests"] - broken - report["skipped"]
    tally.failed += broken
    tally.skipped += report["skipped"]
    if not report["tests"]:
        tally.check(f"tests ran {label}", False, "(no test was run)")
    if report["rc"] and not broken:
        tally.check(f"Odoo exit status {label}", False, f"(exit {report['rc']})")
    if errors and not broken:
        tally.check(f"no logged error {label}", False, f"({len(errors)} logged errors)")


def count_rows(pg, dbname):
    return {
        table: odoo_env.query(pg, dbname, f"SELECT count(*) FROM {table}")[0][0]
        for table in LIFECYCLE_TABLES
    }


def odoo_shell(pg, dbname, code, log_path):
    """Run ``code`` in Odoo's shell on ``dbname``; return its exit status."""
    result = subprocess.run(
        [
            sys.executable, "-m", "odoo", "shell", f"--database={dbname}",
            f"--addons-path={odoo_env.default_addons_path()}", "--no-http",
            *odoo_env.odoo_db_args(pg),
        ],
        input=code, capture_output=True, text=True, check=False,
    )
    with open(log_path, "w", encoding="utf-8") as log:
        log.write(result.stdout + result.stderr)
    return result.returncode


def uninstall_code(addon):
    return (f"env['ir.module.module'].search([('name', '=', '{addon}')])"
            ".button_immediate_uninstall()\nenv.cr.commit()\n")


def installed(pg, dbname, addon):
    return odoo_env.query(
        pg, dbname, f"SELECT state FROM ir_module_module WHERE name = '{addon}'"
    ) == [("installed",)]


def test_lifecycle(tally, pg, dbname, workdir):
    """Upgrading keeps the data; uninstalling the bridge leaves the addon
    working; uninstalling the addon leaves no octopus.* model behind."""
    before = count_rows(pg, dbname)
    report, errors = run_odoo(
        pg, dbname, [f"--update={ADDONS}"], os.path.join(workdir, "upgrade.log")
    )
    after = count_rows(pg, dbname)
    tally.check(
        "upgrade keeps the data",
        not report["rc"] and not errors and before == after and before["octopus_dossier"] > 0,
        f"(before {before}, after {after}, exit {report['rc']}, {len(errors)} errors)",
    )
    test_bridge_uninstall(tally, pg, dbname, workdir)
    code = odoo_shell(pg, dbname, uninstall_code(odoo_env.ADDON),
                      os.path.join(workdir, "uninstall.log"))
    models = odoo_env.query(pg, dbname, "SELECT model FROM ir_model WHERE model LIKE 'octopus.%'")
    tables = odoo_env.query(
        pg, dbname, "SELECT tablename FROM pg_tables WHERE tablename LIKE 'octopus%'"
    )
    tally.check(
        "uninstall leaves no octopus.* model",
        code == 0 and not models and not tables,
        f"(models {models}, tables {tables}, exit {code})",
    )


def test_bridge_uninstall(tally, pg, dbname, workdir):
    """The bridge goes, its columns with it; the addon stays installed, its
    data kept, and its tests of the next invoice and dashboard still pass."""
    before = count_rows(pg, dbname)
    code = odoo_shell(pg, dbname, uninstall_code(odoo_env.BRIDGE),
                      os.path.join(workdir, "uninstall_bridge.log"))
    columns = odoo_env.query(
        pg, dbname, "SELECT column_name FROM information_schema.columns "
        "WHERE table_name = 'account_move_line' AND column_name LIKE 'octopus%'")
    tally.check(
        "uninstalling the bridge keeps the addon and its data",
        code == 0 and not installed(pg, dbname, odoo_env.BRIDGE)
        and installed(pg, dbname, odoo_env.ADDON) and not columns
        and count_rows(pg, dbname) == before,
        f"(exit {code}, columns left {columns})",
    )
    report, errors = run_odoo(
        pg, dbname, [f"--update={odoo_env.ADDON}", "--test-enable", f"--test-tags={SMOKE_TESTS}"],
        os.path.join(workdir, "after_bridge_uninstall.log"))
    broken = report["failures"] + report["errors"]
    tally.check(
        "the addon works without the bridge",
        not report["rc"] and not errors and report["tests"] and not broken
        and not report["skipped"] and not installed(pg, dbname, odoo_env.BRIDGE),
        f"({report['tests']} tests, {broken} failed, {report['skipped']} skipped, "
        f"exit {report['rc']}, {len(errors)} errors)",
    )


LINTERS = {
    "pylint with pylint-odoo": ["-m", "pylint", "--rcfile=.pylintrc", *odoo_env.ADDONS],
    "OCA checks of XML, CSV and manifest": [
        "-c", "from oca_pre_commit_hooks.cli import main; main()", *odoo_env.ADDONS,
    ],
    # po-pretty-format would blank the terms whose translation is the source
    # itself ("Code"); they stay explicit so that each language's coverage shows.
    "OCA checks of the translations": [
        "-c", "from oca_pre_commit_hooks.cli_po import main; main()",
        "--disable=po-pretty-format",
        *sorted(path for addon in odoo_env.ADDONS
                for path in glob.glob(os.path.join(odoo_env.REPO, addon, "i18n", "*.po*"))),
    ],
}


def test_lint(tally):
    """The checks the OCA makes mandatory: pylint-odoo for Python, and the OCA
    pre-commit checks for the data files that pylint-odoo no longer reads."""
    for name, args in LINTERS.items():
        result = subprocess.run(
            [sys.executable, *args], cwd=odoo_env.REPO, capture_output=True, text=True,
            check=False,
        )
        if result.returncode:
            sys.stdout.write(result.stdout + result.stderr)
        tally.check(name, result.returncode == 0)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="only the run without demo data (no demo, lifecycle or lint)")
    options = parser.parse_args()

    odoo_env.require_odoo()
    odoo_env.ensure_test_tools(lint=not options.quick)
    pg = odoo_env.postgres()
    tally = Tally()
    started = time.time()
    with tempfile.TemporaryDirectory(prefix="octopus_tests_") as workdir:
        test_database(tally, pg, "octopus_test", demo=False, workdir=workdir)
        if not options.quick:
            test_database(tally, pg, "octopus_test_demo", demo=True, workdir=workdir)
            test_lifecycle(tally, pg, "octopus_test_demo", workdir)
            test_lint(tally)
        if tally.failed:
            kept = os.path.join(odoo_env.REPO, ".test-logs")
            os.makedirs(kept, exist_ok=True)
            for name in os.listdir(workdir):
                os.replace(os.path.join(workdir, name), os.path.join(kept, name))
            odoo_env.say(f"logs kept in {kept}")
    odoo_env.say(f"total time {time.time() - started:.0f}s")
    print(f"{tally.passed} passed, {tally.failed} failed, {tally.skipped} skipped", flush=True)
    return 1 if tally.failed or tally.skipped or not tally.passed else 0


if __name__ == "__main__":
    sys.exit(main())
