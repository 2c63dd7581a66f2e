"""Everything the pages show that is computed, computed from the code, for any renderer.

    python hooks/compute.py                  # compute what is not cached; write .cache/artifacts/manifest.json
    python hooks/compute.py --docs-out DIR   # and write DIR: docs/ with every value in place and every
                                             # generated figure and notebook beside the pages

Four kinds of build artifact, all discovered, never listed by hand:

* **Figures**: a function ``fig_<what_it_shows>(out_dir, seed) -> Path`` in a module of ``figures/``.
  It writes ``out_dir/<what_it_shows>.svg`` or ``.png`` (``figures/_style.py`` picks: SVG for lines,
  shapes and text, PNG for a heatmap) and the page shows it as ``figures/<what_it_shows>.svg`` (or
  ``.png``). Which of the two a figure is, is known once it is computed: its cached file's suffix.
* **Values**: a function ``num_<name>(seed) -> str`` or ``table_<name>(seed) -> str`` in ``figures/``.
  A page writes ``{{ num_<name> }}`` and the build puts the computed text there (a number, or a
  Markdown table). An unknown name fails the build.
* **Data**: a function ``data_<name>(seed) -> dict | list`` in ``figures/``, for a page's interactive
  widget. Its result must be JSON (finite numbers; round floats to what the widget shows). The
  build writes it compactly, keys sorted, to ``data/<name>.json`` in the site. A page uses it by
  writing ``{{ data_<name> }}`` where the file's URL goes, typically a widget's
  ``data-src="{{ data_<name> }}"``; the build puts there the file's URL relative to the page as the
  site serves it (``../../data/<name>.json`` for ``fundamentals/return/``), so the page fetches it
  from any host or sub-path. An unknown name fails the build, as does data no page uses.
* **Notebooks**: a jupytext "percent" script ``notebooks/<name>.py``. The build executes it and the
  site shows the executed notebook at ``notebooks/<name>.ipynb``. A cell that raises fails the build.

Each artifact is cached under ``.cache/artifacts/<kind>/<digest>/<file>``, the digest a hash of the
code that produces it as ``figures/_deps.py`` reads code (its own file byte for byte, plus every
module of ``snippets/`` and ``figures/`` it imports, directly or not, without comments or
docstrings, and the data files beside them), the seed, the versions of the numeric libraries and
``hooks/render.py`` (without its comments). The training runs that several artifacts show are
memoised under the same rules (``figures/_runs.py``). An unchanged artifact is never recomputed; an
edit to the code of any snippet it uses recomputes it; a reworded comment or docstring in a snippet
recomputes nothing.
Missing artifacts are computed in a fresh ``python hooks/render.py`` process, so a long-lived
caller (``mkdocs serve``) never computes with stale modules.

What a renderer needs is in the manifest, ``.cache/artifacts/manifest.json`` (rewritten by every
run of this module, the MkDocs build's included)::

    {"format": 1,
     "values": {"num_return_a_to_goal": "0.99", ...},                    # placeholder -> text
     "figures": {"figures/maze.png": ".cache/artifacts/figure/.../maze.png", ...},
     "notebooks": {"notebooks/x.ipynb": ".cache/artifacts/notebook/.../x.ipynb", ...},
     "data": {"data/discounting.json": ".cache/artifacts/data/.../discounting.json", ...}}

Keys of ``figures``/``notebooks``/``data`` are paths in the site (and in ``docs/`` as a page links them);
the files are relative to the repository root. ``--docs-out`` applies it all to a copy of ``docs/``
(``export_docs``), for a renderer that runs no hooks (``tools/zensical.py``); the MkDocs build does
the same through ``hooks/artifacts.py``, a thin adapter over this module.

Standard library only (the computing happens in ``hooks/render.py``). Load this file by its path,
as ``hooks/artifacts.py`` does, so that its ``ROOT`` is the project it sits in.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import importlib.util
import json
import logging
import os
import posixpath
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
CACHE = ROOT / ".cache" / "artifacts"
MANIFEST = CACHE / "manifest.json"
MANIFEST_FORMAT = 1  # "data" was added beside the other keys: a reader of format 1 still reads it
KINDS = ("figure", "value", "notebook", "data")
FILE_KINDS = ("figure", "notebook", "data")  # the kinds that are files in the site
VERSIONED = ("numpy", "matplotlib", "torch", "gymnasium", "nbclient", "ipykernel", "jupytext")
SEED = 0
CACHE_FORMAT = "1"
PLACEHOLDER = re.compile(r"\{\{\s*((?:num|table|data)_[a-z0-9_]+)\s*\}\}")
FIGURE_SUFFIXES = (".svg", ".png")  # what a figure function may write; the first is assumed until it has
FIGURE_REFERENCE = re.compile(r"figures/([a-z0-9_]+\.(?:svg|png))")

LOG = logging.getLogger("artifacts")


class ArtifactError(Exception):
    """A computed artifact that cannot be had or placed: the pages would miss content."""


def load_by_path(path: Path) -> ModuleType:
    """The module in file ``path``, imported by path under a name unique to that path, so that two
    copies of the project (a test's and the checkout) each get their own."""
    name = f"_{path.stem}_{hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ArtifactError(f"{path} is missing or not a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while a class is defined
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


deps = load_by_path(ROOT / "figures" / "_deps.py")  # what an artifact depends on, as the run memo reads it
provenance = load_by_path(ROOT / "hooks" / "provenance.py")  # where each number and code block comes from


@dataclass(frozen=True)
class Artifact:
    kind: str  # "figure" | "value" | "notebook" | "data"
    name: str  # fig_maze | num_x | returns-in-the-maze | data_discounting
    source: Path  # the module or notebook script that defines it
    module: str  # dotted module name ("" for notebooks)
    digest: str

    @property
    def filename(self) -> str:
        if self.kind == "figure":  # the file the figure function wrote, once it is computed
            stem = self.name.removeprefix("fig_")
            folder = CACHE / self.kind / self.digest[:20]
            written = [stem + suffix for suffix in FIGURE_SUFFIXES if (folder / (stem + suffix)).is_file()]
            return written[0] if written else stem + FIGURE_SUFFIXES[0]
        if self.kind == "notebook":
            return self.name + ".ipynb"
        if self.kind == "data":
            return self.name.removeprefix("data_") + ".json"
        return self.name + ".json"

    @property
    def cached(self) -> Path:
        # The digest is a folder so the file keeps its own name (the notebook download uses it).
        return CACHE / self.kind / self.digest[:20] / self.filename

    @property
    def site_path(self) -> str:
        folder = {"figure": "figures/", "notebook": "notebooks/", "data": "data/"}.get(self.kind, "values/")
        return folder + self.filename


# --------------------------------------------------------------------------------------------------
# Discovery


def environment_fingerprint() -> str:
    parts = [f"python={sys.version_info[:3]}", f"format={CACHE_FORMAT}", f"seed={SEED}"]
    for dist in VERSIONED:
        try:
            parts.append(f"{dist}={importlib.metadata.version(dist)}")
        except importlib.metadata.PackageNotFoundError:
            parts.append(f"{dist}=missing")
    parts.append(deps.behaviour_digest(ROOT / "hooks" / "render.py"))  # how artifacts are made, not its comments
    return "\n".join(parts)


def digest_of(kind: str, name: str, source: Path, env: str, code: str | None = None) -> str:
    """The cache key of artifact ``name``: its kind and name, the environment, and the code it depends
    on, its own file byte for byte (a notebook's comments are its text cells). ``code``: that code's
    digest, ``deps.code_digest(source, verbatim={source})``, when the caller has it already."""
    if code is None:
        code = deps.code_digest(source, verbatim={source})
    return hashlib.sha256(f"{kind}:{name}\n{env}\n{code}\n".encode()).hexdigest()


def discover() -> list[Artifact]:
    env = environment_fingerprint()
    artifacts: list[Artifact] = []
    owner: dict[str, Path] = {}
    for path in sorted((ROOT / "figures").glob("*.py")):
        if path.name.startswith("_"):
            continue
        module = "figures." + path.stem
        code = deps.code_digest(path, verbatim={path})  # once per module: its artifacts share it
        for name in deps.top_level_functions(path):
            kind = "figure" if name.startswith("fig_") else None
            if name.startswith(("num_", "table_")):
                kind = "value"
            if name.startswith("data_"):
                kind = "data"
            if kind is None:
                continue
            if name in owner:
                raise ArtifactError(f"artifacts: {name} is defined in both {owner[name]} and {path}")
            owner[name] = path
            artifacts.append(Artifact(kind, name, path, module, digest_of(kind, name, path, env, code)))
    for path in sorted((ROOT / "notebooks").glob("*.py")):
        name = path.stem
        artifacts.append(Artifact("notebook", name, path, "", digest_of("notebook", name, path, env)))
    return artifacts


# --------------------------------------------------------------------------------------------------
# Computing the artifacts that are not cached yet


def render_jobs(missing: list[Artifact]) -> list[dict]:
    """What ``hooks/render.py`` reads: one job per artifact to compute."""
    return [
        {
            "kind": a.kind,
            "name": a.name,
            "module": a.module,
            "source": str(a.source),
            "seed": SEED,
            "out": str(a.cached),
            "suffixes": list(FIGURE_SUFFIXES),  # a figure's file lands with the suffix its function chose
        }
        for a in missing
    ]


def _render_env() -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
    env.setdefault("MPLBACKEND", "Agg")
    # One thread per job (and per notebook's kernel): the jobs run side by side, one per core, so a
    # job's second thread only fights the other job for its core. The training runs' memo sets
    # torch's threads to 1 already; this covers the rest. The computed files are the same bytes.
    env["OMP_NUM_THREADS"] = "1"
    return env


def render_missing(artifacts: list[Artifact], log: logging.Logger = LOG) -> None:
    """Compute every artifact of ``artifacts`` that is not cached, in one ``hooks/render.py`` process."""
    missing = [a for a in artifacts if not a.cached.is_file()]
    if not missing:
        return
    CACHE.mkdir(parents=True, exist_ok=True)
    jobs = render_jobs(missing)
    log.info("artifacts: computing %d of %d: %s", len(missing), len(artifacts), ", ".join(a.name for a in missing))
    started = time.perf_counter()
    with tempfile.NamedTemporaryFile("w", suffix=".json", dir=CACHE, delete=False) as fh:
        json.dump(jobs, fh)
    env = _render_env()
    try:
        proc = subprocess.run(
            [sys.executable, str(ROOT / "hooks" / "render.py"), fh.name],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
    finally:
        os.unlink(fh.name)
    if proc.returncode != 0:
        raise ArtifactError(
            "artifacts: computing build artifacts failed; the page content they feed would be missing.\n"
            + proc.stdout[-4000:]
            + proc.stderr[-8000:]
        )
    for a in missing:
        if not a.cached.is_file():
            wanted = a.filename
            if a.kind == "figure":
                wanted = " or ".join(Path(a.filename).stem + suffix for suffix in FIGURE_SUFFIXES)
            raise ArtifactError(f"artifacts: {a.name} ({a.source.relative_to(ROOT)}) produced no {wanted}")
    slowest = [line for line in proc.stdout.splitlines() if line.startswith("slowest: ")]
    log.info("artifacts: computed %d in %.1f s; %s", len(missing), time.perf_counter() - started, "".join(slowest))


@dataclass(frozen=True)
class Computed:
    """Every artifact of the project, computed: what a renderer places in the pages."""

    artifacts: list[Artifact]
    values: dict[str, str]  # placeholder name -> text
    # A preview (``compute_preview``): the artifacts still being computed, by name, and the file that
    # stands in for each meanwhile. Empty for a build, which computes everything first.
    pending: dict[str, Path | None] = field(default_factory=dict)

    def file_of(self, a: Artifact) -> Path | None:
        """The file a figure, notebook or data artifact puts in the site: the cached one, or in a
        preview its stand-in (None: nothing yet, for data, whose widget then says it could not load)."""
        return self.pending[a.name] if a.name in self.pending else a.cached

    def files(self, kind: str) -> dict[str, Path]:
        """Site path -> cached file, of every figure (``kind="figure"``), notebook or data file."""
        if kind not in FILE_KINDS:
            raise ValueError(f"kind must be one of {FILE_KINDS}, got {kind!r}")
        return {a.site_path: a.cached for a in self.artifacts if a.kind == kind and a.name not in self.pending}

    @property
    def data(self) -> dict[str, str]:
        """``data_<name>`` -> its site path, ``data/<name>.json``."""
        return {a.name: a.site_path for a in self.artifacts if a.kind == "data"}

    def manifest(self) -> dict:
        def relative(files: dict[str, Path]) -> dict[str, str]:
            return {site: file.relative_to(ROOT).as_posix() for site, file in sorted(files.items())}

        return {
            "format": MANIFEST_FORMAT,
            "values": dict(sorted(self.values.items())),
            "figures": relative(self.files("figure")),
            "notebooks": relative(self.files("notebook")),
            "data": relative(self.files("data")),
        }


def compute_all(log: logging.Logger = LOG) -> Computed:
    """Discover every artifact, compute those not cached, and write the manifest."""
    artifacts = discover()
    render_missing(artifacts, log)
    values = {}
    for a in artifacts:
        if a.kind == "value":
            values[a.name] = json.loads(a.cached.read_text(encoding="utf-8"))["value"]
    computed = Computed(artifacts, values)
    write_manifest(computed.manifest())
    return computed


# --------------------------------------------------------------------------------------------------
# A preview: serve at once, compute in the background (``make serve``)

PREVIEW = CACHE / "preview"  # the stand-ins, and the background job's log
READY = CACHE / "preview-ready" / "done"  # touched when a background job ends: the server watches it
PENDING_VALUE = "??"  # a number not computed yet; plain enough to sit inside a formula too


def compute_preview(log: logging.Logger = LOG, started: Callable[[subprocess.Popen], None] | None = None) -> Computed:
    """Every artifact that is cached, and a clearly labelled stand-in for each one that is not, while
    one background process (``hooks/render.py``, as a build runs it) computes those; ``started`` gets
    that process. When it ends, the server touches ``READY`` (``wait_then_touch_ready``); ``mkdocs
    serve`` watches that file and rebuilds, with the real artifacts.

    For ``make serve`` only: ``mkdocs build`` and ``make test`` call ``compute_all``, which computes
    everything first and fails on any error. Nothing here is written into the cache except by the
    background job, so a stand-in is never mistaken for an artifact.
    """
    artifacts = discover()
    missing = [a for a in artifacts if not a.cached.is_file()]
    if missing:
        proc = start_background(missing, log)
        if proc is not None and started is not None:
            started(proc)
    pending: dict[str, Path | None] = {a.name: stand_in(a) for a in missing}
    values = {}
    for a in artifacts:
        if a.kind == "value":
            if a.name in pending:
                values[a.name] = PENDING_VALUE
            else:
                values[a.name] = json.loads(a.cached.read_text(encoding="utf-8"))["value"]
    return Computed(artifacts, values, pending)


def start_background(missing: list[Artifact], log: logging.Logger = LOG) -> subprocess.Popen | None:
    """Compute ``missing`` in one background process, unless one is running already (the rebuild its
    end triggers starts the next one for whatever is still missing). A job set that failed is not
    started again until the code changes: its log says why, and ``make build`` shows the traceback."""
    PREVIEW.mkdir(parents=True, exist_ok=True)
    READY.parent.mkdir(parents=True, exist_ok=True)
    pid_file, failed = PREVIEW / "running.pid", PREVIEW / "failed"
    if pid_file.is_file():
        try:
            os.kill(int(pid_file.read_text()), 0)
            return None  # still running
        except (OSError, ValueError):
            pid_file.unlink(missing_ok=True)
    key = hashlib.sha256(" ".join(sorted(a.digest for a in missing)).encode()).hexdigest()
    if failed.is_file() and failed.read_text(encoding="utf-8") == key:
        log.warning("artifacts: computing failed before; see %s or run `make build`", PREVIEW / "log.txt")
        return None
    jobs = PREVIEW / "jobs.json"
    jobs.write_text(json.dumps(render_jobs(missing)), encoding="utf-8")
    script = (
        "import subprocess, sys, pathlib\n"
        "jobs, log, ready, failed, key = sys.argv[1:6]\n"
        "with open(log, 'w') as out:\n"
        "    rc = subprocess.call([sys.executable, sys.argv[6], jobs], stdout=out, stderr=subprocess.STDOUT)\n"
        "pathlib.Path(failed).write_text(key) if rc else pathlib.Path(failed).unlink(missing_ok=True)\n"
    )
    args = [str(jobs), str(PREVIEW / "log.txt"), str(READY), str(failed), key, str(ROOT / "hooks" / "render.py")]
    proc = subprocess.Popen([sys.executable, "-c", script, *args], cwd=ROOT, env=_render_env(), start_new_session=True)
    pid_file.write_text(str(proc.pid))
    return_value = proc
    log.info("artifacts: preview: computing %d in the background: %s", len(missing), ", ".join(a.name for a in missing))
    return return_value


def wait_then_touch_ready(proc: subprocess.Popen, serving: threading.Event, settle_s: float = 2.0) -> None:
    """Wait for ``proc`` to end and for the server to watch (``serving``, set when it starts), then
    write ``READY`` (new content every time). A touch before the watcher's first look would be missed."""
    proc.wait()
    serving.wait()
    time.sleep(settle_s)
    READY.parent.mkdir(parents=True, exist_ok=True)
    READY.write_text(f"{time.time_ns()} {proc.returncode}\n", encoding="utf-8")


def figure_stand_ins() -> dict[str, Path]:
    """A grey image that says the figure is being computed, in each format a figure may take (its
    format is known once it is computed: ``figures/_style.save`` picks the lighter one)."""
    PREVIEW.mkdir(parents=True, exist_ok=True)
    text = "This figure is being computed. The page reloads when it is ready."
    svg, png = PREVIEW / "computing.svg", PREVIEW / "computing.png"
    if not svg.is_file():
        svg.write_text(
            '<svg xmlns="http://www.w3.org/2000/svg" width="640" height="120" viewBox="0 0 640 120">'
            '<rect width="640" height="120" fill="#eee"/><text x="320" y="66" text-anchor="middle" '
            f'font-family="sans-serif" font-size="17" fill="#333">{text}</text></svg>\n',
            encoding="utf-8",
        )
    if not png.is_file():
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib.figure import Figure

        fig = Figure(figsize=(6.4, 1.2), dpi=100, facecolor="#eeeeee")
        fig.text(0.5, 0.5, text.replace(". ", ".\n"), ha="center", va="center", fontsize=13, color="#333333")
        fig.savefig(png, facecolor="#eeeeee", metadata={"Software": None})
    return {".svg": svg, ".png": png}


def stand_in(a: Artifact) -> Path | None:
    """The file a page shows while ``a`` is computed: a grey image that says so, or a notebook with one
    cell that says so. Values get ``PENDING_VALUE`` instead, and data nothing."""
    PREVIEW.mkdir(parents=True, exist_ok=True)
    if a.kind == "figure":
        return figure_stand_ins()[Path(a.filename).suffix]
    if a.kind == "notebook":
        path = PREVIEW / "notebooks" / a.filename
        path.parent.mkdir(parents=True, exist_ok=True)
        cell = {
            "id": "computing",
            "cell_type": "markdown",
            "metadata": {},
            "source": ["*This notebook is being executed; the page reloads when it is ready.*"],
        }
        nb = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
        path.write_text(json.dumps(nb), encoding="utf-8")
        return path
    return None


def write_manifest(manifest: dict, path: Path = MANIFEST) -> None:
    text = json.dumps(manifest, indent=1, ensure_ascii=False) + "\n"
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)  # a reader never sees half a manifest


def evict_stale(artifacts: list[Artifact]) -> None:
    """Delete cached artifacts that no current code produces (old digests)."""
    keep = {a.cached.parent for a in artifacts}
    for kind in KINDS:
        for entry in (CACHE / kind).glob("*"):
            if entry.is_dir() and entry not in keep:
                for file in entry.iterdir():
                    file.unlink()
                entry.rmdir()


# --------------------------------------------------------------------------------------------------
# Placing the artifacts in the pages


def page_url(src_uri: str, use_directory_urls: bool = True) -> str:
    """The URL, relative to the site's root, at which a page ``src_uri`` (``a/b.md``) is served, as
    MkDocs and Zensical serve it: ``a/b/`` (``a/`` for ``a/index.md``), or ``a/b.html``."""
    stem = src_uri.removesuffix(".md")
    if stem == "index" or stem.endswith("/index"):
        return stem.removesuffix("index")
    return stem + "/" if use_directory_urls else stem + ".html"


def url_from(url: str, site_path: str) -> str:
    """``site_path`` (``data/x.json``) relative to a page served at ``url`` (``fundamentals/return/``)."""
    return posixpath.relpath(site_path, posixpath.dirname(url) or ".")


def substitute(
    markdown: str,
    values: dict[str, str],
    where: str,
    data: dict[str, str] | None = None,
    url: str = "",
    mark: Callable[[str, str, str], str] | None = None,
) -> tuple[str, set[str]]:
    """``markdown`` with every ``{{ num_x }}`` / ``{{ table_x }}`` replaced by its value and every
    ``{{ data_x }}`` by the URL of its file relative to ``url`` (where the page is served: see
    ``page_url``), and the names it replaced. An unknown name raises ArtifactError naming ``where``
    (the page); ``data`` maps each data name to its site path (``Computed.data``). ``mark(name, text,
    indent)``, when given, returns what goes in place of a value (``hooks/provenance.py`` marks it)."""
    used: set[str] = set()
    data = data or {}

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.startswith("data_"):
            if name not in data:
                raise ArtifactError(
                    f"{where}: {{{{ {name} }}}} names no data; define {name}(seed) -> dict | list in figures/"
                )
            used.add(name)
            return url_from(url, data[name])
        if name not in values:
            raise ArtifactError(f"{where}: {{{{ {name} }}}} names no value; define {name}(seed) -> str in figures/")
        used.add(name)
        # A multi-line value (a table) placed on an indented line, e.g. inside an admonition or a
        # content tab, keeps that indentation on every line.
        line_start = markdown.rfind("\n", 0, match.start()) + 1
        indent = markdown[line_start : match.start()]
        if indent.strip():
            indent = ""
        text = values[name].replace("\n", "\n" + indent)
        return mark(name, text, indent) if mark else text

    return PLACEHOLDER.sub(replace, markdown), used


def shown_figures(text: str) -> set[str]:
    """The figure files (``maze.png``, ``discount_weights.svg``) that a page's Markdown or HTML refers to."""
    return set(FIGURE_REFERENCE.findall(text))


def unshown(computed: Computed, used: Iterable[str], shown: Iterable[str]) -> list[str]:
    """What was computed and no page shows, one line per kind (empty when everything is shown): dead
    weight in every cold build, which a strict build fails on."""
    problems = []
    unused_values = sorted(set(computed.values) - set(used))
    if unused_values:
        problems.append("artifacts: computed values that no page shows: " + ", ".join(unused_values))
    unused_data = sorted(set(computed.data) - set(used))
    if unused_data:
        problems.append("artifacts: data that no page uses (write {{ data_<name> }} in one): " + ", ".join(unused_data))
    figures = {a.filename for a in computed.artifacts if a.kind == "figure"}
    unshown_figures = sorted(figures - set(shown))
    if unshown_figures:
        problems.append("artifacts: figures that no page shows: " + ", ".join(unshown_figures))
    return problems


def generated_in_source(computed: Computed, docs: Path) -> list[str]:
    """Site paths of generated files that also exist in ``docs``: one would hide the other."""
    return [
        site
        for kind in FILE_KINDS
        for site in computed.files(kind)
        if (docs / site).exists()  # a generated file is never kept in the source tree
    ]


def export_docs(computed: Computed, out: Path, docs: Path = DOCS) -> None:
    """Write ``out`` (a new or empty folder): a copy of ``docs`` for a renderer that runs no hooks, with
    every placeholder replaced by its value (a data placeholder by its file's URL, for directory
    URLs, Zensical's default as MkDocs') and every figure, executed notebook and data file at its site
    path. Fails as the strict MkDocs build does: on an unknown placeholder, a generated file that also
    sits in ``docs``, a computed value, figure or data file that no page uses."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ArtifactError(f"docs-out: {out} exists and is not an empty folder; name a new one")
    clashing = generated_in_source(computed, docs)
    if clashing:
        listed = ", ".join("docs/" + site for site in clashing)
        raise ArtifactError(f"artifacts: {listed} exist in the source tree; they are generated, delete them")
    shutil.copytree(docs, out, dirs_exist_ok=True)
    used: set[str] = set()
    shown: set[str] = set()
    for page in sorted(out.rglob("*.md")):
        src_uri = page.relative_to(out).as_posix()
        text, names = substitute(
            page.read_text(encoding="utf-8"), computed.values, src_uri, computed.data, page_url(src_uri)
        )
        page.write_text(text, encoding="utf-8")
        used |= names
        shown |= shown_figures(text)
    for kind in FILE_KINDS:
        for site, cached in computed.files(kind).items():
            (out / site).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(cached, out / site)
    problems = unshown(computed, used, shown)
    if problems:
        raise ArtifactError("\n".join(problems))
    try:  # the code captions and the Claims list, as the MkDocs hook writes them
        provenance.fill_exported(out, docs, computed.artifacts, computed.values, ROOT)
    except provenance.ProvenanceError as exc:
        raise ArtifactError(str(exc)) from exc


# --------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Compute the site's figures, values, notebooks, data into the cache.")
    parser.add_argument(
        "--docs-out",
        type=Path,
        help="also write this new folder: docs/ with the values in place, the generated files beside the pages",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        computed = compute_all()
        evict_stale(computed.artifacts)
        if args.docs_out is not None:
            export_docs(computed, args.docs_out.resolve())
    except ArtifactError as exc:
        print(exc, file=sys.stderr)
        return 1
    counts = {kind: sum(a.kind == kind for a in computed.artifacts) for kind in KINDS}
    print(
        f"{counts['figure']} figures, {counts['value']} values, {counts['notebook']} notebooks, {counts['data']} data; "
        f"manifest: {MANIFEST.relative_to(ROOT)}" + (f"; docs: {args.docs_out}" if args.docs_out else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
