"""DQN: a neural network learns Q(s, a) from the Bellman target.

The network reads a state and outputs one Q-value per action.  It is trained
like a regression model, with the Bellman target as the label:

    target = r + γ max_a' Q_target(s', a')        (just r if s' ends the episode)
    loss   = (Q(s, a) - target)²

Two tricks keep this stable: a replay buffer (learn from old transitions in
shuffled batches, not just the latest step) and a target network (a lagged
copy of Q that computes the labels, so they do not move with every update).

Run ``python -m rl4rlhf.dqn --env-id CartPole-v1 --seed 1`` to train on
CartPole, or ``--env-id rlhf/GridWorld-v0`` for the post's maze.  The last
line printed is JSON.
"""

from __future__ import annotations

import copy
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import gymnasium as gym
import numpy as np
import rl4rlhf.gridworld  # noqa: F401  (registers rlhf/GridWorld-v0)
import torch
import torch.nn.functional as F
from rl4rlhf import cli
from rl4rlhf._checks import check_instance
from rl4rlhf.envs import make_env, space_size
from torch import nn
from tqdm import tqdm

EVAL_SEED_OFFSET = 10_000  # evaluation env i is seeded with seed + 10,000 + i


# --8<-- [start:config]
@dataclass(frozen=True)
class DQNConfig:
    """Every setting of a DQN run.  The defaults are for CartPole-v1: rl-zoo's
    tuned DQN, with smaller, more frequent learning bursts (16 gradient steps
    every 64 env steps, not 128 every 256), which benchmarks/dqn_cartpole.py
    found to solve more seeds, sooner."""

    env_id: str = "CartPole-v1"
    """the Gymnasium environment id"""
    seed: int = 1
    """seeds the network, the replay sampling, exploration and the environment"""
    total_steps: int = 50_000
    """environment steps to train for"""
    learning_rate: float = 2.3e-3
    """Adam's step size"""
    buffer_size: int = 100_000
    """transitions the replay buffer holds; after that the oldest are overwritten"""
    batch_size: int = 64
    """transitions per gradient step"""
    gamma: float = 0.99
    """the discount factor γ in the Bellman target"""
    learning_starts: int = 1_000
    """environment steps of pure collection before the first gradient step"""
    train_frequency: int = 64
    """learn every this many environment steps ..."""
    gradient_steps: int = 16
    """... taking this many gradient steps each time (1 per 4 environment steps)"""
    target_update_interval: int = 64
    """env steps between target-network updates: once per learning burst here"""
    tau: float = 1.0
    """target update: target ← τ·online + (1-τ)·target; 1.0 is a plain copy"""
    loss: str = "mse"
    """"mse", the post's squared difference, or "huber" (linear above 1)"""
    max_grad_norm: float = 10.0
    """gradients are rescaled so their total norm is at most this"""
    epsilon_start: float = 1.0
    """ε at step 0: every action random"""
    epsilon_end: float = 0.04
    """ε after the decay: 4% random actions for the rest of training"""
    exploration_fraction: float = 0.16
    """the fraction of ``total_steps`` over which ε falls linearly"""
    hidden_sizes: tuple[int, ...] = (256, 256)
    """the widths of the Q-network's hidden layers"""
    eval_every: int = 5_000
    """evaluate the greedy policy every this many environment steps"""
    eval_episodes: int = 20
    """episodes per evaluation, one in each of its own envs (seeds seed + 10,000 + i)"""
    solve_threshold: float = 475.0
    """mean greedy return that counts as solved (475 of 500 for CartPole-v1)"""

    # --8<-- [end:config]

    def __post_init__(self) -> None:
        """Bad settings fail here, by name, not as a mess 10,000 steps later."""

        def check(name: str, ok, rule: str) -> None:
            if not ok(getattr(self, name)):  # NaN fails every rule
                raise ValueError(f"{name} must be {rule}, got {getattr(self, name)!r}")

        positive = "total_steps learning_rate buffer_size batch_size train_frequency "
        positive += "gradient_steps target_update_interval max_grad_norm eval_every"
        for name in (*positive.split(), "eval_episodes"):
            check(name, lambda v: v > 0, "> 0")
        for name in ("gamma", "epsilon_start", "epsilon_end"):
            check(name, lambda v: 0 <= v <= 1, "in [0, 1]")
        for name in ("tau", "exploration_fraction"):
            check(name, lambda v: 0 < v <= 1, "in (0, 1]")
        check("loss", lambda v: v in ("mse", "huber"), "'mse' or 'huber'")
        check("hidden_sizes", lambda v: len(v) > 0 and min(v) > 0, "positive widths")
        size = self.buffer_size
        check("batch_size", lambda v: v <= size, f"<= buffer_size ({size})")
        batch = self.batch_size
        check("learning_starts", lambda v: v >= batch, f">= batch_size ({batch})")


# --8<-- [start:maze_config]
# The maze needs far less: a one-hot state, a small network, a few thousand steps.
MAZE_CONFIG = DQNConfig(
    env_id="rlhf/GridWorld-v0",
    total_steps=3_000,
    learning_rate=1e-3,
    buffer_size=3_000,
    batch_size=32,
    learning_starts=200,
    train_frequency=1,
    gradient_steps=1,
    target_update_interval=100,
    exploration_fraction=0.5,
    hidden_sizes=(64,),
    eval_every=500,
    eval_episodes=1,  # the maze and the greedy policy are deterministic
    solve_threshold=0.949,  # the shortest path: 5 * (-0.01) + 1.0 = 0.95
)
# --8<-- [end:maze_config]
PRESETS = {MAZE_CONFIG.env_id: MAZE_CONFIG}  # the command line's --env-id presets


# --8<-- [start:q_network]
def mlp(in_dim: int, out_dim: int, hidden_sizes: tuple[int, ...]) -> nn.Sequential:
    """Linear layers with a ReLU between them, and none after the last."""
    layers, width = [], in_dim
    for hidden in hidden_sizes:
        layers += [nn.Linear(width, hidden), nn.ReLU()]
        width = hidden
    return nn.Sequential(*layers, nn.Linear(width, out_dim))


class QNetwork(nn.Module):
    """An MLP: a state goes in, one Q-value per action comes out."""

    def __init__(self, obs_dim: int, n_actions: int, hidden_sizes=(256, 256)) -> None:
        super().__init__()
        # No activation after the last layer: a Q-value can be any number.
        self.net = mlp(obs_dim, n_actions, hidden_sizes)

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        return self.net(obs)  # (B, obs_dim) -> (B, n_actions)


# --8<-- [end:q_network]


# --8<-- [start:replay_buffer]
class Batch(NamedTuple):
    obs: torch.Tensor  # (B, obs_dim)
    actions: torch.Tensor  # (B,) int64
    rewards: torch.Tensor  # (B,)
    next_obs: torch.Tensor  # (B, obs_dim)
    terminated: torch.Tensor  # (B,) 1.0 where the episode really ended


class ReplayBuffer:
    """A fixed-size ring of transitions (s, a, r, s', terminated); once full, each
    new one overwrites the oldest.  Random batches from it break the correlation
    of consecutive steps, and reuse each transition many times."""

    def __init__(self, capacity: int, obs_dim: int) -> None:
        self.capacity, self.pos, self.size = capacity, 0, 0
        self.obs = np.zeros((capacity, obs_dim), np.float32)
        self.actions = np.zeros(capacity, np.int64)
        self.rewards = np.zeros(capacity, np.float32)
        self.next_obs = np.zeros((capacity, obs_dim), np.float32)
        self.terminated = np.zeros(capacity, np.float32)

    def add(self, obs, action, reward, next_obs, terminated: bool) -> None:
        # CRUCIAL: `terminated`, not `terminated or truncated`, and the real next_obs
        # even on truncation: a time limit is not an ending, the future still counts.
        i = self.pos
        self.obs[i], self.actions[i], self.rewards[i] = obs, action, reward
        self.next_obs[i], self.terminated[i] = next_obs, terminated
        self.pos = (self.pos + 1) % self.capacity  # wrap round: overwrite the oldest
        self.size = min(self.size + 1, self.capacity)

    def sample(self, batch_size: int, rng: np.random.Generator) -> Batch:
        idx = rng.integers(0, self.size, size=batch_size)  # uniform, with replacement
        columns = (self.obs, self.actions, self.rewards, self.next_obs, self.terminated)
        return Batch(*(torch.from_numpy(column[idx]) for column in columns))


# --8<-- [end:replay_buffer]


# --8<-- [start:epsilon_schedule]
def epsilon_at(step: int, start: float, end: float, decay_steps: float) -> float:
    """ε for ε-greedy: falls linearly from ``start`` to ``end`` over the first
    ``decay_steps`` steps, then stays at ``end``.

    Worked example, the CartPole settings: 1.0 → 0.04 over 0.16 * 50,000 = 8,000
    steps.  Halfway there, ε = 1.0 - 0.5 * (1.0 - 0.04) = 0.52:

        >>> [round(epsilon_at(s, 1.0, 0.04, 8_000), 2) for s in (0, 4_000, 8_000)]
        [1.0, 0.52, 0.04]
        >>> round(epsilon_at(30_000, 1.0, 0.04, 8_000), 2)  # flat after the decay
        0.04
    """
    progress = min(step / decay_steps, 1.0)  # 0 → 1, then stays at 1
    return start + progress * (end - start)


# --8<-- [end:epsilon_schedule]


# --8<-- [start:td_target]
@torch.no_grad()  # CRUCIAL: the target is a label; no gradient flows through it
def td_target(
    target_network: nn.Module,
    rewards: torch.Tensor,  # (B,)
    next_obs: torch.Tensor,  # (B, obs_dim)
    terminated: torch.Tensor,  # (B,) 1.0 or 0.0
    gamma: float,
) -> torch.Tensor:
    """The Bellman target r + γ max_a' Q_target(s', a'), for a batch."""
    # CRUCIAL: the lagged target network, not the one being trained.
    best_next_q = target_network(next_obs).max(dim=1).values  # (B,)
    # CRUCIAL: a terminal s' has no future (0). A truncated one does: bootstrap.
    return rewards + gamma * (1.0 - terminated) * best_next_q  # (B,)


# --8<-- [end:td_target]


# --8<-- [start:train_step]
def train_step(
    q_network: nn.Module,
    target_network: nn.Module,
    optimizer: torch.optim.Optimizer,
    batch: Batch,
    cfg: DQNConfig,
) -> float:
    """One gradient step pulling Q(s, a) towards the Bellman target; returns the loss.

    "mse" is the post's (prediction - target)², averaged over the batch; "huber"
    (Stable-Baselines3's, in effect the DQN paper's) grows only linearly above 1.
    """
    target = td_target(
        target_network, batch.rewards, batch.next_obs, batch.terminated, cfg.gamma
    )  # (B,)
    q_all = q_network(batch.obs)  # (B, n_actions)
    # Only the Q-value of the action actually taken has a target.
    q_taken = q_all.gather(1, batch.actions[:, None]).squeeze(1)  # (B,)
    if cfg.loss == "mse":
        loss = F.mse_loss(q_taken, target)
    else:
        loss = F.smooth_l1_loss(q_taken, target)
    optimizer.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(q_network.parameters(), cfg.max_grad_norm)
    optimizer.step()
    return loss.item()


# --8<-- [end:train_step]


# --8<-- [start:target_network]
def update_target(target_network: nn.Module, q_network: nn.Module, tau: float) -> None:
    """target ← τ·online + (1-τ)·target; with τ = 1 a plain copy."""
    pairs = zip(target_network.parameters(), q_network.parameters(), strict=True)
    with torch.no_grad():
        for target_param, param in pairs:
            target_param.lerp_(param, tau)  # target + τ (online - target)


# --8<-- [end:target_network]


# --8<-- [start:evaluate]
def greedy_action(q_network: nn.Module, obs: np.ndarray) -> int:
    """argmax_a Q(obs, a): the action the network rates best."""
    with torch.no_grad():
        q = q_network(torch.as_tensor(obs, dtype=torch.float32)[None])  # (1, n_actions)
    return int(q.argmax(dim=1).item())


# --8<-- [end:evaluate]


def evaluate(q_network: nn.Module, envs: Sequence[gym.Env]) -> float:
    """Mean return of the greedy policy (no exploration): one episode in each env.

    The episodes run side by side, so each step asks the network about every
    unfinished episode at once. E.g. 20 CartPole episodes of 500 steps are 500
    forward passes of up to 20 states, not 10,000 passes of one: the same
    returns (each env is its own episode), in a fraction of the time.
    """
    # The caller seeds each env once; each reset continues that env's own stream.
    obs = np.stack([env.reset()[0] for env in envs])  # (E, obs_dim)
    returns = np.zeros(len(envs))  # (E,)
    running = np.ones(len(envs), dtype=bool)  # (E,) episodes not over yet
    while running.any():
        live = np.flatnonzero(running).tolist()  # the unfinished episodes, L of them
        states = torch.as_tensor(obs[live], dtype=torch.float32)  # (L, obs_dim)
        with torch.no_grad():
            q = q_network(states)  # (L, n_actions)
        for i, action in zip(live, q.argmax(dim=1).tolist(), strict=True):
            obs[i], reward, terminated, truncated, _ = envs[i].step(action)
            returns[i] += float(reward)
            running[i] = not (terminated or truncated)
    return float(returns.mean())


@dataclass(frozen=True, eq=False)
class DQNResult:
    """What a run produced: the trained network and how it got there."""

    q_network: QNetwork
    episode_returns: tuple[float, ...]  # every training episode, in order
    eval_history: tuple[tuple[int, float], ...]  # (env steps, greedy mean return)
    steps_to_solve: int | None  # first eval at or above the threshold, if any
    best_eval_mean: float
    final_eval_mean: float
    env_steps: int
    wall_s: float


# --8<-- [start:train]
def train(cfg: DQNConfig, progress: bool = False) -> DQNResult:
    """Train DQN on ``cfg.env_id``, evaluating the greedy policy as it goes."""
    check_instance("cfg", cfg, DQNConfig, "a DQNConfig")
    started = time.perf_counter()
    # Seeding: every random number of the run comes from cfg.seed, through these.
    torch.manual_seed(cfg.seed)  # the network's initial weights
    rng = np.random.default_rng(cfg.seed)  # replay sampling and the ε coin flip
    env = make_env(cfg.env_id)
    env.action_space.seed(cfg.seed)  # the random actions
    obs, _ = env.reset(seed=cfg.seed)
    eval_envs = [make_env(cfg.env_id) for _ in range(cfg.eval_episodes)]
    # The evaluation envs: their own episodes, never the training ones.
    for i, eval_env in enumerate(eval_envs):
        eval_env.reset(seed=cfg.seed + EVAL_SEED_OFFSET + i)

    obs_dim = space_size(env.observation_space)  # 4 for CartPole
    n_actions = space_size(env.action_space)  # 2 for CartPole
    q_network = QNetwork(obs_dim, n_actions, cfg.hidden_sizes)
    target_network = copy.deepcopy(q_network)  # starts equal, then lags behind
    optimizer = torch.optim.Adam(q_network.parameters(), lr=cfg.learning_rate)
    buffer = ReplayBuffer(cfg.buffer_size, obs_dim)

    decay_steps = cfg.exploration_fraction * cfg.total_steps  # ε falls over these
    returns, history, episode_return = [], [], 0.0
    steps = range(1, cfg.total_steps + 1)
    bar = tqdm(steps, "dqn", disable=not progress, file=sys.stderr, mininterval=0.5)
    for step in bar:
        # CRUCIAL: explore a lot early, little later (ε decays, but never to 0).
        epsilon = epsilon_at(step, cfg.epsilon_start, cfg.epsilon_end, decay_steps)
        if rng.random() < epsilon:
            action = int(env.action_space.sample())
        else:
            action = greedy_action(q_network, obs)
        next_obs, reward, terminated, truncated, _ = env.step(action)
        buffer.add(obs, action, reward, next_obs, terminated)  # not `or truncated`
        obs, episode_return = next_obs, episode_return + float(reward)
        if terminated or truncated:  # either way the episode is over: start a new one
            returns.append(episode_return)
            obs, _ = env.reset()
            episode_return = 0.0

        if step >= cfg.learning_starts and step % cfg.train_frequency == 0:
            for _ in range(cfg.gradient_steps):
                batch = buffer.sample(cfg.batch_size, rng)
                train_step(q_network, target_network, optimizer, batch, cfg)
        if step % cfg.target_update_interval == 0:
            # CRUCIAL: the target network changes only here, never in train_step.
            update_target(target_network, q_network, cfg.tau)
        if step % cfg.eval_every == 0 or step == cfg.total_steps:
            history.append((step, evaluate(q_network, eval_envs)))
            bar.set_postfix(eval=history[-1][1], eps=round(epsilon, 3))

    solved = [s for s, mean in history if mean >= cfg.solve_threshold]
    return DQNResult(
        q_network=q_network,
        episode_returns=tuple(returns),
        eval_history=tuple(history),
        steps_to_solve=solved[0] if solved else None,
        best_eval_mean=max(mean for _, mean in history),
        final_eval_mean=history[-1][1],
        env_steps=cfg.total_steps,
        wall_s=time.perf_counter() - started,
    )


# --8<-- [end:train]


def summary(cfg: DQNConfig, result: DQNResult) -> dict:
    """A run's outcome as plain JSON-able numbers (what the CLI prints)."""
    return {
        "env_id": cfg.env_id,
        "seed": cfg.seed,
        "eval_mean_return": round(result.final_eval_mean, 4),
        "best_eval_mean_return": round(result.best_eval_mean, 4),
        "steps_to_solve": result.steps_to_solve,
        "eval_history": [[s, round(m, 4)] for s, m in result.eval_history],
        "episodes": len(result.episode_returns),
        "env_steps": result.env_steps,
        "wall_s": round(result.wall_s, 2),
    }


def parse_config(argv: list[str] | None = None) -> DQNConfig:
    """The config the command line asks for: one flag per field (``--total-steps
    5000``); flags left out take the preset for the env (``MAZE_CONFIG`` for the
    maze, the CartPole defaults otherwise)."""
    check = lambda cfg: make_env(cfg.env_id).close()  # noqa: E731  (the env exists)
    return cli.parse_config(DQNConfig, argv, PRESETS, check)


def main(argv: list[str] | None = None) -> dict:
    cfg = parse_config(argv)
    return cli.print_summary(summary(cfg, train(cfg, progress=True)))


if __name__ == "__main__":
    torch.set_num_threads(1)  # small networks: one thread is faster and steadier
    main()
