"""Exercises that check themselves: write the function, run its check.

Each chapter page ends with exercises.  The reader fills in a stub in this
package (``exercises/returns.py`` for the return page, ...) and runs

    python -m rl4rlhf_exercises check returns_to_go

which runs the same worked numbers, reference comparisons and properties that
the snippet's own tests use against the stub's function.  ``python -m rl4rlhf_exercises
list`` prints every exercise with its page.  From Python::

    >>> from rl4rlhf.returns import returns_to_go
    >>> check("returns_to_go", returns_to_go).passed
    True

Importing this package runs nothing.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from rl4rlhf_exercises._check import Case, Fn, Report, Result, run_case

__all__ = ["EXERCISES", "Exercise", "Report", "Result", "check", "stub", "solution"]

TIME_LIMIT_S = 5.0  # per case: an infinite loop is a failed case, not a hung checker


@dataclass(frozen=True)
class Exercise:
    """One exercise: where it is taught, the reader's stub, the snippet that solves it."""

    name: str  # the function to write, and the name ``check`` takes
    page: str  # the chapter page, relative to docs/
    stub_module: str  # where the reader writes it: rl4rlhf_exercises.<stub_module>
    solution_module: str  # the snippet module whose function of the same name is the solution

    def cases(self) -> list[Case]:
        """The check's cases, from ``exercises/cases.py`` (imported only when a check runs)."""
        make: Callable[[], list[Case]] = getattr(
            importlib.import_module("rl4rlhf_exercises.cases"), f"{self.name}_cases"
        )
        return make()


_PAGES = {
    "returns": ("fundamentals/return.md", "rl4rlhf.returns"),
    "q_function": ("value-learning/q-function.md", None),
    "dqn": ("value-learning/dqn.md", "rl4rlhf.dqn"),
    "policy_gradient": ("policy-learning/policy-gradient.md", "rl4rlhf.reinforce"),
    "language_models": ("language-models.md", None),
}


def _exercise(name: str, stub_module: str, solution_module: str | None = None) -> Exercise:
    page, default = _PAGES[stub_module]
    solution = solution_module or default
    assert solution is not None
    return Exercise(name, page, stub_module, solution)


EXERCISES: dict[str, Exercise] = {
    e.name: e
    for e in [
        _exercise("discounted_return", "returns"),
        _exercise("returns_to_go", "returns"),
        _exercise("bellman_target", "q_function", "rl4rlhf.bellman"),
        _exercise("epsilon_greedy", "q_function", "rl4rlhf.qtable"),
        _exercise("td_update", "q_function", "rl4rlhf.qtable"),
        _exercise("td_target", "dqn"),
        _exercise("update_target", "dqn"),
        _exercise("epsilon_at", "dqn"),
        _exercise("batch_returns", "policy_gradient"),
        _exercise("reinforce_weights", "policy_gradient"),
        _exercise("policy_loss", "policy_gradient"),
        _exercise("sample_next", "language_models", "rl4rlhf.lm_model"),
        _exercise("token_weights", "language_models", "rl4rlhf.lm_rl"),
        _exercise("response_log_probs", "language_models", "rl4rlhf.lm_rl"),
    ]
}


def _lookup(name: str) -> Exercise:
    if name not in EXERCISES:
        raise KeyError(f"no exercise named {name!r}; `python -m rl4rlhf_exercises list` shows them all")
    return EXERCISES[name]


def stub(name: str) -> Fn:
    """The reader's function for exercise ``name``, freshly imported from its stub module."""
    exercise = _lookup(name)
    module = importlib.import_module(f"rl4rlhf_exercises.{exercise.stub_module}")
    return getattr(module, name)


def solution(name: str) -> Fn:
    """The snippet function that solves exercise ``name`` (what the Solution block shows)."""
    exercise = _lookup(name)
    return getattr(importlib.import_module(exercise.solution_module), name)


def check(name: str, fn: Fn, time_limit_s: float = TIME_LIMIT_S) -> Report:
    """Run every case of exercise ``name`` against ``fn``; never raises for a wrong ``fn``."""
    exercise = _lookup(name)
    return Report(name, tuple(run_case(case, fn, time_limit_s) for case in exercise.cases()))
