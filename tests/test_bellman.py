"""Tests for snippets/bellman.py: the post's numbers, value iteration against exact solves, bad input."""

from __future__ import annotations

import doctest
import itertools
import json
import math

import gymnasium as gym
import numpy as np
import pytest
from gymnasium import spaces
from gymnasium.utils.env_checker import check_env
from rl4rlhf.bellman import (
    BEST_Q_AT_B,
    GAMMA_TRAINING,
    POST_TARGET,
    PREDICTION,
    REWARD_A_RIGHT,
    GreedyTrap,
    bellman_target,
    greedy_on_immediate_reward,
    mdp_arrays,
    q_exact,
    ripple,
    td_loss,
    value_iteration,
)
from rl4rlhf.gridworld import DOWN, MAZE, RIGHT, UP, GridWorld, shortest_path_actions

from rl4rlhf import bellman
from tests.demo import run_demo

# Other layouts: a wide one where the way round is through the bottom row, a 5x5 with walls, a corridor.
WIDE = ("S.#..", "..#.G", ".....")
FIVE = ("S....", ".###.", "...#.", ".#...", "...#G")
CORRIDOR = ("S...G",)
LAYOUTS = {"maze": MAZE, "wide": WIDE, "five": FIVE, "corridor": CORRIDOR}


def greedy(q: np.ndarray) -> np.ndarray:
    return np.argmax(q, axis=1)


def policy_iteration(env: gym.Env, gamma: float) -> np.ndarray:
    """Howard's policy iteration with exact linear solves: an independent reference for Q* (γ < 1)."""
    R, T = mdp_arrays(env)
    n_states = R.shape[0]
    policy = np.zeros(n_states, dtype=np.int64)
    for _ in range(1000):
        v = np.linalg.solve(np.eye(n_states) - gamma * T[np.arange(n_states), policy], R[np.arange(n_states), policy])
        q = R + gamma * T @ v
        # switch only where another action is strictly better, so the loop ends
        improved = np.where(q.max(axis=1) > q[np.arange(n_states), policy] + 1e-12, q.argmax(axis=1), policy)
        if (improved == policy).all():
            return q
        policy = improved
    raise AssertionError("policy iteration did not stop")


# --- The post's numbers ----------------------------------------------------------


def test_bellman_target_is_0_89_with_gamma_1():
    assert bellman_target(REWARD_A_RIGHT, [BEST_Q_AT_B], gamma=1.0) == pytest.approx(0.89)
    assert (REWARD_A_RIGHT, BEST_Q_AT_B) == (-0.01, 0.90)


def test_bellman_target_is_0_881_with_gamma_0_99_which_the_post_rounds_to_0_88():
    target = bellman_target(REWARD_A_RIGHT, [BEST_Q_AT_B], gamma=GAMMA_TRAINING)
    assert GAMMA_TRAINING == 0.99
    assert target == pytest.approx(0.881)
    assert round(target, 2) == POST_TARGET == 0.88


def test_td_loss_is_0_1444_rounded_0_14_and_0_145161_unrounded():
    assert PREDICTION == 0.50
    assert td_loss(PREDICTION, POST_TARGET) == pytest.approx(0.1444)
    assert round(td_loss(PREDICTION, POST_TARGET), 2) == 0.14
    unrounded = td_loss(PREDICTION, bellman_target(REWARD_A_RIGHT, [BEST_Q_AT_B], gamma=0.99))
    assert unrounded == pytest.approx(0.145161)
    assert round(unrounded, 4) == 0.1452


def test_the_ripple_loses_0_01_per_cell():
    # "next cell is ~1.0, so I'm ~0.99" ... "cell ahead is ~0.97, so I'm ~0.96"
    assert ripple() == pytest.approx([1.0, 0.99, 0.98, 0.97, 0.96])
    assert ripple(1) == [1.0]


def test_value_iteration_on_the_maze_with_gamma_1_gives_0_95_at_the_start():
    env = GridWorld(MAZE)
    v = value_iteration(env, gamma=1.0).v
    assert v[env.start_state] == pytest.approx(0.95, abs=1e-12)
    path, state = [env.start_state], env.start_state
    for action in shortest_path_actions(env)[:-1]:
        state = env.P[state][action][0][1]
        path.append(state)
    # the ripple, in the real maze: 0.95 at the start ... 1.0 next to the goal
    np.testing.assert_allclose(v[path], [0.95, 0.96, 0.97, 0.98, 0.99, 1.0], atol=1e-12)
    assert v[env.goal_state] == 0.0 and (v[list(env.walls)] == 0.0).all()


def test_docstring_examples_are_true():
    result = doctest.testmod(bellman, raise_on_error=False, verbose=False)
    assert result.attempted >= 5
    assert result.failed == 0


# --- bellman_target and td_loss ----------------------------------------------------


def test_a_terminal_step_does_not_bootstrap():
    assert bellman_target(1.0, [100.0, 50.0], gamma=0.99, terminated=True) == 1.0
    assert bellman_target(1.0, [100.0, 50.0], gamma=0.99, terminated=np.True_) == 1.0
    assert bellman_target(1.0, [100.0, 50.0], gamma=0.99) == pytest.approx(100.0)


@pytest.mark.parametrize("seed", range(5))
def test_bellman_target_matches_the_formula(seed):
    rng = np.random.default_rng(seed)
    reward, q, gamma = rng.normal(), rng.normal(size=rng.integers(1, 10)), rng.uniform()
    assert bellman_target(reward, q, gamma) == pytest.approx(reward + gamma * max(q), abs=1e-12)
    assert bellman_target(reward, q, 0.0) == reward
    assert type(bellman_target(reward, q, gamma)) is float
    assert type(bellman_target(reward, q, gamma, terminated=True)) is float


def test_bellman_target_accepts_ints_tuples_and_float32():
    assert bellman_target(1, (2, 3), 1) == 4.0
    assert bellman_target(np.float32(0.5), np.array([1.0], dtype=np.float32), 0.5) == 1.0


def test_td_loss_is_the_squared_difference():
    assert td_loss(3.0, 1.0) == 4.0 == td_loss(1.0, 3.0)
    assert td_loss(np.float64(0.25), 0) == 0.0625


# --- value iteration against exact references ----------------------------------------


@pytest.mark.parametrize("gamma", [0.9, 0.99, 1.0])
@pytest.mark.parametrize("layout", LAYOUTS.values(), ids=LAYOUTS.keys())
def test_value_iteration_matches_the_exact_solve_of_its_greedy_policy(layout, gamma):
    env = GridWorld(layout)
    result = value_iteration(env, gamma)
    assert result.q.shape == (env.observation_space.n, 4) and result.q.dtype == np.float64
    np.testing.assert_allclose(result.q, q_exact(env, greedy(result.q), gamma), atol=1e-8)
    np.testing.assert_array_equal(result.v, result.q.max(axis=1))


@pytest.mark.parametrize("gamma", [0.0, 0.5, 0.9, 0.99])
@pytest.mark.parametrize("layout", LAYOUTS.values(), ids=LAYOUTS.keys())
def test_value_iteration_matches_policy_iteration(layout, gamma):
    env = GridWorld(layout)
    np.testing.assert_allclose(value_iteration(env, gamma).q, policy_iteration(env, gamma), atol=1e-8)


@pytest.mark.parametrize("gamma", [0.9, 0.99, 1.0])
@pytest.mark.parametrize("slippery", [True, False])
def test_value_iteration_on_frozen_lake(slippery, gamma):
    env = gym.make("FrozenLake-v1", is_slippery=slippery)
    result = value_iteration(env, gamma)
    if not slippery and gamma == 1.0:
        # every way to the goal is worth 1, so the tie rule's greedy policy walks into the edge forever
        with pytest.raises(ValueError, match="never ends an episode from state 0"):
            q_exact(env, greedy(result.q), gamma)
        assert result.v[0] == 1.0
        return
    np.testing.assert_allclose(result.q, q_exact(env, greedy(result.q), gamma), atol=1e-8)
    if gamma < 1:
        np.testing.assert_allclose(result.q, policy_iteration(env, gamma), atol=1e-8)
    if not slippery:
        assert result.v[0] == pytest.approx(gamma**5)  # six moves, reward 1 on the last
    env.close()


@pytest.mark.parametrize("env_id", ["Taxi-v4", "CliffWalking-v1"])
def test_value_iteration_on_other_toy_text_environments(env_id):
    env = gym.make(env_id)
    q = value_iteration(env, 0.99).q
    np.testing.assert_allclose(q, q_exact(env, greedy(q), 0.99), atol=1e-8)
    env.close()


def test_frozen_lake_slippery_with_gamma_1_is_the_chance_of_reaching_the_goal():
    v = value_iteration(gym.make("FrozenLake-v1", is_slippery=True), 1.0).v
    assert 0.8 < v[0] < 0.85  # the best policy still falls in a hole now and then
    assert (v >= 0).all() and (v <= 1 + 1e-9).all()


@pytest.mark.parametrize("gamma", [0.5, 0.9])
@pytest.mark.parametrize("layout", [("S.", ".G"), ("S.G",), ("S.", "#.", "G.")])
def test_value_iteration_beats_or_ties_every_deterministic_policy(layout, gamma):
    env = GridWorld(layout)
    v_star = value_iteration(env, gamma).v
    free = [s for s in range(env.observation_space.n) if s not in env.walls and s != env.goal_state]
    best = np.full(env.observation_space.n, -np.inf)
    for actions in itertools.product(range(4), repeat=len(free)):  # 4^k policies, brute force
        policy = np.zeros(env.observation_space.n, dtype=np.int64)
        policy[free] = actions
        best = np.maximum(best, q_exact(env, policy, gamma)[np.arange(len(policy)), policy])
    np.testing.assert_allclose(v_star[free], best[free], atol=1e-9)


def test_value_iteration_satisfies_the_bellman_optimality_equation():
    env = GridWorld(FIVE)
    q = value_iteration(env, 0.95, tol=1e-13).q
    for s in range(env.observation_space.n):
        for a in range(4):
            _, s2, r, done = env.P[s][a][0]
            assert q[s, a] == pytest.approx(bellman_target(r, q[s2], 0.95, done), abs=1e-11)


def test_gamma_zero_gives_the_immediate_rewards_after_one_sweep():
    env = GridWorld(MAZE)
    result = value_iteration(env, 0.0)
    R, _ = mdp_arrays(env)
    np.testing.assert_array_equal(result.q, R)
    assert result.sweeps == 2  # one to get there, one to see nothing move


def test_mdp_arrays_of_the_maze():
    R, T = mdp_arrays(GridWorld(MAZE))
    assert R.shape == (16, 4) and T.shape == (16, 4, 16)
    assert R[14, RIGHT] == 1.0 and not T[14, RIGHT].any()  # into the goal: no bootstrap
    assert R[0, RIGHT] == -0.01 and T[0, RIGHT, 1] == 1.0 and T[0, RIGHT].sum() == 1.0
    assert R[0, UP] == -1.0 and T[0, UP, 0] == 1.0  # a bump stays put
    assert not T[15].any() and not T[5].any()  # goal and walls end everything


def test_mdp_arrays_add_up_repeated_outcomes():
    env = gym.make("FrozenLake-v1", is_slippery=True)
    R, T = mdp_arrays(env)
    fl_left, fl_right = 0, 2  # FrozenLake numbers its actions LEFT, DOWN, RIGHT, UP
    # from state 0, LEFT slides left (the edge: stay), up (the edge: stay) or down to 4, 1/3 each
    assert T[0, fl_left, 0] == pytest.approx(2 / 3) and T[0, fl_left, 4] == pytest.approx(1 / 3)
    assert R[14, fl_right] == pytest.approx(1 / 3)  # one slide in three reaches the goal
    terminal_probability = np.array(
        [[sum(p for p, _, _, done in env.unwrapped.P[s][a] if done) for a in range(4)] for s in range(16)]
    )
    np.testing.assert_allclose(T.sum(axis=2) + terminal_probability, 1.0)


def test_value_iteration_is_deterministic_and_reports_sweeps():
    a, b = value_iteration(GridWorld(MAZE), 0.99), value_iteration(GridWorld(MAZE), 0.99)
    np.testing.assert_array_equal(a.q, b.q)
    assert a.sweeps == b.sweeps == 8


class Forever(gym.Env):
    """One state; the only action pays +1 and never ends: with γ = 1 its value is infinite."""

    observation_space = spaces.Discrete(1)
    action_space = spaces.Discrete(1)
    P = {0: {0: [(1.0, 0, 1.0, False)]}}


def test_value_iteration_raises_when_it_does_not_converge():
    with pytest.raises(RuntimeError, match="did not converge in max_sweeps=50"):
        value_iteration(Forever(), gamma=1.0, max_sweeps=50)
    assert value_iteration(Forever(), gamma=0.5, tol=1e-12).v[0] == pytest.approx(2.0)


def test_q_exact_of_a_policy_that_bumps_forever_with_gamma_1_raises():
    always_up = np.full(16, UP)
    with pytest.raises(ValueError, match="never ends an episode from state 0"):
        q_exact(GridWorld(MAZE), always_up, 1.0)
    # with γ < 1 it is fine: -1 per bump, forever, is -1 / (1 - γ)
    assert q_exact(GridWorld(MAZE), always_up, 0.9)[0, UP] == pytest.approx(-10.0)


def test_q_exact_of_a_stochastic_policy_solves_the_bellman_expectation_equation():
    """Q^π(s, a) = R(s, a) + γ Σ_s2 T(s, a, s2) Σ_a2 π(a2|s2) Q^π(s2, a2), for an ε-greedy policy."""
    env, gamma = GridWorld(MAZE), 0.99
    q_star = value_iteration(env, gamma).q
    best = np.isclose(q_star, q_star.max(axis=1, keepdims=True))
    probs = 0.1 / 4 + 0.9 * best / best.sum(axis=1, keepdims=True)  # ε-greedy, ε = 0.1
    q = q_exact(env, probs, gamma)
    R, T = mdp_arrays(env)
    np.testing.assert_allclose(q, R + gamma * T @ (probs * q).sum(axis=1), atol=1e-10)
    assert (q <= q_star + 1e-12).all() and q[0].max() < q_star[0].max() - 0.1  # exploring costs
    # A deterministic policy as one-hot probabilities is the same policy.
    greedy = q_star.argmax(axis=1)
    np.testing.assert_allclose(q_exact(env, np.eye(4)[greedy], gamma), q_exact(env, greedy, gamma), atol=1e-12)


# --- The greedy trap ----------------------------------------------------------------


def test_greedy_trap_q_captures_the_whole_return():
    env = GreedyTrap()
    q = value_iteration(env, gamma=1.0).q
    assert q[GreedyTrap.DECISION, UP] == pytest.approx(5.0)
    assert q[GreedyTrap.DECISION, DOWN] == pytest.approx(0.2)
    assert greedy_on_immediate_reward(env, GreedyTrap.DECISION) == DOWN  # +0.2 beats -0.2
    assert int(np.argmax(q[GreedyTrap.DECISION])) == UP  # 5.0 beats 0.2
    np.testing.assert_allclose(q, q_exact(env, greedy(q), 1.0), atol=1e-12)


def test_greedy_trap_played_for_real():
    env = GreedyTrap()
    env.reset(seed=0)
    first = env.step(UP)
    second = env.step(UP)
    assert first == (GreedyTrap.ROUGH, -0.2, False, False, {"hit_wall": False})
    assert second == (GreedyTrap.GOAL, 5.2, True, False, {"hit_wall": False})
    assert first[1] + second[1] == pytest.approx(5.0)
    env.reset()
    assert env.step(DOWN) == (GreedyTrap.DEAD_END, 0.2, True, False, {"hit_wall": False})


def test_greedy_trap_passes_gymnasiums_checker_and_truncates():
    check_env(GreedyTrap(), skip_render_check=True)
    env = GreedyTrap(max_steps=4)
    env.reset(seed=0)
    steps = [env.step(a) for a in (UP, DOWN, UP, DOWN)]  # back and forth, never ending
    assert [s[3] for s in steps] == [False, False, False, True]
    assert sum(s[1] for s in steps) == pytest.approx(-0.8)


def test_greedy_trap_bad_use():
    with pytest.raises(gym.error.ResetNeeded):
        GreedyTrap().step(UP)
    env = GreedyTrap()
    env.reset(seed=0)
    with pytest.raises(ValueError, match=r"action must be in Discrete\(2\), got 2"):
        env.step(2)
    with pytest.raises(ValueError, match="max_steps must be at least 1"):
        GreedyTrap(max_steps=0)


# --- Bad input -----------------------------------------------------------------------


@pytest.mark.parametrize("gamma", [-0.1, 1.0001, math.nan, math.inf])
def test_gamma_outside_0_1_raises_value_error(gamma):
    with pytest.raises(ValueError, match=r"gamma must be in \[0, 1\]"):
        value_iteration(GridWorld(MAZE), gamma)
    with pytest.raises(ValueError, match=r"gamma must be in \[0, 1\]"):
        q_exact(GridWorld(MAZE), np.zeros(16, dtype=int), gamma)


@pytest.mark.parametrize("gamma", ["0.9", None, True])
def test_gamma_of_the_wrong_type_raises_type_error(gamma):
    with pytest.raises(TypeError, match="gamma must be a number"):
        value_iteration(GridWorld(MAZE), gamma)


class NoModel(gym.Env):
    observation_space = spaces.Discrete(2)
    action_space = spaces.Discrete(2)


def test_environments_without_a_table_raise_type_error():
    with pytest.raises(TypeError, match="env must have a Discrete observation_space, got Box"):
        value_iteration(gym.make("CartPole-v1"), 0.9)
    with pytest.raises(TypeError, match=r"env has no transition model env.unwrapped.P"):
        value_iteration(NoModel(), 0.9)
    with pytest.raises(TypeError, match="env must have a Discrete observation_space, got NoneType"):
        q_exact(object(), [0], 0.9)


def test_broken_models_raise_value_error():
    env = Forever()
    env.P = {0: {0: [(0.5, 0, 1.0, False)]}}
    with pytest.raises(ValueError, match=r"env.P\[0\]\[0\]: probabilities sum to 0.5, not 1"):
        value_iteration(env, 0.9)
    env.P = {0: {0: []}}
    with pytest.raises(ValueError, match=r"env.P\[0\]\[0\] is missing or empty"):
        value_iteration(env, 0.9)
    env.P = {}
    with pytest.raises(ValueError, match=r"env.P\[0\]\[0\] is missing or empty"):
        value_iteration(env, 0.9)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"tol": 0.0}, ValueError, "tol must be > 0"),
        ({"tol": -1e-3}, ValueError, "tol must be > 0"),
        ({"tol": math.nan}, ValueError, "tol must be finite"),
        ({"max_sweeps": 0}, ValueError, "max_sweeps must be at least 1"),
        ({"max_sweeps": 10.0}, TypeError, "max_sweeps must be an int"),
        ({"max_sweeps": True}, TypeError, "max_sweeps must be an int"),
    ],
)
def test_bad_value_iteration_settings(kwargs, error, message):
    with pytest.raises(error, match=message):
        value_iteration(GridWorld(MAZE), 0.9, **kwargs)


@pytest.mark.parametrize(
    ("policy", "error", "message"),
    [
        (np.zeros(15, dtype=int), ValueError, r"policy must have one action per state, shape \(16,\), got \(15,\)"),
        (np.zeros((16, 1), dtype=int), ValueError, "policy must have one action per state"),
        (np.full(16, 4), ValueError, r"policy actions must be in 0..3"),
        (np.full(16, -1), ValueError, r"policy actions must be in 0..3"),
        (np.zeros(16), TypeError, "policy must hold integer actions, got dtype float64"),
        (np.full((16, 3), 1 / 3), ValueError, r"policy must have shape \(16, 4\) as probabilities"),
        (np.full((16, 4), 0.3), ValueError, "policy rows must sum to 1"),
        (np.array([[1.5, -0.5, 0.0, 0.0]] * 16), ValueError, "policy probabilities must be finite and >= 0"),
    ],
)
def test_bad_policies_for_q_exact(policy, error, message):
    with pytest.raises(error, match=message):
        q_exact(GridWorld(MAZE), policy, 0.9)


# --- The demo --------------------------------------------------------------------------


def test_main_prints_the_numbers_and_ends_with_json(capsys):
    summary = bellman.main()
    out = capsys.readouterr().out.strip().splitlines()
    assert json.loads(out[-1]) == summary
    assert summary["target_gamma_1"] == 0.89 and summary["target_gamma_0.99"] == 0.881
    assert summary["td_loss_post"] == 0.1444
    assert summary["v_start"]["1.0"] == 0.95
    assert "[0.95, 0.96, 0.97, 0.98, 0.99, 1.0]" in out[-2]


def test_python_dash_m_runs_the_demo():
    summary, done = run_demo("rl4rlhf.bellman")
    assert summary["target_gamma_1"] == 0.89
    assert "value iteration" in done.stderr  # the tqdm progress bar


# --- Properties, for any input (Hypothesis) -------------------------------------------------------

from hypothesis import assume, given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

FINITE = st.floats(-1e6, 1e6, allow_nan=False)


@given(FINITE, st.lists(FINITE, min_size=1, max_size=8), st.floats(0.0, 1.0), st.booleans())
def test_bellman_target_is_r_plus_gamma_max_for_any_input(reward, next_q_values, gamma, terminated):
    expected = reward if terminated else reward + gamma * max(next_q_values)
    assert bellman_target(reward, next_q_values, gamma, terminated) == pytest.approx(expected, rel=1e-12, abs=1e-9)


@st.composite
def layouts(draw) -> tuple[str, ...]:
    """A GridWorld layout of up to 4x4 cells: walls anywhere, one start, one goal it can reach."""
    rows, cols = draw(st.integers(1, 4)), draw(st.integers(2, 4))
    cells = [draw(st.sampled_from("..#")) for _ in range(rows * cols)]
    start, goal = draw(st.lists(st.integers(0, rows * cols - 1), min_size=2, max_size=2, unique=True))
    cells[start], cells[goal] = "S", "G"
    layout = tuple("".join(cells[r * cols : (r + 1) * cols]) for r in range(rows))
    try:
        GridWorld(layout)
    except ValueError:  # the walls cut the goal off: not a maze
        assume(False)
    return layout


@given(layouts(), st.floats(0.0, 0.99))
def test_value_iteration_matches_the_exact_solve_on_any_maze(layout, gamma):
    env = GridWorld(layout)
    result = value_iteration(env, gamma)
    np.testing.assert_allclose(result.q, q_exact(env, greedy(result.q), gamma), atol=1e-8)
    # and it is optimal: no action improves on the greedy one anywhere (Bellman optimality)
    R, T = mdp_arrays(env)
    np.testing.assert_allclose(result.q, R + gamma * T @ result.v, atol=1e-8)


# --- The page's exercises -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["bellman_target"])
def test_the_exercise_check_passes_on_the_snippet(name):
    """The reader's check (python -m rl4rlhf_exercises check NAME) holds this module's function to the same cases."""
    import rl4rlhf_exercises
    from rl4rlhf import bellman

    report = rl4rlhf_exercises.check(name, getattr(bellman, name), time_limit_s=120.0)
    assert report.passed, report.text()
