# Task runner. Every target needs a python3 that imports Odoo 18.0 (README).
PYTHON ?= python3

.PHONY: test test-quick run lint bench screenshots

## test: fresh databases without and with demo data, all tests, upgrade and
## uninstall checks, linters; last line "N passed, N failed, N skipped"
test:
	$(PYTHON) tools/run_tests.py

## test-quick: only the tests on a fresh database without demo data
test-quick:
	$(PYTHON) tools/run_tests.py --quick

## run: Odoo with the addon and its demo office on http://localhost:8069;
## another port or database: make run PORT=8070 DATABASE=octopus_demo2
run:
	$(PYTHON) tools/run_server.py $(if $(PORT),--port=$(PORT)) $(if $(DATABASE),--database=$(DATABASE))

## lint: the OCA's mandatory checks
lint:
	$(PYTHON) -m pylint --rcfile=.pylintrc octopus_titulaires
	$(PYTHON) -c "from oca_pre_commit_hooks.cli import main; main()" octopus_titulaires
	$(PYTHON) -c "from oca_pre_commit_hooks.cli_po import main; main()" --disable=po-pretty-format octopus_titulaires/i18n/*.po*

## bench: our Excel export against Odoo's list export and plain openpyxl (5,000 dossiers)
bench:
	$(PYTHON) tools/bench.py

## screenshots: retake the README's screenshots from the demo office in headless Chromium
screenshots:
	$(PYTHON) tools/screenshots.py
