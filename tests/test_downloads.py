"""hooks/downloads.py: the wheel the site serves, and the cell that installs it in each notebook.

That the downloaded notebooks run outside the repository is tests/test_notebooks_outside.py's; here,
what the wheel holds and declares, that it is byte-identical when built again, that installing it
into this environment replaces nothing (torch's CPU build included), and what the cell does where
the package already imports.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from hooks import downloads

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(built_site: Path) -> Path:
    served = built_site / downloads.DOWNLOADS / downloads.wheel_name()
    assert served.is_file(), f"the site serves no {served.name}"
    return served


def test_the_wheel_packs_every_module_and_the_data_they_read(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    tools = downloads.project()["setuptools"]
    for package in tools["packages"]:
        folder = tools.get("package-dir", {}).get(package, package.replace(".", "/"))
        expected = {f"{package.replace('.', '/')}/{p.name}" for p in (REPO / folder).glob("*.py")}
        assert expected, f"{folder}/ has no modules"
        assert expected <= names, f"missing from the wheel: {sorted(expected - names)}"
    assert f"{downloads.import_name()}/lm_corpus.txt" in names  # snippets/lm_model.py reads it
    assert not any("__pycache__" in n or n.endswith((".pyc", "ruff.toml")) for n in names)


def test_the_wheel_declares_lower_bounds_not_the_dev_pins(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        metadata = zf.read(next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))).decode()
    requires = [line.split(": ", 1)[1] for line in metadata.splitlines() if line.startswith("Requires-Dist: ")]
    assert {r.split(">=")[0] for r in requires} >= {"numpy", "torch", "matplotlib", "gymnasium"}
    assert all(">=" in r and "==" not in r for r in requires), requires
    assert "Requires-Python: >=3.11" in metadata


def test_the_wheel_is_the_same_bytes_when_built_again(wheel: Path, tmp_path: Path) -> None:
    first = downloads.build_wheel(cache=tmp_path / "a")
    second = downloads.build_wheel(cache=tmp_path / "b")
    assert first.read_bytes() == second.read_bytes(), "two builds of one tree made different wheels"
    with zipfile.ZipFile(first) as built, zipfile.ZipFile(wheel) as served:
        assert built.namelist() == served.namelist()
        dates = {info.date_time for info in built.infolist()}
    assert len(dates) == 1, f"the files carry different dates: {sorted(dates)}"


def test_installing_it_here_would_install_only_itself(wheel: Path, tmp_path: Path) -> None:
    """No dependency is re-resolved: the pinned torch (a CPU build), numpy, ... satisfy its bounds."""
    report = tmp_path / "report.json"
    pip = [sys.executable, "-m", "pip", "install", "--dry-run", "--no-index", "--quiet", "--report", str(report)]
    done = subprocess.run([*pip, str(wheel)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    installs = [item["metadata"]["name"] for item in json.loads(report.read_text())["install"]]
    assert installs == ["rl-fundamentals-for-rlhf"], installs


def test_the_cell_does_nothing_where_the_package_imports(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    def no_pip(*args, **kwargs):
        raise AssertionError("the cell ran pip although the package imports")

    monkeypatch.setattr(subprocess, "run", no_pip)
    cell = downloads.install_cell("https://example.org/site", downloads.wheel_name(), downloads.import_name())
    exec(compile(cell, "install-cell", "exec"), {})
    assert capsys.readouterr().out == ""


def test_the_cell_fetches_from_the_site_url_or_the_override(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    calls = []

    def pip(args, **kwargs):
        calls.append(args)
        return subprocess.CompletedProcess(args, 0, "", "")

    monkeypatch.setattr(subprocess, "run", pip)
    cell = downloads.install_cell("https://example.org/site", "x-1-py3-none-any.whl", "no_such_package_here")
    exec(compile(cell, "install-cell", "exec"), {})
    monkeypatch.setenv(downloads.RUN_URL_ENV, "http://127.0.0.1:9/copy/")
    exec(compile(cell, "install-cell", "exec"), {})
    assert [c[-1] for c in calls] == [
        "https://example.org/site/downloads/x-1-py3-none-any.whl",
        "http://127.0.0.1:9/copy/downloads/x-1-py3-none-any.whl",
    ]
    assert capsys.readouterr().out.count("Installed.") == 2


def test_a_failed_install_says_what_pip_said(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(subprocess, "run", lambda args, **kw: subprocess.CompletedProcess(args, 1, "", "404 Not Found"))
    cell = downloads.install_cell("https://example.org/", "x-1-py3-none-any.whl", "no_such_package_here")
    with pytest.raises(RuntimeError, match=r"(?s)pip could not install https://example.org/downloads/x-1.*404"):
        exec(compile(cell, "install-cell", "exec"), {})


@pytest.mark.parametrize(
    ("configured", "env", "expected"),
    [
        ("http://127.0.0.1:8000/", None, "http://127.0.0.1:8000/"),
        ("http://127.0.0.1:8000/", "https://me.github.io/rl", "https://me.github.io/rl/"),
        (None, "https://me.github.io/rl/", "https://me.github.io/rl/"),
    ],
)
def test_site_url_is_mkdocs_yml_s_unless_the_environment_says(monkeypatch, configured, env, expected) -> None:
    if env is None:
        monkeypatch.delenv(downloads.SITE_URL_ENV, raising=False)
    else:
        monkeypatch.setenv(downloads.SITE_URL_ENV, env)
    assert downloads.site_url_of({"site_url": configured}) == expected


@pytest.mark.parametrize("configured", [None, "", "/rl/", "example.org"])
def test_no_http_site_url_fails_the_build(monkeypatch, configured) -> None:
    monkeypatch.delenv(downloads.SITE_URL_ENV, raising=False)
    with pytest.raises(downloads.WheelError, match="site_url"):
        downloads.site_url_of({"site_url": configured})
