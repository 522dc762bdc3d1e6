"""What the test and run commands need around Odoo: a check that Odoo 18 is
importable, the system packages the tests use, and a PostgreSQL to talk to.

Odoo itself is never installed from here: the project expects the Odoo 18 its
user already runs (README, "Requirements").
"""

import glob
import importlib.util
import os
import pwd
import shutil
import socket
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ADDON = "octopus_titulaires"
# The bridge to Odoo Invoicing, installed with Invoicing (auto_install): the
# test, run and benchmark commands install both.
BRIDGE = "octopus_titulaires_account"
ADDONS = (ADDON, BRIDGE)
PRIVATE_CLUSTER = os.environ.get("OCTOPUS_PG_DIR", "/tmp/octopus_titulaires_pg")
PRIVATE_PORT = int(os.environ.get("OCTOPUS_PG_PORT", "55432"))
PRIVATE_ROLE = "odoo"


def say(message):
    print(f"[octopus] {message}", flush=True)


def require_odoo():
    """Exit with one clear line unless the machine's python3 imports Odoo 18."""
    try:
        import odoo.release  # noqa: PLC0415 - the point is to try the import
    except ImportError:
        print(
            "Odoo 18.0 is not importable by this python3 "
            f"({sys.executable}); install Odoo 18.0 first (README, 'Requirements').",
            flush=True,
        )
        sys.exit(2)
    if odoo.release.version_info[0] != 18:
        print(f"Odoo {odoo.release.version} found; this addon needs Odoo 18.0.", flush=True)
        sys.exit(2)


def default_addons_path():
    from odoo.tools import config  # noqa: PLC0415 - needs the import check first

    config.parse_config([])
    paths = [p for p in config["addons_path"].split(",") if p]
    return ",".join(paths + [REPO])


def _apt_install(*packages):
    say(f"installing Debian packages: {' '.join(packages)}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", *packages], check=True, env=env)


def _pip_install(*packages):
    say(f"installing Python packages: {' '.join(packages)}")
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", *packages], check=True)


def postgres_bindir():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return os.path.dirname(found[-1]) if found else None


def ensure_test_tools(lint=True):
    """Install what the tests use and the machine lacks: the PostgreSQL server,
    Chromium and websocket-client for tours, the OCA linters."""
    debs = []
    if not postgres_bindir():
        debs.append("postgresql")
    if not shutil.which("chromium"):
        debs.append("chromium")
    if debs:
        _apt_install(*debs)
    wheels = []
    if not importlib.util.find_spec("websocket"):
        wheels.append("websocket-client")
    if lint and not importlib.util.find_spec("pylint_odoo"):
        wheels.append("pylint-odoo")
    if lint and not importlib.util.find_spec("oca_pre_commit_hooks"):
        wheels.append("oca-odoo-pre-commit-hooks")
    if wheels:
        _pip_install(*wheels)


def _can_connect(**params):
    import psycopg2  # noqa: PLC0415 - Odoo's dependency, present once Odoo imports

    try:
        psycopg2.connect(dbname="postgres", connect_timeout=3, **params).close()
    except psycopg2.Error:
        return False
    return True


def _configured_postgres():
    """The PostgreSQL the user configured through libpq's PG* variables, if any
    answers with a role Odoo accepts (Odoo refuses to run as 'postgres')."""
    user = os.environ.get("PGUSER") or pwd.getpwuid(os.getuid()).pw_name
    if user == "postgres" or not _can_connect():
        return None
    return {
        "host": os.environ.get("PGHOST", ""),
        "port": os.environ.get("PGPORT", ""),
        "user": user,
        "password": os.environ.get("PGPASSWORD", ""),
    }


def _run_as_cluster_owner(args):
    """PostgreSQL refuses to run as root: run it as the Debian 'postgres' user."""
    if os.getuid() == 0:
        args = ["runuser", "-u", "postgres", "--", *args]
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)


def _start_private_cluster():
    bindir = postgres_bindir()
    data = os.path.join(PRIVATE_CLUSTER, "data")
    if not os.path.isdir(data):
        say(f"creating a private PostgreSQL cluster in {PRIVATE_CLUSTER}")
        os.makedirs(PRIVATE_CLUSTER, exist_ok=True)
        if os.getuid() == 0:
            shutil.chown(PRIVATE_CLUSTER, "postgres", "postgres")
        _run_as_cluster_owner(
            [f"{bindir}/initdb", "-D", data, "-U", PRIVATE_ROLE, "--auth=trust", "-E", "UTF8"]
        )
    params = {"host": PRIVATE_CLUSTER, "port": str(PRIVATE_PORT), "user": PRIVATE_ROLE}
    if not _can_connect(**params):
        say(f"starting the private PostgreSQL cluster on port {PRIVATE_PORT}")
        options = f"-k {PRIVATE_CLUSTER} -p {PRIVATE_PORT} -c listen_addresses='' -c fsync=off"
        _run_as_cluster_owner(
            [f"{bindir}/pg_ctl", "-D", data, "-l", f"{PRIVATE_CLUSTER}/server.log",
             "-o", options, "-w", "start"]
        )
        for _attempt in range(30):
            if _can_connect(**params):
                break
            time.sleep(1)
    params["password"] = ""
    return params


def postgres():
    """Connection settings of a PostgreSQL Odoo can use: the configured one when
    it answers, otherwise a private cluster started for this project."""
    return _configured_postgres() or _start_private_cluster()


def odoo_db_args(pg):
    args = []
    for key, option in (("host", "--db_host"), ("port", "--db_port"),
                        ("user", "--db_user"), ("password", "--db_password")):
        if pg.get(key):
            args.append(f"{option}={pg[key]}")
    return args


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def drop_database(pg, name):
    import psycopg2  # noqa: PLC0415

    conn = psycopg2.connect(
        dbname="postgres", **{k: v for k, v in pg.items() if v}
    )
    conn.autocommit = True
    with conn.cursor() as cr:
        cr.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.close()


def query(pg, dbname, sql):
    import psycopg2  # noqa: PLC0415

    conn = psycopg2.connect(dbname=dbname, **{k: v for k, v in pg.items() if v})
    try:
        with conn.cursor() as cr:
            cr.execute(sql)
            return cr.fetchall()
    finally:
        conn.close()
