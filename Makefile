# Top-level commands: `make run` starts the app, `make test` runs ruff and pytest.
# Both create .venv from requirements.txt first (and again only when requirements.txt changes).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Stamp inside .venv: deleting .venv also forgets that requirements were installed.
STAMP := $(VENV)/.requirements-installed
# Extra pytest arguments: make test ARGS="-k dealers -x"
ARGS ?=

.PHONY: run test lint clean-var

run: $(STAMP)
	$(PY) scripts/run.py

test: $(STAMP)
	$(PY) scripts/test.py $(ARGS)

lint: $(STAMP)
	$(PY) -m ruff check .

# Stops embedded servers left behind by a killed run, then deletes their data (database, Redis, logs).
clean-var: $(STAMP)
	$(PY) scripts/services.py stop
	rm -rf var

$(STAMP): requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "error: Python 3.11+ is required, $(PYTHON) is " + sys.version.split()[0] + "; run e.g. make PYTHON=python3.12")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || { echo "error: could not create $(VENV) (on Debian/Ubuntu: apt-get install python3-venv)"; exit 1; }
	@$(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "error: $(VENV) uses Python " + sys.version.split()[0] + "; delete it (rm -rf $(VENV)) and retry with Python 3.11+")'
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $(STAMP)
