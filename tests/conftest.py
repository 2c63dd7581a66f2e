"""Fixtures for the tests of the built site.

* ``built_site``: the built site's folder. ``$SITE_DIR`` when set (``make test`` builds it first,
  relative paths are relative to the repo root); otherwise the site is built once per session with
  ``mkdocs build --strict`` into a temporary folder, and a failed build fails the test with mkdocs'
  output.
* ``browser``: one headless Chromium (tests/chromium.py finds it) for every browser test of the
  process (each xdist worker), launched once; each visit opens a context of its own, so nothing a
  test does carries over to another.
* ``site_server``: that folder served over HTTP on 127.0.0.1, on a port the OS picks, text gzipped.
* ``page`` / ``html_file``: tests that take one of these are parametrised over every page (or every
  checked HTML file) of the built site, so a failure names the page. Listing them needs the site at
  collection time, so the build (when there is no ``$SITE_DIR``) happens then, once.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from benchmarks.site import CHROMIUM_ARGS, serve  # the browser launched as the benchmark launches it
from tests.chromium import BrowserMissing, find_chromium
from tests.site_helpers import (
    SiteBuildError,
    build_site,
    html_files,
    list_pages,
    page_id,
    site_dir_from_env,
)

# Property tests draw the same examples on every run (derandomize), so a failure is never a fluke of
# one run, and have no deadline: a timed assertion is a flaky one on a busy machine. No example
# database on disk either: the examples come from the seed alone.
settings.register_profile("repo", derandomize=True, deadline=None, database=None, max_examples=100)
settings.load_profile("repo")

_SITE_KEY = pytest.StashKey["Path | str"]()  # the site folder, or why there is none
_NO_SITE = "no-site"  # the single parameter used when there is no site to list


def _site_dir(config: pytest.Config) -> Path | str:
    """The built site for this session (built at most once), or the reason it could not be had."""
    if _SITE_KEY in config.stash:
        return config.stash[_SITE_KEY]
    result: Path | str
    env_dir = site_dir_from_env()
    if env_dir is not None:
        if (env_dir / "index.html").is_file():
            result = env_dir
        else:
            result = f"$SITE_DIR={env_dir} holds no built site (no index.html); run `make test`"
    else:
        # The same factory the `tmp_path_factory` fixture returns.
        factory: pytest.TempPathFactory = config._tmp_path_factory  # type: ignore[attr-defined]
        try:
            result = build_site(factory.mktemp("site"))
        except SiteBuildError as exc:
            result = str(exc)
    config.stash[_SITE_KEY] = result
    return result


# Coverage (``make test``: ``--cov=snippets --cov=exercises``) is measured by the tests written for the
# code: one test module per snippet module, and the exercises' own. The tests below run that code only
# on their way to something else (a whole build, a page in a browser, a notebook, the site's values),
# and the tracer slowed them most: pytest-cov's ``no_cover`` pauses it for them (the suite went from 320
# to 233 s). The coverage report is the same line for line without them (issue 17's closing note).
NOT_FOR_COVERAGE = {
    "test_artifacts.py",
    "test_build_faults.py",
    "test_downloads.py",
    "test_notebooks_outside.py",
    "test_preview.py",
    "test_provenance.py",
    "test_references.py",
    "test_reproducible.py",
    "test_runs.py",
    "test_site_links.py",
    "test_values.py",
    "test_zensical.py",
}


# The longest test files, longest first (worker-seconds each, measured in a fresh clone's `make test`: 95, 37,
# 35, 29, 24, 24).
# `make test` hands out whole files to its two workers in collection order; a long file handed out last
# would leave the other worker idle while it runs, so these go first and the short files fill in after.
LONGEST_FIRST = (
    "test_site_browser.py",
    "test_artifacts.py",
    "test_build_faults.py",
    "test_maze_widget.py",
    "test_notebooks_outside.py",
    "test_preview.py",
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--screenshots",
        action="store_true",
        help="the browser tests save screenshots for a person to look at, in test-artifacts/screenshots/ "
        "(`make screenshots`); off by default: nothing checks them, and they cost a second a page",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("browser") or item.path.name in NOT_FOR_COVERAGE:
            item.add_marker(pytest.mark.no_cover)
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: each file's own order is kept


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    for name, lister, ids in (("page", list_pages, page_id), ("html_file", html_files, str)):
        if name not in metafunc.fixturenames:
            continue
        site = _site_dir(metafunc.config)
        values = lister(site) if isinstance(site, Path) else []
        if not values:  # one test that fails through `built_site` (or names the empty site)
            values, ids = [_NO_SITE], str
        metafunc.parametrize(name, values, ids=ids)


@pytest.fixture(scope="session")
def built_site(request: pytest.FixtureRequest) -> Path:
    site = _site_dir(request.config)
    if not isinstance(site, Path):
        pytest.fail(site, pytrace=False)
    return site


@pytest.fixture
def page(request: pytest.FixtureRequest, built_site: Path) -> str:
    """Placeholder; pytest_generate_tests parametrises it with each page's site-relative URL."""
    value = request.param
    if value == _NO_SITE:
        pytest.fail(f"the built site at {built_site} has no pages", pytrace=False)
    return value


@pytest.fixture
def html_file(request: pytest.FixtureRequest, built_site: Path) -> str:
    """Placeholder; pytest_generate_tests parametrises it with each checked HTML file's path."""
    value = request.param
    if value == _NO_SITE:
        pytest.fail(f"the built site at {built_site} has no HTML files", pytrace=False)
    return value


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright  # only the browser tests need it

    try:
        executable, missing = find_chromium(), ""  # $CHROMIUM, a system Chrome or Chromium, or Playwright's own
    except BrowserMissing as exc:
        executable, missing = "", str(exc)
    if missing:
        pytest.fail(missing, pytrace=False)  # one line: what to install
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def site_server(built_site: Path) -> Iterator[str]:
    """The built site served at http://127.0.0.1:PORT (no trailing slash), its text gzipped as a static
    host sends it: the server ``benchmarks/site.py`` weighs pages with."""
    with serve(built_site) as origin:
        yield origin
