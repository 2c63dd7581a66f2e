"""Figures for the policy-gradient chapter drawn from real runs of snippets/reinforce.py: the maze's
learning curve, the spread of one episode's gradient estimate, and how exploration narrows.

The runs and their memo are in figures/policy_gradient_runs.py, which draws nothing (see there why).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
from rl4rlhf.gridworld import ACTION_NAMES
from rl4rlhf.reinforce import MAZE_CONFIG, STEERING_CONFIG, train

from figures import _runs
from figures._style import INK, MUTED, PALETTE, new_figure, save
from figures.policy_gradient_runs import N_SEEDS, _torch, reinforce_run, variance_samples

BLUE, ORANGE = PALETTE[0], PALETTE[1]


# ------------------------------------------------------------------------------- learning curve


def fig_reinforce_learning_curve(out_dir: Path, seed: int) -> Path:
    configs = [dataclasses.replace(MAZE_CONFIG, seed=s) for s in range(seed, seed + N_SEEDS)]
    runs = _runs.each_run(reinforce_run, configs)
    returns = np.array([run["episode_returns"] for run in runs])  # (seeds, episodes)
    window = 25
    kernel = np.ones(window) / window
    smooth = np.array([np.convolve(r, kernel, mode="valid") for r in returns])  # moving average
    episodes = np.arange(window, returns.shape[1] + 1)
    fig, ax = new_figure(7.0, 4.0)
    for curve in smooth:
        ax.plot(episodes, curve, color=BLUE, alpha=0.3, lw=1)
    greedy = ", ".join(f"{run['greedy_return']:+.2f}" for run in runs)
    ax.text(0.98, 0.06, f"greedy return after training: {greedy}", transform=ax.transAxes, ha="right", color=MUTED)
    ax.fill_between(
        episodes, smooth.min(0), smooth.max(0), color=BLUE, alpha=0.12, lw=0, label=f"min–max over {len(runs)} seeds"
    )
    ax.plot(episodes, smooth.mean(0), color=BLUE, lw=2.2, label="mean")
    ax.axhline(0.95, color=ORANGE, ls="--", lw=1.3, label="shortest path: 0.95")
    ax.set_xlabel("episode")
    ax.set_ylabel(f"episode return ({window}-episode average)")
    ax.set_xlim(0, returns.shape[1])
    fig.legend(loc="outside lower center", ncols=3, fontsize=9.5)
    ax.set_title(
        f"REINFORCE on the maze (γ = {MAZE_CONFIG.gamma}, {MAZE_CONFIG.batch_episodes} episodes per update), "
        f"seeds {runs[0]['seed']}–{runs[-1]['seed']}",
        fontsize=11,
    )
    return save(fig, out_dir, "reinforce_learning_curve")


def fig_gradient_variance(out_dir: Path, seed: int) -> Path:
    data = variance_samples(seed)
    fig, ax = new_figure(7.0, 3.8)
    both = np.concatenate([data["none"], data["baseline"]])
    bins = np.linspace(np.percentile(both, 0.5), np.percentile(both, 99.5), 60)
    for kind, color, label in (("none", ORANGE, "weight G_t"), ("baseline", BLUE, "weight G_t − V(s_t)")):
        g = data[kind]
        text = f"{label}: mean {g.mean():+.2f}, std {g.std():.2f}"
        ax.hist(np.clip(g, bins[0], bins[-1]), bins=bins, color=color, alpha=0.55, label=text)
    ax.axvline(0, color=MUTED, lw=1)
    ax.set_xlabel("one episode's gradient estimate for the logit of 'down' at the start")
    ax.set_ylabel("episodes")
    ax.legend(loc="upper left", fontsize=9)
    ax.set_title(
        f"The catch: high variance. {len(data['none']):,} episodes of one fixed (uniform) policy,\n"
        f"maze, γ = {data['gamma']}, at most {data['max_steps']} steps; same expected gradient, far less spread",
        fontsize=11,
    )
    return save(fig, out_dir, "gradient_variance")


# ------------------------------------------------------------------------------- exploration


def fig_steering_exploration(out_dir: Path, seed: int) -> Path:
    torch = _torch()
    steer = dataclasses.replace(STEERING_CONFIG, seed=seed)
    early_s = train(dataclasses.replace(steer, episodes=steer.batch_episodes)).policy  # one update
    late_s = train(steer).policy
    maze = dataclasses.replace(MAZE_CONFIG, seed=seed)
    early_m = train(dataclasses.replace(maze, episodes=maze.batch_episodes)).policy
    late_m = train(maze).policy

    fig, (ax, bx) = new_figure(10.0, 3.8, ncols=2, width_ratios=[1.4, 1])
    x = np.linspace(-30, 60, 2000)
    with torch.no_grad():
        for policy, color, when in (
            (early_s, ORANGE, "after 1 update"),
            (late_s, BLUE, f"after {steer.episodes // steer.batch_episodes} updates"),
        ):
            dist = policy(torch.ones(1, 1))
            mean, std = float(dist.mean), float(dist.stddev)
            if policy is early_s:  # the alt text: "a wide bell curve (std about 15 degrees)"
                assert abs(std - steer.init_std) < 1.5, f"std after one update {std:.2f}"
            else:  # "a narrow spike near 23.5 degrees"
                assert abs(mean - 23.5) < 0.5 and std < 1.0, f"late steering policy: mean {mean:.2f}, std {std:.2f}"
            pdf = np.exp(-0.5 * ((x - mean) / std) ** 2) / (std * np.sqrt(2 * np.pi))
            ax.plot(x, pdf / pdf.max(), color=color, lw=2, label=f"{when}: mean {mean:.1f}°, std {std:.2f}°")
    ax.axvline(23.5, color=MUTED, ls="--", lw=1)
    ax.text(25, 0.5, "best: 23.5°", ha="left", fontsize=9, color=MUTED)
    ax.set_xlabel("steering angle (degrees)")
    ax.set_ylabel("density (scaled to peak 1)")
    ax.set_ylim(0, 1.3)
    ax.legend(loc="upper left", fontsize=8.5)
    ax.set_title("Steering: a Gaussian policy narrows as it learns", fontsize=11)

    start = torch.eye(16)[:1]  # the maze's start cell, one-hot
    with torch.no_grad():
        early_p, late_p = early_m(start).probs[0].numpy(), late_m(start).probs[0].numpy()
    pos = np.arange(4)
    bx.bar(pos - 0.2, early_p, 0.4, color=ORANGE, label="after 1 update")
    bx.bar(pos + 0.2, late_p, 0.4, color=BLUE, label=f"after {maze.episodes // maze.batch_episodes} updates")
    for i, (e, l_) in enumerate(zip(early_p, late_p, strict=True)):
        bx.text(i - 0.2, e + 0.02, f"{e:.2f}", ha="center", fontsize=8, color=INK)
        bx.text(i + 0.2, l_ + 0.02, f"{l_:.2f}", ha="center", fontsize=8, color=INK)
    bx.set_xticks(pos, ACTION_NAMES)
    bx.set_ylim(0, 1.12)
    bx.set_ylabel("π(action | start)")
    bx.legend(loc="upper left", fontsize=8.5)
    bx.set_title("Maze: action probabilities at the start", fontsize=11)
    return save(fig, out_dir, "steering_exploration")
