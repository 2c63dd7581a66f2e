"""Bad input is refused, by name: every public function and config of ``snippets/`` raises a
``ValueError`` or ``TypeError`` whose message starts with the offending parameter's name, and quietly
clamps nothing.

``CASES`` holds at least one bad call per public callable; ``test_every_public_callable_has_a_case``
keeps it complete, so a new function cannot land without one. The module tests (``test_<module>.py``)
hold the finer cases of each.

The name must open the message, followed by a character that cannot continue a name: a phrase found
anywhere in it would let ``"n"`` match nearly any message, and ``"learning_rate"`` match one about
``value_learning_rate``.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch

from snippets import argmax_limits, bellman, dqn, gridworld, lm_policy, pg_estimators, qtable, reinforce, returns

SNIPPETS = Path(__file__).resolve().parents[1] / "snippets"
NAN = math.nan

# Callables whose only input is argv (argparse refuses bad flags with its own usage message, tested
# in each module's tests) or that take nothing a caller could get wrong.
NO_INPUT = {
    "argmax_limits.main": "its two arguments are checked by play(): see the cases for play",
    "bellman.main": "takes no arguments",
    "dqn.main": "argv: parse_config's argparse usage errors",
    "dqn.parse_config": "argv: argparse usage errors, then DQNConfig's checks",
    "gridworld.main": "its arguments are run_episode's: see its cases",
    "lm_policy.main": "argv: argparse usage errors, then the configs' checks",
    "qtable.main": "argv: argparse usage errors, then QLearningConfig's checks",
    "reinforce.main": "argv: argparse usage errors, then ReinforceConfig's checks",
    "reinforce.parse_config": "argv: argparse usage errors, then ReinforceConfig's checks",
    "reinforce.value_at": "V(obs) of the value network train() built, at an observation its env returned",
    "pg_estimators.main": "takes no arguments",
    "returns.main": "takes no arguments",
    "reinforce.Steering": "takes no arguments",
    "dqn.Batch": "a NamedTuple of tensors that ReplayBuffer.sample builds",
    "dqn.DQNResult": "a record that train() builds",
    "reinforce.ReinforceResult": "a record that train() builds",
    "bellman.ValueIterationResult": "a record that value_iteration() builds",
    "qtable.QLearningResult": "a record that q_learning() builds",
    "lm_policy.Responses": "a record that generate() builds",
    "lm_policy.RLResult": "a record that train_rl() builds",
    "gridworld.Episode": "a record that run_episode() builds",
}


def _env():
    return gridworld.GridWorld()


def _step(env, action):
    env.reset(seed=0)
    return env.step(action)


def _lm():
    vocab = lm_policy.Vocab(["the cat sat on the mat ."])
    return lm_policy.TinyLM(len(vocab), lm_policy.LMConfig(width=8, heads=2, layers=1, context=16)), vocab


def _gen():
    return torch.Generator().manual_seed(0)


def _qnet():
    return dqn.QNetwork(4, 2, (8,))


# (public name, the bad call, the exception type, the parameter's name, which must open the message)
# fmt: off
CASES: list[tuple[str, Callable[[], object], type[Exception], str]] = [
    # returns
    ("returns.discounted_return", lambda: returns.discounted_return([1.0], gamma=1.5), ValueError, "gamma"),
    ("returns.discounted_return", lambda: returns.discounted_return([], gamma=0.9), ValueError, "rewards"),
    ("returns.returns_to_go", lambda: returns.returns_to_go([1.0, NAN]), ValueError, "rewards"),
    ("returns.returns_to_go", lambda: returns.returns_to_go([[1.0], [2.0]]), ValueError, "rewards"),
    ("returns.returns_to_go", lambda: returns.returns_to_go([1.0], gamma=-0.1), ValueError, "gamma"),
    # gridworld
    ("gridworld.GridWorld", lambda: gridworld.GridWorld(["S#G"]), ValueError, "layout"),
    ("gridworld.GridWorld", lambda: gridworld.GridWorld(["SXG"]), ValueError, "layout"),
    ("gridworld.GridWorld", lambda: gridworld.GridWorld(max_steps=0), ValueError, "max_steps"),
    ("gridworld.GridWorld", lambda: gridworld.GridWorld(step_reward=NAN), ValueError, "step_reward"),
    ("gridworld.GridWorld", lambda: _step(_env(), 4), ValueError, "action"),
    ("gridworld.random_policy", lambda: gridworld.random_policy(0, "not a generator"), TypeError, "rng"),
    ("gridworld.run_episode", lambda: gridworld.run_episode(_env(), gridworld.random_policy, seed=-1), ValueError, "seed"),
    ("gridworld.shortest_path_actions", lambda: gridworld.shortest_path_actions("maze"), TypeError, "env"),
    # bellman
    ("bellman.bellman_target", lambda: bellman.bellman_target(1.0, [0.0, 1.0], gamma=2.0), ValueError, "gamma"),
    ("bellman.bellman_target", lambda: bellman.bellman_target(1.0, [], gamma=0.9), ValueError, "next_q_values"),
    ("bellman.td_loss", lambda: bellman.td_loss(NAN, 1.0), ValueError, "prediction"),
    ("bellman.mdp_arrays", lambda: bellman.mdp_arrays("maze"), TypeError, "env"),
    ("bellman.value_iteration", lambda: bellman.value_iteration(_env(), gamma=1.1), ValueError, "gamma"),
    ("bellman.value_iteration", lambda: bellman.value_iteration(_env(), gamma=0.9, tol=0.0), ValueError, "tol"),
    ("bellman.value_iteration", lambda: bellman.value_iteration(_env(), 0.9, max_sweeps=0), ValueError, "max_sweeps"),
    ("bellman.q_exact", lambda: bellman.q_exact(_env(), [0] * 3, gamma=0.9), ValueError, "policy"),
    ("bellman.GreedyTrap", lambda: bellman.GreedyTrap(max_steps=0), ValueError, "max_steps"),
    ("bellman.greedy_on_immediate_reward", lambda: bellman.greedy_on_immediate_reward(_env(), 99), ValueError, "state"),
    ("bellman.ripple", lambda: bellman.ripple(0), ValueError, "cells"),
    # qtable
    ("qtable.QLearningConfig", lambda: qtable.QLearningConfig(alpha=0.0), ValueError, "alpha"),
    ("qtable.QLearningConfig", lambda: qtable.QLearningConfig(episodes=-1), ValueError, "episodes"),
    ("qtable.epsilon_greedy", lambda: qtable.epsilon_greedy(np.zeros(4), 1.5, np.random.default_rng(0)), ValueError, "epsilon"),
    ("qtable.td_update", lambda: qtable.td_update(np.zeros((16, 4)), 0, 9, 0.0, 1, False, 0.5, 0.9), ValueError, "action"),
    ("qtable.td_update", lambda: qtable.td_update(np.zeros((16, 4)), 0, 0, 0.0, 1, False, 0.0, 0.9), ValueError, "alpha"),
    ("qtable.q_learning", lambda: qtable.q_learning(_env(), episodes=0), ValueError, "episodes"),
    ("qtable.q_learning", lambda: qtable.q_learning(_env(), gamma=-1.0), ValueError, "gamma"),
    ("qtable.greedy_policy", lambda: qtable.greedy_policy(np.zeros(4)), ValueError, "q"),
    ("qtable.greedy_return", lambda: qtable.greedy_return(_env(), np.zeros((3, 4)), 0.9), ValueError, "q"),
    ("qtable.greedy_return", lambda: qtable.greedy_return(_env(), np.zeros((16, 4)), 0.9, max_steps=0), ValueError, "max_steps"),
    ("qtable.episodes_to_optimal", lambda: qtable.episodes_to_optimal(_env(), "run", 0.9), TypeError, "run"),
    ("qtable.optimal_return", lambda: qtable.optimal_return(_env(), gamma=1.5), ValueError, "gamma"),
    # argmax_limits
    ("argmax_limits.always", lambda: argmax_limits.always(3), ValueError, "move"),
    ("argmax_limits.expected_payoff", lambda: argmax_limits.expected_payoff([0.5, 0.5], [1 / 3] * 3), ValueError, "policy"),
    ("argmax_limits.play", lambda: argmax_limits.play([1 / 3] * 3, [1 / 3] * 3, games=0, seed=0), ValueError, "games"),
    ("argmax_limits.best_response", lambda: argmax_limits.best_response([0.9, 0.9, 0.9]), ValueError, "policy"),
    ("argmax_limits.exploited_payoff", lambda: argmax_limits.exploited_payoff([-1.0, 1.0, 1.0]), ValueError, "policy"),
    ("argmax_limits.Counted", lambda: argmax_limits.Counted("not callable"), TypeError, "fn"),
    ("argmax_limits.act_by_argmax", lambda: argmax_limits.act_by_argmax(np.zeros(8), np.zeros((3, 7))), ValueError, "weights"),
    ("argmax_limits.act_by_sampling", lambda: argmax_limits.act_by_sampling(np.zeros(8), np.zeros((3, 7)), np.random.default_rng(0)), ValueError, "weights"),
    ("argmax_limits.grid_size", lambda: argmax_limits.grid_size(0, 45, "0"), ValueError, "step"),
    ("argmax_limits.argmax_over_angles", lambda: argmax_limits.argmax_over_angles(abs, 0, 45, "-1"), ValueError, "step"),
    ("argmax_limits.sample_angle", lambda: argmax_limits.sample_angle(lambda: (0.0, -1.0), np.random.default_rng(0)), ValueError, "policy"),
    ("argmax_limits.scoring_costs", lambda: argmax_limits.scoring_costs(vocabularies=(0,)), ValueError, "vocabularies"),
    # dqn
    ("dqn.DQNConfig", lambda: dqn.DQNConfig(gamma=1.5), ValueError, "gamma"),
    ("dqn.DQNConfig", lambda: dqn.DQNConfig(learning_rate=0.0), ValueError, "learning_rate"),
    ("dqn.DQNConfig", lambda: dqn.DQNConfig(total_steps=-5), ValueError, "total_steps"),
    ("dqn.OneHot", lambda: dqn.OneHot(dqn.make_env("CartPole-v1")), TypeError, "env"),
    ("dqn.make_env", lambda: dqn.make_env(""), ValueError, "env_id"),
    ("dqn.QNetwork", lambda: dqn.QNetwork(0, 2), ValueError, "obs_dim"),
    ("dqn.QNetwork", lambda: dqn.QNetwork(4, 2, (0,)), ValueError, "hidden_sizes"),
    ("dqn.ReplayBuffer", lambda: dqn.ReplayBuffer(0, 4), ValueError, "capacity"),
    ("dqn.ReplayBuffer", lambda: dqn.ReplayBuffer(10, 4).sample(0, np.random.default_rng(0)), ValueError, "batch_size"),
    ("dqn.ReplayBuffer", lambda: dqn.ReplayBuffer(10, 4).add(np.zeros(3), 0, 0.0, np.zeros(4), False), ValueError, "obs"),
    ("dqn.epsilon_at", lambda: dqn.epsilon_at(-1, 1.0, 0.05, 100), ValueError, "step"),
    ("dqn.epsilon_at", lambda: dqn.epsilon_at(1, 1.0, 0.05, 0), ValueError, "decay_steps"),
    ("dqn.td_target", lambda: dqn.td_target(_qnet(), torch.zeros(3), torch.zeros(3, 4), torch.zeros(3), 1.5), ValueError, "gamma"),
    ("dqn.td_target", lambda: dqn.td_target(_qnet(), torch.zeros(3), torch.zeros(2, 4), torch.zeros(3), 0.9), ValueError, "next_obs"),
    ("dqn.train_step", lambda: dqn.train_step(_qnet(), _qnet(), None, None, dqn.DQNConfig()), TypeError, "optimizer"),
    ("dqn.update_target", lambda: dqn.update_target(_qnet(), _qnet(), 0.0), ValueError, "tau"),
    ("dqn.update_target", lambda: dqn.update_target(dqn.QNetwork(4, 2, (4,)), _qnet(), 1.0), ValueError, "target_network"),
    ("dqn.greedy_action", lambda: dqn.greedy_action(_qnet(), np.zeros(3)), ValueError, "obs"),
    ("dqn.evaluate", lambda: dqn.evaluate(_qnet(), []), ValueError, "envs"),
    ("dqn.train", lambda: dqn.train("CartPole-v1"), TypeError, "cfg"),
    ("dqn.summary", lambda: dqn.summary(dqn.DQNConfig(), "result"), TypeError, "result"),
    # reinforce
    ("reinforce.ReinforceConfig", lambda: reinforce.ReinforceConfig(gamma=-0.5), ValueError, "gamma"),
    ("reinforce.ReinforceConfig", lambda: reinforce.ReinforceConfig(learning_rate=-1e-3), ValueError, "learning_rate"),
    ("reinforce.ReinforceConfig", lambda: reinforce.ReinforceConfig(episodes=0), ValueError, "episodes"),
    ("reinforce.mlp", lambda: reinforce.mlp(4, 0, (8,)), ValueError, "out_dim"),
    ("reinforce.CategoricalPolicy", lambda: reinforce.CategoricalPolicy(4, 0), ValueError, "n_actions"),
    ("reinforce.GaussianPolicy", lambda: reinforce.GaussianPolicy(1, 1, init_std=0.0), ValueError, "init_std"),
    ("reinforce.sample_action", lambda: reinforce.sample_action(reinforce.CategoricalPolicy(4, 2), np.zeros(4), 0), TypeError, "generator"),
    ("reinforce.log_prob", lambda: reinforce.log_prob("dist", torch.zeros(3)), TypeError, "dist"),
    ("reinforce.reinforce_weights", lambda: reinforce.reinforce_weights([], 0.9), ValueError, "episodes_rewards"),
    ("reinforce.reinforce_weights", lambda: reinforce.reinforce_weights([[1.0, 1.0]], 0.9, values=torch.zeros(3)), ValueError, "values"),
    ("reinforce.policy_loss", lambda: reinforce.policy_loss(torch.zeros(3), torch.zeros(3), 0), ValueError, "n_episodes"),
    ("reinforce.policy_loss", lambda: reinforce.policy_loss(torch.zeros(3), torch.zeros(2), 1), ValueError, "weights"),
    ("reinforce.batch_returns", lambda: reinforce.batch_returns([], 0.9), ValueError, "episodes_rewards"),
    ("reinforce.play_episode", lambda: reinforce.play_episode(_env(), reinforce.CategoricalPolicy(16, 4), None), TypeError, "generator"),
    ("reinforce.train", lambda: reinforce.train("CartPole-v1"), TypeError, "cfg"),
    ("reinforce.summary", lambda: reinforce.summary(reinforce.ReinforceConfig(), "result"), TypeError, "result"),
    # pg_estimators
    ("pg_estimators.softmax_policy", lambda: pg_estimators.softmax_policy(np.zeros(4)), ValueError, "logits"),
    ("pg_estimators.exact_gradient", lambda: pg_estimators.exact_gradient(_env(), np.zeros((16, 3)), 0.9), ValueError, "logits"),
    ("pg_estimators.exact_gradient", lambda: pg_estimators.exact_gradient(_env(), np.zeros((16, 4)), 1.5), ValueError, "gamma"),
    ("pg_estimators.sample_episodes", lambda: pg_estimators.sample_episodes(_env(), np.full((16, 4), 0.25), 1, np.random.default_rng(0)), ValueError, "episodes"),
    ("pg_estimators.estimate", lambda: pg_estimators.estimate(_env(), np.zeros((16, 4)), 0.9, 100, 0), TypeError, "rng"),
    ("pg_estimators.halfway_logits", lambda: pg_estimators.halfway_logits(_env(), strength=math.inf), ValueError, "strength"),
    # lm_policy
    ("lm_policy.Vocab", lambda: lm_policy.Vocab([]), ValueError, "sentences"),
    ("lm_policy.Vocab", lambda: _lm()[1].encode("the dog"), ValueError, "text"),
    ("lm_policy.LMConfig", lambda: lm_policy.LMConfig(learning_rate=0.0), ValueError, "learning_rate"),
    ("lm_policy.LMConfig", lambda: lm_policy.LMConfig(width=10, heads=4), ValueError, "width"),  # must divide by heads
    ("lm_policy.Block", lambda: lm_policy.Block(10, 4), ValueError, "width"),  # must divide by heads
    ("lm_policy.TinyLM", lambda: lm_policy.TinyLM(0, lm_policy.LMConfig()), ValueError, "vocab_size"),
    ("lm_policy.pretrain", lambda: lm_policy.pretrain(lm_policy.LMConfig(steps=1), sentences=[]), ValueError, "sentences"),
    ("lm_policy.next_token_distribution", lambda: lm_policy.next_token_distribution(*_lm(), "the", temperature=0.0), ValueError, "temperature"),
    ("lm_policy.encode_prompt", lambda: lm_policy.encode_prompt(_lm()[1], ""), ValueError, "prompt"),
    ("lm_policy.sample_next", lambda: lm_policy.sample_next(torch.zeros(2, 5), -1.0, _gen()), ValueError, "temperature"),
    ("lm_policy.generate", lambda: lm_policy.generate(_lm()[0], [1], 0, 3, 1.0, _gen()), ValueError, "n"),
    ("lm_policy.generate", lambda: lm_policy.generate(_lm()[0], [1], 2, 99, 1.0, _gen()), ValueError, "max_new_tokens"),
    ("lm_policy.response_texts", lambda: lm_policy.response_texts(_lm()[1], "responses"), TypeError, "responses"),
    ("lm_policy.reward_model", lambda: lm_policy.reward_model(None), TypeError, "response"),
    ("lm_policy.ResponseEnv", lambda: lm_policy.ResponseEnv(_lm()[1], []), ValueError, "prompts"),
    ("lm_policy.ResponseEnv", lambda: lm_policy.ResponseEnv(_lm()[1], ["the cat"], max_new_tokens=0), ValueError, "max_new_tokens"),
    ("lm_policy.write_response", lambda: lm_policy.write_response(lm_policy.ResponseEnv(_lm()[1], ["the cat"]), _lm()[0], _gen(), temperature=-1.0), ValueError, "temperature"),
    ("lm_policy.RLConfig", lambda: lm_policy.RLConfig(baseline="median"), ValueError, "baseline"),
    ("lm_policy.RLConfig", lambda: lm_policy.RLConfig(learning_rate=-1.0), ValueError, "learning_rate"),
    ("lm_policy.response_log_probs", lambda: lm_policy.response_log_probs(_lm()[0], "responses"), TypeError, "responses"),
    ("lm_policy.token_weights", lambda: lm_policy.token_weights([1.0], [2, 3], "mean"), ValueError, "lengths"),
    ("lm_policy.token_weights", lambda: lm_policy.token_weights([], [], "mean"), ValueError, "rewards"),
    ("lm_policy.rl_step", lambda: lm_policy.rl_step(_lm()[0], None, _lm()[1], lm_policy.RLConfig(), _gen()), TypeError, "optimizer"),
    ("lm_policy.train_rl", lambda: lm_policy.train_rl(*_lm(), cfg="fast"), TypeError, "cfg"),
    ("lm_policy.mean_reward", lambda: lm_policy.mean_reward(*_lm(), ["the cat"], n=0, max_new_tokens=3, seed=0), ValueError, "n"),
    ("lm_policy.credit_assignment", lambda: lm_policy.credit_assignment(*_lm(), "the", "cat", weight=1.0, learning_rate=0.0), ValueError, "learning_rate"),
    ("lm_policy.forward_flops", lambda: lm_policy.forward_flops(_lm()[0], torch.zeros(3)), ValueError, "ids"),
    ("lm_policy.TokenScorer", lambda: lm_policy.TokenScorer("lm"), TypeError, "lm"),
    ("lm_policy.scoring_cost", lambda: lm_policy.scoring_cost(_lm()[0], 0, [1]), ValueError, "vocab_size"),
]

# Errors that are about no parameter's value, so their message need only contain the phrase: a file that
# is not there is reported by the standard library (``[Errno 2] No such file or directory: '<path>'``),
# which names the path, not the parameter.
CONTAINS_CASES: list[tuple[str, Callable[[], object], type[Exception], str]] = [
    ("lm_policy.load_corpus", lambda: lm_policy.load_corpus(SNIPPETS / "no_such_corpus.txt"), FileNotFoundError, "no_such_corpus.txt"),
    # sampling an empty buffer is the object's state, not a bad argument: the message says what is wrong
    ("dqn.ReplayBuffer", lambda: dqn.ReplayBuffer(10, 4).sample(2, np.random.default_rng(0)), ValueError, "the buffer is empty"),
]
# fmt: on


def _public_callables() -> set[str]:
    """Every public top-level function and class of snippets/, as "module.name"."""
    names = set()
    for path in sorted(SNIPPETS.glob("*.py")):
        if path.name.startswith("_"):
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef | ast.ClassDef) and not node.name.startswith("_"):
                names.add(f"{path.stem}.{node.name}")
    return names


def test_every_public_callable_has_a_case():
    covered = {name for name, *_ in CASES + CONTAINS_CASES} | set(NO_INPUT)
    missing = sorted(_public_callables() - covered)
    assert not missing, f"public callables with no bad-input case in tests/test_bad_input.py: {missing}"
    stale = sorted(covered - _public_callables())
    assert not stale, f"cases for callables that no longer exist: {stale}"


def starts_with_name(message: str, name: str) -> bool:
    """Whether ``message`` opens with ``name`` as a whole word: ``"n must ..."``, not ``"n_actions ..."``."""
    return re.match(rf"{re.escape(name)}(?!\w)", message) is not None


@pytest.mark.parametrize(("message", "name", "expected"), [
    ("n must be an int >= 1, got 0", "n", True),
    ("n_actions must be an int >= 1, got 0", "n", False),
    ("value_learning_rate must be > 0, got 0.0", "learning_rate", False),
    ("rewards[1] is nan", "rewards", True),
    ("env: the goal cannot be reached", "env", True),
    ("the env is broken", "env", False),
    ("policy", "policy", True),
])  # fmt: skip
def test_starts_with_name(message, name, expected):
    assert starts_with_name(message, name) is expected


@pytest.mark.parametrize(
    ("name", "call", "error", "parameter"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_bad_input_is_refused_by_name(name, call, error, parameter):
    with pytest.raises(error) as raised:
        call()
    message = str(raised.value)
    assert starts_with_name(message, parameter), f"the message does not start with {parameter!r}: {message!r}"


@pytest.mark.parametrize(
    ("name", "call", "error", "phrase"), CONTAINS_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CONTAINS_CASES)]
)
def test_bad_input_that_is_no_parameter_is_refused_naming_the_problem(name, call, error, phrase):
    with pytest.raises(error) as raised:
        call()
    assert phrase in str(raised.value)
