"""A build that is missing content fails loudly: each fault, planted in a copy of the project,
makes `mkdocs build --strict` fail with a message that names the problem.

Two guards keep these tests honest. The unmodified copy must build (``test_the_unmodified_copy_builds``),
or every fault would "fail the build" because the copy itself is broken. And what a fault test looks
for must be absent from the output of that passing build, or the test could pass on a build that
failed for another reason: a plain artifact name, say, is printed by any build that recomputes the
artifact. So a planted exception carries a message found nowhere else, and the test looks for it in
the failure report of its artifact.

Faults that the build reports all together share one build (``SHARED``): each is a warning, and in
strict mode MkDocs reports every warning and then fails, so each test finds its own fault's warning;
or each is an artifact whose code raises, and hooks/render.py reports every failed artifact, then fails.
Every other fault stops the build where it is found, so it gets a build of its own.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
COPIED = (
    "mkdocs.yml",
    "docs",
    "snippets",
    "rl4rlhf",
    "rl4rlhf_exercises",
    "exercises",
    "includes",
    "figures",
    "hooks",
    "notebooks",
    "overrides",
    "benchmarks",
    "tests",
    ".cache",
    "pyproject.toml",  # hooks/downloads.py builds the wheel the site serves from it
)  # tests/: the build reads the value checks of tests/test_values.py (hooks/provenance.py)
PAGE = "docs/fundamentals/return.md"


def failure_report(kind: str, name: str, where: str, planted: str) -> re.Pattern[str]:
    """What hooks/render.py prints when an artifact's code raises: ``<kind> <name> (<where>) failed:``,
    then the traceback, which ends in the planted exception."""
    return re.compile(re.escape(f"{kind} {name} ({where}) failed:\n") + r"[\s\S]*" + re.escape(planted))


def plant(root: Path, path: str, old: str, new: str) -> None:
    file = root / path
    text = file.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}; update this test"
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


# fault -> (how to plant it in a copy of the project, what the failed build's output must hold)
FAULTS: dict[str, tuple[Callable[[Path], object], str | re.Pattern[str]]] = {
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
        lambda root: plant(root, PAGE, "../figures/discount_weights.svg", "../figures/no_such_figure.svg"),
        "no_such_figure.svg",
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
    "unknown data": (
        lambda root: plant(root, PAGE, "{{ data_discounting }}", "{{ data_no_such_table }}"),
        "{{ data_no_such_table }} names no data",
    ),
    "data no page uses": (
        lambda root: plant(root, PAGE, 'data-src="{{ data_discounting }}"', 'data-src="discounting.json"'),
        "data that no page uses (write {{ data_<name> }} in one): data_discounting",
    ),
    "figure no page shows": (
        lambda root: (root / "figures" / "extra.py").write_text(
            "from figures._style import new_figure, save\n\n\n"
            "def fig_never_shown(out_dir, seed):\n"
            "    fig, ax = new_figure()\n"
            "    return save(fig, out_dir, 'never_shown')\n",
            encoding="utf-8",
        ),
        "never_shown.svg",
    ),
    "figure function that raises": (
        lambda root: plant(
            root,
            "figures/foundations.py",
            "    k = np.arange(0, 31)\n",
            "    raise RuntimeError('planted fault: fig_discount_weights raises')\n",
        ),
        failure_report(
            "figure",
            "fig_discount_weights",
            "figures.foundations",
            "RuntimeError: planted fault: fig_discount_weights raises",
        ),
    ),
    "notebook cell that raises": (
        lambda root: plant(
            root,
            "notebooks/returns-in-the-maze.py",
            "from rl4rlhf.returns import discounted_return, returns_to_go\n",
            "from rl4rlhf.returns import discounted_return, returns_to_go\n\n"
            "raise RuntimeError('planted fault: a cell of returns-in-the-maze raises')\n",
        ),
        failure_report(
            "notebook",
            "returns-in-the-maze",
            "notebooks/returns-in-the-maze.py",
            "RuntimeError: planted fault: a cell of returns-in-the-maze raises",
        ),
    ),
    "page missing from nav": (
        lambda root: (root / "docs" / "orphan.md").write_text("# Orphan\n", encoding="utf-8"),
        "orphan.md",
    ),
}

# Faults planted together in one copy, one build for each group (each fault is still its own test).
SHARED: dict[str, tuple[str, ...]] = {
    "warnings": (
        "broken anchor",
        "broken link",
        "data no page uses",
        "figure no page shows",
        "missing figure",
        "page missing from nav",
    ),
    "artifacts that raise": ("figure function that raises", "notebook cell that raises"),
}
GROUP_OF = {fault: group for group, faults in SHARED.items() for fault in faults}
RECORD = re.compile(r"^(DEBUG|INFO|WARNING|ERROR|CRITICAL) +- ", re.M)  # how MkDocs starts a log line

ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")  # the kernel colours a notebook's traceback


def found(expected: str | re.Pattern[str], output: str) -> bool:
    if isinstance(expected, str):
        return expected in output
    return expected.search(output) is not None


def warnings(output: str) -> list[str]:
    """The text of each WARNING record of a build's output, its continuation lines included."""
    starts = list(RECORD.finditer(output))
    ends = [m.start() for m in starts[1:]] + [len(output)]
    return [output[m.end() : end] for m, end in zip(starts, ends, strict=True) if m.group(1) == "WARNING"]


def build(root: Path, site: Path) -> tuple[int, str]:
    """Build ``root`` strictly into ``site``: (the exit status, stdout and stderr without colour codes)."""
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=root,
        capture_output=True,
        text=True,
        env=dict(os.environ, NO_MKDOCS_2_WARNING="1"),
    )
    return result.returncode, ANSI_ESCAPE.sub("", result.stdout + result.stderr)


def copy_project(root: Path) -> Path:
    """Copy the project to ``root``, with its artifact cache, so a build there is a warm one, not a cold
    one that retrains the models."""
    for name in COPIED:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, root / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif src.is_file():
            root.mkdir(exist_ok=True)
            shutil.copy(src, root / name)
    return root


@pytest.fixture(scope="module")
def control(tmp_path_factory: pytest.TempPathFactory, built_site: Path) -> tuple[int, str]:
    """The build of an unmodified copy, made just as the fault tests make theirs: (exit status, output).
    ``built_site`` first, so the cache copied is that of a build that just passed."""
    root = copy_project(tmp_path_factory.mktemp("control") / "project")
    return build(root, root.parent / "site")


@pytest.fixture(scope="module")
def shared_builds(tmp_path_factory: pytest.TempPathFactory, built_site: Path) -> Callable[[str], tuple[int, str]]:
    """The build of a copy with every fault of a ``SHARED`` group planted: (exit status, output), made
    the first time a test of the group asks for it."""
    done: dict[str, tuple[int, str]] = {}

    def get(group: str) -> tuple[int, str]:
        if group not in done:
            folder = tmp_path_factory.mktemp(group.replace(" ", "-"))
            root = copy_project(folder / "project")
            for fault in SHARED[group]:
                FAULTS[fault][0](root)
            done[group] = build(root, folder / "site")
        return done[group]

    return get


def test_the_unmodified_copy_builds(control: tuple[int, str]):
    returncode, output = control
    assert returncode == 0, f"the unmodified copy does not build, so no fault test can be trusted:\n{output[-3000:]}"


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_fault_fails_the_build_and_names_the_problem(
    tmp_path: Path,
    control: tuple[int, str],
    shared_builds: Callable[[str], tuple[int, str]],
    fault: str,
):
    plant_fault, expected = FAULTS[fault]
    control_returncode, control_output = control
    if control_returncode != 0:
        pytest.fail("the unmodified copy does not build (see test_the_unmodified_copy_builds)")
    assert not found(expected, control_output), f"{expected!r} is in the output of a passing build too"
    if fault in GROUP_OF:
        returncode, output = shared_builds(GROUP_OF[fault])
    else:
        project = copy_project(tmp_path / "project")
        plant_fault(project)
        returncode, output = build(project, tmp_path / "site")
    assert returncode != 0, f"the build passed despite a {fault}:\n{output[-3000:]}"
    assert found(expected, output), f"the failure does not name {expected!r}:\n{output[-3000:]}"
    if GROUP_OF.get(fault) == "warnings":  # its own warning: with --strict, that alone fails a build
        assert any(found(expected, w) for w in warnings(output)), f"{expected!r} is in no warning:\n{output[-3000:]}"


def test_mkdocs_serve_watches_the_code_that_makes_the_pages():
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    assert {"snippets", "figures", "notebooks", "hooks"} <= set(config["watch"])


def test_notebooks_are_not_executed_by_mkdocs_jupyter_which_would_ignore_snippet_changes():
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    jupyter = next(p["mkdocs-jupyter"] for p in config["plugins"] if isinstance(p, dict) and "mkdocs-jupyter" in p)
    assert jupyter["execute"] is False and jupyter["allow_errors"] is False
