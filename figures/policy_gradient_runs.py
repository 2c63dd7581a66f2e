"""Tables and widget data for the policy-gradient chapter, from real runs of snippets/reinforce.py.

The figures drawn from these runs are in figures/reinforce_plots.py, which imports this module. This
module draws nothing and imports no drawing code (figures/_style.py): the maze runs' memo key covers
this module and what it imports, so a change to how figures look never retrains a run.

Everything here is cheap (a few seconds per artifact on one core): the learning curve uses the
maze, not CartPole (CartPole's numbers come from benchmarks/reinforce_cartpole.py). The maze runs
are kept on disk under ``.cache/artifacts/runs/`` (the same memo as figures/dqn.py), keyed by the
run's config and the code that trains it.
"""

from __future__ import annotations

import dataclasses
from functools import partial
from pathlib import Path

import numpy as np
from rl4rlhf.envs import OneHot, play_episode
from rl4rlhf.gridworld import ACTION_NAMES, DOWN, LEFT, MAZE, RIGHT, UP, GridWorld
from rl4rlhf.reinforce import (
    MAZE_CONFIG,
    ReinforceConfig,
    log_prob,
    policy_loss,
    reinforce_weights,
    train,
)
from rl4rlhf.returns import BAD_EPISODE, GOOD_EPISODE

from figures import _runs

N_SEEDS = 3  # the learning curve shows seeds seed, seed + 1, seed + 2
POLICY_DECIMALS = 3  # π(a|s) as the runs record it and the widget shows it


def _torch():
    import torch

    torch.set_num_threads(1)  # one core per run; the build runs jobs side by side
    return torch


# ------------------------------------------------------------------------------- memoised runs


def run_path(cfg: ReinforceConfig) -> Path:
    """Where the outcome of training ``cfg`` is kept: named by config, code and library versions."""
    # The outcome includes the greedy return that maze_greedy_return (this module) measures.
    return _runs.run_path("reinforce", cfg, "rl4rlhf.reinforce", __name__)


def reinforce_run(cfg: ReinforceConfig) -> dict:
    """Episode returns and running rewards of training ``cfg``; trains only the first time."""

    def compute() -> dict:
        policies: list = []  # on the maze: π(a|s) of all 16 one-hot states after each update
        record = partial(record_policy, policies) if cfg.env_id == MAZE_CONFIG.env_id else None
        result = train(cfg, on_update=record)
        return {
            "seed": cfg.seed,
            "episode_returns": list(result.episode_returns),
            "running_rewards": list(result.running_rewards),
            "greedy_return": maze_greedy_return(result.policy),
        } | ({"policies": policies} if record else {})

    return _runs.memoised_run(run_path(cfg), compute)


def maze_policy(policy) -> list[list[float]]:
    """π(a|s) for each of the maze's 16 cells (one-hot states), (16, 4), rounded to 3 decimals."""
    torch = _torch()
    with torch.no_grad():  # looks only: no gradient, no random numbers drawn
        probs = policy(torch.eye(len(MAZE) * len(MAZE[0]))).probs
    return [[round(float(p), POLICY_DECIMALS) for p in row] for row in probs]


def record_policy(policies: list, policy) -> None:
    """``train``'s ``on_update``: append the maze policy after the update."""
    policies.append(maze_policy(policy))


def maze_greedy_return(policy) -> float:
    """The return of always taking the most probable action from the maze's start."""
    torch = _torch()
    env = OneHot(GridWorld())
    obs, _ = env.reset(seed=0)
    total, done = 0.0, False
    while not done:
        with torch.no_grad():
            action = int(policy(torch.as_tensor(obs)[None]).probs.argmax())
        obs, reward, terminated, truncated, _ = env.step(action)
        total, done = total + float(reward), terminated or truncated
    return round(total, 6)


# ------------------------------------------------------------------------------- the maze widget


def data_reinforce_maze_policy(seed: int) -> dict:
    """The REINFORCE-in-the-maze widget: π(a|s) per cell after every update of the curve's run ``seed``.

    ``policies[u][state]`` is π(·|state) (up, down, left, right) after update u + 1; walls and the
    goal, where the agent never acts, are null. ``returns[u]`` are the returns of the
    ``batch_episodes`` episodes that update u + 1 learned from (``mean_returns[u]`` their mean),
    ``running[u]`` the running reward after the last of them: the same memoised run as the learning
    curve's first seed.
    """
    cfg = dataclasses.replace(MAZE_CONFIG, seed=seed)
    run = reinforce_run(cfg)
    env = GridWorld(MAZE)
    skip = env.walls | {env.goal_state}
    batch = cfg.batch_episodes
    returns, updates = run["episode_returns"], range(len(run["policies"]))
    return {
        "seed": seed,
        "layout": list(MAZE),
        "actions": list(ACTION_NAMES),
        "batch_episodes": batch,
        "decimals": POLICY_DECIMALS,
        "policies": [[None if s in skip else p for s, p in enumerate(update)] for update in run["policies"]],
        "returns": [[round(r, 2) for r in returns[u * batch : (u + 1) * batch]] for u in updates],
        "mean_returns": [round(float(np.mean(returns[u * batch : (u + 1) * batch])), 3) for u in updates],
        "running": [round(run["running_rewards"][(u + 1) * batch - 1], 3) for u in updates],
    }


# ------------------------------------------------------------------------------- the catch: variance


class TablePolicy:
    """A tabular softmax policy over the maze's one-hot states: logits = one-hot @ table (16, 4)."""

    def __init__(self, n_states: int = 16, n_actions: int = 4):
        torch = _torch()
        self.table = torch.zeros(n_states, n_actions, requires_grad=True)  # all zero: uniform

    def __call__(self, obs):
        from torch.distributions import Categorical

        return Categorical(logits=obs @ self.table)  # (B, 16) @ (16, 4) -> (B, 4)


def variance_samples(seed: int, episodes: int = 1_000, max_steps: int = 20) -> dict:
    """Per-episode REINFORCE gradient on the logit of DOWN at the start cell, from a uniform policy.

    Same policy, same state, same action, many episodes: once with weights G_t, once with
    G_t - V(s_t), where V(s) is the mean return-to-go from s over all the sampled episodes.
    """
    torch = _torch()
    from rl4rlhf.reinforce import sample_action

    gamma = MAZE_CONFIG.gamma
    policy, env = TablePolicy(), OneHot(GridWorld(max_steps=max_steps))
    generator = torch.Generator().manual_seed(seed)
    sampled = []
    act = partial(sample_action, policy)
    for i in range(episodes):
        episode = play_episode(env, act, generator, seed=seed if i == 0 else None)
        sampled.append((np.array(episode.observations), np.array(episode.actions), episode.rewards))
    # V(s): the average return-to-go from each cell, over every visit in every episode.
    all_obs = np.concatenate([o for o, _, _ in sampled])
    all_G = reinforce_weights([r for _, _, r in sampled], gamma).numpy()
    counts = all_obs.sum(0)
    values = (all_obs * all_G[:, None]).sum(0) / np.maximum(counts, 1)  # (16,)

    grads = {"none": [], "baseline": []}
    for obs, actions, rewards in sampled:
        obs_t, actions_t = torch.as_tensor(obs), torch.as_tensor(actions)
        v = torch.as_tensor(obs @ values, dtype=torch.float32)  # (T,) V(s_t)
        for kind, baseline in (("none", None), ("baseline", v)):
            weights = reinforce_weights([rewards], gamma, baseline)
            loss = policy_loss(log_prob(policy(obs_t), actions_t), weights, 1)
            (grad,) = torch.autograd.grad(loss, policy.table)
            grads[kind].append(-float(grad[0, DOWN]))  # ascent direction for logit(start, down)
    return {k: np.array(v) for k, v in grads.items()} | {"gamma": gamma, "max_steps": max_steps}


# ------------------------------------------------------------------------------- the post's episodes

# The post's good episode goes right, down, right into the goal: in MAZE the down step would hit
# the (1, 1) wall, so it is traced in a 2x3 layout with no wall, where those three moves do reach G.
GOOD_LAYOUT = ("S..", "..G")
GOOD_ACTIONS = (RIGHT, DOWN, RIGHT)
# The bad one is the real MAZE: left into the edge twice, then four steps of wandering; the episode
# is cut off after 6 moves (max_steps=6).
BAD_ACTIONS = (LEFT, LEFT, DOWN, UP, DOWN, UP)
TABLE_LR = 0.1  # plain gradient step size for the "logit change" column


def trace(layout, actions, max_steps: int) -> list[tuple[int, int, float]]:
    """Play ``actions`` in GridWorld(layout); return (state, action, reward) per step."""
    env = GridWorld(layout, max_steps=max_steps)
    state, _ = env.reset(seed=0)
    steps = []
    for action in actions:
        next_state, reward, terminated, truncated, _ = env.step(action)
        steps.append((state, action, float(reward)))
        state = next_state
    assert terminated or truncated
    return steps


def table_post_episodes(seed: int) -> str:
    torch = _torch()
    lines = [
        "| episode | t | cell (row, col) | action | reward | weight G_t (γ = 1) | push on logit of a_t |",
        "|---|---:|---|---|---:|---:|---:|",
    ]
    episodes = (
        ("good", GridWorld(GOOD_LAYOUT), trace(GOOD_LAYOUT, GOOD_ACTIONS, 100)),
        ("bad", GridWorld(MAZE), trace(MAZE, BAD_ACTIONS, 6)),
    )
    for name, env, steps in episodes:
        rewards = [r for _, _, r in steps]
        assert rewards == (GOOD_EPISODE if name == "good" else BAD_EPISODE)
        weights = reinforce_weights([rewards], 1.0)  # (T,)
        n = env.observation_space.n
        for t, (state, action, reward) in enumerate(steps):
            # One step's share of the update, for a fresh uniform policy, by the real loss line.
            policy = TablePolicy(n, 4)
            obs = torch.eye(n)[[state]]  # (1, n)
            loss = policy_loss(log_prob(policy(obs), torch.tensor([action])), weights[t : t + 1], 1)
            (grad,) = torch.autograd.grad(loss, policy.table)
            delta = -TABLE_LR * float(grad[state, action])  # gradient descent on the loss
            row, col = env.to_rowcol(state)
            lines.append(
                f"| {name} (G = {sum(rewards):+.2f}) | {t} | ({row}, {col}) | {ACTION_NAMES[action]} "
                f"| {reward:+.2f} | {float(weights[t]):+.2f} | {delta:+.4f} |"
            )
    return "\n".join(lines)


# ------------------------------------------------------------------------------- which Ψ_t is the gradient

ESTIMATE_EPISODES = 50_000
TEX = {"G_0": "G_0", "G_t": "G_t", "γ^t G_t": r"\gamma^t G_t", "γ^t (G_t - V(s_t))": r"\gamma^t (G_t - V(s_t))"}


def table_pg_estimators(seed: int) -> str:
    """The exact ∇J of a half-trained maze policy against the mean of sampled estimates, per Ψ_t."""
    from rl4rlhf.pg_estimators import PSI, estimate, exact_gradient, halfway_logits

    env, gamma = GridWorld(MAZE), MAZE_CONFIG.gamma
    logits = halfway_logits(env)
    J, exact, _ = exact_gradient(env, logits, gamma)
    found = estimate(env, logits, gamma, ESTIMATE_EPISODES, np.random.default_rng(seed))
    start = env.start_state
    lines = [
        "| weight $\\Psi_t$ | $\\partial J / \\partial \\theta$[start, down] "
        "| $\\partial J / \\partial \\theta$[start, right] | largest gap to the exact $\\nabla J$, all 64 entries |",
        "|:---|---:|---:|---:|",
        f"| exact (autograd through the linear solve; J = {J:+.4f}) | {exact[start, DOWN]:+.4f} "
        f"| {exact[start, RIGHT]:+.4f} | |",
    ]
    gaps = {}
    for name in PSI:
        mean, sem = found[name]
        gap = np.abs(mean - exact) / np.maximum(sem, 1e-12)  # in standard errors
        gaps[name] = float(gap.max())
        cells = " | ".join(f"{mean[start, a]:+.4f} ± {sem[start, a]:.4f}" for a in (DOWN, RIGHT))
        lines.append(f"| ${TEX[name]}$ | {cells} | {gaps[name]:.1f} standard errors |")
    # The claims the page makes about this table: the three unbiased weights agree with the exact
    # gradient (no entry more than 4.5 standard errors off), and plain G_t does not (far more).
    for name in ("G_0", "γ^t G_t", "γ^t (G_t - V(s_t))"):
        assert gaps[name] < 4.5, f"{name} should match the exact gradient, off by {gaps[name]:.1f} SE"
    assert gaps["G_t"] > 10, f"G_t should be visibly biased with γ < 1, off by only {gaps['G_t']:.1f} SE"
    # ... and the baseline's estimate has less than half the noise of the whole-episode return's.
    assert (found["γ^t (G_t - V(s_t))"][1][start] < 0.5 * found["G_0"][1][start]).all()
    return "\n".join(lines)


# ------------------------------------------------------------------------------- credit in one episode

# The post's car, in the maze: three good moves along the top row to (0, 3), then three "crashes"
# (into the top edge, the right edge, the top edge), and the time limit cuts the episode there.
CAR_ACTIONS = (RIGHT, RIGHT, RIGHT, UP, RIGHT, UP)


def table_credit_one_episode(seed: int) -> str:
    """Each step's weight and the push one update gives its logit, under three weights Ψ_t."""
    torch = _torch()
    from rl4rlhf.pg_estimators import exact_gradient, halfway_logits
    from rl4rlhf.reinforce import batch_returns

    env, gamma = GridWorld(MAZE, max_steps=len(CAR_ACTIONS)), MAZE_CONFIG.gamma
    logits = halfway_logits(env)
    _, _, V = exact_gradient(env, logits, gamma)  # V^π of the current policy, exact
    state, _ = env.reset(seed=0)
    steps = []
    for action in CAR_ACTIONS:
        next_state, reward, terminated, truncated, _ = env.step(action)
        steps.append((state, action, float(reward), next_state))
        state = next_state
    assert truncated and not terminated
    rewards = [r for _, _, r, _ in steps]
    # The time limit is not an end: G_t counts V(s_T) for what comes after the cut.
    G = batch_returns([rewards], gamma, last_values=[float(V[state])])  # (T,)
    v = torch.tensor([V[s] for s, *_ in steps], dtype=torch.float32)  # (T,) V(s_t)
    v_next = torch.tensor([V[s2] for *_, s2 in steps], dtype=torch.float32)  # (T,) V(s_t+1)
    r = torch.tensor(rewards)
    weights = {
        "G_t": G,
        "G_t - V(s_t)": G - v,
        r"r_{t+1} + \gamma V(s_{t+1}) - V(s_t)": r + gamma * v_next - v,
    }

    def push(state: int, action: int, weight: float) -> float:
        """How much one plain gradient step (size TABLE_LR) on this step's share of the loss moves
        the logit of the action taken, for the current policy."""
        policy = TablePolicy(env.observation_space.n, 4)
        with torch.no_grad():
            policy.table.copy_(torch.as_tensor(logits, dtype=torch.float32))
        obs = torch.eye(env.observation_space.n)[[state]]  # (1, S)
        loss = policy_loss(log_prob(policy(obs), torch.tensor([action])), torch.tensor([weight]), 1)
        (grad,) = torch.autograd.grad(loss, policy.table)
        return -TABLE_LR * float(grad[state, action])

    lines = [
        "| $t$ | cell, action | reward | $V(s_t)$ | " + " | ".join(f"${name}$" for name in weights) + " |",
        "|---:|:---|---:|---:|" + "---:|" * len(weights),
    ]
    signs = {name: [] for name in weights}
    for t, (s, a, reward, _) in enumerate(steps):
        row, col = env.to_rowcol(s)
        cells = []
        for name, w in weights.items():
            p = push(s, a, float(w[t]))
            signs[name].append(p > 0)
            cells.append(f"{float(w[t]):+.2f} ({p:+.3f})")
        lines.append(
            f"| {t} | ({row}, {col}), {ACTION_NAMES[a]} | {reward:+.2f} | {V[s]:+.2f} | " + " | ".join(cells) + " |"
        )
    # The page's claims: with G_t every push is down; with the one-step advantage the three good
    # moves go up and the three crashes go down.
    assert not any(signs["G_t"]), "with Ψ_t = G_t every action of this episode should be pushed down"
    assert signs[r"r_{t+1} + \gamma V(s_{t+1}) - V(s_t)"] == [True] * 3 + [False] * 3
    return "\n".join(lines)
