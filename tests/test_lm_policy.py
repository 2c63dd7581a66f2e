"""Tests for snippets/lm_policy.py: the vocabulary, sampling, the env, REINFORCE on a tiny LM, and the CLI."""

from __future__ import annotations

import copy
import dataclasses
import functools
import json

import numpy as np
import pytest
import torch
from gymnasium.utils.env_checker import check_env

from snippets import lm_policy
from snippets.lm_policy import (
    MAX_REWARD,
    LMConfig,
    ResponseEnv,
    RLConfig,
    TokenScorer,
    Vocab,
    credit_assignment,
    encode_prompt,
    forward_flops,
    generate,
    load_corpus,
    mean_reward,
    next_token_distribution,
    pretrain,
    response_log_probs,
    response_texts,
    reward_model,
    rl_step,
    sample_next,
    scoring_cost,
    token_weights,
    train_rl,
    write_response,
)

FAST_LM = LMConfig(steps=300)  # half the default pretraining: enough to write sentences
FAST_RL = RLConfig(updates=20, learning_rate=1e-3)  # fewer, larger steps than the default


@pytest.fixture(autouse=True)
def one_thread():
    """One CPU thread: identical floating-point sums from run to run, and no oversubscription."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def pretrained():
    """``pretrained(seed)`` -> (model, vocab) with FAST_LM; each seed is trained once for the module.

    Training happens on the first call, inside a test, so under ``one_thread``.  Tests must not
    change the models (the functions under test copy them before training).
    """
    return functools.cache(lambda seed: pretrain(dataclasses.replace(FAST_LM, seed=seed)))


@pytest.fixture(scope="module")
def default_lm():
    """``default_lm()`` -> (model, vocab) with the default LMConfig(seed=0), trained once for the module."""
    return functools.cache(lambda: pretrain(LMConfig(seed=0)))


def generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def weights(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {name: value.clone() for name, value in model.state_dict().items()}


def same(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[name], b[name]) for name in a)


def entropy(probs) -> float:
    probs = np.asarray(list(probs))
    return float(-(probs * np.log(probs, where=probs > 0, out=np.zeros_like(probs))).sum())


# --- Tokens and the corpus -----------------------------------------------------------------------


def test_vocab_round_trips_and_rejects_unknown_words():
    vocab = Vocab(["the cat sat .", "the dog ran ."])
    assert vocab.tokens == (".", "cat", "dog", "ran", "sat", "the") and len(vocab) == 6
    assert vocab.encode("the cat ran") == [5, 1, 3] and vocab.end_id == 0
    assert vocab.decode(vocab.encode("the dog sat .")) == "the dog sat ."
    with pytest.raises(ValueError, match=r"^text has words outside the vocabulary: \['bird'\]"):
        vocab.encode("the bird sat")
    with pytest.raises(ValueError, match="^sentences must hold at least one word"):
        Vocab([])


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
    for prompt in ["", "   ", None]:
        with pytest.raises(ValueError, match="^prompt must be a non-empty string"):
            encode_prompt(vocab, prompt)


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
    env = ResponseEnv(vocab, ["the sea"])
    episodes = [write_response(env, model, generator(seed), temperature=0) for seed in range(3)]
    assert all(episode == episodes[0] for episode in episodes)


@pytest.mark.parametrize("prompt", ["the sea", "the cat"])
def test_temperature_0_7_writes_varied_responses(pretrained, prompt):
    model, vocab = pretrained(0)
    responses = generate(model, encode_prompt(vocab, prompt), 20, 12, 0.7, generator(0))
    assert len(set(response_texts(vocab, responses))) >= 3


def test_next_token_distribution_is_sorted_and_sharpens_with_lower_temperature(pretrained):
    model, vocab = pretrained(0)
    dist = next_token_distribution(model, vocab, "the cat sat on the")
    probs = list(dist.values())
    assert sorted(dist) == sorted(vocab.tokens) and sum(probs) == pytest.approx(1.0, abs=1e-5)
    assert probs == sorted(probs, reverse=True)
    entropies = [entropy(next_token_distribution(model, vocab, "the cat", t).values()) for t in (2, 1, 0.5)]
    assert entropies == sorted(entropies, reverse=True)


def test_the_default_model_continues_the_cat_sat_on_the_with_mat(default_lm):
    model, vocab = default_lm()  # "the cat sat on the mat" is the corpus' favourite
    top, second = list(next_token_distribution(model, vocab, "the cat sat on the").items())[:2]
    assert top[0] == "mat" and top[1] > second[1] + 0.1


# --- Loops against the vectorised code -----------------------------------------------------------


def test_env_loop_writes_what_generate_writes(pretrained):
    model, vocab = pretrained(0)
    for prompt in ["the sea", "the cat", "the dog"]:
        env = ResponseEnv(vocab, [prompt], max_new_tokens=12)
        shown, actions, rewards = write_response(env, model, generator(0), temperature=0, seed=0)
        responses = generate(model, encode_prompt(vocab, prompt), 1, 12, 0, generator(0))
        assert shown == prompt and actions == responses.tokens[0][responses.mask[0]].tolist()
        assert rewards[:-1] == [0.0] * (len(rewards) - 1)
        assert rewards[-1] == reward_model(response_texts(vocab, responses)[0])


def test_response_log_probs_match_a_token_by_token_loop(pretrained):
    model, vocab = pretrained(0)
    responses = generate(model, encode_prompt(vocab, "the cat"), 8, 12, 1.0, generator(1))
    assert (~responses.mask).any()  # some responses ended early: the batch holds padding
    batched = response_log_probs(model, responses)  # (B, N)
    prompt = responses.prompt.tolist()
    with torch.no_grad():
        for b, (tokens, mask) in enumerate(zip(responses.tokens.tolist(), responses.mask, strict=True)):
            for t, token in enumerate(tokens):
                if not mask[t]:
                    assert batched[b, t] == 0.0  # padding after "." is not an action
                    continue
                prefix = torch.tensor([prompt + tokens[:t]])  # (1, P + t): the state s_t
                expected = torch.log_softmax(model(prefix)[0, -1], -1)[token]
                assert float(batched[b, t]) == pytest.approx(float(expected), abs=1e-5)


def test_unfinished_responses_are_marked_and_score_zero(pretrained):
    model, vocab = pretrained(0)
    responses = generate(model, encode_prompt(vocab, "the cat"), 6, 2, 1.0, generator(0))
    assert responses.tokens.shape == (6, 2) and not responses.finished.all()
    for text, finished in zip(response_texts(vocab, responses), responses.finished, strict=True):
        assert text.endswith(" .") if finished else (text.endswith(" ...") and reward_model(text) == 0.0)


# --- Rewards and weights -------------------------------------------------------------------------


def test_reward_model_examples_and_range():
    assert reward_model("the cat sat on the warm mat and purred .") == 1.0
    assert reward_model("the cat sat on the cold floor and purred .") == 0.5
    assert reward_model("the sea is vast and blue .") == 0.5
    assert reward_model("the dog growled") == 0.0 and reward_model("") == 0.0  # unfinished
    assert reward_model("the dog growled and bit .") == 0.0
    assert reward_model("the happy cat .") == MAX_REWARD  # nothing scores more
    for sentence in load_corpus():
        assert 0.0 <= reward_model(sentence) <= MAX_REWARD


@pytest.mark.parametrize(("baseline", "b"), [("none", 0.0), ("mean", 0.5)])
def test_every_token_of_a_response_gets_its_reward_minus_the_baseline(baseline, b):
    rewards, lengths = [1.0, 0.25, 0.25], [3, 1, 2]  # mean reward 0.5
    weights, rows = token_weights(rewards, lengths, baseline)
    assert weights.tolist() == [1.0 - b] * 3 + [0.25 - b] + [0.25 - b] * 2  # (Σ lengths,)
    assert rows.tolist() == [[1.0 - b] * 3, [0.25 - b, 0.0, 0.0], [0.25 - b] * 2 + [0.0]]  # (B, N)


def test_the_leave_one_out_baseline_is_the_mean_of_the_other_responses():
    rewards, lengths = [1.0, 0.25, 0.25], [3, 1, 2]
    weights, _ = token_weights(rewards, lengths, "loo")
    # b_0 = (0.25 + 0.25) / 2, b_1 = b_2 = (1 + 0.25) / 2
    assert weights.tolist() == [0.75] * 3 + [-0.375] + [-0.375] * 2
    assert token_weights([0.5], [2], "loo")[0].tolist() == [0.5, 0.5]  # no other response: no baseline


@pytest.mark.parametrize("k", [2, 3, 16])
def test_the_mean_baseline_scales_every_weight_by_k_minus_1_over_k(k):
    """R_i - mean = (k-1)/k (R_i - mean of the others): the group mean includes R_i, so its expected
    gradient is (k-1)/k of the true one; leave-one-out's is unbiased (its baseline ignores R_i)."""
    rewards = np.random.default_rng(k).random(k).tolist()
    lengths = [1 + i % 3 for i in range(k)]
    mean, _ = token_weights(rewards, lengths, "mean")
    loo, _ = token_weights(rewards, lengths, "loo")
    torch.testing.assert_close(mean, (k - 1) / k * loo)


# --- The environment -----------------------------------------------------------------------------


def test_response_env_passes_gymnasiums_checker():
    env = ResponseEnv(Vocab(load_corpus()), ["the cat", "the dog"])
    check_env(env, skip_render_check=True)  # the render check only warns: the env has no spec


def test_response_env_rewards_only_the_finished_response():
    vocab = Vocab(load_corpus())
    env = ResponseEnv(vocab, ["the cat"], max_new_tokens=4)
    obs, info = env.reset(seed=0)
    assert obs.tolist() == encode_prompt(vocab, "the cat") and info == {"prompt": "the cat"}
    for word in ["purred", "happy"]:
        obs, reward, terminated, truncated, _ = env.step(vocab.ids[word])
        assert (reward, terminated, truncated) == (0.0, False, False)
    obs, reward, terminated, truncated, _ = env.step(vocab.end_id)
    assert (reward, terminated, truncated) == (1.0, True, False)
    assert vocab.decode(obs) == ". the cat purred happy ."
    env.reset(seed=0)
    for _ in range(4):  # four words and no ".": truncated, and unfinished scores 0
        _, reward, terminated, truncated, _ = env.step(vocab.ids["cat"])
    assert (reward, terminated, truncated) == (0.0, False, True)
    with pytest.raises(ValueError, match=r"^action must be a token id in \[0, "):
        env.step(len(vocab))


def test_response_env_picks_prompts_reproducibly():
    env = ResponseEnv(Vocab(load_corpus()), ["the cat", "the dog", "the sea"])

    def prompts(seed: int) -> list[str]:
        return [env.reset(seed=seed)[1]["prompt"]] + [env.reset()[1]["prompt"] for _ in range(11)]

    assert prompts(3) == prompts(3) and set(prompts(3)) == {"the cat", "the dog", "the sea"}
    assert prompts(3) != prompts(4)


# --- REINFORCE -----------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reinforce_raises_the_mean_reward(pretrained, seed):
    model, vocab = pretrained(seed)
    cfg = dataclasses.replace(FAST_RL, seed=seed)
    before = mean_reward(model, vocab, cfg.prompts, 64, cfg.max_new_tokens, seed=123)
    result = train_rl(model, vocab, cfg)
    after = mean_reward(result.model, vocab, cfg.prompts, 64, cfg.max_new_tokens, seed=123)
    # Measured (before -> after): seed 0: 0.49 -> 0.95, seed 1: 0.49 -> 0.98, seed 2: 0.55 -> 0.99.
    assert after >= before + 0.3 and after >= 0.85, (before, after)
    assert len(result.mean_rewards) == cfg.updates and result.wall_s > 0


def test_train_rl_is_reproducible_and_leaves_its_input_alone(pretrained):
    model, vocab = pretrained(0)
    pretrained_weights = weights(model)
    cfg = RLConfig(updates=3, responses_per_prompt=4, seed=5)
    first, second = train_rl(model, vocab, cfg), train_rl(model, vocab, cfg)
    assert first.mean_rewards == second.mean_rewards and same(weights(first.model), weights(second.model))
    assert same(weights(model), pretrained_weights)  # train_rl trained a copy
    assert not same(weights(first.model), pretrained_weights)
    plain = train_rl(model, vocab, dataclasses.replace(cfg, updates=2, baseline="none"))
    assert len(plain.mean_rewards) == 2 and all(0 <= r <= MAX_REWARD for r in plain.mean_rewards)


def test_train_rl_is_rl_step_repeated_as_the_notebook_does_it_by_hand(pretrained):
    model, vocab = pretrained(0)
    cfg = RLConfig(updates=3, responses_per_prompt=4, seed=2)
    policy = copy.deepcopy(model).train()
    generator = torch.Generator().manual_seed(cfg.seed)
    optimizer = torch.optim.Adam(policy.parameters(), lr=cfg.learning_rate)
    by_hand = [float(np.mean(rl_step(policy, optimizer, vocab, cfg, generator))) for _ in range(cfg.updates)]
    result = train_rl(model, vocab, cfg)
    assert tuple(by_hand) == result.mean_rewards and same(weights(policy), weights(result.model))


def test_a_custom_reward_function_scores_every_response(pretrained):
    model, vocab = pretrained(0)
    seen = []

    def length_reward(response: str) -> float:  # any text -> float, like reward_model
        seen.append(response)
        return len(response.split()) / 10

    cfg = RLConfig(updates=2, responses_per_prompt=4, prompts=("the cat",))
    result = train_rl(model, vocab, cfg, reward_fn=length_reward)
    assert len(seen) == 2 * 4 and all(isinstance(t, str) for t in seen)
    assert result.mean_rewards[0] == pytest.approx(np.mean([len(t.split()) / 10 for t in seen[:4]]))
    score = mean_reward(model, vocab, ["the cat"], 4, 12, seed=0, reward_fn=lambda t: 1.0)
    assert score == 1.0


def test_pretrain_is_reproducible():
    cfg = LMConfig(steps=3, seed=7)
    (first, vocab), (second, _) = pretrain(cfg), pretrain(cfg)
    assert same(weights(first), weights(second)) and len(vocab) == first.head.out_features
    other, _ = pretrain(dataclasses.replace(cfg, seed=8))
    assert not same(weights(first), weights(other))


@pytest.mark.parametrize("weight", [1.0, -1.0])
def test_one_update_moves_the_responses_log_prob_with_the_sign_of_the_weight(pretrained, weight):
    model, vocab = pretrained(0)
    response = "sat on the warm mat and purred ."
    rows = credit_assignment(model, vocab, "the cat", response, weight)
    assert [token for token, _, _ in rows] == response.split()
    before, after = np.array([[b, a] for _, b, a in rows]).T
    assert (after.sum() - before.sum()) * weight > 0  # Σ_t log π(a_t|s_t) moves with the weight
    # Tokens the model was already sure of barely move; the least likely token moves most.
    sure = np.exp(before) > 0.99
    assert sure.any()
    assert np.abs(after - before)[sure].max() < np.abs(after - before)[before.argmin()]


# --- The cost of choosing a token ----------------------------------------------------------------


def test_scoring_every_token_costs_vocab_size_forward_passes(pretrained):
    model, vocab = pretrained(0)
    context = encode_prompt(vocab, "the cat sat on the")
    cost = scoring_cost(model, len(vocab), context)
    one = forward_flops(TokenScorer(model), torch.tensor([context + [vocab.end_id]]))
    assert cost["score_every_token"] == len(vocab) * one and cost["policy"] > 0
    assert cost["score_every_token"] > len(vocab) // 2 * cost["policy"]
    ids = torch.tensor([context])
    assert forward_flops(model, ids.repeat(4, 1)) == 4 * forward_flops(model, ids)  # linear in B


def test_the_token_scorer_reads_at_most_the_models_context(pretrained):
    model, vocab = pretrained(0)
    full = ([vocab.end_id] + vocab.encode("the cat sat on the mat") * 4)[: model.context]
    cost = scoring_cost(model, len(vocab), full)  # the candidate makes context + 1 tokens: the oldest is dropped
    assert cost["score_every_token"] > 0


# --- Bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "field", "value"),
    [
        (LMConfig, "width", 50),  # not divisible by 4 heads
        (LMConfig, "steps", 0),
        (LMConfig, "learning_rate", 0),
        (LMConfig, "layers", True),  # a bool is not an int
        (RLConfig, "updates", -1),
        (RLConfig, "responses_per_prompt", 0),
        (RLConfig, "max_new_tokens", 0),
        (RLConfig, "learning_rate", -1e-3),
        (RLConfig, "baseline", "x"),
        (RLConfig, "prompts", ()),
        (RLConfig, "prompts", ("the cat", 3)),
    ],
)
def test_bad_config_raises_value_error_naming_the_field(config, field, value):
    with pytest.raises(ValueError, match=rf"^{field}\b"):
        config(**{field: value})


def test_bad_arguments_raise_value_error_naming_the_parameter(pretrained):
    model, vocab = pretrained(0)
    logits, prompt = torch.zeros(1, len(vocab)), encode_prompt(vocab, "the cat")
    for temperature in [-0.5, float("nan"), float("inf"), True]:
        with pytest.raises(ValueError, match="^temperature must be a finite number >= 0"):
            sample_next(logits, temperature, generator(0))
    for temperature in [0, -1.0]:
        with pytest.raises(ValueError, match="temperature must be a finite number > 0"):
            next_token_distribution(model, vocab, "the cat", temperature)
    for n, max_new_tokens, name in [(0, 4, "n"), (True, 4, "n"), (2, 0, "max_new_tokens"), (2, 1.0, "max_new_tokens")]:
        with pytest.raises(ValueError, match=f"^{name} must be an int"):
            generate(model, prompt, n, max_new_tokens, 1.0, generator(0))
    # 3 + 22 tokens: more than the context of 24
    with pytest.raises(
        ValueError, match=r"^max_new_tokens must leave the prompt \(3 tokens\) in the model's context of 24"
    ):
        generate(model, prompt, 2, model.context - len(prompt) + 1, 1.0, generator(0))
    assert generate(model, prompt, 2, model.context - len(prompt), 1.0, generator(0)).tokens.shape[0] == 2
    with pytest.raises(ValueError, match="^prompts must hold at least one prompt"):
        ResponseEnv(vocab, [])
    with pytest.raises(ValueError, match="^max_new_tokens must be an int >= 1"):
        ResponseEnv(vocab, ["the cat"], max_new_tokens=0)
    with pytest.raises(ValueError, match=r"^sentences must hold more than context \+ 1"):
        pretrain(LMConfig(steps=1), sentences=["the cat sat ."])
    for response in ["", " ".join(["sat"] * (model.context - 2))]:  # no tokens; one more than fits
        with pytest.raises(ValueError, match="^response must have 1 to"):
            credit_assignment(model, vocab, "the cat", response, 1.0)


# --- The command line ----------------------------------------------------------------------------


def test_main_prints_one_json_line(capsys, monkeypatch, default_lm):
    def pretrain_once(cfg: LMConfig):  # main pretrains the default model: reuse the module's (6 s saved)
        assert cfg == LMConfig(seed=0)
        return default_lm()

    monkeypatch.setattr(lm_policy, "pretrain", pretrain_once)
    summary = lm_policy.main(["--seed", "0", "--updates", "2"])
    out, err = capsys.readouterr()
    assert out.strip().splitlines()[-1] == json.dumps(summary)
    keys = {"seed", "parameters", "vocab", "pretrain_s", "rl_s", "reward_before", "reward_after"}
    assert set(summary) == keys and summary["seed"] == 0
    model, vocab = default_lm()
    assert summary["vocab"] == len(vocab) and summary["parameters"] == sum(p.numel() for p in model.parameters())
    assert 0 <= summary["reward_before"] <= MAX_REWARD and 0 <= summary["reward_after"] <= MAX_REWARD
    assert "reinforce" in err  # the tqdm progress bar
