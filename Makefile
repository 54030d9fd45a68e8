# make run: install into .venv, create the demo point, serve on http://127.0.0.1:5000
# make test: install with the test extra (and Debian's Chromium when missing), run every test
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install install-test system-deps messages lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python system-deps
	$(BIN)/pip install --quiet -e '.[test,serve]'

# Debian packages the tests drive (root or sudo needed once): Chromium and ChromeDriver for
# real-browser tests, LibreOffice Calc to prove exported CSV runs no formula, poppler-utils
# (pdftoppm) to render the paper questionnaire as an image.
TEST_DEBS := chromium chromium-driver libreoffice-calc poppler-utils
system-deps:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ] || ! command -v soffice >/dev/null || ! command -v pdftoppm >/dev/null; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends \
	    $(TEST_DEBS) >/dev/null; \
	fi

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
	rm -rf $(VENV) build dist *.egg-info
