"""Tests for snippets/argmax_limits.py: rock-paper-scissors exactly and by simulation, and the scoring counts."""

from __future__ import annotations

import doctest
import itertools
import json
from fractions import Fraction

import numpy as np
import pytest
from rl4rlhf.argmax_limits import (
    MOVE_NAMES,
    PAPER,
    PAYOFF,
    ROCK,
    SCISSORS,
    UNIFORM,
    Counted,
    act_by_argmax,
    act_by_sampling,
    always,
    argmax_over_angles,
    best_response,
    expected_payoff,
    exploited_payoff,
    grid_size,
    play,
    sample_angle,
    scoring_costs,
)

from rl4rlhf import argmax_limits
from tests.demo import run_demo

MOVES = (ROCK, PAPER, SCISSORS)


def exact_payoff(policy: list[Fraction], opponent: list[Fraction]) -> Fraction:
    """Σ_i Σ_j π(i) PAYOFF[i, j] σ(j) in exact arithmetic, written from the rules."""
    beats = {(ROCK, SCISSORS), (PAPER, ROCK), (SCISSORS, PAPER)}
    total = Fraction(0)
    for i, j in itertools.product(MOVES, MOVES):
        reward = 1 if (i, j) in beats else -1 if (j, i) in beats else 0
        total += policy[i] * opponent[j] * reward
    return total


def random_policies(seed: int, n: int) -> np.ndarray:
    return np.random.default_rng(seed).dirichlet(np.ones(3), size=n)


# --- The game -----------------------------------------------------------------------------


def test_payoff_matrix_is_the_game():
    assert MOVE_NAMES == ("rock", "paper", "scissors")
    np.testing.assert_array_equal(PAYOFF, -PAYOFF.T)  # zero-sum: my win is your loss
    assert (np.diag(PAYOFF) == 0).all()  # same move: draw
    assert PAYOFF[ROCK, SCISSORS] == PAYOFF[PAPER, ROCK] == PAYOFF[SCISSORS, PAPER] == 1
    assert (PAYOFF == 1).sum(axis=1).tolist() == [1, 1, 1]  # each move beats exactly one


@pytest.mark.parametrize("seed", range(4))
def test_expected_payoff_matches_exact_arithmetic(seed):
    for mine, theirs in zip(random_policies(seed, 10), random_policies(seed + 100, 10), strict=True):
        exact = exact_payoff([Fraction(x) for x in mine], [Fraction(x) for x in theirs])
        assert expected_payoff(mine, theirs) == pytest.approx(float(exact), abs=1e-12)


def test_always_rock_loses_every_game_to_paper():
    assert expected_payoff(always(ROCK), always(PAPER)) == -1.0
    assert best_response(always(ROCK)) == PAPER
    assert exploited_payoff(always(ROCK)) == -1.0
    assert play(always(ROCK), always(PAPER), games=1000, seed=0) == -1.0


def test_no_deterministic_policy_does_better_than_minus_1_against_its_best_response():
    for move in MOVES:
        reply = best_response(always(move))
        assert PAYOFF[move, reply] == -1  # the reply beats it
        assert exploited_payoff(always(move)) == -1.0
        # and no other reply is worse for it
        assert exploited_payoff(always(move)) == min(expected_payoff(always(move), always(m)) for m in MOVES)


def test_uniform_earns_exactly_0_against_every_opponent():
    third = [Fraction(1, 3)] * 3
    for opponent in [*(always(m) for m in MOVES), *random_policies(7, 50)]:
        assert expected_payoff(UNIFORM, opponent) == 0.0  # exactly, in floating point too
        assert exact_payoff(third, [Fraction(x) for x in opponent]) == 0
    assert exploited_payoff(UNIFORM) == 0.0
    assert best_response(UNIFORM) == ROCK  # all replies tie; the lowest move number wins the tie


@pytest.mark.parametrize("seed", range(3))
def test_every_other_mixed_policy_can_be_exploited(seed):
    for policy in random_policies(seed, 100):
        assert exploited_payoff(policy) < 0.0


@pytest.mark.parametrize("opponent", [ROCK, PAPER, SCISSORS])
def test_simulated_uniform_play_breaks_even(opponent):
    mean = play(UNIFORM, always(opponent), games=20_000, seed=opponent)
    assert abs(mean) < 0.03  # standard error sqrt(2/3 / 20000) = 0.0058: about five of them
    assert play(UNIFORM, always(opponent), games=20_000, seed=opponent) == mean  # seeded


def test_simulation_agrees_with_the_expected_payoff():
    policy, opponent = np.array([0.5, 0.3, 0.2]), np.array([0.2, 0.2, 0.6])
    assert play(policy, opponent, games=50_000, seed=3) == pytest.approx(expected_payoff(policy, opponent), abs=0.02)


def test_always_is_one_hot():
    np.testing.assert_array_equal(always(SCISSORS), [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(always(np.int64(PAPER)), [0.0, 1.0, 0.0])


def test_docstring_examples_are_true():
    result = doctest.testmod(argmax_limits, raise_on_error=False, verbose=False)
    assert result.attempted >= 5
    assert result.failed == 0


# --- Scoring cost ------------------------------------------------------------------------------


def test_grid_sizes_for_the_posts_resolutions():
    assert [grid_size(0, 45, step) for step in ("1", "0.1", "0.01")] == [46, 451, 4501]
    assert [grid_size(0, 45, step) for step in (1, 0.1, 0.01)] == [46, 451, 4501]  # floats read as decimals
    assert grid_size(0, 0, 1) == 1
    assert grid_size(-1.5, 1.5, "0.5") == 7


@pytest.mark.parametrize(("step", "best"), [("1", 23.0), ("0.1", 23.5), ("0.5", 23.5)])
def test_argmax_over_angles_evaluates_q_once_per_candidate(step, best):
    q = Counted(lambda angle: -((angle - 23.5) ** 2))
    assert argmax_over_angles(q, 0, 45, step) == pytest.approx(best)  # 23 and 24 tie at step 1: the first wins
    assert q.calls == grid_size(0, 45, step)


def test_a_gaussian_policy_needs_one_forward_pass_at_any_resolution():
    policy = Counted(lambda: (23.5, 2.0))
    rng = np.random.default_rng(0)
    angles = [sample_angle(policy, rng) for _ in range(2000)]
    assert policy.calls == 2000  # one per action picked
    assert np.mean(angles) == pytest.approx(23.5, abs=0.2) and np.std(angles) == pytest.approx(2.0, abs=0.1)


@pytest.mark.parametrize("n_actions", [4, 18, 50_000])
def test_discrete_heads_compute_one_score_per_action_either_way(n_actions):
    rng = np.random.default_rng(n_actions)
    features, weights = rng.normal(size=8), rng.normal(size=(n_actions, 8))
    action, scores = act_by_argmax(features, weights)
    assert scores == n_actions and action == int(np.argmax(weights @ features))
    sampled, logits = act_by_sampling(features, weights, rng)
    assert logits == n_actions and 0 <= sampled < n_actions


def test_argmax_is_deterministic_and_softmax_sampling_follows_its_probabilities():
    features, weights = np.array([1.0]), np.log(np.array([[0.2], [0.5], [0.3]]))  # softmax = 0.2, 0.5, 0.3
    assert {act_by_argmax(features, weights)[0] for _ in range(20)} == {1}  # same state, same answer
    rng = np.random.default_rng(4)
    counts = np.bincount([act_by_sampling(features, weights, rng)[0] for _ in range(6000)], minlength=3)
    np.testing.assert_allclose(counts / 6000, [0.2, 0.5, 0.3], atol=0.03)


def test_scoring_costs_table():
    rows = scoring_costs(seed=0)
    assert [r["actions"] for r in rows] == [4, 18, 50_000, 46, 451, 4501]
    assert [r["argmax"] for r in rows] == [4, 18, 50_000, 46, 451, 4501]
    assert [r["policy"] for r in rows] == [4, 18, 50_000, 1, 1, 1]
    assert rows == scoring_costs(seed=0)


def test_counted_passes_arguments_and_results_through():
    double = Counted(lambda x: 2 * x)
    assert [double(1), double(2.5)] == [2, 5.0] and double.calls == 2


# --- Bad input, at the entry point --------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"games": 0}, ValueError, "^games must be at least 1"),
        ({"games": 10.0}, TypeError, "^games must be an int"),
        ({"seed": -1}, ValueError, "^seed must be at least 0"),
    ],
)
def test_bad_settings_of_the_demo(kwargs, error, message):
    with pytest.raises(error, match=message):
        argmax_limits.main(**kwargs)


# --- The demo -------------------------------------------------------------------------------------


def test_main_prints_and_ends_with_json(capsys):
    summary = argmax_limits.main(games=2000, seed=1)
    out = capsys.readouterr().out.strip().splitlines()
    assert json.loads(out[-1]) == summary
    assert summary["simulated"]["always rock"]["paper"] == -1.0
    assert summary["exploited"] == {"always rock": -1.0, "uniform": 0.0}
    assert summary["argmax_scores"] == [4, 18, 50_000, 46, 451, 4501]


def test_python_dash_m_runs_the_demo():
    summary, done = run_demo("rl4rlhf.argmax_limits")
    assert summary["exploited"]["always rock"] == -1.0
    assert "RPS games" in done.stderr  # the tqdm progress bar
