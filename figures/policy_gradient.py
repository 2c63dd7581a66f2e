"""Figures for the policy-gradient chapter: the reward landscape and the Gaussian steering policy.

The distributions here use the post's parameters (mean 23.5°, std 2.0°; std 15° early, 0.5° late);
the curves are exact densities and the samples are drawn with the seed the build passes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from figures._style import MUTED, PALETTE, new_figure, save

BLUE, ORANGE, GREEN = PALETTE[0], PALETTE[1], PALETTE[2]


def normal_pdf(x: np.ndarray, mean: float, std: float) -> np.ndarray:
    return np.exp(-0.5 * ((x - mean) / std) ** 2) / (std * np.sqrt(2 * np.pi))


def fig_policy_gradient_landscape(out_dir: Path, seed: int) -> Path:
    theta = np.linspace(-3, 3, 400)

    def expected_reward(t):  # a smooth one-parameter landscape with a single peak
        return np.exp(-0.5 * (t - 1.0) ** 2) + 0.15 * np.exp(-2.0 * (t + 1.8) ** 2)

    def slope(t, eps=1e-4):
        return (expected_reward(t + eps) - expected_reward(t - eps)) / (2 * eps)

    fig, ax = new_figure(7.0, 3.4)
    ax.plot(theta, expected_reward(theta), color=BLUE, lw=2)
    current = -0.9
    ax.plot([current], [expected_reward(current)], "o", color=ORANGE, markersize=9, label="current policy")
    best = theta[np.argmax(expected_reward(theta))]
    ax.plot([best], [expected_reward(best)], "*", color=GREEN, markersize=16, label="optimal policy")
    # gradient ascent: a few steps uphill from the current policy
    t = current
    path = [t]
    for _ in range(6):
        t = t + 0.8 * slope(t)
        path.append(t)
    for a, b in zip(path, path[1:], strict=False):
        ax.annotate(
            "",
            xy=(b, expected_reward(b)),
            xytext=(a, expected_reward(a)),
            arrowprops={"arrowstyle": "->", "color": ORANGE, "lw": 1.5},
        )
    ax.annotate(
        "gradient says: go right",
        xy=(current, expected_reward(current)),
        xytext=(-2.9, 0.75),
        fontsize=10,
        color=MUTED,
        arrowprops={"arrowstyle": "-", "color": MUTED, "lw": 0.8},
    )
    ax.set_xlabel("policy parameters θ")
    ax.set_ylabel("expected reward J(θ)")
    ax.legend(loc="upper right")
    ax.set_title("Policy gradient walks uphill on expected reward")
    return save(fig, out_dir, "policy_gradient_landscape")


STEERING_MEAN, STEERING_STD = 23.5, 2.0  # the post's bell curve


def steering_sample(seed: int) -> float:
    """The one steering angle the figure marks, drawn from the post's bell curve."""
    return float(np.random.default_rng(seed).normal(STEERING_MEAN, STEERING_STD))


def num_steering_sample(seed: int) -> str:
    return f"{steering_sample(seed):.1f}°"  # the figure's label, to the same decimal


def fig_steering_bell_curve(out_dir: Path, seed: int) -> Path:
    mean, std = STEERING_MEAN, STEERING_STD
    sample = steering_sample(seed)
    x = np.linspace(mean - 4.5 * std, mean + 4.5 * std, 400)
    fig, ax = new_figure(7.0, 3.3)
    ax.plot(x, normal_pdf(x, mean, std), color=BLUE, lw=2)
    inside = np.abs(x - mean) <= std
    ax.fill_between(x[inside], normal_pdf(x[inside], mean, std), color=BLUE, alpha=0.15, label="mean ± 1 std (68%)")
    ax.axvline(mean, color=MUTED, ls="--", lw=1)
    ax.text(mean, normal_pdf(mean, mean, std) * 1.03, f"mean = {mean}°", ha="center", va="bottom", fontsize=10)
    ax.plot([sample], [0], marker="v", color=ORANGE, markersize=11, clip_on=False, label=f"one sample: {sample:.1f}°")
    ax.set_xlabel("steering angle (degrees)")
    ax.set_ylabel("probability density")
    ax.set_ylim(0, normal_pdf(mean, mean, std) * 1.18)
    ax.legend(loc="upper left")
    ax.set_title(f"A continuous action: the policy outputs mean {mean}° and std {std}°")
    return save(fig, out_dir, "steering_bell_curve")


def fig_exploration_fades(out_dir: Path, seed: int) -> Path:
    fig, axes = new_figure(8.5, 5.2, nrows=2, ncols=2)
    stages = [
        ("Early training (exploring)", [0.25, 0.25, 0.25, 0.25], 23.0, 15.0),
        ("Late training (confident)", [0.95, 0.02, 0.02, 0.01], 23.5, 0.5),
    ]
    x = np.linspace(-25, 70, 2000)
    for col, (title, probs, mean, std) in enumerate(stages):
        top, bottom = axes[0][col], axes[1][col]
        colours = [ORANGE if p == max(probs) and probs.count(p) == 1 else BLUE for p in probs]
        top.bar(["action 1", "action 2", "action 3", "action 4"], probs, color=colours)
        for i, p in enumerate(probs):
            top.text(i, p + 0.02, f"{p:.2f}", ha="center", fontsize=9)
        top.set_ylim(0, 1.1)
        top.set_title(f"{title}\ndiscrete: P(action)", fontsize=11)
        bottom.plot(x, normal_pdf(x, mean, std), color=BLUE, lw=2)
        bottom.fill_between(x, normal_pdf(x, mean, std), color=BLUE, alpha=0.12)
        bottom.set_title(f"continuous: mean = {mean:g}°, std = {std:g}°", fontsize=11)
        bottom.set_xlabel("steering angle (degrees)")
        bottom.set_xlim(-25, 70)
    axes[1][0].set_ylabel("density")
    axes[0][0].set_ylabel("probability")
    return save(fig, out_dir, "exploration_fades")
