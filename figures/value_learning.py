"""Figures and computed values for the value-learning chapters: Q-tables, Bellman targets, argmax's limits.

Every number comes from the snippets: the Q-tables are real Q-learning runs on the post's maze with the
defaults of ``QLearningConfig`` (α = 0.5, γ = 0.99, ε = 0.1) and the seed the build passes.
"""

from __future__ import annotations

from dataclasses import asdict
from functools import cache
from pathlib import Path

import gymnasium as gym
import numpy as np
from matplotlib import colormaps
from matplotlib.patches import Rectangle
from rl4rlhf.argmax_limits import (
    MOVE_NAMES,
    PAPER,
    ROCK,
    SCISSORS,
    UNIFORM,
    Counted,
    always,
    argmax_over_angles,
    best_response,
    expected_payoff,
    exploited_payoff,
    grid_size,
    play,
    sample_angle,
    scoring_costs,
)
from rl4rlhf.bellman import (
    BEST_Q_AT_B,
    GAMMA_TRAINING,
    POST_TARGET,
    PREDICTION,
    REWARD_A_RIGHT,
    GreedyTrap,
    bellman_target,
    greedy_on_immediate_reward,
    q_exact,
    ripple,
    td_loss,
    value_iteration,
)
from rl4rlhf.gridworld import ACTION_NAMES, MAZE, GridWorld
from rl4rlhf.qtable import QLearningConfig, episodes_to_optimal, greedy_policy, greedy_return, q_learning

from figures._style import INK, MUTED, PALETTE, new_figure, save

CONFIG = QLearningConfig()  # the page states these settings
WAVE_EPISODES = (1, 10, 100, 1000)
POST_POSITIONS = ((0, 0), (0, 1), (1, 2), (2, 3))  # the rows of the post's Q-tables
SEEDS = 10  # seeds seed, seed + 1, ..., seed + 9 for the episodes-to-optimal claim
RPS_GAMES = 10_000


@cache
def maze_run(seed: int, episodes: int):
    """One Q-learning run on the maze, with a snapshot of Q after every episode."""
    return q_learning(
        GridWorld(MAZE),
        episodes=episodes,
        alpha=CONFIG.alpha,
        gamma=CONFIG.gamma,
        epsilon=CONFIG.epsilon,
        seed=seed,
        snapshots=range(0, episodes + 1),
    )


@cache
def maze_optimality(seed: int) -> list[tuple[int, int | None, int | None]]:
    """Per seed: (seed, first episode after which greedy is optimal, episode from which it stays optimal)."""
    env, rows = GridWorld(MAZE), []
    for s in range(seed, seed + SEEDS):
        run = maze_run(s, CONFIG.episodes)
        first = episodes_to_optimal(env, run, CONFIG.gamma)
        optimal = greedy_return(env, run.q, CONFIG.gamma)  # does the last table's policy stay optimal?
        target = float(value_iteration(env, CONFIG.gamma).v[env.start_state])
        stays = None
        if np.isclose(optimal, target):
            stays = CONFIG.episodes
            while stays > 1 and np.isclose(greedy_return(env, run.snapshots[stays - 1], CONFIG.gamma), target):
                stays -= 1
        rows.append((s, first, stays))
    return rows


def fmt(x: float) -> str:
    """Two decimals, with no "-0.00"."""
    text = f"{x:.2f}"
    return "0.00" if text == "-0.00" else text


# ---------------------------------------------------------------------------------------------- Q-tables


def qtable_markdown(q: np.ndarray) -> str:
    env = GridWorld(MAZE)
    lines = ["| Position | up | down | left | right | greedy |", "|:---|---:|---:|---:|---:|:---|"]
    for row, col in POST_POSITIONS:
        values = q[env.to_state(row, col)]
        best = np.flatnonzero(values == values.max())
        greedy = ACTION_NAMES[best[0]] if len(best) == 1 else "tie: " + ", ".join(ACTION_NAMES[a] for a in best)
        lines.append(f"| ({row},{col}) | " + " | ".join(fmt(v) for v in values) + f" | {greedy} |")
    return "\n".join(lines)


def table_qtable_episode_1(seed: int) -> str:
    return qtable_markdown(maze_run(seed, max(WAVE_EPISODES)).snapshots[1])


def table_qtable_episode_100(seed: int) -> str:
    return qtable_markdown(maze_run(seed, max(WAVE_EPISODES)).snapshots[100])


def fig_q_value_wave(out_dir: Path, seed: int) -> Path:
    env = GridWorld(MAZE)
    run = maze_run(seed, max(WAVE_EPISODES))
    maps = []
    for episode in WAVE_EPISODES:
        v = run.snapshots[episode].max(axis=1).reshape(env.n_rows, env.n_cols)
        hidden = np.zeros_like(v, dtype=bool)
        for s in (*env.walls, env.goal_state):
            hidden[env.to_rowcol(s)] = True
        maps.append(np.ma.masked_array(v, hidden))
    low = min(float(m.min()) for m in maps)
    cmap = colormaps["viridis"].copy()
    cmap.set_bad("#3a404c")  # walls: the maze's dark slate
    fig, axes = new_figure(10.0, 3.0, ncols=len(WAVE_EPISODES))
    for ax, episode, grid in zip(axes, WAVE_EPISODES, maps, strict=True):
        image = ax.imshow(grid, cmap=cmap, vmin=min(low, 0.0), vmax=1.0)
        policy = greedy_policy(run.snapshots[episode])
        for s in range(env.n_rows * env.n_cols):
            r, c = env.to_rowcol(s)
            if s == env.goal_state:
                ax.add_patch(Rectangle((c - 0.5, r - 0.5), 1, 1, color="white"))
                ax.text(c, r, "G", ha="center", va="center", color=PALETTE[2], weight="bold", fontsize=13)
            elif s not in env.walls:
                value = grid[r, c]
                colour = "white" if value < 0.5 * (low + 1.0) else INK
                ax.text(c, r - 0.12, fmt(value), ha="center", va="center", fontsize=7.5, color=colour)
                ax.text(c, r + 0.25, "↑↓←→"[policy[s]], ha="center", va="center", fontsize=8, color=colour)
        ax.set_xticks([]), ax.set_yticks([])
        ax.grid(False)
        ax.set_title(f"after episode {episode}", fontsize=10)
    fig.colorbar(image, ax=axes, shrink=0.85, label="max$_a$ Q(s, a)")
    fig.suptitle("The wave: value spreads back from the goal (number: max Q, arrow: greedy action)", fontsize=10)
    return save(fig, out_dir, "q_value_wave")


def num_q_value_wave_alt(seed: int) -> str:
    """The wave figure's alt text, with the numbers of the run it draws."""
    env = GridWorld(MAZE)
    run = maze_run(seed, max(WAVE_EPISODES))
    free = [s for s in range(env.observation_space.n) if s not in env.walls and s != env.goal_state]

    def v(episode: int) -> np.ndarray:
        return run.snapshots[episode].max(axis=1)[free]  # (open cells,) max_a Q

    first = v(1)
    positive = [(env.to_rowcol(s), first[i]) for i, s in enumerate(free) if first[i] > 0]
    cells = ", ".join(f"({r},{c}): {fmt(x)}" for (r, c), x in positive)
    ten = v(10)[v(10) > 0]
    last = v(max(WAVE_EPISODES))
    start = env.start_state
    return (
        "Four heatmaps of the 4x4 maze after episodes 1, 10, 100 and 1000 of Q-learning, each open cell showing "
        f"max over a of Q(s, a) and its greedy arrow. After episode 1, {_cells(len(positive))} a positive "
        f"value ({cells}); after 10, {_cells(len(ten))} a positive value, from {fmt(ten.min())} to "
        f"{fmt(ten.max())}; after 100 the start cell holds {fmt(run.snapshots[100][start].max())}; after 1000 "
        f"every open cell holds a value between {fmt(last.min())} and {fmt(last.max())}"
    )


def _cells(n: int) -> str:
    return "1 cell holds" if n == 1 else f"{n} cells hold"


WAVE_DECIMALS = 2  # what the wave widget shows, as the static figure does


def data_q_learning_wave(seed: int) -> dict:
    """The wave widget's data: every episode, 0 to 1000, of the run ``fig_q_value_wave`` draws.

    ``v[e]``: max_a Q of every cell (row-major) after episode ``e`` (0: before any), rounded as shown;
    ``greedy[e]``: ``greedy_policy`` of that Q (0 up, 1 down, 2 left, 3 right; ties to the lowest);
    ``returns[e - 1]`` and ``lengths[e - 1]``: the undiscounted return and the steps of episode ``e``.
    """
    env = GridWorld(MAZE)
    episodes = max(WAVE_EPISODES)
    run = maze_run(seed, episodes)

    def rounded(x: float) -> float:
        return round(float(x), WAVE_DECIMALS) + 0.0  # + 0.0: no -0.0

    snapshots = [run.snapshots[e] for e in range(episodes + 1)]
    return {
        "rows": env.n_rows,
        "cols": env.n_cols,
        "start": int(env.start_state),
        "goal": int(env.goal_state),
        "walls": sorted(int(s) for s in env.walls),
        "decimals": WAVE_DECIMALS,
        "marked": list(WAVE_EPISODES),
        "actions": list(ACTION_NAMES),
        "v": [[rounded(x) for x in q.max(axis=1)] for q in snapshots],
        "greedy": [[int(a) for a in greedy_policy(q)] for q in snapshots],
        "returns": [rounded(r) for r in run.episode_returns],
        "lengths": [int(n) for n in run.episode_lengths],
    }


# ------------------------------------------------------------------------------------- episodes to optimal


def num_maze_optimal_value_gamma_099(seed: int) -> str:
    """The true value of the start cell with the page's γ = 0.99 (value iteration)."""
    config = QLearningConfig()
    return f"{value_iteration(GridWorld(MAZE), gamma=config.gamma).v[0]:.2f}"


def num_maze_episodes_to_optimal_median(seed: int) -> str:
    firsts = [first for _, first, _ in maze_optimality(seed) if first is not None]
    if len(firsts) < SEEDS:
        raise RuntimeError(f"only {len(firsts)} of {SEEDS} seeds reached the optimal policy")
    return f"{np.median(firsts):g}"


def num_maze_seeds_optimal_within_100(seed: int) -> str:
    hits = sum(first is not None and first <= 100 for _, first, _ in maze_optimality(seed))
    return f"{hits} of {SEEDS}"


def table_maze_episodes_to_optimal(seed: int) -> str:
    lines = [
        "| seed | greedy policy first optimal after episode | stays optimal (through episode 100) from episode |",
        "|---:|---:|---:|",
    ]
    for s, first, stays in maze_optimality(seed):
        lines.append(f"| {s} | {first if first is not None else 'never'} | {stays if stays is not None else 'no'} |")
    return "\n".join(lines)


# ------------------------------------------------------------------------- what Q-learning estimates


def epsilon_greedy_probs(q: np.ndarray, epsilon: float) -> np.ndarray:
    """π(a|s) of ε-greedy on ``q`` as ``epsilon_greedy`` plays it: ε spread evenly, 1 - ε split
    among the tied best actions. (n_states, n_actions)."""
    best = np.isclose(q, q.max(axis=1, keepdims=True))
    return epsilon / q.shape[1] + (1 - epsilon) * best / best.sum(axis=1, keepdims=True)


def table_q_learning_estimates(seed: int) -> str:
    """At the start cell: Q*, what Q-learning learned, and the exact values of the ε-greedy policy it played."""
    env = GridWorld(MAZE)
    q_star = value_iteration(env, CONFIG.gamma).q
    q_eps = q_exact(env, epsilon_greedy_probs(q_star, CONFIG.epsilon), CONFIG.gamma)
    learned = maze_run(seed, max(WAVE_EPISODES)).q
    start = env.start_state
    lines = [
        f"| action at the start | Q*(s, a), exact | Q-learning's Q(s, a) after {max(WAVE_EPISODES):,} episodes "
        f"| Q^π(s, a) of the ε-greedy policy (ε = {CONFIG.epsilon}), exact |",
        "|:---|---:|---:|---:|",
    ]
    for a, name in enumerate(ACTION_NAMES):
        lines.append(f"| {name} | {fmt(q_star[start, a])} | {fmt(learned[start, a])} | {fmt(q_eps[start, a])} |")
    # The page's claim: what Q-learning learned at the start is Q*, not the ε-greedy policy's values.
    assert np.abs(learned[start] - q_star[start]).max() < 0.01, (learned[start], q_star[start])
    assert (np.abs(learned[start] - q_eps[start]) > 0.1).all(), (learned[start], q_eps[start])
    return "\n".join(lines)


class CountingEnv(gym.Wrapper):
    """Counts how often each action is taken in each state, without changing anything."""

    def __init__(self, env: gym.Env) -> None:
        super().__init__(env)
        self.tries = np.zeros((env.observation_space.n, env.action_space.n), dtype=np.int64)
        self._state = 0

    def reset(self, **kwargs):
        self._state, info = self.env.reset(**kwargs)
        return self._state, info

    def step(self, action):
        self.tries[self._state, action] += 1
        out = self.env.step(action)
        self._state = out[0]
        return out


@cache
def exploration_counts(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(tries per state and action, final Q) of one run of the page's Q-learning settings."""
    env = CountingEnv(GridWorld(MAZE))
    run = q_learning(env, **{**asdict(CONFIG), "seed": seed})
    return env.tries, run.q


def table_q_learning_tries(seed: int) -> str:
    tries, q = exploration_counts(seed)
    start = GridWorld(MAZE).start_state
    lines = [
        f"| action at the start | times tried in {CONFIG.episodes} episodes | Q(start, a) after them |",
        "|:---|---:|---:|",
    ]
    for a, name in enumerate(ACTION_NAMES):
        lines.append(f"| {name} | {tries[start, a]:,} | {fmt(q[start, a])} |")
    # The page's claim: the actions with negative Q (the bumps) are still tried, again and again.
    bumps = [a for a in range(len(ACTION_NAMES)) if q[start, a] < 0]
    assert bumps and all(tries[start, a] >= 2 for a in bumps), tries[start]
    return "\n".join(lines)


def num_q_learning_episodes(seed: int) -> str:
    return f"{CONFIG.episodes:,}"


def num_q_learning_pairs_tried(seed: int) -> str:
    """How many of the (cell, action) pairs the agent can meet it tried at least once."""
    tries, _ = exploration_counts(seed)
    env = GridWorld(MAZE)
    cells = [s for s in range(env.observation_space.n) if s not in env.walls and s != env.goal_state]
    tried = int((tries[cells] > 0).sum())
    return f"{tried} of {len(cells) * env.action_space.n}"


# ---------------------------------------------------------------------------------------- the post's numbers


def num_bellman_target_gamma_1(seed: int) -> str:
    return f"{bellman_target(REWARD_A_RIGHT, [BEST_Q_AT_B], gamma=1.0):.2f}"


def num_bellman_target_gamma_099(seed: int) -> str:
    return f"{bellman_target(REWARD_A_RIGHT, [BEST_Q_AT_B], gamma=GAMMA_TRAINING):.3f}"


def num_bellman_target_gamma_099_rounded(seed: int) -> str:
    return f"{bellman_target(REWARD_A_RIGHT, [BEST_Q_AT_B], gamma=GAMMA_TRAINING):.2f}"


def num_td_loss_post(seed: int) -> str:
    return f"{td_loss(PREDICTION, POST_TARGET):.4f}"


def num_td_loss_post_rounded(seed: int) -> str:
    return f"{td_loss(PREDICTION, POST_TARGET):.2f}"


def num_td_loss_unrounded(seed: int) -> str:
    target = bellman_target(REWARD_A_RIGHT, [BEST_Q_AT_B], gamma=GAMMA_TRAINING)
    return f"{td_loss(PREDICTION, target):.4f}"


# --------------------------------------------------------------------------------------------- greedy trap


def table_greedy_trap(seed: int) -> str:
    env = GreedyTrap()
    env.reset(seed=seed)
    q = value_iteration(env, gamma=1.0).q[GreedyTrap.DECISION]
    greedy = greedy_on_immediate_reward(env, GreedyTrap.DECISION)
    best = int(np.argmax(q))
    then = {0: "rough terrain, then the goal (+5.20)", 1: "dead end: the episode is over"}
    lines = [
        "| action at (1,1) | immediate reward | what follows | $Q(s, a)$, γ = 1 | picked by |",
        "|:---|---:|:---|---:|:---|",
    ]
    for a in range(env.action_space.n):
        reward = env.P[GreedyTrap.DECISION][a][0][2]
        pickers = [name for name, pick in (("greedy on reward", greedy), ("argmax Q", best)) if pick == a]
        lines.append(f"| {ACTION_NAMES[a]} | {reward:+.2f} | {then[a]} | {q[a]:+.2f} | {', '.join(pickers) or '—'} |")
    return "\n".join(lines)


# ------------------------------------------------------------------------------------ rock-paper-scissors


def table_rps(seed: int) -> str:
    policies = {
        "always rock": always(ROCK),
        "always paper": always(PAPER),
        "always scissors": always(SCISSORS),
        "uniform 1/3 each": UNIFORM,
    }
    lines = [
        "| my policy | vs rock | vs paper | vs scissors | opponent's best response | payoff per game against it "
        f"| simulated, {RPS_GAMES:,} games |",
        "|:---|---:|---:|---:|:---|---:|---:|",
    ]
    for i, (name, policy) in enumerate(policies.items()):
        versus = [expected_payoff(policy, always(m)) for m in (ROCK, PAPER, SCISSORS)]
        reply = best_response(policy)
        simulated = play(policy, always(reply), RPS_GAMES, seed=seed + i)
        reply_name = MOVE_NAMES[reply] + (" (all tie)" if np.allclose(versus, versus[0]) else "")
        lines.append(
            f"| {name} | "
            + " | ".join(f"{x:+.2f}" for x in versus)
            + f" | {reply_name} | {exploited_payoff(policy):+.2f} | {simulated:+.3f} |"
        )
    return "\n".join(lines)


def num_ripple_value_1(seed: int) -> str:
    return fmt(ripple(5)[0])  # the cell next to the goal


def num_ripple_value_2(seed: int) -> str:
    return fmt(ripple(5)[1])  # two steps from the goal


def num_ripple_value_4(seed: int) -> str:
    return fmt(ripple(5)[3])


def num_ripple_value_5(seed: int) -> str:
    return fmt(ripple(5)[4])


# ------------------------------------------------------------------------------------------ scoring cost

SPACE_NAMES = {4: "maze", 18: "Atari", 50_000: "LLM vocabulary"}


def table_scoring_cost(seed: int) -> str:
    lines = [
        "| action space | actions | to act by argmax over Q | to act with a policy |",
        "|:---|---:|:---|:---|",
    ]
    for row in scoring_costs(seed=seed):
        if row["kind"] == "discrete":
            name = SPACE_NAMES.get(row["actions"], "discrete")
            argmax = f"{row['argmax']:,} Q-values, then max"
            policy = f"{row['policy']:,} logits, then sample"
        else:
            name = "steering angle 0–45°, " + row["kind"].removeprefix("angle, ")
            argmax = f"{row['argmax']:,} evaluations of Q(s, a)"
            policy = f"{row['policy']} forward pass: (mean, std), then sample"
        lines.append(f"| {name} | {row['actions']:,} | {argmax} | {policy} |")
    lines.append(
        "| steering angle, any real value | ∞ | no exhaustive argmax: a learned actor (DDPG, TD3, SAC) or a "
        "sampled search (QT-Opt) | 1 forward pass: (mean, std), then sample |"
    )
    return "\n".join(lines)


SCORING_GRID_STEPS = ("1", "0.1", "0.01", "0.001")


def num_scoring_cost_grid_counts(seed: int) -> str:
    """The argmax evaluations the figure counts, one per grid: "46, 451, 4,501 and 45,001"."""
    counts = []
    for step in SCORING_GRID_STEPS:
        critic = Counted(lambda angle: -((angle - 23.5) ** 2))
        argmax_over_angles(critic, 0, 45, step)
        counts.append(f"{critic.calls:,}")
    return ", ".join(counts[:-1]) + " and " + counts[-1]


def fig_scoring_cost(out_dir: Path, seed: int) -> Path:
    steps = SCORING_GRID_STEPS
    rng = np.random.default_rng(seed)
    sizes, q_calls, policy_calls = [], [], []
    for step in steps:  # measured by counting calls, as in scoring_costs()
        critic, policy = Counted(lambda angle: -((angle - 23.5) ** 2)), Counted(lambda: (23.5, 2.0))
        argmax_over_angles(critic, 0, 45, step)
        sample_angle(policy, rng)
        sizes.append(grid_size(0, 45, step))
        q_calls.append(critic.calls)
        policy_calls.append(policy.calls)
    fig, ax = new_figure(6.4, 3.4)
    ax.loglog(sizes, q_calls, marker="o", color=PALETTE[3], label="argmax over Q: one Q(s, a) per candidate angle")
    ax.loglog(sizes, policy_calls, marker="s", color=PALETTE[0], label="Gaussian policy: one forward pass")
    for n, calls, step in zip(sizes, q_calls, steps, strict=True):
        ax.annotate(
            f"{step}° grid: {calls:,}", (n, calls), textcoords="offset points", xytext=(7, -3), va="top", fontsize=8
        )
    ax.set_xlim(25, 4e5)
    ax.set_ylim(0.5, 4e5)
    ax.set_xlabel("candidate angles in 0–45° (finer grid →)")
    ax.set_ylabel("evaluations to pick one action")
    ax.legend(loc="upper left", fontsize=8.5)
    ax.set_title("Continuous actions: the cost of argmax grows with the resolution", fontsize=11)
    ax.text(0.99, 0.12, "counted calls, not timings", transform=ax.transAxes, ha="right", fontsize=8, color=MUTED)
    return save(fig, out_dir, "scoring_cost")
