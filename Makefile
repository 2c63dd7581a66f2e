# Two commands do everything, each from a fresh clone:
#   make serve   set up .venv, serve the site at http://127.0.0.1:8000 at once (results not yet computed
#                show as labelled stand-ins until a background job has computed them)
#   make test    set up .venv, build the site with --strict, run the whole test suite
# Set-up is idempotent: it reinstalls only when requirements.txt changes.

PYTHON  ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
VENDOR  := docs/assets/vendor/.stamp
NODE    := node_modules/.installed
SITE    := site

export NO_MKDOCS_2_WARNING := 1
# Reproducible builds: the one date MkDocs writes (the sitemap.xml.gz header) is the last commit's,
# not today's, so two builds of one commit are byte-identical whenever they run.
export SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)

.PHONY: serve test check build wheel setup vendor clean screenshots

# `mkdocs serve` previews (hooks/artifacts.py): it answers at once and computes the artifacts that are
# not cached in the background; `make build` and `make test` compute everything first. RLHF_PREVIEW=0
# makes serve wait too.
serve: setup
	$(BIN)/mkdocs serve --strict --dev-addr 127.0.0.1:8000

# The static checks and the Node packages need no built site, so they run beside the build, on the core
# time the build leaves idle (its output and theirs, line by line); any of them failing fails `make test`.
# Then pytest on both cores, a test file per worker at a time: a file's tests share its module fixtures
# (one visit per page), and each worker launches one Chromium for all its browser tests. Not --dist
# loadgroup: with pytest 9.2, xdist 3.8.0's group suffix on the test id has no effect, and grouped tests
# were spread over both workers.
test: setup
	$(MAKE) --no-print-directory --jobs=3 --output-sync=line check $(NODE) build
	SITE_DIR=$(SITE) $(BIN)/python -m pytest -n 2 --dist loadfile --cov=snippets --cov=exercises --cov-report=term-missing

# Screenshots for a person to look at, in test-artifacts/screenshots/: every page at 1280 px, two pages at
# a phone's width, the home page in the dark palette (the browser tests take them with --screenshots).
screenshots: $(NODE) build
	SITE_DIR=$(SITE) $(BIN)/python -m pytest -q tests/test_site_browser.py --screenshots

# Static checks, seconds each: lint and formatting, types, and the workflows against GitHub's schema
# (bundled with check-jsonschema, so offline).
check: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	mkdir -p .cache/mypy && ln -sfn ../../snippets .cache/mypy/rl4rlhf && ln -sfn ../../exercises .cache/mypy/rl4rlhf_exercises  # the packages under their import names
	$(BIN)/mypy
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml

build: setup
	$(BIN)/mkdocs build --strict --site-dir $(SITE)

# The package as a wheel, as the site serves it at downloads/ (the build makes it too; cached in .cache/wheel).
wheel: setup
	$(BIN)/python hooks/downloads.py

setup: $(STAMP) $(VENDOR)

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

# axe-core, for the accessibility test (only `make test` needs Node packages).
$(NODE): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $(NODE)

$(VENDOR): tools/vendor.py
	$(PYTHON) tools/vendor.py
	touch $(VENDOR)  # vendor.py leaves an up-to-date stamp as it is; make compares times

vendor: $(VENDOR)

clean:
	rm -rf $(SITE) .cache docs/assets/vendor
