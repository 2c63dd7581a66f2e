"""One look for every figure: sizes, colours, and a byte-stable writer.

A figure is written as SVG or as PNG, whichever a reader downloads fewer bytes of: the SVG as a
server sends it, gzipped, against the PNG. Curves, bars, diagrams and small heatmaps (an ``imshow``
of a few cells) come out as SVG, a tenth of the PNG's weight and sharp at any zoom; a figure of
thousands of markers, or a large raster, comes out as PNG. A caller can choose with ``fmt``. Both are
byte-stable: the SVG's ids come from a fixed hash salt, its text is drawn as outlines (no font to
load or to differ between readers) and it carries no date or version; the PNG carries no software
tag and is reduced to a palette of at most 256 colours, which Pillow does the same way every time.
"""

from __future__ import annotations

import gzip
import io
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from PIL import Image  # noqa: E402

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
    "svg.hashsalt": "rl-fundamentals",  # the SVG's element ids: fixed, so a rebuild is byte for byte the same
    "svg.fonttype": "path",  # text drawn as outlines: the same on every reader's machine, no font to load
}
FORMATS = ("svg", "png")
PNG_COLOURS = 256  # a heatmap's colour map and its anti-aliased text fit in one palette


def new_figure(width: float = 7.0, height: float = 3.6, **kwargs):
    """A figure and its axes (``plt.subplots`` arguments pass through), drawn in the site's style."""
    plt.rcParams.update(STYLE)
    return plt.subplots(figsize=(width, height), layout="constrained", **kwargs)


def _svg(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    with plt.rc_context(STYLE):  # the hash salt and the text as outlines, whatever the caller changed since
        fig.savefig(buffer, format="svg", facecolor="white", metadata={"Date": None, "Creator": None})
    # Matplotlib sizes an SVG in points (72 per inch, 96 CSS px per inch); give it the pixel size the
    # PNG has (DPI per inch), so a figure shows as large on the page in either format.
    head, rest = buffer.getvalue().split(b"<svg ", 1)
    tag, rest = rest.split(b">", 1)
    tag = re.sub(rb'(width|height)="([\d.]+)pt"', lambda m: b'%s="%d"' % (m[1], round(float(m[2]) * DPI / 72)), tag)
    return head + b"<svg " + tag + b">" + rest


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", facecolor="white", metadata={"Software": None})
    with Image.open(buffer) as image:
        rgb = image.convert("RGB")
    out = io.BytesIO()
    rgb.quantize(PNG_COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(out, "PNG", optimize=True)
    return out.getvalue()


def save(fig: Figure, out_dir: Path, name: str, fmt: str | None = None) -> Path:
    """Write ``out_dir/name.svg`` or ``out_dir/name.png`` with no timestamp or version in it, close the
    figure, return the path. ``fmt`` None: the SVG, unless gzipped it is heavier than the PNG."""
    if fmt is not None and fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}, got {fmt!r}")
    svg = _svg(fig) if fmt != "png" else b""
    png = _png(fig) if fmt != "svg" else b""
    plt.close(fig)
    if fmt is None:
        fmt = "svg" if len(gzip.compress(svg, mtime=0)) <= len(png) else "png"
    path = Path(out_dir) / f"{name}.{fmt}"
    path.write_bytes(svg if fmt == "svg" else png)
    return path
