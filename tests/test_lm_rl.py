"""Tests for snippets/lm_rl.py: the reward, the env and its token policy, REINFORCE on a tiny LM, the CLI."""

from __future__ import annotations

import copy
import dataclasses
import doctest
import functools
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from gymnasium.utils.env_checker import check_env
from rl4rlhf.envs import play_episode
from rl4rlhf.lm_model import LMConfig, Vocab, encode_prompt, generate, load_corpus, response_texts
from rl4rlhf.lm_rl import (
    MAX_REWARD,
    ResponseEnv,
    RLConfig,
    TokenPolicy,
    mean_reward,
    response_log_probs,
    reward_model,
    rl_step,
    token_weights,
    train,
)

from rl4rlhf import lm_rl
from tests import lm_helpers

REPO = Path(__file__).resolve().parents[1]
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


def env_for(vocab: Vocab, *prompts: str, max_new_tokens: int = 12) -> ResponseEnv:
    return ResponseEnv(vocab, RLConfig(prompts=prompts, max_new_tokens=max_new_tokens))


def test_the_docstring_examples_hold():
    result = doctest.testmod(lm_rl, raise_on_error=False, verbose=False)
    assert result.attempted > 0 and result.failed == 0


# --- The policy in the agent-environment loop ----------------------------------------------------


def test_temperature_zero_plays_the_same_episode_every_time(pretrained):
    model, vocab = pretrained(0)
    env = env_for(vocab, "the sea")
    episodes = [play_episode(env, TokenPolicy(model, temperature=0), generator(seed), seed=0) for seed in range(3)]
    assert all(episode.actions == episodes[0].actions for episode in episodes)


@pytest.mark.parametrize("temperature", [0.0, 1.0])
def test_the_env_loop_writes_what_generate_writes(pretrained, temperature):
    """One episode of play_episode with TokenPolicy is one row of generate, draw for draw."""
    model, vocab = pretrained(0)
    for prompt in ["the sea", "the cat", "the dog"]:
        env = env_for(vocab, prompt)
        episode = play_episode(env, TokenPolicy(model, temperature), generator(0), seed=0)
        responses = generate(model, encode_prompt(vocab, prompt), 1, 12, temperature, generator(0))
        assert vocab.decode(episode.observations[0][1:]) == prompt  # s_0: "." and the prompt
        assert episode.actions == responses.tokens[0][responses.mask[0]].tolist()
        assert [len(obs) for obs in episode.observations] == [3 + t for t in range(len(episode.actions))]
        assert episode.rewards[:-1] == [0.0] * (len(episode.rewards) - 1)
        assert episode.rewards[-1] == reward_model(response_texts(vocab, responses)[0])
        assert episode.terminated == bool(responses.finished[0])


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


def test_unfinished_responses_score_zero(pretrained):
    model, vocab = pretrained(0)
    responses = generate(model, encode_prompt(vocab, "the cat"), 6, 2, 1.0, generator(0))
    texts = response_texts(vocab, responses)
    unfinished = [t for t, done in zip(texts, responses.finished, strict=True) if not done]
    assert unfinished and all(reward_model(t) == 0.0 for t in unfinished)


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
    env = env_for(Vocab(load_corpus()), "the cat", "the dog")
    check_env(env, skip_render_check=True)  # the render check only warns: the env has no spec


def test_response_env_rewards_only_the_finished_response():
    vocab = Vocab(load_corpus())
    env = env_for(vocab, "the cat", max_new_tokens=4)
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


def test_response_env_picks_prompts_reproducibly():
    env = env_for(Vocab(load_corpus()), "the cat", "the dog", "the sea")

    def prompts(seed: int) -> list[str]:
        return [env.reset(seed=seed)[1]["prompt"]] + [env.reset()[1]["prompt"] for _ in range(11)]

    assert prompts(3) == prompts(3) and set(prompts(3)) == {"the cat", "the dog", "the sea"}
    assert prompts(3) != prompts(4)


def test_response_env_scores_with_its_reward_fn():
    vocab = Vocab(load_corpus())
    env = ResponseEnv(vocab, RLConfig(prompts=("the cat",)), reward_fn=lambda text: len(text.split()))
    env.reset(seed=0)
    env.step(vocab.ids["sat"])
    assert env.step(vocab.end_id)[1] == 2  # "sat ."


# --- REINFORCE -----------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reinforce_raises_the_mean_reward(pretrained, seed):
    model, vocab = pretrained(seed)
    cfg = dataclasses.replace(FAST_RL, seed=seed)
    before = mean_reward(model, vocab, cfg.prompts, 64, cfg.max_new_tokens, seed=123)
    result = train(model, vocab, cfg)
    after = mean_reward(result.model, vocab, cfg.prompts, 64, cfg.max_new_tokens, seed=123)
    # Measured (before -> after): seed 0: 0.49 -> 0.95, seed 1: 0.49 -> 0.98, seed 2: 0.55 -> 0.99.
    assert after >= before + 0.3 and after >= 0.85, (before, after)
    assert len(result.mean_rewards) == cfg.updates and result.wall_s > 0


def test_train_is_reproducible_and_leaves_its_input_alone(pretrained):
    model, vocab = pretrained(0)
    pretrained_weights = weights(model)
    cfg = RLConfig(updates=3, responses_per_prompt=4, seed=5)
    first, second = train(model, vocab, cfg), train(model, vocab, cfg)
    assert first.mean_rewards == second.mean_rewards and same(weights(first.model), weights(second.model))
    assert same(weights(model), pretrained_weights)  # train trained a copy
    assert not same(weights(first.model), pretrained_weights)
    plain = train(model, vocab, dataclasses.replace(cfg, updates=2, baseline="none"))
    assert len(plain.mean_rewards) == 2 and all(0 <= r <= MAX_REWARD for r in plain.mean_rewards)


def test_on_update_sees_the_model_after_every_update_and_changes_nothing(pretrained):
    """The language-model page's training widget records π after each update this way."""
    model, vocab = pretrained(0)
    cfg = RLConfig(updates=3, responses_per_prompt=4, seed=5)
    seen = []
    watched = train(model, vocab, cfg, on_update=lambda m: seen.append(weights(m)))
    plain = train(model, vocab, cfg)
    assert watched.mean_rewards == plain.mean_rewards and same(weights(watched.model), weights(plain.model))
    assert len(seen) == cfg.updates and same(seen[-1], weights(plain.model))
    assert not same(seen[0], seen[1])


def test_train_is_rl_step_repeated_as_the_notebook_does_it_by_hand(pretrained):
    model, vocab = pretrained(0)
    cfg = RLConfig(updates=3, responses_per_prompt=4, seed=2)
    policy = copy.deepcopy(model).train()
    generator = torch.Generator().manual_seed(cfg.seed)
    optimizer = torch.optim.Adam(policy.parameters(), lr=cfg.learning_rate)
    by_hand = [float(np.mean(rl_step(policy, optimizer, vocab, cfg, generator))) for _ in range(cfg.updates)]
    result = train(model, vocab, cfg)
    assert tuple(by_hand) == result.mean_rewards and same(weights(policy), weights(result.model))


def test_a_custom_reward_function_scores_every_response(pretrained):
    model, vocab = pretrained(0)
    seen = []

    def length_reward(response: str) -> float:  # any text -> float, like reward_model
        seen.append(response)
        return len(response.split()) / 10

    cfg = RLConfig(updates=2, responses_per_prompt=4, prompts=("the cat",))
    result = train(model, vocab, cfg, reward_fn=length_reward)
    assert len(seen) == 2 * 4 and all(isinstance(t, str) for t in seen)
    assert result.mean_rewards[0] == pytest.approx(np.mean([len(t.split()) / 10 for t in seen[:4]]))
    score = mean_reward(model, vocab, ["the cat"], 4, 12, seed=0, reward_fn=lambda t: 1.0)
    assert score == 1.0


@pytest.mark.parametrize("weight", [1.0, -1.0])
def test_one_update_moves_the_responses_log_prob_with_the_sign_of_the_weight(pretrained, weight):
    from figures.lm import credit_assignment  # the page's credit-assignment figure

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
    for response in ["", " ".join(["sat"] * (model.context - 2))]:  # no tokens; one more than fits
        with pytest.raises(AssertionError, match="does not fit"):
            credit_assignment(model, vocab, "the cat", response, 1.0)


# --- Bad input, at the doors: RLConfig, ResponseEnv, TokenPolicy, train ------------------------


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("updates", -1, ValueError),
        ("responses_per_prompt", 0, ValueError),
        ("max_new_tokens", 0, ValueError),
        ("learning_rate", -1e-3, ValueError),
        ("baseline", "x", ValueError),
        ("prompts", (), ValueError),
        ("prompts", ("the cat", "  "), ValueError),
        ("prompts", ("the cat", 3), TypeError),
        ("prompts", "the cat", TypeError),  # a string is not a tuple of prompts
        ("seed", 0.5, TypeError),
        ("updates", True, TypeError),
    ],
)
def test_a_bad_rl_config_fails_naming_the_field(field, value, error):
    with pytest.raises(error, match=rf"^{field}\b"):
        RLConfig(**{field: value})


@pytest.mark.parametrize("temperature", [-0.5, float("nan"), float("inf")])
def test_a_bad_temperature_is_refused_where_the_policy_is_made(pretrained, temperature):
    model, _ = pretrained(0)
    with pytest.raises(ValueError, match="^temperature must be"):
        TokenPolicy(model, temperature)
    with pytest.raises(TypeError, match="^temperature must be a real number"):
        TokenPolicy(model, True)


def test_the_env_refuses_bad_input_by_name(pretrained):
    _, vocab = pretrained(0)
    with pytest.raises(TypeError, match="^cfg must be an RLConfig"):
        ResponseEnv(vocab, ["the cat"])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^prompts have words outside the vocabulary: \['unicorn'\]"):
        ResponseEnv(vocab, RLConfig(prompts=("the unicorn",)))
    with pytest.raises(TypeError, match="^reward_fn must be callable"):
        ResponseEnv(vocab, RLConfig(), reward_fn=1.0)  # type: ignore[arg-type]
    env = env_for(vocab, "the cat")
    env.reset(seed=0)
    for action in [len(vocab), -1, "cat", True, 1.0]:
        with pytest.raises(ValueError, match=r"^action must be a token id in Discrete\("):
            env.step(action)


def test_train_refuses_bad_input_by_name(pretrained):
    model, vocab = pretrained(0)
    with pytest.raises(TypeError, match="^cfg must be an RLConfig"):
        train(model, vocab, cfg="fast")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^prompts have words outside the vocabulary: \['unicorn'\]"):
        train(model, vocab, RLConfig(prompts=("the unicorn",), updates=1))
    # "." + 5 words + 19 new tokens: one more than the context of 24
    with pytest.raises(ValueError, match=r"^max_new_tokens must leave the longest prompt \(6 tokens\) in the model's"):
        train(model, vocab, RLConfig(max_new_tokens=19, updates=1))
    assert len(train(model, vocab, RLConfig(max_new_tokens=18, updates=1, responses_per_prompt=2)).mean_rewards) == 1
    with pytest.raises(ValueError, match=r"^vocab must be the model's vocabulary \(97 tokens\), got 6"):
        train(model, Vocab(["the cat sat on the mat ."]), RLConfig(prompts=("the cat",)))
    with pytest.raises(TypeError, match="^model must be a TinyLM"):
        train("model", vocab)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="^reward_fn must be callable"):
        train(model, vocab, reward_fn="kind")  # type: ignore[arg-type]


# --- The command line ----------------------------------------------------------------------------


def test_main_prints_one_json_line(capsys, monkeypatch, pretrained):
    def pretrain_once(cfg: LMConfig):  # main pretrains LMConfig(seed=cfg.seed): reuse the module's model
        assert cfg == LMConfig(seed=0)
        return pretrained(0)

    monkeypatch.setattr(lm_rl, "pretrain", pretrain_once)
    summary = lm_rl.main(["--seed", "0", "--updates", "2", "--responses-per-prompt", "4"])
    out, err = capsys.readouterr()
    assert out.strip().splitlines()[-1] == json.dumps(summary)
    keys = {"seed", "parameters", "vocab", "pretrain_s", "rl_s", "reward_before", "reward_after"}
    assert set(summary) == keys and summary["seed"] == 0
    model, vocab = pretrained(0)
    assert summary["vocab"] == len(vocab) and summary["parameters"] == sum(p.numel() for p in model.parameters())
    assert 0 <= summary["reward_before"] <= MAX_REWARD and 0 <= summary["reward_after"] <= MAX_REWARD
    assert "reinforce" in err  # the tqdm progress bar


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--baseline", "median"], "baseline must be 'mean', 'loo' or 'none', got 'median'"),
        (["--learning-rate", "-1"], "learning_rate must be > 0, got -1.0"),
        (["--prompts", "the unicorn"], "prompts have words outside the vocabulary: ['unicorn']"),
        (["--max-new-tokens", "40"], "max_new_tokens must leave the longest prompt (6 tokens)"),
    ],
)
def test_a_bad_flag_value_is_one_line_and_exit_status_2(capsys, monkeypatch, argv, message):
    monkeypatch.setattr(lm_rl, "pretrain", lambda cfg: pytest.fail("a bad flag must stop before pretraining"))
    with pytest.raises(SystemExit) as exit_info:
        lm_rl.main(argv)
    out, err = capsys.readouterr()
    assert exit_info.value.code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and message in err and "Traceback" not in err


def test_the_module_runs_from_the_command_line_and_refuses_a_bad_value_without_a_traceback():
    run = subprocess.run(
        [sys.executable, "-m", "rl4rlhf.lm_rl", "--updates", "-1"], capture_output=True, text=True, cwd=REPO
    )
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.strip().splitlines() == ["lm_rl.py: error: updates must be at least 0, got -1"]


# --- The page's exercises -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["token_weights", "response_log_probs"])
def test_the_exercise_check_passes_on_the_snippet(name):
    """The reader's check (python -m rl4rlhf_exercises check NAME) holds this module's function to the same cases."""
    import rl4rlhf_exercises
    from rl4rlhf import lm_rl

    report = rl4rlhf_exercises.check(name, getattr(lm_rl, name), time_limit_s=120.0)
    assert report.passed, report.text()
