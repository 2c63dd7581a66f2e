"""What the language-model tests share: ``FAST_LM``, pretrained once for all of them.

``pretrained(seed)`` is ``pretrain(replace(FAST_LM, seed=seed))`` read through the build's run memo
(``figures/_runs.py``): the first test that asks pretrains it; every other test module, the other
pytest worker and every later run read the weights back. They are the same floats, bit for bit (the
memo keeps float32 values as Python floats), and the memo's key covers the config, the code of
``rl4rlhf.lm_model`` and of ``figures/lm_runs.py`` (which writes and reads the weights), so an edit to
the model, to ``pretrain`` or to how weights are kept pretrains again.
"""

from __future__ import annotations

import dataclasses

from rl4rlhf.lm_model import LMConfig, TinyLM, Vocab, load_corpus, pretrain

from figures import _runs
from figures.lm_runs import _model, _state

FAST_LM = LMConfig(steps=300)  # half the default pretraining: enough to write sentences


def pretrained_as(cfg: LMConfig) -> tuple[TinyLM, Vocab]:
    """``pretrain(cfg)``, pretrained only the first time (a fresh model each call: tests may not share one)."""
    path = _runs.run_path("lm-pretrain", cfg, pretrain, _state)  # _state: how figures/lm_runs.py keeps weights
    record = _runs.memoised_run(path, lambda: {"state": _state(pretrain(cfg)[0])})
    vocab = Vocab(load_corpus())
    return _model(record["state"], vocab, cfg), vocab


def pretrained(seed: int) -> tuple[TinyLM, Vocab]:
    """``FAST_LM`` pretrained with ``seed``: (model, vocab)."""
    return pretrained_as(dataclasses.replace(FAST_LM, seed=seed))
