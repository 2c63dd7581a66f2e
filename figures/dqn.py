"""Figures and values for the DQN chapter, from real training runs of snippets/dqn.py.

The CartPole runs take a while, so each run's outcome is kept on disk under
``.cache/artifacts/runs/``, one JSON per run, keyed by the run's config and the code that trains
it. The learning-curve figure and the seeds table show the same three runs: whichever of them is
built first trains them, the other reads them back (a lock makes a concurrent build wait rather
than train twice).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
from rl4rlhf.bellman import value_iteration
from rl4rlhf.dqn import MAZE_CONFIG, DQNConfig, summary, train
from rl4rlhf.envs import OneHot
from rl4rlhf.gridworld import GridWorld

from figures import _runs
from figures._style import INK, MUTED, PALETTE, new_figure, save

BLUE, ORANGE, GREEN = PALETTE[0], PALETTE[1], PALETTE[2]
N_SEEDS = 3  # the figure and the table show seeds seed, seed + 1, seed + 2


# ------------------------------------------------------------------------------- memoised runs


def run_path(cfg: DQNConfig) -> Path:
    """Where the outcome of training ``cfg`` is kept: named by config, code and library versions."""
    return _runs.run_path("dqn", cfg, "rl4rlhf.dqn")


def dqn_run(cfg: DQNConfig) -> dict:
    """The summary of training ``cfg`` (see ``rl4rlhf.dqn.summary``); trains only the first time."""
    return _runs.memoised_run(run_path(cfg), lambda: summary(cfg, train(cfg)))


def cartpole_runs(seed: int) -> list[dict]:
    """The page's CartPole runs: the default config (50,000 steps) for seeds seed .. seed + 2."""
    return _runs.each_run(dqn_run, [DQNConfig(seed=s) for s in range(seed, seed + N_SEEDS)])


# ------------------------------------------------------------------------------- CartPole


def fig_dqn_learning_curve(out_dir: Path, seed: int) -> Path:
    runs = cartpole_runs(seed)
    cfg = DQNConfig()
    steps = np.array([s for s, _ in runs[0]["eval_history"]])
    means = np.array([[m for _, m in run["eval_history"]] for run in runs])  # (seeds, evals)
    fig, ax = new_figure(7.0, 4.2)
    for run, curve in zip(runs, means, strict=True):
        ax.plot(steps, curve, color=BLUE, alpha=0.3, lw=1, marker="o", markersize=2.5)
        label = f"seed {run['seed']}"
        ax.annotate(label, (steps[-1], curve[-1]), xytext=(4, 0), textcoords="offset points", fontsize=7.5, color=MUTED)
    band = f"min–max over {len(runs)} seeds"
    ax.fill_between(steps, means.min(0), means.max(0), color=BLUE, alpha=0.12, lw=0, label=band)
    ax.plot(steps, means.mean(0), color=BLUE, lw=2.2, marker="o", markersize=3.5, label="mean")
    ax.axhline(cfg.solve_threshold, color=ORANGE, ls="--", lw=1.3, label=f"solved: {cfg.solve_threshold:g}")
    ax.set_xlim(0, cfg.total_steps * 1.06)
    ax.set_ylim(0, 520)
    ax.set_xlabel("environment steps")
    ax.set_ylabel("greedy return (max 500)")
    ax.xaxis.set_major_formatter(lambda x, _: f"{x / 1000:g}k" if x else "0")
    fig.legend(loc="outside lower center", ncols=3, fontsize=9.5)
    ax.set_title(
        f"DQN on CartPole-v1: mean greedy return over {cfg.eval_episodes} evaluation episodes,\n"
        f"every {cfg.eval_every:,} steps, seeds {runs[0]['seed']}–{runs[-1]['seed']}",
        fontsize=11,
    )
    return save(fig, out_dir, "dqn_learning_curve")


def table_dqn_cartpole_seeds(seed: int) -> str:
    runs = cartpole_runs(seed)
    cfg = DQNConfig()
    lines = [
        f"| seed | steps to reach {cfg.solve_threshold:g} | best eval | final eval | training episodes |",
        "|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        reached = f"{run['steps_to_solve']:,}" if run["steps_to_solve"] is not None else "not reached"
        lines.append(
            f"| {run['seed']} | {reached} | {run['best_eval_mean_return']:.1f} "
            f"| {run['eval_mean_return']:.1f} | {run['episodes']:,} |"  # no wall time: the page must not vary
        )
    return "\n".join(lines)


def num_dqn_cartpole_success(seed: int) -> str:
    runs = cartpole_runs(seed)
    solved = sum(run["steps_to_solve"] is not None for run in runs)
    return f"{solved} of {len(runs)}"


def num_dqn_instability(seed: int) -> str:
    """How often a run that had reached the threshold fell back below it at a later evaluation."""
    runs = cartpole_runs(seed)
    threshold = DQNConfig().solve_threshold
    fell, worst = 0, None
    for run in runs:
        means = [m for _, m in run["eval_history"]]
        reached = next((i for i, m in enumerate(means) if m >= threshold), None)
        if reached is None:
            continue
        later = means[reached + 1 :]
        if later and min(later) < threshold:
            fell += 1
            drop = (max(means[: reached + 1 + later.index(min(later))]), min(later))
            if worst is None or drop[0] - drop[1] > worst[0] - worst[1]:
                worst = drop
    if worst is None:
        return f"in none of the {len(runs)} runs did a later evaluation fall below {threshold:g}"
    return (
        f"in {fell} of {len(runs)} runs a later evaluation fell back below {threshold:g} after one had "
        f"reached it (the largest fall: from {worst[0]:.1f} to {worst[1]:.1f})"
    )


# ------------------------------------------------------------------------------- the maze


def num_dqn_maze_value_range(seed: int) -> str:
    """The exact values the maze figure shows beside DQN's: V*(start) and the value next to the goal."""
    values = maze_optimal_values(MAZE_CONFIG.gamma)
    env = GridWorld()
    free = [s for s in range(len(values)) if s not in env.walls and s != env.goal_state]
    return f"{values[env.start_state]:.2f} at the start rising to {values[free].max():.2f} next to the goal"


def maze_optimal_values(gamma: float) -> np.ndarray:
    """V*(s) of the maze by value iteration on its model ``P``: the exact answer DQN should find."""
    return value_iteration(GridWorld(), gamma, tol=1e-12).v


def fig_dqn_maze_q_values(out_dir: Path, seed: int) -> Path:
    import torch

    torch.set_num_threads(1)
    cfg = dataclasses.replace(MAZE_CONFIG, seed=seed)
    q_network = train(cfg).q_network
    env = OneHot(GridWorld())
    with torch.no_grad():
        learned = q_network(torch.eye(env.n)).max(dim=1).values.numpy()  # (16,) max_a Q(s, a)
    exact = maze_optimal_values(cfg.gamma)
    base = env.unwrapped
    free = [s for s in range(env.n) if s not in base.walls and s != base.goal_state]

    fig, axes = new_figure(8.4, 3.7, ncols=2)
    for ax, grid_values, title in (
        (axes[0], learned, "DQN: max$_a$ Q(s, a)"),
        (axes[1], exact, "value iteration: V*(s)"),
    ):
        grid = np.full(env.n, np.nan)
        grid[free] = grid_values[free]
        ax.imshow(grid.reshape(base.n_rows, base.n_cols), cmap="Blues", vmin=0.8, vmax=1.05)
        for s in range(env.n):
            row, col = base.to_rowcol(s)
            text = "wall" if s in base.walls else "G" if s == base.goal_state else f"{grid_values[s]:.3f}"
            text = f"S\n{text}" if s == base.start_state else text
            dark = s in free and grid_values[s] > 0.95
            ax.text(col, row, text, ha="center", va="center", fontsize=10, color="white" if dark else INK)
        ax.set_xticks([]), ax.set_yticks([])
        ax.grid(False)
        ax.set_title(title, fontsize=11)
    gap = np.max(np.abs(learned[free] - exact[free]))
    assert gap < 0.02, f"the page says DQN's values agree with value iteration's; they differ by {gap:.3f}"
    fig.suptitle(
        f"The maze after {cfg.total_steps:,} DQN steps (γ = {cfg.gamma}): largest difference {gap:.1e}",
        fontsize=11,
    )
    return save(fig, out_dir, "dqn_maze_q_values")
