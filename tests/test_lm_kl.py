"""Tests for snippets/lm_kl.py: the per-token KL estimate, the penalised weights, REINFORCE on reward - β·KL."""

from __future__ import annotations

import copy
import dataclasses
import functools
import math

import pytest
import torch
from rl4rlhf.lm_kl import (
    KLConfig,
    exact_token_kl,
    kl_step,
    measure,
    penalised_weights,
    token_log_ratios,
    train,
)
from rl4rlhf.lm_model import encode_prompt, generate
from rl4rlhf.lm_rl import RLConfig, response_log_probs, reward_model, rl_step, token_weights
from torch.distributions import Categorical, kl_divergence

from rl4rlhf import lm_kl
from tests import lm_helpers

FAST_RL = RLConfig(updates=20, responses_per_prompt=8, learning_rate=1e-3)


@pytest.fixture(autouse=True)
def one_thread():
    """One CPU thread: identical floating-point sums from run to run."""
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


def weights(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {name: value.clone() for name, value in model.state_dict().items()}


def same(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[name], b[name]) for name in a)


def nudged(model: torch.nn.Module, seed: int, scale: float = 0.3) -> torch.nn.Module:
    """A copy of ``model`` with its output layer moved at random: a policy that differs from the reference."""
    other = copy.deepcopy(model)
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        other.head.weight += scale * torch.randn(other.head.weight.shape, generator=g)
    return other


def some_responses(model, vocab, prompt="the cat", n=6, seed=0):
    return generate(model, encode_prompt(vocab, prompt), n, 12, 1.0, torch.Generator().manual_seed(seed))


# --- the KL estimate, against torch.distributions ------------------------------------------------


def per_state_distributions(model, responses, i):
    """Categorical(π(·|s_t)) for every state s_t of response ``i``, computed one state at a time."""
    prompt, tokens, mask = responses.prompt.tolist(), responses.tokens[i], responses.mask[i]
    out = []
    for t in range(int(mask.sum())):
        ids = torch.tensor([prompt + tokens[:t].tolist()])  # (1, P + t): s_t
        with torch.no_grad():
            out.append(Categorical(logits=model(ids)[0, -1]))
    return out


def test_the_log_ratio_is_log_pi_minus_log_pi_ref_of_the_sampled_token(pretrained):
    reference, vocab = pretrained(0)
    policy = nudged(reference, seed=1)
    responses = some_responses(policy, vocab)
    k = token_log_ratios(response_log_probs(policy, responses), reference, responses)  # (B, N)
    for i in range(len(responses.tokens)):
        pis, refs = per_state_distributions(policy, responses, i), per_state_distributions(reference, responses, i)
        for t, (pi, ref) in enumerate(zip(pis, refs, strict=True)):
            a = responses.tokens[i, t]
            assert k[i, t].item() == pytest.approx((pi.log_prob(a) - ref.log_prob(a)).item(), abs=1e-5)
        assert torch.all(k[i, len(pis) :] == 0)  # nothing after the response's "."


def test_the_exact_kl_matches_torch_distributions_at_every_state(pretrained):
    reference, vocab = pretrained(0)
    policy = nudged(reference, seed=2)
    responses = some_responses(policy, vocab, prompt="the dog")
    kl = exact_token_kl(policy, reference, responses)  # (B, N)
    for i in range(len(responses.tokens)):
        pis, refs = per_state_distributions(policy, responses, i), per_state_distributions(reference, responses, i)
        expected = torch.stack([kl_divergence(p, r) for p, r in zip(pis, refs, strict=True)])
        torch.testing.assert_close(kl[i, : len(pis)], expected, atol=1e-5, rtol=1e-4)
        assert torch.all(kl[i, len(pis) :] == 0)
    assert torch.all(kl[responses.mask] > 0)  # the policy differs from the reference everywhere


def test_the_log_ratio_is_an_unbiased_sample_of_the_kl_and_zero_against_itself(pretrained):
    """On average over a_t ~ π, log π(a_t|s_t) - log π_ref(a_t|s_t) is KL(π(·|s_t) ‖ π_ref(·|s_t))."""
    reference, vocab = pretrained(0)
    policy = nudged(reference, seed=3)
    responses = some_responses(policy, vocab, n=2000, seed=4)
    k = token_log_ratios(response_log_probs(policy, responses), reference, responses)
    exact = exact_token_kl(policy, reference, responses)
    first_k, first_exact = k[:, 0], exact[:, 0]  # s_0 is the prompt for every response: one state
    assert torch.allclose(first_exact, first_exact[0])
    sd = first_k.std().item() / math.sqrt(len(first_k))
    assert abs(first_k.mean().item() - first_exact[0].item()) < 4 * sd, (first_k.mean(), first_exact[0], sd)
    assert abs(k.sum(1).mean().item() - exact.sum(1).mean().item()) < 4 * k.sum(1).std().item() / math.sqrt(2000)
    itself = token_log_ratios(response_log_probs(reference, responses), reference, responses)
    assert torch.all(itself == 0) and torch.all(exact_token_kl(reference, reference, responses) == 0)


def test_the_log_ratio_carries_no_gradient(pretrained):
    reference, vocab = pretrained(0)
    policy = nudged(reference, seed=5)
    responses = some_responses(policy, vocab)
    k = token_log_ratios(response_log_probs(policy, responses), reference, responses)
    assert not k.requires_grad


# --- the penalised weights -----------------------------------------------------------------------


def test_each_token_is_weighted_by_its_penalised_return_to_go_minus_the_prompts_mean():
    k = torch.tensor([[0.2, -0.1, 0.4], [0.3, 0.0, 0.0]])  # (B, N): lengths 3 and 1
    beta, rewards = 0.5, [1.0, 0.5]
    g = [[1.0 - beta * (0.2 - 0.1 + 0.4), 1.0 - beta * (-0.1 + 0.4), 1.0 - beta * 0.4], [0.5 - beta * 0.3]]
    b = (g[0][0] + g[1][0]) / 2
    expected = torch.tensor([[x - b for x in g[0]], [g[1][0] - b, 0.0, 0.0]])
    torch.testing.assert_close(penalised_weights(rewards, k, [3, 1], beta), expected)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_with_beta_zero_the_weights_are_lm_rls(seed):
    g = torch.Generator().manual_seed(seed)
    lengths = torch.randint(1, 7, (5,), generator=g).tolist()
    rewards = torch.rand(5, generator=g).tolist()
    k = torch.randn(5, max(lengths), generator=g)
    _, plain = token_weights(rewards, lengths, "mean")
    torch.testing.assert_close(penalised_weights(rewards, k, lengths, 0.0), plain)


def test_with_beta_zero_one_update_is_lm_rls_update(pretrained):
    model, vocab = pretrained(0)
    cfg = KLConfig(beta=0.0, rl=RLConfig(responses_per_prompt=4, seed=3))
    plain, penalised = copy.deepcopy(model).train(), copy.deepcopy(model).train()
    opt_plain = torch.optim.Adam(plain.parameters(), lr=cfg.rl.learning_rate)
    opt_penalised = torch.optim.Adam(penalised.parameters(), lr=cfg.rl.learning_rate)
    rewards = rl_step(plain, opt_plain, vocab, cfg.rl, torch.Generator().manual_seed(7))
    rewards_kl, _ = kl_step(penalised, model, opt_penalised, vocab, cfg, torch.Generator().manual_seed(7), reward_model)
    assert rewards == rewards_kl
    for name, value in plain.state_dict().items():
        torch.testing.assert_close(penalised.state_dict()[name], value, atol=1e-6, rtol=1e-5)


# --- training ------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_larger_beta_keeps_the_policy_closer_to_the_pretrained_model(pretrained, seed):
    model, vocab = pretrained(seed)
    rl = dataclasses.replace(FAST_RL, seed=seed)
    kls = {}
    for beta in (0.0, 0.5):
        result = train(model, vocab, KLConfig(beta=beta, rl=rl))
        kls[beta] = measure(result.model, model, vocab, rl.prompts, 64, rl.max_new_tokens, seed=123)["kl"]
    # Measured (β = 0 -> β = 0.5, nats per response): seed 0: 3.6 -> 0.5, seed 1: 3.8 -> 0.5, seed 2: 3.8 -> 0.4.
    assert kls[0.5] < 0.5 * kls[0.0], kls


def test_train_is_reproducible_and_leaves_the_reference_alone(pretrained):
    model, vocab = pretrained(0)
    before = weights(model)
    cfg = KLConfig(beta=0.1, rl=RLConfig(updates=3, responses_per_prompt=4, seed=5))
    first, second = train(model, vocab, cfg), train(model, vocab, cfg)
    assert first.mean_rewards == second.mean_rewards and first.mean_kls == second.mean_kls
    assert same(weights(first.model), weights(second.model))
    assert same(weights(model), before)  # the reference is a frozen copy; the input is untouched
    assert not same(weights(first.model), before)
    assert len(first.mean_kls) == cfg.rl.updates and first.mean_kls[0] == 0.0  # π = π_ref before any update
    other = train(model, vocab, dataclasses.replace(cfg, rl=dataclasses.replace(cfg.rl, seed=6)))
    assert other.mean_rewards != first.mean_rewards


def test_the_docstring_examples_hold():
    import doctest

    assert doctest.testmod(lm_kl).failed == 0


# --- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"beta": -0.1}, ValueError, "beta"),
        ({"beta": math.nan}, ValueError, "beta"),
        ({"beta": math.inf}, ValueError, "beta"),
        ({"beta": True}, TypeError, "beta"),
        ({"beta": "0.1"}, TypeError, "beta"),
        ({"rl": "fast"}, TypeError, "rl"),
        ({"rl": RLConfig(baseline="loo")}, ValueError, "rl"),
    ],
)
def test_a_bad_kl_config_fails_naming_the_field(kwargs, error, name):
    with pytest.raises(error, match=rf"^{name}\b"):
        KLConfig(**kwargs)


def test_train_refuses_bad_input_by_name(pretrained):
    model, vocab = pretrained(0)
    with pytest.raises(TypeError, match=r"^cfg\b"):
        train(model, vocab, RLConfig())
    with pytest.raises(TypeError, match=r"^model\b"):
        train("model", vocab)
    with pytest.raises(ValueError, match=r"^prompts\b"):
        train(model, vocab, KLConfig(rl=RLConfig(prompts=("the unicorn",))))
    with pytest.raises(ValueError, match=r"^max_new_tokens\b"):
        train(model, vocab, KLConfig(rl=RLConfig(max_new_tokens=30)))
    with pytest.raises(TypeError, match=r"^reward_fn\b"):
        train(model, vocab, KLConfig(rl=RLConfig(updates=1)), reward_fn="kind")
