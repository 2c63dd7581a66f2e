"""MkDocs hook: the pages get what ``hooks/compute.py`` computes from the code.

``hooks/compute.py`` discovers the figures (``fig_*``), values (``num_*``, ``table_*``) and notebooks,
computes those not cached and writes the manifest any renderer can use; see its docstring for what
each artifact is and what its cache key covers. This hook is the MkDocs adapter over it:

* before the build, it computes everything (``compute_all``), so a figure function or a notebook
  cell that raises fails the build, with the artifact's name and traceback;
* it adds each figure and executed notebook to the site at its site path (``figures/maze.png``,
  ``notebooks/<name>.ipynb``), failing when the source tree holds a file of that name;
* it adds each data file (``data_x`` -> ``data/x.json``) to the site, and replaces each
  ``{{ data_x }}`` in a page by that file's URL relative to the page's URL;
* it replaces each ``{{ num_x }}`` / ``{{ table_x }}`` in a page by its value, failing on an unknown
  name; after the build it warns (so ``--strict`` fails) about values, figures and data no page
  uses, and evicts cached artifacts that no current code produces;
* it gives the images a notebook cell draws the alt text written on that cell's ``# %%`` line
  (mkdocs-jupyter writes none).
"""

from __future__ import annotations

import hashlib
import html
import importlib.util
import json
import logging
import os
import shutil
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

if TYPE_CHECKING:  # the hook imports hooks/compute.py by path, below
    from compute import Artifact

log = logging.getLogger("mkdocs.hooks.artifacts")

ROOT = Path(__file__).resolve().parents[1]
VENDORED = ("assets/vendor/katex/katex.min.js", "assets/vendor/katex/auto-render.min.js")


def _load_by_path(path: Path) -> ModuleType:
    """The module in file ``path``, imported by path under a name unique to that path (as
    ``compute.load_by_path`` does), so a test's copy of the project and the checkout each get their own."""
    name = f"_{path.stem}_{hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]}"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise PluginError(f"{path} is missing")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up while a class is defined
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[name]
            raise
    return sys.modules[name]


compute = _load_by_path(ROOT / "hooks" / "compute.py")
provenance = compute.provenance  # where each number and code block comes from (hooks/provenance.py)
discover = compute.discover  # tests/value_checks_helpers.py reads the values' cache paths through the hook
CACHE = compute.CACHE


# --------------------------------------------------------------------------------------------------
# MkDocs events


@dataclass
class BuildState:
    """What one build computed, and what its pages used of it."""

    artifacts: list[Artifact] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)
    data: dict[str, str] = field(default_factory=dict)  # data_x -> data/x.json
    used: set[str] = field(default_factory=set)  # placeholders substituted
    shown: set[str] = field(default_factory=set)  # figure files referenced by a page
    marker: Any = None  # provenance.Marker: what each value's mark says
    pages: list[tuple[str, str]] = field(default_factory=list)  # (title, src_uri) of the nav's pages, in order
    repo: str | None = None  # the repository's web address, for the code captions' links
    commit: str | None = None
    computed: object = None  # compute.Computed: where each artifact's file is (a stand-in in a preview)


_state = BuildState()


def on_config(config):
    """The site's URL from the environment, and the footer's build facts (commit, date, library
    versions), computed here; the template
    (overrides/partials/copyright.html) only prints ``config.extra.build_footer``."""
    config["site_url"] = provenance.site_url(config["site_url"])  # $SITE_URL, set by the Pages workflow
    facts = provenance.build_facts(ROOT)
    repo = provenance.repository_url()
    config["extra"]["build_footer"] = facts.footer_html(repo)
    _state.repo, _state.commit = repo, facts.commit
    return config


# `mkdocs serve` (``make serve``) previews: it serves at once and computes what is not cached in the
# background, showing labelled stand-ins meanwhile. `mkdocs build` computes everything first. Set
# RLHF_PREVIEW=0 to make `mkdocs serve` wait for everything, as a build does.
_preview = False


def on_startup(command, dirty) -> None:
    global _preview
    _preview = command == "serve" and os.environ.get("RLHF_PREVIEW", "1") != "0"


_serving = threading.Event()  # set once `mkdocs serve` watches its paths


def _watch_job(proc) -> None:
    threading.Thread(target=compute.wait_then_touch_ready, args=(proc, _serving), daemon=True).start()


def on_serve(server, config, builder):
    """Rebuild when a background computation ends (it touches ``compute.READY``)."""
    if _preview:
        compute.READY.parent.mkdir(parents=True, exist_ok=True)
        server.watch(str(compute.READY.parent))
        _serving.set()  # the watcher starts right after this hook returns; the touch waits 2 s more
    return server


def on_pre_build(config) -> None:
    docs = Path(config["docs_dir"])
    for rel in VENDORED:
        if not (docs / rel).is_file():
            raise PluginError(f"docs/{rel} is missing: run `python tools/vendor.py` (every make target does)")
    try:
        computed = compute.compute_preview(log, _watch_job) if _preview else compute.compute_all(log)
    except compute.ArtifactError as exc:
        raise PluginError(str(exc)) from exc
    try:
        marker = provenance.Marker(provenance.value_provenance(computed.artifacts, ROOT))
    except provenance.ProvenanceError as exc:
        raise PluginError(str(exc)) from exc
    global _state
    _state = BuildState(
        artifacts=computed.artifacts,
        values=computed.values,
        data=computed.data,
        marker=marker,
        repo=_state.repo,
        commit=_state.commit,
        computed=computed,
    )


def on_nav(nav, config, files):
    _state.pages = [(page.title, page.file.src_uri) for page in nav.pages if page.file.src_uri.endswith(".md")]
    return nav


@event_priority(100)  # before mkdocs-jupyter wraps .ipynb files as pages
def on_files(files: Files, config) -> Files:
    for a in _state.artifacts:
        source = _state.computed.file_of(a) if _state.computed is not None else a.cached  # type: ignore[attr-defined]
        if a.kind == "value" or source is None:
            continue
        if a.kind == "figure" and a.name in getattr(_state.computed, "pending", {}):
            # A preview: the page may link the figure as .svg or .png; both show the stand-in.
            stem = a.name.removeprefix("fig_")
            for suffix, stand_in in compute.figure_stand_ins().items():
                files.append(File.generated(config, f"figures/{stem}{suffix}", abs_src_path=str(stand_in)))
            continue
        if files.get_file_from_path(a.site_path) is not None:
            raise PluginError(f"artifacts: docs/{a.site_path} exists in the source tree; it is generated, delete it")
        if a.kind == "notebook":
            # mkdocs-jupyter wraps notebook pages and reads them through File.src_dir, so a notebook
            # needs a real source folder: stage the executed copy under its site path.
            staged = CACHE / "staged" / a.site_path
            staged.parent.mkdir(parents=True, exist_ok=True)
            if not staged.is_file() or staged.read_bytes() != source.read_bytes():
                shutil.copyfile(source, staged)
            files.append(
                File(
                    a.site_path,
                    src_dir=str(CACHE / "staged"),
                    dest_dir=config["site_dir"],
                    use_directory_urls=config["use_directory_urls"],
                )
            )
        else:
            files.append(File.generated(config, a.site_path, abs_src_path=str(source)))
    return files


def on_page_markdown(markdown: str, page, config, files) -> str:
    try:
        markdown = provenance.caption_includes(markdown, _state.repo, _state.commit, ROOT)
        text, used = compute.substitute(
            markdown, _state.values, page.file.src_uri, _state.data, page.url, mark=_state.marker
        )
    except (compute.ArtifactError, provenance.ProvenanceError) as exc:
        raise PluginError(str(exc)) from exc
    _state.used |= used
    pending = getattr(_state.computed, "pending", {})
    if pending:
        text = preview_banner(len(pending), len(_state.artifacts)) + text
    if provenance.CLAIMS_MARK in text:
        text = text.replace(provenance.CLAIMS_MARK, claims(page, files))
    return text


def preview_banner(pending: int, total: int) -> str:
    return (
        f'!!! warning "Preview: {pending} of {total} computed results are still being computed"\n'
        "    Grey figures and `??` in place of a number mark them. This page reloads by itself when they are\n"
        "    ready (the log: `.cache/artifacts/preview/log.txt`). `make build` and `make test` compute\n"
        "    everything before they show anything.\n\n"
    )


def claims(page, files) -> str:
    """The Claims page's list, from the Markdown source of every other page of the nav."""
    pages = []
    for title, uri in _state.pages:
        file = files.get_file_from_path(uri)
        if uri != page.file.src_uri and file is not None:
            pages.append((title, uri, file.content_string))
    return provenance.claims_markdown(pages, _state.values, _state.marker.provenance)


def on_page_content(html_text: str, page, config, files) -> str:
    _state.shown |= compute.shown_figures(html_text)
    for item in _toc_items(page.toc):
        item.title = provenance.strip_markers(item.title)
    return provenance.mark_html(html_text, _state.marker)


def _toc_items(items):
    for item in items:
        yield item
        yield from _toc_items(item.children)


NBCONVERT_NO_ALT = 'alt="No description has been provided for this image"'


def on_post_page(output: str, page, config) -> str:
    """Give each image a notebook cell draws the alt text written on that cell's ``# %% alt="..."`` line."""
    output = provenance.strip_markers(output)  # a value in the page's title: plain there
    if not page.file.src_uri.endswith(".ipynb"):
        return output
    nb = json.loads(Path(page.file.abs_src_path).read_text(encoding="utf-8"))
    alts = [
        (i, cell.get("metadata", {}).get("alt"))
        for i, cell in enumerate(nb["cells"])
        if cell["cell_type"] == "code"
        for out in cell.get("outputs", [])
        if any(key.startswith("image/") for key in out.get("data", {}))
    ]
    missing = [i for i, alt in alts if not alt]
    if missing or output.count(NBCONVERT_NO_ALT) != len(alts):
        raise PluginError(
            f"{page.file.src_uri}: every image a notebook cell draws needs alt text; "
            f'add alt="..." to the "# %%" line of cell(s) {missing or "drawing images"}'
        )
    for _, alt in alts:
        output = output.replace(NBCONVERT_NO_ALT, f'alt="{html.escape(alt, quote=True)}"', 1)
    return output


def on_post_build(config) -> None:
    if getattr(_state.computed, "pending", {}):
        return  # a preview: the background job is filling the cache; nothing is stale or unused yet
    compute.evict_stale(_state.artifacts)
    # A computed value or figure that no page shows is dead weight in every cold build: say so
    # (a warning, so `mkdocs build --strict` fails).
    computed = compute.Computed(_state.artifacts, _state.values)
    for problem in compute.unshown(computed, _state.used, _state.shown):
        log.warning("%s", problem)
