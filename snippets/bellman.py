"""The Bellman equation: one step of real reward plus your own best guess after it.

    Q(s, a) = r + γ max_a' Q(s', a')

Used one transition at a time it is a *training target* (Q-learning, DQN):
``bellman_target`` and ``td_loss``.  Applied to every state and action of a
known model, over and over, it is *value iteration*, which computes the exact
optimal Q of a small MDP such as the maze.

Run ``python -m rl4rlhf.bellman`` to print the post's worked numbers and the
maze's optimal values.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from rl4rlhf._checks import check_gamma, check_int, check_positive
from rl4rlhf.gridworld import (
    DOWN,
    MAZE,
    UP,
    GridWorld,
    TabularEnv,
    shortest_path_actions,
)
from tqdm import tqdm


# --8<-- [start:bellman_target]
def bellman_target(
    reward: float,
    next_q_values: Sequence[float] | np.ndarray,
    gamma: float,
    terminated: bool = False,
) -> float:
    """What Q(s, a) *should* be, looking one step ahead: r + γ max_a' Q(s', a').

    ``next_q_values`` are the current estimates Q(s', a') for every action a' in
    the next state s'.  Example: at A the agent goes right, pays -0.01 and lands
    on B, where the best Q is +0.90.

        >>> round(bellman_target(-0.01, [0.90, 0.40], gamma=1.0), 4)
        0.89
        >>> round(bellman_target(-0.01, [0.90, 0.40], gamma=0.99), 4)  # 0.99 * 0.90
        0.881
        >>> bellman_target(1.0, [0.90, 0.40], gamma=0.99, terminated=True)  # the goal
        1.0
    """
    if terminated:
        # CRUCIAL: a terminal step does not bootstrap. There is no s' to act in,
        # so whatever the table holds for it must not leak into the target.
        return reward
    return reward + gamma * float(np.max(next_q_values))


# --8<-- [end:bellman_target]


# --8<-- [start:td_loss]
def td_loss(prediction: float, target: float) -> float:
    """How wrong the current estimate is: (prediction - target)².

    Example: the network says Q(A, right) = 0.50, the Bellman target is 0.88.

        >>> round(td_loss(0.50, 0.88), 4)
        0.1444
    """
    # The target is a fixed number here: in DQN no gradient flows through it.
    return (prediction - target) ** 2


# --8<-- [end:td_loss]


@dataclass(frozen=True)
class ValueIterationResult:
    """The optimal values of a known MDP, as value iteration found them."""

    q: np.ndarray  # Q*(s, a), shape (n_states, n_actions)
    v: np.ndarray  # V*(s) = max_a Q*(s, a), shape (n_states,)
    sweeps: int  # how many whole-table updates it took


# --8<-- [start:value_iteration]
def mdp_arrays(env: gym.Env) -> tuple[np.ndarray, np.ndarray]:
    """The model ``env.unwrapped.P`` as two arrays, for whole-table updates:
    ``R[s, a]``, the expected reward of doing a in s, and ``T[s, a, s2]``, the
    probability of landing in s2 *and going on*.  A transition that terminates
    adds its reward to R but nothing to T: in the maze, R[14, RIGHT] == 1.0 (the
    goal) and T[14, RIGHT] is all zeros.
    """
    P = env.unwrapped.P  # type: ignore[attr-defined]
    n_states, n_actions = len(P), len(P[0])
    R = np.zeros((n_states, n_actions))
    T = np.zeros((n_states, n_actions, n_states))
    for s in range(n_states):
        for a in range(n_actions):
            for prob, next_state, reward, terminated in P[s][a]:
                R[s, a] += prob * reward
                if not terminated:  # CRUCIAL: a terminal transition does not bootstrap
                    T[s, a, next_state] += prob
    return R, T


def value_iteration(
    env: gym.Env, gamma: float, tol: float = 1e-10, max_sweeps: int = 10_000
) -> ValueIterationResult:
    """Apply Q(s, a) = r + γ max_a' Q(s', a') to every (s, a) until nothing moves.

    Starts from Q = 0 and stops when a sweep changes no entry by ``tol`` or
    more.  Example: the maze with γ = 1, where the start is six moves from the
    goal, five at -0.01 and one at +1:

        >>> result = value_iteration(GridWorld(MAZE), gamma=1.0)
        >>> round(float(result.v[0]), 4), result.sweeps
        (0.95, 8)
    """
    _check_inputs(env, gamma=gamma, tol=tol, max_sweeps=max_sweeps)
    R, T = mdp_arrays(env)
    q = np.zeros_like(R)
    for sweep in range(1, max_sweeps + 1):
        # The Bellman update for every (s, a) at once: T @ v is E[V(s')].
        new_q = R + gamma * T @ q.max(axis=1)
        change = float(np.abs(new_q - q).max())
        q = new_q
        if change < tol:
            return ValueIterationResult(q=q, v=q.max(axis=1), sweeps=sweep)
    raise RuntimeError(
        f"value_iteration did not converge in max_sweeps={max_sweeps} sweeps "
        f"(last change {change:.3g}, tol={tol:g}, gamma={gamma:g})"
    )


# --8<-- [end:value_iteration]


def q_exact(
    env: gym.Env, policy: Sequence[int] | np.ndarray, gamma: float
) -> np.ndarray:
    """The exact Q^π of a policy, from one linear solve.

    ``policy[s]`` is the action taken in state s; or, for a stochastic policy
    (ε-greedy, softmax), ``policy[s, a]`` is the probability of a in s.  Its
    values satisfy V = R_π + γ T_π V, so V = (I - γ T_π)⁻¹ R_π, and then
    Q(s, a) = R(s, a) + γ Σ_s2 T(s, a, s2) V(s2).  No iteration, no
    tolerance: a reference to check ``value_iteration`` against (for the
    policy that is greedy in the optimal Q, the two must agree).

    With γ = 1 the system has a solution only if the episode ends, sooner or
    later, from every state; otherwise this raises ValueError.
    """
    _check_inputs(env, gamma=gamma)
    R, T = mdp_arrays(env)
    probs = _check_policy(policy, *R.shape)  # (S, A), one-hot rows if deterministic
    R_pi = (probs * R).sum(axis=1)  # (S,) what the policy earns in one step
    T_pi = np.einsum("sa,sat->st", probs, T)  # (S, S) where it goes on to
    if gamma == 1.0:
        _check_policy_ends(T_pi)
    v = np.linalg.solve(np.eye(len(R)) - gamma * T_pi, R_pi)
    return R + gamma * T @ v


# --8<-- [start:greedy_trap]
class GreedyTrap(TabularEnv):
    """The post's "why greedy on immediate reward fails" as a four-state MDP.

    From the decision cell D (the post's position (1,1)), UP pays -0.2 (rough
    terrain) and leads to R, where UP enters the goal for +5.2: total +5.0.
    DOWN pays +0.2 (a bonus tile) and ends in a dead end: total +0.2.  From R,
    DOWN walks back to D for -0.2.  Actions: 0 = UP, 1 = DOWN, as in the maze.

    Assumptions the post leaves open, made here: γ = 1; the goal pays +5.2,
    so that the way up totals exactly +5.0; "then stuck" means the dead end
    ends the episode.
    """

    DECISION, ROUGH, GOAL, DEAD_END = 0, 1, 2, 3
    metadata = {"render_modes": []}

    def __init__(self, max_steps: int = 100) -> None:
        D, R, G, X = self.DECISION, self.ROUGH, self.GOAL, self.DEAD_END
        P = {  # P[s][a] == [(prob, next_state, reward, terminated)]
            D: {UP: [(1.0, R, -0.2, False)], DOWN: [(1.0, X, +0.2, True)]},
            R: {UP: [(1.0, G, +5.2, True)], DOWN: [(1.0, D, -0.2, False)]},
            G: {a: [(1.0, G, 0.0, True)] for a in (UP, DOWN)},  # absorbing
            X: {a: [(1.0, X, 0.0, True)] for a in (UP, DOWN)},  # absorbing
        }
        super().__init__(P, start_state=D, max_steps=max_steps)


def greedy_on_immediate_reward(env: gym.Env, state: int) -> int:
    """The action with the best *immediate* expected reward: what Q fixes.

    In ``GreedyTrap`` this picks DOWN (+0.2 beats -0.2), while the argmax of
    Q* picks UP (5.0 beats 0.2).
    """
    R, _ = mdp_arrays(env)
    return int(np.argmax(R[state]))  # looks at r only, never at what comes after


# --8<-- [end:greedy_trap]


# --8<-- [start:examples]
# The post's worked numbers, as the inputs of bellman_target and td_loss.
REWARD_A_RIGHT = -0.01  # "The Bellman target": at A, going right pays -0.01
BEST_Q_AT_B = 0.90  # and lands on B, whose best Q is 0.90: target 0.89 (γ = 1)
GAMMA_TRAINING = 0.99  # "The training loop": -0.01 + 0.99 * 0.90 = 0.881,
POST_TARGET = 0.88  # which the post rounds to 0.88
PREDICTION = 0.50  # Q(A, right) now: loss (0.50 - 0.88)² = 0.1444, the post's 0.14

# The ripple (γ = 1): the cell next to the goal is worth ~1.0, and each cell one
# step further back 0.01 less: "Next cell is ~1.0, so I'm ~0.99" ... "~0.96".
GOAL_NEIGHBOUR_VALUE = 1.0
STEP_REWARD = -0.01


def ripple(cells: int = 5) -> list[float]:
    """Values of cells 1, 2, ... steps from the goal: [1.0, 0.99, 0.98, 0.97, 0.96]."""
    values = [GOAL_NEIGHBOUR_VALUE]
    for _ in range(cells - 1):  # each cell looks one step ahead, at the previous one
        values.append(bellman_target(STEP_REWARD, [values[-1]], gamma=1.0))
    return values


# --8<-- [end:examples]


# Input checks.  Nothing is clamped or coerced quietly: bad input raises an
# error that names the parameter.


def _check_inputs(env: gym.Env, **settings: float) -> None:
    """A complete tabular model in ``env``; gamma in [0, 1], tol > 0, max_sweeps an
    int >= 1: whichever are given."""
    _check_model(env)
    if "gamma" in settings:
        check_gamma(settings["gamma"])
    if "tol" in settings:
        check_positive("tol", settings["tol"])
    if "max_sweeps" in settings:
        check_int("max_sweeps", settings["max_sweeps"], minimum=1)


def _check_model(env: gym.Env) -> dict:
    """Return ``env.unwrapped.P`` after checking it is a complete tabular model."""
    base = getattr(env, "unwrapped", env)
    sizes = []
    for name in ("observation_space", "action_space"):
        space = getattr(base, name, None)
        if not isinstance(space, spaces.Discrete):
            raise TypeError(
                f"env must have a Discrete {name}, got {type(space).__name__}; "
                "only tabular environments have a finite table of values"
            )
        sizes.append(int(space.n))
    P = getattr(base, "P", None)
    if not isinstance(P, dict):
        raise TypeError(
            "env has no transition model env.unwrapped.P (a dict: "
            "P[s][a] == [(prob, next_state, reward, terminated), ...])"
        )
    n_states, n_actions = sizes
    for s in range(n_states):
        for a in range(n_actions):
            outcomes = P.get(s, {}).get(a)
            if not outcomes:
                raise ValueError(f"env.P[{s}][{a}] is missing or empty")
            total = sum(prob for prob, *_ in outcomes)
            if abs(total - 1.0) > 1e-9:
                raise ValueError(
                    f"env.P[{s}][{a}]: probabilities sum to {total}, not 1"
                )
    return P


def _check_policy(policy: Sequence[int] | np.ndarray, n_states: int, n_actions: int):
    """Return ``policy`` as probabilities (n_states, n_actions), or raise.

    One action per state (ints) or one probability per state and action."""
    array = np.asarray(policy)
    if array.ndim == 2 and array.dtype.kind == "f":
        if array.shape != (n_states, n_actions):
            raise ValueError(
                f"policy must have shape ({n_states}, {n_actions}) as probabilities, "
                f"got {array.shape}"
            )
        sums = array.sum(axis=1)
        if not (np.isfinite(array).all() and (array >= 0).all()):
            raise ValueError("policy probabilities must be finite and >= 0")
        if not np.allclose(sums, 1.0):
            raise ValueError(f"policy rows must sum to 1, got sums {sums.tolist()}")
        return array.astype(np.float64)
    if array.dtype.kind not in "iu":
        raise TypeError(f"policy must hold integer actions, got dtype {array.dtype}")
    if array.shape != (n_states,):
        raise ValueError(
            f"policy must have one action per state, shape ({n_states},), "
            f"got {array.shape}"
        )
    if array.min() < 0 or array.max() >= n_actions:
        raise ValueError(f"policy actions must be in 0..{n_actions - 1}")
    return np.eye(n_actions)[array]  # (S, A) one-hot rows


def _check_policy_ends(T_pi: np.ndarray) -> None:
    """Raise unless every state can reach a state where the episode may end."""
    can_end = T_pi.sum(axis=1) < 1.0 - 1e-12  # some probability of terminating
    while True:  # grow the set backwards: states that can step into it can end too
        grown = can_end | (T_pi[:, can_end].sum(axis=1) > 0)
        if (grown == can_end).all():
            break
        can_end = grown
    if not can_end.all():
        raise ValueError(
            f"policy never ends an episode from state {np.flatnonzero(~can_end)[0]}, "
            "so with gamma = 1 its return is not defined"
        )


def main() -> dict[str, Any]:
    """Print the post's numbers and the maze's optimal values; the last line is JSON."""
    target_1 = bellman_target(REWARD_A_RIGHT, [BEST_Q_AT_B], gamma=1.0)
    target_099 = bellman_target(REWARD_A_RIGHT, [BEST_Q_AT_B], gamma=GAMMA_TRAINING)
    print(f"Bellman target, γ = 1:    {target_1:.4f}")
    print(f"Bellman target, γ = 0.99: {target_099:.4f}  (the post: {POST_TARGET})")
    print(f"TD loss (0.50 - 0.88)²:   {td_loss(PREDICTION, POST_TARGET):.4f}")
    print(f"TD loss (0.50 - 0.881)²:  {td_loss(PREDICTION, target_099):.6f}")
    print("ripple (γ = 1):", [round(v, 2) for v in ripple()])

    env = GridWorld(MAZE)
    start_values = {}
    for gamma in tqdm([1.0, 0.99, 0.9], desc="value iteration", file=sys.stderr):
        result = value_iteration(env, gamma)
        start_values[str(gamma)] = round(float(result.v[env.start_state]), 6)
        print(
            f"γ = {gamma}: V*(start) = {result.v[env.start_state]:.4f} "
            f"after {result.sweeps} sweeps"
        )
    path, state = [env.start_state], env.start_state
    for action in shortest_path_actions(env)[:-1]:
        state = env.P[state][action][0][1]
        path.append(state)
    v1 = value_iteration(env, 1.0).v
    print("V* along the shortest path (γ = 1):", [round(float(v1[s]), 2) for s in path])
    summary = {
        "target_gamma_1": round(target_1, 4),
        "target_gamma_0.99": round(target_099, 4),
        "td_loss_post": round(td_loss(PREDICTION, POST_TARGET), 4),
        "v_start": start_values,
    }
    print(json.dumps(summary))
    return summary


if __name__ == "__main__":
    main()
