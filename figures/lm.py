"""Figures and tables for the language-model chapter, from real runs of snippets/lm_model.py and lm_rl.py.

One run per seed: pretrain the tiny LM, then improve it with REINFORCE (``RLConfig()``). Both models'
weights are kept on disk with the run (``figures/lm_runs.py``), so every artifact below reads them
instead of training again; each artifact's own work is sampling, a few seconds at most.

Two analyses the page shows only as a figure or a number live here, next to them, not in snippets/:
how one update moves each token's log-probability (``credit_assignment``), and the FLOPs of choosing
a token with the policy or with a token scorer (``forward_flops``, ``scoring_cost``).
"""

from __future__ import annotations

import copy
from collections import Counter
from pathlib import Path

import numpy as np
from rl4rlhf.lm_model import (
    LMConfig,
    Responses,
    TinyLM,
    TokenScorer,
    Vocab,
    encode_prompt,
    generate,
    load_corpus,
    next_token_distribution,
    response_texts,
)
from rl4rlhf.lm_rl import (
    KIND_WORDS,
    MAX_REWARD,
    UNKIND_WORDS,
    RLConfig,
    mean_reward,
    response_log_probs,
    reward_model,
)

from figures import _runs
from figures._style import INK, MUTED, PALETTE, new_figure, save
from figures.lm_runs import PROMPT, LMRun, lm_run, models, torch_single_thread

BLUE, ORANGE, GREEN, RED = PALETTE[0], PALETTE[1], PALETTE[2], PALETTE[3]
N_SEEDS = 3  # seeds seed, seed + 1, seed + 2 for the learning curve and the per-seed table
SAMPLES = 250  # responses per prompt when counting what a model writes
EVAL_SEED = 12345  # the sampling seed of every before/after comparison: both models see the same draws
GPT2_VOCAB = 50_257


def sample_texts(model, vocab, prompt: str, n: int = SAMPLES, temperature: float = 1.0, seed: int = EVAL_SEED):
    torch = torch_single_thread()
    generator = torch.Generator().manual_seed(seed)
    responses = generate(model, encode_prompt(vocab, prompt), n, RLConfig.max_new_tokens, temperature, generator)
    return response_texts(vocab, responses)


def _md_row(cells) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def _quote(prompt: str, response: str) -> str:
    return f"*{prompt}* {response}"


# ------------------------------------------------------------------------------- numbers


def num_lm_parameters(seed: int) -> str:
    pretrained, _, _, _ = models(seed)
    return f"{sum(p.numel() for p in pretrained.parameters()):,}"


def num_lm_vocab(seed: int) -> str:
    return str(len(Vocab(load_corpus())))


def num_lm_corpus_sentences(seed: int) -> str:
    return str(len(load_corpus()))


def num_lm_corpus_words(seed: int) -> str:
    """Words, not tokens: each sentence's closing "." is a token of the vocabulary but not a word."""
    return f"{sum(w != '.' for s in load_corpus() for w in s.split()):,}"


def num_lm_pretrain_steps(seed: int) -> str:
    return str(LMConfig().steps)


def num_lm_rl_updates(seed: int) -> str:
    return str(RLConfig().updates)


def num_lm_responses_per_update(seed: int) -> str:
    cfg = RLConfig()
    return str(cfg.responses_per_prompt * len(cfg.prompts))


def _top_token(model, vocab) -> tuple[str, float]:
    token, p = next(iter(next_token_distribution(model, vocab, PROMPT).items()))
    return token, p


def num_lm_top_token_before(seed: int) -> str:
    pretrained, _, vocab, _ = models(seed)
    token, p = _top_token(pretrained, vocab)
    if token != "mat":  # the page says the pretrained model, like the post's picture, prefers "mat"
        raise AssertionError(f'the pretrained model\'s top token after "{PROMPT}" is {token!r}, not "mat"')
    return f'"{token}" (probability {p:.2f})'


def num_lm_top_token_after(seed: int) -> str:
    _, improved, vocab, _ = models(seed)
    token, p = _top_token(improved, vocab)
    if token not in KIND_WORDS:  # the page and the figure's alt text say so
        raise AssertionError(f"after REINFORCE the top token is {token!r}, not a kind word")
    return f'"{token}" (probability {p:.2f})'


def num_lm_prompts(seed: int) -> str:
    return str(len(RLConfig().prompts))


def num_lm_responses_per_prompt(seed: int) -> str:
    return str(RLConfig().responses_per_prompt)


def num_lm_eval_samples(seed: int) -> str:
    return str(SAMPLES)


def num_lm_distinct_responses(seed: int) -> str:
    pretrained, improved, vocab, _ = models(seed)
    before, after = (len(set(sample_texts(m, vocab, "the cat"))) for m in (pretrained, improved))
    if not after < before:
        raise AssertionError("the page says REINFORCE narrows the responses")
    return f"{before} → {after}"


# ------------------------------------------------------------------------------- the policy, before and after


def fig_lm_next_token(out_dir: Path, seed: int) -> Path:
    pretrained, improved, vocab, _ = models(seed)
    before = next_token_distribution(pretrained, vocab, PROMPT)
    after = next_token_distribution(improved, vocab, PROMPT)
    likely_after = [t for t in list(after)[:3] if after[t] >= 0.01]
    shown = list(dict.fromkeys([*list(before)[:7], *likely_after]))  # the top tokens of either
    shown.sort(key=lambda t: -before[t])
    if not (after["mat"] < 0.05 and after["cold"] < 0.05):
        raise AssertionError('the alt text says "mat" and "cold" are near zero after REINFORCE')
    y = np.arange(len(shown))
    fig, ax = new_figure(7.0, 4.2)
    ax.barh(y - 0.2, [before[t] for t in shown], 0.4, color=MUTED, label="pretrained")
    ax.barh(y + 0.2, [after[t] for t in shown], 0.4, color=BLUE, label="after REINFORCE")
    for i, t in enumerate(shown):
        ax.text(max(before[t], after[t]) + 0.01, i, f"{before[t]:.2f} → {after[t]:.2f}", va="center", fontsize=9)
    ax.set_yticks(y, [f'"{t}"' for t in shown])
    for label, t in zip(ax.get_yticklabels(), shown, strict=True):  # the reward model's word lists
        score = reward_model(f"{t} .")
        label.set_color(GREEN if score > 0.5 else RED if score < 0.5 else INK)
    ax.invert_yaxis()
    ax.set_xlim(0, 1.12)
    ax.set_xlabel(f'π(next token | "{PROMPT}")')
    ax.set_title(f'The policy for "{PROMPT} ___", before and after RL (seed {seed})', fontsize=11)
    ax.legend(loc="lower right")
    ax.text(
        1.0,
        -0.16,
        "green: a kind word, red: an unkind word (the stand-in reward model's lists)",
        transform=ax.transAxes,
        ha="right",
        color=MUTED,
        fontsize=8.5,
    )
    return save(fig, out_dir, "lm_next_token")


WIDGET_TOP = 8  # tokens the training widget shows as bars; the rest of the probability is "other"
WIDGET_DECIMALS = 3  # what it shows


def _top_of_row(row: list[float], tokens: tuple[str, ...], k: int = WIDGET_TOP) -> tuple[list[str], list[float], float]:
    """The ``k`` most likely tokens of one ``next_token`` row (ties: vocabulary order), their probabilities
    and the probability of all the others."""
    order = sorted(range(len(row)), key=lambda i: (-row[i], i))
    top = order[:k]
    return [tokens[i] for i in top], [row[i] for i in top], sum(row[i] for i in order[k:])


def data_lm_training(seed: int) -> dict:
    """The training widget's table: π(· | PROMPT) after every REINFORCE update of the page's run, and
    the mean reward of every update's responses (update u's: sampled by the policy after u - 1 updates).

    ``steps[u]``: the model after u updates (0: the pretrained model), as its ``WIDGET_TOP`` most likely
    tokens, their probabilities and "other", the rest, all rounded to ``WIDGET_DECIMALS``.
    """
    record, tokens, d = lm_run(seed), Vocab(load_corpus()).tokens, WIDGET_DECIMALS
    steps = []
    for row in record["next_token"]:
        top, probs, other = _top_of_row(row, tokens)
        steps.append({"tokens": top, "p": [round(p, d) for p in probs], "other": round(other, d)})
    shown = sorted({t for step in steps for t in step["tokens"]})
    cfg = RLConfig()
    return {
        "prompt": PROMPT,
        "seed": seed,
        "decimals": d,
        "responses_per_update": cfg.responses_per_prompt * len(cfg.prompts),
        "steps": steps,
        "mean_rewards": [round(r, d) for r in record["mean_rewards"]],
        "kind": [t for t in shown if t in KIND_WORDS],  # the reward model's word lists, for the labels
        "unkind": [t for t in shown if t in UNKIND_WORDS],
    }


def fig_lm_responses(out_dir: Path, seed: int) -> Path:
    pretrained, improved, vocab, _ = models(seed)
    prompts = RLConfig().prompts
    texts = {
        name: {p: sample_texts(m, vocab, p) for p in prompts}
        for name, m in (("pretrained", pretrained), ("after REINFORCE", improved))
    }
    fig, (left, right) = new_figure(10.0, 4.4, ncols=2, width_ratios=(1.1, 1.4))
    bins = {  # the reward's values, grouped
        "cut off": lambda t, r: t.endswith("..."),
        "0": lambda t, r: r == 0 and not t.endswith("..."),
        "(0, ½)": lambda t, r: 0 < r < 0.5,
        "½": lambda t, r: r == 0.5,
        "(½, 1)": lambda t, r: 0.5 < r < 1,
        "1": lambda t, r: r == 1,
    }
    x = np.arange(len(bins))
    for name, colour, shift in (("pretrained", MUTED, -0.2), ("after REINFORCE", BLUE, 0.2)):
        scored = [(t, reward_model(t)) for p in prompts for t in texts[name][p]]
        shares = [np.mean([rule(t, r) for t, r in scored]) for rule in bins.values()]
        left.bar(x + shift, shares, 0.4, color=colour, label=f"{name}: mean {np.mean([r for _, r in scored]):.2f}")
    left.set_xticks(x, list(bins), fontsize=9.5)
    left.set_xlabel("reward of a response (a cut-off one scores 0)")
    left.set_ylabel("share of responses")
    left.set_title(f"{len(prompts)} prompts × {SAMPLES} responses each", fontsize=10.5)
    left.legend(loc="upper left", fontsize=9)
    prompt = "the cat"
    before, after = Counter(texts["pretrained"][prompt]), Counter(texts["after REINFORCE"][prompt])
    if after.most_common(1)[0][1] <= SAMPLES / 2:
        raise AssertionError("the alt text says one response takes most of the probability")
    top = [t for t, _ in after.most_common(6)] + [t for t, _ in before.most_common(4) if t not in after][:3]
    y = np.arange(len(top))
    right.barh(y - 0.2, [before[t] / SAMPLES for t in top], 0.4, color=MUTED, label="pretrained")
    right.barh(y + 0.2, [after[t] / SAMPLES for t in top], 0.4, color=BLUE, label="after REINFORCE")
    right.set_yticks(y, [f"{t}  [{reward_model(t):.2f}]" for t in top], fontsize=8.5)
    right.invert_yaxis()
    right.set_xlabel("share of responses")
    right.set_title(f'Responses to "{prompt}" [reward]: {len(before)} → {len(after)} distinct', fontsize=10.5)
    right.legend(loc="lower right", fontsize=9)
    return save(fig, out_dir, "lm_responses")


def fig_lm_reward_curve(out_dir: Path, seed: int) -> Path:
    records = _runs.each_run(lm_run, range(seed, seed + N_SEEDS))
    curves = np.array([record["mean_rewards"] for record in records])  # (seeds, updates)
    updates = np.arange(1, curves.shape[1] + 1)
    # The alt text's claims: the mean starts near 0.5, crosses 90% of the maximum in the first half and
    # stays near 1.0 to the last update.
    mean = curves.mean(0)
    crossed = np.flatnonzero(mean >= 0.9 * MAX_REWARD)
    assert abs(mean[0] - 0.5 * MAX_REWARD) < 0.15, f"the mean reward starts at {mean[0]:.2f}, not near 0.5"
    assert len(crossed) and crossed[0] < len(mean) // 2, "the mean reward does not cross 90% in the first half"
    assert mean[-10:].min() >= 0.9 * MAX_REWARD, "the mean reward does not stay near the maximum"
    fig, ax = new_figure(7.0, 3.8)
    for curve in curves:
        ax.plot(updates, curve, color=BLUE, alpha=0.3, lw=1)
    ax.plot(updates, curves.mean(0), color=BLUE, lw=2.2, label=f"mean over seeds {seed}–{seed + N_SEEDS - 1}")
    ax.axhline(0.9 * MAX_REWARD, color=ORANGE, ls="--", lw=1.3, label="90% of the maximum reward")
    ax.set_ylim(0, 1.05)
    ax.set_xlim(0, curves.shape[1])
    ax.set_xlabel("REINFORCE update")
    ax.set_ylabel("mean reward of the update's responses")
    cfg = RLConfig()
    ax.set_title(
        f"{cfg.responses_per_prompt * len(cfg.prompts)} responses per update, baseline: {cfg.baseline}", fontsize=11
    )
    ax.legend(loc="lower right")
    return save(fig, out_dir, "lm_reward_curve")


def table_lm_reward_per_seed(seed: int) -> str:
    cfg = RLConfig()
    rows = [
        "| seed | mean reward, pretrained | after REINFORCE | first update whose responses averaged ≥ 0.9 |",
        "|---:|---:|---:|---:|",
    ]
    seeds = range(seed, seed + N_SEEDS)
    for s, (pretrained, improved, vocab, record) in zip(seeds, _runs.each_run(models, seeds), strict=True):
        before, after = (
            mean_reward(m, vocab, cfg.prompts, SAMPLES, cfg.max_new_tokens, EVAL_SEED) for m in (pretrained, improved)
        )
        first = next(i + 1 for i, r in enumerate(record["mean_rewards"]) if r >= 0.9 * MAX_REWARD)
        rows.append(_md_row([s, f"{before:.3f}", f"{after:.3f}", first]))
    return "\n".join(rows)


def table_lm_samples(seed: int) -> str:
    pretrained, improved, vocab, _ = models(seed)
    rows = ["| prompt | pretrained | reward | after REINFORCE | reward |", "|:---|:---|---:|:---|---:|"]
    for prompt in RLConfig().prompts:
        before, after = sample_texts(pretrained, vocab, prompt, 3), sample_texts(improved, vocab, prompt, 3)
        for b, a in zip(before, after, strict=True):
            rows.append(_md_row([f"*{prompt}*", b, f"{reward_model(b):.2f}", a, f"{reward_model(a):.2f}"]))
    return "\n".join(rows)


# ------------------------------------------------------------------------------- temperature


def table_lm_temperature(seed: int) -> str:
    pretrained, _, vocab, _ = models(seed)
    prompt = "the sea"
    rows = ["| Sampling | Responses to *the sea* (5 draws, different random seeds) |", "|:---|:---|"]
    for name, temperature in (("Deterministic (temp=0)", 0.0), ("Stochastic (temp=0.7)", 0.7)):
        draws = [sample_texts(pretrained, vocab, prompt, 1, temperature, seed=s)[0] for s in range(5)]
        rows.append(_md_row([name, "<br>".join(f"{prompt} {d}" for d in draws)]))
    return "\n".join(rows)


TEMPERATURE_PROMPT = "the sea"
TEMPERATURES = tuple(k / 10 for k in range(21))  # the widget's slider: 0, 0.1, ..., 2
TEMPERATURE_DRAWS = 5  # responses shown at each temperature, seeds 0..4 (the table's draws)
TEMPERATURE_COUNT = 200  # responses drawn (one seed, EVAL_SEED) to count the distinct ones


def num_lm_temperature_draws(seed: int) -> str:
    return f"{TEMPERATURE_COUNT:,}"


def data_lm_temperature(seed: int) -> dict:
    """The temperature widget's table, for the pretrained model of the page's run and "the sea".

    At each temperature T of ``TEMPERATURES``: the first token's distribution, softmax(logits / T)
    (at T = 0 all of it on the argmax, as ``sample_next`` picks), as its ``WIDGET_TOP`` most likely
    tokens and "other"; its entropy in bits; the responses of ``TEMPERATURE_DRAWS`` draws with seeds
    0, 1, ... (at 0 and 0.7 they are the table's); and how many of ``TEMPERATURE_COUNT`` responses
    drawn with one seed are distinct.
    """
    torch = torch_single_thread()
    pretrained, _, vocab, _ = models(seed)
    with torch.no_grad():
        logits = pretrained(torch.tensor([encode_prompt(vocab, TEMPERATURE_PROMPT)]))[0, -1].double()  # (vocab,)
    d, steps = WIDGET_DECIMALS, []
    for t in TEMPERATURES:
        if t == 0:
            probs = torch.nn.functional.one_hot(logits.argmax(), len(logits)).double()  # (vocab,)
        else:
            probs = torch.softmax(logits / t, dim=-1)  # (vocab,)
        nonzero = probs[probs > 0]
        entropy = float(-(nonzero * torch.log2(nonzero)).sum()) + 0.0  # + 0.0: no "-0.0" at T = 0
        top, p, other = _top_of_row(probs.tolist(), vocab.tokens)
        draws = [sample_texts(pretrained, vocab, TEMPERATURE_PROMPT, 1, t, seed=s)[0] for s in range(TEMPERATURE_DRAWS)]
        distinct = len(set(sample_texts(pretrained, vocab, TEMPERATURE_PROMPT, TEMPERATURE_COUNT, t)))
        steps.append(
            {
                "temperature": t,
                "tokens": top,
                "p": [round(x, d) for x in p],
                "other": round(other, d),
                "entropy_bits": round(entropy, d),
                "draws": draws,
                "distinct": distinct,
            }
        )
    if not steps[0]["distinct"] == 1 < steps[7]["distinct"] < steps[-1]["distinct"]:
        raise RuntimeError(f"the widget's claim failed: more variety as T grows {[s['distinct'] for s in steps]}")
    return {
        "prompt": TEMPERATURE_PROMPT,
        "seed": seed,
        "decimals": d,
        "count": TEMPERATURE_COUNT,
        "vocab_size": len(vocab.tokens),
        "steps": steps,
    }


# ------------------------------------------------------------------------------- credit assignment

CREDIT_PROMPT = "the cat"
CREDIT_RESPONSES = (  # (response, reward): one kind, one unkind; the baseline is their mean, 0.5
    ("sat on the warm mat and purred .", 1.0),
    ("sat on the cold floor and hissed .", 0.0),
)


CREDIT_BASELINE = 0.5


def credit_assignment(
    model: TinyLM, vocab: Vocab, prompt: str, response: str, weight: float, learning_rate: float = 1e-3
) -> list[tuple[str, float, float]]:
    """How one update with one end-of-response weight moves each token's log π.

    ``weight`` is R - b, the same for every token (γ = 1).  One plain gradient step on
    -weight · Σ_t log π(a_t|s_t); returns (token, log π before, after) for each token of ``response``.
    """
    torch = torch_single_thread()
    P = len(encode_prompt(vocab, prompt))
    ids = encode_prompt(vocab, prompt) + vocab.encode(response)
    assert P < len(ids) <= model.context, f"{response!r} does not fit after {prompt!r}"
    responses = Responses(
        torch.tensor(ids[:P]),
        torch.tensor([ids[P:]]),
        torch.ones(1, len(ids) - P, dtype=torch.bool),
        torch.tensor([True]),
    )
    model = copy.deepcopy(model)
    before = response_log_probs(model, responses)[0]  # (N,)
    loss = -(weight * before).sum()  # every token gets the same weight
    loss.backward()
    with torch.no_grad():
        for p in model.parameters():
            assert p.grad is not None  # every parameter is on the path to the loss
            p.sub_(learning_rate * p.grad)  # one SGD step: p ← p - lr · ∂loss/∂p
        after = response_log_probs(model, responses)[0]  # (N,)
    return [(vocab.tokens[t], float(b), float(a)) for t, b, a in zip(ids[P:], before.detach(), after, strict=True)]


def credit_moves(seed: int) -> list[list[tuple[str, float, float]]]:
    """(token, log π before, after) for each token of each of ``CREDIT_RESPONSES``."""
    pretrained, _, vocab, _ = models(seed)
    if np.mean([r for _, r in CREDIT_RESPONSES]) != CREDIT_BASELINE:
        raise AssertionError("the page says the baseline is the two rewards' mean, 0.5")
    out = []
    for response, reward in CREDIT_RESPONSES:
        if reward_model(response) != reward:
            raise AssertionError(f"reward_model({response!r}) is not {reward}")
        out.append(credit_assignment(pretrained, vocab, CREDIT_PROMPT, response, reward - CREDIT_BASELINE))
    return out


def num_lm_credit_most_moved(seed: int) -> str:
    parts = []
    for moves in credit_moves(seed):
        top = sorted(moves, key=lambda m: -abs(m[2] - m[1]))[:3]
        if max(np.exp(b) for _, b, _ in top) >= 0.5:
            raise AssertionError("the page says the tokens that moved most had less than even odds")
        parts.append(", ".join(f'"{t}" ({a - b:+.2f})' for t, b, a in top))
    return f"{parts[0]} in the kind response and {parts[1]} in the unkind one"


def num_lm_credit_certain_moved(seed: int) -> str:
    """The largest move of a token that had π > 0.99 before the update."""
    moved = [abs(a - b) for moves in credit_moves(seed) for _, b, a in moves if np.exp(b) > 0.99]
    if not moved:
        raise AssertionError("the page says some tokens were near-certain (π > 0.99)")
    return f"{max(moved):.4f}"


def num_lm_credit_and(seed: int) -> str:
    kind, unkind = ([a - b for t, b, a in moves if t == "and"][0] for moves in credit_moves(seed))
    if not kind > 0 > unkind:
        raise AssertionError('the page says "and" moves up in the kind response and down in the unkind one')
    return f"{kind:+.2f} and {unkind:+.2f}"


def fig_lm_credit_assignment(out_dir: Path, seed: int) -> Path:
    baseline = CREDIT_BASELINE
    fig, axes = new_figure(8.0, 4.8, nrows=2, sharey=True)
    for ax, (response, reward), moves in zip(axes, CREDIT_RESPONSES, credit_moves(seed), strict=True):
        delta = [after - before for _, before, after in moves]
        x = np.arange(len(moves))
        ax.bar(x, delta, color=GREEN if reward > baseline else RED, width=0.6)
        ax.set_xticks(x, [f'"{t}"\nπ={np.exp(before):.2g}' for t, before, _ in moves], fontsize=8.5)
        ax.axhline(0, color=MUTED, lw=0.8)
        ax.set_title(
            f'"{CREDIT_PROMPT} {response}"  R = {reward:.0f}, weight R − b = {reward - baseline:+.1f} on every token',
            fontsize=10,
        )
        ax.set_ylabel("Δ log π(token)")
    fig.suptitle(
        "One update, one score for the whole response: how much each token's log-probability moved", fontsize=11
    )
    return save(fig, out_dir, "lm_credit_assignment")


# ------------------------------------------------------------------------------- the cost of scoring every token


def forward_flops(model, ids) -> int:
    """Floating-point operations of one forward pass on ``ids`` (B, T), counted by torch."""
    torch = torch_single_thread()
    from torch.utils.flop_counter import FlopCounterMode

    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        model(ids)
    return counter.get_total_flops()


def scoring_cost(model: TinyLM, vocab_size: int, context_ids: list[int]) -> dict:
    """FLOPs to choose one next token after ``context_ids``, two ways.

    Policy: one forward pass gives every token's logit; sample one.  Value learning with a token
    scorer: score each of the ``vocab_size`` candidates (one forward pass each, counted on one and
    multiplied), then take the max.
    """
    torch = torch_single_thread()
    state = torch.tensor([list(context_ids)])  # (1, T)
    policy = forward_flops(model, state)
    one = forward_flops(TokenScorer(model), torch.cat([state, state[:, -1:]], 1))
    return {"policy": policy, "score_every_token": one * vocab_size}


def table_lm_scoring_cost(seed: int) -> str:
    torch = torch_single_thread()
    pretrained, _, vocab, _ = models(seed)
    context = encode_prompt(vocab, PROMPT)
    rows = [
        "| vocabulary | sample from the policy (1 forward pass) | score every token with a Q-network | ratio |",
        "|:---|---:|---:|---:|",
    ]
    torch.manual_seed(seed)  # the big-vocabulary model's (unused) random weights
    for name, model, size in (
        (f"this model's ({len(vocab)} tokens)", pretrained, len(vocab)),
        (f"GPT-2's ({GPT2_VOCAB:,} tokens), same layers", TinyLM(GPT2_VOCAB, LMRun(seed).lm), GPT2_VOCAB),
    ):
        cost = scoring_cost(model, size, context)
        ratio = cost["score_every_token"] / cost["policy"]
        rows.append(
            _md_row([name, f"{cost['policy']:,} FLOPs", f"{cost['score_every_token']:,} FLOPs", f"{ratio:,.0f}×"])
        )
    return "\n".join(rows)


def num_lm_mean_baseline_scale(seed: int) -> str:
    """(k - 1)/k for the k responses per prompt: how much the group-mean baseline scales each weight."""
    k = RLConfig().responses_per_prompt
    return f"(k − 1)/k = {k - 1}/{k}"
