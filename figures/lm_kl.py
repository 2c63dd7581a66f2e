"""The KL-penalty page's figure and tables, from real runs of snippets/lm_kl.py (``figures/lm_kl_runs.py``).

For each of ``N_SEEDS`` seeds, the language-model page's pretrained model is trained with REINFORCE on
reward - β·KL(π ‖ π_pretrained) for every β of ``BETAS``, then measured on fresh samples. The page's claims,
that a larger β keeps the policy closer to the pretrained model and more diverse at some cost in reward, are
asserted by ``_sweep``, which every artifact here reads through: the build fails if they stop holding.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from rl4rlhf.lm_kl import KLConfig
from rl4rlhf.lm_rl import reward_model

from figures import _runs
from figures._style import MUTED, PALETTE, new_figure, save
from figures.lm_kl_runs import BETAS, SAMPLES, SHOWN, kl_sweep

BLUE = PALETTE[0]
N_SEEDS = 3  # seeds seed, seed + 1, seed + 2
SAMPLE_PROMPT = "the cat"  # the prompt whose responses the samples table shows


def _md_row(cells) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def _sweep(seed: int) -> dict:
    """Per measure ("reward", "kl", "distinct"): an array (seeds, betas), and the pretrained model's (seeds,).

    Asserts the page's claims on the mean over seeds, and on every seed: the KL to the pretrained model
    falls as β grows; β = 0.5 writes more distinct responses than β = 0 (the most of any β, on the mean);
    β = 0 scores more reward than β = 0.5; and the prose's claims on the small β, below.
    """
    records = _runs.each_run(kl_sweep, range(seed, seed + N_SEEDS))
    assert all([r["beta"] for r in rec["runs"]] == list(BETAS) for rec in records), "the records' β are not BETAS"
    out = {
        key: np.array([[r["measured"][key] for r in rec["runs"]] for rec in records])
        for key in ("reward", "kl", "distinct")
    }
    out.update({f"pretrained_{key}": np.array([rec["pretrained"][key] for rec in records]) for key in out.copy()})
    for name, rows in (("the mean over seeds", out["kl"].mean(0, keepdims=True)), ("a seed", out["kl"])):
        if not np.all(np.diff(rows, axis=1) < 0):
            raise AssertionError(f"the page says a larger β keeps the policy closer: for {name} KL is {rows}")
    distinct, reward = out["distinct"], out["reward"]
    if not (np.all(distinct[:, -1] > distinct[:, 0]) and distinct[:, -1].mean() == distinct.mean(0).max()):
        raise AssertionError(f"the page says β = {BETAS[-1]} writes the most distinct responses: {distinct}")
    if not (np.all(reward[:, 0] > reward[:, -1]) and reward[:, 0].mean() > reward[:, -1].mean() + 0.1):
        raise AssertionError(f"the page says β = {BETAS[-1]} costs reward: {reward}")
    # The prose and the alt text on the small β (0.02, 0.1): much closer (KL below 3/4 of β = 0's), nearly
    # all the reward (mean ≥ 0.95), responses still concentrated (distinct nearer β = 0's than β = 0.5's).
    kl, d = out["kl"].mean(0), distinct.mean(0)
    for i in (1, 2):
        if not (kl[i] < 0.75 * kl[0] and reward[:, i].mean() >= 0.95 and abs(d[i] - d[0]) < abs(d[i] - d[-1])):
            raise AssertionError(f"β = {BETAS[i]}: KL {kl}, reward {reward.mean(0)}, distinct {d}")
    # The alt text: β = 0.5 still scores more than the pretrained model, and writes fewer distinct responses.
    if not (reward[:, -1].mean() > out["pretrained_reward"].mean() and d[-1] < out["pretrained_distinct"].mean()):
        raise AssertionError(f"β = {BETAS[-1]} against the pretrained model: {reward.mean(0)}, {d}")
    return out


def _mean_spread(values: np.ndarray, fmt: str) -> str:
    """mean ± half the range over seeds."""
    return f"{values.mean():{fmt}} ± {(values.max() - values.min()) / 2:{fmt}}"


# ------------------------------------------------------------------------------- numbers


def num_lm_kl_updates(seed: int) -> str:
    return str(KLConfig().rl.updates)


def num_lm_kl_responses_per_update(seed: int) -> str:
    rl = KLConfig().rl
    return str(rl.responses_per_prompt * len(rl.prompts))


def num_lm_kl_eval_samples(seed: int) -> str:
    return str(SAMPLES * len(KLConfig().rl.prompts))


# ------------------------------------------------------------------------------- the sweep


def table_lm_kl_sweep(seed: int) -> str:
    s, n = _sweep(seed), num_lm_kl_eval_samples(seed)
    rows = [
        f"| β | mean reward | KL(π ‖ π_pretrained), nats per response | distinct responses (of {n}) |",
        "|---:|---:|---:|---:|",
    ]
    for i, beta in enumerate(BETAS):
        rows.append(
            _md_row(
                [
                    f"{beta:g}",
                    _mean_spread(s["reward"][:, i], ".3f"),
                    _mean_spread(s["kl"][:, i], ".2f"),
                    _mean_spread(s["distinct"][:, i], ".0f"),
                ]
            )
        )
    rows.append(
        _md_row(
            [
                "pretrained model",
                _mean_spread(s["pretrained_reward"], ".3f"),
                "0",
                _mean_spread(s["pretrained_distinct"], ".0f"),
            ]
        )
    )
    return "\n".join(rows)


def fig_lm_kl_tradeoff(out_dir: Path, seed: int) -> Path:
    s = _sweep(seed)
    x = np.arange(len(BETAS))
    fig, axes = new_figure(10.0, 3.6, ncols=3)
    panels = (
        ("reward", "mean reward", (0, 1.05)),
        ("kl", "KL(π ‖ π_pretrained), nats", None),
        ("distinct", f"distinct responses (of {num_lm_kl_eval_samples(seed)})", None),
    )
    for ax, (key, label, ylim) in zip(axes, panels, strict=True):
        for row in s[key]:
            ax.plot(x, row, color=BLUE, alpha=0.3, lw=1, marker="o", ms=3)
        ax.plot(x, s[key].mean(0), color=BLUE, lw=2.2, marker="o", label=f"mean, seeds {seed}–{seed + N_SEEDS - 1}")
        ax.axhline(s[f"pretrained_{key}"].mean(), color=MUTED, ls="--", lw=1.3, label="pretrained model")
        ax.set_xticks(x, [f"{b:g}" for b in BETAS])
        ax.set_xlabel("β")
        ax.set_title(label, fontsize=10.5)
        if ylim:
            ax.set_ylim(*ylim)
        else:
            ax.set_ylim(0, None)
    axes[0].legend(loc="lower left", fontsize=8.5)
    return save(fig, out_dir, "lm_kl_tradeoff")


def table_lm_kl_samples(seed: int) -> str:
    """For the pretrained model and each β: the first samples to ``SAMPLE_PROMPT``, and its most common
    responses with their share of the samples."""
    record = kl_sweep(seed)
    _sweep(seed)  # the claims hold before any sample is shown
    rows = [
        f"| model | first {SHOWN} samples [reward] | most common responses (share of {SAMPLES}) | distinct |",
        "|:---|:---|:---|---:|",
    ]
    models = [("pretrained", record["pretrained"])] + [(f"β = {r['beta']:g}", r["measured"]) for r in record["runs"]]
    for name, measured in models:
        first = [f"{t} [{reward_model(t):.2f}]" for t in measured["texts"][SAMPLE_PROMPT]]
        common = [f"{t} ({n / SAMPLES:.0%})" for t, n in measured["common"][SAMPLE_PROMPT]]
        distinct = measured["distinct_per_prompt"][SAMPLE_PROMPT]
        rows.append(_md_row([name, "<br>".join(first), "<br>".join(common), distinct]))
    return "\n".join(rows)
