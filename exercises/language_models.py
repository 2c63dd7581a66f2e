"""Exercises for "Language models" (docs/language-models.md).

Fill in each function, then run ``python -m rl4rlhf_exercises check NAME`` from the
repository's root.  The solutions are in ``snippets/lm_model.py`` and
``snippets/lm_rl.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from rl4rlhf.lm_model import Responses, TinyLM


# --8<-- [start:sample_next]
def sample_next(logits: torch.Tensor, temperature: float, generator) -> torch.Tensor:
    """One token id per row of ``logits`` (B, vocab) -> (B,), drawn with ``generator``.

    Temperature 0 is the argmax; above 0, sample from softmax(logits / T).
    Example: probabilities [0.6, 0.3, 0.1] at T = 0.5 become [0.78, 0.20, 0.02]
    (each p^(1/T), renormalised); at T = 2 they flatten to [0.47, 0.33, 0.19].
    """
    raise NotImplementedError


# --8<-- [end:sample_next]


# --8<-- [start:token_weights]
def token_weights(rewards: Sequence[float], lengths: Sequence[int], baseline: str):
    """The weight of every token: a (Σ lengths,) tensor and the same as (B, N) rows.

    Response i scores R_i at its end only; with γ = 1 every one of its tokens
    gets R_i - b_i, where b_i is 0 ("none"), the mean reward ("mean") or the
    mean of the other responses ("loo").  Rows are padded with 0 after a
    response ends.  Example: rewards [1.0, 0.25], lengths [2, 1], "none":
    weights [1.0, 1.0, 0.25]; rows [[1.0, 1.0], [0.25, 0.0]].
    """
    raise NotImplementedError


# --8<-- [end:token_weights]


# --8<-- [start:response_log_probs]
def response_log_probs(model: TinyLM, responses: Responses) -> torch.Tensor:
    """log π(a_t | s_t) of every response token, (B, N); 0 after a response ends.

    The state s_t is the prompt and the response's first t tokens; ``model(ids)``
    gives, at each position, the logits of the NEXT token.  ``responses.prompt``
    is (P,), ``responses.tokens`` and ``responses.mask`` are (B, N).  Keep the
    gradient: the policy update backpropagates through these.  Example: prompt
    ". the", response "cat .": the first entry is log π("cat" | ". the").
    """
    raise NotImplementedError


# --8<-- [end:response_log_probs]
