"""MkDocs hook: everything the pages show that is computed, computed at build time from the code.

Three kinds of build artifact, all discovered, never listed by hand:

* **Figures**: a function ``fig_<what_it_shows>(out_dir, seed) -> Path`` in a module of ``figures/``.
  It writes ``out_dir/<what_it_shows>.png`` and the page shows it as ``figures/<what_it_shows>.png``.
* **Values**: a function ``num_<name>(seed) -> str`` or ``table_<name>(seed) -> str`` in ``figures/``.
  A page writes ``{{ num_<name> }}`` and the build puts the computed text there (a number, or a
  Markdown table). An unknown name fails the build.
* **Notebooks**: a jupytext "percent" script ``notebooks/<name>.py``. The build executes it and the
  site shows the executed notebook at ``notebooks/<name>.ipynb``, with a download button. A cell
  that raises fails the build.

Each artifact is cached under ``.cache/artifacts`` by a hash of the code that produces it, as
``figures/_deps.py`` reads code (the training-run memo reads it the same way): its own file, byte
for byte, plus every module of ``snippets/`` and ``figures/`` that it imports, directly or not, and
the data files beside them, each as its syntax tree without comments or docstrings,
the seed, the versions of the numeric libraries, and ``hooks/render.py``. An unchanged artifact is
never recomputed; an edit to the code of any snippet it uses recomputes it, and a reworded
comment or docstring in a snippet recomputes only what shows that snippet's text (nothing here: the
pages include it afresh on every build). Missing artifacts are computed in a
fresh ``python hooks/render.py`` process, so ``mkdocs serve`` never draws with stale modules.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import html
import importlib.metadata
import importlib.util
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

log = logging.getLogger("mkdocs.hooks.artifacts")

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".cache" / "artifacts"
VERSIONED = ("numpy", "matplotlib", "torch", "gymnasium", "nbclient", "ipykernel", "jupytext")
SEED = 0
CACHE_FORMAT = "1"
PLACEHOLDER = re.compile(r"\{\{\s*((?:num|table)_[a-z0-9_]+)\s*\}\}")
VENDORED = ("assets/vendor/katex/katex.min.js", "assets/vendor/katex/auto-render.min.js")


@dataclass(frozen=True)
class Artifact:
    kind: str  # "figure" | "value" | "notebook"
    name: str  # fig_maze | num_x | returns-in-the-maze
    source: Path  # the module or notebook script that defines it
    module: str  # dotted module name ("" for notebooks)
    digest: str

    @property
    def filename(self) -> str:
        if self.kind == "figure":
            return self.name.removeprefix("fig_") + ".png"
        if self.kind == "notebook":
            return self.name + ".ipynb"
        return self.name + ".json"

    @property
    def cached(self) -> Path:
        # The digest is a folder so the file keeps its own name (the notebook download uses it).
        return CACHE / self.kind / self.digest[:20] / self.filename

    @property
    def site_path(self) -> str:
        return {"figure": "figures/", "notebook": "notebooks/"}.get(self.kind, "values/") + self.filename


# --------------------------------------------------------------------------------------------------
# What code produces an artifact: figures/_deps.py, the reader the training-run memo uses too


@functools.cache
def _load_deps():
    """figures/_deps.py, by path (its ROOT is the project this hook sits in)."""
    spec = importlib.util.spec_from_file_location(f"_deps_{abs(hash(ROOT))}", ROOT / "figures" / "_deps.py")
    assert spec is not None and spec.loader is not None, "figures/_deps.py is missing"
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def code_files(path: Path) -> list[Path]:
    """``path`` plus every file of snippets/ and figures/ that it imports, directly or not, plus the
    data files beside them and those they declare (``DATA_FILES``): see figures/_deps.py."""
    return _load_deps().code_files(path)


def _environment_fingerprint() -> str:
    parts = [f"python={sys.version_info[:3]}", f"format={CACHE_FORMAT}", f"seed={SEED}"]
    for dist in VERSIONED:
        try:
            parts.append(f"{dist}={importlib.metadata.version(dist)}")
        except importlib.metadata.PackageNotFoundError:
            parts.append(f"{dist}=missing")
    parts.append((ROOT / "hooks" / "render.py").read_text(encoding="utf-8"))
    return "\n".join(parts)


def digest_of(kind: str, name: str, source: Path, env: str) -> str:
    """The cache key of artifact ``name``: its kind and name, the environment, and the code it depends
    on, its own file byte for byte (a notebook's comments are its text cells)."""
    code = _load_deps().code_digest(source, verbatim={source})
    return hashlib.sha256(f"{kind}:{name}\n{env}\n{code}\n".encode()).hexdigest()


# --------------------------------------------------------------------------------------------------
# Discovery


def discover() -> list[Artifact]:
    env = _environment_fingerprint()
    artifacts: list[Artifact] = []
    owner: dict[str, Path] = {}
    for path in sorted((ROOT / "figures").glob("*.py")):
        if path.name.startswith("_"):
            continue
        module = "figures." + path.stem
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef):
                continue
            kind = "figure" if node.name.startswith("fig_") else None
            if node.name.startswith(("num_", "table_")):
                kind = "value"
            if kind is None:
                continue
            if node.name in owner:
                raise PluginError(f"artifacts: {node.name} is defined in both {owner[node.name]} and {path}")
            owner[node.name] = path
            artifacts.append(Artifact(kind, node.name, path, module, digest_of(kind, node.name, path, env)))
    for path in sorted((ROOT / "notebooks").glob("*.py")):
        name = path.stem
        artifacts.append(Artifact("notebook", name, path, "", digest_of("notebook", name, path, env)))
    return artifacts


# --------------------------------------------------------------------------------------------------
# Rendering the artifacts that are not cached yet


def render_missing(artifacts: list[Artifact]) -> None:
    missing = [a for a in artifacts if not a.cached.is_file()]
    if not missing:
        return
    CACHE.mkdir(parents=True, exist_ok=True)
    jobs = [
        {
            "kind": a.kind,
            "name": a.name,
            "module": a.module,
            "source": str(a.source),
            "seed": SEED,
            "out": str(a.cached),
        }
        for a in missing
    ]
    log.info("artifacts: computing %d of %d: %s", len(missing), len(artifacts), ", ".join(a.name for a in missing))
    started = time.perf_counter()
    with tempfile.NamedTemporaryFile("w", suffix=".json", dir=CACHE, delete=False) as fh:
        json.dump(jobs, fh)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
    env.setdefault("MPLBACKEND", "Agg")
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
        raise PluginError(
            "artifacts: computing build artifacts failed; the page content they feed would be missing.\n"
            + proc.stdout[-4000:]
            + proc.stderr[-8000:]
        )
    for a in missing:
        if not a.cached.is_file():
            raise PluginError(f"artifacts: {a.name} ({a.source.relative_to(ROOT)}) produced no {a.filename}")
    slowest = [line for line in proc.stdout.splitlines() if line.startswith("slowest: ")]
    log.info("artifacts: computed %d in %.1f s; %s", len(missing), time.perf_counter() - started, "".join(slowest))


# --------------------------------------------------------------------------------------------------
# MkDocs events


@dataclass
class BuildState:
    """What one build computed, and what its pages used of it."""

    artifacts: list[Artifact] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)  # placeholders substituted
    shown: set[str] = field(default_factory=set)  # figure files referenced by a page


_state = BuildState()


def on_pre_build(config) -> None:
    docs = Path(config["docs_dir"])
    for rel in VENDORED:
        if not (docs / rel).is_file():
            raise PluginError(f"docs/{rel} is missing: run `python tools/vendor.py` (every make target does)")
    artifacts = discover()
    render_missing(artifacts)
    values = {}
    for a in artifacts:
        if a.kind == "value":
            values[a.name] = json.loads(a.cached.read_text(encoding="utf-8"))["value"]
    global _state
    _state = BuildState(artifacts=artifacts, values=values)


@event_priority(100)  # before mkdocs-jupyter wraps .ipynb files as pages
def on_files(files: Files, config) -> Files:
    for a in _state.artifacts:
        if a.kind == "value":
            continue
        if files.get_file_from_path(a.site_path) is not None:
            raise PluginError(f"artifacts: docs/{a.site_path} exists in the source tree; it is generated, delete it")
        if a.kind == "notebook":
            # mkdocs-jupyter wraps notebook pages and reads them through File.src_dir, so a notebook
            # needs a real source folder: stage the executed copy under its site path.
            staged = CACHE / "staged" / a.site_path
            staged.parent.mkdir(parents=True, exist_ok=True)
            if not staged.is_file() or staged.read_bytes() != a.cached.read_bytes():
                shutil.copyfile(a.cached, staged)
            files.append(
                File(
                    a.site_path,
                    src_dir=str(CACHE / "staged"),
                    dest_dir=config["site_dir"],
                    use_directory_urls=config["use_directory_urls"],
                )
            )
        else:
            files.append(File.generated(config, a.site_path, abs_src_path=str(a.cached)))
    return files


def on_page_markdown(markdown: str, page, config, files) -> str:
    values = _state.values

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise PluginError(
                f"{page.file.src_uri}: {{{{ {name} }}}} names no value; define {name}(seed) -> str in figures/"
            )
        _state.used.add(name)
        # A multi-line value (a table) placed on an indented line, e.g. inside an admonition or a
        # content tab, keeps that indentation on every line.
        line_start = markdown.rfind("\n", 0, match.start()) + 1
        indent = markdown[line_start : match.start()]
        if indent.strip():
            indent = ""
        return values[name].replace("\n", "\n" + indent)

    return PLACEHOLDER.sub(substitute, markdown)


def on_page_content(html_text: str, page, config, files) -> str:
    _state.shown.update(re.findall(r"figures/([a-z0-9_]+\.png)", html_text))
    return html_text


NBCONVERT_NO_ALT = 'alt="No description has been provided for this image"'


def on_post_page(output: str, page, config) -> str:
    """Give each image a notebook cell draws the alt text written on that cell's ``# %% alt="..."`` line."""
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


def evict_stale(artifacts: list[Artifact]) -> None:
    """Delete cached artifacts that no current code produces (old digests)."""
    keep = {a.cached.parent for a in artifacts}
    for kind in ("figure", "value", "notebook"):
        for entry in (CACHE / kind).glob("*"):
            if entry.is_dir() and entry not in keep:
                for file in entry.iterdir():
                    file.unlink()
                entry.rmdir()


def on_post_build(config) -> None:
    evict_stale(_state.artifacts)
    # A computed value or figure that no page shows is dead weight in every cold build: say so
    # (a warning, so `mkdocs build --strict` fails).
    unused = sorted(set(_state.values) - _state.used)
    if unused:
        log.warning("artifacts: computed values that no page shows: %s", ", ".join(unused))
    figures = {a.filename for a in _state.artifacts if a.kind == "figure"}
    unshown = sorted(figures - _state.shown)
    if unshown:
        log.warning("artifacts: figures that no page shows: %s", ", ".join(unshown))
