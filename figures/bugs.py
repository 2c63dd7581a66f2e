"""The bug gallery (docs/bugs.md): each bug's one-line diff, its run beside the correct code's, and its claim.

Every figure and number reads the memoised runs of ``figures/bugs_runs.py`` (seeds seed, seed + 1, seed + 2)
and asserts the claim the page makes about them, so the build fails if a claim stops holding.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from rl4rlhf.bellman import value_iteration
from rl4rlhf.bugs import BUGS, one_line_diff
from rl4rlhf.gridworld import GridWorld

from figures import bugs_runs as runs
from figures._style import INK, MUTED, PALETTE, new_figure, save

BLUE, ORANGE = PALETTE[0], PALETTE[1]
SHORTEST = 0.95  # the maze's shortest path: five moves at -0.01, then the goal's +1.00
LAST = 20  # CartPole: the claims compare the mean return of the first and last 20 episodes


def _seeds(seed: int) -> range:
    return range(seed, seed + runs.N_SEEDS)


def _diff(bug: str) -> str:
    return f"```diff\n{one_line_diff(BUGS[bug])}\n```"


def _join(values, fmt: str = "{:.2f}") -> str:
    return ", ".join(fmt.format(v) for v in values)


# ------------------------------------------------------------------------------- the diffs


def table_bug_diff_no_terminal_mask(seed: int) -> str:
    return _diff("no_terminal_mask")


def table_bug_diff_no_zero_grad(seed: int) -> str:
    return _diff("no_zero_grad")


def table_bug_diff_target_update_backwards(seed: int) -> str:
    return _diff("target_update_backwards")


def table_bug_diff_forward_returns(seed: int) -> str:
    return _diff("forward_returns")


def table_bug_diff_loss_sign(seed: int) -> str:
    return _diff("loss_sign")


def table_bug_diff_ties_to_first(seed: int) -> str:
    return _diff("ties_to_first")


# ------------------------------------------------------------------------------- DQN on the maze


def _maze_values() -> tuple[np.ndarray, list[int], int]:
    """V*(s) of the maze (γ of the DQN runs), its free cells ordered by V*, and the start state."""
    env = GridWorld()
    v = value_iteration(env, runs.MAZE_DQN.gamma, tol=1e-12).v
    free = [s for s in range(len(v)) if s not in env.walls and s != env.goal_state]
    return v, sorted(free, key=lambda s: v[s]), env.start_state


def _final_returns(seed: int, bug: str | None) -> list[float]:
    return [runs.dqn_maze(s, bug)["eval_history"][-1][1] for s in _seeds(seed)]


def _start_values(seed: int, bug: str | None) -> list[float]:
    start = _maze_values()[2]
    return [runs.dqn_maze(s, bug)["q_after"][start] for s in _seeds(seed)]


def num_bug_no_terminal_mask(seed: int) -> str:
    v, free, start = _maze_values()
    right, wrong = _start_values(seed, None), _start_values(seed, "no_terminal_mask")
    finals = _final_returns(seed, None) + _final_returns(seed, "no_terminal_mask")
    assert all(r == SHORTEST for r in finals), f"the page says all six greedy paths are the shortest: {finals}"
    assert all(abs(q - v[start]) < 0.1 for q in right), f"the page says the correct values are right: {right}"
    assert all(q > 1.5 * v[start] for q in wrong), f"the page says the values are far too high: {wrong}"
    for s in _seeds(seed):
        q = np.array(runs.dqn_maze(s, "no_terminal_mask")["q_after"])
        assert (q[free] > v[free]).all(), f"the page says every cell is overestimated (seed {s})"
    return (
        f"Q(start) = {_join(wrong)} without the mask, {_join(right)} with it, where the true value is "
        f"V*(start) = {v[start]:.2f}"
    )


def fig_bug_no_terminal_mask(out_dir: Path, seed: int) -> Path:
    v, free, _ = _maze_values()
    fig, ax = new_figure(7.0, 3.8)
    x = np.arange(len(free))
    ax.plot(x, v[free], color=INK, lw=2, marker="o", ms=4, label="exact V*(s), value iteration", zorder=3)
    for bug, colour, label in ((None, BLUE, "correct"), ("no_terminal_mask", ORANGE, "no (1 - terminated)")):
        for i, s in enumerate(_seeds(seed)):
            q = np.array(runs.dqn_maze(s, bug)["q_after"])
            ax.scatter(x + 0.12 * (i - 1), q[free], color=colour, s=22, alpha=0.85, label=label if i == 0 else None)
    ax.set_xticks(x, [str(GridWorld().to_rowcol(s)) for s in free], rotation=45, fontsize=8.5)
    ax.set_xlabel("maze cell (row, col), ordered by its true value")
    ax.set_ylabel("max$_a$ Q(s, a) after training")
    ax.set_title(f"DQN on the maze, {runs.MAZE_DQN.total_steps:,} steps, 3 seeds: same path, wrong values", fontsize=11)
    fig.legend(loc="outside lower center", ncols=3, fontsize=9.5)
    num_bug_no_terminal_mask(seed)  # the claims the caption makes
    return save(fig, out_dir, "bug_no_terminal_mask")


def _eval_plot(seed: int, bug: str, title: str):
    fig, ax = new_figure(7.0, 3.6)
    for b, colour, label in ((None, BLUE, "correct"), (bug, ORANGE, "with the bug")):
        for i, s in enumerate(_seeds(seed)):
            steps, returns = np.array(runs.dqn_maze(s, b)["eval_history"]).T
            offset = 0.03 * (i - 1)  # seeds drawn side by side, not on top of each other
            ax.plot(steps, returns + offset, color=colour, marker="o", ms=4, lw=1.4, alpha=0.85,
                    label=label if i == 0 else None)  # fmt: skip
    ax.set_yscale("symlog", linthresh=1.0)
    ax.set_yticks([-100, -10, -1, 0, SHORTEST], ["−100", "−10", "−1", "0", "0.95"])
    ax.axhline(SHORTEST, color=MUTED, ls="--", lw=1)
    ax.set_xlabel("environment steps")
    ax.set_ylabel("greedy return (symlog scale)")
    ax.set_title(title, fontsize=11)
    fig.legend(loc="outside lower center", ncols=2, fontsize=9.5)
    return fig


def num_bug_no_zero_grad(seed: int) -> str:
    right, wrong = _final_returns(seed, None), _final_returns(seed, "no_zero_grad")
    assert all(r == SHORTEST for r in right), f"the page says the correct runs end on the shortest path: {right}"
    assert all(r < SHORTEST for r in wrong), f"the page says no run without zero_grad ends solved: {wrong}"
    return f"the final greedy returns are {_join(wrong)} without zero_grad and {_join(right)} with it"


def fig_bug_no_zero_grad(out_dir: Path, seed: int) -> Path:
    num_bug_no_zero_grad(seed)
    fig = _eval_plot(seed, "no_zero_grad", "DQN on the maze, 3 seeds: without zero_grad the greedy path is lost")
    return save(fig, out_dir, "bug_no_zero_grad")


def num_bug_target_update_backwards(seed: int) -> str:
    wrong = _final_returns(seed, "target_update_backwards")
    gaps = []
    for s in _seeds(seed):
        run = runs.dqn_maze(s, "target_update_backwards")
        gaps.append(float(np.max(np.abs(np.array(run["q_after"]) - np.array(run["q_before"])))))
    assert max(gaps) == 0.0, f"the page says the trained network is exactly the untrained one: {gaps}"
    assert all(r < SHORTEST for r in wrong), f"the page says no run ends solved: {wrong}"
    return f"the final greedy returns are {_join(wrong)}, and every Q-value is exactly the untrained network's"


def fig_bug_target_update_backwards(out_dir: Path, seed: int) -> Path:
    num_bug_target_update_backwards(seed)
    fig = _eval_plot(
        seed,
        "target_update_backwards",
        f"DQN on the maze, 3 seeds: learning undone every {runs.MAZE_DQN.target_update_interval} steps",
    )
    return save(fig, out_dir, "bug_target_update_backwards")


# ------------------------------------------------------------------------------- REINFORCE on CartPole


def _cartpole(seed: int, bug: str | None) -> np.ndarray:
    return np.array([runs.reinforce_cartpole(s, bug)["episode_returns"] for s in _seeds(seed)])  # (seeds, episodes)


def _cartpole_claim(seed: int, bug: str) -> str:
    right, wrong = _cartpole(seed, None), _cartpole(seed, bug)
    right_last, wrong_first, wrong_last = right[:, -LAST:].mean(1), wrong[:, :LAST].mean(1), wrong[:, -LAST:].mean(1)
    assert (wrong_last < wrong_first).all(), f"the page says the bug makes every run worse than it started: {wrong}"
    assert (right_last > 3 * wrong_last).all(), "the page says the correct code ends at least 3 times higher"
    return (
        f"the last {LAST} episodes average {_join(wrong_last, '{:.1f}')} with the bug, down from "
        f"{_join(wrong_first, '{:.1f}')} in the first {LAST}; the correct code's last {LAST} average "
        f"{_join(right_last, '{:.0f}')}"
    )


def _cartpole_plot(seed: int, bug: str, title: str):
    window = 10
    kernel = np.ones(window) / window
    fig, ax = new_figure(7.0, 3.6)
    for b, colour, label in ((None, BLUE, "correct"), (bug, ORANGE, "with the bug")):
        for i, returns in enumerate(_cartpole(seed, b)):
            smooth = np.convolve(returns, kernel, mode="valid")
            ax.plot(np.arange(window, len(returns) + 1), smooth, color=colour, lw=1.6, alpha=0.85,
                    label=label if i == 0 else None)  # fmt: skip
    ax.set_xlabel("episode")
    ax.set_ylabel(f"episode return ({window}-episode average)")
    ax.set_xlim(0, runs.CARTPOLE_EPISODES)
    ax.set_title(title, fontsize=11)
    fig.legend(loc="outside lower center", ncols=2, fontsize=9.5)
    return fig


def num_bug_forward_returns(seed: int) -> str:
    return _cartpole_claim(seed, "forward_returns")


def fig_bug_forward_returns(out_dir: Path, seed: int) -> Path:
    num_bug_forward_returns(seed)
    fig = _cartpole_plot(seed, "forward_returns", "REINFORCE on CartPole, 3 seeds: returns-to-go summed forwards")
    return save(fig, out_dir, "bug_forward_returns")


def num_bug_loss_sign(seed: int) -> str:
    return _cartpole_claim(seed, "loss_sign")


def fig_bug_loss_sign(out_dir: Path, seed: int) -> Path:
    num_bug_loss_sign(seed)
    fig = _cartpole_plot(seed, "loss_sign", "REINFORCE on CartPole, 3 seeds: the loss's sign flipped")
    return save(fig, out_dir, "bug_loss_sign")


# ------------------------------------------------------------------------------- tabular Q-learning


def num_bug_ties_to_first(seed: int) -> str:
    right = [runs.q_learning_maze(s)["episodes_to_optimal"] for s in _seeds(seed)]
    wrong = [runs.q_learning_maze(s, "ties_to_first") for s in _seeds(seed)]
    reached = [sum(n < run["max_steps"] for n in run["episode_lengths"]) for run in wrong]
    episodes = runs.Q_LEARNING.episodes
    assert all(r is not None and r <= 20 for r in right), (
        f"the page says the correct code is optimal within 20: {right}"
    )
    assert all(run["episodes_to_optimal"] is None for run in wrong), "the page says the bug never finds the path"
    assert max(reached) <= 5, f"the page says the bug almost never reaches the goal: {reached}"
    return (
        f"with random tie-breaks the greedy policy is optimal after {_join(right, '{}')} episodes; with ties "
        f"to action 0 it never is, and only {_join(reached, '{}')} of the {episodes} episodes reach the goal"
    )


def fig_bug_ties_to_first(out_dir: Path, seed: int) -> Path:
    num_bug_ties_to_first(seed)
    fig, ax = new_figure(7.0, 3.6)
    for b, colour, label in (
        (None, BLUE, "random tie-breaks (correct)"),
        ("ties_to_first", ORANGE, "ties to action 0"),
    ):
        for i, s in enumerate(_seeds(seed)):
            lengths = runs.q_learning_maze(s, b)["episode_lengths"]
            ax.plot(np.arange(1, len(lengths) + 1), np.array(lengths) + 1.5 * (i - 1), color=colour, lw=1.4,
                    alpha=0.85, label=label if i == 0 else None)  # fmt: skip
    ax.axhline(6, color=MUTED, ls="--", lw=1)
    ax.text(runs.Q_LEARNING.episodes, 26, "shortest path: 6 moves (dashed)", ha="right", color=MUTED, fontsize=9)
    ax.set_ylim(0, 108)
    ax.set_xlabel("episode")
    ax.set_ylabel("moves in the episode (100: time limit)")
    ax.set_title("Tabular Q-learning, maze with no step cost, 3 seeds", fontsize=11)
    fig.legend(loc="outside lower center", ncols=2, fontsize=9.5)
    return save(fig, out_dir, "bug_ties_to_first")
