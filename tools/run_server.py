"""The README's run command: Odoo 18 with the addon and its demo office.

Uses the PostgreSQL configured through libpq's PG* variables, or a private
cluster when none answers; installs the addon with demo data on first start.
Installs nothing the tests alone need (Chromium, the linters: `make test` does).
"""

import argparse
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import odoo_env  # noqa: E402 - after the path tweak above

DEMO_LOGINS = (
    ("office holder, B user (office Fiduciaire Delvaux SRL), whose password confirms"
     " the others' access changes", "titulaire"),
    ("French-speaking B user", "titulaire_fr"),
    ("Dutch-speaking B user", "titulaire_nl"),
    ("administrator", "admin"),
    ("portal client", "client"),
)


def addon_installed(pg, dbname):
    try:
        rows = odoo_env.query(
            pg, dbname,
            "SELECT state FROM ir_module_module WHERE name = 'octopus_titulaires'",
        )
    except Exception:  # noqa: BLE001 - no database yet, or not an Odoo one
        return False
    return bool(rows) and rows[0][0] == "installed"


def odoo_script():
    """The script that starts Odoo. Odoo restarts itself (SIGHUP, a request over
    limit_time_real) by executing sys.argv[0] again with the same interpreter:
    that must be a script, not odoo/__main__.py of `python3 -m odoo`, which
    cannot run outside its package."""
    import odoo  # noqa: PLC0415 - after require_odoo()

    checkout = os.path.join(os.path.dirname(os.path.dirname(odoo.__file__)), "odoo-bin")
    if os.path.isfile(checkout):
        return checkout
    # Debian's package and `pip install` put the script on the PATH.
    for name in ("odoo", "odoo-bin"):
        found = shutil.which(name)
        if found:
            return found
    print("Cannot find the odoo-bin script of this Odoo (next to the odoo package or on "
          "the PATH); Odoo needs it to restart itself.", flush=True)
    sys.exit(2)


def postgres():
    """The configured PostgreSQL, or the private cluster; the server programs are
    the only package this command may install, and only for that cluster."""
    if not odoo_env.postgres_bindir() and not odoo_env._configured_postgres():  # noqa: SLF001
        odoo_env._apt_install("postgresql")  # noqa: SLF001
    return odoo_env.postgres()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", default="octopus_demo", metavar="NAME",
                        help="database to serve, created with the demo office if missing "
                             "(default: %(default)s)")
    parser.add_argument("--port", type=int, default=8069,
                        help="HTTP port (default: %(default)s)")
    options = parser.parse_args()

    odoo_env.require_odoo()
    script = odoo_script()
    pg = postgres()
    args = [
        script,
        f"--database={options.database}",
        f"--db-filter=^{options.database}$",
        f"--addons-path={odoo_env.default_addons_path()}",
        f"--http-port={options.port}",
        *odoo_env.odoo_db_args(pg),
    ]
    if not addon_installed(pg, options.database):
        odoo_env.say(f"installing {', '.join(odoo_env.ADDONS)} with its demo office in "
                     f"'{options.database}'")
        # Odoo leaves --init out when it restarts itself: the install runs once.
        args.append("--init=" + ",".join(odoo_env.ADDONS))
    odoo_env.say(f"Odoo will answer at http://localhost:{options.port}/odoo once loaded")
    for who, login in DEMO_LOGINS:
        odoo_env.say(f"  {who}: login '{login}', password '{login}'")
    os.execv(sys.executable, [sys.executable, *args])


if __name__ == "__main__":
    main()
