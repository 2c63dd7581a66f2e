"""Argument checks shared by the snippets.

Each one returns the value it checked, as a plain Python value, or raises an error
that names the parameter: a ``TypeError`` for the wrong kind of thing, a
``ValueError`` for a wrong value. Nothing is clamped, rounded or fixed up quietly.

    >>> check_int("episodes", 3, minimum=1)
    3
    >>> check_int("episodes", 0, minimum=1)
    Traceback (most recent call last):
    ...
    ValueError: episodes must be at least 1, got 0
"""

from __future__ import annotations

from collections.abc import Callable
from numbers import Integral, Real
from typing import Any

import numpy as np


def check_int(name: str, value: Any, minimum: int | None = None) -> int:
    """``value`` as an int (a bool is not one), at least ``minimum`` if given."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def check_real(
    name: str,
    value: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
) -> float:
    """``value`` as a finite float in [low, high] (or (low, high] with ``low_open``)."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, Real):
        raise TypeError(
            f"{name} must be a real number, got {type(value).__name__} {value!r}"
        )
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if low is not None and (value <= low if low_open else value < low):
        raise ValueError(
            f"{name} must be {'>' if low_open else '>='} {low:g}, got {value!r}"
        )
    if high is not None and value > high:
        raise ValueError(f"{name} must be <= {high:g}, got {value!r}")
    return value


def check_gamma(value: Any) -> float:
    """``value`` as a discount factor: a float in [0, 1] (NaN is not one)."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, Real):
        raise TypeError(
            f"gamma must be a number in [0, 1], got {type(value).__name__} {value!r}"
        )
    if not 0.0 <= float(value) <= 1.0:  # also False for NaN
        raise ValueError(f"gamma must be in [0, 1], got {value!r}")
    return float(value)


def check_positive(name: str, value: Any) -> float:
    """``value`` as a finite float > 0: a learning rate, a standard deviation."""
    return check_real(name, value, low=0.0, low_open=True)


def check_generator(name: str, value: Any, kind: type) -> Any:
    """``value`` if it is a ``kind``: np.random.Generator, torch.Generator."""
    if not isinstance(value, kind):
        expected = f"{kind.__module__}.{kind.__qualname__}"
        raise TypeError(f"{name} must be a {expected}, got {type(value).__name__}")
    return value


def check_instance(
    name: str, value: Any, kind: type | tuple[type, ...], what: str
) -> Any:
    """``value`` if it is a ``kind``; ``what`` says in words what was expected."""
    if not isinstance(value, kind):
        raise TypeError(f"{name} must be {what}, got {type(value).__name__}")
    return value


def check_callable(name: str, value: Any) -> Callable[..., Any]:
    if not callable(value):
        raise TypeError(
            f"{name} must be callable, got {type(value).__name__} {value!r}"
        )
    return value
