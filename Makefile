# Task runner. Every target needs a python3 that imports Odoo 18.0 (README).
PYTHON ?= python3

.PHONY: test test-quick run lint bench load screenshots

## test: fresh databases without and with demo data, octopus_titulaires and
## octopus_titulaires_account installed, all tests of both, upgrade and uninstall
## checks (the bridge, then the addon), linters; last line "N passed, N failed, N skipped"
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
	$(PYTHON) -m pylint --rcfile=.pylintrc octopus_titulaires octopus_titulaires_account
	$(PYTHON) -c "from oca_pre_commit_hooks.cli import main; main()" octopus_titulaires octopus_titulaires_account
	$(PYTHON) -c "from oca_pre_commit_hooks.cli_po import main; main()" --disable=po-pretty-format octopus_titulaires/i18n/*.po* octopus_titulaires_account/i18n/*.po*

## bench: how export, projection, dossier list, daily jobs and import scale on
## offices of 500, 5,000 and 50,000 dossiers (about 10 minutes; table also in
## bench-results/); other sizes: make bench SIZES=500,5000; another database
## (default octopus_bench): make bench DATABASE=octopus_bench2
bench:
	$(PYTHON) tools/bench.py $(if $(SIZES),--sizes=$(SIZES)) $(if $(DATABASE),--database=$(DATABASE))

## load: the demo office served by Odoo with --workers=2 on 127.0.0.1, 20 clients
## for 60 seconds on the dossier list and /my/dossiers; ports: make load PORT=8075
load:
	$(PYTHON) tools/load.py $(if $(PORT),--port=$(PORT))

## screenshots: retake the README's screenshots from the demo office in headless Chromium
screenshots:
	$(PYTHON) tools/screenshots.py
