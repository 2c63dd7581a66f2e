"""Links and anchors of the built site, checked from its HTML files alone (no browser, no network).

* The site has its pages (and, when sitemap.xml lists pages, it lists exactly these).
* Every internal `href`/`src` of every HTML file resolves to a file of the site, and every
  `#fragment` (same page or another page) names an element `id` (or `<a name>`) of its target.
* A widget's script (``extra.widgets`` in mkdocs.yml) is linked from exactly the pages that hold its
  widget, after the scripts it needs, and every widget script from at least one page.
* Nothing is loaded from a third-party host: no `<script src>`, stylesheet/icon/preload `<link>`,
  `<img>`, `<source>` or frame pointing at an http(s) URL. External links in `<a href>` are fine;
  they are never fetched, only listed in test-artifacts/external-links.txt.
* The search index holds each formula once, as its TeX, not KaTeX's HTML.
"""

from __future__ import annotations

import functools
import json
import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

from tests.site_helpers import (
    HOME_PAGE,
    MIN_PAGES,
    REPO_ROOT,
    ParsedPage,
    Ref,
    html_files,
    list_pages,
    parse_file,
    sitemap_pages,
)

SKIPPED_SCHEMES = {"mailto", "javascript", "tel", "data", "blob"}
# <link rel> values that make the browser fetch the URL.
FETCHING_RELS = {
    "stylesheet", "icon", "shortcut", "apple-touch-icon", "mask-icon", "manifest",
    "preload", "modulepreload", "prefetch", "prerender", "preconnect", "dns-prefetch",
}  # fmt: skip
ARTIFACTS = REPO_ROOT / "test-artifacts"


@functools.cache
def _parsed(path: Path) -> ParsedPage:
    return parse_file(path)


def _is_external(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") or (not parts.scheme and bool(parts.netloc))


def _is_fetched(ref: Ref) -> bool:
    """Whether the browser loads this URL by itself (rather than on a click)."""
    if ref.tag in ("a", "area"):
        return False
    if ref.tag == "link":
        return bool(FETCHING_RELS & set(ref.rel.split()))
    return True


def _resolve(site: Path, html_file: str, url: str) -> tuple[Path | None, str, str]:
    """The file an internal URL on `html_file` refers to, its fragment, and why it is broken ("")."""
    parts = urlsplit(url)
    fragment = unquote(parts.fragment)
    path = unquote(parts.path)
    if not path:  # "#id" or "?q": this same file
        return site / html_file, fragment, ""
    if path.startswith("/"):
        target = posixpath.normpath(path.lstrip("/") or ".")
    else:
        target = posixpath.normpath(posixpath.join(posixpath.dirname(html_file), path))
    if target == ".." or target.startswith("../"):
        return None, fragment, "goes above the site root"
    file = site / target
    if file.is_dir():
        file = file / "index.html"
        if not file.is_file():
            return None, fragment, f"folder {target}/ has no index.html"
    elif path.endswith("/"):
        return None, fragment, f"no folder {target}/ in the site"
    elif not file.is_file():
        return None, fragment, f"no file {target} in the site"
    return file, fragment, ""


def test_site_has_its_pages(built_site: Path) -> None:
    pages = list_pages(built_site)
    assert HOME_PAGE in pages, f"no index.html at the root of {built_site}"
    assert len(pages) >= MIN_PAGES, f"the site has {len(pages)} pages, expected at least {MIN_PAGES}: {pages}"
    listed = sitemap_pages(built_site)
    if listed is not None:
        assert sorted(listed) == pages, (
            f"sitemap.xml and the built pages disagree: only in sitemap {sorted(set(listed) - set(pages))}, "
            f"only built {sorted(set(pages) - set(listed))}"
        )


def test_internal_links_and_anchors_resolve(built_site: Path, html_file: str) -> None:
    broken = []
    for ref in _parsed(built_site / html_file).refs:
        url = ref.url
        scheme = urlsplit(url).scheme.lower()
        if not url or scheme in SKIPPED_SCHEMES or _is_external(url):
            continue
        if scheme:
            broken.append(f"<{ref.tag} {ref.attr}={url!r}>: unknown scheme {scheme!r}")
            continue
        target, fragment, problem = _resolve(built_site, html_file, url)
        if problem:
            broken.append(f"<{ref.tag} {ref.attr}={url!r}>: {problem}")
            continue
        assert target is not None
        if fragment and target.suffix == ".html" and fragment not in _parsed(target).ids:
            where = "this page" if target == built_site / html_file else target.relative_to(built_site)
            broken.append(f"<{ref.tag} {ref.attr}={url!r}>: no element with id {fragment!r} on {where}")
    assert not broken, f"{len(broken)} broken link(s) on {html_file}:\n  " + "\n  ".join(broken)


def test_nothing_is_loaded_from_third_party_hosts(built_site: Path) -> None:
    loaded, external = [], set()
    for html_file in html_files(built_site):
        for ref in _parsed(built_site / html_file).refs:
            if not _is_external(ref.url):
                continue
            if _is_fetched(ref):
                rel = f" rel={ref.rel!r}" if ref.rel else ""
                loaded.append(f"{html_file}: <{ref.tag}{rel} {ref.attr}={ref.url!r}>")
            else:
                external.add((ref.url, html_file))
    # External links are only listed, never fetched.
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "external-links.txt").write_text(
        "".join(f"{url}\t{html_file}\n" for url, html_file in sorted(external)), encoding="utf-8"
    )
    assert not loaded, f"{len(loaded)} resource(s) loaded from third-party hosts:\n  " + "\n  ".join(loaded)


def test_widget_scripts_only_where_their_widgets_are(built_site: Path) -> None:
    config = yaml.safe_load((REPO_ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    widgets: dict[str, str] = config["extra"]["widgets"]
    linked: dict[str, list[str]] = {path: [] for path in widgets}
    problems = []
    for html_file in html_files(built_site):
        text = (built_site / html_file).read_text(encoding="utf-8")
        folder = posixpath.dirname(html_file)
        scripts = [
            posixpath.normpath(posixpath.join(folder, ref.url))
            for ref in _parsed(built_site / html_file).refs
            if ref.tag == "script" and not _is_external(ref.url)
        ]
        for path, marker in widgets.items():
            has_widget, has_script = marker in text, path in scripts
            if has_script:
                linked[path].append(html_file)
            if has_widget != has_script:
                problems.append(
                    f"{html_file}: {'holds' if has_widget else 'lacks'} {marker!r} but "
                    f"{'does not link' if has_widget else 'links'} {path}"
                )
        shared = "assets/javascripts/widgets/common.js"
        uses_shared = [s for s in scripts if re.match(r"assets/javascripts/widgets/(?!common\.js)", s)]
        if uses_shared and (shared not in scripts or scripts.index(shared) > scripts.index(uses_shared[0])):
            problems.append(f"{html_file}: a widget script without {shared} before it")
    problems += [f"no page links {path}" for path, pages in linked.items() if not pages]
    assert not problems, "\n  ".join(["widget scripts:", *problems])


def test_search_index_holds_each_formula_once_as_its_tex(built_site: Path) -> None:
    """The search plugin reads a page before hooks/pages.py typesets its math, so a formula is indexed
    once, as the TeX a reader would type, not as KaTeX's HTML stripped to text: its MathML, its TeX
    annotation and its glyphs, three copies run together, with a zero-width space in every stacked part."""
    docs = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    text = " ".join(doc["text"] for doc in docs)
    assert r"\(\gamma^k\)" in text, "the formula \\(\\gamma^k\\) of the return page is not in the search index"
    assert "\u200b" not in text, "the search index holds typeset math (KaTeX's zero-width spaces)"
