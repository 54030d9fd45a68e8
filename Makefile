# make run: install into .venv, create the demo point, serve on http://127.0.0.1:5000
# make test: install with the test extra (and Debian's Chromium, Java, Node when missing), run every test
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
# Marker of the test's npm packages (see below): npm ci writes it last.
TEST_JS := tests/js/node_modules/.package-lock.json

.PHONY: run test install install-test system-deps messages lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python system-deps $(TEST_JS)
	$(BIN)/pip install --quiet -e '.[test,serve]'

# Debian packages the tests drive (root or sudo needed once): Chromium and ChromeDriver for
# real-browser tests, LibreOffice Calc to prove exported CSV runs no formula, poppler-utils
# (pdftoppm) to render the paper questionnaire as an image, Java for the Nu HTML checker.
# Node.js and npm (to install the checkers below) come from Debian only when no node or npm is
# installed: a NodeSource node ships its own npm, which Debian's would replace.
TEST_DEBS := chromium chromium-driver libreoffice-calc poppler-utils default-jre-headless
system-deps:
	@debs="$(TEST_DEBS)"; \
	if ! command -v node >/dev/null || ! command -v npm >/dev/null; then debs="$$debs nodejs npm"; fi; \
	if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ] || ! command -v soffice >/dev/null \
	    || ! command -v pdftoppm >/dev/null || ! command -v java >/dev/null \
	    || ! command -v node >/dev/null || ! command -v npm >/dev/null; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends \
	    $$debs >/dev/null; \
	fi

# axe-core and the Nu HTML checker (vnu-jar) for tests/staff/test_staff_crawl.py, at the versions of
# tests/js/package-lock.json, in git-ignored tests/js/node_modules; installed again only when the
# lock file changes. No install scripts: vnu-jar's would download a Java runtime from GitHub.
$(TEST_JS): tests/js/package-lock.json | system-deps
	npm ci --prefix tests/js --ignore-scripts --no-audit --no-fund --loglevel=error

# The demo URL and posters must carry the address the server really listens on.
BASE_URL_FOR_RUN = $${PAPI_PULSE_BASE_URL:-http://$(HOST):$(PORT)}

run: install
	$(BIN)/papi-pulse migrate
	PAPI_PULSE_BASE_URL=$(BASE_URL_FOR_RUN) $(BIN)/papi-pulse demo --responses 300
	@echo "Staff pages: http://$(HOST):$(PORT)/staff/ (create an account: .venv/bin/papi-pulse users create NAME --role administrator)"
	PAPI_PULSE_BASE_URL=$(BASE_URL_FOR_RUN) $(BIN)/papi-pulse run --host $(HOST) --port $(PORT)

test: install-test lint
	$(BIN)/python -m pytest -q

messages: $(BIN)/python
	$(BIN)/python tools/messages.py update

lint: $(BIN)/python
	$(BIN)/ruff check survey tests bench tools
	$(BIN)/ruff format --check survey tests bench tools

clean:
	rm -rf $(VENV) build dist *.egg-info tests/js/node_modules
