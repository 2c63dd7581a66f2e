"""The training-run memo (figures/_runs.py): a run is retrained exactly when code it runs changes.

Each memoised run is keyed on the code that trains it as ``figures/_deps.py`` reads code, the same
reader the build's artifact cache uses: the training module, everything it imports, directly or
not, and the data files beside them, without comments or docstrings. These tests read the keys of
the site's real runs (the DQN CartPole run, the REINFORCE maze run, the language-model run) in a
copy of the project before and after an edit, so an edited helper shows which runs would retrain.
The helpers edited are found from the import graph, not named here, so moving code between
snippet modules needs no change to these tests.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from figures import _deps, _runs

REPO = Path(__file__).resolve().parents[1]

# Run in a copy of the project: the key of each of the site's runs, and the code it is keyed on (as the
# files figures/_deps.py lists for the modules handed to run_path, which a spy on run_path records).
KEYS_SCRIPT = """
import json
from figures import _deps, _runs

code = {}
real_run_path = _runs.run_path


def spy(kind, cfg, *trained_by):
    files = _deps.code_files(*(_deps.module_file(_deps.module_name(t)) for t in trained_by))
    code[kind] = sorted(f.relative_to(_deps.ROOT).as_posix() for f in files)
    return real_run_path(kind, cfg, *trained_by)


_runs.run_path = spy
from figures import dqn, lm_runs, policy_gradient_runs

keys = {
    "dqn": dqn.run_path(dqn.DQNConfig(seed=0)).name,
    "reinforce": policy_gradient_runs.run_path(policy_gradient_runs.MAZE_CONFIG).name,
    "lm": lm_runs.run_path(lm_runs.LMRun(0)).name,
}
print(json.dumps({kind: {"key": keys[kind], "code": code[kind]} for kind in keys}))
"""


def run_keys(root: Path) -> dict[str, dict]:
    """{run: {"key": its memo file's name, "code": the files it is keyed on}} in the project at ``root``."""
    env = dict(os.environ, PYTHONPATH=str(root), MPLBACKEND="Agg")
    proc = subprocess.run(
        [sys.executable, "-c", KEYS_SCRIPT], cwd=root, env=env, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def before() -> dict[str, dict]:
    """The keys of the checkout's runs: a copy's keys are the same until it is edited (the keys name
    files by their path in the project, not on disk)."""
    return run_keys(REPO)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A throwaway copy of the code that trains the runs."""
    for name in ("snippets", "rl4rlhf", "rl4rlhf_exercises", "figures"):
        shutil.copytree(REPO / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def edit_behaviour(file: Path) -> None:
    """Change what ``file`` computes: its first top-level function assigns one more local."""
    text = file.read_text(encoding="utf-8")
    function = next(n for n in ast.parse(text).body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef))
    lines = text.splitlines(keepends=True)
    last = function.body[-1]
    indent = " " * last.col_offset
    assert last.end_lineno is not None
    lines.insert(last.end_lineno, f"{indent}_edited_by_test_runs = True\n")
    file.write_text("".join(lines), encoding="utf-8")


def reword(file: Path) -> None:
    """Change only the text around what ``file`` computes: its docstrings and comments."""
    text = file.read_text(encoding="utf-8")
    tree = ast.parse(text)
    docstrings = [
        n.body[0].value
        for n in ast.walk(tree)
        if isinstance(n, ast.Module | ast.FunctionDef | ast.ClassDef)
        and n.body
        and isinstance(n.body[0], ast.Expr)
        and isinstance(n.body[0].value, ast.Constant)
        and isinstance(n.body[0].value.value, str)
    ]
    assert docstrings, f"{file} has no docstring to reword"
    lines = text.splitlines(keepends=True)
    for doc in sorted(docstrings, key=lambda d: d.end_lineno or 0, reverse=True):
        assert doc.end_lineno is not None and doc.end_col_offset is not None
        line = lines[doc.end_lineno - 1].encode()  # the parser's column offsets count UTF-8 bytes
        quote = doc.end_col_offset - 3  # before the closing triple quote
        lines[doc.end_lineno - 1] = (line[:quote] + b" Reworded." + line[quote:]).decode()
    lines.append("\n# a comment added by tests/test_runs.py\n")
    file.write_text("".join(lines), encoding="utf-8")


def changed(before: dict[str, dict], after: dict[str, dict]) -> set[str]:
    return {kind for kind in before if before[kind]["key"] != after[kind]["key"]}


def test_runs_are_keyed_on_every_module_they_import(before: dict[str, dict]):
    """The hand-written lists this replaced left out helpers a run imports: the REINFORCE maze runs use
    OneHot and the argument checks, and were not retrained when those changed."""
    from figures import policy_gradient_runs

    runs = before
    one_hot = _deps.module_file(policy_gradient_runs.OneHot.__module__).relative_to(REPO).as_posix()
    assert one_hot in runs["reinforce"]["code"]
    assert all("snippets/_checks.py" in run["code"] for run in runs.values())
    assert all("snippets/__init__.py" in run["code"] for run in runs.values())  # run by every import of a snippet
    corpus = REPO / "snippets" / "lm_corpus.txt"
    if corpus.is_file():  # the language model trains on it: a data file beside its code
        assert "snippets/lm_corpus.txt" in runs["lm"]["code"]


def test_editing_a_helper_retrains_exactly_the_runs_that_use_it(project: Path, before: dict[str, dict]):
    from figures import policy_gradient_runs

    code = {kind: set(run["code"]) for kind, run in before.items()}
    # The module that defines OneHot (the maze runs' observations), and a snippet that some runs use
    # and some do not, so that an edit must leave some keys alone.
    one_hot = _deps.module_file(policy_gradient_runs.OneHot.__module__).relative_to(REPO).as_posix()
    partial = sorted(
        f for f in set.union(*code.values()) - set.intersection(*code.values()) if f.startswith("snippets/")
    )
    assert partial, f"every run imports the same snippets ({code}); pick runs that differ"
    for helper in (one_hot, "snippets/_checks.py", partial[0]):
        original = (project / helper).read_text(encoding="utf-8")
        edit_behaviour(project / helper)
        after = run_keys(project)
        expected = {kind for kind in code if helper in code[kind]}
        assert changed(before, after) == expected, f"after an edit of {helper}"
        (project / helper).write_text(original, encoding="utf-8")
    assert {kind for kind in code if partial[0] not in code[kind]}, f"no run is left alone by {partial[0]}"


def test_rewording_comments_and_docstrings_retrains_nothing(project: Path, before: dict[str, dict]):
    from figures import policy_gradient_runs

    one_hot = _deps.module_file(policy_gradient_runs.OneHot.__module__).relative_to(REPO)
    for helper in {one_hot, Path("snippets/_checks.py"), Path("snippets/returns.py")}:
        reword(project / helper)
    assert changed(before, run_keys(project)) == set()


@dataclasses.dataclass(frozen=True)
class Cfg:
    seed: int = 0


def test_run_path_names_the_run_and_keys_it_on_its_config():
    a = _runs.run_path("dqn", Cfg(0), "rl4rlhf.dqn")
    assert a.parent == _runs.RUNS and a.name.startswith("dqn-seed0-") and a.suffix == ".json"
    assert _runs.run_path("dqn", Cfg(1), "rl4rlhf.dqn") != _runs.run_path("dqn", Cfg(0), "rl4rlhf.dqn")
    from rl4rlhf.dqn import train

    assert _runs.run_path("dqn", Cfg(0), train) == a  # a function stands for the module it is defined in


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("", Cfg(), "rl4rlhf.dqn"), r"^kind must be"),
        (("Dqn run", Cfg(), "rl4rlhf.dqn"), r"^kind must be"),
        (("dqn", {"seed": 0}, "rl4rlhf.dqn"), r"^cfg must be a dataclass instance"),
        (("dqn", Cfg, "rl4rlhf.dqn"), r"^cfg must be a dataclass instance"),
        (("dqn", Cfg()), r"^trained_by: name the module"),
        (
            ("dqn", Cfg(), "rl4rlhf.no_such_module"),
            r"^trained_by: 'rl4rlhf.no_such_module' is not a module of snippets/",
        ),
        (("dqn", Cfg(), "json"), r"^trained_by: 'json' is not a module of"),
        (("dqn", Cfg(), json.dumps), r"^trained_by: 'json' \(the module of <function dumps.*\) is not a module of"),
        (("dqn", Cfg(), 3), r"^trained_by: 3 is neither a module name nor a module, function or class"),
    ],
)
def test_run_path_rejects_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        _runs.run_path(*args)


def test_each_run_trains_first_the_runs_no_other_job_is_training(tmp_path: Path):
    """While another job holds run "a" (its lock), each_run trains "b" rather than wait, then takes "a"
    once it is free: it finds a's outcome if the other job wrote it, and trains it if not."""
    import fcntl
    import threading

    paths = {name: tmp_path / f"{name}.json" for name in ("a", "b", "c")}
    trained: list[str] = []
    b_done = threading.Event()

    def run(name: str) -> dict:
        def compute() -> dict:
            trained.append(name)
            if name == "b":
                b_done.set()
            return {"name": name}

        return _runs.memoised_run(paths[name], compute)

    results: list[list[dict]] = []
    with open(paths["a"].with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another job training "a"
        worker = threading.Thread(target=lambda: results.append(_runs.each_run(run, ["a", "b", "c"])))
        worker.start()
        assert b_done.wait(30), "each_run waited for the busy run instead of training the next one"
        paths["a"].write_text(json.dumps({"name": "a", "by": "the other job"}), encoding="utf-8")
    worker.join(30)
    assert trained == ["b", "c"]
    assert results == [[{"name": "a", "by": "the other job"}, {"name": "b"}, {"name": "c"}]]
    # Outside each_run, a held run is waited for, as before.
    assert _runs.each_run(run, ["a"]) == [{"name": "a", "by": "the other job"}]
