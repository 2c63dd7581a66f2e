"""The notebooks a reader downloads run outside this repository, installing the package from the site.

A fresh virtual environment in a temporary folder outside the checkout, with no ``PYTHONPATH`` and
its working directory outside the checkout, executes every ``.ipynb`` the built site serves, with
nbclient, with no error. The package is not installed beforehand: the first notebook's install cell
(hooks/downloads.py) fetches the wheel from the built site, served over HTTP on 127.0.0.1
(``RLHF_SITE_URL`` points the cell at it), and installs it with pip; the other notebooks find it
installed and skip. Each run ends with a cell, added here, that reports where the package was
imported from: inside the new environment, not the checkout. Then every module of every package the
wheel installs (the exercises too) imports there, and each package's ``python -m`` entry point answers
``--help``.

Nothing is downloaded: the new environment sees the development environment's third-party
packages (torch, numpy, nbclient, pip, ...) through a ``.pth`` file naming that one folder, which
holds no copy of the project, and pip runs with ``PIP_NO_INDEX``, so the wheel's dependencies must
already be satisfied there (lower bounds that the pinned versions meet) or the install fails.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
PACKAGES = [p for p in PYPROJECT["tool"]["setuptools"]["packages"] if "." not in p]
PACKAGE = PACKAGES[0]  # the one the notebooks import (hooks/downloads.py: import_name)
IMPORT_ALL = """
import importlib, json, pkgutil, sys
found = {}
for name in sys.argv[1:]:
    package = importlib.import_module(name)
    modules = [m.name for m in pkgutil.walk_packages(package.__path__, name + ".") if not m.name.endswith("__main__")]
    found[name] = [importlib.import_module(m).__file__ for m in [name, *modules]]
print(json.dumps(found))
"""
FIRST = "returns-in-the-maze.ipynb"  # the quickest notebook: it runs the install; the others then skip it
WORKERS = 2  # the other notebooks run two at a time (one kernel each)

# Run inside the new environment: execute each notebook named on the command line, with a last cell
# that reports the interpreter and where the package came from; print one JSON line per notebook.
DRIVER = """
import json, sys
from concurrent.futures import ProcessPoolExecutor
import nbformat
from nbclient import NotebookClient

REPORT = "import json, sys, {package}; print(json.dumps([sys.executable, {package}.__file__]))"

def run(path):
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(REPORT))
    NotebookClient(nb, kernel_name="python3", timeout=600, allow_errors=False,
                   resources={{"metadata": {{"path": "."}}}}).execute()
    install = next(cell for cell in nb.cells if cell.get("id") == "install")
    printed = [o.get("text", "") for o in install.outputs if o.get("output_type") == "stream"]
    executable, package_file = json.loads(nb.cells[-1].outputs[0]["text"])
    return {{"notebook": path, "install_cell": "".join(printed), "executable": executable, "package": package_file}}

if __name__ == "__main__":
    paths = sys.argv[1:]
    results = [run(paths[0])]
    with ProcessPoolExecutor({workers}) as pool:
        results += list(pool.map(run, paths[1:]))
    for result in results:
        print(json.dumps(result))
"""


def _inside(path: str | Path, folder: Path) -> bool:
    """Whether ``path`` lies in ``folder``, as named (the venv's python is a link out of the venv)."""
    return Path(os.path.abspath(path)).is_relative_to(os.path.abspath(folder))


def test_every_downloaded_notebook_runs_in_a_fresh_environment(
    built_site: Path, site_server: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    notebooks = sorted(built_site.glob("notebooks/*/*.ipynb"), key=lambda p: (p.name != FIRST, p.name))
    assert len(notebooks) == len(list((REPO / "notebooks").glob("*.py"))), "a notebook script has no download"
    assert notebooks[0].name == FIRST
    for notebook in notebooks:
        code = [c for c in json.loads(notebook.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
        assert code[0]["id"] == "install" and "find_spec" in "".join(code[0]["source"]), f"{notebook}: no install cell"
    wheels = list((built_site / "downloads").glob("*.whl"))
    assert len(wheels) == 1, f"the site serves {len(wheels)} wheels, not one"

    tmp = tmp_path_factory.mktemp("outside")
    assert not _inside(tmp, REPO), f"{tmp} is inside the checkout"
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    dev_packages = Path(sysconfig.get_paths()["purelib"])
    assert not (dev_packages / PACKAGE).exists(), f"{dev_packages} holds a copy of {PACKAGE}"
    target = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp,
    ).stdout.strip()
    (Path(target) / "_dev_packages.pth").write_text(f"{dev_packages}\n", encoding="utf-8")
    work = tmp / "work"
    work.mkdir()
    copies = []
    for notebook in notebooks:  # as a reader has them: downloaded, beside nothing else
        copies.append(work / notebook.name)
        copies[-1].write_bytes(notebook.read_bytes())
    (tmp / "driver.py").write_text(DRIVER.format(package=PACKAGE, workers=WORKERS), encoding="utf-8")

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env |= {
        "PATH": f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        "RLHF_SITE_URL": site_server + "/",
        "PIP_NO_INDEX": "1",  # nothing from the network: the wheel comes from the site, its dependencies are here
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "JUPYTER_DATA_DIR": str(tmp / "jupyter"),  # no kernelspec of this machine's user: the venv's python runs
        "IPYTHONDIR": str(tmp / "ipython"),
        "MPLCONFIGDIR": str(tmp / "matplotlib"),
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }
    unimported = subprocess.run(
        [
            python,
            "-c",
            f"import importlib.util, json, sys; print(importlib.util.find_spec({PACKAGE!r}), json.dumps(sys.path))",
        ],
        capture_output=True,
        text=True,
        cwd=work,
        env=env,
    )
    assert unimported.stdout.startswith("None "), f"{PACKAGE} imports before the notebook installs it: {unimported}"
    path = json.loads(unimported.stdout.removeprefix("None "))
    assert not any(entry and Path(entry).resolve() == REPO for entry in path), f"the checkout is on the path: {path}"

    run = subprocess.run(
        [python, tmp / "driver.py", *[c.name for c in copies]], capture_output=True, text=True, cwd=work, env=env
    )
    assert run.returncode == 0, f"a downloaded notebook failed outside the repository:\n{run.stderr[-6000:]}"
    results = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
    assert [r["notebook"] for r in results] == [c.name for c in copies]
    assert "Installing " in results[0]["install_cell"] and "Installed." in results[0]["install_cell"]
    assert wheels[0].name in results[0]["install_cell"]
    for result in results:
        assert _inside(result["executable"], venv), f"{result['notebook']} ran in {result['executable']}"
        assert _inside(result["package"], venv), f"{result['notebook']} imported {PACKAGE} from {result['package']}"
        assert not _inside(result["package"], REPO)
    assert all(r["install_cell"] == "" for r in results[1:]), "a notebook installed the package again"

    # Every module the wheel installed imports there (the exercises too: `python -m rl4rlhf_exercises` is theirs).
    imported = subprocess.run([python, "-c", IMPORT_ALL, *PACKAGES], capture_output=True, text=True, cwd=work, env=env)
    assert imported.returncode == 0, imported.stderr[-3000:]
    for name, files in json.loads(imported.stdout).items():
        assert len(files) > 1 and all(_inside(f, venv) for f in files), f"{name}: {files}"
        if any(Path(f).name == "__main__.py" for f in Path(files[0]).parent.iterdir()):
            cli = subprocess.run([python, "-m", name, "--help"], capture_output=True, text=True, cwd=work, env=env)
            assert cli.returncode == 0, f"python -m {name} --help failed outside the repository:\n{cli.stderr}"
