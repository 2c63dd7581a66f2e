"""A build that is missing content fails loudly: each fault, planted in a copy of the project,
makes `mkdocs build --strict` fail with a message that names the problem."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
COPIED = ("mkdocs.yml", "docs", "snippets", "figures", "hooks", "notebooks", "overrides", "benchmarks", ".cache")
PAGE = "docs/fundamentals/return.md"


def plant(root: Path, path: str, old: str, new: str) -> None:
    file = root / path
    text = file.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}; update this test"
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


FAULTS = {
    "missing snippet file": (
        lambda root: plant(
            root, PAGE, '"snippets/returns.py:returns_to_go"', '"snippets/no_such_module.py:returns_to_go"'
        ),
        "no_such_module.py",
    ),
    "missing snippet section": (
        lambda root: plant(root, PAGE, '"snippets/returns.py:returns_to_go"', '"snippets/returns.py:no_such_section"'),
        "no_such_section",
    ),
    "missing figure": (
        lambda root: plant(root, PAGE, "../figures/discount_weights.png", "../figures/no_such_figure.png"),
        "no_such_figure.png",
    ),
    "broken link": (
        lambda root: plant(root, PAGE, "(agent-environment-loop.md)", "(no-such-page.md)"),
        "no-such-page.md",
    ),
    "broken anchor": (
        lambda root: plant(root, PAGE, "(agent-environment-loop.md)", "(agent-environment-loop.md#no-such-heading)"),
        "no-such-heading",
    ),
    "unknown computed value": (
        lambda root: plant(root, PAGE, "{{ num_return_a_to_goal }}", "{{ num_no_such_value }}"),
        "num_no_such_value",
    ),
    "figure no page shows": (
        lambda root: (root / "figures" / "extra.py").write_text(
            "from figures._style import new_figure, save\n\n\n"
            "def fig_never_shown(out_dir, seed):\n"
            "    fig, ax = new_figure()\n"
            "    return save(fig, out_dir, 'never_shown')\n",
            encoding="utf-8",
        ),
        "never_shown.png",
    ),
    "figure function that raises": (
        lambda root: plant(
            root,
            "figures/foundations.py",
            "    k = np.arange(0, 31)\n",
            "    raise RuntimeError('a planted fault')\n",
        ),
        "fig_discount_weights",
    ),
    "notebook cell that raises": (
        lambda root: plant(
            root,
            "notebooks/returns-in-the-maze.py",
            "from snippets.returns import discounted_return, returns_to_go\n",
            "from snippets.returns import discounted_return, returns_to_go\n\nraise RuntimeError('a planted fault')\n",
        ),
        "returns-in-the-maze",
    ),
    "page missing from nav": (
        lambda root: (root / "docs" / "orphan.md").write_text("# Orphan\n", encoding="utf-8"),
        "orphan.md",
    ),
}


def build(root: Path, site: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=root,
        capture_output=True,
        text=True,
        env=dict(os.environ, NO_MKDOCS_2_WARNING="1"),
    )


@pytest.fixture
def project(tmp_path: Path, built_site: Path) -> Path:
    """A copy of the project, with the artifact cache of a build that just passed (``built_site``), so each
    planted fault costs one warm build, not a cold one that retrains the models."""
    root = tmp_path / "project"
    for name in COPIED:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, root / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif src.is_file():
            root.mkdir(exist_ok=True)
            shutil.copy(src, root / name)
    return root


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_fault_fails_the_build_and_names_the_problem(project: Path, tmp_path: Path, fault: str):
    plant_fault, expected = FAULTS[fault]
    plant_fault(project)
    result = build(project, tmp_path / "site")
    output = result.stdout + result.stderr
    assert result.returncode != 0, f"the build passed despite a {fault}:\n{output[-3000:]}"
    assert expected in output, f"the failure does not name {expected!r}:\n{output[-3000:]}"


def test_mkdocs_serve_watches_the_code_that_makes_the_pages():
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    assert {"snippets", "figures", "notebooks", "hooks"} <= set(config["watch"])


def test_notebooks_are_not_executed_by_mkdocs_jupyter_which_would_ignore_snippet_changes():
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    jupyter = next(p["mkdocs-jupyter"] for p in config["plugins"] if isinstance(p, dict) and "mkdocs-jupyter" in p)
    assert jupyter["execute"] is False and jupyter["allow_errors"] is False
