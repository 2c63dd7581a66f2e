"""Figures and worked numbers for the fundamentals chapters: the maze, returns and discounting."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from rl4rlhf.gridworld import ACTION_NAMES, MAZE, GridWorld, shortest_path_actions
from rl4rlhf.returns import (
    A_TO_GOAL,
    BAD_EPISODE,
    GOAL_TEN_STEPS_AWAY,
    GOOD_EPISODE,
    discounted_return,
    returns_to_go,
)

from figures._style import INK, MUTED, PALETTE, new_figure, save


def trace_shortest_path(seed: int) -> list[dict]:
    """Walk the maze's optimal path in the real environment; one record per step."""
    env = GridWorld(MAZE)
    state, _ = env.reset(seed=seed)
    steps = []
    for action in shortest_path_actions(env):
        next_state, reward, terminated, truncated, _ = env.step(action)
        steps.append({"state": state, "action": action, "reward": float(reward), "next_state": next_state})
        state = next_state
        if terminated or truncated:
            break
    if not terminated:
        raise RuntimeError("the shortest path did not reach the goal")
    return steps


# ---------------------------------------------------------------------------------------------- maze


def fig_maze(out_dir: Path, seed: int) -> Path:
    env = GridWorld(MAZE, render_mode="rgb_array")
    env.reset(seed=seed)
    image = env.render()
    fig, ax = new_figure(4.6, 4.6)
    ax.imshow(image, extent=(0, env.n_cols, env.n_rows, 0), interpolation="nearest")
    ax.grid(False)
    for s in range(env.n_rows * env.n_cols):
        row, col = env.to_rowcol(s)
        label = {env.start_state: "S", env.goal_state: "G"}.get(s, "wall" if s in env.walls else "")
        colour = "white" if s in env.walls else INK
        if label:
            y = row + (0.88 if s == env.start_state else 0.55)  # below the agent's disc on S
            ax.text(col + 0.5, y, label, ha="center", va="center", fontsize=12, color=colour, weight="bold")
        ax.text(
            col + 0.06,
            row + 0.12,
            f"({row},{col})",
            ha="left",
            va="top",
            fontsize=7,
            color=MUTED if s not in env.walls else "white",
        )
    ax.set_xticks([]), ax.set_yticks([])
    ax.set_title("The post's maze, rendered by GridWorld", fontsize=11)
    ax.set_xlabel(
        "● robot (agent) on S, the start · G goal (+1) · wall (−1) · every other step −0.01", fontsize=8.5, color=MUTED
    )
    return save(fig, out_dir, "maze")


# ------------------------------------------------------------------------------------------ discounting


def fig_discount_weights(out_dir: Path, seed: int) -> Path:
    k = np.arange(0, 31)
    fig, ax = new_figure(7.0, 3.6)
    for gamma in (1.0, 0.99, 0.9, 0.5):
        # the weight of a reward k steps away is exactly what discounted_return gives a lone reward there
        weights = [discounted_return([0.0] * int(i) + [1.0], gamma) for i in k]
        ax.plot(k, weights, marker="o", markersize=3, label=f"γ = {gamma:g}")
    w10 = discounted_return(GOAL_TEN_STEPS_AWAY, 0.9)
    ax.annotate(
        f"γ = 0.9, 10 steps away: {w10:.2f}",
        xy=(10, w10),
        xytext=(13, 0.62),
        arrowprops={"arrowstyle": "->", "color": MUTED},
        fontsize=9,
    )
    ax.set_xlabel("k, steps until the reward")
    ax.set_ylabel("weight $\\gamma^k$")
    ax.set_ylim(-0.03, 1.05)
    ax.legend(loc="upper right")
    ax.set_title("How much a reward k steps away counts")
    return save(fig, out_dir, "discount_weights")


def fig_returns_along_shortest_path(out_dir: Path, seed: int) -> Path:
    steps = trace_shortest_path(seed)
    rewards = [s["reward"] for s in steps]
    t = np.arange(len(rewards))
    fig, ax = new_figure(7.0, 3.4)
    for gamma, colour in ((1.0, PALETTE[0]), (0.9, PALETTE[1])):
        g = returns_to_go(rewards, gamma)
        ax.plot(t, g, marker="o", color=colour, label=f"$G_t$, γ = {gamma:g}")
        for ti, gi in zip(t, g, strict=False):
            ax.annotate(
                f"{gi:.2f}", (ti, gi), textcoords="offset points", xytext=(0, 7), ha="center", fontsize=8, color=colour
            )
    labels = [f"t={i}\n{env_cell(s['state'])}\n{ACTION_NAMES[s['action']]}" for i, s in enumerate(steps)]
    ax.set_xticks(t, labels, fontsize=8)
    ax.set_ylabel("return from step t")
    ax.set_ylim(0.5, 1.08)
    ax.legend(loc="lower right")
    ax.set_title("Return from each step of the optimal path through the maze")
    return save(fig, out_dir, "returns_along_shortest_path")


def env_cell(state: int) -> str:
    row, col = GridWorld(MAZE).to_rowcol(state)
    return f"({row},{col})"


# ------------------------------------------------------------------------------ the γ widget's table

# The discounting widget on the return page looks γ up in this grid; it computes nothing itself.
WIDGET_GAMMAS = [i / 100 for i in range(101)]  # 0.00, 0.01, ..., 1.00: the slider's steps
WIDGET_MAX_K = 10  # its curve of weights γ^k, k = 0..10: "a goal ten steps away"
WIDGET_DECIMALS = 4  # what it shows; the JSON holds no more


def discounting_table(episodes: dict[str, list[float]], gammas: list[float], max_k: int) -> dict:
    """Every episode's discounted return, and the weights γ^k for k = 0..max_k, at every γ of ``gammas``,
    rounded to the decimals the widget shows.

    >>> table = discounting_table({"a": [-0.01, 1.0]}, [0.0, 0.9, 1.0], max_k=2)
    >>> table["returns"]["a"], table["weights"][1]
    ([-0.01, 0.89, 0.99], [1.0, 0.9, 0.81])
    """

    def r(x: float) -> float:
        return round(x, WIDGET_DECIMALS) + 0.0  # + 0.0: no "-0.0" in the JSON

    return {
        "gamma": gammas,
        "k": list(range(max_k + 1)),
        "returns": {name: [r(discounted_return(rewards, g)) for g in gammas] for name, rewards in episodes.items()},
        # the weight of a reward k steps away is what discounted_return gives a lone reward there
        "weights": [[r(discounted_return([0.0] * k + [1.0], g)) for k in range(max_k + 1)] for g in gammas],
    }


def data_discounting(seed: int) -> dict:
    """The discounting widget's table: the return page's three episodes over a grid of γ."""
    maze = [s["reward"] for s in trace_shortest_path(seed)]
    episodes = {"a_to_goal": A_TO_GOAL, "goal_ten_steps_away": GOAL_TEN_STEPS_AWAY, "maze_shortest_path": maze}
    table = discounting_table(episodes, WIDGET_GAMMAS, WIDGET_MAX_K)
    labels = {
        "a_to_goal": "A → B → Goal (2 rewards)",
        "goal_ten_steps_away": "Goal 10 steps away (11 rewards)",
        "maze_shortest_path": f"Maze, shortest path S → G ({len(maze)} rewards)",
    }
    table["episodes"] = [{"id": name, "label": labels[name], "rewards": episodes[name]} for name in episodes]
    table["decimals"] = WIDGET_DECIMALS
    return table


# ------------------------------------------------------------------------------ worked numbers


def num_return_a_to_goal(seed: int) -> str:
    return f"{discounted_return(A_TO_GOAL, gamma=1.0):.2f}"


def num_discounted_return_a_to_goal(seed: int) -> str:
    return f"{discounted_return(A_TO_GOAL, gamma=0.9):.2f}"


def num_goal_ten_steps_away(seed: int) -> str:
    return f"{discounted_return(GOAL_TEN_STEPS_AWAY, gamma=0.9):.2f}"


def num_goal_ten_steps_away_exact(seed: int) -> str:
    return f"{discounted_return(GOAL_TEN_STEPS_AWAY, gamma=0.9):.4f}"


def num_good_episode_return(seed: int) -> str:
    return f"{discounted_return(GOOD_EPISODE, gamma=1.0):+.2f}"


def num_bad_episode_return(seed: int) -> str:
    return f"{discounted_return(BAD_EPISODE, gamma=1.0):+.2f}"


def num_maze_optimal_return(seed: int) -> str:
    rewards = [s["reward"] for s in trace_shortest_path(seed)]
    return f"{discounted_return(rewards, gamma=1.0):.2f}"


def table_maze_shortest_path(seed: int) -> str:
    steps = trace_shortest_path(seed)
    rewards = [s["reward"] for s in steps]
    g1, g09 = returns_to_go(rewards, 1.0), returns_to_go(rewards, 0.9)
    lines = [
        "| $t$ | state $s_t$ | action $a_t$ | reward $r_{t+1}$ | $G_t$ (γ = 1) | $G_t$ (γ = 0.9) |",
        "|---:|:---:|:---:|---:|---:|---:|",
    ]
    for t, step in enumerate(steps):
        lines.append(
            f"| {t} | {env_cell(step['state'])} | {ACTION_NAMES[step['action']]} | {step['reward']:+.2f} "
            f"| {g1[t]:.4f} | {g09[t]:.4f} |"
        )
    return "\n".join(lines)


# A response of this many tokens, scored only at its end: how γ < 1 spreads the score over its tokens.
RESPONSE_TOKENS = 10


def num_lm_gamma_example_length(seed: int) -> str:
    return f"{RESPONSE_TOKENS}"


def num_lm_gamma_example_first(seed: int) -> str:
    """The weight γ = 0.9 gives the first token of a response whose only reward is 1 at its end."""
    weights = returns_to_go([0.0] * (RESPONSE_TOKENS - 1) + [1.0], gamma=0.9)
    assert weights[-1] == 1.0 and (weights[:-1] < weights[1:]).all()  # later tokens weigh more
    return f"{weights[0]:.2f}"
