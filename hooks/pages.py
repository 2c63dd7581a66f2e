"""MkDocs hook: what a page's first load downloads, kept to what that page uses.

* **Images** of a page's content get ``loading="lazy"``, ``decoding="async"`` and their intrinsic
  ``width`` and ``height``, read from the file (an SVG's root ``width``/``height``, a PNG's header),
  so the browser reserves their space before they arrive and fetches those below the fold only when
  the reader scrolls near them. The first image stays eager when it comes before the page's first
  ``<h2>``: it is in view on arrival.
* **KaTeX** (``extra.math`` in mkdocs.yml: its stylesheet and scripts) is linked only from pages
  with math: a page whose HTML holds ``pymdownx.arithmatex`` output (``class="arithmatex"``), or a
  notebook with a ``$`` in a Markdown cell (``katex-init.js`` typesets both). The theme has no
  instant navigation, so every page is a full load and gets what it needs in its own HTML.
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
from pathlib import Path

from mkdocs.structure.files import Files

IMG = re.compile(r"<img\b[^>]*>")
ATTR = re.compile(r'\s([a-z-]+)="([^"]*)"')
SVG_SIZE = re.compile(rb'<svg\b[^>]*?\swidth="([\d.]+)(?:px)?"[^>]*?\sheight="([\d.]+)(?:px)?"')
FIRST_SECTION = "<h2"
MATH_MARK = 'class="arithmatex"'
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


def notebook_has_math(path: Path) -> bool:
    """Whether a notebook (.ipynb) has a ``$`` in a Markdown cell: Jupyter's math delimiter."""
    cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    return any(cell.get("cell_type") == "markdown" and "$" in "".join(cell.get("source", "")) for cell in cells)


def math_tags(config, page_url: str) -> tuple[str, str]:
    """(the stylesheet links, the script tags) of ``extra.math``, relative to the page at ``page_url``."""
    math = config["extra"].get("math", {})
    base = posixpath.relpath(".", page_url or ".") if page_url else "."

    def url(path: str) -> str:
        return html.escape(posixpath.join(base, path) if base != "." else path)

    css = "".join(f'<link rel="stylesheet" href="{url(p)}">' for p in math.get("css", []))
    js = "".join(f'<script src="{url(p)}"></script>' for p in math.get("javascript", []))
    return css, js


def externalise_styles(output: str, page_url: str, site_dir: Path) -> str:
    """``output`` with each long inline ``<style>`` block replaced by a link to the same CSS as a file."""
    base = posixpath.relpath(".", page_url) if page_url else "."

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
        return f'<link rel="stylesheet" href="{html.escape(posixpath.join(base, rel))}">'

    return STYLE.sub(replace, output)


# --------------------------------------------------------------------------------------------------
# MkDocs events


def on_page_content(html_text: str, page, config, files: Files) -> str:
    return with_image_attributes(html_text, page.url, files)


def on_post_page(output: str, page, config) -> str:
    src = Path(page.file.abs_src_path or "")
    is_notebook = src.suffix == ".ipynb"
    if MATH_MARK in output or (is_notebook and src.is_file() and notebook_has_math(src)):
        css, js = math_tags(config, page.url)
        output = output.replace("</head>", css + "</head>", 1)
        output = output.replace("</body>", js + "</body>", 1)
    if is_notebook:
        output = externalise_styles(output, page.url, Path(config["site_dir"]))
    return output
