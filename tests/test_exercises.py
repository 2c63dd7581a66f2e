"""Tests for exercises/: every check can fail, the snippets pass, and a broken answer never crashes it.

For every exercise: the untouched stub fails its check, every planted classic mistake
(exercises/mistakes.py) fails it, and the snippet function that the page's Solution block
shows passes it.  Then the command line (list, check, exit statuses, a bad flag), and the
crash cases: an exception, NaN, a wrong shape or type, an infinite loop.
"""

from __future__ import annotations

import doctest
import importlib
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from rl4rlhf_exercises.__main__ import main
from rl4rlhf_exercises.mistakes import MISTAKES

import rl4rlhf_exercises
from rl4rlhf_exercises import EXERCISES, check

REPO = Path(__file__).resolve().parents[1]
NAMES = list(EXERCISES)
SLOW_MACHINE_S = 120.0  # the time limit per case where no answer loops: never the reason a test fails
STUBS = sorted({f"rl4rlhf_exercises.{e.stub_module}" for e in EXERCISES.values()})
CHAPTERS = {
    "fundamentals/return.md",
    "value-learning/q-function.md",
    "value-learning/dqn.md",
    "policy-learning/policy-gradient.md",
    "language-models.md",
}


def test_at_least_12_exercises_and_2_per_chapter():
    assert len(EXERCISES) >= 12
    pages = [e.page for e in EXERCISES.values()]
    assert set(pages) == CHAPTERS and min(pages.count(page) for page in CHAPTERS) >= 2


@pytest.mark.parametrize("name", NAMES)
def test_the_snippet_passes_and_the_stub_fails(name):
    solved = check(name, rl4rlhf_exercises.solution(name), time_limit_s=SLOW_MACHINE_S)
    assert solved.passed, solved.text()
    assert solved.verdict().startswith(f"PASS {name}")
    stub = check(name, rl4rlhf_exercises.stub(name), time_limit_s=SLOW_MACHINE_S)
    assert not stub.passed and len(stub.failures) == len(stub.results)
    assert all("NotImplementedError" in r.message for r in stub.failures)


@pytest.mark.parametrize("name", NAMES)
def test_every_planted_mistake_fails(name):
    assert MISTAKES[name], f"no planted mistake for {name}"
    for mistake in MISTAKES[name]:
        report = check(name, mistake, time_limit_s=SLOW_MACHINE_S)
        assert not report.passed, f"{mistake.__name__} passes the check of {name}"
        assert report.verdict().startswith(f"FAIL {name}")
        # Each failed case says why, and shows the input it failed on.
        assert all(r.message and r.given for r in report.failures), report.text()


def test_every_mistake_is_listed():
    from rl4rlhf_exercises import mistakes

    planted = {name for name in dir(mistakes) if any(name.startswith(e + "_") for e in NAMES)}
    listed = {fn.__name__ for fns in MISTAKES.values() for fn in fns}
    assert planted == listed and set(MISTAKES) == set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_the_stub_has_the_solutions_signature_and_a_true_worked_example(name):
    import inspect

    stub, solution = rl4rlhf_exercises.stub(name), rl4rlhf_exercises.solution(name)
    stub_params = list(inspect.signature(stub).parameters)
    assert stub_params == list(inspect.signature(solution).parameters)
    assert stub.__doc__ and ("Example" in stub.__doc__ or ">>>" in stub.__doc__), name
    # The stub's >>> examples hold for the solution.
    module = importlib.import_module(stub.__module__)
    finder, runner = doctest.DocTestFinder(), doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in finder.find(stub, name, globs={**vars(module), name: solution}):
        runner.run(test)
    assert runner.failures == 0


def test_the_pages_show_every_stub_and_its_solution():
    for name, exercise in EXERCISES.items():
        text = (REPO / "docs" / exercise.page).read_text(encoding="utf-8")
        exercises_part = text[text.index("\n## Exercises") :]
        assert f'--8<-- "exercises/{exercise.stub_module}.py:{name}"' in exercises_part, name
        assert f"python -m rl4rlhf_exercises check {name}" in exercises_part, name
        solution = re.search(
            r'\?\?\? success "Solution"\n\n\s+```python\n\s+--8<-- "([^"]+)"',
            exercises_part[exercises_part.index(f"check {name}") :],
        )
        assert solution, name
        path, section = solution.group(1).split(":")
        assert path == exercise.solution_module.replace("rl4rlhf.", "snippets.", 1).replace(".", "/") + ".py", name
        shown = (REPO / path).read_text(encoding="utf-8")
        assert (
            f"[start:{section}]" in shown
            and f"def {name}(" in shown.split(f"[start:{section}]")[1].split(f"[end:{section}]")[0]
        )


# --- A broken answer is a failed case, never a crash ------------------------------------------


def raises(rewards, gamma=1.0):
    raise ZeroDivisionError("oops")


def nan(rewards, gamma=1.0):
    return np.full(len(rewards), np.nan)


def wrong_shape(rewards, gamma=1.0):
    return np.zeros(len(rewards) + 1)


def wrong_type(rewards, gamma=1.0):
    return "ninety-six"


def loops_forever(rewards, gamma=1.0):
    while True:
        try:
            pass
        except Exception:  # not even this swallows the time limit
            pass


@pytest.mark.parametrize(
    ("fn", "message"),
    [
        (raises, "raised ZeroDivisionError: oops"),
        (nan, "the answer contains NaN"),
        (wrong_shape, "wrong shape: (6,), expected (5,)"),
        (wrong_type, "not numbers (str"),
        (loops_forever, "did not finish within 0.05 s"),
    ],
)
def test_a_broken_answer_is_reported_not_raised(fn, message):
    report = check("returns_to_go", fn, time_limit_s=0.05)
    assert not report.passed and len(report.failures) == len(report.results)
    first = report.failures[0]
    assert message in first.message, first
    if fn is not loops_forever:
        assert first.given.startswith(f"{fn.__name__}([-0.01") and first.expected, first
    assert (
        report.text().splitlines()[-1]
        == f"FAIL returns_to_go: {len(report.results)} of {len(report.results)} cases failed"
    )


def test_a_crash_in_a_torch_exercise_is_reported_too():
    report = check("td_target", lambda *args: None, time_limit_s=1.0)
    assert not report.passed and all(r.message for r in report.failures)


# --- The command line ---------------------------------------------------------------------------


def test_list_prints_every_exercise_with_its_page(capsys):
    assert main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split() for line in lines] == [[name, e.page] for name, e in EXERCISES.items()]


def test_check_of_a_stub_prints_each_failure_and_one_verdict_and_exits_1(capsys):
    assert main(["check", "returns_to_go"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "FAIL returns_to_go: 5 of 5 cases failed"
    assert sum(line.startswith("FAILED ") for line in out) == 5


def test_check_of_a_right_answer_exits_0(capsys, monkeypatch):
    from rl4rlhf.returns import returns_to_go

    from rl4rlhf_exercises import returns as stubs

    monkeypatch.setattr(stubs, "returns_to_go", returns_to_go)
    assert main(["check", "returns_to_go", "--time-limit", str(SLOW_MACHINE_S)]) == 0
    assert capsys.readouterr().out.splitlines() == ["PASS returns_to_go: all 5 cases passed"]


def test_check_of_a_wrong_answer_shows_input_expected_and_actual(capsys, monkeypatch):
    from rl4rlhf_exercises.mistakes import returns_to_go_forward_sum

    from rl4rlhf_exercises import returns as stubs

    monkeypatch.setattr(stubs, "returns_to_go", returns_to_go_forward_sum)
    assert main(["check", "returns_to_go"]) == 1
    out = capsys.readouterr().out
    assert "  input    returns_to_go_forward_sum([-0.01, -0.01, -0.01, -0.01, 1.0])" in out
    assert "  expected [0.96, 0.97, 0.98, 0.99, 1.0]" in out
    assert "  actual   array([-0.01, -0.02, -0.03, -0.04, 0.96], shape=(5,))" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["check", "no_such_exercise"], "error: no exercise named 'no_such_exercise'"),
        (["check", "returns_to_go", "--bad"], "error: unrecognized arguments: --bad"),
        (["check", "returns_to_go", "--time-limit", "0"], "error: argument --time-limit: invalid seconds value: '0'"),
        (["check"], "error: the following arguments are required: name"),
        ([], "error: the following arguments are required: command"),
        (["solve"], "error: argument command: invalid choice: 'solve'"),
    ],
)
def test_a_bad_command_is_one_line_on_stderr_and_exit_status_2(argv, message, capsys):
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == "" and len(captured.err.splitlines()) == 1 and message in captured.err, captured.err


def test_from_a_shell_list_works_and_a_bad_name_has_no_traceback():
    def run(*argv: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "rl4rlhf_exercises", *argv], cwd=REPO, capture_output=True, text=True
        )

    listed = run("list")  # fast: neither lists nor refuses import torch
    assert listed.returncode == 0 and listed.stderr == "" and len(listed.stdout.splitlines()) == len(EXERCISES)
    assert listed.stdout.splitlines()[1].split() == ["returns_to_go", "fundamentals/return.md"]
    bad = run("check", "nope")
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.splitlines() == [
        "python -m rl4rlhf_exercises: error: no exercise named 'nope'; `python -m rl4rlhf_exercises list` shows them all"  # noqa: E501 (renamed; reflow)
    ]


def test_a_stub_module_that_does_not_load_is_reported(capsys, monkeypatch):
    def broken(name: str):
        raise SyntaxError("invalid syntax")

    monkeypatch.setattr(importlib, "import_module", broken)
    assert main(["check", "returns_to_go"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("could not load returns_to_go from exercises/returns.py: SyntaxError")
    assert out[-1] == "FAIL returns_to_go: the stub module does not load"


def test_importing_the_package_runs_nothing(capsys):
    for module in ["rl4rlhf_exercises", "rl4rlhf_exercises.cases", "rl4rlhf_exercises.mistakes", *STUBS]:
        importlib.reload(importlib.import_module(module))
    assert capsys.readouterr() == ("", "")
