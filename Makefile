# Two commands do everything, each from a fresh clone:
#   make serve   set up .venv, build the site, serve it at http://127.0.0.1:8000
#   make test    set up .venv, build the site with --strict, run the whole test suite
# Set-up is idempotent: it reinstalls only when requirements.txt changes.

PYTHON  ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
VENDOR  := docs/assets/vendor/.stamp
SITE    := site

export NO_MKDOCS_2_WARNING := 1

.PHONY: serve test build setup vendor clean

serve: setup
	$(BIN)/mkdocs build --strict --site-dir $(SITE)
	$(BIN)/mkdocs serve --strict --dev-addr 127.0.0.1:8000

test: setup
	$(BIN)/mkdocs build --strict --site-dir $(SITE)
	SITE_DIR=$(SITE) $(BIN)/python -m pytest --cov=snippets --cov-report=term-missing

build: setup
	$(BIN)/mkdocs build --strict --site-dir $(SITE)

setup: $(STAMP) $(VENDOR)

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

$(VENDOR): tools/vendor.py
	$(PYTHON) tools/vendor.py

vendor: $(VENDOR)

clean:
	rm -rf $(SITE) .cache docs/assets/vendor
