"""The built site in a real browser: Chrome or Chromium (tests/chromium.py finds it), driven by Playwright, offline.

For every page (the test id names it):

* ``test_page_loads_cleanly``: no console error, no uncaught exception, no request that fails or
  answers >= 400, and no request off the site's own origin (every such request is aborted by a
  route before it can reach the network, and listed).
* ``test_page_content_renders``: every <img> loaded and has real alt text; every ``.arithmatex``
  span/div was typeset by KaTeX without error; the article shows no raw TeX and no mojibake.
* ``test_page_fits_mobile_width``: at 375x740 the page does not scroll sideways (the visit's page,
  resized after the checks at 1280 px: the layout is CSS's and is recomputed in full; on every page
  the widths were those of a fresh load at 375 px, and a planted 600 px element is found either way).
* ``test_page_is_accessible``: axe-core (from the npm registry, ``npm ci``), run in the page, finds no
  violation of serious or critical impact.
* ``test_page_fetches_the_data_of_its_widgets_only``: the page fetches under data/ exactly the files
  its widgets name (``data-src``), each once: a widget's data is fetched on its page and no other.
* ``test_page_within_budget``: the first load (the site served with its text gzipped, as a static host
  serves it, in a fresh context, counted by ``benchmarks/site.py``'s ``FirstLoad``, so as the
  benchmark's table counts it) is within issue 17's budget; and once, the median page is too.

The tests of a page share one visit at 1280 px. And once: search works offline, the dark palette
toggles, and the notebook page offers its .ipynb.

With ``pytest --screenshots`` (``make screenshots``), screenshots for a person to look at go to
test-artifacts/screenshots/ (git-ignored): every page in light mode at 1280 px (full page), the home
page in dark mode, and two pages at mobile width. Nothing checks them, so they are off by default.
"""

from __future__ import annotations

import json
import re
import statistics
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Route

from benchmarks.site import WEIGHT_GOALS, FirstLoad
from tests.site_helpers import (
    HOME_PAGE,
    NOTEBOOK_PAGE,
    REPO_ROOT,
    list_pages,
    page_id,
    parse_file,
)

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
MOBILE = {"width": 375, "height": 740}
SHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
TIMEOUT_MS = 20_000  # for waits only; nothing asserts on how long anything took
SEARCH_WORD = "Bellman"
NBCONVERT_PLACEHOLDER_ALT = "No description has been provided for this image"
AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"  # `make test` runs `npm ci` first
MIN_ALT_WORDS = 4  # "Discount weights" names a figure; alt text should say what it shows
AXE_JS = r"""
async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.length} elements, e.g. ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join("; ")})`);
}
"""


def _shot_name(url: str) -> str:
    return page_id(url).replace("/", "__") + ".png"


# --- Contexts, and what a visit records (the browser is tests/conftest.py's) ----------------------


@dataclass(frozen=True)
class Shots:
    """Where screenshots go, if anywhere, and which pages are also shot at mobile width."""

    folder: Path | None  # None: none are taken (pytest --screenshots takes them)
    mobile: frozenset[str] = frozenset()

    def take(self, tab: Page, name: str) -> None:
        if self.folder is not None:
            tab.screenshot(path=self.folder / name, full_page=True)


@pytest.fixture(scope="module")
def screenshots(request: pytest.FixtureRequest, built_site: Path) -> Shots:
    if not request.config.getoption("--screenshots"):
        return Shots(None)
    SHOTS.mkdir(parents=True, exist_ok=True)
    return Shots(SHOTS, frozenset(_mobile_screenshot_pages(built_site)))


@dataclass
class NetLog:
    """Everything that went wrong while a browser context was open."""

    origin: str
    requested: list[str] = field(default_factory=list)
    off_site: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    bad_status: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    first_load: FirstLoad | None = None  # set when the visit weighs the page

    def is_own(self, url: str) -> bool:
        return url.startswith(self.origin + "/") or url.startswith(("data:", "blob:"))

    def route(self, route: Route) -> None:
        url = route.request.url
        self.requested.append(url)
        if self.is_own(url):
            route.continue_()
        else:  # never let it reach the network
            self.off_site.append(url)
            route.abort("blockedbyclient")

    def problems(self) -> list[str]:
        lines = [f"off-site request (aborted): {url}" for url in self.off_site]
        lines += [f"request failed: {item}" for item in self.failed]
        lines += [f"HTTP error: {item}" for item in self.bad_status]
        lines += [f"console error: {item}" for item in self.console_errors]
        lines += [f"uncaught exception: {item}" for item in self.page_errors]
        return lines


@contextmanager
def visit(
    browser: Browser,
    origin: str,
    url: str,
    *,
    viewport: dict[str, int] = DESKTOP,
    idle: bool = True,
    weigh: bool = False,
) -> Iterator[tuple[Page, NetLog]]:
    """A fresh context and page at `url` (site-relative), once the page has loaded and the network is idle.

    ``idle=False``: once the page has loaded, for a test that waits for what it checks itself (a
    widget's ``data-ready``) and reads the log only at its end. ``weigh=True``: ``log.first_load``
    counts the bytes of the first load (``benchmarks/site.py``'s ``FirstLoad``): read it before the
    test does anything else in the page.

    "Loaded" is the page's own load event. It comes after DOMContentLoaded, whose handlers run
    Material's ``document$`` and so katex-init.js (the math typeset) and Material's components: the
    page is then as a reader sees it. Playwright's "networkidle" alone is no such signal: it means
    500 ms without a request, which a busy machine reaches while still parsing a long page
    (``document.readyState == "loading"``), and the checks would then read TeX not yet typeset.
    """
    log = NetLog(origin)
    context = browser.new_context(viewport=viewport, color_scheme="light", locale="en-US")
    try:
        context.set_default_timeout(TIMEOUT_MS)
        context.route("**/*", log.route)
        context.on(
            "requestfailed",
            lambda req: None if req.url in log.off_site else log.failed.append(f"{req.url} ({req.failure})"),
        )
        context.on(
            "response",
            lambda resp: log.bad_status.append(f"{resp.status} {resp.url}") if resp.status >= 400 else None,
        )
        tab = context.new_page()
        tab.on(
            "console",
            lambda msg: (
                log.console_errors.append(f"{msg.text} (at {msg.location.get('url', '')})")
                if msg.type == "error"
                else None
            ),
        )
        tab.on("pageerror", lambda exc: log.page_errors.append(str(exc)))
        if weigh:
            log.first_load = FirstLoad(context, tab)
        tab.goto(f"{origin}/{url}", wait_until="load")
        if idle:
            tab.wait_for_load_state("networkidle")  # returns at once if it fired already, mid-parse
        yield tab, log
    finally:
        context.close()


# --- Per page: desktop visit (loaded once, checked by two tests) -----------------------------------

CONTENT_CHECKS_JS = r"""
async ([placeholderAlt, minAltWords]) => {
  const out = { images: [], math: [], text: [], counts: { images: 0, math: 0 } };
  const short = (s, n = 100) => { s = (s || "").replace(/\s+/g, " ").trim(); return s.length > n ? s.slice(0, n) + "…" : s; };

  // Images: lazy ones are made eager and awaited, so every image gets its chance to load.
  const images = [...document.images];
  out.counts.images = images.length;
  for (const img of images) if (!img.complete) img.loading = "eager";
  await Promise.all(images.map((img) => img.complete ? null : new Promise((done) => {
    img.addEventListener("load", done, { once: true });
    img.addEventListener("error", done, { once: true });
    setTimeout(done, 10000);
  })));
  for (const img of images) {
    const src = short(img.getAttribute("src"), 90);
    if (!img.complete || img.naturalWidth === 0) out.images.push(`not loaded: <img src="${src}">`);
    const alt = (img.getAttribute("alt") || "").trim();
    if (!alt) out.images.push(`no alt text: <img src="${src}">`);
    else if (alt.split(/\s+/).length < minAltWords) out.images.push(`alt text "${alt}" is too short to say what the image shows: <img src="${src}">`);
    else if (alt === placeholderAlt) out.images.push(`placeholder alt text "${alt}" (added by nbconvert): <img src="${src}">`);
  }

  // Math: every arithmatex element typeset by KaTeX, without a KaTeX error.
  const maths = document.querySelectorAll(".arithmatex");
  out.counts.math = maths.length;
  for (const el of maths) {
    const tex = short(el.querySelector("annotation")?.textContent || el.textContent);
    if (!el.querySelector(".katex")) out.math.push(`not typeset: ${tex}`);
    for (const err of el.querySelectorAll(".katex-error")) out.math.push(`KaTeX error ${short(err.title)}: ${tex}`);
  }

  // Text of the article: no mojibake anywhere (hidden copy-to-clipboard text included), and no raw
  // TeX in the visible prose (code and typeset math excluded). Text that is hidden only because a
  // <details> or a content tab is closed still counts as visible: a reader can open it.
  const article = document.querySelector("article");
  if (!article) { out.text.push("the page has no <article>"); return out; }
  const prose = [], all = [];
  const shown = (el) => el.checkVisibility() || !!el.closest("details, .tabbed-block");
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || el.closest("script, style, template, .katex-mathml")) continue;
    all.push(node.data);
    if (shown(el) && !el.closest("pre, code, kbd, samp, .katex")) prose.push(node.data);
  }
  const report = (what, text, regex) => {
    for (const m of text.matchAll(regex)) {
      const around = short(text.slice(Math.max(0, m.index - 40), m.index + m[0].length + 40), 120);
      out.text.push(`${what} ${JSON.stringify(m[0])} in "${around}"`);
    }
  };
  report("mojibake", all.join("\n"), /â€|Ã|ðŸ|\uFFFD|Â/g);
  report("raw TeX", prose.join("\n"), /\\[()\[\]]|\$\$|\\begin\{|\\[A-Za-z]{2,}|\$[^$\s][^$\n]*?[\\^_][^$\n]*?\$/g);
  return out;
}
"""


_DATA_PATH = "/data/"  # where the widgets' data files are served (hooks/compute.py: data_<name> is data/<name>.json)


WIDGET_DATA_JS = r"""
() => [...document.querySelectorAll("[data-src]")].map((el) => new URL(el.dataset.src, document.baseURI).href)
"""


@dataclass
class DesktopReport:
    network: list[str]
    weight: dict[str, int]  # the first load: {"bytes", "requests"}, as benchmarks/site.py weighs a page
    data: dict[str, list[str]]  # {"declared": the widgets' data-src, "fetched": requests under data/}, URLs
    content: dict[str, Any]
    accessibility: list[str]  # axe-core's serious and critical violations
    overflow: dict[str, Any]  # OVERFLOW_JS at mobile width: {"scrollWidth", "innerWidth", "offenders"}


@pytest.fixture(scope="module")
def desktop_reports() -> dict[str, DesktopReport]:
    return {}


def desktop_visit(
    page: str, browser: Browser, origin: str, screenshots: Shots, reports: dict[str, DesktopReport]
) -> DesktopReport:
    """Visit `page` once at 1280 px (shared by the tests below) and check it; then at mobile width.

    What the first load took is read first, before the checks load the lazy images."""
    if page not in reports:
        with visit(browser, origin, page, weigh=True) as (tab, log):
            assert log.first_load is not None
            weight = {"bytes": log.first_load.total(log.off_site), "requests": log.first_load.requests}
            fetched = [url for url in log.requested if urlsplit(url).path.startswith(_DATA_PATH)]
            declared = tab.evaluate(WIDGET_DATA_JS)
            content = tab.evaluate(CONTENT_CHECKS_JS, [NBCONVERT_PLACEHOLDER_ALT, MIN_ALT_WORDS])
            screenshots.take(tab, _shot_name(page))
            if not AXE.is_file():
                raise FileNotFoundError(f"{AXE} is missing: run `npm ci` (make test does)")
            tab.add_script_tag(content=AXE.read_text(encoding="utf-8"))  # inline: no request
            accessibility = tab.evaluate(AXE_JS)
            tab.set_viewport_size(MOBILE)
            tab.evaluate(TWO_FRAMES_JS)  # the page's own resize and media-query handlers run first
            overflow = tab.evaluate(OVERFLOW_JS)
            if page in screenshots.mobile:
                screenshots.take(tab, f"mobile-{_shot_name(page)}")
            network = log.problems()
        data = {"declared": declared, "fetched": fetched}
        reports[page] = DesktopReport(network, weight, data, content, accessibility, overflow)
    return reports[page]


@pytest.fixture
def desktop_report(
    page: str,
    browser: Browser,
    site_server: str,
    screenshots: Shots,
    desktop_reports: dict[str, DesktopReport],
) -> DesktopReport:
    return desktop_visit(page, browser, site_server, screenshots, desktop_reports)


def test_page_loads_cleanly(page: str, desktop_report: DesktopReport) -> None:
    problems = desktop_report.network
    assert not problems, f"/{page}: {len(problems)} problem(s) loading it:\n  " + "\n  ".join(problems)


def test_page_fetches_the_data_of_its_widgets_only(page: str, desktop_report: DesktopReport) -> None:
    """Each widget's data file is fetched once, on the page that holds the widget, and on no other page."""
    declared, fetched = desktop_report.data["declared"], desktop_report.data["fetched"]
    assert sorted(fetched) == sorted(declared), (
        f"/{page}: its widgets name the data {declared}, but the page fetched {fetched} under {_DATA_PATH}"
    )


def test_page_content_renders(page: str, desktop_report: DesktopReport) -> None:
    content = desktop_report.content
    problems = [f"image {p}" for p in content["images"]]
    problems += [f"math {p}" for p in content["math"]]
    problems += [f"text: {p}" for p in content["text"]]
    assert not problems, (
        f"/{page} ({content['counts']['images']} images, {content['counts']['math']} math elements): "
        f"{len(problems)} problem(s):\n  " + "\n  ".join(problems)
    )


def test_page_is_accessible(page: str, desktop_report: DesktopReport) -> None:
    violations = desktop_report.accessibility
    assert not violations, f"/{page}: {len(violations)} serious or critical axe-core violation(s):\n  " + "\n  ".join(
        violations
    )


# --- Page weight: the first load against issue 17's budget ---------------------------------------

MAX_KIB = WEIGHT_GOALS["heaviest"] // 1024  # no page heavier
MEDIAN_KIB = WEIGHT_GOALS["median"] // 1024  # the median page (median_high: a real page, as the benchmark's table)


def test_page_within_budget(page: str, desktop_report: DesktopReport) -> None:
    weight = desktop_report.weight
    kib = weight["bytes"] / 1024
    assert kib <= MAX_KIB, (
        f"/{page} downloads {kib:,.0f} KiB on first load ({weight['requests']} requests), over {MAX_KIB}"
    )


def test_median_page_within_budget(
    browser: Browser,
    site_server: str,
    built_site: Path,
    screenshots: Shots,
    desktop_reports: dict[str, DesktopReport],
) -> None:
    """Every page's weight, from the visits above (a page not visited yet is visited now)."""
    reports = [desktop_visit(p, browser, site_server, screenshots, desktop_reports) for p in list_pages(built_site)]
    median = statistics.median_high(r.weight["bytes"] for r in reports) / 1024
    assert median <= MEDIAN_KIB, f"the median page downloads {median:,.0f} KiB on first load, over {MEDIAN_KIB}"


# --- Per page: mobile width, in the same visit ---------------------------------------------------

TWO_FRAMES_JS = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"
OVERFLOW_JS = r"""
() => {
  const doc = document.documentElement, width = window.innerWidth;
  const out = { scrollWidth: doc.scrollWidth, innerWidth: width, offenders: [] };
  if (doc.scrollWidth <= width + 1) return out;
  const describe = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += "#" + el.id;
    if (typeof el.className === "string" && el.className.trim()) s += "." + el.className.trim().split(/\s+/).join(".");
    return s;
  };
  const clipped = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== "visible") return true;
    }
    return false;
  };
  const wide = new Set();
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > width + 1 && !clipped(el)) wide.add(el);
  }
  for (const el of wide) {  // only the outermost offenders
    if (wide.has(el.parentElement)) continue;
    const r = el.getBoundingClientRect();
    const text = (el.textContent || "").replace(/\s+/g, " ").trim().slice(0, 60);
    out.offenders.push(`${describe(el)} (right edge at ${Math.round(r.right)}px): "${text}"`);
    if (out.offenders.length >= 10) break;
  }
  return out;
}
"""


def _mobile_screenshot_pages(site: Path) -> set[str]:
    """The home page and the page with the most math (most likely to be too wide)."""
    pages = list_pages(site)
    mathiest = max(
        (p for p in pages if p != HOME_PAGE),
        key=lambda p: (site / p / "index.html").read_text(encoding="utf-8").count("arithmatex"),
        default=HOME_PAGE,
    )
    return {HOME_PAGE, mathiest}


def test_page_fits_mobile_width(page: str, desktop_report: DesktopReport) -> None:
    result = desktop_report.overflow
    assert result["scrollWidth"] <= result["innerWidth"] + 1, (
        f"/{page} scrolls sideways at {MOBILE['width']}px: scrollWidth {result['scrollWidth']} > "
        f"innerWidth {result['innerWidth']}; widest elements outside a scroll container:\n  "
        + "\n  ".join(result["offenders"])
    )


# --- Once: search, dark mode, notebook download ----------------------------------------------------


def _page_of(href: str, origin: str) -> str:
    """Site-relative page URL of an absolute link on the site (fragment and query dropped)."""
    path = urlsplit(href).path
    assert href.startswith(origin + "/"), f"link {href} leaves the site"
    return path.lstrip("/")


def test_search_works_offline(browser: Browser, site_server: str, built_site: Path) -> None:
    index = (built_site / "search" / "search_index.json").read_text(encoding="utf-8")
    assert SEARCH_WORD.lower() in index.lower(), f"{SEARCH_WORD!r} is not in the search index"
    with visit(browser, site_server, HOME_PAGE) as (tab, log):
        box = tab.locator("input.md-search__input")
        box.click()
        box.press_sequentially(SEARCH_WORD)
        items = tab.locator(".md-search-result__item")
        items.first.wait_for(state="visible")
        results = items.evaluate_all(
            """items => items.map(item => ({
                 href: item.querySelector("a")?.href || "",
                 text: item.textContent.replace(/\\s+/g, " ").trim(),
               }))"""
        )
        tab.wait_for_load_state("networkidle")
        worker_index_requested = any(u.endswith("/search/search_index.json") for u in log.requested)
        network = log.problems()
    assert results, f"searching {SEARCH_WORD!r} found nothing"
    assert not network, "problems while searching:\n  " + "\n  ".join(network)
    assert worker_index_requested, f"the search index was never requested; requests: {log.requested}"
    assert any(SEARCH_WORD.lower() in r["text"].lower() for r in results), results
    # One result is the page that teaches the Q-function / Bellman target (found by its title).
    titles = {}
    for result in results:
        target = _page_of(result["href"], site_server)
        file = built_site / target / "index.html" if target.endswith("/") or not target else built_site / target
        assert file.is_file(), f"search result {result['href']} points at no page"
        parsed = parse_file(file)
        titles[result["href"]] = f"{parsed.h1} | {parsed.title}"
    assert any(re.search(r"Q-function|Bellman", title, re.IGNORECASE) for title in titles.values()), (
        f"no result for {SEARCH_WORD!r} is a page about the Q-function or the Bellman target: {titles}"
    )


SEARCH_INDEX = "/search/search_index.json"


def test_search_index_waits_until_the_reader_reaches_for_search(browser: Browser, site_server: str) -> None:
    """The index (113 KiB gzipped) is not part of a page's load: it is fetched when the reader first
    goes to the search box (overrides/partials/search-on-demand.js), here by Material's "/" shortcut."""
    with visit(browser, site_server, HOME_PAGE) as (tab, log):
        tab.wait_for_timeout(500)  # a late start-up request would have gone by now
        early = [u for u in log.requested if u.endswith(SEARCH_INDEX)]
        with tab.expect_response(lambda r: r.url.endswith(SEARCH_INDEX) and r.ok):
            tab.keyboard.press("/")
        tab.keyboard.type(SEARCH_WORD)
        tab.locator(".md-search-result__item").first.wait_for(state="visible")
        network = log.problems()
    assert not early, f"the search index was fetched before any use of search: {early}"
    assert not network, "problems while searching:\n  " + "\n  ".join(network)


def test_a_page_opened_from_a_search_result_gets_the_index_at_once(browser: Browser, site_server: str) -> None:
    """Material highlights the searched terms (``?h=``) with the index: such a page does not wait for it."""
    page = "value-learning/q-function/"
    with visit(browser, site_server, f"{page}?h={SEARCH_WORD.lower()}") as (tab, log):
        fetched = any(u.endswith(SEARCH_INDEX) for u in log.requested)
        assert fetched, "a page opened with ?h= did not fetch the search index"
        tab.locator("article mark").first.wait_for(state="attached")
        marks = tab.locator("article mark").count()
        network = log.problems()
    assert marks > 0, f"no term highlighted on /{page}?h={SEARCH_WORD.lower()}"
    assert not network, "\n  ".join(network)


def test_dark_mode_toggle(browser: Browser, site_server: str, screenshots: Shots) -> None:
    with visit(browser, site_server, HOME_PAGE) as (tab, log):
        assert tab.locator("body").get_attribute("data-md-color-scheme") == "default"
        toggle = tab.locator('label.md-header__button[for^="__palette_"]').filter(visible=True)
        assert toggle.count() == 1, "expected exactly one visible palette toggle in the header"
        toggle.click()
        tab.locator('body[data-md-color-scheme="slate"]').wait_for(state="attached")
        scheme = tab.locator("body").get_attribute("data-md-color-scheme")
        tab.wait_for_load_state("networkidle")
        screenshots.take(tab, "dark-home.png")
        network = log.problems()
    assert scheme == "slate"
    assert not network, "problems in dark mode:\n  " + "\n  ".join(network)


def test_notebook_page_offers_its_ipynb(browser: Browser, site_server: str, built_site: Path) -> None:
    pages = list_pages(built_site)
    assert NOTEBOOK_PAGE in pages, f"no notebook page /{NOTEBOOK_PAGE} in the built site: {pages}"
    with visit(browser, site_server, NOTEBOOK_PAGE) as (tab, log):
        links = tab.locator('a[href$=".ipynb"]')
        assert links.count() >= 1, f"/{NOTEBOOK_PAGE} has no link to an .ipynb file"
        link = links.first
        href = link.evaluate("a => a.href")
        assert href.startswith(site_server + "/"), f"the .ipynb link {href} leaves the site"
        response = tab.request.get(href)
        status, body = response.status, response.text()
        response.dispose()
        with tab.expect_download() as download_info:
            link.click()
        download = download_info.value
        downloaded = Path(download.path()).read_text(encoding="utf-8")
        suggested = download.suggested_filename
        network = log.problems()
    assert status == 200, f"GET {href} answered {status}"
    assert suggested.endswith(".ipynb"), suggested
    assert downloaded == body, "the downloaded file differs from the served one"
    notebook = json.loads(body)
    assert notebook.get("nbformat", 0) >= 4, f"nbformat {notebook.get('nbformat')!r} < 4"
    code_cells = [cell for cell in notebook.get("cells", []) if cell.get("cell_type") == "code"]
    assert any(cell.get("outputs") for cell in code_cells), (
        f"{href}: none of its {len(code_cells)} code cells has outputs (was it executed?)"
    )
    assert not network, f"problems on /{NOTEBOOK_PAGE}:\n  " + "\n  ".join(network)
