"""Tabular Q-learning: learn a table of Q(s, a) by playing, one Bellman update per step.

The agent starts knowing nothing (every Q is 0), explores with ε-greedy, and
after every step moves Q(s, a) a fraction α of the way toward the Bellman
target r + γ max_a' Q(s', a').  Good values spread backwards from the goal,
one step further with each visit, until the greedy policy, argmax_a Q(s, a),
is optimal.

Run ``python -m rl4rlhf.qtable`` to train on the maze and see how many
episodes it takes.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from numbers import Integral, Real
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from rl4rlhf._checks import check_gamma, check_int
from rl4rlhf.bellman import bellman_target, value_iteration
from rl4rlhf.cli import config_from, config_parser, print_summary
from rl4rlhf.gridworld import ACTION_NAMES, MAZE, GridWorld
from tqdm import tqdm


# --8<-- [start:config]
@dataclass(frozen=True)
class QLearningConfig:
    """Everything that decides a Q-learning run (the values the pages use)."""

    episodes: int = 100
    """How many episodes to play; each ends when the environment says so."""
    alpha: float = 0.5
    """Learning rate α in (0, 1]: how far one update moves Q toward its target."""
    gamma: float = 0.99
    """Discount γ in [0, 1]: how much the next state's value counts."""
    epsilon: float = 0.1
    """Exploration rate ε in [0, 1]: the chance of a uniformly random action."""
    seed: int = 0
    """Seeds the exploration and the first ``env.reset``: same seed, same run."""

    # --8<-- [end:config]

    def __post_init__(self) -> None:
        settings = (self.episodes, self.alpha, self.gamma, self.epsilon, self.seed)
        episodes, seed = _check_settings(*settings)
        object.__setattr__(self, "episodes", episodes)  # plain ints, numpy's or not
        object.__setattr__(self, "seed", seed)


# --8<-- [start:epsilon_greedy]
def epsilon_greedy(q_row: np.ndarray, epsilon: float, rng: np.random.Generator) -> int:
    """Explore with probability ε, else pick a best action; ties broken at random.

    Example: with all-zero Q (nothing learned yet) every action is "best", so
    the agent walks at random instead of always trying action 0:

        >>> rng = np.random.default_rng(0)
        >>> sorted({epsilon_greedy(np.zeros(4), 0.0, rng) for _ in range(50)})
        [0, 1, 2, 3]
    """
    if rng.random() < epsilon:
        return int(rng.integers(len(q_row)))  # explore: any action
    # CRUCIAL: break ties at random. np.argmax returns the FIRST maximum, so on
    # an all-zero table it would pick action 0 (up) every time and never learn.
    best = np.flatnonzero(q_row == q_row.max())
    return int(rng.choice(best))


# --8<-- [end:epsilon_greedy]


# --8<-- [start:update]
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
    """One Q-learning step: Q(s, a) += α (target - Q(s, a)); return the TD error.

    Example: Q(s, a) = 0.50, r = -0.01, max_a' Q(s', a') = 0.90, γ = 0.99 and
    α = 0.5: the target is 0.881 and Q(s, a) becomes 0.50 + 0.5 * 0.381 = 0.6905.

        >>> q = np.array([[0.50, 0.00], [0.90, 0.20]])  # states s = 0 and s' = 1
        >>> round(td_update(q, 0, 0, -0.01, 1, False, alpha=0.5, gamma=0.99), 4)
        0.381
        >>> round(float(q[0, 0]), 4)
        0.6905
    """
    # CRUCIAL: only `terminated` stops the bootstrap. A truncated episode (out
    # of time) still had a future, so its last step bootstraps like any other.
    target = bellman_target(reward, q[next_state], gamma, terminated)
    td_error = target - float(q[state, action])
    q[state, action] += alpha * td_error  # a fraction α of the way to the target
    return td_error


# --8<-- [end:update]


@dataclass(frozen=True)
class QLearningResult:
    """What a Q-learning run learned, and how its episodes went."""

    q: np.ndarray  # the final table, shape (n_states, n_actions)
    episode_returns: np.ndarray  # undiscounted return of every episode
    episode_lengths: np.ndarray  # steps of every episode
    snapshots: dict[int, np.ndarray]  # episode number -> copy of Q after it

    def __post_init__(self) -> None:
        for array in (self.q, self.episode_returns, self.episode_lengths):
            array.flags.writeable = False  # a finished run is a record: read-only
        for array in self.snapshots.values():
            array.flags.writeable = False


# --8<-- [start:q_learning]
def q_learning(
    env: gym.Env,
    *,
    episodes: int = QLearningConfig.episodes,
    alpha: float = QLearningConfig.alpha,
    gamma: float = QLearningConfig.gamma,
    epsilon: float = QLearningConfig.epsilon,
    seed: int = QLearningConfig.seed,
    snapshots: Iterable[int] = (),
    progress: bool = False,
) -> QLearningResult:
    """Learn Q by playing ``episodes`` episodes of ε-greedy in ``env``.

    ``snapshots`` lists episode numbers after which to keep a copy of Q (0:
    before the first).  ``env`` needs Discrete spaces and must end its episodes.
    Q = 0 starts below the maze's optimal values, yet each move tried early drops
    below 0 by its cost, so the untried ones, still 0, look best: they get tried.
    """
    cfg = QLearningConfig(episodes, alpha, gamma, epsilon, seed)  # bad ones fail here
    n_states, n_actions, keep = _check_run(env, snapshots, cfg.episodes)
    rng = np.random.default_rng(cfg.seed)  # all of the agent's randomness
    q = np.zeros((n_states, n_actions))  # start knowing nothing
    saved = {0: q.copy()} if 0 in keep else {}
    returns, lengths = np.zeros(cfg.episodes), np.zeros(cfg.episodes, dtype=np.int64)
    bar = tqdm(range(cfg.episodes), "Q-learning", disable=not progress, file=sys.stderr)
    for episode in bar:
        # Seed the environment once, on the first reset; later resets continue
        # its random stream (the Gymnasium convention).
        state, _ = env.reset(seed=cfg.seed if episode == 0 else None)
        terminated = truncated = False
        while not (terminated or truncated):
            action = epsilon_greedy(q[state], cfg.epsilon, rng)
            next_state, reward, terminated, truncated, _ = env.step(action)
            reward = float(reward)
            td_update(
                q, state, action, reward, next_state, terminated, cfg.alpha, cfg.gamma
            )
            returns[episode] += reward
            lengths[episode] += 1
            state = next_state
        if episode + 1 in keep:
            saved[episode + 1] = q.copy()
    return QLearningResult(q, returns, lengths, saved)


# --8<-- [end:q_learning]


# --8<-- [start:greedy_policy]
def greedy_policy(q: np.ndarray) -> np.ndarray:
    """The best action in every state: π(s) = argmax_a Q(s, a); ties go to the
    lowest action number (UP, then DOWN, LEFT, RIGHT).

        >>> greedy_policy(np.array([[0.1, 0.3, 0.0, 0.2], [0.0, 0.0, 0.0, 0.0]]))
        array([1, 0])
    """
    return np.argmax(q, axis=1)


# --8<-- [end:greedy_policy]


def greedy_return(
    env: gym.Env, q: np.ndarray, gamma: float, max_steps: int = 10_000
) -> float:
    """Play the greedy policy of ``q`` once from ``env.reset()``; its discounted return.

    One episode, so this is *the* return of the policy only in a deterministic
    environment (the maze, FrozenLake with ``is_slippery=False``).  Stops after
    ``max_steps`` moves if the environment never ends the episode.
    """
    gamma = check_gamma(gamma)
    n_states, _ = _check_discrete(env)
    policy = greedy_policy(_check_q_table(q))
    if len(policy) != n_states:
        raise ValueError(
            f"q must have a row per state of env ({n_states}), got {len(policy)}"
        )
    state, _ = env.reset()
    total, discount = 0.0, 1.0
    for _ in range(check_int("max_steps", max_steps, minimum=1)):
        state, reward, terminated, truncated, _ = env.step(int(policy[state]))
        total += discount * float(reward)
        discount *= gamma
        if terminated or truncated:
            break
    return total


def episodes_to_optimal(env: gym.Env, run: QLearningResult, gamma: float) -> int | None:
    """The first episode after which the greedy policy earns the optimal return.

    ``run`` must hold a snapshot after every episode
    (``q_learning(..., snapshots=range(1, episodes + 1))``).  Plays the greedy
    policy of each snapshot with ``greedy_return`` and compares it with the
    optimal return from value iteration, V*(start).  None if no snapshot is
    optimal.  Assumes a deterministic environment with a single start state.
    """
    if not isinstance(run, QLearningResult):
        raise TypeError(f"run must be a QLearningResult, got {type(run).__name__}")
    episodes = len(run.episode_returns)
    missing = sorted(set(range(1, episodes + 1)) - set(run.snapshots))
    if missing:
        raise ValueError(
            f"run must have a snapshot after every episode; missing {missing[:3]}... "
            "(pass snapshots=range(1, episodes + 1) to q_learning)"
        )
    optimal = optimal_return(env, gamma)
    checked: dict[bytes, bool] = {}  # the greedy policy changes rarely: play each once
    for episode in range(1, episodes + 1):
        q = run.snapshots[episode]
        key = greedy_policy(q).tobytes()
        if key not in checked:
            checked[key] = bool(np.isclose(greedy_return(env, q, gamma), optimal))
        if checked[key]:
            return episode
    return None


def optimal_return(env: gym.Env, gamma: float) -> float:
    """V*(start) from value iteration: the best return from ``env.reset()``'s state."""
    start, _ = env.reset()
    return float(value_iteration(env, gamma).v[start])


# Input checks.  Nothing is clamped or coerced quietly: bad input raises an
# error that names the parameter.


def _check_discrete(env: gym.Env) -> tuple[int, int]:
    """(n_states, n_actions) of ``env``, or TypeError if its spaces are not Discrete."""
    for name in ("observation_space", "action_space"):
        space = getattr(env, name, None)
        if not isinstance(space, spaces.Discrete):
            raise TypeError(
                f"env must have a Discrete {name} for a Q-table, "
                f"got {type(space).__name__}"
            )
    states, actions = env.observation_space, env.action_space
    assert isinstance(states, spaces.Discrete) and isinstance(actions, spaces.Discrete)
    return int(states.n), int(actions.n)


def _check_settings(
    episodes: int, alpha: float, gamma: float, epsilon: float, seed: int
) -> tuple[int, int]:
    """(episodes, seed) as plain ints; TypeError / ValueError naming a bad setting."""
    for name, value in (("episodes", episodes), ("seed", seed)):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, Integral):
            raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if episodes < 1:
        raise ValueError(f"episodes must be at least 1, got {episodes}")
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    for name, number in (("alpha", alpha), ("gamma", gamma), ("epsilon", epsilon)):
        if isinstance(number, (bool, np.bool_)) or not isinstance(number, Real):
            kind = type(number).__name__
            raise TypeError(f"{name} must be a real number, got {kind}")
    if not 0.0 < alpha <= 1.0:  # also False for NaN
        raise ValueError(f"alpha must be in (0, 1], got {alpha!r}")
    if not 0.0 <= gamma <= 1.0:
        raise ValueError(f"gamma must be in [0, 1], got {gamma!r}")
    if not 0.0 <= epsilon <= 1.0:
        raise ValueError(f"epsilon must be in [0, 1], got {epsilon!r}")
    return int(episodes), int(seed)


def _check_run(env: gym.Env, snapshots: Iterable[int], episodes: int):
    """(n_states, n_actions, the snapshots to keep) for a Q-learning run."""
    return (*_check_discrete(env), _check_snapshots(snapshots, episodes))


def _check_snapshots(snapshots: Iterable[int], episodes: int) -> frozenset[int]:
    """The episode numbers to keep Q after, each checked to be in 0..episodes."""
    if isinstance(snapshots, (str, bytes)) or not isinstance(snapshots, Iterable):
        raise TypeError(
            f"snapshots must be an iterable of episode numbers, "
            f"got {type(snapshots).__name__}"
        )
    keep: set[int] = set()
    for n in snapshots:
        if isinstance(n, (bool, np.bool_)) or not isinstance(n, Integral):
            raise TypeError(f"snapshots must hold ints, got {type(n).__name__} {n!r}")
        if not 0 <= n <= episodes:
            raise ValueError(f"snapshots must be in 0..episodes={episodes}, got {n}")
        keep.add(int(n))
    return frozenset(keep)


def _check_q_table(q: np.ndarray) -> np.ndarray:
    """Return ``q`` as a 2-D float array (states x actions), or raise."""
    if not isinstance(q, np.ndarray):
        raise TypeError(f"q must be a numpy array, got {type(q).__name__}")
    if q.dtype.kind not in "iuf":
        raise TypeError(f"q must hold real numbers, got dtype {q.dtype}")
    if q.ndim != 2 or 0 in q.shape:
        raise ValueError(f"q must be 2-D, (n_states, n_actions), got shape {q.shape}")
    if not np.isfinite(q).all():
        raise ValueError("q must be finite")
    return q


def _parse_layout(text: str) -> tuple[str, ...]:
    """``"S...,.#..,..#.,...G"`` -> the layout tuple GridWorld takes."""
    return tuple(text.split(","))


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Train on a maze; report when the greedy policy became optimal (JSON last)."""
    parser = config_parser(QLearningConfig)
    parser.add_argument(
        "--layout", type=_parse_layout, default=MAZE, help="rows joined by commas"
    )
    args = parser.parse_args(argv)
    maze = lambda _: GridWorld(args.layout)  # noqa: E731  (a bad layout: one line, exit 2)
    config = config_from(parser, args, QLearningConfig, check=maze)
    env = GridWorld(args.layout)

    start = time.perf_counter()
    every_episode = range(1, config.episodes + 1)
    run = q_learning(env, **asdict(config), snapshots=every_episode, progress=True)
    wall_s = time.perf_counter() - start
    first = episodes_to_optimal(env, run, config.gamma)
    arrows = dict(zip(ACTION_NAMES, "↑↓←→", strict=True))
    policy = greedy_policy(run.q)
    for row in range(env.n_rows):
        cells = []
        for col in range(env.n_cols):
            s = env.to_state(row, col)
            char = env.layout[row][col]
            cells.append(char if char in "#G" else arrows[ACTION_NAMES[policy[s]]])
        print("".join(cells))
    summary = {
        "episodes": config.episodes,
        "episodes_to_optimal": first,
        "greedy_return": round(greedy_return(env, run.q, config.gamma), 6),
        "optimal_return": round(optimal_return(env, config.gamma), 6),
        "wall_s": round(wall_s, 3),
        "seed": config.seed,
    }
    return print_summary(summary)


if __name__ == "__main__":
    main()
