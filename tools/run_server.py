"""The README's run command: Odoo 18 with the addon and its demo office.

Uses the PostgreSQL configured through libpq's PG* variables, or a private
cluster when none answers; installs the addon with demo data on first start.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import odoo_env  # noqa: E402 - after the path tweak above

DEMO_LOGIN = "titulaire"
DEMO_PASSWORD = "titulaire"


def addon_installed(pg, dbname):
    try:
        rows = odoo_env.query(
            pg, dbname,
            "SELECT state FROM ir_module_module WHERE name = 'octopus_titulaires'",
        )
    except Exception:  # noqa: BLE001 - no database yet, or not an Odoo one
        return False
    return bool(rows) and rows[0][0] == "installed"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", default="octopus_demo")
    parser.add_argument("--port", type=int, default=8069)
    options = parser.parse_args()

    odoo_env.require_odoo()
    odoo_env.ensure_test_tools(lint=False)
    pg = odoo_env.postgres()
    args = [
        sys.executable, "-m", "odoo",
        f"--database={options.database}",
        f"--db-filter=^{options.database}$",
        f"--addons-path={odoo_env.default_addons_path()}",
        f"--http-port={options.port}",
        *odoo_env.odoo_db_args(pg),
    ]
    if not addon_installed(pg, options.database):
        odoo_env.say(f"installing {odoo_env.ADDON} with its demo office in '{options.database}'")
        args.append(f"--init={odoo_env.ADDON}")
    odoo_env.say(f"Odoo will answer at http://localhost:{options.port}/odoo once loaded")
    odoo_env.say(f"demo B user (office Fiduciaire Delvaux SRL): login '{DEMO_LOGIN}', "
                 f"password '{DEMO_PASSWORD}'; administrator: 'admin' / 'admin'; "
                 "portal client: 'client' / 'client'")
    os.execv(sys.executable, args)


if __name__ == "__main__":
    main()
