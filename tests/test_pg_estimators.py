"""Tests for snippets/pg_estimators.py: the exact gradient against finite differences and the
reference values, and which weights Ψ_t are unbiased estimates of it."""

from __future__ import annotations

import numpy as np
import pytest
from rl4rlhf.bellman import q_exact
from rl4rlhf.gridworld import MAZE, GridWorld
from rl4rlhf.pg_estimators import (
    PSI,
    estimate,
    exact_gradient,
    halfway_logits,
    main,
    sample_episodes,
    softmax_policy,
)

GAMMA = 0.9


@pytest.fixture(scope="module")
def env() -> GridWorld:
    return GridWorld(MAZE)


def test_softmax_rows_sum_to_one_and_follow_the_logits():
    probs = softmax_policy(np.array([[0.0, 0.0], [1000.0, 0.0], [np.log(3.0), 0.0]]))
    np.testing.assert_allclose(probs, [[0.5, 0.5], [1.0, 0.0], [0.75, 0.25]])


def test_the_exact_value_is_the_linear_solve_of_q_exact(env):
    """Two implementations (autograd-ready torch, and numpy's q_exact) of the same equation."""
    logits = halfway_logits(env)
    J, _, V = exact_gradient(env, logits, GAMMA)
    probs = softmax_policy(logits)
    q = q_exact(env, probs, GAMMA)
    np.testing.assert_allclose(V, (probs * q).sum(axis=1), atol=1e-10)
    assert J == pytest.approx(V[env.start_state])
    assert exact_gradient(env, np.zeros((16, 4)), GAMMA)[0] == pytest.approx(-4.33, abs=0.005)  # the docstring


def test_the_exact_gradient_matches_finite_differences(env):
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(16, 4))
    _, grad, _ = exact_gradient(env, logits, GAMMA)
    eps = 1e-6
    for s, a in [(0, 1), (0, 3), (4, 1), (14, 3), (7, 0)]:
        up, down = logits.copy(), logits.copy()
        up[s, a] += eps
        down[s, a] -= eps
        numeric = (exact_gradient(env, up, GAMMA)[0] - exact_gradient(env, down, GAMMA)[0]) / (2 * eps)
        assert grad[s, a] == pytest.approx(numeric, abs=1e-6)
    # A state that is never reached (a wall) has no gradient; the logits of one state sum to zero change.
    assert np.abs(grad[list(env.walls)]).max() == 0.0
    np.testing.assert_allclose(grad.sum(axis=1), 0.0, atol=1e-12)


def test_sampled_episodes_follow_the_maze_and_stop_at_the_goal(env):
    probs = softmax_policy(halfway_logits(env, strength=3.0))
    ep = sample_episodes(env, probs, 200, np.random.default_rng(1))
    lengths = ep["mask"].sum(axis=1)
    assert int(ep["cut_off"]) == 0 and lengths.min() >= 6  # the shortest path has 6 moves
    for i in range(5):  # replay a few in the real environment: same rewards
        env.reset(seed=0)
        for t in range(lengths[i]):
            _, reward, terminated, _, _ = env.step(int(ep["actions"][i, t]))
            assert reward == ep["rewards"][i, t]
        assert terminated


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_three_weights_are_unbiased_and_plain_g_t_is_not(env, seed):
    """Over 20,000 episodes, G_0, γ^t G_t and γ^t (G_t − V) land on the exact gradient within the noise;
    G_t without γ^t is off by many standard errors (the seeds make it deterministic, not lucky)."""
    logits = halfway_logits(env)
    _, exact, _ = exact_gradient(env, logits, GAMMA)
    found = estimate(env, logits, GAMMA, 20_000, np.random.default_rng(seed))
    assert set(found) == set(PSI)
    gaps = {name: float((np.abs(mean - exact) / np.maximum(sem, 1e-12)).max()) for name, (mean, sem) in found.items()}
    for name in ("G_0", "γ^t G_t", "γ^t (G_t - V(s_t))"):
        assert gaps[name] < 4.5, (name, gaps)
    assert gaps["G_t"] > 20, gaps


def test_with_gamma_1_plain_g_t_is_unbiased_too(env):
    logits = halfway_logits(env, strength=2.0)
    _, exact, _ = exact_gradient(env, logits, 1.0)
    mean, sem = estimate(env, logits, 1.0, 20_000, np.random.default_rng(0))["G_t"]
    assert (np.abs(mean - exact) / np.maximum(sem, 1e-12)).max() < 4.5


def test_the_baseline_reduces_the_noise_not_the_mean(env):
    logits = halfway_logits(env)
    found = estimate(env, logits, GAMMA, 20_000, np.random.default_rng(3))
    start = env.start_state
    # Standard errors at the start cell: with the baseline, less than half of the whole-episode weight's
    # (the page's claim), and smaller than reward-to-go's without a baseline.
    assert (found["γ^t (G_t - V(s_t))"][1][start] < 0.5 * found["G_0"][1][start]).all()
    assert (found["γ^t (G_t - V(s_t))"][1][start] < found["γ^t G_t"][1][start]).all()


def test_bad_input_is_refused_by_name(env):
    probs = softmax_policy(np.zeros((16, 4)))
    with pytest.raises(ValueError, match="^episodes"):
        sample_episodes(env, probs, 1, np.random.default_rng(0))
    with pytest.raises(TypeError, match="^rng"):
        sample_episodes(env, probs, 10, 0)
    slippery = GridWorld(MAZE)
    slippery.P[0][0] = [(0.5, 0, -1.0, False), (0.5, 1, -0.01, False)]
    with pytest.raises(ValueError, match="^env must be deterministic"):
        sample_episodes(slippery, probs, 10, np.random.default_rng(0))


def test_demo_prints_the_gaps(capsys):
    summary = main()
    assert summary["G_t"] > 20 and max(summary[n] for n in ("G_0", "γ^t G_t", "γ^t (G_t - V(s_t))")) < 4.5
    assert capsys.readouterr().out.strip().splitlines()[-1].startswith("{")
