"""MkDocs hook: what a page's first load downloads, kept to what that page uses.

* **Images** of a page's content get ``loading="lazy"``, ``decoding="async"`` and their intrinsic
  ``width`` and ``height``, read from the file (an SVG's root ``width``/``height``, a PNG's header),
  so the browser reserves their space before they arrive and fetches those below the fold only when
  the reader scrolls near them. The first image stays eager when it comes before the page's first
  ``<h2>``: it is in view on arrival.
* **Math** is typeset at build time: each ``pymdownx.arithmatex`` formula (``class="arithmatex"``,
  ``\\( ... \\)`` or ``\\[ ... \\]``) is replaced, inside its element, by the HTML of the site's own KaTeX
  (``KATEX_JS``, run by Node.js once per page that has formulas not typeset before; the results are kept
  in ``.cache/katex/``, keyed on KaTeX's file, so a warm build runs no Node). A formula KaTeX rejects
  fails the build. A notebook's formulas (``$ ... $`` and ``$$ ... $$`` in its Markdown cells, which
  mkdocs-jupyter leaves as written) are typeset the same way where the page holds them as written. The
  math is typeset in the finished page, after the search plugin has read it, so the search index holds
  each formula once, as its TeX. A page with math links KaTeX's stylesheet (its fonts); only a notebook
  page with a formula not found so gets KaTeX's scripts (``extra.math``), for ``katex-init.js`` to
  typeset. The theme has no instant navigation, so every page is a full load and gets what it needs in
  its own HTML.
* **Widget scripts** (``extra.widgets``: each script with the text a page must hold to use it, such as
  ``data-widget="q-wave"``) are linked only from the pages holding that text, at the end of the body
  where ``extra_javascript`` goes, in the order listed. A script no page links fails the build.
* **Notebook pages**: mkdocs-jupyter inlines the same stylesheets (JupyterLab's, 560 kB) in every
  notebook page. Each ``<style>`` block longer than ``INLINE_STYLE_LIMIT`` is written once to
  ``assets/stylesheets/notebook-<digest>.css`` and the page links it in the same place, so a reader
  who opens a second notebook gets it from the cache.
"""

from __future__ import annotations

import hashlib
import html
import json
import posixpath
import re
import struct
import subprocess
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files

ROOT = Path(__file__).resolve().parents[1]

IMG = re.compile(r"<img\b[^>]*>")
ATTR = re.compile(r'\s([a-z-]+)="([^"]*)"')
SVG_SIZE = re.compile(rb'<svg\b[^>]*?\swidth="([\d.]+)(?:px)?"[^>]*?\sheight="([\d.]+)(?:px)?"')
FIRST_SECTION = "<h2"
MATH_MARK = re.compile(r'class="arithmatex[ "]')  # hooks/provenance.py may add a class: "arithmatex computed"
FORMULA = re.compile(r'(<(span|div) class="arithmatex(?: [^"]*)?"[^>]*>)(.*?)(</\2>)', re.S)
KATEX_JS = "assets/vendor/katex/katex.min.js"  # under docs/
KATEX_CACHE = ROOT / ".cache" / "katex"
# Node.js: read [[tex, display], ...] as JSON on stdin, write [html or {error}, ...] as JSON.
RENDER_JS = r"""
const katex = require(process.argv[1]);
let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const out = JSON.parse(input).map(([tex, display]) => {
    try { return katex.renderToString(tex, { displayMode: display, throwOnError: true }); }
    catch (err) { return { error: String(err.message || err) }; }
  });
  process.stdout.write(JSON.stringify(out));
});
"""
STYLE = re.compile(r'<style type="text/css">(.*?)</style>', re.S)
INLINE_STYLE_LIMIT = 1000  # characters: a stylesheet longer than this is served as a file
NOTEBOOK_CSS = "assets/stylesheets/notebook-{digest}.css"


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) in CSS pixels of a PNG or an SVG sized in pixels; None for anything else.

    >>> image_size(b'<svg xmlns="http://www.w3.org/2000/svg" width="1120" height="576" viewBox="0 0 504 259.2">')
    (1120, 576)
    >>> header = b"\\x89PNG\\r\\n\\x1a\\n" + b"\\x00\\x00\\x00\\rIHDR"
    >>> image_size(header + (736).to_bytes(4, "big") + (368).to_bytes(4, "big"))
    (736, 368)
    """
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    match = SVG_SIZE.search(data[:2000])
    if match:
        return round(float(match[1])), round(float(match[2]))
    return None


def _image_file(src: str, page_url: str, files: Files) -> Path | None:
    """The file of the site that ``src`` (relative to the page at ``page_url``) names, if it is one."""
    if not src or ":" in src.split("/", 1)[0] or src.startswith("/"):
        return None  # another host, a data: URL, or a root-relative URL (the site uses none)
    folder = posixpath.dirname(page_url) if page_url.endswith(".html") else page_url  # 404.html, or a/b/
    path = posixpath.normpath(posixpath.join(folder, src))
    file = files.get_file_from_path(path)
    return Path(file.abs_src_path) if file is not None and file.abs_src_path else None


def with_image_attributes(content: str, page_url: str, files: Files) -> str:
    """``content`` with every ``<img>`` of a site file given its size, lazy loading and async decoding."""
    first_section = content.find(FIRST_SECTION)
    images = list(IMG.finditer(content))

    def replace(match: re.Match[str]) -> str:
        tag = match.group(0)
        attrs = dict(ATTR.findall(tag))
        extra = []
        path = _image_file(html.unescape(attrs.get("src", "")), page_url, files)
        size = image_size(path.read_bytes()[:2000]) if path is not None and path.is_file() else None
        if size and "width" not in attrs and "height" not in attrs:
            extra.append(f'width="{size[0]}" height="{size[1]}"')
        in_view = match is images[0] and (first_section == -1 or match.start() < first_section)
        if "loading" not in attrs and not in_view:
            extra.append('loading="lazy"')
        if "decoding" not in attrs:
            extra.append('decoding="async"')
        if not extra:
            return tag
        end = -2 if tag.endswith("/>") else -1
        return tag[:end].rstrip() + " " + " ".join(extra) + (" />" if end == -2 else ">")

    return IMG.sub(replace, content)


class Typesetter:
    """KaTeX's HTML for formulas, from Node.js, remembered on disk per version of KaTeX's file."""

    def __init__(self, katex_js: Path) -> None:
        self.katex_js = katex_js
        digest = hashlib.sha256(katex_js.read_bytes()).hexdigest()[:16]
        self.path = KATEX_CACHE / f"{digest}.json"
        self.known: dict[str, str] = {}
        if self.path.is_file():
            self.known = json.loads(self.path.read_text(encoding="utf-8"))
        self.dirty = False

    @staticmethod
    def key(tex: str, display: bool) -> str:
        return ("display:" if display else "inline:") + tex

    def render(self, formulas: list[tuple[str, bool]], where: str) -> None:
        """Typeset every formula of ``formulas`` not known yet (one Node.js run); fail on one KaTeX rejects."""
        missing = list(dict.fromkeys(f for f in formulas if self.key(*f) not in self.known))
        if not missing:
            return
        try:
            proc = subprocess.run(
                ["node", "-e", RENDER_JS, str(self.katex_js)],
                input=json.dumps(missing),
                capture_output=True,
                text=True,
                check=False,
            )
        except FileNotFoundError as exc:
            raise PluginError("pages: Node.js (`node`) is needed to typeset the math; install it") from exc
        if proc.returncode != 0:
            raise PluginError(f"pages: KaTeX in Node.js failed on {where}:\n{proc.stderr[-3000:]}")
        for (tex, display), html_or_error in zip(missing, json.loads(proc.stdout), strict=True):
            if isinstance(html_or_error, dict):
                raise PluginError(f"pages: KaTeX cannot typeset {tex!r} on {where}: {html_or_error['error']}")
            self.known[self.key(tex, display)] = html_or_error
        self.dirty = True

    def save(self) -> None:
        if self.dirty:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(json.dumps(self.known, sort_keys=True, ensure_ascii=False), encoding="utf-8")
            self.dirty = False


def formula(inner: str) -> tuple[str, bool] | None:
    """(TeX, display) of an arithmatex element's text: ``\\(x\\)`` inline, ``\\[x\\]`` display.

    >>> formula(r"\\(\\gamma &lt; 1\\)")
    ('\\\\gamma < 1', False)
    """
    text = html.unescape(inner).strip()
    for left, right, display in (("\\(", "\\)", False), ("\\[", "\\]", True)):
        if text.startswith(left) and text.endswith(right):
            return text[len(left) : -len(right)], display
    return None


def typeset(content: str, typesetter: Typesetter, where: str) -> str:
    """``content`` with each arithmatex formula's text replaced by KaTeX's HTML, inside its element."""
    found = [(m, formula(m.group(3))) for m in FORMULA.finditer(content)]
    typesetter.render([f for _, f in found if f is not None], where)

    def replace(match: re.Match[str]) -> str:
        f = formula(match.group(3))
        if f is None:
            return match.group(0)
        return match.group(1) + typesetter.known[Typesetter.key(*f)] + match.group(4)

    return FORMULA.sub(replace, content)


NOTEBOOK_FORMULA = re.compile(r"\$\$(.+?)\$\$|(?<!\$)\$([^$\n]+?)\$(?!\$)", re.S)
SCRIPT_OR_STYLE = re.compile(r"(<script\b.*?</script>|<style\b.*?</style>)", re.S)


def notebook_formulas(path: Path) -> list[tuple[str, bool]]:
    """(TeX, display) of each formula of a notebook's Markdown cells: ``$$ ... $$`` or ``$ ... $``.

    >>> NOTEBOOK_FORMULA.findall(r"Compare $\\max_a Q(s, a)$ and $$x^2$$; not 5$.")
    [('', '\\\\max_a Q(s, a)'), ('x^2', '')]
    """
    cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    text = "\n\n".join("".join(c.get("source", "")) for c in cells if c.get("cell_type") == "markdown")
    return [(display or inline, bool(display)) for display, inline in NOTEBOOK_FORMULA.findall(text)]


def typeset_notebook(
    output: str, formulas: list[tuple[str, bool]], typesetter: Typesetter, where: str
) -> tuple[str, bool]:
    """``output`` (a notebook page) with each formula of its Markdown cells, as mkdocs-jupyter wrote it
    (``$`` delimiters, HTML-escaped), replaced by KaTeX's HTML outside scripts and styles; and
    whether every formula was found (if not, the page needs KaTeX in the browser)."""
    typesetter.render(formulas, where)
    parts = SCRIPT_OR_STYLE.split(output)
    found = True
    for tex, display in dict.fromkeys(formulas):
        delimiter = "$$" if display else "$"
        needle = delimiter + html.escape(tex, quote=False) + delimiter
        rendered = typesetter.known[Typesetter.key(tex, display)]
        if not any(needle in part for part in parts[::2]):
            found = False
        parts[::2] = [part.replace(needle, rendered) for part in parts[::2]]
    return "".join(parts), found


def href(page_url: str, path: str) -> str:
    """``path`` (relative to the site's root) as a link from the page at ``page_url``, HTML-escaped.

    >>> href("", "a/b.js"), href("x/y/", "a/b.js"), href("404.html", "a/b.js")
    ('a/b.js', '../../a/b.js', 'a/b.js')
    """
    folder = posixpath.dirname(page_url) if page_url.endswith(".html") else page_url  # 404.html, or a/b/
    base = posixpath.relpath(".", folder) if folder else "."
    return html.escape(path if base == "." else posixpath.join(base, path))


def math_tags(config, page_url: str) -> tuple[str, str]:
    """(the stylesheet links, the script tags) of ``extra.math``, relative to the page at ``page_url``."""
    math = config["extra"].get("math", {})
    css = "".join(f'<link rel="stylesheet" href="{href(page_url, p)}">' for p in math.get("css", []))
    js = "".join(f'<script src="{href(page_url, p)}"></script>' for p in math.get("javascript", []))
    return css, js


def widget_tags(config, page_url: str, output: str) -> tuple[str, list[str]]:
    """(the script tags of ``extra.widgets`` that the page ``output`` uses, relative to it; their paths)."""
    used = [path for path, marker in config["extra"].get("widgets", {}).items() if marker in output]
    return "".join(f'<script src="{href(page_url, path)}"></script>' for path in used), used


def externalise_styles(output: str, page_url: str, site_dir: Path) -> str:
    """``output`` with each long inline ``<style>`` block replaced by a link to the same CSS as a file."""

    def replace(match: re.Match[str]) -> str:
        css = match.group(1)
        if len(css) <= INLINE_STYLE_LIMIT:
            return match.group(0)
        data = css.strip().encode("utf-8") + b"\n"
        rel = NOTEBOOK_CSS.format(digest=hashlib.sha256(data).hexdigest()[:12])
        target = site_dir / rel
        if not target.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        return f'<link rel="stylesheet" href="{href(page_url, rel)}">'

    return STYLE.sub(replace, output)


# --------------------------------------------------------------------------------------------------
# MkDocs events

_typesetter: Typesetter | None = None
_widgets_linked: set[str] = set()


def on_pre_build(config) -> None:
    global _typesetter
    _typesetter = Typesetter(Path(config["docs_dir"]) / KATEX_JS)
    _widgets_linked.clear()


def on_page_content(html_text: str, page, config, files: Files) -> str:
    return with_image_attributes(html_text, page.url, files)


def on_post_page(output: str, page, config) -> str:
    src = Path(page.file.abs_src_path or "")
    is_notebook = src.suffix == ".ipynb"
    formulas = notebook_formulas(src) if is_notebook and src.is_file() else []
    in_browser = False  # a formula left for katex-init.js: one the notebook's HTML does not hold as written
    # Typeset here, not in on_page_content: the search plugin has indexed the page by now, so the index
    # holds each formula once, as TeX, not KaTeX's HTML (its MathML, its TeX annotation and its glyphs).
    if MATH_MARK.search(output) and _typesetter is not None:
        output = typeset(output, _typesetter, page.file.src_uri)
    if formulas and _typesetter is not None:
        output, found = typeset_notebook(output, formulas, _typesetter, page.file.src_uri)
        in_browser = not found
    if MATH_MARK.search(output) or formulas:
        css, js = math_tags(config, page.url)
        output = output.replace("</head>", css + "</head>", 1)
        if in_browser or (formulas and _typesetter is None):
            output = output.replace("</body>", js + "</body>", 1)
    widget_js, used = widget_tags(config, page.url, output)
    if widget_js:
        output = output.replace("</body>", widget_js + "</body>", 1)
        _widgets_linked.update(used)
    if is_notebook:
        output = externalise_styles(output, page.url, Path(config["site_dir"]))
    return output


def on_post_build(config) -> None:
    if _typesetter is not None:
        _typesetter.save()
    unused = [path for path in config["extra"].get("widgets", {}) if path not in _widgets_linked]
    if unused:
        raise PluginError(f"pages: no page holds the marker of these widget scripts (extra.widgets): {unused}")
