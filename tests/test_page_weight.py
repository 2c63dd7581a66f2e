"""Page weight: what a reader's browser downloads on a page's first load, against the budget.

Measured as ``benchmarks/site.py`` measures it for its table (and with its code): the built site
served with its text gzipped, as a static host serves it; each page opened in a fresh browser
context (an empty cache) at 1280x800 until the load event and network idle; the bytes are every
request's as sent (headers and body), a worker's own script included. The budget (issue 17): no page
over ``MAX_KIB``, and the median page at most ``MEDIAN_KIB``.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from benchmarks.site import serve, weigh_page
from tests.site_helpers import list_pages
from tests.test_site_browser import browser  # noqa: F401 - the shared fixture: one Chromium for the module

pytestmark = pytest.mark.browser

MAX_KIB = 500  # the heaviest page
MEDIAN_KIB = 250  # the median page (median_high: a real page, as the benchmark's table)
KIB = 1024


@pytest.fixture(scope="module")
def gzip_server(built_site: Path) -> Iterator[str]:
    """The built site served as ``benchmarks/site.py`` serves it to weigh it: text gzipped."""
    with serve(built_site) as origin:
        yield origin


@pytest.fixture(scope="module")
def weights() -> dict[str, dict]:
    """Each page's measurement, by its URL, as the tests take them (the median test uses them all)."""
    return {}


def _weigh(chromium: Browser, origin: str, url: str, weights: dict[str, dict]) -> dict:
    if url not in weights:
        weights[url] = weigh_page(chromium, origin, url)
    return weights[url]


def test_page_within_budget(page: str, browser: Browser, gzip_server: str, weights: dict[str, dict]) -> None:  # noqa: F811
    row = _weigh(browser, gzip_server, page, weights)
    assert not row["off_site"], f"requests off the site: {row['off_site']}"
    kib = row["bytes"] / KIB
    assert kib <= MAX_KIB, (
        f"/{page} downloads {kib:,.0f} KiB on first load ({row['requests']} requests), over {MAX_KIB}"
    )


def test_median_page_within_budget(
    browser: Browser,  # noqa: F811
    gzip_server: str,
    built_site: Path,
    weights: dict[str, dict],
) -> None:
    rows = [_weigh(browser, gzip_server, url, weights) for url in list_pages(built_site)]
    median = statistics.median_high(row["bytes"] for row in rows) / KIB
    assert median <= MEDIAN_KIB, f"the median page downloads {median:,.0f} KiB on first load, over {MEDIAN_KIB}"
