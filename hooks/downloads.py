"""MkDocs hook: the site serves the project's code as a wheel, and each notebook installs it.

A reader who downloads a notebook runs it in a plain Jupyter or Colab, outside this repository,
where the package the notebooks import (``snippets``, ``pyproject.toml``'s ``[project]``) is not on
the path. So the build

* builds the wheel of ``pyproject.toml`` (``build_wheel``: pure Python, no network, byte-identical
  for one commit: its files are dated ``SOURCE_DATE_EPOCH``) from a clean copy of the package's
  folders, cached under ``.cache/wheel/<digest>/`` by a hash of everything it packs, and serves it at
  ``downloads/<dist>-<version>-py3-none-any.whl``;
* gives each executed notebook of the site (``notebooks/<name>.ipynb``, staged by
  ``hooks/artifacts.py``) a first code cell (``install_cell``) that installs that wheel from the
  site's own URL (``site_url``) when the package cannot be imported, and does nothing otherwise (in
  a clone of the repository, or once installed). The cell is added to the site's copy only: the
  build executes the notebooks in the repository, where the package imports, and their cache does
  not depend on where the site is hosted.

``site_url`` comes from mkdocs.yml (``http://127.0.0.1:8000/``, where ``make serve`` serves the
site, so a notebook downloaded from a local build installs from it); the environment variable
``SITE_URL`` replaces it (the Pages workflow sets it to the hosted site's URL). At run time the cell
reads ``RLHF_SITE_URL`` first, so a test (or a mirror) can point it at another copy of the site.

``python hooks/downloads.py`` builds the wheel and prints its path. Standard library only, apart from
the MkDocs events at the end; the wheel is built by setuptools in a child process.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".cache" / "wheel"
STAGED = ROOT / ".cache" / "artifacts" / "site-notebooks"  # the site's notebooks, with the install cell
DOWNLOADS = "downloads/"
SITE_URL_ENV = "SITE_URL"  # at build time: the hosted site's URL, instead of mkdocs.yml's site_url
RUN_URL_ENV = "RLHF_SITE_URL"  # at run time, in the notebook: where to fetch the wheel instead
ZIP_EPOCH = 315_532_800  # 1980-01-01, the earliest date a zip file can hold
SKIPPED = ("__pycache__", "*.pyc", "ruff.toml")  # in the package folders, not packed

log = logging.getLogger("mkdocs.hooks.downloads")


class WheelError(Exception):
    """The wheel cannot be built: the notebooks' install cell would point at nothing."""


# --------------------------------------------------------------------------------------------------
# The package, as pyproject.toml declares it


def project(root: Path = ROOT) -> dict:
    """pyproject.toml's ``[project]``, plus the ``[tool.setuptools]`` table (``packages``, ``package-dir``)."""
    if not (root / "pyproject.toml").is_file():
        raise WheelError(f"{root / 'pyproject.toml'} is missing: there is no package to build")
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    if "project" not in config:
        raise WheelError("pyproject.toml has no [project]: there is no package to build")
    return {**config["project"], "setuptools": config.get("tool", {}).get("setuptools", {})}


def import_name(root: Path = ROOT) -> str:
    """The top-level import name the notebooks use (``[tool.setuptools] packages``, the first without a dot)."""
    top = [p for p in project(root)["setuptools"].get("packages", []) if "." not in p]
    if not top:
        raise WheelError("pyproject.toml: [tool.setuptools] packages names no top-level package")
    return top[0]


def package_folders(root: Path = ROOT) -> list[str]:
    """The folders the wheel packs: each top-level package's folder (its ``package-dir``, or its name)."""
    tools = project(root)["setuptools"]
    package_dir = tools.get("package-dir", {})
    folders = [package_dir.get(p, p) for p in tools.get("packages", []) if "." not in p]
    return sorted(set(folders))


def wheel_name(root: Path = ROOT) -> str:
    """``<dist>-<version>-py3-none-any.whl``, the dist normalised as wheels write it."""
    meta = project(root)
    dist = re.sub(r"[-_.]+", "_", meta["name"]).lower()
    return f"{dist}-{meta['version']}-py3-none-any.whl"


def _packed_files(root: Path) -> list[Path]:
    files = [root / "pyproject.toml"]
    for folder in package_folders(root):
        for path in sorted((root / folder).rglob("*")):
            if path.is_file() and not any(path.match(pattern) or pattern in path.parts for pattern in SKIPPED):
                files.append(path)
    return files


def source_epoch() -> int:
    """The date the wheel's files carry: ``SOURCE_DATE_EPOCH`` (the last commit's, under make), or 1980."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "")
    return max(ZIP_EPOCH, int(value)) if value.isdigit() else ZIP_EPOCH


def wheel_digest(root: Path = ROOT) -> str:
    """The cache key: every packed file (path and bytes), the date, and the setuptools that builds it."""
    import importlib.metadata

    h = hashlib.sha256(f"epoch={source_epoch()}\n".encode())
    h.update(f"setuptools={importlib.metadata.version('setuptools')}\n".encode())
    for file in _packed_files(root):
        h.update(file.relative_to(root).as_posix().encode() + b"\0" + file.read_bytes() + b"\0")
    return h.hexdigest()


BUILD = """
import sys
from setuptools import build_meta
print(build_meta.build_wheel(sys.argv[1]))
"""


def build_wheel(root: Path = ROOT, cache: Path = CACHE) -> Path:
    """The project's wheel, built if it is not cached, from a copy of pyproject.toml and the package
    folders (so nothing is written into the checkout, and no stale build/ is packed)."""
    name = wheel_name(root)
    digest = wheel_digest(root)
    cached = cache / digest[:20] / name
    if cached.is_file():
        return cached
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "src", Path(tmp) / "out"
        src.mkdir()
        out.mkdir()
        shutil.copyfile(root / "pyproject.toml", src / "pyproject.toml")
        for folder in package_folders(root):
            shutil.copytree(root / folder, src / folder, ignore=shutil.ignore_patterns(*SKIPPED))
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        env["SOURCE_DATE_EPOCH"] = str(source_epoch())
        proc = subprocess.run([sys.executable, "-c", BUILD, str(out)], cwd=src, env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            raise WheelError(f"downloads: building the wheel failed:\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}")
        built = out / proc.stdout.strip().splitlines()[-1]
        if built.name != name:
            raise WheelError(f"downloads: setuptools built {built.name}, expected {name}")
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_name(name + ".partial")
        shutil.copyfile(built, partial)
        os.replace(partial, cached)
    for old in cache.iterdir():  # earlier versions of the package: no current build serves them
        if old.is_dir() and old != cached.parent:
            shutil.rmtree(old)
    return cached


# --------------------------------------------------------------------------------------------------
# The notebooks' first cell


def install_cell(site_url: str, wheel: str, package: str) -> str:
    """The code of the cell that installs ``wheel`` from ``site_url``'s downloads when ``package`` cannot
    be imported: quiet when it succeeds, pip's own message when it fails."""
    url = site_url.rstrip("/") + "/"
    return f'''\
# Set-up: this notebook imports `{package}`, the tested code the site's pages show.
# Outside the site's repository (a plain Jupyter, Colab), install it from the site.
import importlib.util
import os
import subprocess
import sys

if importlib.util.find_spec("{package}") is None:
    site = os.environ.get("{RUN_URL_ENV}", "{url}")
    wheel = site.rstrip("/") + "/{DOWNLOADS}{wheel}"
    print("Installing", wheel)
    pip = [sys.executable, "-m", "pip", "install", "--quiet", wheel]
    done = subprocess.run(pip, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"pip could not install {{wheel}}:\\n{{done.stdout}}{{done.stderr}}")
    importlib.invalidate_caches()
    print("Installed.")'''


def with_install_cell(notebook: dict, cell_source: str) -> dict:
    """``notebook`` (nbformat 4, as JSON) with the install cell as its first code cell, after the title and
    introduction (its leading Markdown cells)."""
    source = cell_source.splitlines(keepends=True)
    cell: dict[str, object] = {
        "cell_type": "code",
        "id": "install",
        "metadata": {},
        "execution_count": None,
        "outputs": [],
        "source": source,
    }
    cells = notebook["cells"]
    first_code = next((i for i, c in enumerate(cells) if c["cell_type"] == "code"), len(cells))
    return {**notebook, "cells": [*cells[:first_code], cell, *cells[first_code:]]}


def site_url_of(config) -> str:
    url = os.environ.get(SITE_URL_ENV) or config.get("site_url") or ""
    if not url.startswith(("http://", "https://")):
        raise WheelError(
            f"downloads: site_url is {url!r}; set it in mkdocs.yml (or ${SITE_URL_ENV}) to the site's http(s) URL,"
            " from which the notebooks install the package"
        )
    return url.rstrip("/") + "/"


# --------------------------------------------------------------------------------------------------
# MkDocs events

try:
    from mkdocs.exceptions import PluginError
    from mkdocs.plugins import event_priority
    from mkdocs.structure.files import File, Files
except ImportError:  # `python hooks/downloads.py` needs no MkDocs
    pass
else:

    def on_config(config):
        try:
            config["site_url"] = site_url_of(config)
        except WheelError as exc:
            raise PluginError(str(exc)) from exc
        return config

    @event_priority(50)  # after hooks/artifacts.py (100) adds the notebooks, before mkdocs-jupyter (0)
    def on_files(files: Files, config) -> Files:
        try:
            wheel = build_wheel()
            package = import_name()
        except WheelError as exc:
            raise PluginError(str(exc)) from exc
        files.append(File.generated(config, DOWNLOADS + wheel.name, abs_src_path=str(wheel)))
        cell = install_cell(config["site_url"], wheel.name, package)
        for file in list(files):
            if not (file.src_uri.startswith("notebooks/") and file.src_uri.endswith(".ipynb")):
                continue
            if file.abs_src_path is None:
                raise PluginError(f"downloads: {file.src_uri} has no source file to add the install cell to")
            notebook = json.loads(Path(file.abs_src_path).read_text(encoding="utf-8"))
            text = json.dumps(with_install_cell(notebook, cell), indent=1, sort_keys=True, ensure_ascii=False) + "\n"
            staged = STAGED / file.src_uri
            if not staged.is_file() or staged.read_text(encoding="utf-8") != text:
                staged.parent.mkdir(parents=True, exist_ok=True)
                staged.write_text(text, encoding="utf-8")
            files.remove(file)
            files.append(
                File(
                    file.src_uri,
                    src_dir=str(STAGED),
                    dest_dir=config["site_dir"],
                    use_directory_urls=config["use_directory_urls"],
                )
            )
        return files


if __name__ == "__main__":
    try:
        print(build_wheel().relative_to(ROOT))
    except WheelError as exc:
        sys.exit(str(exc))
