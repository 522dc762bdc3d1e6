"""Take the README's screenshots again (`make screenshots`): a fresh database
with the demo office, Odoo on a free local port, headless Chromium driven over
its DevTools protocol. Writes docs/screenshots/*.png."""

import base64
import html
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket
from openpyxl import load_workbook

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import odoo_env  # noqa: E402 - after the path tweak above
import run_tests  # noqa: E402

OUT = os.path.join(odoo_env.REPO, "docs", "screenshots")
DBNAME = "octopus_screenshots"
WIDTH, HEIGHT = 1400, 860


class Browser:
    """Just enough of the DevTools protocol: navigate, run JavaScript, capture."""

    def __init__(self):
        self.profile = tempfile.mkdtemp(prefix="octopus_chromium_")
        port = odoo_env.free_port()
        self.process = subprocess.Popen(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", f"--user-data-dir={self.profile}",
             f"--remote-debugging-port={port}", f"--window-size={WIDTH},{HEIGHT}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        targets = json.loads(wait_http(f"http://127.0.0.1:{port}/json"))
        page = next(target for target in targets if target["type"] == "page")
        self.socket = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60)
        self.next_id = 0
        self.call("Emulation.setDeviceMetricsOverride",
                  width=WIDTH, height=HEIGHT, deviceScaleFactor=1, mobile=False)

    def call(self, method, **params):
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")

    def open(self, url, ready_selector):
        self.call("Page.navigate", url=url)
        self.wait_for(ready_selector)

    def wait_for(self, selector, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.evaluate(f"!!document.querySelector({json.dumps(selector)})"):
                time.sleep(1)  # let the page finish its layout
                return
            time.sleep(0.3)
        sys.exit(f"{selector} did not appear")

    def click(self, selector, then):
        self.evaluate(f"document.querySelector({json.dumps(selector)}).click()")
        self.wait_for(then)

    def login(self, base_url, login, password):
        self.open(f"{base_url}/web/login", "input[name=login]")
        self.evaluate(
            f"document.querySelector('input[name=login]').value = {json.dumps(login)};"
            f"document.querySelector('input[name=password]').value = {json.dumps(password)};"
            "document.querySelector('form.oe_login_form').submit();"
        )
        time.sleep(3)

    def capture(self, name):
        # Notifications (a newer build of the assets, a new message) cover the page.
        self.evaluate("document.querySelectorAll('.o_notification').forEach(n => n.remove())")
        data = self.call("Page.captureScreenshot", format="png")["data"]
        path = os.path.join(OUT, f"{name}.png")
        with open(path, "wb") as image:
            image.write(base64.b64decode(data))
        odoo_env.say(f"wrote {os.path.relpath(path, odoo_env.REPO)}")

    def close(self):
        self.socket.close()
        self.process.terminate()
        self.process.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


def wait_http(url):
    """The body of ``url`` once the server behind it (Odoo, Chromium) answers."""
    for _attempt in range(120):
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read()
        except OSError:
            time.sleep(0.5)
    sys.exit(f"nothing answered on {url}")


def workbook_as_html(content, sheet_name):
    """A sheet of the export drawn as a spreadsheet grid, for its screenshot."""
    sheet = load_workbook(io.BytesIO(content), read_only=True)[sheet_name]
    rows = []
    for index, row in enumerate(sheet.iter_rows(max_row=24)):
        tag = "th" if index == 0 else "td"
        cells = "".join(
            f"<{tag}>{html.escape(format_cell(cell.value, cell.number_format))}</{tag}>"
            for cell in row
        )
        rows.append(f"<tr><th class='n'>{index + 1}</th>{cells}</tr>")
    return (
        "<html><head><meta charset='utf-8'><style>body{font:13px Calibri,Arial,sans-serif;margin:0}"
        "table{border-collapse:collapse}td,th{border:1px solid #d4d4d4;padding:3px 8px;"
        "white-space:nowrap}th{background:#f3f3f3}th.n{color:#666}"
        ".tab{background:#217346;color:white;padding:6px 12px;display:inline-block}</style>"
        f"</head><body><div class='tab'>{html.escape(sheet_name)}</div>"
        f"<table>{''.join(rows)}</table></body></html>"
    )


def format_cell(value, number_format):
    """The cell as Excel shows it: amounts with their two decimals."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and "0.00" in number_format:
        return f"{value:,.2f}"
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    return str(value)


def export_workbook(pg):
    """The demo office's workbook, built by the addon itself."""
    script = (
        "office = env.ref('octopus_titulaires.demo_office')\n"
        "data = env['octopus.dossier.xlsx'].with_company(office)._build(office, "
        "__import__('datetime').date.today())\n"
        f"open({json.dumps(os.path.join(OUT, '.export.xlsx'))}, 'wb').write(data)\n"
    )
    odoo_shell(pg, script)
    path = os.path.join(OUT, ".export.xlsx")
    with open(path, "rb") as workbook:
        content = workbook.read()
    os.remove(path)
    return content


def odoo_shell(pg, script):
    subprocess.run(
        [sys.executable, "-m", "odoo", "shell", f"--database={DBNAME}", "--no-http",
         f"--addons-path={odoo_env.default_addons_path()}", *odoo_env.odoo_db_args(pg)],
        input=script, text=True, check=True, capture_output=True,
    )


def prepare_reinvoicing(pg):
    """The demo office re-invoices every quarter through the sales journal of
    a generic chart, and its holder may invoice: what the preview's
    screenshot needs beyond the demo data."""
    odoo_shell(pg, (
        "office = env.ref('octopus_titulaires.demo_office')\n"
        "sales = [('type', '=', 'sale'), ('company_id', '=', office.id)]\n"
        "if not env['account.journal'].search(sales):\n"
        "    env['account.chart.template'].try_loading('generic_coa', office, install_demo=False)\n"
        # The generic chart is in dollars; a Belgian office keeps its euros.
        "    office.currency_id = env.ref('base.EUR')\n"
        "office.write({'octopus_reinvoice': True, 'octopus_reinvoice_rhythm': 'quarter', "
        "'octopus_reinvoice_journal_id': env['account.journal'].search(sales, limit=1).id})\n"
        "env['res.users'].search([('login', '=', 'titulaire')]).groups_id |= "
        "env.ref('account.group_account_invoice')\n"
        "env.cr.commit()\n"
    ))


def main():
    odoo_env.require_odoo()
    odoo_env.ensure_test_tools(lint=False)
    pg = odoo_env.postgres()
    os.makedirs(OUT, exist_ok=True)
    run_tests.install_fresh(pg, DBNAME)  # with its demo office
    prepare_reinvoicing(pg)
    port = odoo_env.free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "odoo", f"--database={DBNAME}", f"--db-filter=^{DBNAME}$",
         f"--addons-path={odoo_env.default_addons_path()}", f"--http-port={port}",
         "--http-interface=127.0.0.1", "--max-cron-threads=0", *odoo_env.odoo_db_args(pg)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    browser = None
    try:
        wait_http(f"{base_url}/web/login")
        browser = Browser()
        browser.login(base_url, "titulaire", "titulaire")
        browser.open(f"{base_url}/odoo/octopus-dashboard",
                     ".o_octopus_dashboard .o_kanban_record .o_octopus_dashboard_total")
        browser.capture("dashboard")
        browser.click(".o_octopus_dashboard .o_kanban_record .o_octopus_dashboard_reinvoice",
                      ".modal .o_octopus_reinvoice_preview_table")
        browser.capture("reinvoice_preview")
        browser.open(f"{base_url}/odoo/action-octopus_titulaires.octopus_dossier_action",
                     ".o_list_view .o_data_row")
        browser.capture("dossier_overview")
        browser.evaluate(
            "[...document.querySelectorAll('.o_data_row')].find("
            "row => row.querySelector('[name=access_category]').textContent.trim()"
            ".startsWith('A')).querySelector('[name=name]').click()"
        )
        browser.wait_for("button[name=action_grant_access]")
        browser.click("button[name=action_grant_access]", ".modal button[name=action_next]")
        for _screen in range(3):
            browser.click(".modal-footer button[name=action_next]", ".modal .o_form_view")
        browser.click(".modal .o_field_widget[name=module_ids] input:not(:checked)",
                      ".o_octopus_cost_preview_table")
        browser.capture("grant_dialog")
        browser.click(".modal-footer button[name=action_next]", ".modal .o_octopus_grant_recap")
        browser.capture("grant_recap")
        content = export_workbook(pg)
        browser.call("Page.navigate", url="data:text/html;base64," + base64.b64encode(
            workbook_as_html(content, load_workbook(io.BytesIO(content)).sheetnames[1])
            .encode()).decode())
        time.sleep(1)
        browser.capture("excel_next_invoice")
        browser.call("Network.clearBrowserCookies")
        browser.login(base_url, "client", "client")
        browser.open(f"{base_url}/my/dossiers", ".o_octopus_portal_dossier a")
        browser.click(".o_octopus_portal_dossier a", ".o_octopus_portal_dossier_page")
        browser.capture("portal_dossier")
    finally:
        if browser:
            browser.close()
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
