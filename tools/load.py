"""The README's load test (`make load`): the demo office served by Odoo in
multi-process mode (--workers=2) on the loopback, under 20 concurrent clients
for 60 seconds.

Half the clients are the demo B user (titulaire / titulaire) reading the first
page of the dossier list as the web client does (web_search_read over
/web/dataset/call_kw), half the demo portal client (client / client, who has
consented in the demo data) reading /my/dossiers. Each client logs in and
makes one request before the clock starts (each worker loads the registry
once). Prints requests per second, p50 / p95 / max latency and the errors, per
kind of client and overall, and writes the same to bench-results/.

Bounded: the clients stop at the end of the duration or after MAX_REQUESTS
requests, each request times out, and the server is stopped in any case.
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from datetime import datetime

import requests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402 - after the path tweak above
import odoo_env  # noqa: E402
import run_server  # noqa: E402
import run_tests  # noqa: E402

DATABASE = "octopus_bench_load"
HOST = "127.0.0.1"
CLIENTS = 20
DURATION = 60
WORKERS = 2
MAX_REQUESTS = 200_000
REQUEST_TIMEOUT = 30
START_TIMEOUT = 180
B_USER = ("titulaire", "titulaire")
PORTAL_USER = ("client", "client")
# Only the page with the client's dossiers carries it (not the consent page).
PORTAL_MARKER = b"o_octopus_portal_dossier"


class Run:
    """What the clients share: the start signal, the deadline, the requests
    left for all of them together, and the results."""

    def __init__(self, max_requests):
        self.go = threading.Event()
        self.deadline = None
        self.results = []
        self._left, self._lock = max_requests, threading.Lock()

    def take(self):
        """Whether one more request may be made."""
        with self._lock:
            self._left -= 1
            return self._left >= 0 and time.monotonic() < self.deadline


class Client(threading.Thread):
    """One logged-in user repeating one request until the run ends. A result
    is (kind, seconds, error); seconds is None for a client that could not
    start."""

    kind = None

    def __init__(self, base_url, database, credentials, run):
        super().__init__(daemon=True)
        self.base_url, self.database = base_url, database
        self.login, self.password = credentials
        self.run_state = run
        self.session = requests.Session()
        self.ready = threading.Event()

    def run(self):
        try:
            self._authenticate()
            self._request()
        except requests.RequestException as error:
            self.run_state.results.append((self.kind, None, f"warm-up: {error}"))
            return
        finally:
            self.ready.set()
        self.run_state.go.wait()
        while self.run_state.take():
            started = time.perf_counter()
            try:
                error = self._request()
            except requests.RequestException as exception:
                error = type(exception).__name__
            self.run_state.results.append((self.kind, time.perf_counter() - started, error))

    def _authenticate(self):
        response = self.session.post(
            f"{self.base_url}/web/session/authenticate",
            json={"jsonrpc": "2.0", "method": "call",
                  "params": {"db": self.database, "login": self.login,
                             "password": self.password}},
            timeout=REQUEST_TIMEOUT,
        )
        response.raise_for_status()
        if not (response.json().get("result") or {}).get("uid"):
            raise requests.RequestException(f"login {self.login} refused")

    def _request(self):
        """Make the client's request; return None, or what went wrong."""
        raise NotImplementedError


class ListClient(Client):
    kind = "dossier list (B user, web_search_read)"

    def _request(self):
        response = self.session.post(
            f"{self.base_url}/web/dataset/call_kw/octopus.dossier/web_search_read",
            json={"jsonrpc": "2.0", "method": "call", "params": {
                "model": "octopus.dossier", "method": "web_search_read", "args": [],
                "kwargs": {"domain": [], "specification": bench.LIST_SPECIFICATION,
                           "offset": 0, "limit": 80, "order": "", "count_limit": 10001,
                           "context": {"lang": "en_US"}},
            }},
            timeout=REQUEST_TIMEOUT,
        )
        if response.status_code != 200:
            return f"HTTP {response.status_code}"
        body = response.json()
        if "error" in body:
            return "RPC error"
        return None if body["result"].get("records") else "no records"


class PortalClient(Client):
    kind = "/my/dossiers (portal client)"

    def _request(self):
        response = self.session.get(f"{self.base_url}/my/dossiers", timeout=REQUEST_TIMEOUT)
        if response.status_code != 200:
            return f"HTTP {response.status_code}"
        return None if PORTAL_MARKER in response.content else "not the dossier list"


def start_server(pg, database, port, gevent_port, log_path):
    # A script, not `python3 -m odoo`: in multi-process mode Odoo starts its
    # websocket process by running its own script again.
    args = [
        sys.executable, run_server.odoo_script(),
        f"--database={database}", f"--db-filter=^{database}$",
        f"--addons-path={odoo_env.default_addons_path()}",
        f"--http-interface={HOST}", f"--http-port={port}", f"--gevent-port={gevent_port}",
        f"--workers={WORKERS}", "--max-cron-threads=0", "--log-level=warn",
        *odoo_env.odoo_db_args(pg),
    ]
    with open(log_path, "w", encoding="utf-8") as log:
        # Its own process group: stopping it stops its workers, and nothing else.
        return subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)


def wait_until_up(server, base_url, log_path):
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the server stopped, see {log_path}")
        try:
            if requests.get(f"{base_url}/web/login", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(1)
    sys.exit(f"the server did not answer within {START_TIMEOUT}s, see {log_path}")


def stop_server(server):
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def run_clients(base_url, database, clients, duration):
    """Half list clients, half portal clients; the clock starts once all have
    logged in and made their first request."""
    run = Run(MAX_REQUESTS)
    threads = [
        ListClient(base_url, database, B_USER, run) if index % 2 == 0
        else PortalClient(base_url, database, PORTAL_USER, run)
        for index in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.ready.wait(START_TIMEOUT)
    run.deadline = time.monotonic() + duration
    run.go.set()
    for thread in threads:
        thread.join(duration + REQUEST_TIMEOUT + 5)
    return run.results


def summary(label, results, duration):
    latencies = sorted(seconds for _kind, seconds, _error in results)
    errors = [error for _kind, _seconds, error in results if error]
    if not latencies:
        return f"{label:44} no request"
    p95 = latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))]
    kinds = sorted(set(errors))
    detail = f" ({', '.join(kinds)})" if kinds else ""
    return (f"{label:44} {len(latencies):7,} requests {len(latencies) / duration:7.1f}/s   "
            f"p50 {1000 * statistics.median(latencies):6.0f} ms   p95 {1000 * p95:6.0f} ms   "
            f"max {1000 * latencies[-1]:6.0f} ms   errors {len(errors)}{detail}")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=CLIENTS, help="(default: %(default)s)")
    parser.add_argument("--duration", type=int, default=DURATION,
                        help="seconds (default: %(default)s)")
    parser.add_argument("--database", default=DATABASE, help="(default: %(default)s)")
    parser.add_argument("--port", type=int,
                        help="HTTP port, the next one for Odoo's websocket process "
                             "(default: free ports)")
    options = parser.parse_args()

    odoo_env.require_odoo()
    odoo_env.ensure_test_tools(lint=False)
    pg = odoo_env.postgres()
    run_tests.install_fresh(pg, options.database)
    port = options.port or odoo_env.free_port()
    gevent_port = port + 1 if options.port else odoo_env.free_port()
    base_url = f"http://{HOST}:{port}"
    log_path = f"/tmp/{options.database}.server.log"
    odoo_env.say(f"serving the demo office on {base_url} with --workers={WORKERS}")
    server = start_server(pg, options.database, port, gevent_port, log_path)
    try:
        wait_until_up(server, base_url, log_path)
        odoo_env.say(f"{options.clients} clients for {options.duration}s")
        results = run_clients(base_url, options.database, options.clients, options.duration)
    finally:
        stop_server(server)
    return report(results, options, log_path)


def report(results, options, log_path):
    """Print the figures and write them to bench-results/; the exit status."""
    done = [result for result in results if result[1] is not None]
    kinds = sorted({kind for kind, _seconds, _error in done})
    lines = [
        f"octopus_titulaires load test, {datetime.now():%Y-%m-%d %H:%M}: {options.clients} "
        f"clients for {options.duration}s, Odoo --workers={WORKERS} on {HOST}",
        f"machine: {bench.machine()}",
        "",
        *(summary(kind, [r for r in done if r[0] == kind], options.duration) for kind in kinds),
        summary("all", done, options.duration),
    ]
    lines += [f"client not started: {kind}: {error}"
              for kind, seconds, error in results if seconds is None]
    with open(log_path, encoding="utf-8") as log:
        tracebacks = sum(1 for line in log if line.startswith("Traceback"))
    if tracebacks:
        lines.append(f"server log: {tracebacks} tracebacks, see {log_path}")
    bench.publish("load", lines)
    failed = any(error for _kind, _seconds, error in results)
    return 1 if failed or not done else 0


if __name__ == "__main__":
    sys.exit(main())
