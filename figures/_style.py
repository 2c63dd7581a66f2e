"""One look for every figure: sizes, colours, and a byte-stable PNG writer."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

# Colour-blind-safe palette (Okabe-Ito), in the order figures use them.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
INK = "#1f2328"
MUTED = "#6e7781"
DPI = 160

STYLE = {
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "axes.edgecolor": MUTED,
    "axes.labelcolor": INK,
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.25,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "text.color": INK,
    "legend.frameon": False,
    "svg.hashsalt": "rl-fundamentals",
}


def new_figure(width: float = 7.0, height: float = 3.6, **kwargs):
    """A figure and its axes (``plt.subplots`` arguments pass through), drawn in the site's style."""
    plt.rcParams.update(STYLE)
    return plt.subplots(figsize=(width, height), layout="constrained", **kwargs)


def save(fig: Figure, out_dir: Path, name: str) -> Path:
    """Write ``out_dir/name.png`` with no timestamp or version in it, close the figure, return the path."""
    path = Path(out_dir) / f"{name}.png"
    fig.savefig(path, facecolor="white", metadata={"Software": None})
    plt.close(fig)
    return path
