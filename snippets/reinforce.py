"""REINFORCE: push up the log-probability of actions in proportion to the return.

The policy is a network that outputs a probability distribution over actions.
Play whole episodes with it, then for every step t nudge the parameters along

    Σ_t Ψ_t ∇ log π(a_t | s_t),   Ψ_t = G_t - b(s_t)

where G_t is the return from step t onward: actions followed by a high return
become more likely, actions followed by a low one less likely.  Subtracting a
baseline b(s_t) from G_t (here a learned value network) changes nothing on
average but makes each estimate far less noisy: variance reduction, not a new
algorithm.

The gradient of J = E[G_0] has one more factor, γ^t (Sutton & Barto, 2nd ed.,
§13.3): Ψ_t = γ^t (G_t - b(s_t)).  Most implementations drop it (pytorch/examples,
Spinning Up, Stable-Baselines3); the result is then not the gradient of any
objective (Nota & Thomas, 2020), but often learns better.  ``weight_by_gamma_t``
chooses; the policy-gradient page measures both.

Run ``python -m rl4rlhf.reinforce --env-id CartPole-v1 --seed 1``, or
``--env-id rlhf/GridWorld-v0`` (the post's maze) or ``--env-id rlhf/Steering-v0``
(the post's 23.5° steering example).  The last line printed is JSON.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

import gymnasium as gym
import numpy as np
import rl4rlhf.gridworld  # noqa: F401  (registers rlhf/GridWorld-v0)
import torch
from rl4rlhf import cli
from rl4rlhf._checks import check_instance
from rl4rlhf.dqn import mlp
from rl4rlhf.envs import make_env, play_episode, space_size
from rl4rlhf.returns import returns_to_go
from torch import nn
from torch.distributions import Categorical, Distribution, Normal
from tqdm import tqdm

STEERING_ID = "rlhf/Steering-v0"


# --8<-- [start:steering_env]
class Steering(gym.Env):
    """The post's steering example as a one-step bandit with a continuous action.

    Observation: always ``[1.0]``.  Action: a steering angle in degrees, one
    float in [-90, 90] (values outside are clipped).  Reward: -((angle - 23.5) /
    10)², so 23.5° is best (reward 0) and 10° off costs 1.
    """

    best_angle = 23.5

    def __init__(self) -> None:
        self.observation_space = gym.spaces.Box(
            0.0, 2.0, (1,), np.float32
        )  # always 1.0
        self.action_space = gym.spaces.Box(-90.0, 90.0, (1,), np.float32)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        return np.ones(1, np.float32), {}

    def step(self, action):
        angle = float(np.clip(np.asarray(action).reshape(-1)[0], -90.0, 90.0))
        reward = -(((angle - self.best_angle) / 10.0) ** 2)
        return np.ones(1, np.float32), reward, True, False, {"angle": angle}


if STEERING_ID not in gym.registry:  # importing twice must not register twice
    gym.register(id=STEERING_ID, entry_point="rl4rlhf.reinforce:Steering")
# --8<-- [end:steering_env]


# --8<-- [start:config]
@dataclass(frozen=True)
class ReinforceConfig:
    """Every setting of a REINFORCE run.  The defaults are the CartPole-v1 settings
    (pytorch/examples' reinforce.py: Adam at 1e-2, γ = 0.99, 128 hidden units,
    normalised returns, one episode per update), plus a learned value baseline."""

    env_id: str = "CartPole-v1"
    """the Gymnasium environment id"""
    seed: int = 1
    """seeds the networks, the action sampling and the environment"""
    episodes: int = 2_000
    """the most episodes to play (training stops early once solved)"""
    learning_rate: float = 1e-2
    """Adam's step size for the policy"""
    gamma: float = 0.99
    """the discount factor γ inside the returns-to-go G_t"""
    hidden_sizes: tuple[int, ...] = (128,)
    """the widths of the hidden layers (policy and value network alike)"""
    baseline: str = "value"
    """"value": subtract a learned V(s_t) from G_t; "none": plain REINFORCE"""
    value_learning_rate: float = 1e-2
    """Adam's step size for the value network (used only with baseline="value")"""
    normalize: bool = True
    """rescale the weights of each update to mean 0, std 1 (pytorch/examples does)"""
    weight_by_gamma_t: bool = False
    """weight step t by γ^t, as the exact gradient of E[G_0] does; False drops it"""
    bootstrap_truncated: bool = True
    """when the time limit cuts an episode, G_t adds γ^(T-t) V(s_T) for the rewards
    it cut off (needs baseline="value"); False treats the cut as the episode's end"""
    batch_episodes: int = 1
    """episodes per update; 1 is classic REINFORCE"""
    init_std: float = 15.0
    """continuous actions only: the Gaussian policy's starting standard deviation"""
    solve_threshold: float = 475.0
    """solved when the running reward exceeds this (475 of 500 for CartPole-v1)"""
    running_weight: float = 0.05
    """running reward r ← weight · episode return + (1 - weight) · r"""
    running_start: float = 10.0
    """the running reward before the first episode (10, as in pytorch/examples)"""
    stop_when_solved: bool = True
    """stop training at the first episode whose running reward passes the threshold"""

    # --8<-- [end:config]

    def __post_init__(self) -> None:
        """Bad settings fail here, by name, not as a mess 1,000 episodes later."""

        def check(name: str, ok, rule: str) -> None:
            if not ok(getattr(self, name)):  # NaN fails every rule
                raise ValueError(f"{name} must be {rule}, got {getattr(self, name)!r}")

        for name in ("episodes", "learning_rate", "value_learning_rate", "init_std"):
            check(name, lambda v: v > 0, "> 0")
        check("batch_episodes", lambda v: isinstance(v, int) and v > 0, "an int > 0")
        check("gamma", lambda v: 0 <= v <= 1, "in [0, 1]")
        check("running_weight", lambda v: 0 < v <= 1, "in (0, 1]")
        check("baseline", lambda v: v in ("value", "none"), "'value' or 'none'")
        if self.bootstrap_truncated and self.baseline == "none":
            raise ValueError(
                "bootstrap_truncated needs baseline='value' (there is no V(s_T) to "
                "bootstrap from); pass bootstrap_truncated=False with baseline='none'"
            )
        check("hidden_sizes", lambda v: len(v) > 0 and min(v) > 0, "positive widths")
        for name in ("solve_threshold", "running_start"):
            check(name, np.isfinite, "finite")


# --8<-- [start:presets]
# The maze: one-hot states, a small network.  γ = 0.9 makes the shortest path
# clearly better than a detour; 8 episodes per update steady the estimate.
MAZE_CONFIG = ReinforceConfig(
    env_id="rlhf/GridWorld-v0",
    episodes=800,
    learning_rate=5e-3,
    gamma=0.9,
    hidden_sizes=(64,),
    batch_episodes=8,
    solve_threshold=0.9,  # the shortest path returns 0.95
    running_start=-1.0,
    stop_when_solved=False,
)
# Steering: one step per episode, so 32 episodes per update.
STEERING_CONFIG = ReinforceConfig(
    env_id=STEERING_ID,
    episodes=32 * 250,
    learning_rate=2e-2,
    gamma=1.0,
    hidden_sizes=(32,),
    batch_episodes=32,
    solve_threshold=-0.01,  # within 1° on average
    running_start=-10.0,
    stop_when_solved=False,
)
PRESETS = {MAZE_CONFIG.env_id: MAZE_CONFIG, STEERING_CONFIG.env_id: STEERING_CONFIG}
# --8<-- [end:presets]


# --8<-- [start:policies]
# mlp() is the Q-network's: Linear layers with a ReLU between them (DQN page).
class CategoricalPolicy(nn.Module):
    """Discrete actions: the network outputs one logit per action; softmax → π(a|s)."""

    def __init__(self, obs_dim: int, n_actions: int, hidden_sizes=(128,)) -> None:
        super().__init__()
        self.net = mlp(obs_dim, n_actions, hidden_sizes)

    def forward(self, obs: torch.Tensor) -> Categorical:
        logits = self.net(obs)  # (B, obs_dim) -> (B, n_actions)
        return Categorical(logits=logits)


class GaussianPolicy(nn.Module):
    """Continuous actions: the network outputs the mean; the std is one learned
    number per action dimension (it does not depend on the state)."""

    def __init__(self, obs_dim: int, act_dim: int, hidden_sizes=(32,), init_std=15.0):
        super().__init__()
        self.net = mlp(obs_dim, act_dim, hidden_sizes)
        # Learn log σ, not σ: any real number is a valid log σ, σ = exp(·) > 0.
        self.log_std = nn.Parameter(torch.full((act_dim,), float(np.log(init_std))))

    def forward(self, obs: torch.Tensor) -> Normal:
        mean = self.net(obs)  # (B, act_dim)
        return Normal(mean, self.log_std.exp().expand_as(mean))  # (B, act_dim) each


# --8<-- [start:play_episode]
def sample_action(policy: nn.Module, obs: np.ndarray, generator: torch.Generator):
    """Draw a ~ π(·|obs) with ``generator``, so the same seed gives the same actions.

    ``partial(sample_action, policy)`` is a policy for ``play_episode``, the loop
    every agent on the site plays its episodes with.
    """
    with torch.no_grad():
        dist = policy(torch.as_tensor(obs, dtype=torch.float32)[None])
        if isinstance(dist, Categorical):
            return int(torch.multinomial(dist.probs, 1, generator=generator).item())
        noise = torch.randn(dist.mean.shape, generator=generator)  # (1, act_dim)
        return (dist.mean + dist.stddev * noise)[0].numpy()  # (act_dim,)


# --8<-- [end:play_episode]


def log_prob(dist: Distribution, actions: torch.Tensor) -> torch.Tensor:
    """log π(a_t|s_t) per step, (T,); a Gaussian's dimensions are summed."""
    logp = dist.log_prob(actions)
    return logp if isinstance(dist, Categorical) else logp.sum(-1)


# --8<-- [end:policies]


# --8<-- [start:returns]
# --8<-- [start:batch_returns]
def batch_returns(
    episodes_rewards: list[list[float]],
    gamma: float,
    last_values: Sequence[float] | None = None,  # V(s_T) per episode, 0 if it ended
) -> torch.Tensor:
    """G_t for every step of every episode, concatenated: (T,) in all.

    An episode cut off by the time limit still had a future: ``last_values``
    gives the value V(s_T) of the state it was cut at, and each G_t gets
    γ^(T-t) V(s_T) more.  Example: rewards [1, 1] cut off where V = 10, γ = 0.5:
    G_1 = 1 + 0.5 * 10 = 6 and G_0 = 1 + 0.5 * 6 = 4.
    """
    G = []
    for i, rewards in enumerate(episodes_rewards):
        g = returns_to_go(rewards, gamma)  # (T_i,)
        if last_values is not None:
            # CRUCIAL: a time limit is not an ending (the rule of the Q-learning
            # pages).  Only a real end is worth 0 after it.
            g = g + gamma ** np.arange(len(rewards), 0, -1) * last_values[i]
        G.append(g)
    return torch.as_tensor(np.concatenate(G), dtype=torch.float32)  # (T,)


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
    """The weight Ψ_t each step's log-probability gets: G_t, minus V(s_t) if given.

    The episodes' steps are concatenated, (T,) in all.  ``normalize`` rescales
    the weights to mean 0, std 1 over the batch: a common trick (pytorch/examples)
    that keeps the step size steady, but not part of the gradient.  The mean and
    std come from the same samples, so it is a crude, slightly biased baseline.

    Example: rewards [1, 2, 4] with γ = 0.5 give G_t = [3, 4, 4]; with
    ``weight_by_gamma_t`` the weights are γ^t G_t = [3, 2, 1].
    """
    weights = batch_returns(episodes_rewards, gamma, last_values)  # (T,) G_t
    if values is not None:
        weights = weights - values.detach()  # (T,) G_t - V(s_t): a label, no gradient
    if weight_by_gamma_t:
        # Not a second discount: G_t discounts the rewards after step t, γ^t
        # discounts reaching step t at all.  Together: the gradient of E[G_0].
        t = torch.cat([torch.arange(len(r)) for r in episodes_rewards])  # (T,)
        weights = weights * gamma**t
    if normalize and len(weights) > 1:
        weights = (weights - weights.mean()) / (weights.std() + 1e-8)
    return weights  # (T,)


# --8<-- [end:reinforce_weights]
# --8<-- [end:returns]


# --8<-- [start:update]
def policy_loss(log_probs: torch.Tensor, weights: torch.Tensor, n_episodes: int):
    """-(1/N) Σ_episodes Σ_t weight_t log π(a_t|s_t): its gradient is -∇J."""
    # CRUCIAL: minus, because optimisers minimise and we want to climb J.
    return -(weights * log_probs).sum() / n_episodes  # log_probs, weights: (T,)


# --8<-- [end:update]


@dataclass(frozen=True, eq=False)
class ReinforceResult:
    """What a run produced: the trained policy and how it got there."""

    policy: nn.Module
    episode_returns: tuple[float, ...]  # every training episode, in order
    running_rewards: tuple[float, ...]  # the running reward after each episode
    episodes_to_solve: int | None  # first episode whose running reward > threshold
    wall_s: float


def value_at(value_net: nn.Module, obs) -> float:
    """V(obs) as a plain number."""
    with torch.no_grad():
        return float(value_net(torch.as_tensor(obs, dtype=torch.float32)[None]))


# --8<-- [start:train]
def train(cfg: ReinforceConfig, progress=False, on_update=None) -> ReinforceResult:
    """Train on ``cfg.env_id``: play ``batch_episodes`` episodes, update, repeat.
    ``on_update(policy)``, if given, looks at the policy after each update."""
    check_instance("cfg", cfg, ReinforceConfig, "a ReinforceConfig")
    started = time.perf_counter()
    torch.manual_seed(cfg.seed)  # the networks' initial weights
    generator = torch.Generator().manual_seed(cfg.seed)  # the sampled actions
    env = make_env(cfg.env_id)
    obs_dim = space_size(env.observation_space)
    policy: nn.Module
    if isinstance(env.action_space, gym.spaces.Discrete):
        policy = CategoricalPolicy(obs_dim, int(env.action_space.n), cfg.hidden_sizes)
    else:
        act_dim = space_size(env.action_space)
        policy = GaussianPolicy(obs_dim, act_dim, cfg.hidden_sizes, cfg.init_std)
    optimizer = torch.optim.Adam(policy.parameters(), lr=cfg.learning_rate)
    value_net = mlp(obs_dim, 1, cfg.hidden_sizes) if cfg.baseline == "value" else None
    if value_net is not None:
        value_opt = torch.optim.Adam(value_net.parameters(), lr=cfg.value_learning_rate)

    act = partial(sample_action, policy)  # π(·|obs), for the loop all agents share
    returns, running, solved_at, batch = [], [], None, []
    r = cfg.running_start
    bar = tqdm(range(cfg.episodes), "reinforce", disable=not progress, file=sys.stderr)
    for episode in bar:
        seed = cfg.seed if episode == 0 else None  # seed the env once, at the start
        batch.append(play_episode(env, act, generator, seed))
        returns.append(sum(batch[-1].rewards))
        r = cfg.running_weight * returns[-1] + (1 - cfg.running_weight) * r
        running.append(r)
        if solved_at is None and r > cfg.solve_threshold:
            solved_at = episode + 1
        bar.set_postfix(ret=round(returns[-1], 2), running=round(r, 2), refresh=False)
        if len(batch) == cfg.batch_episodes:
            obs = torch.as_tensor(np.concatenate([b.observations for b in batch]))
            acts = np.concatenate([b.actions for b in batch])  # (T,) or (T, act_dim)
            actions, rewards = torch.as_tensor(acts), [b.rewards for b in batch]
            values = None if value_net is None else value_net(obs).squeeze(-1)  # (T,)
            last_values = None
            if value_net is not None and cfg.bootstrap_truncated:
                # V(s_T) where the time limit cut an episode; 0 after a real end
                last_values = [
                    0.0 if b.terminated else value_at(value_net, b.final_obs)
                    for b in batch
                ]
            weights = reinforce_weights(
                rewards,
                cfg.gamma,
                values,
                cfg.normalize,
                cfg.weight_by_gamma_t,
                last_values,
            )
            loss = policy_loss(log_prob(policy(obs), actions), weights, len(batch))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if value_net is not None and values is not None:  # V(s_t) regresses on G_t
                target = batch_returns(rewards, cfg.gamma, last_values)  # (T,)
                value_loss = ((values - target) ** 2).mean()
                value_opt.zero_grad()
                value_loss.backward()
                value_opt.step()
            batch = []
            if on_update is not None:
                on_update(policy)
        if solved_at is not None and cfg.stop_when_solved:
            break
    env.close()
    return ReinforceResult(
        policy=policy,
        episode_returns=tuple(returns),
        running_rewards=tuple(running),
        episodes_to_solve=solved_at,
        wall_s=time.perf_counter() - started,
    )


# --8<-- [end:train]


def summary(cfg: ReinforceConfig, result: ReinforceResult) -> dict:
    """A run's outcome as plain JSON-able numbers (what the CLI prints)."""
    out = {
        "env_id": cfg.env_id,
        "seed": cfg.seed,
        "episodes": len(result.episode_returns),
        "episodes_to_solve": result.episodes_to_solve,
        "final_running_reward": round(result.running_rewards[-1], 4),
        "wall_s": round(result.wall_s, 2),
    }
    if isinstance(result.policy, GaussianPolicy):
        with torch.no_grad():
            first = result.policy.net[0]  # the first Linear layer: its input width
            assert isinstance(first, nn.Linear)
            obs = torch.ones(1, first.in_features)
            out["mean"] = round(float(result.policy(obs).mean[0, 0]), 4)
            out["std"] = round(float(result.policy.log_std.exp()[0]), 4)
    return out


def parse_config(argv: list[str] | None = None) -> ReinforceConfig:
    """The config the command line asks for: one flag per field (``--episodes
    500``); flags left out take the env's preset (``MAZE_CONFIG``,
    ``STEERING_CONFIG``), or the CartPole defaults."""
    check = lambda cfg: make_env(cfg.env_id).close()  # noqa: E731  (the env exists)
    return cli.parse_config(ReinforceConfig, argv, PRESETS, check)


def main(argv: list[str] | None = None) -> dict:
    cfg = parse_config(argv)
    return cli.print_summary(summary(cfg, train(cfg, progress=True)))


if __name__ == "__main__":
    torch.set_num_threads(1)  # small networks: one thread is faster and steadier
    main()
