"""The language-model chapter's training runs, memoised: what each run trains, and what it records.

One run per seed: pretrain the tiny LM (``LMConfig(seed)``), then improve it with REINFORCE
(``RLConfig(seed)``). The record keeps both models' weights, the mean reward of every update, and the
policy after the post's prompt before the first update and after every update, so every artifact of
``figures/lm.py`` reads it instead of training again.

The run's key covers the code that trains it (``rl4rlhf.lm_rl`` and what it imports) and this module,
which decides what the record holds; drawing code in ``figures/lm.py`` can change without retraining.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rl4rlhf.lm_model import LMConfig, TinyLM, Vocab, load_corpus, next_token_distribution, pretrain
from rl4rlhf.lm_rl import RLConfig, train

from figures import _runs

PROMPT = "the cat sat on the"  # the post's "The cat sat on the ___"


def torch_single_thread():
    import torch

    torch.set_num_threads(1)  # one core per job; the build runs jobs side by side
    return torch


@dataclass(frozen=True)
class LMRun:
    """What one run trains: the pretraining settings and the REINFORCE settings, one seed."""

    seed: int
    lm: LMConfig = field(init=False)
    rl: RLConfig = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "lm", LMConfig(seed=self.seed))
        object.__setattr__(self, "rl", RLConfig(seed=self.seed))


def _state(model) -> dict:
    return {name: t.tolist() for name, t in model.state_dict().items()}


def _model(state: dict, vocab: Vocab, cfg: LMConfig) -> TinyLM:
    torch = torch_single_thread()
    model = TinyLM(len(vocab), cfg)
    model.load_state_dict({name: torch.tensor(v, dtype=torch.float32) for name, v in state.items()})
    return model.eval()


def run_path(run: LMRun) -> Path:
    """Where the outcome of ``run`` is kept: named by its configs, the code that trains it and library versions."""
    return _runs.run_path("lm", run, "rl4rlhf.lm_rl", __name__)


def _next_token_row(model, vocab: Vocab) -> list[float]:
    """π(· | PROMPT) in vocabulary order, rounded: one row of a run's ``next_token``."""
    dist = next_token_distribution(model, vocab, PROMPT)  # under torch.no_grad: no gradient, no random draw
    return [round(dist[t], 6) for t in vocab.tokens]


def lm_run(seed: int) -> dict:
    """Both models of one seed, the mean reward of every update and π(· | PROMPT) before the first update
    and after every update (``next_token``: rows in vocabulary order); trains only the first time."""
    run = LMRun(seed)

    def compute() -> dict:
        pretrained, vocab = pretrain(run.lm)
        rows = [_next_token_row(pretrained, vocab)]
        result = train(pretrained, vocab, run.rl, on_update=lambda model: rows.append(_next_token_row(model, vocab)))
        return {
            "pretrained": _state(pretrained),
            "improved": _state(result.model),
            "mean_rewards": result.mean_rewards,
            "next_token": rows,
        }

    return _runs.memoised_run(run_path(run), compute)


def models(seed: int) -> tuple[TinyLM, TinyLM, Vocab, dict]:
    """(pretrained model, model after REINFORCE, vocab, the run's record) for ``seed``."""
    torch_single_thread()
    record, run, vocab = lm_run(seed), LMRun(seed), Vocab(load_corpus())
    return _model(record["pretrained"], vocab, run.lm), _model(record["improved"], vocab, run.lm), vocab, record
