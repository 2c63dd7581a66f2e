"""Tests for snippets/lm_model.py: the vocabulary, the model, pretraining, the policy and sampling."""

from __future__ import annotations

import dataclasses
import doctest
import functools

import numpy as np
import pytest
import torch
from rl4rlhf.lm_model import (
    LMConfig,
    TinyLM,
    TokenScorer,
    Vocab,
    encode_prompt,
    generate,
    load_corpus,
    next_token_distribution,
    pretrain,
    response_texts,
    sample_next,
)

from figures.lm_runs import LMRun, models
from rl4rlhf import lm_model
from tests import lm_helpers


@pytest.fixture(autouse=True)
def one_thread():
    """One CPU thread: identical floating-point sums from run to run, and no oversubscription."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def pretrained():
    """``pretrained(seed)`` -> (model, vocab) with FAST_LM, pretrained once for every test module
    (tests/lm_helpers.py: through the build's run memo) and read once per module. Tests must not change
    the models.
    """
    return functools.cache(lm_helpers.pretrained)


def generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def weights(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {name: value.clone() for name, value in model.state_dict().items()}


def same(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[name], b[name]) for name in a)


def entropy(probs) -> float:
    probs = np.asarray(list(probs))
    return float(-(probs * np.log(probs, where=probs > 0, out=np.zeros_like(probs))).sum())


def test_the_docstring_examples_hold():
    result = doctest.testmod(lm_model, raise_on_error=False, verbose=False)
    assert result.attempted > 0 and result.failed == 0


# --- Tokens and the corpus -----------------------------------------------------------------------


def test_vocab_round_trips():
    vocab = Vocab(["the cat sat .", "the dog ran ."])
    assert vocab.tokens == (".", "cat", "dog", "ran", "sat", "the") and len(vocab) == 6
    assert vocab.encode("the cat ran") == [5, 1, 3] and vocab.end_id == 0
    assert vocab.decode(vocab.encode("the dog sat .")) == "the dog sat ."
    with pytest.raises(KeyError, match="bird"):  # Vocab is not a door: the callers check the words
        vocab.encode("the bird sat")
    assert Vocab([]).tokens == (".",)  # "." is always a token


def test_corpus_lines_are_sentences(tmp_path):
    sentences = load_corpus()
    assert len(sentences) > 100 and all(s.endswith(" .") for s in sentences)
    good = tmp_path / "good.txt"
    good.write_text("the cat sat .\n\n  the dog ran .  \n", "utf-8")
    assert load_corpus(good) == ["the cat sat .", "the dog ran ."]
    for name, text in [("unfinished.txt", "the cat sat .\nthe dog ran\n"), ("empty.txt", "\n")]:
        (tmp_path / name).write_text(text, "utf-8")
        with pytest.raises(ValueError, match=name):
            load_corpus(tmp_path / name)


def test_a_prompt_starts_after_the_end_token():
    vocab = Vocab(["the cat sat ."])
    assert encode_prompt(vocab, "the cat") == [vocab.end_id, *vocab.encode("the cat")]
    assert encode_prompt(vocab, "") == [vocab.end_id]  # the state before any word


# --- The model -----------------------------------------------------------------------------------


def test_the_logits_are_the_head_on_the_features_and_the_context_is_kept(pretrained):
    model, vocab = pretrained(0)
    ids = torch.tensor([encode_prompt(vocab, "the cat sat on the mat and the dog ran")])  # (1, 11)
    with torch.no_grad():
        features = model.features(ids)
        assert features.shape == (1, ids.shape[1], lm_helpers.FAST_LM.width)
        torch.testing.assert_close(model(ids), model.head(features), rtol=0, atol=0)
        long = torch.cat([ids] * 3, dim=1)  # 33 tokens: only the last 24 are read
        torch.testing.assert_close(model(long), model(long[:, -model.context :]), rtol=0, atol=0)


def test_pretrain_is_reproducible():
    cfg = LMConfig(steps=3, seed=7)
    (first, vocab), (second, _) = pretrain(cfg), pretrain(cfg)
    assert same(weights(first), weights(second)) and len(vocab) == first.head.out_features
    other, _ = pretrain(dataclasses.replace(cfg, seed=8))
    assert not same(weights(first), weights(other))


# --- The policy and temperature ------------------------------------------------------------------


def test_sample_next_follows_softmax_of_logits_over_temperature_and_zero_is_argmax():
    logits = torch.log(torch.tensor([0.6, 0.3, 0.1])).expand(20_000, 3)  # (B, vocab): 20,000 draws
    expected = {  # softmax(log p / T) ∝ p^(1/T)
        2.0: np.sqrt([0.6, 0.3, 0.1]) / np.sqrt([0.6, 0.3, 0.1]).sum(),
        1.0: [0.6, 0.3, 0.1],
        0.5: [0.36 / 0.46, 0.09 / 0.46, 0.01 / 0.46],
    }
    entropies = []
    for temperature, probs in expected.items():
        tokens = sample_next(logits, temperature, generator(0))
        frequencies = (torch.bincount(tokens, minlength=3) / len(tokens)).numpy()
        assert np.allclose(frequencies, probs, atol=0.015), temperature
        entropies.append(entropy(frequencies))
    assert entropies == sorted(entropies, reverse=True)  # lower temperature, sharper distribution
    logits = torch.tensor([[0.1, 2.0, 1.9], [3.0, -1.0, 2.9]])
    for seed in range(5):  # temperature 0 is the argmax of each row, whatever the generator
        assert sample_next(logits, 0, generator(seed)).tolist() == [1, 0]


def test_temperature_zero_writes_the_same_response_every_time(pretrained):
    model, vocab = pretrained(0)
    prompt = encode_prompt(vocab, "the sea")
    batches = [generate(model, prompt, 4, 12, 0, generator(seed)).tokens for seed in range(3)]
    assert all(torch.equal(batch, batches[0]) for batch in batches)
    assert (batches[0] == batches[0][0]).all()  # the 4 responses of one batch are one response


@pytest.mark.parametrize("prompt", ["the sea", "the cat"])
def test_temperature_0_7_writes_varied_responses(pretrained, prompt):
    model, vocab = pretrained(0)
    responses = generate(model, encode_prompt(vocab, prompt), 20, 12, 0.7, generator(0))
    assert len(set(response_texts(vocab, responses))) >= 3


def test_next_token_distribution_is_the_softmax_of_the_last_logits_sorted(pretrained):
    model, vocab = pretrained(0)
    dist = next_token_distribution(model, vocab, "the cat sat on the")
    probs = list(dist.values())
    assert sorted(dist) == sorted(vocab.tokens) and sum(probs) == pytest.approx(1.0, abs=1e-5)
    assert probs == sorted(probs, reverse=True)
    with torch.no_grad():
        logits = model(torch.tensor([encode_prompt(vocab, "the cat sat on the")]))[0, -1]
    softmax = torch.softmax(logits, -1)
    assert all(dist[t] == pytest.approx(float(softmax[i]), abs=1e-7) for i, t in enumerate(vocab.tokens))


def test_the_default_model_continues_the_cat_sat_on_the_with_mat():
    # pretrain(LMConfig(seed=0)), as the language-model page's run of seed 0 pretrained it (read from the
    # build's memo, figures/lm_runs.py): "the cat sat on the mat" is the corpus' favourite.
    assert LMRun(0).lm == LMConfig(seed=0)
    model, _, vocab, _ = models(0)
    top, second = list(next_token_distribution(model, vocab, "the cat sat on the").items())[:2]
    assert top[0] == "mat" and top[1] > second[1] + 0.1


def test_unfinished_responses_are_marked(pretrained):
    model, vocab = pretrained(0)
    responses = generate(model, encode_prompt(vocab, "the cat"), 6, 2, 1.0, generator(0))
    assert responses.tokens.shape == (6, 2) and not responses.finished.all()
    for text, finished in zip(response_texts(vocab, responses), responses.finished, strict=True):
        assert text.endswith(" .") if finished else text.endswith(" ...")
    # The longest response that fits: the prompt and every new token in the model's context.
    longest = model.context - len(encode_prompt(vocab, "the cat"))
    assert generate(model, encode_prompt(vocab, "the cat"), 2, longest, 1.0, generator(0)).tokens.shape[0] == 2


# --- The token scorer (a Q-network over tokens) and the cost of choosing a token -----------------


def test_the_token_scorer_is_a_q_head_on_the_models_trunk(pretrained):
    model, vocab = pretrained(0)
    scorer = TokenScorer(model)
    ids = torch.tensor([encode_prompt(vocab, "the cat sat on the mat")] * 2)  # (2, 7)
    with torch.no_grad():
        q = scorer(ids)
        assert q.shape == (2,)
        torch.testing.assert_close(q, scorer.q_head(model.features(ids))[:, -1, 0], rtol=0, atol=0)
    assert {name for name, _ in scorer.named_parameters()} == {
        *(f"lm.{name}" for name, _ in model.named_parameters()),
        "q_head.weight",
        "q_head.bias",
    }


def test_scoring_every_token_costs_vocab_size_forward_passes(pretrained):
    from figures.lm import forward_flops, scoring_cost  # the page's table (two-families.md)

    model, vocab = pretrained(0)
    context = encode_prompt(vocab, "the cat sat on the")
    cost = scoring_cost(model, len(vocab), context)
    one = forward_flops(TokenScorer(model), torch.tensor([context + [vocab.end_id]]))
    assert cost["score_every_token"] == len(vocab) * one and cost["policy"] > 0
    assert cost["score_every_token"] > len(vocab) // 2 * cost["policy"]
    ids = torch.tensor([context])
    assert forward_flops(model, ids.repeat(4, 1)) == 4 * forward_flops(model, ids)  # linear in B


def test_the_token_scorer_reads_at_most_the_models_context(pretrained):
    from figures.lm import scoring_cost

    model, vocab = pretrained(0)
    full = ([vocab.end_id] + vocab.encode("the cat sat on the mat") * 4)[: model.context]
    cost = scoring_cost(model, len(vocab), full)  # the candidate makes context + 1 tokens: the oldest is dropped
    assert cost["score_every_token"] > 0


# --- Bad input, at the doors: LMConfig and pretrain ----------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("width", 50, ValueError),  # not divisible by 4 heads
        ("steps", 0, ValueError),
        ("context", -1, ValueError),
        ("learning_rate", 0, ValueError),
        ("learning_rate", float("nan"), ValueError),
        ("seed", -1, ValueError),
        ("layers", True, TypeError),  # a bool is not an int
        ("batch_size", 2.0, TypeError),
    ],
)
def test_a_bad_lm_config_fails_naming_the_field(field, value, error):
    with pytest.raises(error, match=rf"^{field}\b"):
        LMConfig(**{field: value})


def test_pretrain_refuses_bad_input_by_name():
    with pytest.raises(TypeError, match="^cfg must be an LMConfig"):
        pretrain({"steps": 1})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^sentences must hold more than context \+ 1 = 25 tokens, got 5"):
        pretrain(LMConfig(steps=1), sentences=["the cat sat ."])
    with pytest.raises(ValueError, match=r"^sentences must hold more than context \+ 1"):
        pretrain(LMConfig(steps=1), sentences=[])
    with pytest.raises(TypeError, match="^sentences must be a list of strings"):
        pretrain(LMConfig(steps=1), sentences="the cat sat on the mat .")
    model, vocab = pretrain(LMConfig(steps=1, context=4), sentences=["the cat sat on the mat ."])
    assert len(vocab) == 6 and model.context == 4  # 8 tokens: more than 4 + 1 is enough
    assert isinstance(model, TinyLM)


# --- The page's exercises -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["sample_next"])
def test_the_exercise_check_passes_on_the_snippet(name):
    """The reader's check (python -m rl4rlhf_exercises check NAME) holds this module's function to the same cases."""
    import rl4rlhf_exercises
    from rl4rlhf import lm_model

    report = rl4rlhf_exercises.check(name, getattr(lm_model, name), time_limit_s=120.0)
    assert report.passed, report.text()


def test_the_tests_pretrained_models_are_what_pretrain_returns():
    """tests/lm_helpers.py keeps a pretrained model in the run memo: read back, it is the same model."""
    cfg = LMConfig(steps=3, seed=11)
    fresh, vocab = pretrain(cfg)
    for _ in range(2):  # the first call may pretrain and keep it; the second reads it back
        kept, kept_vocab = lm_helpers.pretrained_as(cfg)
        assert kept_vocab.tokens == vocab.tokens
        assert same(weights(kept), weights(fresh)) and not kept.training
