"""The machinery of a check: cases, comparisons, a time limit, and the report.

A case is a function that calls the reader's function and raises ``Mismatch``
(with the input, the expected and the actual output) when the answer is wrong.
``run_case`` turns everything a broken answer can do (raise, loop forever,
return NaN, the wrong type or shape) into a failed ``Result``, never a crash.
"""

from __future__ import annotations

import math
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

Fn = Callable[..., Any]


class Mismatch(Exception):
    """A wrong answer: what the function was given, what it should return, what it did."""

    def __init__(self, given: str, expected: str, actual: str, why: str = "") -> None:
        super().__init__(why or "wrong answer")
        self.given, self.expected, self.actual, self.why = given, expected, actual, why


class CaseTimeout(BaseException):
    """The case ran past its time limit (an infinite loop, most likely).

    A BaseException, so that an answer's own ``except Exception`` cannot swallow it."""


@dataclass(frozen=True)
class Case:
    """One thing the answer must get right: ``run(fn)`` raises ``Mismatch`` if it does not."""

    title: str
    run: Callable[[Fn], None]


@dataclass(frozen=True)
class Result:
    """The outcome of one case; ``given``/``expected``/``actual`` are empty when it passed."""

    title: str
    passed: bool
    message: str = ""
    given: str = ""
    expected: str = ""
    actual: str = ""


@dataclass(frozen=True)
class Report:
    """Every case of one exercise's check, and the verdict."""

    name: str
    results: tuple[Result, ...]

    @property
    def passed(self) -> bool:
        return bool(self.results) and all(r.passed for r in self.results)

    @property
    def failures(self) -> tuple[Result, ...]:
        return tuple(r for r in self.results if not r.passed)

    def verdict(self) -> str:
        n, bad = len(self.results), len(self.failures)
        if self.passed:
            return f"PASS {self.name}: all {n} cases passed"
        return f"FAIL {self.name}: {bad} of {n} cases failed"

    def text(self) -> str:
        """The failed cases, one block each, then the verdict line."""
        blocks = []
        for r in self.failures:
            lines = [f"FAILED {r.title}: {r.message}"]
            lines += [
                f"  {k:9s}{v}" for k, v in (("input", r.given), ("expected", r.expected), ("actual", r.actual)) if v
            ]
            blocks.append("\n".join(lines))
        return "\n".join([*blocks, self.verdict()])


def show(value: Any, width: int = 300) -> str:
    """A short, readable form of a value for a report (arrays and tensors as lists)."""
    torch = sys.modules.get("torch")  # not imported by `list`: then no value is a tensor
    if torch is not None and isinstance(value, torch.Generator):
        return f"torch.Generator().manual_seed({value.initial_seed()})"
    if torch is not None and isinstance(value, torch.Tensor):
        value = value.detach()
        text = f"tensor({_short(value.tolist())}, shape={tuple(value.shape)})"
    elif isinstance(value, np.ndarray):
        text = f"array({_short(value.tolist())}, shape={value.shape})"
    else:
        text = repr(_short(value))
    return text if len(text) <= width else text[: width - 3] + "..."


def _short(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, list | tuple):
        return type(value)(_short(v) for v in value)
    return value


def as_array(given: str, actual: Any, expected: np.ndarray) -> np.ndarray:
    """``actual`` as a float array shaped like ``expected``, or a Mismatch saying why not."""
    want = show(expected)
    try:
        torch = sys.modules.get("torch")
        if torch is not None and isinstance(actual, torch.Tensor):
            array = actual.detach().to(torch.float64).numpy()
        else:
            array = np.asarray(actual, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise Mismatch(given, want, show(actual), f"not numbers ({type(actual).__name__}: {err})") from None
    if array.shape != np.shape(expected):
        raise Mismatch(given, want, show(actual), f"wrong shape: {array.shape}, expected {np.shape(expected)}")
    if np.isnan(array).any():
        raise Mismatch(given, want, show(actual), "the answer contains NaN")
    return array


def close(given: str, actual: Any, expected: Any, atol: float = 1e-6, rtol: float = 1e-6) -> None:
    """``actual`` equals ``expected`` (a number or an array) within the tolerances."""
    want = np.asarray(expected, dtype=np.float64)
    got = as_array(given, actual, want)
    if not np.allclose(got, want, atol=atol, rtol=rtol):
        raise Mismatch(given, show(expected), show(actual), "wrong value")


def number(given: str, actual: Any, kind: type = float) -> None:
    """``actual`` is a plain Python ``kind`` (float or int), not an array or a tensor."""
    if type(actual) is not kind:
        raise Mismatch(
            given, f"a {kind.__name__}", show(actual), f"returns {type(actual).__name__}, not {kind.__name__}"
        )
    if isinstance(actual, float) and math.isnan(actual):
        raise Mismatch(given, "a number", "nan", "the answer is NaN")


def holds(ok: bool, given: str, expected: str, actual: str, why: str) -> None:
    """A property: raise a Mismatch with ``why`` unless ``ok``."""
    if not ok:
        raise Mismatch(given, expected, actual, why)


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise CaseTimeout after ``seconds`` (SIGALRM: main thread on POSIX only; elsewhere no limit)."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable or seconds <= 0:
        yield
        return

    def alarm(signum: int, frame: Any) -> None:
        raise CaseTimeout

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_case(case: Case, fn: Fn, seconds: float) -> Result:
    """Run one case against ``fn``; whatever ``fn`` does, return a Result."""
    try:
        with time_limit(seconds):
            case.run(fn)
    except Mismatch as err:
        return Result(case.title, False, err.why or "wrong answer", err.given, err.expected, err.actual)
    except CaseTimeout:
        return Result(case.title, False, f"did not finish within {seconds:g} s (an infinite loop?)")
    except NotImplementedError:
        return Result(case.title, False, "not implemented yet (the stub still raises NotImplementedError)")
    except RecursionError:
        return Result(case.title, False, "raised RecursionError (a function that calls itself forever?)")
    except Exception as err:  # the reader's code may raise anything: report it, never crash
        return Result(case.title, False, f"raised {type(err).__name__}: {err}")
    return Result(case.title, True)
