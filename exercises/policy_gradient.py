"""Exercises for "Policy gradient" (docs/policy-learning/policy-gradient.md).

Fill in each function, then run ``python -m rl4rlhf_exercises check NAME`` from the
repository's root.  The solutions are in ``snippets/reinforce.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch


# --8<-- [start:batch_returns]
def batch_returns(
    episodes_rewards: list[list[float]],
    gamma: float,
    last_values: Sequence[float] | None = None,  # V(s_T) per episode, 0 if it ended
) -> torch.Tensor:
    """G_t for every step of every episode, concatenated: a float tensor (T,).

    An episode cut off by a time limit had a future: each of its G_t gets
    γ^(T-t) V(s_T) more.  Example: rewards [1, 1] cut off where V = 10, γ = 0.5:
    G_1 = 1 + 0.5 * 10 = 6 and G_0 = 1 + 0.5 * 6 = 4.  (You may use
    ``rl4rlhf.returns.returns_to_go``.)
    """
    raise NotImplementedError


# --8<-- [end:batch_returns]


# --8<-- [start:reinforce_weights]
def reinforce_weights(
    episodes_rewards: list[list[float]],
    gamma: float,
    values: torch.Tensor | None = None,  # (T,) V(s_t) for every step of the batch
    normalize: bool = False,
    weight_by_gamma_t: bool = False,
    last_values: Sequence[float] | None = None,  # V(s_T) per episode, 0 if it ended
) -> torch.Tensor:
    """The weight of each step's log-probability: G_t, minus V(s_t) if given, (T,).

    ``weight_by_gamma_t`` multiplies step t of each episode by γ^t (after the
    baseline); ``normalize`` rescales the weights to mean 0, std 1 (last).
    Example: rewards [1, 2, 4], γ = 0.5: G_t = [3, 4, 4]; with
    ``weight_by_gamma_t``: [3, 2, 1].  (You may use ``batch_returns``.)
    """
    raise NotImplementedError


# --8<-- [end:reinforce_weights]


# --8<-- [start:policy_loss]
def policy_loss(log_probs: torch.Tensor, weights: torch.Tensor, n_episodes: int):
    """The loss whose gradient is -∇J: -(1/N) Σ_episodes Σ_t weight_t log π(a_t|s_t).

    ``log_probs`` and ``weights`` are (T,), every step of N episodes.  Example:
    log π = [-0.5, -1.0], weights [2, 1], N = 1: -(2 * -0.5 + 1 * -1.0) = 2.0.
    """
    raise NotImplementedError


# --8<-- [end:policy_loss]
