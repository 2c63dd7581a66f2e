"""The post's box-and-arrow diagrams, redrawn as figures.

The numbers in these diagrams (0.73, 0.9, P("mat") = 0.35, ...) are the post's illustrations; the
pages say so. Chapters whose code exists draw the same ideas again from real runs.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from figures._style import INK, MUTED, PALETTE, new_figure, save

BLUE, ORANGE, GREEN, RED = PALETTE[0], PALETTE[1], PALETTE[2], PALETTE[3]


def _canvas(width: float, height: float, xlim: float, ylim: float, ymin: float = 0.0):
    fig, ax = new_figure(width, height)
    ax.set_xlim(0, xlim)
    ax.set_ylim(ymin, ylim)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig, ax


def _box(ax, x, y, w, h, text, colour=BLUE, fontsize=11, weight="bold", fill_alpha=0.12):
    """A rounded box with its lower-left corner at (x, y)."""
    ax.add_patch(
        FancyBboxPatch(
            (x, y),
            w,
            h,
            boxstyle="round,pad=0.02,rounding_size=0.15",
            linewidth=1.6,
            edgecolor=colour,
            facecolor=colour,
            alpha=1.0,
            fill=False,
        )
    )
    ax.add_patch(
        FancyBboxPatch(
            (x, y),
            w,
            h,
            boxstyle="round,pad=0.02,rounding_size=0.15",
            linewidth=0,
            facecolor=colour,
            alpha=fill_alpha,
        )
    )
    ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=fontsize, weight=weight, color=INK)


def _arrow(ax, start, end, colour=INK, style="-|>", rad=0.0, lw=1.6):
    ax.add_patch(
        FancyArrowPatch(
            start,
            end,
            arrowstyle=style,
            mutation_scale=16,
            color=colour,
            linewidth=lw,
            connectionstyle=f"arc3,rad={rad}",
            shrinkA=2,
            shrinkB=2,
        )
    )


def fig_rlhf_pipeline(out_dir: Path, seed: int) -> Path:
    stages = [
        ("Pre-training", "language"),
        ("SFT", "format"),
        ("Reward Model", "scoring"),
        ("PPO", "quality"),
        ("Final Model", ""),
    ]
    fig, ax = _canvas(9.0, 1.9, 15.4, 3.2)
    w, h, gap = 2.6, 1.3, 0.6
    for i, (name, role) in enumerate(stages):
        x = 0.1 + i * (w + gap)
        colour = GREEN if i == len(stages) - 1 else BLUE
        _box(ax, x, 1.4, w, h, name, colour=colour)
        if role:
            ax.text(x + w / 2, 0.85, f"({role})", ha="center", va="center", fontsize=10, color=MUTED, style="italic")
        if i < len(stages) - 1:
            _arrow(ax, (x + w + 0.05, 1.4 + h / 2), (x + w + gap - 0.05, 1.4 + h / 2))
    return save(fig, out_dir, "rlhf_pipeline")


def fig_agent_environment_loop(out_dir: Path, seed: int) -> Path:
    fig, ax = _canvas(7.5, 2.8, 12.0, 5.4, ymin=1.0)
    _box(ax, 0.5, 1.6, 3.2, 1.8, "Agent\npolicy π(a | s)", colour=BLUE, fontsize=12)
    _box(ax, 8.0, 1.6, 3.5, 1.8, "Environment", colour=ORANGE, fontsize=12)
    _arrow(ax, (3.8, 3.0), (7.9, 3.0))
    ax.text(5.85, 3.25, "action $a_t$", ha="center", va="bottom", fontsize=11)
    _arrow(ax, (7.9, 2.0), (3.8, 2.0))
    ax.text(5.85, 1.75, "state $s_{t+1}$,  reward $r_{t+1}$", ha="center", va="top", fontsize=11)
    _arrow(ax, (9.75, 3.5), (2.1, 3.5), colour=MUTED, rad=0.25, lw=1.1, style="-|>")
    ax.text(5.95, 4.85, "repeat: t → t + 1", ha="center", va="bottom", fontsize=9, color=MUTED)
    return save(fig, out_dir, "agent_environment_loop")


def _bars(ax, x0, y0, labels, values, highlight, width=2.4, bar_h=0.42, gap=0.18, fmt="{:.2f}", colour=BLUE):
    """Horizontal value bars drawn inside a diagram, top to bottom from y0."""
    vmax = max(abs(v) for v in values) or 1.0
    for i, (label, value) in enumerate(zip(labels, values, strict=False)):
        y = y0 - i * (bar_h + gap)
        c = ORANGE if i == highlight else colour
        ax.add_patch(
            FancyBboxPatch((x0, y), width * max(value, 0) / vmax, bar_h, boxstyle="square,pad=0", color=c, alpha=0.85)
        )
        ax.text(x0 - 0.12, y + bar_h / 2, label, ha="right", va="center", fontsize=10)
        star = "  ★" if i == highlight else ""
        ax.text(
            x0 + width * max(value, 0) / vmax + 0.1,
            y + bar_h / 2,
            fmt.format(value) + star,
            ha="left",
            va="center",
            fontsize=10,
        )


def _network(ax, x, y, w, h, label, rng, colour=BLUE):
    """A small fully connected network drawn inside a rounded box."""
    _box(ax, x, y, w, h, "", colour=colour)
    layers = [3, 5, 5, 4]
    xs = np.linspace(x + 0.45, x + w - 0.45, len(layers))
    points = [[(xi, yi) for yi in np.linspace(y + 0.5, y + h - 0.75, n)] for xi, n in zip(xs, layers, strict=False)]
    for left, right in zip(points, points[1:], strict=False):
        for p in left:
            for q in right:
                ax.plot([p[0], q[0]], [p[1], q[1]], color=colour, alpha=0.18 + 0.25 * rng.random(), lw=0.7)
    for layer in points:
        for p in layer:
            ax.add_patch(
                FancyBboxPatch((p[0] - 0.07, p[1] - 0.07), 0.14, 0.14, boxstyle="circle,pad=0.0", color=colour)
            )
    ax.text(x + w / 2, y + h - 0.3, label, ha="center", va="center", fontsize=10.5, weight="bold")


def _screen(ax, x, y, w, h, rng, caption):
    pixels = rng.random((6, 8))
    ax.imshow(pixels, extent=(x, x + w, y, y + h), cmap="viridis", interpolation="nearest", zorder=1)
    ax.text(x + w / 2, y - 0.3, caption, ha="center", va="top", fontsize=10)


def fig_dqn_network(out_dir: Path, seed: int) -> Path:
    rng = np.random.default_rng(seed)
    fig, ax = _canvas(8.5, 3.3, 14.0, 5.2)
    _screen(ax, 0.2, 1.6, 2.6, 2.0, rng, "game screen\n(state $s$, pixels)")
    _arrow(ax, (3.0, 2.6), (4.1, 2.6))
    _network(ax, 4.2, 0.9, 3.4, 3.6, "Deep NN (the agent)", rng)
    _arrow(ax, (7.7, 2.6), (9.0, 2.6))
    _bars(ax, 10.6, 3.8, ["Q(s, up)", "Q(s, down)", "Q(s, left)", "Q(s, right)"], [0.2, 0.4, 0.1, 0.73], highlight=3)
    ax.text(11.6, 0.45, "one forward pass → all Q-values; act = argmax", ha="center", fontsize=9, color=MUTED)
    return save(fig, out_dir, "dqn_network")


def fig_policy_network(out_dir: Path, seed: int) -> Path:
    rng = np.random.default_rng(seed)
    fig, ax = _canvas(9.0, 3.1, 15.0, 5.0)
    _box(ax, 0.2, 1.9, 2.2, 1.3, "state s", colour=MUTED)
    _arrow(ax, (2.5, 2.55), (3.4, 2.55))
    _network(ax, 3.5, 0.8, 3.4, 3.5, "Deep NN (policy)", rng)
    _arrow(ax, (7.0, 2.55), (8.2, 2.55))
    _bars(ax, 9.4, 3.2, ["P(a₁|s)", "P(a₂|s)", "P(a₃|s)"], [0.9, 0.1, 0.0], highlight=0, width=2.0)
    ax.text(10.4, 1.0, "all probabilities sum to 1", ha="center", fontsize=9, color=MUTED)
    _arrow(ax, (12.4, 2.55), (13.0, 2.55))
    _box(ax, 13.1, 2.0, 1.8, 1.1, "sample\na ~ π(·|s)", colour=GREEN, fontsize=10)
    return save(fig, out_dir, "policy_network")


def fig_llm_as_policy(out_dir: Path, seed: int) -> Path:
    fig, ax = _canvas(8.5, 3.0, 14.0, 4.9)
    ax.text(1.6, 2.45, "“The cat sat\non the ___”", ha="center", va="center", fontsize=12, style="italic")
    ax.text(1.6, 1.35, "state: tokens so far", ha="center", fontsize=9, color=MUTED)
    _arrow(ax, (3.2, 2.45), (4.3, 2.45))
    _box(ax, 4.4, 1.7, 2.6, 1.5, "LLM\n= π(a | s)", colour=BLUE, fontsize=12)
    _arrow(ax, (7.1, 2.45), (8.2, 2.45))
    _bars(ax, 9.6, 3.8, ['"mat"', '"dog"', '"roof"', '"the"'], [0.35, 0.12, 0.08, 0.06], highlight=0, width=2.8)
    ax.text(11.0, 1.0, "… and 50,000 more tokens", ha="center", fontsize=9, color=MUTED)
    ax.text(11.0, 0.45, "action: the next token", ha="center", fontsize=9, color=MUTED)
    return save(fig, out_dir, "llm_as_policy")
