"""Tests for snippets/gridworld.py: the maze, its model P, the loop, and the checks."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import deque
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env
from gymnasium.utils.passive_env_checker import env_render_passive_checker
from gymnasium.wrappers import TimeLimit
from rl4rlhf.envs import play_episode
from rl4rlhf.gridworld import (
    ACTION_NAMES,
    AGENT_COLOR,
    CELL_PX,
    COLORS,
    DOWN,
    ENV_ID,
    LEFT,
    MAZE,
    RIGHT,
    UP,
    GridWorld,
    random_policy,
    shortest_path_actions,
)
from rl4rlhf.returns import discounted_return

from rl4rlhf import gridworld
from tests.demo import run_demo

REPO_ROOT = Path(__file__).resolve().parents[1]

# A second, non-square layout: a wall splits the top two rows, so the walk
# has to go round through the bottom row.  Goal at (1, 4), walls at (0, 2), (1, 2).
WIDE = (
    "S.#..",
    "..#.G",
    ".....",
)


def walk_to(env: GridWorld, target: int) -> int:
    """Reset ``env`` and walk it to ``target`` along a BFS route found in ``env.P``."""
    obs, _ = env.reset(seed=0)
    parents = {env.start_state: None}
    queue = deque([env.start_state])
    while queue:
        s = queue.popleft()
        for a in range(4):
            _, nxt, _, terminated = env.P[s][a][0]
            if nxt not in parents and not terminated:
                parents[nxt] = (s, a)
                queue.append(nxt)
    route = []
    while parents[target] is not None:
        target, a = parents[target]
        route.append(a)
    for a in reversed(route):
        obs, _, terminated, truncated, _ = env.step(a)
        assert not (terminated or truncated)
    return obs


def cell_center(image: np.ndarray, row: int, col: int) -> tuple[int, ...]:
    return tuple(image[row * CELL_PX + CELL_PX // 2, col * CELL_PX + CELL_PX // 2])


# --- The maze and the Gymnasium API ----------------------------------------------


def test_maze_is_the_posts_4x4_maze():
    env = GridWorld()
    assert env.layout == MAZE == ("S...", ".#..", "..#.", "...G")
    assert (env.n_rows, env.n_cols) == (4, 4)
    assert env.start_state == 0 and env.to_rowcol(env.start_state) == (0, 0)
    assert env.goal_state == 15 and env.to_rowcol(env.goal_state) == (3, 3)
    assert env.walls == frozenset({env.to_state(1, 1), env.to_state(2, 2)}) == {5, 10}
    assert env.observation_space == gym.spaces.Discrete(16)
    assert env.action_space == gym.spaces.Discrete(4)
    assert (UP, DOWN, LEFT, RIGHT) == (0, 1, 2, 3)
    assert ACTION_NAMES == ("up", "down", "left", "right")


def test_to_state_and_to_rowcol_are_inverses():
    env = GridWorld(WIDE)
    for s in range(env.observation_space.n):
        assert env.to_state(*env.to_rowcol(s)) == s
    assert env.to_state(2, 4) == 14


def test_passes_gymnasiums_env_checker_raw():
    # A raw env has no spec, so the checker cannot re-make it per render mode;
    # the render modes are checked by hand below.
    check_env(GridWorld(), skip_render_check=True)
    check_env(GridWorld(WIDE, max_steps=7), skip_render_check=True)
    for mode in GridWorld.metadata["render_modes"]:
        env = GridWorld(render_mode=mode)
        env.reset(seed=0)
        env_render_passive_checker(env)


def test_passes_gymnasiums_env_checker_via_make():
    env = gym.make(ENV_ID)
    check_env(env.unwrapped)  # includes every render mode via env.spec
    env.close()


def test_make_works_without_warnings_and_without_time_limit():
    # filterwarnings = error in pyproject.toml turns any warning into a failure.
    env = gym.make(ENV_ID, render_mode="ansi", max_steps=5)
    assert env.spec.max_episode_steps is None
    wrapper = env
    while isinstance(wrapper, gym.Wrapper):
        assert not isinstance(wrapper, TimeLimit)
        wrapper = wrapper.env
    assert isinstance(env.unwrapped, gym.Env) and env.unwrapped.max_steps == 5
    obs, info = env.reset(seed=1)
    assert obs == 0 and info == {}
    assert env.render().startswith("A...")
    results = [env.step(UP) for _ in range(5)]  # bump into the top edge 5 times
    assert [truncated for *_, truncated, _ in results] == [False] * 4 + [True]
    assert results[-1] == (0, -1.0, False, True, {"hit_wall": True})
    env.close()


def test_make_passes_keyword_arguments():
    env = gym.make(ENV_ID, layout=WIDE, step_reward=-0.1, render_mode="rgb_array")
    env.reset(seed=0)
    assert env.unwrapped.layout == WIDE
    assert env.render().shape == (3 * CELL_PX, 5 * CELL_PX, 3)
    env.close()


def test_importing_twice_does_not_register_twice():
    code = (
        "import importlib, rl4rlhf.gridworld as g; importlib.reload(g); "
        "import gymnasium as gym; gym.make(g.ENV_ID).reset(seed=0)"
    )
    subprocess.run(
        [sys.executable, "-W", "error", "-c", code],
        check=True,
        cwd=REPO_ROOT,
        timeout=60,
    )


# --- The model P, checked cell by cell against the post's rules --------------------


def expected_outcome(row: int, col: int, action: int) -> tuple[int, float, bool]:
    """The post's rules for MAZE, written out independently of the module."""
    d_row, d_col = {UP: (-1, 0), DOWN: (1, 0), LEFT: (0, -1), RIGHT: (0, 1)}[action]
    r, c = row + d_row, col + d_col
    if not (0 <= r < 4 and 0 <= c < 4) or (r, c) in {(1, 1), (2, 2)}:
        return 4 * row + col, -1.0, False  # bump: stay put, pay -1
    if (r, c) == (3, 3):
        return 15, 1.0, True  # enter the goal: +1, episode over
    return 4 * r + c, -0.01, False  # ordinary step


def test_every_cell_and_action_of_the_maze_follows_the_rules():
    env = GridWorld()
    checked = 0
    for row in range(4):
        for col in range(4):
            s = 4 * row + col
            for a in range(4):
                if (row, col) in {(1, 1), (2, 2), (3, 3)}:
                    assert env.P[s][a] == [(1.0, s, 0.0, True)]  # wall / absorbing goal
                    continue
                next_state, reward, terminated = expected_outcome(row, col, a)
                assert env.P[s][a] == [(1.0, next_state, reward, terminated)], (s, a)
                checked += 1
    assert checked == 13 * 4


def test_some_transitions_by_hand():
    P = GridWorld().P
    assert P[0][UP] == [(1.0, 0, -1.0, False)]  # off the top edge
    assert P[0][LEFT] == [(1.0, 0, -1.0, False)]  # off the left edge
    assert P[0][RIGHT] == [(1.0, 1, -0.01, False)]
    assert P[1][DOWN] == [(1.0, 1, -1.0, False)]  # into the wall at (1, 1)
    assert P[6][DOWN] == [(1.0, 6, -1.0, False)]  # into the wall at (2, 2)
    assert P[11][DOWN] == [(1.0, 15, 1.0, True)]  # into the goal from above
    assert P[14][RIGHT] == [(1.0, 15, 1.0, True)]  # into the goal from the left


def test_custom_rewards_are_used():
    P = GridWorld(step_reward=-1, goal_reward=10, wall_reward=-5).P
    assert P[0][UP] == [(1.0, 0, -5.0, False)]
    assert P[0][RIGHT] == [(1.0, 1, -1.0, False)]
    assert P[14][RIGHT] == [(1.0, 15, 10.0, True)]


@pytest.mark.parametrize("layout", [MAZE, WIDE])
def test_step_agrees_with_p_for_every_state_and_action(layout):
    env = GridWorld(layout)
    reachable = [s for s in range(env.observation_space.n) if s not in env.walls and s != env.goal_state]
    for s in reachable:
        for a in range(4):
            assert walk_to(env, s) == s
            obs, reward, terminated, truncated, info = env.step(a)
            [(prob, next_state, p_reward, p_terminated)] = env.P[s][a]
            assert prob == 1.0
            assert (obs, reward, terminated) == (next_state, p_reward, p_terminated)
            assert truncated is False
            assert info == {"hit_wall": obs == s}
            assert type(obs) is int and type(reward) is float
            assert type(terminated) is bool and type(truncated) is bool


def test_wall_cells_are_never_entered():
    env = GridWorld()
    for s in range(16):
        for a in range(4):
            assert env.P[s][a][0][1] not in env.walls or s in env.walls


def test_goal_is_absorbing_after_the_episode_ends():
    env = GridWorld(("SG",))
    env.reset(seed=0)
    assert env.step(RIGHT) == (1, 1.0, True, False, {"hit_wall": False})
    assert env.step(LEFT) == (1, 0.0, True, False, {"hit_wall": False})


# --- Episodes: truncation, seeding, the loop --------------------------------------


def test_truncates_at_max_steps_without_terminating():
    env = GridWorld(max_steps=3)
    env.reset(seed=0)
    results = [env.step(UP) for _ in range(3)]
    assert [r[3] for r in results] == [False, False, True]  # truncated
    assert [r[2] for r in results] == [False, False, False]  # terminated
    assert all(r[4] == {"hit_wall": True} for r in results)


def test_reset_restarts_the_step_count():
    env = GridWorld(max_steps=2)
    env.reset(seed=0)
    env.step(UP)
    env.reset()
    assert env.step(UP)[3] is False
    assert env.step(UP)[3] is True


def test_reaching_the_goal_on_the_last_step_is_termination_only():
    env = GridWorld(("S.G",), max_steps=2)
    env.reset(seed=0)
    assert env.step(RIGHT)[2:4] == (False, False)
    assert env.step(RIGHT)[2:4] == (True, False)


def test_random_episodes_end_by_goal_or_by_time():
    env = GridWorld(max_steps=20)
    for seed in range(30):
        episode = play_episode(env, random_policy, np.random.default_rng(seed), seed=seed)
        assert len(episode.observations) == len(episode.actions) == len(episode.rewards)
        assert len(episode.rewards) <= 20
        if episode.terminated:
            assert episode.final_obs == env.goal_state
            assert episode.rewards[-1] == 1.0
        else:
            assert len(episode.rewards) == 20
        assert all(s not in env.walls for s in [*episode.observations, episode.final_obs])


def test_reset_with_a_seed_is_deterministic():
    env = GridWorld()
    assert env.reset(seed=42) == (0, {})
    state_1 = env.np_random.bit_generator.state
    env.reset(seed=42)
    assert env.np_random.bit_generator.state == state_1
    env.reset(seed=43)
    assert env.np_random.bit_generator.state != state_1


def test_random_episodes_are_reproducible_from_their_seeds():
    env = GridWorld()

    def play(env, seed):
        return play_episode(env, random_policy, np.random.default_rng(seed), seed=seed)

    assert play(env, 7) == play(GridWorld(), 7)
    assert play(env, 7) != play(env, 8)


def test_random_policy_is_uniform_and_driven_by_its_generator():
    rng = np.random.default_rng(0)
    actions = [random_policy(0, rng) for _ in range(4000)]
    assert all(type(a) is int for a in actions)
    counts = np.bincount(actions, minlength=4)
    assert counts.sum() == 4000 and counts.min() > 900 and counts.max() < 1100
    again = [random_policy(0, np.random.default_rng(0)) for _ in range(3)]
    assert again == [actions[0]] * 3


def test_a_fixed_policy_in_a_gym_make_env():
    plan = iter(shortest_path_actions(GridWorld()))
    env = gym.make(ENV_ID)
    episode = play_episode(env, lambda obs, rng: next(plan), rng=None, seed=0)
    assert episode.actions == [DOWN, DOWN, DOWN, RIGHT, RIGHT, RIGHT]
    assert episode.observations == [0, 4, 8, 12, 13, 14]
    assert (episode.final_obs, episode.terminated) == (15, True)
    env.close()


# --- The optimal path ------------------------------------------------------------


def test_shortest_path_through_the_maze_is_six_moves_worth_0_95():
    env = GridWorld()
    actions = shortest_path_actions(env)
    assert actions == [DOWN, DOWN, DOWN, RIGHT, RIGHT, RIGHT]
    env.reset(seed=0)
    rewards = []
    for i, a in enumerate(actions):
        _, reward, terminated, truncated, info = env.step(a)
        rewards.append(reward)
        assert terminated == (i == len(actions) - 1) and not truncated
        assert info == {"hit_wall": False}
    assert rewards == [-0.01] * 5 + [1.0]
    assert discounted_return(rewards, 1.0) == pytest.approx(1.0 - 5 * 0.01) == 0.95


def test_shortest_path_on_a_wider_layout():
    env = GridWorld(WIDE)
    assert (env.n_rows, env.n_cols) == (3, 5)
    assert env.start_state == 0 and env.goal_state == 9 and env.walls == {2, 7}
    actions = shortest_path_actions(env)
    assert actions == [DOWN, DOWN, RIGHT, RIGHT, RIGHT, UP, RIGHT]
    env.reset(seed=0)
    rewards = [env.step(a)[1] for a in actions]
    assert discounted_return(rewards) == pytest.approx(1.0 - 6 * 0.01)


def test_shortest_path_when_the_goal_is_next_door():
    assert shortest_path_actions(GridWorld(("GS",))) == [LEFT]
    assert shortest_path_actions(GridWorld(("S", "G"))) == [DOWN]
    assert shortest_path_actions(gym.make(ENV_ID)) == [DOWN] * 3 + [RIGHT] * 3


# --- Rendering -------------------------------------------------------------------


def test_render_ansi():
    env = GridWorld(render_mode="ansi")
    assert env.render() == "S...\n.#..\n..#.\n...G"  # before reset: no agent
    env.reset(seed=0)
    assert env.render() == "A...\n.#..\n..#.\n...G"
    env.step(RIGHT)
    env.step(DOWN)  # bump into the wall at (1, 1): stay at (0, 1)
    assert env.render() == "SA..\n.#..\n..#.\n...G"


def test_render_rgb_array():
    env = GridWorld(render_mode="rgb_array")
    empty = env.render()
    assert empty.shape == (4 * CELL_PX, 4 * CELL_PX, 3) and empty.dtype == np.uint8
    assert cell_center(empty, 0, 0) == COLORS["S"]
    assert cell_center(empty, 1, 1) == COLORS["#"] == cell_center(empty, 2, 2)
    assert cell_center(empty, 3, 3) == COLORS["G"]
    assert cell_center(empty, 0, 1) == COLORS["."]
    assert tuple(empty[0, 5]) != COLORS["S"]  # a grid line along the top edge

    env.reset(seed=0)
    first = env.render()
    assert cell_center(first, 0, 0) == AGENT_COLOR
    assert tuple(first[3, 3]) == COLORS["S"]  # the disc leaves the corner free
    env.step(RIGHT)
    second = env.render()
    assert cell_center(second, 0, 1) == AGENT_COLOR
    assert cell_center(second, 0, 0) == COLORS["S"]
    assert not np.shares_memory(first, second)


def test_render_without_a_render_mode_warns_and_returns_none():
    env = GridWorld()
    env.reset(seed=0)
    with pytest.warns(UserWarning, match="render_mode"):
        assert env.render() is None


# --- Bad input -------------------------------------------------------------------


def test_step_before_reset_raises():
    with pytest.raises(gym.error.ResetNeeded, match=r"^call reset\(\) before step\(\)"):
        GridWorld().step(RIGHT)


@pytest.mark.parametrize("action", [4, -1, 100, np.int64(7), 1.0, "up", None, True, np.True_, [1]])
def test_an_action_outside_the_action_space_raises_value_error(action):
    env = GridWorld()
    env.reset(seed=0)
    with pytest.raises(ValueError, match=r"^action must be in Discrete\(4\), got "):
        env.step(action)


@pytest.mark.parametrize("action", [np.int64(RIGHT), np.array(RIGHT), np.uint8(RIGHT)])
def test_numpy_integer_actions_are_fine(action):
    env = GridWorld()
    env.reset(seed=0)
    assert env.step(action)[0] == 1


@pytest.mark.parametrize(
    ("layout", "message"),
    [
        ([], "layout is empty"),
        ((), "layout is empty"),
        (("S...", ".#.", "...G"), "layout rows must all have the same length: row 0 has 4 characters but row 1 has 3"),
        (("S.", "..", "..G"), "layout rows must all have the same length: row 0 has 2 characters but row 2 has 3"),
        (("S.x", "..G"), r"layout has unknown character 'x' at \(row, col\) = \(0, 2\)"),
        (("S..", ".G "), r"layout has unknown character ' ' at \(row, col\) = \(1, 2\)"),
        (("s..", "..G"), r"layout has unknown character 's'"),
        (("...", "..G"), "layout must have exactly one start 'S', found 0$"),
        (
            ("S.S", "..G"),
            r"layout must have exactly one start 'S', found 2 at \(row, col\) \(0, 0\), \(0, 2\)",
        ),
        (("S..", "..."), "layout must have exactly one goal 'G', found 0$"),
        (
            ("S.G", "G.G"),
            r"layout must have exactly one goal 'G', found 3 at \(row, col\) "
            r"\(0, 2\), \(1, 0\), \(1, 2\)",
        ),
        (("", ""), "layout must have exactly one start 'S', found 0"),
        (
            ("S#G",),
            r"layout: the goal at \(0, 2\) cannot be reached "
            r"from the start at \(0, 0\)",
        ),
        (("S.#.", "###.", "...G"), r"layout: the goal at \(2, 3\) cannot be reached"),
    ],
)
def test_bad_layouts_raise_value_error_saying_what_and_where(layout, message):
    with pytest.raises(ValueError, match=message):
        GridWorld(layout)


@pytest.mark.parametrize(
    ("layout", "message"),
    [
        ("S..G", "layout must be a list or tuple of row strings, got str"),
        (None, "layout must be a list or tuple of row strings, got NoneType"),
        (np.array(["SG"]), "layout must be a list or tuple of row strings, got ndarray"),
        (("SG", 5), "layout row 1 must be a str, got int"),
    ],
)
def test_layouts_of_the_wrong_type_raise_type_error(layout, message):
    with pytest.raises(TypeError, match=message):
        GridWorld(layout)


def test_a_list_layout_is_stored_as_a_tuple():
    env = GridWorld(["S.", ".G"])
    assert env.layout == ("S.", ".G")


@pytest.mark.parametrize("name", ["step_reward", "goal_reward", "wall_reward"])
@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
def test_non_finite_rewards_raise_value_error(name, value):
    with pytest.raises(ValueError, match=f"{name} must be finite"):
        GridWorld(**{name: value})


@pytest.mark.parametrize("name", ["step_reward", "goal_reward", "wall_reward"])
@pytest.mark.parametrize("value", ["-1", None, True, 1j])
def test_rewards_of_the_wrong_type_raise_type_error(name, value):
    with pytest.raises(TypeError, match=f"{name} must be a real number"):
        GridWorld(**{name: value})


@pytest.mark.parametrize("max_steps", [0, -5])
def test_max_steps_must_be_positive(max_steps):
    with pytest.raises(ValueError, match="max_steps must be at least 1"):
        GridWorld(max_steps=max_steps)


@pytest.mark.parametrize("max_steps", [10.0, "10", True, None])
def test_max_steps_must_be_an_int(max_steps):
    with pytest.raises(TypeError, match="max_steps must be an int"):
        GridWorld(max_steps=max_steps)


def test_numpy_numbers_are_accepted_for_rewards_and_max_steps():
    env = GridWorld(step_reward=np.float32(-0.5), max_steps=np.int64(3))
    assert env.max_steps == 3 and type(env.max_steps) is int
    assert env.P[0][RIGHT] == [(1.0, 1, -0.5, False)]


@pytest.mark.parametrize("render_mode", ["human", "rgb", ""])
def test_unknown_render_mode_raises_value_error(render_mode):
    with pytest.raises(ValueError, match="render_mode must be None or one of"):
        GridWorld(render_mode=render_mode)


def test_rewards_are_keyword_only():
    with pytest.raises(TypeError):
        GridWorld(MAZE, -0.01)  # the rewards are keyword-only


# --- The demo ----------------------------------------------------------------------


def test_main_prints_the_maze_and_ends_with_json(capsys):
    summary = gridworld.main(episodes=25, seed=3)
    out = capsys.readouterr().out.strip().splitlines()
    assert out[:4] == list(MAZE)
    assert "down down down right right right" in out[-2]
    assert json.loads(out[-1]) == summary
    assert summary["episodes"] == 25 and summary["seed"] == 3
    assert summary["mean_length"] <= 100
    assert gridworld.main(episodes=25, seed=3) == summary  # seeded: same numbers


def test_python_dash_m_runs_the_demo():
    summary, done = run_demo("rl4rlhf.gridworld")
    assert set(summary) >= {"episodes", "mean_return", "mean_length", "seed"}
    assert "random episodes" in done.stderr  # the tqdm progress bar
