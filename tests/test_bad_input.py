"""Bad input is refused, by name, at the boundaries a reader calls: every config, every environment
and every entry point of ``snippets/`` raises a ``ValueError`` or ``TypeError`` whose message starts
with the offending parameter's name, and quietly clamps nothing.

The functions the pages teach (targets, losses, weights, sampling, updates, returns) show only the
idea and check nothing: a bad value reaches them only through a boundary that has already refused it.
The boundaries are

* configs: every ``*Config`` dataclass (``__post_init__``);
* environments: every ``gym.Env`` and wrapper of ``snippets/``, and ``make_env``;
* entry points: ``train``, ``pretrain``, ``main`` (through argv: ``tests/test_cli.py``), and the
  functions in ``ENTRY_POINTS``, which the pages and notebooks tell a reader to call directly.

``CASES`` holds at least one bad call per boundary; ``test_every_boundary_has_a_case`` keeps it
complete, so a new config, environment or entry point cannot land without one. The module tests
(``test_<module>.py``) hold the finer cases of each.

The name must open the message, followed by a character that cannot continue a name: a phrase found
anywhere in it would let ``"n"`` match nearly any message, and ``"learning_rate"`` match one about
``value_learning_rate``.
"""

from __future__ import annotations

import importlib
import inspect
import math
import re
from collections.abc import Callable
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest

from rl4rlhf import (
    argmax_limits,
    bellman,
    dqn,
    envs,
    gridworld,
    lm_kl,
    lm_model,
    lm_rl,
    pg_estimators,
    qtable,
    reinforce,
)

SNIPPETS = Path(__file__).resolve().parents[1] / "snippets"
NAN = math.nan

# Entry points besides train/pretrain/main: what a page or a notebook tells a reader to call with
# values of their own. Each validates what it is given.
ENTRY_POINTS = {
    "bellman.value_iteration": "the q-function page and the tabular notebook call it on any tabular env",
    "bellman.q_exact": "the exact reference the tests and figures check against",
    "qtable.q_learning": "the q-function page's training loop; its settings become a QLearningConfig",
    "qtable.greedy_return": "plays a learned table: the notebook calls it",
    "qtable.episodes_to_optimal": "reads a run: the notebook calls it",
    "qtable.optimal_return": "value iteration from the start state",
    "pg_estimators.estimate": "the policy-gradient page's measurement, through its sampling",
    "pg_estimators.halfway_logits": "the policy the policy-gradient note measures at",
    "envs.make_env": "the one door through which every train() gets its environment",
    "lm_rl.TokenPolicy": "the model as a policy for play_episode, at a temperature the reader picks",
}

# Boundaries with nothing a caller could get wrong, and why.
NO_INPUT = {
    "argmax_limits.main": "its two arguments are checked: see its cases",
    "bellman.main": "takes no arguments",
    "gridworld.main": "its arguments are play_episode's and the maze's: see GridWorld's cases",
    "pg_estimators.main": "takes no arguments",
    "returns.main": "takes no arguments",
    "reinforce.Steering": "takes no arguments",
    "dqn.main": "argv: tests/test_cli.py",
    "reinforce.main": "argv: tests/test_cli.py",
    "qtable.main": "argv: tests/test_cli.py",
    "dqn.parse_config": "argv: tests/test_cli.py",
    "reinforce.parse_config": "argv: tests/test_cli.py",
    "cli.parse_config": "argv: tests/test_cli.py, for every training module",
    "lm_rl.main": "argv: tests/test_cli.py",
    "bugs.main": "takes no arguments",
}


def _env():
    return gridworld.GridWorld()


def _step(env, action):
    env.reset(seed=0)
    return env.step(action)


def _lm():
    vocab = lm_model.Vocab(["the cat sat on the mat ."])
    return lm_model.TinyLM(len(vocab), lm_model.LMConfig(width=8, heads=2, layers=1, context=16)), vocab


# (boundary, the bad call, the exception type, the parameter's name, which must open the message)
# fmt: off
CASES: list[tuple[str, Callable[[], object], type[Exception], str]] = [
    # configs
    ("qtable.QLearningConfig", lambda: qtable.QLearningConfig(alpha=0.0), ValueError, "alpha"),
    ("qtable.QLearningConfig", lambda: qtable.QLearningConfig(episodes=-1), ValueError, "episodes"),
    ("qtable.QLearningConfig", lambda: qtable.QLearningConfig(gamma=1.5), ValueError, "gamma"),
    ("qtable.QLearningConfig", lambda: qtable.QLearningConfig(epsilon=NAN), ValueError, "epsilon"),
    ("dqn.DQNConfig", lambda: dqn.DQNConfig(gamma=1.5), ValueError, "gamma"),
    ("dqn.DQNConfig", lambda: dqn.DQNConfig(learning_rate=0.0), ValueError, "learning_rate"),
    ("dqn.DQNConfig", lambda: dqn.DQNConfig(total_steps=-5), ValueError, "total_steps"),
    ("dqn.DQNConfig", lambda: dqn.DQNConfig(tau=0.0), ValueError, "tau"),  # was update_target's
    ("dqn.DQNConfig", lambda: dqn.DQNConfig(hidden_sizes=(0,)), ValueError, "hidden_sizes"),  # was QNetwork's
    ("dqn.DQNConfig", lambda: dqn.DQNConfig(batch_size=0), ValueError, "batch_size"),  # was ReplayBuffer's
    ("dqn.DQNConfig", lambda: dqn.DQNConfig(exploration_fraction=0.0), ValueError, "exploration_fraction"),
    ("reinforce.ReinforceConfig", lambda: reinforce.ReinforceConfig(gamma=-0.5), ValueError, "gamma"),
    ("reinforce.ReinforceConfig", lambda: reinforce.ReinforceConfig(learning_rate=-1e-3), ValueError, "learning_rate"),
    ("reinforce.ReinforceConfig", lambda: reinforce.ReinforceConfig(episodes=0), ValueError, "episodes"),
    ("reinforce.ReinforceConfig", lambda: reinforce.ReinforceConfig(init_std=0.0), ValueError, "init_std"),
    ("reinforce.ReinforceConfig", lambda: reinforce.ReinforceConfig(hidden_sizes=()), ValueError, "hidden_sizes"),
    ("reinforce.ReinforceConfig", lambda: reinforce.ReinforceConfig(batch_episodes=0), ValueError, "batch_episodes"),
    # environments
    ("gridworld.GridWorld", lambda: gridworld.GridWorld(["S#G"]), ValueError, "layout"),
    ("gridworld.GridWorld", lambda: gridworld.GridWorld(["SXG"]), ValueError, "layout"),
    ("gridworld.GridWorld", lambda: gridworld.GridWorld(max_steps=0), ValueError, "max_steps"),
    ("gridworld.GridWorld", lambda: gridworld.GridWorld(step_reward=NAN), ValueError, "step_reward"),
    ("gridworld.GridWorld", lambda: gridworld.GridWorld(render_mode="human"), ValueError, "render_mode"),
    ("gridworld.GridWorld", lambda: _step(_env(), 4), ValueError, "action"),
    ("gridworld.GridWorld", lambda: _step(_env(), "up"), ValueError, "action"),
    ("gridworld.TabularEnv", lambda: gridworld.TabularEnv({0: {0: [(1.0, 0, 0.0, True)]}}, 0, max_steps=0), ValueError, "max_steps"),
    ("bellman.GreedyTrap", lambda: bellman.GreedyTrap(max_steps=0), ValueError, "max_steps"),
    ("bellman.GreedyTrap", lambda: _step(bellman.GreedyTrap(), 2), ValueError, "action"),
    ("envs.OneHot", lambda: envs.OneHot(gym.make("CartPole-v1")), TypeError, "env"),
    ("envs.make_env", lambda: envs.make_env(""), ValueError, "env_id"),
    ("envs.make_env", lambda: envs.make_env("Blackjack-v1"), ValueError, "env_id"),
    # entry points
    ("bellman.value_iteration", lambda: bellman.value_iteration(_env(), gamma=1.1), ValueError, "gamma"),
    ("bellman.value_iteration", lambda: bellman.value_iteration(_env(), gamma=0.9, tol=0.0), ValueError, "tol"),
    ("bellman.value_iteration", lambda: bellman.value_iteration(_env(), 0.9, max_sweeps=0), ValueError, "max_sweeps"),
    ("bellman.value_iteration", lambda: bellman.value_iteration(gym.make("CartPole-v1"), 0.9), TypeError, "env"),
    ("bellman.q_exact", lambda: bellman.q_exact(_env(), [0] * 3, gamma=0.9), ValueError, "policy"),
    ("bellman.q_exact", lambda: bellman.q_exact(_env(), [0] * 16, gamma=-1.0), ValueError, "gamma"),
    ("qtable.q_learning", lambda: qtable.q_learning(_env(), episodes=0), ValueError, "episodes"),
    ("qtable.q_learning", lambda: qtable.q_learning(_env(), gamma=-1.0), ValueError, "gamma"),
    ("qtable.q_learning", lambda: qtable.q_learning(_env(), alpha=0.0), ValueError, "alpha"),  # was td_update's
    ("qtable.q_learning", lambda: qtable.q_learning(_env(), epsilon=1.5), ValueError, "epsilon"),  # was epsilon_greedy's
    ("qtable.q_learning", lambda: qtable.q_learning(_env(), episodes=2, snapshots=[3]), ValueError, "snapshots"),
    ("qtable.q_learning", lambda: qtable.q_learning(gym.make("CartPole-v1")), TypeError, "env"),
    ("qtable.greedy_return", lambda: qtable.greedy_return(_env(), np.zeros((3, 4)), 0.9), ValueError, "q"),
    ("qtable.greedy_return", lambda: qtable.greedy_return(_env(), np.zeros(4), 0.9), ValueError, "q"),  # was greedy_policy's
    ("qtable.greedy_return", lambda: qtable.greedy_return(_env(), np.zeros((16, 4)), 0.9, max_steps=0), ValueError, "max_steps"),
    ("qtable.episodes_to_optimal", lambda: qtable.episodes_to_optimal(_env(), "run", 0.9), TypeError, "run"),
    ("qtable.optimal_return", lambda: qtable.optimal_return(_env(), gamma=1.5), ValueError, "gamma"),
    ("pg_estimators.estimate", lambda: pg_estimators.estimate(_env(), np.zeros((16, 4)), 0.9, 100, 0), TypeError, "rng"),
    ("pg_estimators.estimate", lambda: pg_estimators.estimate(_env(), np.zeros(4), 0.9, 100, np.random.default_rng(0)), ValueError, "logits"),
    ("pg_estimators.estimate", lambda: pg_estimators.estimate(_env(), np.zeros((16, 4)), 0.9, 1, np.random.default_rng(0)), ValueError, "episodes"),
    ("pg_estimators.halfway_logits", lambda: pg_estimators.halfway_logits(_env(), strength=math.inf), ValueError, "strength"),
    ("argmax_limits.main", lambda: argmax_limits.main(games=0), ValueError, "games"),
    ("dqn.train", lambda: dqn.train("CartPole-v1"), TypeError, "cfg"),
    ("dqn.train", lambda: dqn.train(dqn.DQNConfig(env_id="NoSuchEnv-v0")), ValueError, "env_id"),
    ("reinforce.train", lambda: reinforce.train("CartPole-v1"), TypeError, "cfg"),
    ("reinforce.train", lambda: reinforce.train(reinforce.ReinforceConfig(env_id="Blackjack-v1")), ValueError, "env_id"),
    # the language model
    ("lm_model.LMConfig", lambda: lm_model.LMConfig(learning_rate=0.0), ValueError, "learning_rate"),
    ("lm_model.LMConfig", lambda: lm_model.LMConfig(width=10, heads=4), ValueError, "width"),  # was Block's
    ("lm_model.LMConfig", lambda: lm_model.LMConfig(steps=0), ValueError, "steps"),
    ("lm_model.LMConfig", lambda: lm_model.LMConfig(layers=True), TypeError, "layers"),
    ("lm_rl.RLConfig", lambda: lm_rl.RLConfig(baseline="median"), ValueError, "baseline"),
    ("lm_rl.RLConfig", lambda: lm_rl.RLConfig(learning_rate=-1.0), ValueError, "learning_rate"),
    ("lm_rl.RLConfig", lambda: lm_rl.RLConfig(max_new_tokens=0), ValueError, "max_new_tokens"),  # was generate's
    ("lm_rl.RLConfig", lambda: lm_rl.RLConfig(responses_per_prompt=0), ValueError, "responses_per_prompt"),
    ("lm_rl.RLConfig", lambda: lm_rl.RLConfig(prompts=()), ValueError, "prompts"),
    ("lm_rl.RLConfig", lambda: lm_rl.RLConfig(prompts=("the cat", "")), ValueError, "prompts"),  # was encode_prompt's
    ("lm_rl.RLConfig", lambda: lm_rl.RLConfig(prompts="the cat"), TypeError, "prompts"),
    ("lm_rl.ResponseEnv", lambda: lm_rl.ResponseEnv(_lm()[1], ["the cat"]), TypeError, "cfg"),
    ("lm_rl.ResponseEnv", lambda: lm_rl.ResponseEnv(_lm()[1], lm_rl.RLConfig(prompts=("the dog",))), ValueError, "prompts"),
    ("lm_rl.ResponseEnv", lambda: lm_rl.ResponseEnv(_lm()[1], lm_rl.RLConfig(prompts=("the cat",)), reward_fn=None), TypeError, "reward_fn"),
    ("lm_rl.ResponseEnv", lambda: _step(lm_rl.ResponseEnv(_lm()[1], lm_rl.RLConfig(prompts=("the cat",))), 99), ValueError, "action"),
    ("lm_model.pretrain", lambda: lm_model.pretrain({"steps": 1}), TypeError, "cfg"),
    ("lm_model.pretrain", lambda: lm_model.pretrain(lm_model.LMConfig(steps=1), sentences=[]), ValueError, "sentences"),
    ("lm_model.pretrain", lambda: lm_model.pretrain(lm_model.LMConfig(steps=1), sentences="the cat sat ."), TypeError, "sentences"),
    ("lm_rl.TokenPolicy", lambda: lm_rl.TokenPolicy(_lm()[0], temperature=-1.0), ValueError, "temperature"),  # was sample_next's
    ("lm_rl.TokenPolicy", lambda: lm_rl.TokenPolicy(_lm()[0], temperature=NAN), ValueError, "temperature"),
    ("lm_rl.train", lambda: lm_rl.train(*_lm(), cfg="fast"), TypeError, "cfg"),
    ("lm_rl.train", lambda: lm_rl.train("model", _lm()[1]), TypeError, "model"),
    ("lm_rl.train", lambda: lm_rl.train(*_lm(), lm_rl.RLConfig(prompts=("the dog",))), ValueError, "prompts"),
    ("lm_rl.train", lambda: lm_rl.train(*_lm(), lm_rl.RLConfig(prompts=("the cat",), max_new_tokens=14)), ValueError, "max_new_tokens"),
    ("lm_rl.train", lambda: lm_rl.train(_lm()[0], lm_model.Vocab(["a b ."]), lm_rl.RLConfig(prompts=("a",))), ValueError, "vocab"),
    ("lm_rl.train", lambda: lm_rl.train(*_lm(), lm_rl.RLConfig(prompts=("the cat",)), reward_fn="kind"), TypeError, "reward_fn"),
    ("lm_rl.train", lambda: lm_rl.train(*_lm(), lm_rl.RLConfig(prompts=("the cat",)), on_update="log"), TypeError, "on_update"),
    ("lm_kl.KLConfig", lambda: lm_kl.KLConfig(beta=-0.1), ValueError, "beta"),
    ("lm_kl.KLConfig", lambda: lm_kl.KLConfig(beta=NAN), ValueError, "beta"),
    ("lm_kl.KLConfig", lambda: lm_kl.KLConfig(rl="fast"), TypeError, "rl"),
    ("lm_kl.KLConfig", lambda: lm_kl.KLConfig(rl=lm_rl.RLConfig(baseline="none")), ValueError, "rl"),
    ("lm_kl.train", lambda: lm_kl.train(*_lm(), cfg=lm_rl.RLConfig()), TypeError, "cfg"),
    ("lm_kl.train", lambda: lm_kl.train(*_lm(), lm_kl.KLConfig(rl=lm_rl.RLConfig(prompts=("the dog",)))), ValueError, "prompts"),
    ("lm_kl.train", lambda: lm_kl.train(*_lm(), lm_kl.KLConfig(rl=lm_rl.RLConfig(prompts=("the cat",))), reward_fn=1), TypeError, "reward_fn"),
]
# fmt: on


def _boundaries() -> set[str]:
    """Every config, environment and entry point of snippets/, as "module.name"."""
    names = set(ENTRY_POINTS)
    for path in sorted(SNIPPETS.glob("*.py")):
        if path.name.startswith("_"):
            continue
        module = importlib.import_module(f"rl4rlhf.{path.stem}")
        for name, value in vars(module).items():
            if getattr(value, "__module__", None) != module.__name__ or name.startswith("_"):
                continue  # defined elsewhere, or private
            is_env = inspect.isclass(value) and issubclass(value, gym.Env | gym.Wrapper)
            is_config = inspect.isclass(value) and name.endswith("Config")
            if is_env or is_config or name in ("train", "pretrain", "main", "parse_config"):
                names.add(f"{path.stem}.{name}")
    return names


def test_every_boundary_has_a_case():
    covered = {name for name, *_ in CASES} | set(NO_INPUT)
    missing = sorted(_boundaries() - covered)
    assert not missing, f"configs, environments or entry points with no bad-input case: {missing}"
    stale = sorted(covered - _boundaries())
    assert not stale, f"cases for names that are no boundary (or no longer exist): {stale}"


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
