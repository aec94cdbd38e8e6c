# whatworks: `make serve` runs the main job, `make test` runs the tests.
# Both work on a fresh machine with Python 3.11+ and make: they create .venv and install into it.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
SUDO   := $(shell [ "$$(id -u)" != 0 ] && command -v sudo)

.PHONY: install chromium test serve build lint schema bench load fuzz pa11y clean

PLUGIN := plugins/datasette-whatworks-search

$(STAMP): pyproject.toml $(PLUGIN)/pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "whatworks needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e $(PLUGIN) -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

# Browser tests drive Debian's chromium (no browser is downloaded at run time).
chromium:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

test: install chromium
	$(BIN)/whatworks lint
	$(BIN)/python -m pytest -q

serve: install
	$(BIN)/whatworks serve

build: install
	$(BIN)/whatworks build

lint: install
	$(BIN)/whatworks lint

schema: install
	$(BIN)/whatworks schema

bench: install
	$(BIN)/python bench/run.py

load: install
	$(BIN)/python bench/load.py

# The "anything that lints clean builds" property test with many examples (make test runs 3).
FUZZ_EXAMPLES ?= 200
fuzz: install
	WHATWORKS_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -q -p no:cacheprovider tests/test_build_property.py tests/evidence/test_fuzz.py

# pa11y (WCAG2AA) over the built site: fails on our markup, lists Material's (tests/a11y/README.md).
# Needs Node 20+ and npm; the browser is Debian's chromium (nothing is downloaded by Puppeteer).
A11Y := tests/a11y
pa11y: build chromium
	cd $(A11Y) && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
	$(BIN)/python $(A11Y)/pa11y.py _build/site

clean:
	rm -rf _build .pytest_cache
