"""Shared helpers for the tests of the built site: find it, build it, list its pages, parse its HTML.

Only the standard library: the link check must run without a browser.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
HOME_PAGE = ""  # the site-relative URL of the home page
NOTEBOOK_PAGE = "notebooks/returns-in-the-maze/"
MIN_PAGES = 10


# --- Finding or building the site ------------------------------------------------------------------


class SiteBuildError(RuntimeError):
    """`mkdocs build --strict` failed; the message is mkdocs' own output."""


def site_dir_from_env() -> Path | None:
    """The site named by $SITE_DIR (relative to the repo root), or None when it is not set."""
    value = os.environ.get("SITE_DIR", "").strip()
    if not value:
        return None
    path = Path(value)
    return path if path.is_absolute() else (REPO_ROOT / path).resolve()


def build_env() -> dict[str, str]:
    """The environment ``make`` builds in: its one date (``SOURCE_DATE_EPOCH``) the last commit's."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    if "SOURCE_DATE_EPOCH" not in env:
        commit = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=REPO_ROOT, capture_output=True, text=True)
        env["SOURCE_DATE_EPOCH"] = commit.stdout.strip() or "0"
    return env


def build_site(dest: Path) -> Path:
    """Build the site with this interpreter's mkdocs, strictly, into ``dest``, as ``make`` does."""
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(dest)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
        env=build_env(),
    )
    if proc.returncode != 0:
        raise SiteBuildError(f"`mkdocs build --strict` failed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return dest


# --- Pages -----------------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now (the OS picks it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def page_url(index_html: Path, site_dir: Path) -> str:
    """`fundamentals/return/index.html` -> `fundamentals/return/`; the home page is ``""``."""
    rel = index_html.relative_to(site_dir).parent.as_posix()
    return "" if rel == "." else rel + "/"


def page_id(url: str) -> str:
    """A readable test id for a page URL."""
    return url.strip("/") or "home"


def list_pages(site_dir: Path) -> list[str]:
    """Every page of the site: each `**/index.html` outside `assets/` (404.html is not one)."""
    pages = []
    for index_html in site_dir.rglob("index.html"):
        rel = index_html.relative_to(site_dir)
        if rel.parts[0] == "assets":
            continue
        pages.append(page_url(index_html, site_dir))
    return sorted(pages)


def sitemap_pages(site_dir: Path) -> list[str] | None:
    """The pages listed in sitemap.xml, as site-relative URLs, or None when it lists none.

    MkDocs writes `<loc>` entries only when `site_url` is set; they are absolute URLs, so they are
    made relative to the home page's entry (the shortest one).
    """
    sitemap = site_dir / "sitemap.xml"
    if not sitemap.is_file():
        return None
    ns = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [(loc.text or "").strip() for loc in ET.parse(sitemap).getroot().iterfind("sm:url/sm:loc", ns)]
    if not locs:
        return None
    base = min(locs, key=len)
    if not base.endswith("/"):
        base = base.rsplit("/", 1)[0] + "/"
    return sorted(loc[len(base) :] if loc.startswith(base) else loc for loc in locs)


def html_files(site_dir: Path) -> list[str]:
    """Every HTML file whose links are checked (site-relative POSIX paths).

    Skips 404.html (its links are written for an unknown depth) and the search index internals.
    """
    files = []
    for path in site_dir.rglob("*.html"):
        rel = path.relative_to(site_dir).as_posix()
        if rel == "404.html" or rel.startswith("search/"):
            continue
        files.append(rel)
    return sorted(files)


# --- Parsing HTML ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ref:
    """One URL an element refers to."""

    tag: str
    attr: str
    url: str
    rel: str = ""  # the `rel` of a <link>, lower-cased


@dataclass
class ParsedPage:
    refs: list[Ref] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)  # every id, plus every <a name>
    title: str = ""
    h1: str = ""


# Elements and attributes that refer to another resource.
URL_ATTRS: dict[str, tuple[str, ...]] = {
    "a": ("href",),
    "area": ("href",),
    "link": ("href",),
    "script": ("src",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "iframe": ("src",),
    "embed": ("src",),
    "object": ("data",),
}


def _srcset_urls(value: str) -> list[str]:
    return [part.strip().split()[0] for part in value.split(",") if part.strip()]


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = ParsedPage()
        self._in: str | None = None  # "title" or "h1" while inside one
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: (value or "") for name, value in attrs}
        if values.get("id"):
            self.page.ids.add(values["id"])
        if tag == "a" and values.get("name"):
            self.page.ids.add(values["name"])
        for attr in URL_ATTRS.get(tag, ()):
            if attr not in values:
                continue
            urls = _srcset_urls(values[attr]) if attr == "srcset" else [values[attr].strip()]
            for url in urls:
                self.page.refs.append(Ref(tag, attr, url, values.get("rel", "").lower()))
        if tag in ("title", "h1") and not getattr(self.page, tag):
            self._in, self._text = tag, []

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            setattr(self.page, tag, " ".join("".join(self._text).split()))
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in:
            self._text.append(data)


def parse_html(text: str) -> ParsedPage:
    parser = _PageParser()
    parser.feed(text)
    parser.close()
    return parser.page


def parse_file(path: Path) -> ParsedPage:
    return parse_html(path.read_text(encoding="utf-8"))
