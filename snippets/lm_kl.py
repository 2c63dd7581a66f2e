"""The KL penalty: REINFORCE on reward - β·KL(π ‖ π_pretrained), per token.

Pure reward makes the tiny LM collapse onto the one sentence the reward model
likes best (``lm_rl.py``).  RLHF keeps the policy near the model it started
from: every token pays β times its log-ratio to the frozen pretrained model,

    r_t = -β (log π(a_t|s_t) - log π_ref(a_t|s_t)),   plus R at the last token,

so the return of a whole response is R - β Σ_t (log π - log π_ref), whose mean
over responses sampled from π is R - β·KL(π ‖ π_ref).  Everything else is
``lm_rl``'s REINFORCE: the same sampling, log-probabilities, weights and loss.

The estimator: the sampled token's log-ratio k_t, as PPO for RLHF uses it.  It
is one number per token from log-probabilities the update computes anyway, its
mean over a_t ~ π is the KL at s_t, and as a reward it needs no new gradient
code.  The exact KL, summed over the vocabulary at each state, has less noise:
``exact_token_kl`` uses it to *measure* how far a trained policy has moved.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
from rl4rlhf._checks import check_callable, check_instance, check_real
from rl4rlhf.lm_model import (
    Responses,
    TinyLM,
    Vocab,
    encode_prompt,
    generate,
    response_texts,
)
from rl4rlhf.lm_rl import RLConfig, _check_task, response_log_probs, reward_model
from rl4rlhf.reinforce import policy_loss, reinforce_weights


# --8<-- [start:kl_config]
@dataclass(frozen=True)
class KLConfig:
    """REINFORCE with a KL penalty: β, and ``lm_rl``'s settings for the rest."""

    beta: float = 0.1
    """β: the reward one nat of KL to the pretrained model costs (0: plain REINFORCE)"""
    rl: RLConfig = field(
        default_factory=lambda: RLConfig(
            updates=50, responses_per_prompt=8, learning_rate=1e-3
        )
    )
    """the REINFORCE settings: the LM page's prompts, fewer, larger steps"""
    # --8<-- [end:kl_config]

    def __post_init__(self) -> None:
        check_real("beta", self.beta, low=0.0)
        check_instance("rl", self.rl, RLConfig, "an RLConfig")
        if self.rl.baseline != "mean":
            raise ValueError(
                f"rl must use the baseline 'mean' (the prompt's mean penalised "
                f"return), got baseline={self.rl.baseline!r}"
            )


# --8<-- [start:kl_estimate]
def token_log_ratios(
    log_probs: torch.Tensor, reference: TinyLM, responses: Responses
) -> torch.Tensor:
    """k_t = log π(a_t|s_t) - log π_ref(a_t|s_t) of each sampled token, (B, N).

    One sample of KL(π(·|s_t) ‖ π_ref(·|s_t)): its mean over a_t ~ π is that KL.
    A label, like a reward: no gradient flows through it.  0 after "." ends.
    """
    with torch.no_grad():  # π_ref is frozen: it only scores the tokens
        ref_log_probs = response_log_probs(reference, responses)  # (B, N)
    return (log_probs - ref_log_probs).detach()  # (B, N); detach: a label
    # --8<-- [end:kl_estimate]


# --8<-- [start:penalised_weights]
def penalised_weights(
    rewards: Sequence[float], log_ratios: torch.Tensor, lengths: Sequence[int], beta
) -> torch.Tensor:
    """G_t - b for every token, (B, N) rows, from the per-token rewards
    r_t = -β k_t, plus the score R at the response's last token (γ = 1).

    G_t = R - β Σ_{t' >= t} k_t': a token pays for its own log-ratio and for
    every later one, as a reward that arrives later would.  b = the prompt's mean
    G_0.  With β = 0 this is ``lm_rl.token_weights(..., "mean")``.

    Example, β = 0.1: two responses, one with k = [0.5, 1.0] and R = 1, so
    G = [0.85, 0.9]; one of one token, k = [0], R = 0, so G = [0]; b = 0.425:

    >>> k = torch.tensor([[0.5, 1.0], [0.0, 0.0]])  # (B, N), 0 after the end
    >>> penalised_weights([1.0, 0.0], k, [2, 1], beta=0.1)
    tensor([[ 0.4250,  0.4750],
            [-0.4250,  0.0000]])
    """
    episodes = [  # per-token rewards: the KL penalty on every token ...
        [-beta * k for k in row[:n]]
        for row, n in zip(log_ratios.tolist(), lengths, strict=True)
    ]
    for episode, reward in zip(episodes, rewards, strict=True):
        episode[-1] += reward  # ... and the reward model's score on the last one
    b = np.mean([sum(episode) for episode in episodes])  # the prompt's mean G_0
    values = torch.full((sum(lengths),), float(b))  # (Σ lengths,)
    weights = reinforce_weights(episodes, gamma=1.0, values=values)  # G_t - b
    rows = torch.zeros(len(lengths), log_ratios.shape[1])  # (B, N)
    rows[torch.arange(rows.shape[1]) < torch.as_tensor(lengths)[:, None]] = weights
    return rows
    # --8<-- [end:penalised_weights]


# --8<-- [start:kl_step]
def kl_step(model, reference, optimizer, vocab, cfg: KLConfig, generator, reward_fn):
    """One REINFORCE update on reward - β·KL.  Returns each response's reward and
    its Σ_t k_t, the one-sample estimate of its KL to the reference."""
    losses, rewards_seen, kl_seen = [], [], []
    for prompt in cfg.rl.prompts:
        ids, n = encode_prompt(vocab, prompt), cfg.rl.responses_per_prompt
        responses = generate(model, ids, n, cfg.rl.max_new_tokens, 1.0, generator)
        rewards = [reward_fn(t) for t in response_texts(vocab, responses)]
        lengths = responses.mask.sum(1).tolist()  # (B,) tokens per response
        log_probs = response_log_probs(model, responses)  # (B, N), with gradient
        k = token_log_ratios(log_probs, reference, responses)  # (B, N), a label
        weights = penalised_weights(rewards, k, lengths, cfg.beta)  # (B, N)
        losses.append(policy_loss(log_probs.flatten(), weights.flatten(), n))
        rewards_seen += rewards
        kl_seen += k.sum(1).tolist()
    loss = torch.stack(losses).mean()  # every prompt counts the same
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return rewards_seen, kl_seen
    # --8<-- [end:kl_step]


@dataclass(frozen=True, eq=False)
class KLResult:
    """A run: the improved model, and per update its responses' mean reward and
    mean one-sample KL estimate Σ_t k_t (nats per response)."""

    model: TinyLM
    mean_rewards: tuple[float, ...]
    mean_kls: tuple[float, ...]
    wall_s: float


# --8<-- [start:kl_loop]
def kl_loop(model, vocab, cfg: KLConfig, reward_fn=reward_model) -> KLResult:
    """Improve a copy of ``model`` on reward - β·KL to ``model`` as it is now."""
    started = time.perf_counter()
    reference = copy.deepcopy(model).eval().requires_grad_(False)  # π_ref: frozen
    model = copy.deepcopy(model).train()  # π: starts as π_ref, then moves
    generator = torch.Generator().manual_seed(cfg.rl.seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg.rl.learning_rate)
    rewards, kls = [], []
    for _ in range(cfg.rl.updates):
        r, k = kl_step(model, reference, optimizer, vocab, cfg, generator, reward_fn)
        rewards.append(float(np.mean(r)))
        kls.append(float(np.mean(k)))
    wall_s = time.perf_counter() - started
    return KLResult(model.eval(), tuple(rewards), tuple(kls), wall_s)
    # --8<-- [end:kl_loop]


def train(
    model: TinyLM,
    vocab: Vocab,
    cfg: KLConfig | None = None,
    reward_fn: Callable[[str], float] = reward_model,
) -> KLResult:
    """``kl_loop`` behind its door: bad input fails here, by name, before any
    update.  The reference π_ref is ``model`` itself, as given (it is copied)."""
    cfg = KLConfig() if cfg is None else cfg
    check_instance("cfg", cfg, KLConfig, "a KLConfig")
    _check_task(model, vocab, cfg.rl)
    check_callable("reward_fn", reward_fn)
    return kl_loop(model, vocab, cfg, reward_fn)


# --8<-- [start:kl_measure]
def exact_token_kl(model, reference, responses: Responses) -> torch.Tensor:
    """KL(π(·|s_t) ‖ π_ref(·|s_t)) = Σ_a π(a|s_t) log(π(a|s_t) / π_ref(a|s_t)),
    summed over the whole vocabulary, at every state s_t of the responses: (B, N).

    Its sum over t, averaged over responses y ~ π, estimates KL(π ‖ π_ref) over
    whole responses (the chain rule), with less noise than Σ_t k_t."""
    B, P = responses.tokens.shape[0], len(responses.prompt)
    ids = torch.cat([responses.prompt.repeat(B, 1), responses.tokens], 1)  # (B, P+N)
    with torch.no_grad():
        logp = torch.log_softmax(model(ids[:, :-1])[:, P - 1 :], -1)  # (B, N, vocab)
        ref = torch.log_softmax(reference(ids[:, :-1])[:, P - 1 :], -1)  # (B, N, vocab)
    kl = (logp.exp() * (logp - ref)).sum(-1)  # (B, N)
    return kl * responses.mask  # no state after the response's "."
    # --8<-- [end:kl_measure]


def measure(
    model: TinyLM,
    reference: TinyLM,
    vocab: Vocab,
    prompts: Sequence[str],
    n: int,
    max_new_tokens: int,
    seed: int,
    reward_fn: Callable[[str], float] = reward_model,
) -> dict:
    """``n`` responses per prompt sampled from ``model`` (temperature 1, ``seed``):
    their mean reward, mean exact KL to ``reference`` (nats per response), and
    the texts, per prompt."""
    generator = torch.Generator().manual_seed(seed)
    rewards, kls, texts = [], [], {}
    for prompt in prompts:
        ids = encode_prompt(vocab, prompt)
        responses = generate(model, ids, n, max_new_tokens, 1.0, generator)
        texts[prompt] = response_texts(vocab, responses)
        rewards += [reward_fn(t) for t in texts[prompt]]
        kls += exact_token_kl(model, reference, responses).sum(1).tolist()
    return {"reward": np.mean(rewards), "kl": np.mean(kls), "texts": texts}
