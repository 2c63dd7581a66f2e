"""Which weights make REINFORCE follow the gradient?  An exact check on the maze.

REINFORCE steps along Σ_t Ψ_t ∇log π(a_t|s_t) for some weight Ψ_t.  Which choices
of Ψ_t make its expectation the gradient of J(θ) = E[G_0], the expected return
from the start?

For a tabular softmax policy, π(a|s) = softmax(θ[s])_a, on a known MDP, J has a
closed form.  The values of π solve V = r_π + γ P_π V, so

    J(θ) = V^π(s_0),   V^π = (I - γ P_π)⁻¹ r_π,

and autograd through that linear solve gives the exact ∇J.  ``estimate`` samples
episodes and averages Σ_t Ψ_t ∇log π(a_t|s_t) for four choices of Ψ_t:

- ``G_0``: the whole episode's return at every step (the post's R);
- ``G_t``: the return from step t on (reward-to-go), what most code uses;
- ``γ^t G_t``: reward-to-go with the factor of the exact gradient;
- ``γ^t (G_t - V(s_t))``: the same minus a baseline (here the exact V^π).

With γ < 1 the second is biased; the other three are not (Sutton & Barto, 2nd
ed., §13.3; Nota & Thomas, "Is the Policy Gradient a Gradient?", 2020).

Run ``python -m rl4rlhf.pg_estimators`` to print the comparison.
"""

from __future__ import annotations

import json

import gymnasium as gym
import numpy as np
import torch
from rl4rlhf._checks import check_generator, check_int, check_real
from rl4rlhf.bellman import mdp_arrays, value_iteration
from rl4rlhf.gridworld import MAZE, GridWorld

PSI = ("G_0", "G_t", "γ^t G_t", "γ^t (G_t - V(s_t))")
"""The four weights ``estimate`` compares, in the order of the module docstring."""


def softmax_policy(logits: np.ndarray) -> np.ndarray:
    """π(a|s) = softmax(θ[s])_a for every state: (n_states, n_actions)."""
    logits = _check_logits(logits)
    z = np.exp(logits - logits.max(axis=1, keepdims=True))  # (S, A), stable
    return z / z.sum(axis=1, keepdims=True)


# --8<-- [start:exact_gradient]
def exact_gradient(
    env: gym.Env, logits: np.ndarray, gamma: float
) -> tuple[float, np.ndarray, np.ndarray]:
    """J(θ) = V^π(s_0) of the softmax policy with these logits, its exact
    gradient ∇J (n_states, n_actions), and V^π (n_states,)."""
    R, T = (torch.as_tensor(x) for x in mdp_arrays(env))  # (S, A), (S, A, S)
    theta = torch.tensor(logits, dtype=torch.float64, requires_grad=True)  # (S, A)
    pi = torch.softmax(theta, dim=1)  # (S, A)
    r_pi = (pi * R).sum(dim=1)  # (S,) the expected reward of one step
    P_pi = torch.einsum("sa,sat->st", pi, T)  # (S, S) where it goes on to
    I = torch.eye(len(R), dtype=torch.float64)  # noqa: E741
    V = torch.linalg.solve(I - gamma * P_pi, r_pi)  # (S,) V = r_π + γ P_π V
    start, _ = env.reset(seed=0)
    J = V[start]
    (grad,) = torch.autograd.grad(J, theta)  # (S, A) exact ∇J
    return float(J.detach()), grad.numpy(), V.detach().numpy()


# --8<-- [end:exact_gradient]


def sample_episodes(
    env: gym.Env,
    probs: np.ndarray,
    episodes: int,
    rng: np.random.Generator,
    max_steps: int = 200,
) -> dict[str, np.ndarray]:
    """``episodes`` episodes of the policy ``probs`` from the start, played side by
    side in a deterministic tabular MDP: states, actions, rewards and a mask of
    the steps taken, each (episodes, max_steps), and how many were cut off."""
    episodes = check_int("episodes", episodes, minimum=2)
    max_steps = check_int("max_steps", max_steps, minimum=1)
    check_generator("rng", rng, np.random.Generator)
    P = env.unwrapped.P  # type: ignore[attr-defined]
    S, A = probs.shape
    if any(len(P[s][a]) != 1 for s in range(S) for a in range(A)):
        raise ValueError("env must be deterministic: one outcome per P[s][a]")
    next_state = np.array([[P[s][a][0][1] for a in range(A)] for s in range(S)])
    reward = np.array([[P[s][a][0][2] for a in range(A)] for s in range(S)])
    ends = np.array([[P[s][a][0][3] for a in range(A)] for s in range(S)])
    cdf = probs.cumsum(axis=1)  # (S, A)
    start, _ = env.reset(seed=0)
    state, alive = np.full(episodes, start), np.ones(episodes, dtype=bool)  # (N,)
    shape = (episodes, max_steps)
    out = {
        "states": np.zeros(shape, dtype=np.int64),
        "actions": np.zeros(shape, dtype=np.int64),
        "rewards": np.zeros(shape),
        "mask": np.zeros(shape, dtype=bool),
    }
    for t in range(max_steps):
        u = rng.random(episodes)  # (N,) one uniform draw per episode
        action = np.minimum((u[:, None] >= cdf[state]).sum(axis=1), A - 1)  # (N,)
        out["states"][:, t], out["actions"][:, t] = state, action
        out["rewards"][:, t] = np.where(alive, reward[state, action], 0.0)
        out["mask"][:, t] = alive
        alive = alive & ~ends[state, action]
        state = next_state[state, action]
        if not alive.any():
            break
    out["cut_off"] = np.array(int(alive.sum()))
    return out


def psi_weights(G: np.ndarray, V: np.ndarray, states: np.ndarray, gamma: float):
    """Ψ_t of each estimator, for every step of every episode: (N, T) each.

    ``G`` holds the returns-to-go G_t, ``V`` the exact V^π per state (a baseline),
    ``states`` the state of every step."""
    discount = gamma ** np.arange(G.shape[1])  # (T,) γ^t
    return {
        "G_0": np.repeat(G[:, :1], G.shape[1], axis=1),
        "G_t": G,
        "γ^t G_t": discount * G,
        "γ^t (G_t - V(s_t))": discount * (G - V[states]),
    }


def estimate(
    env: gym.Env,
    logits: np.ndarray,
    gamma: float,
    episodes: int,
    rng: np.random.Generator,
    max_steps: int = 200,
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """For each Ψ_t of ``psi_weights``: the mean over ``episodes`` sampled episodes
    of Σ_t Ψ_t ∇log π(a_t|s_t), and its standard error, each (n_states, n_actions)."""
    probs = softmax_policy(logits)  # (S, A)
    ep = sample_episodes(env, probs, episodes, rng, max_steps)
    states, actions, mask = ep["states"], ep["actions"], ep["mask"]  # (N, T)
    G = np.zeros_like(ep["rewards"])  # (N, T) G_t, one backward pass
    running = np.zeros(len(G))
    for t in reversed(range(G.shape[1])):
        running = ep["rewards"][:, t] + gamma * running
        G[:, t] = running
    V = exact_gradient(env, logits, gamma)[2]  # (S,) the exact V^π, as a baseline
    rows = np.arange(len(G))[:, None]  # (N, 1)
    out = {}
    for name, weight in psi_weights(G, V, states, gamma).items():
        w = np.where(mask, weight, 0.0)  # (N, T) steps after the end count 0
        # Softmax: ∇_θ[s] log π(a|s) = onehot(a) - π(·|s), only in row s.
        grads = np.zeros((len(G), *probs.shape))  # (N, S, A) one estimate each
        np.add.at(grads, (rows, states, actions), w)
        np.add.at(grads, (rows, states), -w[..., None] * probs[states])
        sem = grads.std(axis=0, ddof=1) / np.sqrt(len(G))
        out[name] = (grads.mean(axis=0), sem)
    return out


def halfway_logits(env: GridWorld, strength: float = 1.0) -> np.ndarray:
    """A policy halfway trained: logit ``strength`` for each cell's shortest-path
    action, 0 for the others (π = e/(e+3) ≈ 0.48 for the right move with 1.0)."""
    strength = check_real("strength", strength)
    q = value_iteration(env, gamma=1.0).q  # (S, A) Q* of the maze
    best = q.argmax(axis=1)  # (S,) a shortest-path move (ties: the first)
    logits = np.zeros_like(q)
    logits[np.arange(len(best)), best] = strength
    return logits


def _check_logits(logits) -> np.ndarray:
    """``logits`` as a finite float array (n_states, n_actions)."""
    array = np.asarray(logits, dtype=np.float64)
    if array.ndim != 2 or not np.isfinite(array).all():
        raise ValueError(
            f"logits must be a finite (n_states, n_actions) array, got {array.shape}"
        )
    return array


def main() -> dict:
    """Print each weight's largest gap to the exact gradient, in standard errors."""
    env, gamma = GridWorld(MAZE), 0.9
    logits = halfway_logits(env)
    J, exact, _ = exact_gradient(env, logits, gamma)
    found = estimate(env, logits, gamma, 20_000, np.random.default_rng(0))
    summary = {"J": round(J, 4)}
    for name, (mean, sem) in found.items():
        z = np.abs(mean - exact) / np.maximum(sem, 1e-12)
        summary[name] = round(float(z.max()), 1)
        print(f"{name:>20}: largest gap {z.max():5.1f} standard errors")
    print(json.dumps(summary))
    return summary


if __name__ == "__main__":
    main()
