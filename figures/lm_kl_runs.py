"""The KL-penalty page's training runs, memoised: REINFORCE on reward - β·KL for every β of ``BETAS``.

One record per seed: the pretrained model of the language-model page's run of that seed (``figures/lm_runs.py``,
read from its memo, never pretrained again) is both the starting policy and the frozen reference π_ref; each β
trains a copy with ``rl4rlhf.lm_kl.train(KLConfig(beta, rl=...seed))``. The record keeps, for the pretrained
model and after each β's run, what ``measure`` finds on ``SAMPLES`` fresh responses per prompt (mean reward,
mean exact KL to π_ref, the number of distinct responses, the first few texts and the most common ones,
counted), and each run's per-update means.

The key covers the code that trains (``rl4rlhf.lm_kl`` and what it imports), ``figures.lm_runs`` (which decides
the pretrained model) and this module; drawing code in ``figures/lm_kl.py`` can change without retraining.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from rl4rlhf.lm_kl import KLConfig, measure, train

from figures import _runs
from figures.lm_runs import LMRun, models

BETAS = (0.0, 0.02, 0.1, 0.5)  # the sweep
SAMPLES = 100  # responses per prompt when measuring a model
EVAL_SEED = 12345  # the sampling seed of every measurement: every model sees the same draws
SHOWN = 3  # texts kept per prompt and model, for the page's samples


@dataclass(frozen=True)
class KLSweep:
    """What one seed's record trains: the pretrained model's run, and one KLConfig per β."""

    seed: int
    lm: LMRun = field(init=False)
    runs: tuple[KLConfig, ...] = field(init=False)
    samples: int = SAMPLES
    eval_seed: int = EVAL_SEED

    def __post_init__(self) -> None:
        rl = dataclasses.replace(KLConfig().rl, seed=self.seed)
        object.__setattr__(self, "lm", LMRun(self.seed))
        object.__setattr__(self, "runs", tuple(KLConfig(beta=b, rl=rl) for b in BETAS))


def run_path(sweep: KLSweep) -> Path:
    """Where the outcome of ``sweep`` is kept: named by its configs, the code that trains it and library versions."""
    return _runs.run_path("lm_kl", sweep, "rl4rlhf.lm_kl", "figures.lm_runs", __name__)


def _measured(model, reference, vocab, cfg: KLConfig) -> dict:
    rl = cfg.rl
    m = measure(model, reference, vocab, rl.prompts, SAMPLES, rl.max_new_tokens, EVAL_SEED)
    texts = m["texts"]
    return {
        "reward": float(m["reward"]),
        "kl": float(m["kl"]),
        "distinct": sum(len(set(t)) for t in texts.values()),  # distinct (prompt, response) pairs
        "texts": {p: t[:SHOWN] for p, t in texts.items()},
        "distinct_per_prompt": {p: len(set(t)) for p, t in texts.items()},
        "common": {p: Counter(t).most_common(SHOWN) for p, t in texts.items()},  # [(text, count), ...]
    }


def kl_sweep(seed: int) -> dict:
    """``{"pretrained": measured, "runs": [{"beta", "measured", "mean_rewards", "mean_kls"}, ...]}`` in the
    order of ``BETAS``; trains only the first time."""
    sweep = KLSweep(seed)

    def compute() -> dict:
        pretrained, _, vocab, _ = models(seed)  # the LM page's memo: no pretraining here
        runs = []
        for cfg in sweep.runs:
            result = train(pretrained, vocab, cfg)
            runs.append(
                {
                    "beta": cfg.beta,
                    "measured": _measured(result.model, pretrained, vocab, cfg),
                    "mean_rewards": result.mean_rewards,
                    "mean_kls": result.mean_kls,
                }
            )
        return {"pretrained": _measured(pretrained, pretrained, vocab, sweep.runs[0]), "runs": runs}

    return _runs.memoised_run(run_path(sweep), compute)
