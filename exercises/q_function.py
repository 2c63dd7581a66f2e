"""Exercises for "The Q-function" (docs/value-learning/q-function.md).

Fill in each function, then run ``python -m rl4rlhf_exercises check NAME`` from the
repository's root.  The solutions are in ``snippets/bellman.py`` and
``snippets/qtable.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


# --8<-- [start:bellman_target]
def bellman_target(
    reward: float,
    next_q_values: Sequence[float] | np.ndarray,
    gamma: float,
    terminated: bool = False,
) -> float:
    """What Q(s, a) should be, one step ahead: r + γ max_a' Q(s', a'), a float.

    A step that ends the episode (``terminated``) has no s' to act in.

        >>> round(bellman_target(-0.01, [0.90, 0.40], gamma=1.0), 4)
        0.89
        >>> bellman_target(1.0, [0.90, 0.40], gamma=0.99, terminated=True)
        1.0
    """
    raise NotImplementedError


# --8<-- [end:bellman_target]


# --8<-- [start:epsilon_greedy]
def epsilon_greedy(q_row: np.ndarray, epsilon: float, rng: np.random.Generator) -> int:
    """With probability ε a random action, else a best one, ties broken at random.

    Draw all randomness from ``rng``; return a plain int.  With all-zero Q every
    action is "best", so all four get picked:

        >>> rng = np.random.default_rng(0)
        >>> sorted({epsilon_greedy(np.zeros(4), 0.0, rng) for _ in range(50)})
        [0, 1, 2, 3]
    """
    raise NotImplementedError


# --8<-- [end:epsilon_greedy]


# --8<-- [start:td_update]
def td_update(
    q: np.ndarray,
    state: int,
    action: int,
    reward: float,
    next_state: int,
    terminated: bool,
    alpha: float,
    gamma: float,
) -> float:
    """One Q-learning step, in place: Q(s, a) += α (target - Q(s, a)).

    Return the TD error, target - Q(s, a) before the update.  Example:
    Q(s, a) = 0.50, r = -0.01, max Q(s') = 0.90, γ = 0.99, α = 0.5:

        >>> q = np.array([[0.50, 0.00], [0.90, 0.20]])  # states s = 0 and s' = 1
        >>> round(td_update(q, 0, 0, -0.01, 1, False, alpha=0.5, gamma=0.99), 4)
        0.381
        >>> round(float(q[0, 0]), 4)
        0.6905
    """
    raise NotImplementedError


# --8<-- [end:td_update]
