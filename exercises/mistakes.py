"""Planted wrong answers: the classic mistake for every exercise, each one line off the snippet.

``tests/test_exercises.py`` shows that every check fails every mistake listed for
it in ``MISTAKES``: a check that cannot catch the classic mistake teaches nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
from rl4rlhf.reinforce import batch_returns
from rl4rlhf.returns import returns_to_go
from torch import nn

# --- Returns ------------------------------------------------------------------------


def discounted_return_discounts_the_first_reward(rewards: Sequence[float], gamma: float = 1.0) -> float:
    """Weights γ^(k+1): the first reward, r_1, is already discounted."""
    return float(sum(gamma ** (k + 1) * r for k, r in enumerate(rewards)))


def discounted_return_discounts_from_the_end(rewards: Sequence[float], gamma: float = 1.0) -> float:
    """Weights γ^(T-1-k): the last reward counts fully, the first the least."""
    return float(sum(gamma ** (len(rewards) - 1 - k) * r for k, r in enumerate(rewards)))


def returns_to_go_forward_sum(rewards: Sequence[float], gamma: float = 1.0) -> np.ndarray:
    """Summed forward: each step is credited with the rewards that came BEFORE it."""
    G, past = np.zeros(len(rewards)), 0.0
    for t in range(len(rewards)):
        past = rewards[t] + gamma * past
        G[t] = past
    return G


def returns_to_go_ignores_gamma(rewards: Sequence[float], gamma: float = 1.0) -> np.ndarray:
    """The undiscounted sum of the rewards from t on, whatever γ is."""
    return np.cumsum(np.asarray(rewards, dtype=np.float64)[::-1])[::-1].copy()


# --- The Q-function -----------------------------------------------------------------


def bellman_target_without_terminal_mask(reward, next_q_values, gamma, terminated=False) -> float:
    """Bootstraps even from a terminal step, as if the goal had a future."""
    return reward + gamma * float(np.max(next_q_values))


def bellman_target_mean_not_max(reward, next_q_values, gamma, terminated=False) -> float:
    """The mean over next actions (a random policy's value), not the best one."""
    if terminated:
        return reward
    return reward + gamma * float(np.mean(next_q_values))


def epsilon_greedy_argmax_ties(q_row: np.ndarray, epsilon: float, rng: np.random.Generator) -> int:
    """np.argmax: on ties always the FIRST action, so an all-zero table always picks 0."""
    if rng.random() < epsilon:
        return int(rng.integers(len(q_row)))
    return int(np.argmax(q_row))


def epsilon_greedy_explores_with_1_minus_epsilon(q_row: np.ndarray, epsilon: float, rng: np.random.Generator) -> int:
    """Explores with probability 1 - ε: ε = 0 would be a random walk."""
    if rng.random() > epsilon:
        return int(rng.integers(len(q_row)))
    best = np.flatnonzero(q_row == q_row.max())
    return int(rng.choice(best))


def td_update_jumps_to_the_target(q, state, action, reward, next_state, terminated, alpha, gamma) -> float:
    """Q(s, a) = target: forgets α, so one noisy step overwrites everything learned."""
    target = reward if terminated else reward + gamma * float(np.max(q[next_state]))
    td_error = target - float(q[state, action])
    q[state, action] = target
    return td_error


def td_update_without_terminal_mask(q, state, action, reward, next_state, terminated, alpha, gamma) -> float:
    """Bootstraps from the terminal state's row of the table."""
    target = reward + gamma * float(np.max(q[next_state]))
    td_error = target - float(q[state, action])
    q[state, action] += alpha * td_error
    return td_error


# --- DQN ----------------------------------------------------------------------------


@torch.no_grad()
def td_target_without_terminal_mask(target_network, rewards, next_obs, terminated, gamma) -> torch.Tensor:
    """Forgets (1 - terminated): the value after the goal leaks into the target."""
    return rewards + gamma * target_network(next_obs).max(dim=1).values


def td_target_with_gradient(target_network, rewards, next_obs, terminated, gamma) -> torch.Tensor:
    """No torch.no_grad(): the loss would also push the target around."""
    return rewards + gamma * (1.0 - terminated) * target_network(next_obs).max(dim=1).values


def update_target_hard_copy(target_network: nn.Module, q_network: nn.Module, tau: float) -> None:
    """Copies the online network whatever τ is (a hard update every time)."""
    target_network.load_state_dict(q_network.state_dict())


def update_target_swapped_tau(target_network: nn.Module, q_network: nn.Module, tau: float) -> None:
    """target ← (1-τ)·online + τ·target: τ = 0.005 becomes an almost full copy."""
    with torch.no_grad():
        for target_param, param in zip(target_network.parameters(), q_network.parameters(), strict=True):
            target_param.lerp_(param, 1 - tau)


def epsilon_at_without_floor(step: int, start: float, end: float, decay_steps: float) -> float:
    """No min(..., 1): ε keeps falling past ``end``, and below 0."""
    return start + step / decay_steps * (end - start)


def epsilon_at_decays_to_zero(step: int, start: float, end: float, decay_steps: float) -> float:
    """Falls towards 0 instead of ``end``, then jumps up to ``end``."""
    return max(start * (1 - step / decay_steps), end) if step < decay_steps else end


# --- Policy gradient ----------------------------------------------------------------


def batch_returns_truncation_as_termination(episodes_rewards, gamma, last_values=None) -> torch.Tensor:
    """Ignores ``last_values``: an episode cut off by the time limit is worth 0 after it."""
    G = [returns_to_go(rewards, gamma) for rewards in episodes_rewards]
    return torch.as_tensor(np.concatenate(G), dtype=torch.float32)


def batch_returns_last_value_undiscounted(episodes_rewards, gamma, last_values=None) -> torch.Tensor:
    """Adds V(s_T) to every G_t without its γ^(T-t)."""
    G = []
    for i, rewards in enumerate(episodes_rewards):
        g = returns_to_go(rewards, gamma)
        if last_values is not None:
            g = g + last_values[i]
        G.append(g)
    return torch.as_tensor(np.concatenate(G), dtype=torch.float32)


def _weights(name: str, doc: str, baseline: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]):
    """reinforce_weights with its baseline line replaced by ``baseline(G, values)``."""

    def weights(
        episodes_rewards, gamma, values=None, normalize=False, weight_by_gamma_t=False, last_values=None
    ) -> torch.Tensor:
        w = batch_returns(episodes_rewards, gamma, last_values)
        if values is not None:
            w = baseline(w, values)
        if weight_by_gamma_t:
            t = torch.cat([torch.arange(len(r)) for r in episodes_rewards])
            w = w * gamma**t
        if normalize and len(w) > 1:
            w = (w - w.mean()) / (w.std() + 1e-8)
        return w

    weights.__name__ = weights.__qualname__ = name
    weights.__doc__ = doc
    return weights


reinforce_weights_baseline_not_detached = _weights(
    "reinforce_weights_baseline_not_detached",
    "G_t - V(s_t) without .detach(): the policy loss would also train the value network.",
    lambda G, values: G - values,
)
reinforce_weights_baseline_added = _weights(
    "reinforce_weights_baseline_added",
    "G_t + V(s_t): the baseline added, not subtracted.",
    lambda G, values: G + values,
)


def policy_loss_sign_flipped(log_probs: torch.Tensor, weights: torch.Tensor, n_episodes: int):
    """+Σ weight log π: gradient descent on J, which makes good actions rarer."""
    return (weights * log_probs).sum() / n_episodes


def policy_loss_mean_over_steps(log_probs: torch.Tensor, weights: torch.Tensor, n_episodes: int):
    """Averages over steps, not episodes: long episodes count for less than they should."""
    return -(weights * log_probs).mean()


# --- Language models ----------------------------------------------------------------


def sample_next_temperature_multiplied(logits: torch.Tensor, temperature: float, generator) -> torch.Tensor:
    """softmax(logits * T): T = 2 sharpens, T = 0.5 flattens, T = 0 is uniform."""
    probs = torch.softmax(logits * temperature, dim=-1)
    return torch.multinomial(probs, 1, generator=generator).squeeze(-1)


def sample_next_no_greedy_case(logits: torch.Tensor, temperature: float, generator) -> torch.Tensor:
    """No special case for T = 0: logits / 0 is inf/nan, and sampling fails."""
    probs = torch.softmax(logits / temperature, dim=-1)
    return torch.multinomial(probs, 1, generator=generator).squeeze(-1)


def token_weights_last_token_only(rewards: Sequence[float], lengths: Sequence[int], baseline: str):
    """The reward credited only to the last token (γ = 1 forgotten): the rest learn nothing."""
    R, k = np.asarray(rewards, dtype=np.float64), len(rewards)
    b = np.zeros(k)
    if baseline == "mean":
        b = np.full(k, R.mean())
    elif baseline == "loo" and k > 1:
        b = (R.sum() - R) / (k - 1)
    rows = torch.zeros(len(lengths), max(lengths))
    for i, n in enumerate(lengths):
        rows[i, n - 1] = float(R[i] - b[i])
    weights = torch.cat([rows[i, :n] for i, n in enumerate(lengths)])
    return weights, rows


def token_weights_loo_includes_itself(rewards: Sequence[float], lengths: Sequence[int], baseline: str):
    """'loo' with the response's own reward in its baseline: the plain mean."""
    R = np.asarray(rewards, dtype=np.float64)
    b = np.zeros(len(R)) if baseline == "none" else np.full(len(R), R.mean())
    weights = torch.tensor(np.repeat(R - b, lengths), dtype=torch.float32)
    rows = torch.zeros(len(lengths), max(lengths))
    rows[torch.arange(max(lengths)) < torch.as_tensor(lengths)[:, None]] = weights
    return weights, rows


def response_log_probs_off_by_one(model, responses) -> torch.Tensor:
    """Reads the logits at a_t's own position, which predict a_(t+1): each token scored by the wrong state."""
    B = responses.tokens.shape[0]
    ids = torch.cat([responses.prompt.repeat(B, 1), responses.tokens], 1)  # (B, P+N)
    P = len(responses.prompt)
    logits = model(ids)[:, P:]  # (B, N, vocab): one position too late
    taken = torch.log_softmax(logits, -1).gather(-1, responses.tokens[..., None]).squeeze(-1)
    return taken * responses.mask


def response_log_probs_without_mask(model, responses) -> torch.Tensor:
    """Forgets the mask: the padding after "." counts as actions the policy took."""
    B = responses.tokens.shape[0]
    ids = torch.cat([responses.prompt.repeat(B, 1), responses.tokens], 1)
    P = len(responses.prompt)
    logits = model(ids[:, :-1])[:, P - 1 :]
    return torch.log_softmax(logits, -1).gather(-1, responses.tokens[..., None]).squeeze(-1)


MISTAKES: dict[str, tuple[Callable[..., Any], ...]] = {
    "discounted_return": (discounted_return_discounts_the_first_reward, discounted_return_discounts_from_the_end),
    "returns_to_go": (returns_to_go_forward_sum, returns_to_go_ignores_gamma),
    "bellman_target": (bellman_target_without_terminal_mask, bellman_target_mean_not_max),
    "epsilon_greedy": (epsilon_greedy_argmax_ties, epsilon_greedy_explores_with_1_minus_epsilon),
    "td_update": (td_update_jumps_to_the_target, td_update_without_terminal_mask),
    "td_target": (td_target_without_terminal_mask, td_target_with_gradient),
    "update_target": (update_target_hard_copy, update_target_swapped_tau),
    "epsilon_at": (epsilon_at_without_floor, epsilon_at_decays_to_zero),
    "batch_returns": (batch_returns_truncation_as_termination, batch_returns_last_value_undiscounted),
    "reinforce_weights": (reinforce_weights_baseline_not_detached, reinforce_weights_baseline_added),
    "policy_loss": (policy_loss_sign_flipped, policy_loss_mean_over_steps),
    "sample_next": (sample_next_temperature_multiplied, sample_next_no_greedy_case),
    "token_weights": (token_weights_last_token_only, token_weights_loo_includes_itself),
    "response_log_probs": (response_log_probs_off_by_one, response_log_probs_without_mask),
}
