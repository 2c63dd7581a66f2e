"""Tests for snippets/qtable.py: the update against a reference loop, learning over seeds, bad input."""

from __future__ import annotations

import ast
import dataclasses
import doctest
import inspect
import json
import math

import gymnasium as gym
import numpy as np
import pytest
from rl4rlhf.bellman import value_iteration
from rl4rlhf.gridworld import DOWN, MAZE, RIGHT, UP, GridWorld
from rl4rlhf.qtable import (
    QLearningConfig,
    QLearningResult,
    episodes_to_optimal,
    epsilon_greedy,
    greedy_policy,
    greedy_return,
    optimal_return,
    q_learning,
    td_update,
)

from rl4rlhf import qtable
from tests.demo import run_demo

WIDE = ("S.#..", "..#.G", ".....")  # 3x5: the way round is through the bottom row
FIVE = ("S....", ".###.", "...#.", ".#...", "...#G")  # 5x5 with walls


def reference_q_learning(env, episodes, alpha, gamma, epsilon, seed, bootstrap_truncated=True):
    """Q-learning written out inline, drawing random numbers in the same order as q_learning."""
    rng = np.random.default_rng(seed)
    q = np.zeros((env.observation_space.n, env.action_space.n))
    returns = []
    for episode in range(episodes):
        s, _ = env.reset(seed=seed if episode == 0 else None)
        done, total = False, 0.0
        while not done:
            if rng.random() < epsilon:
                a = int(rng.integers(q.shape[1]))
            else:
                a = int(rng.choice(np.flatnonzero(q[s] == q[s].max())))
            s2, r, terminated, truncated, _ = env.step(a)
            end = terminated if bootstrap_truncated else terminated or truncated
            target = r if end else r + gamma * q[s2].max()
            q[s, a] = q[s, a] + alpha * (target - q[s, a])
            total += r
            s, done = s2, terminated or truncated
        returns.append(total)
    return q, np.array(returns)


def every_episode(env, episodes, seed, **kwargs):
    return q_learning(env, episodes=episodes, seed=seed, snapshots=range(1, episodes + 1), **kwargs)


# --- The configuration --------------------------------------------------------------


def test_config_defaults_are_q_learnings_defaults():
    config = QLearningConfig()
    assert dataclasses.asdict(config) == {"episodes": 100, "alpha": 0.5, "gamma": 0.99, "epsilon": 0.1, "seed": 0}
    parameters = inspect.signature(q_learning).parameters
    for field in dataclasses.fields(QLearningConfig):
        assert parameters[field.name].default == getattr(config, field.name)
        assert parameters[field.name].kind is inspect.Parameter.KEYWORD_ONLY
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.alpha = 0.1


def test_every_config_field_has_a_docstring():
    tree = ast.parse(inspect.getsource(QLearningConfig))
    body = tree.body[0].body
    for i, node in enumerate(body):
        if isinstance(node, ast.AnnAssign):
            following = body[i + 1]
            assert isinstance(following, ast.Expr) and isinstance(following.value.value, str), node.target.id


def test_a_config_runs_through_asdict():
    config = QLearningConfig(episodes=20, seed=4)
    a = q_learning(GridWorld(MAZE), **dataclasses.asdict(config))
    b = q_learning(GridWorld(MAZE), episodes=20, seed=4)
    np.testing.assert_array_equal(a.q, b.q)


def test_docstring_examples_are_true():
    result = doctest.testmod(qtable, raise_on_error=False, verbose=False)
    assert result.attempted >= 5
    assert result.failed == 0


# --- epsilon_greedy -----------------------------------------------------------------------


def test_ties_are_broken_at_random():
    rng = np.random.default_rng(0)
    counts = np.bincount([epsilon_greedy(np.zeros(4), 0.0, rng) for _ in range(4000)], minlength=4)
    assert counts.min() > 900 and counts.max() < 1100  # uniform over the four tied actions
    picks = {epsilon_greedy(np.array([1.0, 3.0, 3.0, 0.0]), 0.0, rng) for _ in range(200)}
    assert picks == {1, 2}  # only the tied best ones


def test_no_exploration_picks_the_unique_best():
    rng = np.random.default_rng(1)
    assert {epsilon_greedy(np.array([0.1, 0.3, 0.0, 0.2]), 0.0, rng) for _ in range(100)} == {DOWN}


def test_full_exploration_is_uniform_and_epsilon_is_the_exploration_rate():
    rng = np.random.default_rng(2)
    q_row = np.array([0.0, 0.0, 0.0, 5.0])
    counts = np.bincount([epsilon_greedy(q_row, 1.0, rng) for _ in range(4000)], minlength=4)
    assert counts.min() > 900 and counts.max() < 1100
    picks = [epsilon_greedy(q_row, 0.2, rng) for _ in range(10_000)]
    off_greedy = np.mean(np.array(picks) != 3)  # explores 20% of the time, and 3/4 of that is off-greedy
    assert off_greedy == pytest.approx(0.2 * 3 / 4, abs=0.015)
    assert all(type(a) is int for a in picks[:10])


# --- td_update ------------------------------------------------------------------------------


def test_td_update_moves_q_a_fraction_alpha_toward_the_target():
    q = np.array([[0.5, 0.0], [0.9, 0.2]])
    error = td_update(q, 0, 0, -0.01, 1, False, alpha=0.5, gamma=0.99)
    assert error == pytest.approx(0.381) and type(error) is float
    assert q[0, 0] == pytest.approx(0.6905)
    assert q[0, 1] == 0.0 and (q[1] == [0.9, 0.2]).all()  # nothing else moves


def test_td_update_does_not_bootstrap_on_termination():
    q = np.array([[0.0, 0.0], [100.0, 100.0]])
    td_update(q, 0, 1, 1.0, 1, True, alpha=1.0, gamma=1.0)
    assert q[0, 1] == 1.0


# --- q_learning against the reference loop ---------------------------------------------------


@pytest.mark.parametrize(
    ("layout", "max_steps", "alpha", "gamma", "epsilon"),
    [
        (MAZE, 100, 0.5, 0.99, 0.1),
        (MAZE, 7, 0.3, 0.9, 0.3),  # short episodes: many truncations, which must bootstrap
        (WIDE, 100, 1.0, 1.0, 0.0),
        (FIVE, 20, 0.1, 0.95, 1.0),
    ],
)
@pytest.mark.parametrize("seed", [0, 7])
def test_q_learning_matches_the_reference_loop(layout, max_steps, alpha, gamma, epsilon, seed):
    kwargs = {"episodes": 60, "alpha": alpha, "gamma": gamma, "epsilon": epsilon, "seed": seed}
    run = q_learning(GridWorld(layout, max_steps=max_steps), **kwargs)
    q, returns = reference_q_learning(GridWorld(layout, max_steps=max_steps), **kwargs)
    np.testing.assert_array_equal(run.q, q)
    np.testing.assert_array_equal(run.episode_returns, returns)
    assert run.episode_lengths.sum() >= 60 and (run.episode_lengths <= max_steps).all()


def test_truncation_bootstraps_but_termination_does_not():
    # Two moves per episode on a corridor S . G: the goal is reachable only as the second move.
    env = GridWorld(("S.G",), max_steps=2)
    run = q_learning(env, episodes=60, alpha=1.0, gamma=1.0, epsilon=1.0, seed=0)
    assert run.q[1, RIGHT] == 1.0  # into the goal: the target is just the reward
    assert run.q[0, RIGHT] == pytest.approx(-0.01 + 1.0)  # one step from it, bootstrapped
    # Treating truncation as the end ("done = terminated or truncated") learns something else:
    kwargs = {"episodes": 60, "alpha": 0.3, "gamma": 0.9, "epsilon": 0.3, "seed": 0}
    right = q_learning(GridWorld(MAZE, max_steps=7), **kwargs).q
    wrong, _ = reference_q_learning(GridWorld(MAZE, max_steps=7), **kwargs, bootstrap_truncated=False)
    assert not np.allclose(right, wrong)


def test_episode_returns_and_lengths():
    env = GridWorld(MAZE)
    run = q_learning(env, episodes=30, seed=3)
    assert run.episode_returns.shape == run.episode_lengths.shape == (30,)
    assert run.episode_lengths.dtype == np.int64 and (run.episode_lengths >= 6).all()
    # every step pays -0.01, -1 or +1, and an episode that ends early reached the goal (+1)
    reached = run.episode_lengths < env.max_steps
    assert reached[-10:].all()
    assert run.episode_returns[-1] <= 0.95 + 1e-12  # nothing beats the optimal return


def test_same_seed_same_run_other_seed_other_run():
    a = q_learning(GridWorld(MAZE), episodes=50, seed=11)
    b = q_learning(GridWorld(MAZE), episodes=50, seed=11)
    c = q_learning(GridWorld(MAZE), episodes=50, seed=12)
    np.testing.assert_array_equal(a.q, b.q)
    np.testing.assert_array_equal(a.episode_returns, b.episode_returns)
    np.testing.assert_array_equal(a.episode_lengths, b.episode_lengths)
    assert not np.array_equal(a.q, c.q)


def test_a_longer_run_starts_like_a_shorter_one():
    short = q_learning(GridWorld(MAZE), episodes=20, seed=5, snapshots=(20,))
    long = q_learning(GridWorld(MAZE), episodes=80, seed=5, snapshots=(20,))
    np.testing.assert_array_equal(short.q, long.snapshots[20])


def test_snapshots_are_read_only_copies():
    run = q_learning(GridWorld(MAZE), episodes=10, seed=0, snapshots=[0, 1, 10])
    assert sorted(run.snapshots) == [0, 1, 10]
    assert not run.snapshots[0].any()  # before any episode: knows nothing
    assert run.snapshots[1].any()  # after one: something
    np.testing.assert_array_equal(run.snapshots[10], run.q)
    assert run.snapshots[10] is not run.q
    for array in (run.q, run.episode_returns, run.episode_lengths, *run.snapshots.values()):
        with pytest.raises(ValueError, match="read-only"):
            array[0] = 1
    assert q_learning(GridWorld(MAZE), episodes=3, seed=0).snapshots == {}


def test_episode_one_learns_only_near_the_goal_or_the_walls():
    run = q_learning(GridWorld(MAZE), episodes=1, seed=0)
    assert (run.q <= 0.5 + 1e-12).all()  # one update of α = 0.5 toward +1 at most
    assert (run.q > 0).sum() == 1  # only the move into the goal looks good so far


def test_progress_bar_goes_to_stderr(capsys):
    q_learning(GridWorld(MAZE), episodes=5, seed=0, progress=True)
    captured = capsys.readouterr()
    assert "Q-learning" in captured.err and captured.out == ""


# --- Learning -------------------------------------------------------------------------------------


def test_maze_greedy_policy_is_optimal_within_100_episodes_for_at_least_9_of_10_seeds():
    env = GridWorld(MAZE)
    firsts = [episodes_to_optimal(env, every_episode(env, 100, seed), 0.99) for seed in range(10)]
    hits = [f for f in firsts if f is not None and f <= 100]
    assert len(hits) >= 9, firsts


@pytest.mark.parametrize("layout", [WIDE, FIVE], ids=["wide-3x5", "walls-5x5"])
def test_other_layouts_reach_the_optimal_policy(layout):
    env = GridWorld(layout)
    for seed in range(5):
        assert episodes_to_optimal(env, every_episode(env, 200, seed), 0.99) is not None, seed


def test_frozen_lake_without_slipping_reaches_the_optimal_policy():
    env = gym.make("FrozenLake-v1", is_slippery=False)
    assert optimal_return(env, 0.99) == pytest.approx(0.99**5)
    firsts = [episodes_to_optimal(env, every_episode(env, 1000, seed), 0.99) for seed in range(4)]
    assert all(f is not None for f in firsts), firsts
    assert max(firsts) > 30  # no step cost, so no optimism: it has to stumble on the goal first
    env.close()


@pytest.mark.parametrize("seed", range(3))
def test_q_learning_converges_to_value_iteration_along_its_greedy_path(seed):
    env = GridWorld(MAZE)
    q = q_learning(env, episodes=1000, seed=seed).q
    q_star = value_iteration(env, 0.99).q
    policy, state, visited = greedy_policy(q), env.start_state, []
    while state != env.goal_state and len(visited) < 16:
        visited.append(state)
        state = env.P[state][policy[state]][0][1]
    assert len(visited) == 6  # the maze has more than one shortest route; it found one of them
    actions = policy[visited]
    np.testing.assert_array_equal(q_star[visited, actions], q_star[visited].max(axis=1))  # optimal moves
    np.testing.assert_allclose(q[visited, actions], q_star[visited, actions], atol=1e-6)  # and their values


# --- greedy_policy, greedy_return, episodes_to_optimal --------------------------------------------


def test_greedy_policy_breaks_ties_toward_the_lowest_action():
    q = np.array([[0.1, 0.3, 0.0, 0.2], [0.0, 0.0, 0.0, 0.0], [-1.0, -1.0, 0.5, 0.5]])
    np.testing.assert_array_equal(greedy_policy(q), [DOWN, UP, 2])
    assert greedy_policy(np.array([[1, 2]])).tolist() == [1]


def test_greedy_return_of_the_optimal_q_is_the_optimal_return():
    env = GridWorld(MAZE)
    q_star = value_iteration(env, 0.99).q
    assert greedy_return(env, q_star, 0.99) == pytest.approx(optimal_return(env, 0.99))
    assert greedy_return(env, value_iteration(env, 1.0).q, 1.0) == pytest.approx(0.95)


def test_greedy_return_of_an_empty_table_bumps_until_the_time_limit():
    env = GridWorld(MAZE)
    # all ties: UP from the start, into the top edge, 100 times
    assert greedy_return(env, np.zeros((16, 4)), 0.99) == pytest.approx(-(1 - 0.99**100) / (1 - 0.99))
    raw = gym.make("FrozenLake-v1", is_slippery=False).unwrapped  # no time limit at all
    assert greedy_return(raw, np.zeros((16, 4)), 0.99, max_steps=50) == 0.0


def test_episodes_to_optimal():
    env = GridWorld(MAZE)
    assert episodes_to_optimal(env, every_episode(env, 1, 0), 0.99) is None  # one episode is not enough
    q_star = value_iteration(env, 0.99).q
    perfect = QLearningResult(q_star, np.zeros(2), np.zeros(2, dtype=np.int64), {1: q_star, 2: q_star})
    assert episodes_to_optimal(env, perfect, 0.99) == 1
    with pytest.raises(TypeError, match="run must be a QLearningResult, got ndarray"):
        episodes_to_optimal(env, q_star, 0.99)
    with pytest.raises(ValueError, match=r"gamma must be in \[0, 1\]"):
        greedy_return(env, q_star, 1.5)
    with pytest.raises(ValueError, match=r"run must have a snapshot after every episode; missing \[1, 2, 3\]"):
        episodes_to_optimal(env, q_learning(env, episodes=5, seed=0, snapshots=(5,)), 0.99)


# --- Bad input --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"episodes": 0}, ValueError, "episodes must be at least 1, got 0"),
        ({"episodes": -3}, ValueError, "episodes must be at least 1"),
        ({"episodes": 10.0}, TypeError, "episodes must be an int"),
        ({"episodes": True}, TypeError, "episodes must be an int"),
        ({"alpha": 0.0}, ValueError, r"alpha must be in \(0, 1\]"),
        ({"alpha": 1.5}, ValueError, r"alpha must be in \(0, 1\]"),
        ({"alpha": -0.1}, ValueError, r"alpha must be in \(0, 1\]"),
        ({"alpha": math.nan}, ValueError, r"alpha must be in \(0, 1\]"),
        ({"alpha": "0.5"}, TypeError, "alpha must be a real number"),
        ({"gamma": 1.01}, ValueError, r"gamma must be in \[0, 1\]"),
        ({"gamma": -0.5}, ValueError, r"gamma must be in \[0, 1\]"),
        ({"gamma": None}, TypeError, "gamma must be a real number"),
        ({"epsilon": -0.1}, ValueError, r"epsilon must be in \[0, 1\]"),
        ({"epsilon": 1.1}, ValueError, r"epsilon must be in \[0, 1\]"),
        ({"epsilon": math.nan}, ValueError, r"epsilon must be in \[0, 1\]"),
        ({"epsilon": False}, TypeError, "epsilon must be a real number"),
        ({"seed": -1}, ValueError, "seed must be >= 0"),
        ({"seed": 1.5}, TypeError, "seed must be an int"),
        ({"seed": None}, TypeError, "seed must be an int"),
        ({"snapshots": (0, 11)}, ValueError, r"snapshots must be in 0..episodes=10, got 11"),
        ({"snapshots": (-1,)}, ValueError, r"snapshots must be in 0..episodes=10, got -1"),
        ({"snapshots": (1.0,)}, TypeError, "snapshots must hold ints"),
        ({"snapshots": 5}, TypeError, "snapshots must be an iterable of episode numbers, got int"),
        ({"snapshots": "1"}, TypeError, "snapshots must be an iterable of episode numbers, got str"),
    ],
)
def test_bad_settings_raise_naming_the_parameter(kwargs, error, message):
    with pytest.raises(error, match=message):
        q_learning(GridWorld(MAZE), **{"episodes": 10, **kwargs})


def test_settings_are_keyword_only():
    with pytest.raises(TypeError):
        q_learning(GridWorld(MAZE), 10)


def test_numpy_numbers_are_fine():
    run = q_learning(
        GridWorld(MAZE), episodes=np.int64(3), alpha=np.float32(0.5), seed=np.uint8(2), snapshots=[np.int64(3)]
    )
    assert len(run.episode_returns) == 3 and 3 in run.snapshots


def test_environments_without_discrete_spaces_raise_type_error():
    with pytest.raises(TypeError, match="env must have a Discrete observation_space for a Q-table, got Box"):
        q_learning(gym.make("CartPole-v1"), episodes=1)


@pytest.mark.parametrize(
    ("q", "error", "message"),
    [
        (np.zeros(4), ValueError, r"q must be 2-D, \(n_states, n_actions\), got shape \(4,\)"),
        (np.zeros((2, 2, 2)), ValueError, "q must be 2-D"),
        (np.zeros((0, 4)), ValueError, r"q must be 2-D, \(n_states, n_actions\), got shape \(0, 4\)"),
        (np.array([[0.0, math.nan]]), ValueError, "q must be finite"),
        ([[0.0, 1.0]], TypeError, "q must be a numpy array, got list"),
        (np.array([["a", "b"]]), TypeError, "q must hold real numbers"),
        (np.array([[True, False]]), TypeError, "q must hold real numbers"),
    ],
)
def test_bad_q_tables_for_greedy_return(q, error, message):
    with pytest.raises(error, match=message):
        greedy_return(GridWorld(MAZE), q, 0.9)


# --- The demo -----------------------------------------------------------------------------------------


def test_main_trains_and_ends_with_json(capsys):
    summary = qtable.main(["--episodes", "60", "--seed", "2", "--layout", ",".join(MAZE)])
    out = capsys.readouterr().out.strip().splitlines()
    assert json.loads(out[-1]) == summary
    assert set(summary) == {"episodes", "episodes_to_optimal", "greedy_return", "optimal_return", "wall_s", "seed"}
    assert summary["episodes"] == 60 and summary["seed"] == 2
    assert summary["greedy_return"] == summary["optimal_return"] == pytest.approx(0.90198, abs=1e-5)
    assert 1 <= summary["episodes_to_optimal"] <= 60
    assert out[3][-1] == "G" and out[1][1] == "#"  # the greedy policy drawn as arrows


def test_python_dash_m_runs_the_demo_on_another_layout():
    summary, done = run_demo("rl4rlhf.qtable", "--episodes", "200", "--seed", "1", "--layout", ",".join(WIDE))
    assert summary["greedy_return"] == pytest.approx(summary["optimal_return"])
    assert summary["optimal_return"] == pytest.approx(sum(-0.01 * 0.99**k for k in range(6)) + 0.99**6)
    assert "Q-learning" in done.stderr  # the tqdm progress bar


# --- The page's exercises -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["epsilon_greedy", "td_update"])
def test_the_exercise_check_passes_on_the_snippet(name):
    """The reader's check (python -m rl4rlhf_exercises check NAME) holds this module's function to the same cases."""
    import rl4rlhf_exercises
    from rl4rlhf import qtable

    report = rl4rlhf_exercises.check(name, getattr(qtable, name), time_limit_s=120.0)
    assert report.passed, report.text()
