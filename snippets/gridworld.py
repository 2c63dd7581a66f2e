"""A tiny maze as a Gymnasium environment: the post's 4x4 grid world.

The agent walks from S to G.  Every move costs a little, bumping into a wall
costs a lot, and reaching the goal pays +1.  The whole MDP is stored as data
in ``env.P[s][a]``, Gymnasium toy-text style, and ``step()`` reads from it.

Run ``python -m rl4rlhf.gridworld`` to play random episodes in the maze.
"""

from __future__ import annotations

import json
import sys
from collections import deque
from collections.abc import Sequence
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from rl4rlhf._checks import check_int, check_real
from rl4rlhf.envs import play_episode
from tqdm import tqdm

# --8<-- [start:maze]
# The post's maze: S = start, G = goal, # = wall, . = free.
# Walls at (row, col) = (1, 1) and (2, 2).
MAZE = (
    "S...",
    ".#..",
    "..#.",
    "...G",
)

# The four actions, and how each one moves the agent as (d_row, d_col).
UP, DOWN, LEFT, RIGHT = 0, 1, 2, 3
ACTION_NAMES = ("up", "down", "left", "right")
MOVES = {UP: (-1, 0), DOWN: (1, 0), LEFT: (0, -1), RIGHT: (0, 1)}
# --8<-- [end:maze]

# One possible outcome of a move: (probability, next_state, reward, terminated).
Transition = tuple[float, int, float, bool]

CELL_PX = 64  # side of one cell in the rgb_array picture
COLORS = {  # RGB colour of each kind of cell
    ".": (244, 243, 238),  # free: warm off-white
    "#": (58, 64, 76),  # wall: dark slate
    "S": (208, 224, 244),  # start: pale blue
    "G": (126, 196, 122),  # goal: green
}
GRID_COLOR = (178, 178, 172)
AGENT_COLOR = (222, 96, 56)


class TabularEnv(gym.Env):
    """An MDP stored as data, Gymnasium toy-text style, and ``step()`` that reads it.

    A subclass passes ``P[s][a] == [(prob, next_state, reward, terminated)]``
    for states 0..n-1, the start state and the time limit ``max_steps``.  Moves are
    deterministic here: each ``P[s][a]`` holds one outcome, with prob 1.0.
    ``step()`` returns ``{"hit_wall": bool}``: True when a move that did not end
    the episode left the agent where it was.
    """

    def __init__(
        self,
        P: dict[int, dict[int, list[Transition]]],
        start_state: int,
        max_steps: int,
    ) -> None:
        self.P, self.start_state = P, start_state
        self.max_steps = check_int("max_steps", max_steps, minimum=1)
        self.observation_space = spaces.Discrete(len(P))
        self.action_space = spaces.Discrete(len(P[start_state]))
        self._state: int | None = None  # None until reset()
        self._steps = 0

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[int, dict[str, Any]]:
        """Put the agent on the start; return (observation, info).  No options."""
        super().reset(seed=seed)  # seeds self.np_random, as Gymnasium requires
        self._state, self._steps = self.start_state, 0
        return self._state, {}

    # --8<-- [start:step]
    def step(self, action: int) -> tuple[int, float, bool, bool, dict[str, Any]]:
        """Make one move; return (observation, reward, terminated, truncated, info)."""
        if self._state is None:
            raise gym.error.ResetNeeded("call reset() before step()")
        if isinstance(action, bool) or not self.action_space.contains(action):
            raise ValueError(f"action must be in {self.action_space}, got {action!r}")
        # Look the move up in the model, so step() and P can never disagree.
        _, next_state, reward, terminated = self.P[self._state][int(action)][0]
        hit_wall = next_state == self._state and not terminated
        self._state = next_state
        self._steps += 1
        # CRUCIAL: running out of time is truncation, not termination. The goal
        # was not reached; the episode was just cut short.
        truncated = self._steps >= self.max_steps and not terminated
        return next_state, reward, terminated, truncated, {"hit_wall": hit_wall}

    # --8<-- [end:step]


class GridWorld(TabularEnv):
    """A deterministic grid world: walk from the start S to the goal G.

    ## Description
    The agent moves on a grid of cells given by ``layout``, a list of equal-length
    strings: ``S`` start, ``G`` goal, ``#`` wall, ``.`` free.  The default layout
    is the post's 4x4 ``MAZE`` with walls at (1, 1) and (2, 2) and the goal in
    the far corner, six moves from the start.

    ## Action Space
    ``Discrete(4)``: 0 = UP, 1 = DOWN, 2 = LEFT, 3 = RIGHT (see ``ACTION_NAMES``).

    ## Observation Space
    ``Discrete(n_rows * n_cols)``: the agent's cell as ``row * n_cols + col``.
    For the 4x4 maze the start is 0 and the goal is 3 * 4 + 3 = 15.  Wall cells
    are states too, but the agent can never enter one.

    ## Starting State
    Always the ``S`` cell.  Nothing in this environment is random.

    ## Rewards
    - ``goal_reward`` (default +1.0) for the move that enters ``G``;
    - ``wall_reward`` (default -1.0) for a move into a wall or off the grid,
      and the agent stays where it is;
    - ``step_reward`` (default -0.01) for every other move.

    For example the shortest path through ``MAZE`` is six moves, five ordinary
    ones and one into the goal: return 5 * (-0.01) + 1.0 = 0.95 with γ = 1.

    ## Episode End
    - Termination: the agent enters ``G``.
    - Truncation: ``max_steps`` moves have been made without reaching ``G``
      (handled by the environment itself, so no ``TimeLimit`` is needed).  If
      the goal is reached on the last allowed move, that is termination only.

    ## Information
    ``reset()`` returns ``{}``; ``step()`` returns ``{"hit_wall": bool}``.

    ## Transition model
    ``P[s][a] == [(1.0, next_state, reward, terminated)]`` for every state and
    action.  The goal and the wall cells map every action to
    ``[(1.0, s, 0.0, True)]``: the goal is absorbing (the episode is over), and
    walls are unreachable, so those entries are never used while playing.

    ## Arguments
    ```python
    import gymnasium as gym
    import rl4rlhf.gridworld  # registers the id
    env = gym.make("rlhf/GridWorld-v0", render_mode="rgb_array")
    # or: GridWorld(layout=MAZE, step_reward=-0.01, goal_reward=1.0,
    #               wall_reward=-1.0, max_steps=100, render_mode=None)
    ```
    ``render_mode`` is ``None``, ``"ansi"`` (a text grid, agent shown as ``A``)
    or ``"rgb_array"`` (an image, 64 pixels per cell).
    """

    metadata = {"render_modes": ["ansi", "rgb_array"], "render_fps": 4}

    def __init__(
        self,
        layout: Sequence[str] = MAZE,
        *,
        step_reward: float = -0.01,
        goal_reward: float = 1.0,
        wall_reward: float = -1.0,
        max_steps: int = 100,
        render_mode: str | None = None,
    ) -> None:
        self.layout = _check_layout(layout)
        self.step_reward = check_real("step_reward", step_reward)
        self.goal_reward = check_real("goal_reward", goal_reward)
        self.wall_reward = check_real("wall_reward", wall_reward)
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(
                f"render_mode must be None or one of {self.metadata['render_modes']}, "
                f"got {render_mode!r}"
            )
        self.render_mode = render_mode

        self.n_rows, self.n_cols = len(self.layout), len(self.layout[0])
        self.start_state = self.to_state(*_find(self.layout, "S")[0])
        self.goal_state = self.to_state(*_find(self.layout, "G")[0])
        self.walls = frozenset(self.to_state(*cell) for cell in _find(self.layout, "#"))
        super().__init__(self._build_transitions(), self.start_state, max_steps)

    def to_state(self, row: int, col: int) -> int:
        """The state number of a cell: ``row * n_cols + col``."""
        return row * self.n_cols + col

    def to_rowcol(self, state: int) -> tuple[int, int]:
        """The (row, col) of a state number; the inverse of ``to_state``."""
        return divmod(state, self.n_cols)

    # --8<-- [start:transitions]
    def _build_transitions(self) -> dict[int, dict[int, list[Transition]]]:
        """The whole MDP as data: P[s][a] == [(prob, next_state, reward, terminated)].

        Moves are deterministic, so each list holds one outcome, with prob 1.0.
        E.g. in the maze, RIGHT from state 14 (row 3, col 2) enters the goal:
        P[14][RIGHT] == [(1.0, 15, 1.0, True)].
        """
        P: dict[int, dict[int, list[Transition]]] = {}
        for s in range(self.n_rows * self.n_cols):
            P[s] = {}
            row, col = self.to_rowcol(s)
            for a, (d_row, d_col) in MOVES.items():
                if s == self.goal_state or s in self.walls:
                    # Absorbing goal / unreachable wall: never used while playing.
                    P[s][a] = [(1.0, s, 0.0, True)]
                    continue
                r, c = row + d_row, col + d_col
                inside = 0 <= r < self.n_rows and 0 <= c < self.n_cols
                if not inside or self.to_state(r, c) in self.walls:
                    # CRUCIAL: a bump does not move the agent, but it still costs.
                    P[s][a] = [(1.0, s, self.wall_reward, False)]
                elif self.to_state(r, c) == self.goal_state:
                    P[s][a] = [(1.0, self.goal_state, self.goal_reward, True)]
                else:
                    P[s][a] = [(1.0, self.to_state(r, c), self.step_reward, False)]
        return P

    # --8<-- [end:transitions]

    def render(self) -> str | np.ndarray | None:
        """A text grid ("ansi") or an RGB image ("rgb_array") of the maze.

        Before reset() the maze is drawn without the agent.
        """
        if self.render_mode is None:
            gym.logger.warn(
                "render() was called without a render_mode; create the environment "
                "with render_mode='ansi' or render_mode='rgb_array'."
            )
            return None
        if self.render_mode == "ansi":
            return self._render_text()
        return self._render_rgb()

    def _render_text(self) -> str:
        rows = [list(line) for line in self.layout]
        if self._state is not None:
            row, col = self.to_rowcol(self._state)
            rows[row][col] = "A"
        return "\n".join("".join(row) for row in rows)

    def _render_rgb(self) -> np.ndarray:
        px = CELL_PX
        colors = [[COLORS[char] for char in line] for line in self.layout]
        # One pixel per cell, then blow each one up to a px-by-px square.
        image = np.array(colors, dtype=np.uint8).repeat(px, axis=0).repeat(px, axis=1)
        # Thin grid lines along every cell edge, including the outer border.
        image[::px, :] = GRID_COLOR
        image[:, ::px] = GRID_COLOR
        image[-1, :] = GRID_COLOR
        image[:, -1] = GRID_COLOR
        if self._state is not None:  # the agent: a disc with a soft, anti-aliased edge
            row, col = self.to_rowcol(self._state)
            cell = image[row * px : (row + 1) * px, col * px : (col + 1) * px]
            y, x = np.mgrid[0:px, 0:px] + 0.5
            distance = np.hypot(y - px / 2, x - px / 2)
            alpha = np.clip(px / 4 + 0.5 - distance, 0.0, 1.0)[..., None]  # radius px/4
            blended = alpha * np.array(AGENT_COLOR) + (1.0 - alpha) * cell
            cell[:] = blended.round().astype(np.uint8)
        return image


# --8<-- [start:random_policy]
def random_policy(obs: int, rng: np.random.Generator) -> int:
    """Ignore the observation; pick one of the four moves uniformly at random."""
    return int(rng.integers(len(ACTION_NAMES)))


# --8<-- [end:random_policy]


def shortest_path_actions(env: gym.Env) -> list[int]:
    """The actions of a shortest walk from S to G.

    Among equally short walks, each step prefers UP, then DOWN, LEFT, RIGHT.
    For ``MAZE`` this is down, down, down, right, right, right (six moves).
    """
    grid = getattr(env, "unwrapped", None)
    if not isinstance(grid, GridWorld):
        raise TypeError(
            f"env must be a GridWorld (or wrap one), got {type(env).__name__}"
        )
    to_goal = _distances(grid.layout, grid.to_rowcol(grid.goal_state))  # BFS from G
    distance = {grid.to_state(*cell): d for cell, d in to_goal.items()}
    state, actions = grid.start_state, []
    while state != grid.goal_state:
        outcomes = [(a, grid.P[state][a][0][1]) for a in MOVES]  # (action, next state)
        closer = [(a, s) for a, s in outcomes if distance.get(s) == distance[state] - 1]
        action, state = closer[0]  # ties go to UP, then DOWN, LEFT, RIGHT
        actions.append(action)
    return actions


# Grid helpers, shared by the checks below and shortest_path_actions().

Cell = tuple[int, int]  # (row, col)


def _find(layout: Sequence[str], char: str) -> list[Cell]:
    """Every (row, col) of ``layout`` holding ``char``, in reading order."""
    return [
        (r, c) for r, row in enumerate(layout) for c, x in enumerate(row) if x == char
    ]


def _distances(layout: Sequence[str], origin: Cell) -> dict[Cell, int]:
    """Breadth-first search: the fewest moves from ``origin`` to each reachable cell."""
    distance = {origin: 0}
    queue = deque([origin])
    while queue:
        row, col = queue.popleft()
        for d_row, d_col in MOVES.values():
            r, c = row + d_row, col + d_col
            inside = 0 <= r < len(layout) and 0 <= c < len(layout[0])
            if inside and layout[r][c] != "#" and (r, c) not in distance:
                distance[(r, c)] = distance[(row, col)] + 1
                queue.append((r, c))
    return distance


# Input checks.  Nothing is clamped or fixed up quietly: bad input raises an
# error that names the parameter and says what is wrong.


def _check_layout(layout: Sequence[str]) -> tuple[str, ...]:
    """Return ``layout`` as a tuple of strings, or raise saying what is wrong, where."""
    if isinstance(layout, str) or not isinstance(layout, (list, tuple)):
        raise TypeError(
            "layout must be a list or tuple of row strings, "
            f"got {type(layout).__name__}"
        )
    if len(layout) == 0:
        raise ValueError("layout is empty; it needs at least one row")
    for r, line in enumerate(layout):
        if not isinstance(line, str):
            raise TypeError(f"layout row {r} must be a str, got {type(line).__name__}")
        if len(line) != len(layout[0]):
            raise ValueError(
                "layout rows must all have the same length: "
                f"row 0 has {len(layout[0])} characters but row {r} has {len(line)}"
            )
        for c, char in enumerate(line):
            if char not in "SG#.":
                raise ValueError(
                    f"layout has unknown character {char!r} at (row, col) = "
                    f"({r}, {c}); use 'S' start, 'G' goal, '#' wall, '.' free"
                )
    for char, name in (("S", "start"), ("G", "goal")):
        cells = _find(layout, char)
        if len(cells) != 1:
            where = f" at (row, col) {', '.join(map(str, cells))}" if cells else ""
            raise ValueError(
                f"layout must have exactly one {name} {char!r}, "
                f"found {len(cells)}{where}"
            )
    start, goal = _find(layout, "S")[0], _find(layout, "G")[0]
    if start not in _distances(layout, goal):
        raise ValueError(
            f"layout: the goal at {goal} cannot be reached from the start at {start}; "
            "walls cut it off"
        )
    return tuple(layout)


ENV_ID = "rlhf/GridWorld-v0"
if ENV_ID not in gym.registry:  # importing twice must not register twice
    # No max_episode_steps: the environment truncates at max_steps by itself.
    gym.register(id=ENV_ID, entry_point="rl4rlhf.gridworld:GridWorld")


def main(episodes: int = 200, seed: int = 0) -> dict[str, Any]:
    """Play random episodes in the maze; the last line printed is JSON."""
    env = GridWorld(render_mode="ansi")
    print(env.render())  # before reset(): the maze without the agent
    returns, lengths, reached = [], [], []
    for i in tqdm(range(episodes), desc="random episodes", file=sys.stderr):
        rng = np.random.default_rng(seed + i)  # the policy's randomness
        episode = play_episode(env, random_policy, rng, seed=seed + i)
        returns.append(sum(episode.rewards))
        lengths.append(len(episode.rewards))
        reached.append(episode.terminated)
    path = shortest_path_actions(env)
    print("shortest path:", " ".join(ACTION_NAMES[a] for a in path))
    summary = {
        "episodes": episodes,
        "mean_return": round(float(np.mean(returns)), 4),
        "mean_length": round(float(np.mean(lengths)), 2),
        "goal_rate": round(float(np.mean(reached)), 3),
        "seed": seed,
    }
    print(json.dumps(summary))
    return summary


if __name__ == "__main__":
    main()
