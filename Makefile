# Fang Siang — the two commands a fresh machine needs: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test install install-test bytecode browser train bench clean

run: install bytecode  ## install and run the service on the embedded default (SQLite, in-process queue, no accounts needed)
	$(BIN)/fangsiang serve --host $(HOST) --port $(PORT)

# Two pytest-xdist workers: most live tests wait on servers, subprocesses and the browser, so two share the machine's
# cores well. Tests sharing a module's fixture stay in one worker (tests/conftest.py); worker gwN uses the Redis
# database N below FANGSIANG_TEST_REDIS's (db 15, 14 by default). TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 2

test: install-test bytecode browser  ## install and run every test (needs PostgreSQL and Redis on localhost)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# The project's own modules compiled once (pip compiles what it installs, not an editable project): where
# PYTHONDONTWRITEBYTECODE is set, every process would compile them again at start (~0.2-0.3 s per CLI command).
# Only changed files are compiled again (0.15 s when nothing changed); hidden directories (.venv, .git) are skipped.
bytecode: install
	$(BIN)/python -m compileall -q -x '/\.' . >/dev/null

browser:  ## Debian's Chromium, Thai fonts, Pango (PDF reports) and poppler (PDF checks), where missing
	@if ! command -v chromium >/dev/null || ! command -v pdftotext >/dev/null || ! fc-list :lang=th | grep -q . \
		|| ! ldconfig -p | grep -q libpangoft2; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-thai-tlwg-ttf poppler-utils libpango-1.0-0 libpangoft2-1.0-0 >/dev/null; \
	fi

train: install  ## build the classifier's models into $FANGSIANG_DATA_DIR/models
	$(BIN)/fangsiang train

bench: install-test  ## webhook and classifier benchmarks (run by hand; figures go in the closing notes)
	$(BIN)/python bench/webhook_throughput.py
	$(BIN)/python bench/classifier_speed.py

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts
