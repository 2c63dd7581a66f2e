"""Tests for snippets/returns.py: every number the post computes, plus edge cases."""

from __future__ import annotations

import doctest
import json

import numpy as np
import pytest
from rl4rlhf.returns import (
    A_TO_GOAL,
    BAD_EPISODE,
    GOAL_TEN_STEPS_AWAY,
    GOOD_EPISODE,
    RIPPLE,
    discounted_return,
    returns_to_go,
)
from rl4rlhf_exercises.cases import reference_returns_to_go  # the reference the reader's check uses too

from rl4rlhf import returns
from tests.demo import run_demo

# --- The post's numbers ------------------------------------------------------


def test_a_to_goal_is_0_99_undiscounted():
    assert discounted_return(A_TO_GOAL) == pytest.approx(0.99)
    assert discounted_return(A_TO_GOAL, gamma=1.0) == pytest.approx(0.99)


def test_a_to_goal_is_0_89_with_gamma_0_9():
    assert discounted_return(A_TO_GOAL, gamma=0.9) == pytest.approx(0.89)


def test_goal_ten_steps_away_is_worth_about_0_35():
    value = discounted_return(GOAL_TEN_STEPS_AWAY, gamma=0.9)
    assert value == pytest.approx(0.9**10)
    assert value == pytest.approx(0.3487, abs=5e-5)
    assert round(value, 2) == 0.35
    assert discounted_return(GOAL_TEN_STEPS_AWAY) == pytest.approx(1.0)


def test_good_episode_is_plus_0_98():
    assert discounted_return(GOOD_EPISODE) == pytest.approx(0.98)


def test_bad_episode_is_minus_2_04():
    assert discounted_return(BAD_EPISODE) == pytest.approx(-2.04)


def test_the_ripple_loses_0_01_per_step():
    # "next cell is ~1.0, so I'm ~0.99" ... "cell ahead is ~0.97, so I'm ~0.96"
    assert returns_to_go(RIPPLE) == pytest.approx([0.96, 0.97, 0.98, 0.99, 1.0])
    assert RIPPLE == [-0.01] * 4 + [1.0]


def test_examples_are_the_episodes_the_post_describes():
    assert A_TO_GOAL == [-0.01, 1.00]
    assert GOAL_TEN_STEPS_AWAY == [0.0] * 10 + [1.0]
    assert GOOD_EPISODE == [-0.01, -0.01, 1.00]
    assert BAD_EPISODE == [-1.0, -1.0, -0.01, -0.01, -0.01, -0.01]
    assert set(returns.EXAMPLES) == {
        "A_TO_GOAL",
        "GOAL_TEN_STEPS_AWAY",
        "GOOD_EPISODE",
        "BAD_EPISODE",
        "RIPPLE",
    }


def test_docstring_examples_are_true():
    result = doctest.testmod(returns, raise_on_error=False, verbose=False)
    assert result.attempted >= 3
    assert result.failed == 0


# --- returns_to_go against a vectorised reference ------------------------------


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("gamma", [0.0, 0.5, 0.9, 0.99, 1.0])
def test_returns_to_go_matches_the_matrix_formula(seed, gamma):
    rng = np.random.default_rng(seed)
    rewards = rng.normal(size=rng.integers(1, 40))
    G = returns_to_go(rewards, gamma)
    assert G.dtype == np.float64
    assert G.shape == rewards.shape
    np.testing.assert_allclose(G, reference_returns_to_go(rewards, gamma), atol=1e-12)
    assert G[0] == pytest.approx(discounted_return(rewards, gamma), abs=1e-12)


@pytest.mark.parametrize("rewards", [A_TO_GOAL, GOAL_TEN_STEPS_AWAY, BAD_EPISODE])
@pytest.mark.parametrize("gamma", [0.0, 0.9, 1.0])
def test_first_return_to_go_is_the_discounted_return(rewards, gamma):
    assert returns_to_go(rewards, gamma)[0] == pytest.approx(discounted_return(rewards, gamma))


def test_returns_to_go_satisfies_its_recursion():
    rewards, gamma = np.array([0.5, -1.0, 2.0, 0.25]), 0.8
    G = returns_to_go(rewards, gamma)
    assert G[-1] == rewards[-1]
    np.testing.assert_allclose(G[:-1], rewards[:-1] + gamma * G[1:])


def test_gamma_zero_gives_the_rewards_themselves():
    rewards = [3.0, -1.0, 0.5, 2.0]
    np.testing.assert_array_equal(returns_to_go(rewards, 0.0), rewards)
    assert discounted_return(rewards, 0.0) == 3.0


def test_single_reward():
    assert discounted_return([2.5], 0.3) == 2.5
    np.testing.assert_array_equal(returns_to_go([2.5], 0.3), [2.5])


def test_accepts_numpy_arrays_tuples_ints_and_numpy_gamma():
    as_array = np.array(GOOD_EPISODE)
    assert discounted_return(as_array) == pytest.approx(0.98)
    assert discounted_return(tuple(GOOD_EPISODE)) == pytest.approx(0.98)
    assert discounted_return(np.array([1, 2, 3], dtype=np.int64), 0.5) == 2.75
    assert discounted_return([1, 2, 3], np.float64(0.5)) == 2.75
    assert discounted_return([1, 2, 3], 1) == 6.0
    np.testing.assert_allclose(returns_to_go(as_array.astype(np.float32), 1.0), [0.98, 0.99, 1.0])


def test_does_not_modify_its_input():
    rewards = np.array([1.0, 2.0, 3.0])
    returns_to_go(rewards, 0.5)
    np.testing.assert_array_equal(rewards, [1.0, 2.0, 3.0])


def test_returns_a_plain_float():
    assert type(discounted_return(A_TO_GOAL, 0.9)) is float


# --- The demo ------------------------------------------------------------------


def test_main_prints_examples_and_ends_with_json(capsys):
    summary = returns.main()
    lines = capsys.readouterr().out.strip().splitlines()
    assert json.loads(lines[-1]) == summary
    assert summary["A_TO_GOAL"] == {"gamma_1": 0.99, "gamma_0.9": 0.89}
    assert summary["GOAL_TEN_STEPS_AWAY"]["gamma_0.9"] == 0.3487
    assert summary["GOOD_EPISODE"]["gamma_1"] == 0.98
    assert summary["BAD_EPISODE"]["gamma_1"] == -2.04


def test_python_dash_m_runs_the_demo():
    summary, done = run_demo("rl4rlhf.returns")
    assert summary["A_TO_GOAL"]["gamma_1"] == 0.99


# --- Properties, for any rewards and any gamma (Hypothesis) ---------------------------------------

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

REWARD_LISTS = st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=1, max_size=60)
GAMMAS = st.floats(0.0, 1.0)


@given(REWARD_LISTS, GAMMAS)
def test_returns_to_go_is_the_direct_sum_for_any_rewards_and_gamma(rewards, gamma):
    G = returns_to_go(rewards, gamma)
    tolerance = 1e-9 * (1.0 + sum(abs(r) for r in rewards))
    for t in range(len(rewards)):
        direct = sum(gamma**k * r for k, r in enumerate(rewards[t:]))  # G_t = Σ_k γ^k r_{t+k}
        assert abs(G[t] - direct) <= tolerance
    assert abs(discounted_return(rewards, gamma) - G[0]) <= tolerance


@given(REWARD_LISTS, GAMMAS, st.floats(-10.0, 10.0))
def test_returns_to_go_is_linear_in_the_rewards(rewards, gamma, scale):
    scaled = returns_to_go([scale * r for r in rewards], gamma)
    tolerance = 1e-9 * (1.0 + abs(scale)) * (1.0 + sum(abs(r) for r in rewards))
    assert np.all(np.abs(scaled - scale * returns_to_go(rewards, gamma)) <= tolerance)


# --- The page's exercises -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["discounted_return", "returns_to_go"])
def test_the_exercise_check_passes_on_the_snippet(name):
    """The reader's check (python -m rl4rlhf_exercises check NAME) holds this module's function to the same cases."""
    import rl4rlhf_exercises
    from rl4rlhf import returns

    report = rl4rlhf_exercises.check(name, getattr(returns, name), time_limit_s=120.0)
    assert report.passed, report.text()
