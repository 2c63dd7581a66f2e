"""The site also builds with Zensical, which runs no MkDocs hooks, from the computed content.

``tools/zensical.py`` computes the artifacts with ``hooks/compute.py`` (the MkDocs build that
``make test`` runs first has cached them all, so nothing is computed here), writes docs/ with the
values in place and the figures and notebooks beside the pages, and runs ``zensical build --strict``.
A smoke test: every page is built, no ``{{`` placeholder is left, every image a page shows and every
notebook it links to is a file of the Zensical site, as is every widget's data file (``data-src``), and
each plain number a page's Markdown asks
for is in its HTML.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

REPO = Path(__file__).resolve().parents[1]
PLACEHOLDER = re.compile(r"\{\{\s*((?:num|table)_[a-z0-9_]+)\s*\}\}")
PLAIN_NUMBER = re.compile(r"[+\-\u2212]?\d[\d,]*(?:\.\d+)?")


class Links(HTMLParser):
    """The ``src`` of every ``<img>``, the ``href`` of every ``<a>`` and every widget's ``data-src``
    of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.images: list[str] = []
        self.links: list[str] = []
        self.data: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "img" and found.get("src"):
            self.images.append(found["src"] or "")
        if tag == "a" and found.get("href"):
            self.links.append(found["href"] or "")
        if found.get("data-src"):
            self.data.append(found["data-src"] or "")


def page_of(markdown: Path, docs: Path, site: Path) -> Path:
    """The HTML file a page of docs/ becomes (directory URLs: a/b.md -> a/b/index.html)."""
    rel = markdown.relative_to(docs)
    return site / (rel.parent if rel.name == "index.md" else rel.with_suffix("")) / "index.html"


def resolves(site: Path, page: Path, url: str) -> bool:
    """Whether ``url``, on ``page``, names a file of the site."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return False  # the site loads nothing from other hosts
    target = (page.parent / unquote(parts.path)).resolve()
    return target.is_relative_to(site.resolve()) and target.is_file()


@pytest.fixture(scope="module")
def zensical_site(built_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Zensical build, in a temporary folder. ``built_site`` first: the MkDocs build filled the cache."""
    out = tmp_path_factory.mktemp("zensical") / "build"
    proc = subprocess.run(
        [sys.executable, str(REPO / "tools" / "zensical.py"), "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, f"tools/zensical.py failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    assert "computing" not in proc.stderr, f"the MkDocs build left artifacts to compute:\n{proc.stderr[-2000:]}"
    return out / "site"


def test_every_page_is_built_with_its_values_images_and_notebooks(zensical_site: Path):
    docs = REPO / "docs"
    values = json.loads((REPO / ".cache" / "artifacts" / "manifest.json").read_text(encoding="utf-8"))["values"]
    problems = []
    pages = sorted(docs.rglob("*.md"))
    assert pages
    for markdown in pages:
        page = page_of(markdown, docs, zensical_site)
        if not page.is_file():
            problems.append(f"{markdown.relative_to(REPO)}: no {page.relative_to(zensical_site)}")
            continue
        text = page.read_text(encoding="utf-8")
        where = page.relative_to(zensical_site)
        if "{{" in text:
            problems.append(f"{where}: a placeholder is left: {text[text.index('{{') :][:60]!r}")
        links = Links()
        links.feed(text)
        for src in links.images:
            if not src.startswith("data:") and not resolves(zensical_site, page, src):
                problems.append(f"{where}: image {src} is not in the site")
        for href in links.links:
            if urlsplit(href).path.endswith(".ipynb") and not resolves(zensical_site, page, href):
                problems.append(f"{where}: notebook {href} is not in the site")
        for src in links.data:
            if not resolves(zensical_site, page, src):
                problems.append(f"{where}: data {src} is not in the site")
        for name in PLACEHOLDER.findall(markdown.read_text(encoding="utf-8")):
            if PLAIN_NUMBER.fullmatch(values[name]) and values[name] not in text:
                problems.append(f"{where}: {name} = {values[name]} is not on the page")
    assert not problems, "\n".join(problems)


def test_every_figure_notebook_and_data_file_is_in_the_site(zensical_site: Path):
    manifest = json.loads((REPO / ".cache" / "artifacts" / "manifest.json").read_text(encoding="utf-8"))
    files = {**manifest["figures"], **manifest["notebooks"], **manifest["data"]}
    assert manifest["figures"] and manifest["notebooks"] and manifest["data"]
    missing = [s for s, file in files.items() if (zensical_site / s).read_bytes() != (REPO / file).read_bytes()]
    assert not missing, f"not in the Zensical site as computed: {missing}"
