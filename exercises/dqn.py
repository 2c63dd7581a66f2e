"""Exercises for "DQN" (docs/value-learning/dqn.md).

Fill in each function, then run ``python -m rl4rlhf_exercises check NAME`` from the
repository's root.  The solutions are in ``snippets/dqn.py``.
"""

from __future__ import annotations

import torch
from torch import nn


# --8<-- [start:td_target]
def td_target(
    target_network: nn.Module,
    rewards: torch.Tensor,  # (B,)
    next_obs: torch.Tensor,  # (B, obs_dim)
    terminated: torch.Tensor,  # (B,) 1.0 or 0.0
    gamma: float,
) -> torch.Tensor:
    """The Bellman targets r + γ max_a' Q_target(s', a') of a batch, (B,).

    A label: no gradient may flow through it.  A terminated s' has no future;
    a truncated one (time limit) does.  Example: reward 1, max Q(s') = 5, γ = 0.9
    gives 1.0 if terminated, else 1 + 0.9 * 5 = 5.5.
    """
    raise NotImplementedError


# --8<-- [end:td_target]


# --8<-- [start:update_target]
def update_target(target_network: nn.Module, q_network: nn.Module, tau: float) -> None:
    """In place, for every parameter: target ← τ·online + (1-τ)·target.

    Example: a target weight 0.0, the online weight 1.0, τ = 0.25: the target
    weight becomes 0.25.  τ = 1 is a plain copy; the online network is untouched.
    """
    raise NotImplementedError


# --8<-- [end:update_target]


# --8<-- [start:epsilon_at]
def epsilon_at(step: int, start: float, end: float, decay_steps: float) -> float:
    """ε falls linearly from ``start`` to ``end`` over ``decay_steps``, then stays.

    Example, the CartPole settings: 1.0 → 0.04 over 8,000 steps.

        >>> [round(epsilon_at(s, 1.0, 0.04, 8_000), 2) for s in (0, 4_000, 30_000)]
        [1.0, 0.52, 0.04]
    """
    raise NotImplementedError


# --8<-- [end:epsilon_at]
