"""Every number and table the build computes for a page, checked against something derived
independently of the function that computed it.

A page writes ``{{ num_x }}`` or ``{{ table_x }}``; the build hook runs ``num_x(seed)`` from figures/
and caches its text. ``CHECKS`` holds one check per value. A check is never the same function called
again: it is a closed form or exact arithmetic on the post's numbers (``fractions.Fraction``), a
reference computation (a breadth-first search of the grid, an exact linear solve with
``rl4rlhf.bellman.q_exact``, the reward rule as the page states it, the tiny LM's softmax written out),
a recomputation of a table's row from its own columns or of a Benchmarks table from the JSON it is
drawn from, or the claims the page's prose makes about the value (inequalities, counts, ranges) and
its consistency with the values next to it. Run-dependent values (training runs) are checked by the
claims; where the build kept a training run's record (``.cache/artifacts/runs``), the record is read
as well (never retrained).

``test_every_value_has_a_check`` fails for a value function with no check, so no computed claim goes
unchecked; ``test_checks_reject_a_wrong_value`` shows, for a sample of checks, that a wrong value fails.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import re
import statistics
from collections.abc import Callable
from fractions import Fraction as D  # exact decimal arithmetic: D("0.9") is 9/10
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.value_checks_helpers import (
    GOAL,
    MOVES,
    REPO,
    RESULTS,
    STEP,
    WALL,
    Table,
    cached_value,
    corpus_lines,
    corpus_tokens,
    data_artifacts,
    dataclass_defaults,
    discounted,
    distances_to_goal,
    dqn_memo,
    find,
    grid_step,
    lm_credit,
    lm_greedy,
    lm_ids,
    lm_linear_flops,
    lm_models,
    lm_next_token,
    numbers_in,
    page_text,
    parse_int,
    parse_number,
    parse_table,
    result,
    reward_rule,
    roundings,
    seconds,
    value_artifacts,
)

CheckFn = Callable[[str], None]
CHECKS: dict[str, CheckFn] = {}

# Checks of a claim found to be false: the check states the claim as the page makes it, so it fails
# until the value (or the page) is fixed; strict, so the marker must go once it passes.
KNOWN_FALSE: dict[str, str] = {}  # none now: num_lm_corpus_words counted the "." tokens as words


def check(fn: CheckFn) -> CheckFn:
    """Register ``fn`` as the check of the value named like it; its failures name the value, and a
    value it cannot even parse fails it too."""
    name = fn.__name__

    @functools.wraps(fn)
    def run(value: str) -> None:
        try:
            fn(value)
        except AssertionError as exc:
            raise AssertionError(f"{name}: {exc}") from None
        except (ValueError, LookupError, ZeroDivisionError) as exc:
            raise AssertionError(f"{name}: cannot read {value!r}: {type(exc).__name__}: {exc}") from None

    assert name not in CHECKS, f"two checks for {name}"
    CHECKS[name] = run
    return run


def same(what: str, expected: object, actual: object) -> None:
    assert actual == expected, f"{what}: expected {expected!r}, got {actual!r}"


def rounded(what: str, exact: D | int | str, decimals: int, actual: str, sign: bool = False) -> None:
    """``actual`` is the exact number ``exact`` rounded to ``decimals`` decimals."""
    ok = roundings(exact, decimals, sign)
    expected = next(iter(ok)) if len(ok) == 1 else " or ".join(sorted(ok))
    assert actual in ok, f"{what} = {float(D(exact))!r}: expected {expected}, got {actual!r}"


def claim(ok: bool, what: str, actual: object) -> None:
    assert ok, f"the page says {what}; got {actual!r}"


def close(what: str, expected: float, actual: float, tol: float) -> None:
    assert abs(actual - expected) <= tol, f"{what}: expected {expected!r} (± {tol:g}), got {actual!r}"


def has(page: str, literal: str) -> None:
    """The page's own source holds ``literal``: the numbers a check starts from are the page's."""
    assert literal in page_text(page), f"docs/{page} no longer says {literal!r}; update this check's inputs"


def counts(text: str) -> tuple[int, int]:
    """ "7 of 9" or "7/9" -> (7, 9)."""
    match = re.fullmatch(r"(\d+)(?: of |/)(\d+)", text.strip())
    assert match, f"expected 'k of n', got {text!r}"
    return int(match.group(1)), int(match.group(2))


def int_text(x: float) -> str:
    """A count or a median as the Benchmarks page writes it: 20,000 or 5.5."""
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.1f}"


RETURN_PAGE = "fundamentals/return.md"
Q_PAGE = "value-learning/q-function.md"
DQN_PAGE = "value-learning/dqn.md"
PG_PAGE = "policy-learning/policy-gradient.md"
LM_PAGE = "language-models.md"
SNIPPETS = REPO / "snippets"


@functools.cache
def maze() -> tuple[str, ...]:
    from rl4rlhf.gridworld import MAZE  # the layout is data; the rules are in value_checks_helpers

    return tuple(MAZE)


# ================================================================================================
# The return page: the post's worked numbers, in exact arithmetic


@check
def num_return_a_to_goal(value: str) -> None:
    has(RETURN_PAGE, "-0.01 + 1.00 = {{ num_return_a_to_goal }}")
    rounded("−0.01 + 1.00", D("-0.01") + D("1.00"), 2, value)


@check
def num_discounted_return_a_to_goal(value: str) -> None:
    has(RETURN_PAGE, r"-0.01 + 0.9 \cdot (1.00) = {{ num_discounted_return_a_to_goal }}")
    rounded("−0.01 + 0.9 · 1.00", D("-0.01") + D("0.9") * D("1.00"), 2, value)
    claim(parse_number(value) < parse_number(cached_value("num_return_a_to_goal")), "discounting fades it", value)


@check
def num_goal_ten_steps_away(value: str) -> None:
    has(RETURN_PAGE, r"0.9^{10} \cdot 1.00 = {{ num_goal_ten_steps_away }}")
    rounded("0.9¹⁰", D("0.9") ** 10, 2, value)


@check
def num_goal_ten_steps_away_exact(value: str) -> None:
    has(RETURN_PAGE, "0.9^{10} = {{ num_goal_ten_steps_away_exact }}")
    rounded("0.9¹⁰", D("0.9") ** 10, 4, value)
    rounded("it, to 2 decimals", D(value), 2, cached_value("num_goal_ten_steps_away"))


# The post's two policy-gradient episodes (policy-gradient.md): right, down, right into the goal; and
# left into the wall twice, then four steps of wandering (the page's note reads "kept wandering" so).
GOOD_REWARDS = [D("-0.01"), D("-0.01"), D("1.00")]
BAD_REWARDS = [D(-1), D(-1)] + [D("-0.01")] * 4


@check
def num_good_episode_return(value: str) -> None:
    has(PG_PAGE, "| (1,1) | .25 | .25 | .25 | .25 | right | +1.00 (goal!) |")
    rounded("−0.01 − 0.01 + 1.00", sum(GOOD_REWARDS), 2, value, sign=True)


@check
def num_bad_episode_return(value: str) -> None:
    has(PG_PAGE, 'reads "kept wandering" as four more steps')
    rounded("2 × (−1) + 4 × (−0.01)", sum(BAD_REWARDS), 2, value, sign=True)
    claim(parse_number(value) < 0, "a bad episode has a negative return", value)


@check
def num_maze_optimal_return(value: str) -> None:
    from rl4rlhf.bellman import value_iteration
    from rl4rlhf.gridworld import GridWorld

    moves = distances_to_goal(maze())[find(maze(), "S")]  # breadth-first search: 6
    rounded(f"{moves - 1} steps at −0.01, then +1", (moves - 1) * STEP + GOAL, 2, value)
    v = value_iteration(GridWorld(maze()), gamma=1.0).v[0]
    close("value iteration's V*(start), γ = 1", float(v), parse_number(value), 0.005)


@check
def table_maze_shortest_path(value: str) -> None:
    t = parse_table(value)
    layout, distance = maze(), distances_to_goal(maze())
    cell = find(layout, "S")
    same("rows: one per move of a shortest path (breadth-first search)", distance[cell], len(t.rows))
    rewards: list[D] = []
    for i, row in enumerate(t.rows):
        same(f"row {i}: t", str(i), row[0])
        same(f"row {i}: the cell the path is in", f"({cell[0]},{cell[1]})", row[1])
        action = row[2]
        assert action in MOVES, f"row {i}: {action!r} is not an action"
        nxt, reward = grid_step(layout, cell, action)
        same(f"row {i}: {action} from {cell} must get one step closer to G", distance[cell] - 1, distance.get(nxt))
        rounded(f"row {i}: the reward of {action} from {cell}", reward, 2, row[3], sign=True)
        rewards.append(reward)
        cell = nxt
    same("where the path ends", find(layout, "G"), cell)
    for i, row in enumerate(t.rows):
        rounded(f"row {i}: G_t, γ = 1 (the rewards from t on)", sum(rewards[i:]), 4, row[4])
        rounded(f"row {i}: G_t, γ = 0.9", discounted(rewards[i:], D("0.9")), 4, row[5])
    rounded("G_0 (γ = 1) against num_maze_optimal_return", D(t.rows[0][4]), 2, cached_value("num_maze_optimal_return"))


# ================================================================================================
# The Q-function page


def optimal_policy_q(gamma: D) -> np.ndarray:
    """Q of the maze's optimal policy (each move one cell closer to G, by breadth-first search), from
    one exact linear solve: Q*(s, a) for every (s, a)."""
    from rl4rlhf.bellman import q_exact
    from rl4rlhf.gridworld import ACTION_NAMES, GridWorld

    layout, distance = maze(), distances_to_goal(maze())
    env = GridWorld(layout)
    policy = []
    for s in range(env.n_rows * env.n_cols):
        cell, closer = env.to_rowcol(s), []
        if cell in distance and distance[cell] > 0:  # not a wall, not the goal
            closer = [
                a
                for a, name in enumerate(ACTION_NAMES)
                if distance.get(grid_step(layout, cell, name)[0]) == distance[cell] - 1
            ]
        policy.append(closer[0] if closer else 0)
    return q_exact(env, policy, float(gamma))


@check
def num_maze_optimal_value_gamma_099(value: str) -> None:
    has(Q_PAGE, "(α = 0.5, γ = 0.99, ε = 0.1, seed 0)")
    moves = distances_to_goal(maze())[find(maze(), "S")]
    exact = discounted([STEP] * (moves - 1) + [GOAL], D("0.99"))  # = 2 · 0.99⁵ − 1
    rounded(f"Σ_k<{moves - 1} 0.99^k (−0.01) + 0.99^{moves - 1}", exact, 2, value)
    start = optimal_policy_q(D("0.99"))[0].max()
    close("the exact linear solve's V*(start)", float(start), parse_number(value), 0.005)
    vi = result("tabular")["value_iteration"]["maze"]  # the Benchmarks page's value iteration, γ = 0.99
    close("benchmarks/results/tabular.json's V*(start)", vi["v_start"], float(exact), 1e-5)


POST_POSITIONS = ["(0,0)", "(0,1)", "(1,2)", "(2,3)"]  # the rows of the post's Q-tables


def qtable_rows(value: str) -> list[tuple[tuple[int, int], list[float], list[str]]]:
    """Parse a Q-table; check that each row's greedy action(s) hold the row's highest value."""
    t = parse_table(value)
    same("columns", ["Position", "up", "down", "left", "right", "greedy"], t.header)
    same("positions (the post's rows)", POST_POSITIONS, t.column(0))
    rows = []
    for row in t.rows:
        q = [parse_number(x) for x in row[1:5]]
        greedy = row[5].removeprefix("tie: ").split(", ")
        top = [a for a, x in zip(MOVES, q, strict=True) if x == max(q)]
        assert set(greedy) <= set(top), f"row {row[0]}: greedy {greedy} must hold the highest Q {max(q)}; {top} do"
        if row[5].startswith("tie: "):
            same(f"row {row[0]}: a tie lists two or more actions, in order", [a for a in MOVES if a in greedy], greedy)
            assert len(greedy) > 1, f"row {row[0]}: a tie of one action"
        else:
            assert len(greedy) == 1, f"row {row[0]}: several greedy actions without 'tie:'"
        r, c = (int(x) for x in row[0].strip("()").split(","))
        rows.append(((r, c), q, greedy))
    return rows


@check
def table_qtable_episode_1(value: str) -> None:
    has(Q_PAGE, "bumped into edges (−0.50: α = 0.5 times the −1 it got) and walked a few cells (−0.01)")
    for cell, q, _ in qtable_rows(value):
        odd = [x for x in q if x not in (-0.5, -0.01, 0.0) and not x > 0]
        claim(
            not odd, "one episode in, Q is −0.50 (a bump), −0.01 (a step), 0 (untried) or positive (near G)", (cell, q)
        )


@check
def table_qtable_episode_100(value: str) -> None:
    from rl4rlhf.gridworld import GridWorld

    distance, env = distances_to_goal(maze()), GridWorld(maze())
    q_star = optimal_policy_q(D("0.99"))
    off = []
    for cell, q, greedy in qtable_rows(value):
        nxt, _ = grid_step(maze(), cell, greedy[0])
        claim(
            distance.get(nxt) == distance[cell] - 1, "the greedy column points along a shortest route", (cell, greedy)
        )
        true = q_star[env.to_state(*cell)]
        off += [
            (cell, a, x, round(float(true[i]), 2))
            for i, (a, x) in enumerate(zip(MOVES, q, strict=True))
            if abs(x - true[i]) > 0.005
        ]
    claim(bool(off), "the values are not all the true ones yet (exact Q*, γ = 0.99)", value)


@functools.cache
def maze_seeds_table(value: str) -> list[tuple[int, int | None, int | None]]:
    t = parse_table(value)
    same("columns", 3, len(t.header))
    rows = []
    for row in t.rows:
        first = None if row[1] == "never" else parse_int(row[1])
        stays = None if row[2] == "no" else parse_int(row[2])
        rows.append((parse_int(row[0]), first, stays))
    return rows


@check
def table_maze_episodes_to_optimal(value: str) -> None:
    has(Q_PAGE, "over seeds 0–9")
    rows = maze_seeds_table(value)
    same("seeds (the page: seeds 0–9)", list(range(10)), [s for s, _, _ in rows])
    for seed, first, stays in rows:
        if first is None:
            same(f"seed {seed}: never optimal, so it never stays optimal", None, stays)
            continue
        claim(1 <= first <= 100, f"seed {seed}: the first optimal episode is one of episodes 1–100", first)
        claim(
            stays is not None and first <= stays <= 100, f"seed {seed}: it stays optimal from episode ≥ {first}", stays
        )
    # The Benchmarks page runs the same Q-learning ("the settings of the Q-function chapter", seeds 0–9).
    bench = result("tabular")["q_learning"]["maze"]
    same(
        "settings of benchmarks/results/tabular.json",
        (0.5, 0.99, 0.1),
        tuple(bench["config"][k] for k in ("alpha", "gamma", "epsilon")),
    )
    same(
        "first optimal episode per seed, in benchmarks/results/tabular.json",
        [f for _, f, _ in rows],
        [r["episodes_to_optimal"] for r in bench["runs"]],
    )


@check
def num_maze_episodes_to_optimal_median(value: str) -> None:
    rows = maze_seeds_table(cached_value("table_maze_episodes_to_optimal"))
    firsts = [f for _, f, _ in rows if f is not None]
    same("seeds that reached the optimal policy (else there is no median)", len(rows), len(firsts))
    same("the median of the per-seed table's first optimal episodes", f"{statistics.median(firsts):g}", value)
    claim(parse_number(value) < 100, '"~100" is generous for the policy', value)


@check
def num_maze_seeds_optimal_within_100(value: str) -> None:
    k, n = counts(value)
    rows = maze_seeds_table(cached_value("table_maze_episodes_to_optimal"))
    same("n: the per-seed table's rows", len(rows), n)
    same("k: seeds whose first optimal episode is ≤ 100", sum(f is not None and f <= 100 for _, f, _ in rows), k)
    claim(k >= 9, "a test checks at least 9 of 10", value)


@check
def table_greedy_trap(value: str) -> None:
    from rl4rlhf.bellman import GreedyTrap, q_exact
    from rl4rlhf.gridworld import UP

    has(Q_PAGE, "$Q(\\text{up}) = 5.0$ despite the immediate -0.2")
    t = parse_table(value)
    same("actions", ["up", "down"], t.column(0))
    immediate = [D(x) for x in t.column(1)]
    same("immediate rewards (the post: up −0.2, down +0.2)", [D("-0.2"), D("0.2")], immediate)
    later = numbers_in(t.rows[0][2])  # "rough terrain, then the goal (+5.20)"
    same("what follows up: one more reward", 1, len(later))
    q = [immediate[0] + D(str(later[0])), immediate[1]]  # down: "dead end: the episode is over"
    assert "episode is over" in t.rows[1][2], f"down must end the episode: {t.rows[1][2]!r}"
    for row, exact in zip(t.rows, q, strict=True):
        rounded(f"Q({row[0]}) = its rewards summed (γ = 1)", exact, 2, row[3], sign=True)
    same("Q(up) (the post: +5.0)", D(5), q[0])
    solved = q_exact(GreedyTrap(), [UP] * 4, 1.0)[GreedyTrap.DECISION]  # an exact linear solve of the model
    for row, x in zip(t.rows, solved, strict=True):
        rounded(f"Q({row[0]}) by an exact linear solve of GreedyTrap", D(float(x)), 2, row[3], sign=True)
    argmax_q, greedy = int(np.argmax([float(x) for x in q])), int(np.argmax([float(x) for x in immediate]))
    for i, row in enumerate(t.rows):
        pickers = [p for p, j in (("greedy on reward", greedy), ("argmax Q", argmax_q)) if j == i]
        same(f"row {row[0]}: picked by", ", ".join(pickers) or "—", row[4])
    claim(argmax_q != greedy, "greedy on immediate reward and argmax Q disagree", value)


# ================================================================================================
# The DQN page: the post's Bellman target and loss


@check
def num_bellman_target_gamma_1(value: str) -> None:
    has(DQN_PAGE, "| What I actually got (immediate reward) | -0.01 |")
    has(DQN_PAGE, "| What I expect from here (best Q at B) | +0.90 |")
    rounded("−0.01 + 0.90", D("-0.01") + D("0.90"), 2, value)


TARGET_099 = D("-0.01") + D("0.99") * D("0.90")


@check
def num_bellman_target_gamma_099(value: str) -> None:
    has(DQN_PAGE, r"-0.01 + 0.99 \cdot 0.90 = {{ num_bellman_target_gamma_099 }}")
    rounded("−0.01 + 0.99 · 0.90", TARGET_099, 3, value)


@check
def num_bellman_target_gamma_099_rounded(value: str) -> None:
    has(DQN_PAGE, "which the post rounds to {{ num_bellman_target_gamma_099_rounded }}")
    rounded("−0.01 + 0.99 · 0.90", TARGET_099, 2, value)
    same("the post's target", "0.88", value)


@check
def num_td_loss_post(value: str) -> None:
    has(DQN_PAGE, "&= (0.50 - {{ num_bellman_target_gamma_099_rounded }})^2")
    target = D(cached_value("num_bellman_target_gamma_099_rounded"))
    rounded(f"(0.50 − {target})²", (D("0.50") - target) ** 2, 4, value)


@check
def num_td_loss_post_rounded(value: str) -> None:
    has(DQN_PAGE, "{{ num_td_loss_post }} \\approx {{ num_td_loss_post_rounded }}")
    rounded("(0.50 − 0.88)²", (D("0.50") - D("0.88")) ** 2, 2, value)


@check
def num_td_loss_unrounded(value: str) -> None:
    has(DQN_PAGE, "(0.50 - {{ num_bellman_target_gamma_099 }})^2 = {{ num_td_loss_unrounded }}")
    rounded("(0.50 − 0.881)²", (D("0.50") - TARGET_099) ** 2, 4, value)


# The DQN page's CartPole runs


@functools.cache
def dqn_settings() -> dict:
    return dataclass_defaults(SNIPPETS / "dqn.py", "DQNConfig")


@check
def table_dqn_cartpole_seeds(value: str) -> None:
    cfg = dqn_settings()
    threshold, budget, every = cfg["solve_threshold"], cfg["total_steps"], cfg["eval_every"]
    has(DQN_PAGE, "(the settings shown, seeds 0, 1 and 2)")
    t = parse_table(value)
    same("header", f"steps to reach {threshold:g}", t.header[1])
    same("seeds", ["0", "1", "2"], t.column(0))
    for row in t.rows:
        best, final = parse_number(row[2]), parse_number(row[3])
        claim(
            0 <= final <= best <= 500, f"seed {row[0]}: 0 ≤ final ≤ best ≤ 500 (500 is the most an episode earns)", row
        )
        if row[1] == "not reached":
            claim(best < threshold, f"seed {row[0]}: not reached means every evaluation < {threshold:g}", best)
        else:
            steps = parse_int(row[1])
            claim(0 < steps <= budget and steps % every == 0, f"seed {row[0]}: an evaluation step ≤ {budget:,}", steps)
            claim(best >= threshold, f"seed {row[0]}: reaching {threshold:g} means its best evaluation is ≥ it", best)
        claim(parse_int(row[4]) > 0, f"seed {row[0]}: it trained on some episodes", row[4])
        record = dqn_memo(int(row[0]))  # the build's record of this run, when it kept one
        if record is not None:
            history = record["eval_history"]
            same(f"seed {row[0]}: evaluation steps", list(range(every, budget + 1, every)), [s for s, _ in history])
            first = next((s for s, m in history if m >= threshold), None)
            same(
                f"seed {row[0]}: first evaluation ≥ {threshold:g}",
                "not reached" if first is None else f"{first:,}",
                row[1],
            )
            same(f"seed {row[0]}: best evaluation", f"{max(m for _, m in history):.1f}", row[2])
            same(f"seed {row[0]}: final evaluation", f"{history[-1][1]:.1f}", row[3])
    claim(
        any(parse_number(r[2]) == 500 and parse_number(r[3]) < threshold for r in t.rows),
        "a policy that scores 500 can fall back at a later evaluation",
        value,
    )


@check
def num_dqn_cartpole_success(value: str) -> None:
    k, n = counts(value)
    rows = parse_table(cached_value("table_dqn_cartpole_seeds")).rows
    same("n: the seeds table's rows", len(rows), n)
    same("k: rows that reached the threshold", sum(r[1] != "not reached" for r in rows), k)
    has(
        DQN_PAGE,
        "{{ num_dqn_cartpole_success }} runs reached a greedy evaluation mean of at least 475 within 50,000",
    )
    same(
        "the page's threshold and budget (DQNConfig)",
        (475.0, 50_000),
        (dqn_settings()["solve_threshold"], dqn_settings()["total_steps"]),
    )


# ================================================================================================
# The policy-gradient page: the post's episodes, played for real

GOOD_LAYOUT = ("S..", "..G")  # the page: the good episode runs in a 2x3 grid with no wall; the bad one in the maze


@check
def table_post_episodes(value: str) -> None:
    has(PG_PAGE, '`("S..", "..G")`')
    has(PG_PAGE, "a plain gradient step of 0.1 on a fresh, uniform policy")
    t = parse_table(value)
    episodes: dict[str, list[list[str]]] = {}
    for row in t.rows:
        episodes.setdefault(row[0], []).append(row)
    same("episodes", ["good", "bad"], [label.split()[0] for label in episodes])
    for label, rows in episodes.items():
        name = label.split()[0]
        layout = GOOD_LAYOUT if name == "good" else maze()
        cell, rewards = find(layout, "S"), []
        for i, row in enumerate(rows):
            same(f"{name} episode, row {i}: t", str(i), row[1])
            same(f"{name} episode, row {i}: cell", f"({cell[0]}, {cell[1]})", row[2])
            cell, reward = grid_step(layout, cell, row[3])
            rounded(f"{name} episode, row {i}: reward of {row[3]}", reward, 2, row[4], sign=True)
            rewards.append(reward)
        expected = {"good": GOOD_REWARDS, "bad": BAD_REWARDS}[name]
        same(f"{name} episode: its rewards are the post's", expected, rewards)
        if name == "good":
            same("the good episode ends in G", find(layout, "G"), cell)
        else:
            same("the bad episode is cut off after six moves", 6, len(rows))
        rounded(f"{name} episode: G in its label", sum(rewards), 2, re.findall(r"G = (\S+)\)", label)[0], sign=True)
        same(
            f"{name} episode: G against num_{name}_episode_return",
            cached_value(f"num_{name}_episode_return"),
            re.findall(r"G = (\S+)\)", label)[0],
        )
        for i, row in enumerate(rows):
            g_t = sum(rewards[i:])  # γ = 1
            rounded(f"{name} episode, row {i}: weight G_t", g_t, 2, row[5], sign=True)
            # d log softmax(z)_a / d z_a = 1 − π(a) = 3/4 for a uniform policy over 4 actions; step 0.1
            close(
                f"{name} episode, row {i}: push 0.1 · (1 − 1/4) · G_t",
                float(D("0.075") * g_t),
                parse_number(row[6]),
                0.5e-4 + 1e-7,
            )
            claim(
                (parse_number(row[6]) > 0) == (name == "good"),
                "good episodes push their actions up, bad ones down",
                row,
            )
    pushes = [parse_number(r[6]) for r in episodes[next(k for k in episodes if k.startswith("bad"))]]
    claim(pushes[0] == min(pushes), "the bumps at the start of the bad episode are pushed down hardest", pushes)


# ================================================================================================
# Why Q-learning breaks down

BEATS = {"rock": "scissors", "paper": "rock", "scissors": "paper"}


def rps_payoff(mine: str, theirs: str) -> int:
    return 1 if BEATS[mine] == theirs else -1 if BEATS[theirs] == mine else 0


@check
def table_rps(value: str) -> None:
    t = parse_table(value)
    games = parse_int(re.findall(r"simulated, ([\d,]+) games", t.header[6])[0])
    moves = list(BEATS)
    policies = {f"always {m}": {m: D(1)} for m in moves} | {"uniform 1/3 each": {m: D(1, 3) for m in moves}}
    same("policies", list(policies), t.column(0))
    for row in t.rows:
        policy = policies[row[0]]
        versus = [sum((p * rps_payoff(m, o) for m, p in policy.items()), D(0)) for o in moves]
        for j, o in enumerate(moves):
            rounded(f"{row[0]} vs {o}", versus[j], 2, row[1 + j], sign=True)
        worst = min(versus)
        reply = moves[versus.index(worst)] + (" (all tie)" if len(set(versus)) == 1 else "")
        same(f"{row[0]}: the opponent's best response (ties to the first move)", reply, row[4])
        rounded(f"{row[0]}: payoff against the best response", worst, 2, row[5], sign=True)
        claim(worst == (-1 if len(policy) == 1 else 0), "deterministic policies lose 1 per game, uniform earns 0", row)
        # simulated: the mean of `games` games; its standard error is sqrt(var / games)
        outcomes = [(p, rps_payoff(m, moves[versus.index(worst)])) for m, p in policy.items()]
        var = float(sum(p * x * x for p, x in outcomes) - sum(p * x for p, x in outcomes) ** 2)
        close(
            f"{row[0]}: simulated payoff (4 standard errors)",
            float(worst),
            parse_number(row[6]),
            4 * math.sqrt(var / games) + 5e-4,
        )


DISCRETE_ACTIONS = {"maze": 4, "Atari": 18, "LLM vocabulary": 50_000}  # the page: 4, 18, 50k tokens


@check
def table_scoring_cost(value: str) -> None:
    t = parse_table(value)
    rows = {row[0]: row for row in t.rows}
    same("discrete action spaces", list(DISCRETE_ACTIONS), [r[0] for r in t.rows[:3]])
    for name, n in DISCRETE_ACTIONS.items():
        row = rows[name]
        same(f"{name}: actions", f"{n:,}", row[1])
        same(f"{name}: argmax scores every action", f"{n:,} Q-values, then max", row[2])
        same(f"{name}: a policy computes a logit per action (the columns match)", f"{n:,} logits, then sample", row[3])
    grids = [r for r in t.rows if r[0].startswith("steering angle 0–45°")]
    same("angle grids", ["1", "0.1", "0.01"], [re.findall(r", (\S+)° grid", r[0])[0] for r in grids])
    for row in grids:
        step = D(re.findall(r", (\S+)° grid", row[0])[0])
        angles = D(45) / step + 1
        assert angles.denominator == 1, f"45° is not a whole number of {step}° steps"
        same(f"{row[0]}: candidate angles 45 / step + 1", f"{int(angles):,}", row[1])
        same(f"{row[0]}: one Q(s, a) per candidate", f"{int(angles):,} evaluations of Q(s, a)", row[2])
        same(f"{row[0]}: a Gaussian policy needs one pass", "1 forward pass: (mean, std), then sample", row[3])
    last = t.rows[-1]
    same("the last row: any real angle, infinitely many actions", ["steering angle, any real value", "∞"], last[:2])
    claim("evaluations of Q" not in last[2], "no finite number of evaluations scores every real angle", last[2])
    same("the last row: a Gaussian policy still needs one pass", "1 forward pass: (mean, std), then sample", last[3])


# ================================================================================================
# The language-model page

LM_MODEL_SOURCE, LM_RL_SOURCE = SNIPPETS / "lm_model.py", SNIPPETS / "lm_rl.py"
PROMPT = "the cat sat on the"  # the post's "The cat sat on the ___"


@functools.cache
def lm_settings() -> dict:
    return dataclass_defaults(LM_MODEL_SOURCE, "LMConfig")


@functools.cache
def rl_settings() -> dict:
    return dataclass_defaults(LM_RL_SOURCE, "RLConfig")


def word_lists() -> tuple[frozenset[str], frozenset[str]]:
    from rl4rlhf.lm_rl import KIND_WORDS, UNKIND_WORDS  # the reward model's word lists (data)

    return KIND_WORDS, UNKIND_WORDS


def lm_parameters(vocab: int) -> int:
    """The tiny GPT's parameters, counted from its layers: embeddings, per block two LayerNorms,
    q/k/v, the output projection and a 4x MLP, then the final LayerNorm and the head."""
    w, c, layers = lm_settings()["width"], lm_settings()["context"], lm_settings()["layers"]
    block = 2 * 2 * w + (3 * w * w + 3 * w) + (w * w + w) + (4 * w * w + 4 * w) + (4 * w * w + w)
    return vocab * w + c * w + layers * block + 2 * w + (w * vocab + vocab)


@check
def num_lm_parameters(value: str) -> None:
    same("parameters counted from the layers", f"{lm_parameters(len(corpus_tokens())):,}", value)


@check
def num_lm_vocab(value: str) -> None:
    same('the corpus\'s distinct words, "." included', str(len(corpus_tokens())), value)


@check
def num_lm_corpus_sentences(value: str) -> None:
    lines = corpus_lines()
    same("non-empty lines of snippets/lm_corpus.txt", str(len(lines)), value)
    bad = [line for line in lines if line.split().count(".") != 1 or not line.endswith(" .")]
    claim(not bad, "one sentence per line, ending in ' .'", bad[:3])


@check
def num_lm_corpus_words(value: str) -> None:
    has(LM_PAGE, "short sentences ({{ num_lm_corpus_words }} words)")
    words = [w for line in corpus_lines() for w in line.split() if w != "."]
    same('words of the corpus (not counting the sentence-ending "." tokens)', f"{len(words):,}", value)


@check
def num_lm_pretrain_steps(value: str) -> None:
    same("LMConfig.steps in the code block the page shows", str(lm_settings()["steps"]), value)


@check
def num_lm_rl_updates(value: str) -> None:
    same("RLConfig.updates in the code block the page shows", str(rl_settings()["updates"]), value)


@check
def num_lm_responses_per_prompt(value: str) -> None:
    same("RLConfig.responses_per_prompt in the page's code block", str(rl_settings()["responses_per_prompt"]), value)


@check
def num_lm_prompts(value: str) -> None:
    same("RLConfig.prompts in the page's code block", str(len(rl_settings()["prompts"])), value)


@check
def num_lm_responses_per_update(value: str) -> None:
    per_prompt, prompts = rl_settings()["responses_per_prompt"], len(rl_settings()["prompts"])
    same("responses per prompt × prompts", str(per_prompt * prompts), value)
    shown = parse_int(cached_value("num_lm_responses_per_prompt")) * parse_int(cached_value("num_lm_prompts"))
    same("num_lm_responses_per_prompt × num_lm_prompts", str(shown), value)


@check
def num_lm_eval_samples(value: str) -> None:
    n = parse_int(value)
    before, after = (int(x) for x in re.findall(r"\d+", cached_value("num_lm_distinct_responses")))
    claim(n >= before > after, "the distinct responses are counted among these samples", (n, before, after))


TOP_TOKEN = re.compile(r'"(\S+)" \(probability (\d\.\d\d)\)')


def top_token(value: str, which: str) -> tuple[str, float]:
    match = TOP_TOKEN.fullmatch(value)
    assert match, f"expected '\"token\" (probability 0.xx)', got {value!r}"
    token, p = match.group(1), float(match.group(2))
    assert token in corpus_tokens(), f"{token!r} is not in the vocabulary"
    models = lm_models(0)
    if models is not None:  # the build's record of the run: one softmax of the model's logits
        mine, q = lm_next_token(getattr(models, which), models.tokens, PROMPT)
        same(f'the {which} model\'s most likely token after "{PROMPT}"', mine, token)
        close("its probability", q, p, 0.005 + 1e-4)
    return token, p


@check
def num_lm_top_token_before(value: str) -> None:
    has(LM_PAGE, "the pretrained model's most likely next token is {{ num_lm_top_token_before }}, as in the post's")
    token, p = top_token(value, "pretrained")
    same("the pretrained model's top token (\"as in the post's picture\")", "mat", token)
    claim(1 / len(corpus_tokens()) < p <= 1, "a most likely token beats the uniform 1/vocab", p)


@check
def num_lm_top_token_after(value: str) -> None:
    has(LM_PAGE, "the most likely next token is now {{ num_lm_top_token_after }}")
    token, p = top_token(value, "improved")
    claim(token in word_lists()[0], "after REINFORCE the top token is on the reward model's kind list", token)
    claim(p >= 0.9, "almost all the probability sits on one word", p)
    before = TOP_TOKEN.fullmatch(cached_value("num_lm_top_token_before"))
    claim(before is not None and token != before.group(1), "the policy itself has moved", value)


@check
def num_lm_distinct_responses(value: str) -> None:
    match = re.fullmatch(r"(\d+) → (\d+)", value)
    assert match, f"expected 'before → after', got {value!r}"
    before, after = int(match.group(1)), int(match.group(2))
    claim(0 < after < before <= parse_int(cached_value("num_lm_eval_samples")), "variety falls sharply", value)


@check
def table_lm_reward_per_seed(value: str) -> None:
    has(LM_PAGE, "to nearly the maximum of 1.0, for every seed")
    t = parse_table(value)
    updates = parse_int(cached_value("num_lm_rl_updates"))
    same("seeds (three, as the reward curve shows)", ["0", "1", "2"], t.column(0))
    for row in t.rows:
        before, after, first = parse_number(row[1]), parse_number(row[2]), parse_int(row[3])
        claim(0 <= before < after <= 1, f"seed {row[0]}: the mean reward climbs (rewards lie in [0, 1])", row)
        claim(after >= 0.95, f"seed {row[0]}: it climbs to nearly the maximum of 1.0", after)
        claim(1 <= first <= updates // 2, f"seed {row[0]}: it crosses 90% early in training", first)
        models = lm_models(int(row[0]))
        if models is not None:
            rewards = np.asarray(models.mean_rewards)
            same(f"seed {row[0]}: updates recorded", updates, len(rewards))
            same(
                f"seed {row[0]}: first update whose mean reward ≥ 0.9", str(int(np.argmax(rewards >= 0.9)) + 1), row[3]
            )


def vocab_words(text: str) -> list[str]:
    return [w for w in text.removesuffix(" ...").split() if w not in corpus_tokens()]


@check
def table_lm_samples(value: str) -> None:
    kind, unkind = word_lists()
    t = parse_table(value)
    same("prompts, three responses each", [f"*{p}*" for p in rl_settings()["prompts"] for _ in range(3)], t.column(0))
    means = []
    for text_col, reward_col in ((1, 2), (3, 4)):
        rewards = []
        for row in t.rows:
            text = row[text_col]
            claim(not vocab_words(text), "a real model writes words of its vocabulary", vocab_words(text))
            expected = reward_rule(text, kind, unkind)  # the response is scored, not the prompt
            rounded(f"reward of {text!r} by the page's rule", D(expected), 2, row[reward_col])
            rewards.append(expected)
        means.append(np.mean(rewards))
    claim(means[1] > means[0], "after REINFORCE the responses score higher", means)


@check
def table_lm_temperature(value: str) -> None:
    t = parse_table(value)
    same("rows", ["Deterministic (temp=0)", "Stochastic (temp=0.7)"], t.column(0))
    draws = [row[1].split("<br>") for row in t.rows]
    same("draws per row (5 draws, different random seeds)", [5, 5], [len(d) for d in draws])
    for d in draws:
        for text in d:
            assert text.startswith("the sea "), f"a response to 'the sea' must start with it: {text!r}"
            claim(not vocab_words(text), "a real model writes words of its vocabulary", text)
    claim(len(set(draws[0])) == 1, "temperature 0 gives the same response every time", draws[0])
    claim(len(set(draws[1])) > 1, "sampling at temperature 0.7 gives variety", draws[1])
    models = lm_models(0)
    if models is not None:  # argmax decoding, written out
        greedy = lm_greedy(models.pretrained, models.tokens, "the sea", rl_settings()["max_new_tokens"])
        same("the argmax response of the pretrained model", f"the sea {greedy}", draws[0][0])


CREDIT = (("sat on the warm mat and purred .", 0.5), ("sat on the cold floor and hissed .", -0.5))  # weight R − b
MOVE = re.compile(r'"(\S+)" \(([+\-\u2212]\d+\.\d\d)\)')


def most_moved(value: str) -> list[list[tuple[str, float]]]:
    match = re.fullmatch(r"(.*) in the kind response and (.*) in the unkind one", value)
    assert match, f"expected '... in the kind response and ... in the unkind one', got {value!r}"
    parts = [[(t, parse_number(x)) for t, x in MOVE.findall(part)] for part in match.groups()]
    same("tokens named per response", [3, 3], [len(p) for p in parts])
    return parts


@functools.cache
def credit_moves() -> list[list[tuple[str, float, float]]] | None:
    models = lm_models(0)
    if models is None:
        return None
    return [lm_credit(models.pretrained, models.tokens, "the cat", r, w) for r, w in CREDIT]


@check
def num_lm_credit_most_moved(value: str) -> None:
    has(LM_PAGE, "{{ num_lm_credit_most_moved }}: each had less than even odds before the step")
    parts = most_moved(value)
    for (response, weight), moved in zip(CREDIT, parts, strict=True):
        for token, delta in moved:
            assert token in response.split(), f"{token!r} is not a token of {response!r}"
            claim(
                (delta > 0) == (weight > 0),
                f"tokens of the response weighted {weight:+} move {'up' if weight > 0 else 'down'}",
                (token, delta),
            )
        sizes = [abs(d) for _, d in moved]
        same("ordered by how far they moved", sorted(sizes, reverse=True), sizes)
    kind_and = dict(parts[0])["and"], dict(parts[1])["and"]
    same(
        '"and" against num_lm_credit_and',
        cached_value("num_lm_credit_and"),
        f"{kind_and[0]:+.2f} and {kind_and[1]:+.2f}",
    )
    moves = credit_moves()
    if moves is not None:  # one gradient step on each response, written out
        for (response, _), moved, mine in zip(CREDIT, parts, moves, strict=True):
            top = sorted(mine, key=lambda m: -abs(m[2] - m[1]))[:3]
            same(f"the three tokens of {response!r} that moved most", [t for t, _, _ in top], [t for t, _ in moved])
            for (token, before, after), (_, delta) in zip(top, moved, strict=True):
                close(f"{token!r}: change of log π", after - before, delta, 0.005 + 1e-4)
                claim(math.exp(before) < 0.5, "each had less than even odds before the step", (token, math.exp(before)))


@check
def num_lm_credit_certain_moved(value: str) -> None:
    has(LM_PAGE, "already sure of (π > 0.99) moved by at most {{ num_lm_credit_certain_moved }}")
    at_most = parse_number(value)
    smallest_top = min(abs(d) for part in most_moved(cached_value("num_lm_credit_most_moved")) for _, d in part)
    claim(0 <= at_most < 0.01 * smallest_top, "near-certain tokens barely move, unlike the most-moved ones", value)
    moves = credit_moves()
    if moves is not None:
        certain = [abs(a - b) for m in moves for _, b, a in m if math.exp(b) > 0.99]
        claim(bool(certain), "some tokens were near-certain (π > 0.99)", certain)
        close("the largest move of a token with π > 0.99", max(certain), at_most, 0.5e-4 + 1e-6)


@check
def num_lm_credit_and(value: str) -> None:
    match = re.fullmatch(r"([+\-\u2212]\d+\.\d\d) and ([+\-\u2212]\d+\.\d\d)", value)
    assert match, f"expected '+x.xx and -y.yy', got {value!r}"
    kind, unkind = parse_number(match.group(1)), parse_number(match.group(2))
    claim(kind > 0 > unkind, '"and" moves up in the kind response and down in the unkind one', value)
    parts = most_moved(cached_value("num_lm_credit_most_moved"))
    same('"and" in num_lm_credit_most_moved', (dict(parts[0]).get("and"), dict(parts[1]).get("and")), (kind, unkind))
    moves = credit_moves()
    if moves is not None:
        for m, shown in zip(moves, (kind, unkind), strict=True):
            b, a = next((b, a) for t, b, a in m if t == "and")
            close('"and": change of log π', a - b, shown, 0.005 + 1e-4)


@check
def table_lm_scoring_cost(value: str) -> None:
    t = parse_table(value)
    width, layers = lm_settings()["width"], lm_settings()["layers"]
    n_in = len(lm_ids(corpus_tokens(), PROMPT))  # "." + the prompt's words
    same(
        "vocabularies",
        [len(corpus_tokens()), 50_257],
        [parse_int(re.findall(r"\(([\d,]+) tokens\)", r[0])[0]) for r in t.rows],
    )
    same(
        "this model's vocabulary against num_lm_vocab",
        cached_value("num_lm_vocab"),
        re.findall(r"\((\d+) tokens\)", t.rows[0][0])[0],
    )
    for row in t.rows:
        vocab = parse_int(re.findall(r"\(([\d,]+) tokens\)", row[0])[0])
        # torch's FLOP counter counts the matrix products of the linear layers (2·m·n per token and
        # weight matrix); it counts no FLOPs for scaled_dot_product_attention.
        policy = lm_linear_flops(n_in, width, layers, vocab)
        score_every = vocab * lm_linear_flops(n_in + 1, width, layers, 1)  # a pass per candidate, one more token
        same(f"{row[0]}: policy FLOPs (linear layers, {n_in} tokens in)", f"{policy:,} FLOPs", row[1])
        same(f"{row[0]}: Q-network FLOPs, one pass per token", f"{score_every:,} FLOPs", row[2])
        shown = parse_int(row[2].removesuffix(" FLOPs")) / parse_int(row[1].removesuffix(" FLOPs"))
        same(f"{row[0]}: ratio of the row's own columns", f"{shown:,.0f}×", row[3])
    gpt2 = t.rows[1]
    ratio = parse_number(gpt2[3].removesuffix("×"))
    claim(ratio * 10 < 50_257, "with GPT-2's vocabulary the ratio is far smaller than the vocabulary's size", ratio)
    head = 2 * n_in * width * 50_257
    claim(
        head > 0.5 * parse_int(gpt2[1].removesuffix(" FLOPs")),
        "the output layer becomes most of the policy's cost",
        head,
    )


# ================================================================================================
# Beyond the post: the KL penalty (docs/kl-penalty.md, figures/lm_kl.py)

KL_PAGE = "kl-penalty.md"
LM_KL_SOURCE, LM_KL_RUNS_SOURCE = SNIPPETS / "lm_kl.py", REPO / "figures" / "lm_kl_runs.py"
KL_BETAS = ["0", "0.02", "0.1", "0.5"]


@functools.cache
def kl_rl_settings() -> dict:
    """The keywords of the ``RLConfig(...)`` that ``KLConfig``'s ``rl`` defaults to, read from the source."""
    import ast

    tree = ast.parse(LM_KL_SOURCE.read_text(encoding="utf-8"))
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "KLConfig")
    call = next(n for n in ast.walk(cls) if isinstance(n, ast.Call) and getattr(n.func, "id", None) == "RLConfig")
    return {k.arg: ast.literal_eval(k.value) for k in call.keywords}


def kl_module_constant(name: str) -> Any:
    """A literal constant of figures/lm_kl_runs.py (``SAMPLES = 100``), read from its source."""
    match = re.search(rf"^{name} = (.+?)  #", LM_KL_RUNS_SOURCE.read_text(encoding="utf-8"), re.MULTILINE)
    assert match, f"figures/lm_kl_runs.py defines no {name}"
    return eval(match.group(1), {})  # a literal: an int or a tuple of floats


def kl_records() -> list[dict] | None:
    """The build's records of the sweep for seeds 0-2 (``.cache/artifacts/runs``), or None if not all kept."""
    from figures.lm_kl_runs import KLSweep, run_path

    paths = [run_path(KLSweep(s)) for s in range(3)]
    if not all(p.is_file() for p in paths):
        return None
    return [json.loads(p.read_text(encoding="utf-8")) for p in paths]


def mean_spread(text: str) -> tuple[float, float]:
    """ "0.996 ± 0.003" -> (0.996, 0.003)."""
    mean, spread = text.split(" ± ")
    return parse_number(mean), parse_number(spread)


@check
def num_lm_kl_updates(value: str) -> None:
    same("KLConfig's RLConfig(updates=...), in the code block the page shows", str(kl_rl_settings()["updates"]), value)


@check
def num_lm_kl_responses_per_update(value: str) -> None:
    per_prompt, prompts = kl_rl_settings()["responses_per_prompt"], len(rl_settings()["prompts"])
    same("KLConfig's responses per prompt × RLConfig's prompts", str(per_prompt * prompts), value)


@check
def num_lm_kl_eval_samples(value: str) -> None:
    n = kl_module_constant("SAMPLES") * len(rl_settings()["prompts"])
    same("figures/lm_kl_runs.py's SAMPLES per prompt × the prompts", str(n), value)
    shown = re.search(r"\(of \d+\)", cached_value("table_lm_kl_sweep"))
    same("the sweep table's count of samples", f"(of {value})", shown[0] if shown else None)


@check
def table_lm_kl_sweep(value: str) -> None:
    has(KL_PAGE, "A larger β keeps the policy closer to the pretrained model, and more diverse, at some cost")
    t = parse_table(value)
    same("rows: every β of the sweep, then the pretrained model", [*KL_BETAS, "pretrained model"], t.column(0))
    same("the sweep's β in figures/lm_kl_runs.py", [float(b) for b in KL_BETAS], list(kl_module_constant("BETAS")))
    n = int(re.search(r"\(of (\d+)\)", t.header[3])[1])
    rows = [[mean_spread(c) for c in (row[1], row[3])] for row in t.rows]
    reward = [r[0] for r in rows]
    distinct = [r[1] for r in rows]
    kl = [mean_spread(row[2]) for row in t.rows[:-1]]
    claim(all(0 <= m - s and m + s <= 1 for m, s in reward), "rewards lie in [0, 1]", reward)
    claim(all(0 <= m - s and m + s <= n for m, s in distinct), f"distinct responses are counted among {n}", distinct)
    claim(all(a[0] > b[0] for a, b in zip(kl, kl[1:], strict=False)), "the KL falls as β grows", kl)
    claim(all(m >= 0 for m, _ in kl) and t.rows[-1][2] == "0", "KL ≥ 0, and 0 for the pretrained model itself", kl)
    claim(distinct[3][0] > distinct[0][0], "β = 0.5 writes more distinct responses than β = 0", distinct)
    claim(reward[0][0] > reward[3][0] > reward[4][0], "β = 0.5 costs reward, but beats the pretrained model", reward)
    records = kl_records()
    if records is not None:  # the build's records: mean ± half the range over the seeds, recomputed
        for i, row in enumerate(t.rows[:-1]):
            for col, key, fmt in ((1, "reward", ".3f"), (2, "kl", ".2f"), (3, "distinct", ".0f")):
                x = [rec["runs"][i]["measured"][key] for rec in records]
                same(f"β = {row[0]}, {key}", f"{np.mean(x):{fmt}} ± {(max(x) - min(x)) / 2:{fmt}}", row[col])


@check
def table_lm_kl_samples(value: str) -> None:
    kind, unkind = word_lists()
    t = parse_table(value)
    same("rows: the pretrained model, then every β", ["pretrained", *[f"β = {b}" for b in KL_BETAS]], t.column(0))
    samples = kl_module_constant("SAMPLES")
    top_shares = []
    for row in t.rows:
        for cell in row[1].split("<br>"):
            text, reward = re.fullmatch(r"(.+) \[(\d\.\d\d)\]", cell).groups()
            claim(not vocab_words(text), "a real model writes words of its vocabulary", text)
            rounded(f"reward of {text!r} by the page's rule", D(reward_rule(text, kind, unkind)), 2, reward)
        shares = [int(re.fullmatch(r".+ \((\d+)%\)", c)[1]) for c in row[2].split("<br>")]
        ordered = shares == sorted(shares, reverse=True) and sum(shares) <= 100
        claim(ordered, "most common first, shares of 100%", shares)
        distinct = parse_int(row[3])
        claim(len(shares) <= distinct <= samples, f"distinct responses among {samples} samples", distinct)
        claim(distinct > 1 or shares == [100], "one distinct response is all of them", (distinct, shares))
        top_shares.append(shares[0])
    ordered = top_shares[1] >= top_shares[4] > top_shares[0]
    claim(ordered, "β = 0 concentrates most, β = 0.5 less, pretrained least", top_shares)


# ================================================================================================
# The Benchmarks page, recomputed from benchmarks/results/*.json


def run_results() -> list[str]:
    """The result files written by the current benchmark scripts (they record "benchmark")."""
    return sorted(p.stem for p in RESULTS.glob("*.json") if "benchmark" in json.loads(p.read_text(encoding="utf-8")))


@check
def table_bench_runs(value: str) -> None:
    t = parse_table(value)
    names = [row[0].strip("`").removesuffix(".json") for row in t.rows]
    same("result files: distinct", len(names), len(set(names)))
    missing = sorted(set(names) - set(run_results()))
    same("result files that are not in benchmarks/results/ (or record no benchmark)", [], missing)
    for name, row in zip(names, t.rows, strict=True):
        r = result(name)
        script = row[1].strip("`").split()[0]
        assert (REPO / script).is_file(), f"{name}: the script {script} does not exist"
        same(f"{name}: the benchmark its script names", Path(script).stem, r["benchmark"])
        same(f"{name}: date", r["date"], row[2])
        same(f"{name}: machine", f"{r['machine']['cpu']}, {r['machine']['cores']} cores", row[3])
        speed = r["machine"].get("speed")
        shown = "not recorded" if speed is None else f"{speed['matmul_us']:g} µs, {speed['python_loop_ms']:g} ms"
        same(f"{name}: speed", shown, row[4])
        for key in ("python", "torch", "numpy", "gymnasium", "stable-baselines3"):
            if r["versions"].get(key):
                assert f"{key} {r['versions'][key]}" in row[5], f"{name}: versions lack {key} {r['versions'][key]}"


def first_success(history: list[list[float]], threshold: float) -> float | None:
    return next((step for step, mean in history if mean >= threshold), None)


def expected_goals() -> list[tuple[str, str, bool]]:
    """(what the goal's text must contain, measured, met) for every goal, from the JSON."""
    goals = []
    dqn = result("cartpole_vs_sb3")
    ours, sb3 = dqn["agents"]["ours_dqn"]["runs"], dqn["agents"]["sb3_dqn_ours"]["runs"]
    solved = sum(first_success(r["eval_history"], dqn["threshold"]) is not None for r in ours)
    goals.append(
        (
            f"{len(ours)}/{len(ours)} seeds reach a greedy mean ≥ {dqn['threshold']:g}",
            f"{solved}/{len(ours)} seeds",
            solved == len(ours),
        )
    )
    # The same environment and gradient steps: SB3 with our settings; CPU time decides.
    same(
        "SB3 with our settings: our gradient steps",
        [r["gradient_steps"] for r in ours],
        [r["gradient_steps"] for r in sb3],
    )
    mine, theirs = (statistics.median(r["train_cpu_s"] for r in runs) for runs in (ours, sb3))
    wall_mine, wall_theirs = (statistics.median(r["train_wall_s"] for r in runs) for runs in (ours, sb3))
    goals.append(
        (
            "no more training time than SB3 DQN for the same steps (SB3 with our settings",
            f"median {seconds(mine)} vs {seconds(theirs)} of CPU time "
            f"(wall-clock {seconds(wall_mine)} vs {seconds(wall_theirs)})",
            mine <= theirs,
        )
    )
    lm = result("lm_reinforce")
    reached = sum(r["reward_after"] >= lm["goal"] and r["pretrain_s"] + r["rl_s"] <= lm["budget_s"] for r in lm["runs"])
    goals.append((f"mean reward ≥ {lm['goal']:g}", f"{reached}/{len(lm['runs'])} seeds", reached == len(lm["runs"])))
    build = result("site")["build"]
    for kind in ("cold", "warm"):
        median = statistics.median(build[f"{kind}_s"])
        goals.append((f"{kind} build ≤ {build['goals'][kind]} s", seconds(median), median <= build["goals"][kind]))
    for edit in build["one_snippet"]:
        median = statistics.median(edit["seconds"])
        goal = build["goals"]["one_snippet"]
        goals.append((f"{edit['edit']} edit of `{edit['path']}` ≤ {goal} s", seconds(median), median <= goal))
    site = result("site")
    serve = statistics.median(site["serve"]["seconds"])
    goals.append(("`make serve` answers with the first page ≤ 60 s", seconds(serve), serve <= 60))
    t = site["make_test"]
    fresh = t["setup_s"] + t["seconds"]
    pytest_s = float(re.findall(r"\bin ([\d.]+)s", t["summary"])[-1])
    same("pytest's own time, from its summary line", pytest_s, t["pytest_s"])
    measured = f"{seconds(fresh)} (set-up {seconds(t['setup_s'])}, then {seconds(t['seconds'])})"
    goals.append(("`make test` from a fresh clone, set-up included, ≤ 480 s", measured, fresh <= 480))
    goals.append(("the pytest phase of `make test` ≤ 150 s", seconds(pytest_s), pytest_s <= 150))
    sizes = [p["bytes"] for p in site["page_weight"]["pages"]]
    median, heaviest = statistics.median_high(sizes), max(sizes)
    goals.append(("the median page transfers ≤ 250 KiB", f"{median / 1024:,.0f} KiB", median <= 250 * 1024))
    goals.append(("the heaviest page transfers ≤ 500 KiB", f"{heaviest / 1024:,.0f} KiB", heaviest <= 500 * 1024))
    return goals


@check
def table_bench_goals(value: str) -> None:
    t = parse_table(value)
    goals = expected_goals()
    same("goals", len(goals), len(t.rows))
    for row, (text, measured, met) in zip(t.rows, goals, strict=True):
        assert text in row[0], f"goal {row[0]!r} should say {text!r}"
        same(f"{row[0]}: measured", measured, row[1])
        same(f"{row[0]}: met", "yes" if met else "**no**", row[2])


@check
def num_bench_goals_met(value: str) -> None:
    k, n = counts(value)
    rows = parse_table(cached_value("table_bench_goals")).rows
    same("goals in the goals table", len(rows), n)
    same('goals marked "yes" in the goals table', sum(r[2] == "yes" for r in rows), k)
    same("goals met, from the JSON", sum(met for _, _, met in expected_goals()), k)


@check
def table_bench_dqn(value: str) -> None:
    r = result("cartpole_vs_sb3")
    t = parse_table(value)
    same("threshold in the header", f"reached ≥ {r['threshold']:g}", t.header[1])
    same("agents", [a["label"] for a in r["agents"].values()], t.column(0))
    for row, agent in zip(t.rows, r["agents"].values(), strict=True):
        firsts = [first_success(run["eval_history"], r["threshold"]) for run in agent["runs"]]
        reached = [f for f in firsts if f is not None]
        same(f"{row[0]}: seeds whose evaluation mean reached the threshold", f"{len(reached)}/{len(firsts)}", row[1])
        median = statistics.median(math.inf if f is None else f for f in firsts)
        same(
            f"{row[0]}: median steps (a miss counts as more than the budget)",
            "–" if median == math.inf else int_text(median),
            row[2],
        )
        same(
            f"{row[0]}: steps per seed, from the evaluation history",
            ", ".join("–" if f is None else int_text(f) for f in firsts),
            row[3],
        )
        wall = statistics.median(run["train_wall_s"] for run in agent["runs"])
        cpu = statistics.median(run["train_cpu_s"] for run in agent["runs"])
        same(f"{row[0]}: median training wall-clock (CPU)", f"{seconds(wall)} ({seconds(cpu)})", row[4])
        steps = [run["gradient_steps"] for run in agent["runs"]]
        spread = f"{statistics.median(steps):,.0f} ({min(steps):,}–{max(steps):,})"
        same(f"{row[0]}: gradient steps counted", f"{steps[0]:,}" if min(steps) == max(steps) else spread, row[5])
        shown_wall, _, shown_cpu = row[6].partition(" (")
        per_step = statistics.median(1e3 * run["train_wall_s"] / run["gradient_steps"] for run in agent["runs"])
        per_cpu = statistics.median(1e3 * run["train_cpu_s"] / run["gradient_steps"] for run in agent["runs"])
        close_to_shown(f"{row[0]}: training wall-clock per gradient step", per_step, shown_wall, " ms")
        close_to_shown(f"{row[0]}: training CPU time per gradient step", per_cpu, shown_cpu.rstrip(")"), " ms")
    same("the extra columns", ["gradient steps", "per gradient step, median"], t.header[5:])


@check
def table_bench_dqn_widths(value: str) -> None:
    t = parse_table(value)
    default = result("dqn_cartpole")
    defaults = {k: list(v) if isinstance(v, tuple) else v for k, v in dqn_settings().items() if k != "seed"}
    same("the default run's settings are DQNConfig()'s", defaults, default["config"])
    default_width = tuple(defaults["hidden_sizes"])
    files = sorted(RESULTS.glob("dqn_cartpole_[0-9]*.json"))
    same("rows: the default, then each other width run", 1 + len(files), len(t.rows))
    widths = [default_width] + sorted(
        tuple(json.loads(f.read_text(encoding="utf-8"))["config"]["hidden_sizes"]) for f in files
    )
    for row, width in zip(t.rows, widths, strict=True):
        suffix = "" if width == default_width else "_" + "x".join(map(str, width))
        seen = result("dqn_cartpole" + suffix)
        unseen_file = RESULTS / f"dqn_cartpole_unseen{suffix}.json"
        unseen = json.loads(unseen_file.read_text(encoding="utf-8")) if unseen_file.is_file() else None
        same(f"{row[0]}: the widths", " × ".join(map(str, width)), row[0].removesuffix(" (`DQNConfig()`)"))
        same(f"{row[0]}: the seeds of each file", [1, 2, 3, 4, 5], [r["seed"] for r in seen["runs"]])
        runs = seen["runs"] + (unseen["runs"] if unseen else [])
        firsts = [first_success(r["eval_history"], default["config"]["solve_threshold"]) for r in runs]
        solved = [f is not None for f in firsts]
        same(f"{row[0]}: seeds 1–5 reaching 475", f"{sum(solved[:5])}/5", row[1])
        if unseen:
            same(f"{row[0]}: the unseen seeds", list(range(6, 16)), [r["seed"] for r in unseen["runs"]])
            same(f"{row[0]}: unseen seeds reaching 475", f"{sum(solved[5:])}/{len(solved) - 5}", row[2])
        else:
            same(f"{row[0]}: no unseen run", "not run", row[2])
        reached = [f for f in firsts if f is not None]
        same(f"{row[0]}: median steps", int_text(statistics.median(reached)) if reached else "–", row[3])
        same(f"{row[0]}: median wall-clock", seconds(statistics.median(r["wall_s"] for r in runs)), row[4])
    # The prose: the default is the only width that reached 475 on every seed; each narrower one missed.
    same("the default: every seed", ["5/5", "10/10"], t.rows[0][1:3])
    for row in t.rows[1:]:
        assert row[1] != "5/5" or row[2] != "10/10", f"table_bench_dqn_widths: {row[0]} solved every seed too"


def close_to_shown(what: str, exact: float, shown: str, unit: str) -> None:
    """``shown`` (e.g. "3.19 ms" or "2.0×") is ``exact`` rounded to the decimals it shows; two
    decimals below 10, one from 10 (a run's ms per step is itself rounded to 4 decimals)."""
    number = shown.removesuffix(unit)
    decimals = len(number.partition(".")[2])
    close(what, exact, parse_number(number), 0.5 * 10**-decimals + 1e-3)


def hyperparameter_rows(value: str, name: str) -> dict[str, list[str]]:
    r = result(name)
    t = parse_table(value)
    same("agents", [a["label"] for a in r["agents"].values()], t.column(0))
    rows = {}
    for (key, agent), row in zip(r["agents"].items(), t.rows, strict=True):
        for k, v in agent["hyperparameters"].items():
            assert f"{k}={v}" in row[1], f"{row[0]}: the settings lack {k}={v}"
        same(f"{row[0]}: source", agent["source"], row[2])
        rows[key] = row
    return rows


def recorded_defaults(recorded: dict, defaults: dict, skip: tuple[str, ...]) -> dict:
    """The recorded settings that differ from the defaults written in the code (lists as tuples)."""
    norm = {k: tuple(v) if isinstance(v, list) else v for k, v in recorded.items() if k not in skip}
    return {k: (v, defaults.get(k, "not a setting")) for k, v in norm.items() if defaults.get(k, "not a setting") != v}


@check
def table_bench_dqn_hyperparameters(value: str) -> None:
    hyperparameter_rows(value, "cartpole_vs_sb3")
    ours = result("cartpole_vs_sb3")["agents"]["ours_dqn"]
    assert "DQNConfig() defaults" in ours["source"], ours["source"]
    same(
        "ours: recorded settings that are not DQNConfig()'s defaults",
        {},
        recorded_defaults(ours["hyperparameters"], dqn_settings(), ()),
    )


@check
def table_bench_reinforce_hyperparameters(value: str) -> None:
    hyperparameter_rows(value, "reinforce_vs_a2c")
    r = result("reinforce_vs_a2c")
    defaults = dataclass_defaults(SNIPPETS / "reinforce.py", "ReinforceConfig")
    for key, agent in r["agents"].items():
        if key.startswith("ours_"):
            assert "ReinforceConfig" in agent["source"], agent["source"]
            hp = agent["hyperparameters"]
            same(f"{key}: episodes (the cap)", r["max_episodes"], hp["episodes"])
            # Plain REINFORCE has no V(s_T) to bootstrap a time-limit cut from (the config refuses it).
            allowed = ("baseline", "episodes") + (("bootstrap_truncated",) if hp["baseline"] == "none" else ())
            same(f"{key}: settings not ReinforceConfig's defaults", {}, recorded_defaults(hp, defaults, allowed))
            if hp["baseline"] == "none":
                same(f"{key}: treats the time limit as the end", False, hp["bootstrap_truncated"])


@check
def table_bench_dqn_micro(value: str) -> None:
    micro = result("cartpole_vs_sb3")["micro"]
    t = parse_table(value)
    impls = list(micro["implementations"].values())
    same("implementations", [m["label"] for m in impls], t.column(0))
    ours = min(micro["implementations"]["ours_dqn"]["ms_per_step_runs"])
    for row, m in zip(t.rows, impls, strict=True):
        same(f"{row[0]}: timings", micro["repeats"], len(m["ms_per_step_runs"]))
        same(f"{row[0]}: loss", m["loss"], row[1])
        close_to_shown(f"{row[0]}: median of the timings", statistics.median(m["ms_per_step_runs"]), row[2], " ms")
        close_to_shown(f"{row[0]}: fastest timing", min(m["ms_per_step_runs"]), row[3], " ms")
        close_to_shown(f"{row[0]}: fastest CPU timing", m["cpu_ms_per_step_min"], row[4], " ms")
        claim(m["cpu_ms_per_step_min"] <= min(m["ms_per_step_runs"]) * 1.05, "CPU time ≲ wall time", row)
        close_to_shown(f"{row[0]}: relative to ours", min(m["ms_per_step_runs"]) / ours, row[5], "×")
    same("our loss, as DQNConfig's code computes it", "mse", micro["implementations"]["ours_dqn"]["loss"])


@check
def num_bench_dqn_micro_protocol(value: str) -> None:
    micro = result("cartpole_vs_sb3")["micro"]
    defaults = dataclass_defaults(SNIPPETS / "dqn.py", "DQNConfig")
    same("batch size: DQNConfig's", defaults["batch_size"], micro["batch_size"])
    same("hidden layers: DQNConfig's", list(defaults["hidden_sizes"]), micro["hidden_sizes"])
    expected = [micro["repeats"], micro["steps"], micro["transitions"], micro["batch_size"], *micro["hidden_sizes"]]
    same("repeats, steps, transitions, batch, widths", [float(x) for x in expected], numbers_in(value))


@check
def num_bench_dqn_wall_clock_method(value: str) -> None:
    r = result("cartpole_vs_sb3")
    same("the method recorded with the results", r["wall_clock_note"], value)
    for agent in r["agents"].values():  # what it describes is recorded for every run
        for run in agent["runs"]:
            for field in ("train_wall_s", "train_cpu_s", "gradient_steps", "loadavg_before", "loadavg_after"):
                assert field in run, f"{agent['label']} seed {run['seed']} lacks {field}"
            close(
                f"{agent['label']}: ms per step",
                1e3 * run["train_wall_s"] / run["gradient_steps"],
                run["train_ms_per_gradient_step"],
                1e-3,
            )
    claim(f"{r['workers']} runs at a time" in value, "the number of runs at a time", r["workers"])


@check
def num_bench_dqn_protocol(value: str) -> None:
    r = result("cartpole_vs_sb3")
    expected = [r["steps"], r["eval_every"], r["eval_episodes"], r["seeds"][0], r["seeds"][-1], r["threshold"]]
    same("steps, evaluation interval and episodes, seeds, threshold", expected, numbers_in(value))
    same("seeds: consecutive", list(range(r["seeds"][0], r["seeds"][-1] + 1)), r["seeds"])
    for agent in r["agents"].values():
        same(f"{agent['label']}: seeds of its runs", r["seeds"], [run["seed"] for run in agent["runs"]])
        for run in agent["runs"]:
            steps = [s for s, _ in run["eval_history"]]
            same(
                f"{agent['label']} seed {run['seed']}: evaluations",
                list(range(r["eval_every"], r["steps"] + 1, r["eval_every"])),
                steps,
            )


@check
def num_bench_dqn_wall_clock_note(value: str) -> None:
    """Every number of the paragraphs, recomputed from the runs they summarise (not the JSON's summary)."""
    r = result("cartpole_vs_sb3")
    runs = {key: agent["runs"] for key, agent in r["agents"].items()}
    names = {"ours": "ours_dqn", "zoo": "sb3_dqn", "mine": "sb3_dqn_ours"}

    def median(key: str, field: str) -> float:
        return statistics.median(run[field] for run in runs[names[key]])

    wall = {k: median(k, "train_wall_s") for k in names}
    cpu = {k: median(k, "train_cpu_s") for k in names}
    steps = {k: median(k, "gradient_steps") for k in names}

    def found(pattern: str) -> tuple[str, ...]:
        match = re.search(pattern, value)
        assert match, f"the paragraph no longer says {pattern!r}: {value!r}"
        return match.groups()

    ratio, zoo_steps, ours_steps = found(r"took (\S+)× as many gradient steps as ours \(([\d,]+) against ([\d,]+):")
    same("the gradient steps", (f"{steps['zoo']:,.0f}", f"{steps['ours']:,.0f}"), (zoo_steps, ours_steps))
    close_to_shown("their ratio", steps["zoo"] / steps["ours"], ratio, "")
    hp = {key: agent["hyperparameters"] for key, agent in r["agents"].items()}
    same(
        "gradient steps per environment steps: SB3 rl-zoo's, then ours",
        found(r"(\d+) every (\d+) environment steps, ours (\d+) every (\d+)\)"),
        tuple(
            str(x)
            for x in (
                hp["sb3_dqn"]["gradient_steps"],
                hp["sb3_dqn"]["train_freq"],
                hp["ours_dqn"]["gradient_steps"],
                hp["ours_dqn"]["train_frequency"],
            )
        ),
    )
    shown = found(r"wall-clock \((\S+ s) against (\S+ s)\) and \S+× ours' CPU time \((\S+ s) against (\S+ s)\)")
    same(
        "the median wall-clock and CPU times",
        tuple(seconds(x) for x in (wall["zoo"], wall["ours"], cpu["zoo"], cpu["ours"])),
        shown,
    )
    mine = found(r"SB3 DQN trained for (\S+ s) of wall-clock and (\S+ s) of CPU time")
    same("SB3 with our settings", (seconds(wall["mine"]), seconds(cpu["mine"])), mine)
    for total, what in ((cpu, "CPU time"), (wall, "wall-clock")):
        gap, settings, rest = total["zoo"] - total["ours"], total["zoo"] - total["mine"], total["mine"] - total["ours"]
        if gap > 0 and settings >= 0 and rest >= 0:
            split = found(
                rf"of the (\S+ s) more {what} the rl-zoo run took than ours, (\S+ s) \((\d+)%\) went with the settings "
                r"and (\S+ s) \((\d+)%\)"
            )
            same(
                f"the {what} split",
                (
                    seconds(gap),
                    seconds(settings),
                    f"{100 * settings / gap:.0f}",
                    seconds(rest),
                    f"{100 * rest / gap:.0f}",
                ),
                split,
            )
        elif gap > 0 and rest < 0:
            split = found(
                rf"the (\S+ s) more {what} the rl-zoo run took than ours all went with the settings, "
                r"and with our settings SB3 took (\S+ s) less"
            )
            same(f"the {what} split", (seconds(gap), seconds(-rest)), split)
    micro = r["micro"]["implementations"]
    fastest = {k: min(m["ms_per_step_runs"]) for k, m in micro.items()}
    medians = {k: statistics.median(m["ms_per_step_runs"]) for k, m in micro.items()}
    alone = found(
        r"took ours (\S+ ms), SB3 (\S+ ms) with our loss \(.*?\) and (\S+ ms) with its own; "
        r"the medians were (\S+ ms), (\S+ ms) and (\S+ ms)"
    )
    for what, exact, text in zip(
        (
            "ours, fastest",
            "SB3 with our loss, fastest",
            "SB3 with its loss, fastest",
            "ours, median",
            "SB3 with our loss, median",
            "SB3 with its loss, median",
        ),
        (
            fastest["ours_dqn"],
            fastest["sb3_dqn_ours"],
            fastest["sb3_dqn"],
            medians["ours_dqn"],
            medians["sb3_dqn_ours"],
            medians["sb3_dqn"],
        ),
        alone,
        strict=True,
    ):
        close_to_shown(f"the gradient step alone: {what}", exact, text, " ms")
    disagree = (fastest["sb3_dqn_ours"] < fastest["ours_dqn"]) != (medians["sb3_dqn_ours"] < medians["ours_dqn"])
    same("says the timings disagree exactly when they do", disagree, "disagree on which" in value)
    learned = found(
        r"our settings reached \S+ on (\d+/\d+) seeds.*?ours on (\d+/\d+) seeds.*?rl-zoo settings on (\d+/\d+) seeds"
    )
    for key, text in zip(("sb3_dqn_ours", "ours_dqn", "sb3_dqn"), learned, strict=True):
        hits = sum(first_success(run["eval_history"], r["threshold"]) is not None for run in runs[key])
        same(f"{key}: seeds that reached {r['threshold']:g}", f"{hits}/{len(runs[key])}", text)
    loads = [run[k][0] for rs in runs.values() for run in rs for k in ("loadavg_before", "loadavg_after")]
    low, high = found(r"read at the start and end of every run, was ([\d.]+)–([\d.]+)")
    same("the load range", (f"{min(loads):.1f}", f"{max(loads):.1f}"), (low, high))


@check
def num_bench_reinforce_criterion(value: str) -> None:
    r = result("reinforce_vs_a2c")
    match = re.fullmatch(
        r"the running reward r ← (\S+) · episode return \+ (\S+) · r, starting at (\S+), exceeds (\S+) within (\S+) "
        r"episodes, over seeds (\d+)–(\d+)",
        value,
    )
    assert match, f"unexpected wording: {value!r}"
    w, keep, start, threshold, cap, lo, hi = match.groups()
    same("the two weights sum to 1", D(1), D(w) + D(keep))
    same(
        "weight, start, threshold, cap",
        [r["running_weight"], r["running_start"], r["threshold"], r["max_episodes"]],
        [parse_number(x) for x in (w, start, threshold, cap)],
    )
    same("seeds", r["seeds"], list(range(int(lo), int(hi) + 1)))
    # The recorded running rewards (one decimal) follow the rule from the start value: each implies an
    # episode return in CartPole's range [1, 500], up to the rounding.
    weight = float(w)
    slack = (0.05 + (1 - weight) * 0.05) / weight + 1e-6
    for agent in r["agents"].values():
        for run in agent["runs"]:
            previous = r["running_start"]
            for i, running in enumerate(run["running_rewards"]):
                implied = (running - (1 - weight) * previous) / weight
                claim(
                    1 - slack <= implied <= 500 + slack,
                    f"{agent['label']} seed {run['seed']}, episode {i + 1}: the rule gives a return in [1, 500]",
                    implied,
                )
                previous = running


def quantile_text(values: list[float], q: float, cap: int) -> str:
    """numpy's (linear) quantile, written as the page writes it: a run that never solved counts as
    more than the cap, so a quantile that touches one is "> cap"."""
    with np.errstate(invalid="ignore"):  # inf - inf where the quantile falls on unsolved runs
        x = float(np.percentile(values, 100 * q))
    return f"> {cap:,}" if not math.isfinite(x) else f"{x:,.0f}" if x.is_integer() else f"{x:,.1f}"


@check
def table_bench_reinforce(value: str) -> None:
    r = result("reinforce_vs_a2c")
    cap, threshold = r["max_episodes"], r["threshold"]
    t = parse_table(value)
    same("agents", [a["label"] for a in r["agents"].values()], t.column(0))
    for row, agent in zip(t.rows, r["agents"].values(), strict=True):
        episodes: list[float] = []
        for run in agent["runs"]:
            running, solved = run["running_rewards"], run["episodes_to_solve"]
            if solved is None:  # the running reward (one decimal) never passed the threshold
                same(f"{row[0]} seed {run['seed']}: an unsolved run plays to the cap", cap, len(running))
                claim(max(running) <= threshold + 0.05, "an unsolved run never exceeds the threshold", max(running))
            else:  # it passed at its last episode, and only there
                same(f"{row[0]} seed {run['seed']}: training stops when solved", solved, len(running))
                claim(
                    running[-1] >= threshold - 0.05 and max(running[:-1], default=0) <= threshold + 0.05,
                    "solved at the first episode past the threshold",
                    run["seed"],
                )
            episodes.append(math.inf if solved is None else solved)
        solved_runs = sum(not math.isinf(e) for e in episodes)
        same(f"{row[0]}: solved", f"{solved_runs}/{len(episodes)}", row[1])
        same(f"{row[0]}: median", quantile_text(episodes, 0.5, cap), row[2])
        q1, q3 = quantile_text(episodes, 0.25, cap), quantile_text(episodes, 0.75, cap)
        same(f"{row[0]}: middle half", f"{q1} to {q3}" if ">" in q3 else f"{q1}–{q3}", row[3])
        low, high = quantile_text(episodes, 0, cap), quantile_text(episodes, 1, cap)
        same(f"{row[0]}: min–max", f"{low} to {high}" if ">" in high else f"{low}–{high}", row[4])
        same(
            f"{row[0]}: median env steps",
            int_text(statistics.median(run["env_steps"] for run in agent["runs"])),
            row[5],
        )
        wall = statistics.median(run["wall_s"] for run in agent["runs"])
        claim(row[6] in {seconds(wall), seconds(round(wall, 2))}, f"median wall-clock {seconds(wall)}", row[6])


@check
def num_bench_tabular_seeds(value: str) -> None:
    q = result("tabular")["q_learning"]
    seeds = [run["seed"] for run in q["maze"]["runs"]]
    same(
        "seeds: consecutive, the same for every environment",
        [seeds] * len(q),
        [[run["seed"] for run in e["runs"]] for e in q.values()],
    )
    same("seeds", list(range(seeds[0], seeds[-1] + 1)), seeds)
    same("the range", f"seeds {seeds[0]}–{seeds[-1]}", value)


@check
def table_bench_tabular(value: str) -> None:
    import gymnasium as gym
    from rl4rlhf.bellman import value_iteration
    from rl4rlhf.gridworld import GridWorld

    r = result("tabular")
    t = parse_table(value)
    same("environments", ["the post's maze", "FrozenLake 4x4, not slippery"], t.column(0))
    q_defaults = dataclass_defaults(SNIPPETS / "qtable.py", "QLearningConfig")
    envs = {"maze": GridWorld(maze()), "frozenlake": gym.make("FrozenLake-v1", map_name="4x4", is_slippery=False)}
    for row, (key, env) in zip(t.rows, envs.items(), strict=True):
        q, vi = r["q_learning"][key], r["value_iteration"][key]
        settings = ("alpha", "gamma", "epsilon")
        same(
            f"{key}: the Q-function chapter's settings",
            [q_defaults[k] for k in settings],
            [q["config"][k] for k in settings],
        )
        firsts = [math.inf if run["episodes_to_optimal"] is None else run["episodes_to_optimal"] for run in q["runs"]]
        cap = q["cap"]

        def text(x: float, cap: int = cap) -> str:
            return f"> {cap:,}" if math.isinf(x) else int_text(x)

        same(
            f"{key}: median (min–max)",
            f"{text(statistics.median(firsts))} ({text(min(firsts))}–{text(max(firsts))})",
            row[1],
        )
        same(f"{key}: reached", f"{sum(not math.isinf(f) for f in firsts)}/{len(firsts)}", row[2])
        same(f"{key}: sweeps in the JSON", str(vi["sweeps"]), row[3])
        same(
            f"{key}: sweeps of value_iteration now (γ = {vi['gamma']}, tol = {vi['tol']})",
            vi["sweeps"],
            value_iteration(env, vi["gamma"], float(vi["tol"])).sweeps,
        )
        same(f"{key}: time per solve", f"{vi['ms_median']:.2f} ms", row[4])


def lm_runs() -> list[tuple[str, dict]]:
    return [
        (label, run)
        for name, label in (("lm_reinforce", "prompt mean"), ("lm_reinforce_none", "none"))
        for run in result(name)["runs"]
    ]


@check
def table_bench_lm(value: str) -> None:
    t = parse_table(value)
    runs = lm_runs()
    same("rows: one per run of both result files", len(runs), len(t.rows))
    same(
        "baseline of each file",
        ["mean", "none"],
        [result(n)["rl_config"]["baseline"] for n in ("lm_reinforce", "lm_reinforce_none")],
    )
    for row, (label, run) in zip(t.rows, runs, strict=True):
        where = f"{label} seed {run['seed']}"
        expected = [
            label,
            str(run["seed"]),
            f"{run['reward_before']:.3f}",
            f"{run['reward_after']:.3f}",
            "–" if run["first_update_at_goal"] is None else int_text(run["first_update_at_goal"]),
            seconds(run["pretrain_s"]),
            seconds(run["rl_s"]),
            f"{run['distinct_before']} → {run['distinct_after']}",
        ]
        same(where, expected, row)
        claim(run["reward_after"] > run["reward_before"], f"{where}: the reward moves up", row)
        claim(run["distinct_after"] < run["distinct_before"], f"{where}: the policy gives up variety", row)


@check
def num_bench_lm_parameters(value: str) -> None:
    counted = {run["parameters"] for _, run in lm_runs()}
    same("parameters recorded by every run", {parse_int(value)}, counted)
    same(
        "parameters of the model the language-model page describes (counted from its layers)",
        f"{lm_parameters(len(corpus_tokens())):,}",
        value,
    )
    same("num_lm_parameters (the page links to it)", cached_value("num_lm_parameters"), value)


@check
def table_bench_build(value: str) -> None:
    b = result("site")["build"]
    t = parse_table(value)
    expected = [
        ("cold (empty cache)", b["cold_s"], b["recomputed"]["cold"], b["goals"]["cold"]),
        ("warm (nothing changed)", b["warm_s"], b["recomputed"]["warm"], b["goals"]["warm"]),
    ]
    expected += [
        (f"after a {e['edit']} edit of `{e['path']}`", e["seconds"], e["recomputed"], b["goals"]["one_snippet"])
        for e in b["one_snippet"]
    ]
    same("builds", [e[0] for e in expected], t.column(0))
    for row, (label, runs, recomputed, goal) in zip(t.rows, expected, strict=True):
        same(f"{label}: runs", ", ".join(f"{x:.1f}" for x in runs), row[1])
        same(f"{label}: median of its runs", seconds(statistics.median(runs)), row[2])
        same(f"{label}: artifacts recomputed", ", ".join(sorted({f"{n} of {m}" for n, m in recomputed})), row[3])
        same(f"{label}: goal", f"≤ {goal} s", row[4])


@check
def num_bench_reproducible(value: str) -> None:
    r = result("site")["build"]
    rep = r["reproducible"]
    claim(rep["cold_builds"] >= 2, "cold builds were compared", rep)
    same("cold builds compared: the cold builds timed", len(r["cold_s"]), rep["cold_builds"])
    if rep["differing"]:
        assert value.startswith(f"{len(rep['differing'])} of the {rep['files']:,} files differed"), value
    else:
        same(
            "no file differed",
            f"all {rep['files']:,} files of the {rep['cold_builds']} cold builds were byte-identical",
            value,
        )


@check
def num_bench_shortfalls(value: str) -> None:
    b = result("site")["build"]
    paragraphs = [p for p in value.split("\n\n") if p.strip()]
    missed = []
    cold = statistics.median(b["cold_s"])
    if cold > b["goals"]["cold"]:
        median_run = sorted(range(len(b["cold_s"])), key=lambda i: b["cold_s"][i])[len(b["cold_s"]) // 2]
        jobs = [f"`{n}` {s:.0f} s" for n, s in b["slowest"]["cold"][median_run][:5]]
        missed.append((f"**Cold build: {seconds(cold)} against {b['goals']['cold']} s.**", jobs))
    warm = statistics.median(b["warm_s"])
    if warm > b["goals"]["warm"]:
        done, of = b["recomputed"]["warm"][
            sorted(range(len(b["warm_s"])), key=lambda i: b["warm_s"][i])[len(b["warm_s"]) // 2]
        ]
        missed.append((f"**Warm build: {seconds(warm)} against {b['goals']['warm']} s.**", [f"{done} of the {of}"]))
    goal = b["goals"]["one_snippet"]
    for e in b["one_snippet"]:
        median = statistics.median(e["seconds"])
        if median > goal:
            run = sorted(range(len(e["seconds"])), key=lambda i: e["seconds"][i])[len(e["seconds"]) // 2]
            done, of = e["recomputed"][run]
            jobs = [f"`{n}` {s:.0f} s" for n, s in e["slowest"][run][:5]] + [f"{done} of the {of} artifacts"]
            missed.append(
                (
                    f"**A {e['edit']} edit of `{e['path']}`: {seconds(median)} against {goal} s.**",
                    jobs,
                )
            )
    if not missed:
        same("no goal missed", "Every build-time goal is met.", value)
        return
    same("a paragraph per missed build-time goal", len(missed), len(paragraphs))
    unmet = sum(
        r[2] == "**no**"
        for r in parse_table(cached_value("table_bench_goals")).rows
        if r[0].startswith("Site") and "make serve" not in r[0]
    )
    same("missed site goals in the goals table", unmet, len(missed))
    for paragraph, (opening, facts) in zip(paragraphs, missed, strict=True):
        assert paragraph.startswith(opening), f"expected a paragraph opening {opening!r}, got {paragraph[:80]!r}"
        for fact in facts:
            assert fact in paragraph, f"{opening} should name {fact!r} (the median run's profile)"


@check
def num_bench_make_test(value: str) -> None:
    m = result("site")["make_test"]
    pytest_s = float(re.findall(r"\bin ([\d.]+)s", m["summary"])[-1])
    fresh = m["setup_s"] + m["seconds"]
    expected = (
        f"{seconds(fresh)}: the set-up {seconds(m['setup_s'])}, then `make test` {seconds(m['seconds'])}, "
        f"of which pytest {seconds(pytest_s)} ({m['summary']})"
    )
    same("the times and pytest's summary", expected, value)
    claim(pytest_s <= m["seconds"], "pytest's own time is part of make test's", m)


def page_weights() -> list[dict]:
    return result("site")["page_weight"]["pages"]


@check
def table_bench_page_weight(value: str) -> None:
    pages = page_weights()
    t = parse_table(value)
    by_bytes = sorted(pages, key=lambda p: p["bytes"])
    median_page, heaviest = by_bytes[len(pages) // 2], by_bytes[-1]
    same("rows", ["median page", "heaviest page"], t.column(0))
    for row, page in zip(t.rows, (median_page, heaviest), strict=True):
        same(f"{row[0]}: page", f"`{page['path']}`", row[1])
        same(f"{row[0]}: transferred", f"{page['bytes'] / 1024:,.0f} KiB", row[2])
        same(f"{row[0]}: requests", str(page["requests"]), row[3])
    w = result("site")["page_weight"]
    same(
        "the heaviest page against the JSON's worst",
        (w["worst"]["path"], w["worst"]["bytes"]),
        (heaviest["path"], heaviest["bytes"]),
    )
    same(
        "the median page's transfer against num_bench_page_weight_median",
        cached_value("num_bench_page_weight_median"),
        t.rows[0][2],
    )


@check
def num_bench_pages(value: str) -> None:
    w = result("site")["page_weight"]
    same("pages measured", str(len(w["pages"])), value)
    same("total_pages in the JSON", str(w["total_pages"]), value)


@check
def num_bench_page_weight_median(value: str) -> None:
    w = result("site")["page_weight"]
    median = statistics.median(p["bytes"] for p in page_weights())
    same("the median of the pages' transfers", f"{median / 1024:,.0f} KiB", value)
    same("median_bytes in the JSON", f"{w['median_bytes'] / 1024:,.0f} KiB", value)


@check
def num_bench_search_index(value: str) -> None:
    size = result("site")["page_weight"]["search_index_gzip_bytes"]
    same("the search index, gzipped, in the JSON", f"{size / 1024:,.0f} KiB", value)


# ================================================================================================
# Issue 12's values: the corrections' measurements


WHY_PAGE = "value-learning/why-q-learning-breaks-down.md"


@functools.cache
def maze_env():
    from rl4rlhf.gridworld import GridWorld

    return GridWorld(maze())


def open_cells() -> list[int]:
    env = maze_env()
    return [s for s in range(env.observation_space.n) if s not in env.walls and s != env.goal_state]


def policy_evaluation(probs: np.ndarray, gamma: float, sweeps: int = 5_000) -> np.ndarray:
    """Q^π by iterating the Bellman expectation equation on the maze's P (not a linear solve)."""
    env = maze_env()
    q = np.zeros(probs.shape)
    for _ in range(sweeps):
        v = (probs * q).sum(axis=1)
        new = np.zeros_like(q)
        for s in range(q.shape[0]):
            for a in range(q.shape[1]):
                for prob, s2, r, done in env.P[s][a]:
                    new[s, a] += prob * (r + (0.0 if done else gamma * v[s2]))
        if np.abs(new - q).max() < 1e-13:
            return new
        q = new
    raise AssertionError("policy evaluation did not converge")


@functools.cache
def q_star(gamma: float) -> np.ndarray:
    from rl4rlhf.bellman import value_iteration

    return value_iteration(maze_env(), gamma).q


@check
def num_ripple_value_1(value: str) -> None:
    has(DQN_PAGE, "Q ≈ {{ num_ripple_value_1 }}, goal is right here")
    # V* with γ = 1 of a cell k moves from the goal: k - 1 steps at −0.01, then +1.
    rounded("V* one move from the goal", GOAL, 2, value)
    _ripple_against_value_iteration(1, value)


def _ripple_against_value_iteration(k: int, value: str) -> None:
    distances = distances_to_goal(maze())
    v = q_star(1.0).max(axis=1)
    env = maze_env()
    cells = [env.to_state(*cell) for cell, d in distances.items() if d == k]
    assert cells, f"no cell of the maze is {k} moves from the goal"
    for s in cells:
        rounded(f"value iteration's V* of a cell {k} moves away", D(repr(float(v[s]))), 2, value)
    rounded(f"{k - 1} steps at −0.01, then +1", (k - 1) * STEP + GOAL, 2, value)


@check
def num_ripple_value_2(value: str) -> None:
    has(DQN_PAGE, "next cell is ~{{ num_ripple_value_1 }}, so I'm ~{{ num_ripple_value_2 }}")
    _ripple_against_value_iteration(2, value)


@check
def num_ripple_value_4(value: str) -> None:
    has(DQN_PAGE, "cell ahead is ~{{ num_ripple_value_4 }}, so I'm ~{{ num_ripple_value_5 }}")
    _ripple_against_value_iteration(4, value)


@check
def num_ripple_value_5(value: str) -> None:
    _ripple_against_value_iteration(5, value)


@check
def num_dqn_maze_value_range(value: str) -> None:
    match = re.fullmatch(r"(\S+) at the start rising to (\S+) next to the goal", value)
    assert match, f"unexpected text {value!r}"
    gamma = D("0.99")  # the DQN maze config's γ, as the figure's title says
    has_gamma = dataclass_defaults(SNIPPETS / "dqn.py", "DQNConfig")["gamma"]
    same("DQNConfig's γ", 0.99, has_gamma)
    # V*(start): five steps at −0.01, then +1 at the sixth: closed form.
    start = sum(STEP * gamma**k for k in range(5)) + GOAL * gamma**5
    rounded("V*(start) = Σ −0.01·0.99^k + 0.99⁵", start, 2, match.group(1))
    rounded("V* next to the goal", GOAL, 2, match.group(2))


@check
def num_dqn_instability(value: str) -> None:
    match = re.fullmatch(
        r"in (\d+) of (\d+) runs a later evaluation fell back below (\d+) after one had reached it "
        r"\(the largest fall: from ([\d.]+) to ([\d.]+)\)",
        value,
    )
    assert match, f"unexpected text {value!r}"
    fell, runs, threshold = (int(match.group(i)) for i in (1, 2, 3))
    high, low = float(match.group(4)), float(match.group(5))
    same("runs", 3, runs)
    same("threshold", 475, threshold)
    claim(0 < fell <= runs and high >= threshold > low, "a solved policy was lost again", value)
    reached, counted, worst = 0, 0, 0.0
    for seed in range(runs):
        memo = dqn_memo(seed)
        if memo is None:
            continue
        means = [m for _, m in memo["eval_history"]]
        first = next((i for i, m in enumerate(means) if m >= threshold), None)
        if first is None:
            continue
        reached += 1
        later = means[first + 1 :]
        if later and min(later) < threshold:
            counted += 1
            worst = max(worst, max(means) - min(later))
    if reached:
        same("runs that fell, from the recorded evaluations", counted, fell)
        close("the largest fall", worst, high - low, 0.05)


@check
def num_lm_gamma_example_length(value: str) -> None:
    has(RETURN_PAGE, "on a {{ num_lm_gamma_example_length }}-token response")
    claim(parse_int(value) > 1, "a response of several tokens", value)


@check
def num_lm_gamma_example_first(value: str) -> None:
    n = parse_int(cached_value("num_lm_gamma_example_length"))
    rounded(f"0.9^{n - 1}: the first token's weight", D("0.9") ** (n - 1), 2, value)
    claim(parse_number(value) < 1, "γ < 1 credits the last tokens most", value)


@check
def num_lm_mean_baseline_scale(value: str) -> None:
    k = dataclass_defaults(LM_RL_SOURCE, "RLConfig")["responses_per_prompt"]
    same("k from the page's value", str(k), cached_value("num_lm_responses_per_prompt"))
    same("(k − 1)/k", f"(k − 1)/k = {k - 1}/{k}", value)
    # The identity the page states, on numbers: R_i − mean = (k−1)/k (R_i − mean of the others).
    R = np.random.default_rng(0).random(k)
    loo = R - (R.sum() - R) / (k - 1)
    np.testing.assert_allclose(R - R.mean(), (k - 1) / k * loo)


@check
def num_q_learning_episodes(value: str) -> None:
    same(
        "QLearningConfig's episodes",
        f"{dataclass_defaults(SNIPPETS / 'qtable.py', 'QLearningConfig')['episodes']:,}",
        value,
    )


@check
def num_q_learning_pairs_tried(value: str) -> None:
    tried, total = counts(value)
    same("open cells × 4 actions", len(open_cells()) * len(MOVES), total)
    rows = parse_table(cached_value("table_q_learning_tries")).rows
    claim(tried >= sum(parse_int(r[1]) > 0 for r in rows), "every action tried at the start is counted", value)
    claim(tried <= total, "a count of pairs", value)


@check
def table_q_learning_tries(value: str) -> None:
    has(WHY_PAGE, "{{ table_q_learning_tries }}")
    t = parse_table(value)
    same("actions", list(MOVES), [r[0] for r in t.rows])
    episodes = parse_int(cached_value("num_q_learning_episodes"))
    tries = [parse_int(r[1]) for r in t.rows]
    claim(sum(tries) >= episodes, "every episode starts at the start, so it acts there at least once each", tries)
    q = [parse_number(r[2]) for r in t.rows]
    negative = [n for n, x in zip(tries, q, strict=True) if x < 0]
    claim(bool(negative) and min(negative) >= 2, "the moves with negative Q were tried again and again", t.rows)
    # The start's best moves (down, right) are worth V*(start) = 2·0.99⁵ − 1 at most... as learned so far.
    best = float(2 * D("0.99") ** 5 - 1)
    claim(max(q) <= best + 0.005, "no Q-value above the optimal value of the start", q)


@check
def table_q_learning_estimates(value: str) -> None:
    has(Q_PAGE, "{{ table_q_learning_estimates }}")
    t = parse_table(value)
    same("actions", list(MOVES), [r[0] for r in t.rows])
    gamma, eps = 0.99, 0.1
    star = q_star(gamma)
    best = np.isclose(star, star.max(axis=1, keepdims=True))
    probs = eps / 4 + (1 - eps) * best / best.sum(axis=1, keepdims=True)  # ε-greedy as the agent plays it
    q_eps = policy_evaluation(probs, gamma)  # iterated, not the figure's linear solve
    start = maze_env().start_state
    for a, row in enumerate(t.rows):
        rounded(f"Q*(start, {row[0]})", D(repr(float(star[start, a]))), 2, row[1])
        rounded(f"Q^ε(start, {row[0]})", D(repr(float(q_eps[start, a]))), 2, row[3])
        learned = parse_number(row[2])
        claim(abs(learned - parse_number(row[1])) <= 0.01, "Q-learning's values are Q*", row)
        claim(abs(learned - parse_number(row[3])) > 0.1, "not the ε-greedy policy's values", row)


@check
def num_q_value_wave_alt(value: str) -> None:
    assert value.startswith("Four heatmaps of the 4x4 maze after episodes 1, 10, 100 and 1000"), value
    match = re.search(r"After episode 1, 1 cell holds a positive value \(\((\d),(\d)\): ([\d.]+)\)", value)
    assert match, f"episode 1 should leave exactly one positive cell: {value!r}"
    cell = (int(match.group(1)), int(match.group(2)))
    claim(distances_to_goal(maze())[cell] == 1, "the positive cell is next to the goal", cell)
    alpha = dataclass_defaults(SNIPPETS / "qtable.py", "QLearningConfig")["alpha"]
    rounded("α · 1: one update towards the goal's +1", D(repr(alpha)) * GOAL, 2, match.group(3))
    last = re.search(r"after 1000 every open cell holds a value between ([\d.]+) and ([\d.]+)", value)
    assert last, value
    lo, hi = float(last.group(1)), float(last.group(2))
    v_star = q_star(0.99).max(axis=1)[open_cells()]
    close("the lowest value after 1000 episodes vs V*", float(v_star.min()), lo, 0.03)
    close("the highest", float(v_star.max()), hi, 0.005)
    start = re.search(r"after 100 the start cell holds ([\d.]+)", value)
    assert start, value
    claim(float(start.group(1)) <= float(v_star.max()), "a value no higher than the best", value)


@check
def num_scoring_cost_grid_counts(value: str) -> None:
    has(
        WHY_PAGE,
        "argmax over Q needs {{ num_scoring_cost_grid_counts }} evaluations for grids of 1, 0.1, 0.01 and 0.001",
    )
    expected = [f"{int(D(45) / D(step)) + 1:,}" for step in ("1", "0.1", "0.01", "0.001")]
    same("45 / step + 1 angles per grid", ", ".join(expected[:-1]) + " and " + expected[-1], value)


@check
def num_steering_sample(value: str) -> None:
    has(PG_PAGE, "Sample → {{ num_steering_sample }}")
    assert value.endswith("°"), value
    draw = np.random.default_rng(0).normal(23.5, 2.0)  # the build's seed, the post's bell curve
    same("the figure's sample, to one decimal", f"{draw:.1f}°", value)
    claim(abs(parse_number(value[:-1]) - 23.5) < 4 * 2.0, "a sample from mean 23.5°, std 2°", value)


def halfway_probs() -> np.ndarray:
    """The page's half-trained policy: logit 1 on one shortest-path move per cell, 0 elsewhere."""
    star = q_star(1.0)
    logits = np.zeros_like(star)
    logits[np.arange(len(star)), star.argmax(axis=1)] = 1.0
    e = np.exp(logits)
    return e / e.sum(axis=1, keepdims=True)


def j_of(logits: np.ndarray, gamma: float) -> float:
    """J = V^π(start) of a softmax policy, by iterated policy evaluation (no autograd, no linear solve)."""
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs = e / e.sum(axis=1, keepdims=True)
    q = policy_evaluation(probs, gamma)
    return float((probs * q).sum(axis=1)[maze_env().start_state])


@check
def table_pg_estimators(value: str) -> None:
    has(PG_PAGE, "logit 1 on each cell's shortest-path move, 0 elsewhere; γ = 0.9")
    has(PG_PAGE, "over 50,000 sampled episodes")
    from rl4rlhf.reinforce import MAZE_CONFIG

    from figures.policy_gradient_runs import ESTIMATE_EPISODES

    same("the episodes the page states", 50_000, ESTIMATE_EPISODES)
    same("the maze's γ the page states", 0.9, MAZE_CONFIG.gamma)
    t = parse_table(value)
    exact = t.rows[0]
    assert exact[0].startswith("exact"), exact
    gamma = 0.9
    star = q_star(1.0)
    logits = np.zeros_like(star)
    logits[np.arange(len(star)), star.argmax(axis=1)] = 1.0
    j = re.search(r"J = ([+\-\u2212][\d.]+)", exact[0])
    assert j, exact[0]
    close("J, by policy evaluation", j_of(logits, gamma), parse_number(j.group(1)), 1e-4)
    start, eps = maze_env().start_state, 1e-5
    for col, action in ((1, list(MOVES).index("down")), (2, list(MOVES).index("right"))):
        up, down = logits.copy(), logits.copy()
        up[start, action] += eps
        down[start, action] -= eps
        numeric = (j_of(up, gamma) - j_of(down, gamma)) / (2 * eps)  # finite differences
        close(f"∂J/∂θ[start, {list(MOVES)[action]}]", numeric, parse_number(exact[col]), 1e-4)
    names = {"$G_0$": "G_0", "$G_t$": "G_t", "$\\gamma^t G_t$": "γ^t G_t", "$\\gamma^t (G_t - V(s_t))$": "baseline"}
    same("weights", list(names), [r[0] for r in t.rows[1:]])
    rows = {names[r[0]]: r for r in t.rows[1:]}
    gaps = {name: parse_number(r[3].split()[0]) for name, r in rows.items()}
    for name in ("G_0", "γ^t G_t", "baseline"):
        claim(gaps[name] < 4.5, f"{name} lands on the exact gradient within the noise", gaps)
        for col in (1, 2):  # each shown estimate is within 4.5 of its standard errors of the exact value
            mean, sem = (parse_number(x) for x in rows[name][col].split("±"))
            claim(abs(mean - parse_number(exact[col])) <= 4.5 * sem, f"{name} is unbiased", rows[name][col])
    claim(gaps["G_t"] > 10, "plain G_t lands far from it", gaps)
    sem = {name: [parse_number(r[c].split("±")[1]) for c in (1, 2)] for name, r in rows.items()}
    claim(
        all(b < 0.5 * g for b, g in zip(sem["baseline"], sem["G_0"], strict=True)),
        "less than half the standard error of G_0's",
        sem,
    )


@check
def table_credit_one_episode(value: str) -> None:
    has(PG_PAGE, "makes three good moves along the top row, then crashes three times into the edges at (0, 3)")
    has(PG_PAGE, "the change one gradient step of size 0.1 makes")
    has(PG_PAGE, "CartPole stops every episode at 500 steps, and the maze at 100 moves")
    import gymnasium as gym

    from figures.policy_gradient_runs import TABLE_LR

    same("the step size the page states", 0.1, TABLE_LR)
    same("CartPole-v1's time limit", 500, gym.spec("CartPole-v1").max_episode_steps)
    same("the maze's time limit", 100, maze_env().max_steps)
    t = parse_table(value)
    gamma, lr = D("0.9"), 0.1
    probs = halfway_probs()
    q = policy_evaluation(probs, 0.9)
    v = (probs * q).sum(axis=1)  # V^π of the half-trained policy
    env = maze_env()
    cells = [tuple(int(x) for x in r[1].rpartition(",")[0].strip("()").split(",")) for r in t.rows]
    actions = [r[1].rpartition(", ")[2] for r in t.rows]
    same("the episode", ["right"] * 3 + ["up", "right", "up"], actions)
    # Replay with the grid rules: rewards, and where the time limit cuts it.
    cell, rewards = find(maze(), "S"), []
    for shown, action in zip(cells, actions, strict=True):
        same("cell", cell, shown)
        cell, reward = grid_step(maze(), cell, action)
        rewards.append(reward)
    for r, reward in zip(t.rows, rewards, strict=True):
        rounded("reward", reward, 2, r[2], sign=True)
    last = float(v[env.to_state(*cell)])  # the cut: G_t bootstraps from V(s_T)
    signs = {1: [], 2: [], 3: []}
    for i, r in enumerate(t.rows):
        s = env.to_state(*cells[i])
        a = list(MOVES).index(actions[i])
        g = float(discounted(rewards[i:], gamma)) + 0.9 ** (len(rewards) - i) * last
        s_next = env.to_state(*(cells[i + 1] if i + 1 < len(cells) else cell))
        expected = {1: g, 2: g - v[s], 3: float(rewards[i]) + 0.9 * v[s_next] - v[s]}
        close("V(s_t)", float(v[s]), parse_number(r[3]), 0.005)
        for k, w in expected.items():
            weight_text, _, push_text = r[3 + k].partition(" (")
            weight, push = parse_number(weight_text), parse_number(push_text.rstrip(")"))
            close(f"row {i} weight {k}", w, weight, 0.006)
            # One gradient step on −w log π(a|s) moves the logit of a by lr · w · (1 − π(a|s)).
            close(f"row {i} push {k}", lr * w * (1 - probs[s, a]), push, 0.0006)
            signs[k].append(push > 0)
    claim(not any(signs[1]), "with Ψ_t = G_t every action is pushed down", signs[1])
    claim(signs[3] == [True] * 3 + [False] * 3, "the one-step advantage raises the good moves only", signs[3])


def cartpole_variants() -> dict[tuple[bool, bool], dict]:
    """(weight_by_gamma_t, bootstrap_truncated) -> that variant's block of reinforce_cartpole.json."""
    data = result("reinforce_cartpole")
    return {
        (v["config"]["weight_by_gamma_t"], v["config"]["bootstrap_truncated"]): v for v in data["variants"].values()
    }


def episodes_to_solve(variant: dict) -> list[float]:
    """Each seed's episodes to solve in one variant of reinforce_cartpole.json; inf for an unsolved seed."""
    return [math.inf if r["episodes_to_solve"] is None else r["episodes_to_solve"] for r in variant["runs"]]


def exact_one_sided_p(a: list[float], b: list[float]) -> float:
    """P(rank sum of a group of len(a) <= a's), over every split of the pooled results: a Monte
    Carlo-free reference for the page's rank test, by brute force over permutations' rank sums."""
    import itertools

    pooled = [*a, *b]
    ranks = [1 + sum(y < x for y in pooled) + 0.5 * (sum(y == x for y in pooled) - 1) for x in pooled]
    observed = sum(ranks[: len(a)])
    groups = list(itertools.combinations(ranks, len(a)))
    return sum(sum(g) <= observed + 1e-9 for g in groups) / len(groups)


@check
def table_gamma_t_cartpole(value: str) -> None:
    has(PG_PAGE, "{{ table_gamma_t_cartpole }}")
    table_text, _, note = value.partition("\n\n")
    t = parse_table(table_text)
    variants = cartpole_variants()
    defaults = dataclass_defaults(SNIPPETS / "reinforce.py", "ReinforceConfig")
    same("four variants", 4, len(t.rows))
    for row in t.rows:
        gamma_t = row[0].startswith("$\\gamma^t")
        bootstrap = row[1] == "bootstrap from $V(s_T)$"
        v = variants[(gamma_t, bootstrap)]
        default = (gamma_t, bootstrap) == (defaults["weight_by_gamma_t"], defaults["bootstrap_truncated"])
        same("the default marker", default, row[0].endswith("(default)"))
        solved = [r["episodes_to_solve"] for r in v["runs"] if r["episodes_to_solve"] is not None]
        same("seeds solved", f"{len(solved)} of {len(v['runs'])}", row[2])
        median = statistics.median(episodes_to_solve(v))
        same("median episodes", "never" if median == math.inf else f"{median:g}", row[3])
        claim(row[4].startswith(f"{min(solved)}–{max(solved)}"), "the fastest and slowest solved seed", row[4])
        for r in v["runs"]:  # the recorded outcome: solved means the running reward passed 475
            claim((r["episodes_to_solve"] is not None) == (r["final_running_reward"] > 475), "solved runs", r)
    claim("10 seeds per row" in note, "ten seeds", note)


@check
def num_time_limit_verdict(value: str) -> None:
    variants = cartpole_variants()
    gamma_t = dataclass_defaults(SNIPPETS / "reinforce.py", "ReinforceConfig")["weight_by_gamma_t"]
    eps = {b: episodes_to_solve(variants[(gamma_t, b)]) for b in (True, False)}
    p = exact_one_sided_p(eps[False], eps[True])
    match = re.search(r"p = ([\d.]+)$", value)
    assert match, value
    rounded("the one-sided rank test", D(repr(p)), 2, match.group(1))
    for b, text in ((True, "bootstrapping"), (False, "treating the limit as the end")):
        solved = sum(x != math.inf for x in eps[b])
        claim(f"{text} solved {solved} of 10" in value or f"{text} {solved} of 10" in value, f"{text}'s count", value)
    claim(p >= 0.05, "the difference is within the noise of ten seeds", p)


@check
def table_gamma_t_maze(value: str) -> None:
    has(PG_PAGE, "{{ table_gamma_t_maze }}")
    t = parse_table(value)
    same("two weights", 2, len(t.rows))
    claim(t.rows[0][0].endswith("(default)") and "no $\\gamma^t$" in t.rows[0][0], "the default drops γ^t", t.rows[0])
    for row in t.rows:
        k, n = counts(row[1])
        same("seeds", 10, n)
        claim(parse_number(row[3]) <= 0.95 + 1e-9, "no episode returns more than the shortest path's 0.95", row)
    maze_eps = [parse_number(r[2]) for r in t.rows]
    claim(maze_eps[0] < maze_eps[1], "dropping γ^t reached the threshold sooner on the maze", maze_eps)
    # Where the build kept the runs, recount from their records (never retrain).
    import dataclasses

    from rl4rlhf.reinforce import MAZE_CONFIG

    from figures.policy_gradient_runs import run_path

    for row, gamma_t in zip(t.rows, (False, True), strict=True):
        paths = [run_path(dataclasses.replace(MAZE_CONFIG, seed=s, weight_by_gamma_t=gamma_t)) for s in range(10)]
        if not all(path.is_file() for path in paths):
            continue
        runs = [json.loads(path.read_text(encoding="utf-8")) for path in paths]
        same("seeds whose greedy return is 0.95", f"{sum(r['greedy_return'] == 0.95 for r in runs)} of 10", row[1])
        firsts = [next((i + 1 for i, x in enumerate(r["running_rewards"]) if x > 0.9), math.inf) for r in runs]
        same("median episodes until the running return > 0.9", f"{statistics.median(firsts):g}", row[2])
        last = np.mean([np.mean(r["episode_returns"][-100:]) for r in runs])
        same("mean return of the last 100 episodes", f"{last:+.3f}", row[3])


@check
def num_gamma_t_verdict(value: str) -> None:
    rows = parse_table(cached_value("table_gamma_t_maze")).rows
    medians = re.search(r"median of ([\d.]+) episodes against ([\d.]+) with it", value)
    assert medians, value
    same("the maze medians, as in the table", [rows[0][2], rows[1][2]], [medians.group(1), medians.group(2)])
    variants = cartpole_variants()
    bootstrap = dataclass_defaults(SNIPPETS / "reinforce.py", "ReinforceConfig")["bootstrap_truncated"]
    eps = {g: episodes_to_solve(variants[(g, bootstrap)]) for g in (False, True)}
    p = re.search(r"p = ([\d.]+)\)$", value)
    assert p, value
    rounded("CartPole's one-sided rank test", D(repr(exact_one_sided_p(eps[False], eps[True]))), 2, p.group(1))
    for g in (False, True):
        solved = sum(x != math.inf for x in eps[g])
        claim(f"{solved} of 10" in value, "CartPole's solved counts", value)


# ================================================================================================
# The bug gallery (docs/bugs.md): each diff against the two files' own text, each claim as the page
# states it, and the numbers against the runs' records where the build kept them (never retrained).

BUGS_PAGE = "bugs.md"
BUG_FILES = {  # bug -> the file of the correct code
    "no_terminal_mask": "snippets/dqn.py",
    "no_zero_grad": "snippets/dqn.py",
    "target_update_backwards": "snippets/dqn.py",
    "forward_returns": "snippets/returns.py",
    "loss_sign": "snippets/reinforce.py",
    "ties_to_first": "snippets/qtable.py",
}


def _bug_diff(bug: str, value: str) -> None:
    has(BUGS_PAGE, f"{{{{ table_bug_diff_{bug} }}}}")
    lines = value.splitlines()
    same("the fence", ("```diff", "```"), (lines[0], lines[-1]))
    header, body = lines[1:3], lines[3:-1]
    files = header[0].startswith(f"--- {BUG_FILES[bug]}:") and header[1].startswith("+++ snippets/bugs.py:")
    claim(files, "the two files", header)
    claim(body[0].startswith("@@"), "one hunk", body[:1])
    removed = [line[1:] for line in body[1:] if line.startswith("-")]
    added = [line[1:] for line in body[1:] if line.startswith("+")]
    claim(len(removed) <= 1 and len(added) <= 1 and removed + added, "exactly one line changed", (removed, added))
    correct = (REPO / BUG_FILES[bug]).read_text(encoding="utf-8").splitlines()
    broken = (REPO / "snippets" / "bugs.py").read_text(encoding="utf-8").splitlines()
    claim(all(line in correct and line not in broken for line in removed), "the line removed is the correct's", removed)
    claim(all(line in broken and line not in correct for line in added), "the added line is the broken copy's", added)
    context = [line[1:] for line in body[1:] if line.startswith(" ")]
    claim(all(line in correct and line in broken for line in context), "the context is in both", context)


@check
def table_bug_diff_no_terminal_mask(value: str) -> None:
    _bug_diff("no_terminal_mask", value)
    removed = [line for line in value.splitlines() if line.startswith("-") and not line.startswith("---")]
    claim(len(removed) == 1 and "(1.0 - terminated)" in removed[0], "the mask is the line removed", value)


@check
def table_bug_diff_no_zero_grad(value: str) -> None:
    _bug_diff("no_zero_grad", value)
    added = [line for line in value.splitlines() if line.startswith("+") and not line.startswith("+++")]
    claim("\n-    optimizer.zero_grad()\n" in value and not added, "zero_grad deleted, nothing added", value)


@check
def table_bug_diff_target_update_backwards(value: str) -> None:
    _bug_diff("target_update_backwards", value)
    claim("-            target_param.lerp_(param, tau)" in value, "the target moved to the online net", value)
    claim("+            param.lerp_(target_param, tau)" in value, "the broken copy moves the online net", value)


@check
def table_bug_diff_forward_returns(value: str) -> None:
    _bug_diff("forward_returns", value)
    claim("-    for t in reversed(range(len(rewards))):" in value, "the backward loop is the line removed", value)


@check
def table_bug_diff_loss_sign(value: str) -> None:
    _bug_diff("loss_sign", value)
    removed = next(line for line in value.splitlines() if line.startswith("-    return"))
    added = next(line for line in value.splitlines() if line.startswith("+    return"))
    expression = removed[1:].split("#")[0].replace("-(", "(")
    same("the returned expression, the minus aside", expression, added[1:].split("#")[0])


@check
def table_bug_diff_ties_to_first(value: str) -> None:
    _bug_diff("ties_to_first", value)
    added = [line for line in value.splitlines() if line.startswith("+") and not line.startswith("+++")]
    claim(len(added) == 1 and "np.argmax" in added[0], "the broken line takes argmax's first maximum", value)


def _bug_record(kind: str, seed: int, bug: str | None) -> dict | None:
    from figures.bugs_runs import run_path

    path = run_path(kind, seed, bug)
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def _triples(value: str) -> list[list[float]]:
    """Every run of three comma-separated numbers in ``value``, in order."""
    triple = r"(−?-?[\d.]+), (−?-?[\d.]+),? (?:and )?(−?-?[\d.]+)"
    return [[parse_number(x) for x in m] for m in re.findall(triple, value)]


@check
def num_bug_no_terminal_mask(value: str) -> None:
    has(BUGS_PAGE, "{{ num_bug_no_terminal_mask }}")
    wrong, right = _triples(value)[:2]
    gamma = D(str(dataclass_defaults(SNIPPETS / "dqn.py", "DQNConfig")["gamma"]))
    v_start = discounted([STEP] * 5 + [GOAL], gamma)  # the shortest path: six moves
    m = re.search(r"V\*\(start\) = ([\d.]+)$", value)
    assert m, value
    rounded("V*(start)", v_start, 2, m.group(1))
    claim(all(q > 1.5 * float(v_start) for q in wrong), "Q(start) is far too high without the mask", wrong)
    claim(all(abs(q - float(v_start)) < 0.1 for q in right), "Q(start) is right with the mask", right)
    for i, (w, r) in enumerate(zip(wrong, right, strict=True)):
        for bug, shown in (("no_terminal_mask", w), (None, r)):
            record = _bug_record("dqn", i, bug)
            if record:  # the maze's start is its top-left cell, state 0
                same(f"seed {i}'s Q(start)", f"{record['q_after'][0]:.2f}", f"{shown:.2f}")


def _final_dqn_returns(value: str, bug: str) -> None:
    wrong = _triples(value)[0]
    claim(all(r < 0.95 for r in wrong), "no run with the bug ends on the shortest path (0.95)", wrong)
    for i, shown in enumerate(wrong):
        record = _bug_record("dqn", i, bug)
        if record:
            same(f"seed {i}'s final greedy return", f"{record['eval_history'][-1][1]:.2f}", f"{shown:.2f}")


@check
def num_bug_no_zero_grad(value: str) -> None:
    has(BUGS_PAGE, "{{ num_bug_no_zero_grad }}")
    _final_dqn_returns(value, "no_zero_grad")
    same("the correct runs' final greedy returns", [0.95] * 3, _triples(value)[1])


@check
def num_bug_target_update_backwards(value: str) -> None:
    has(BUGS_PAGE, "{{ num_bug_target_update_backwards }}")
    _final_dqn_returns(value, "target_update_backwards")
    ending = "every Q-value is exactly the untrained network's"
    claim(value.endswith(ending), "the trained network is the untrained one", value)
    for seed in range(3):
        record = _bug_record("dqn", seed, "target_update_backwards")
        if record:
            same(f"seed {seed}: Q after training", record["q_before"], record["q_after"])


def _cartpole_bug(value: str, bug: str) -> None:
    has(BUGS_PAGE, f"{{{{ num_bug_{bug} }}}}")
    wrong_last, wrong_first, right_last = _triples(value)
    claim(all(a < b for a, b in zip(wrong_last, wrong_first, strict=True)), "every run ends worse than it began", value)
    claim(all(r > 3 * w for r, w in zip(right_last, wrong_last, strict=True)), "the correct code ends 3x higher", value)
    for seed in range(3):
        records = _bug_record("reinforce", seed, bug), _bug_record("reinforce", seed, None)
        if all(records):
            wrong, right = (np.array(r["episode_returns"]) for r in records)  # type: ignore[index]
            same(f"seed {seed}'s last 20 with the bug", f"{wrong[-20:].mean():.1f}", f"{wrong_last[seed]:.1f}")
            same(f"seed {seed}'s first 20 with the bug", f"{wrong[:20].mean():.1f}", f"{wrong_first[seed]:.1f}")
            same(f"seed {seed}'s last 20, correct", f"{right[-20:].mean():.0f}", f"{right_last[seed]:.0f}")


@check
def num_bug_forward_returns(value: str) -> None:
    _cartpole_bug(value, "forward_returns")


@check
def num_bug_loss_sign(value: str) -> None:
    _cartpole_bug(value, "loss_sign")


@check
def num_bug_ties_to_first(value: str) -> None:
    has(BUGS_PAGE, "{{ num_bug_ties_to_first }}")
    right, reached = _triples(value)
    episodes = dataclass_defaults(SNIPPETS / "qtable.py", "QLearningConfig")["episodes"]
    claim(f"of the {episodes} episodes reach the goal" in value, "the Q-function page's episode count", value)
    claim(all(1 <= r <= 20 for r in right), "the correct code is optimal within a few episodes", right)
    claim(all(0 <= n <= 5 for n in reached), "almost no episode with the bug reaches the goal", reached)
    claim("it never is" in value, "the bug never finds the shortest path", value)
    for seed in range(3):
        wrong, correct = _bug_record("qlearning", seed, "ties_to_first"), _bug_record("qlearning", seed, None)
        if wrong and correct:
            same(f"seed {seed}: episodes to optimal", correct["episodes_to_optimal"], int(right[seed]))
            same(f"seed {seed}: never optimal with the bug", None, wrong["episodes_to_optimal"])
            at_goal = sum(n < wrong["max_steps"] for n in wrong["episode_lengths"])
            same(f"seed {seed}: episodes at the goal", at_goal, int(reached[seed]))


# ================================================================================================
# The tests


def _params() -> list:
    return [
        pytest.param(name, marks=pytest.mark.xfail(strict=True, raises=AssertionError, reason=KNOWN_FALSE[name]))
        if name in KNOWN_FALSE
        else name
        for name in sorted(CHECKS)
    ]


@pytest.mark.parametrize("name", _params())
def test_value_matches_its_check(name: str, built_site: Path) -> None:
    """The value the build computed (and put on a page) passes its independent check."""
    CHECKS[name](cached_value(name))


def test_every_value_has_a_check() -> None:
    """Every num_*/table_* function of figures/ has a check here, and every check a function."""
    defined = set(value_artifacts())
    unchecked, stale = sorted(defined - set(CHECKS)), sorted(set(CHECKS) - defined)
    assert not unchecked, f"value functions with no check in tests/test_values.py CHECKS: {', '.join(unchecked)}"
    assert not stale, f"checks in tests/test_values.py for values figures/ no longer defines: {', '.join(stale)}"


def bump_digit(text: str, which: int = -1) -> str:
    """``text`` with one digit changed (the last one by default): 0.99 -> 0.90."""
    positions = [i for i, ch in enumerate(text) if ch.isdigit()]
    i = positions[which]
    return text[:i] + str((int(text[i]) + 1) % 10) + text[i + 1 :]


def in_cell(row: int, col: int, mutate: Callable[[str], str] = bump_digit) -> Callable[[str], str]:
    """Change one cell of a Markdown table: body row ``row``, column ``col``."""

    def change(table: str) -> str:
        lines = table.split("\n")
        parts = lines[row + 2].split("|")
        parts[col + 1] = mutate(parts[col + 1])
        lines[row + 2] = "|".join(parts)
        return "\n".join(lines)

    return change


def other_action(cell: str) -> str:
    current = cell.strip()
    return f" {next(a for a in MOVES if a != current)} "


# A sample of checks, each kind of value, with a wrong value made from the right one.
WRONG = {
    "num_return_a_to_goal": bump_digit,  # the post's arithmetic
    "num_bad_episode_return": lambda v: bump_digit(v, 0),
    "num_td_loss_unrounded": bump_digit,
    "num_goal_ten_steps_away_exact": bump_digit,
    "num_maze_optimal_value_gamma_099": bump_digit,  # maze values
    "num_maze_optimal_return": bump_digit,
    "table_maze_shortest_path": bump_digit,
    "table_qtable_episode_100": in_cell(0, 5, other_action),
    "table_greedy_trap": in_cell(0, 3),
    "table_rps": in_cell(0, 2),
    "table_post_episodes": in_cell(0, 5),
    "table_scoring_cost": in_cell(3, 1),
    "num_maze_seeds_optimal_within_100": lambda v: bump_digit(v, 0),
    "table_dqn_cartpole_seeds": in_cell(0, 1),  # a training run's table
    "num_dqn_cartpole_success": bump_digit,
    "num_lm_parameters": bump_digit,  # the language model
    "num_lm_vocab": bump_digit,
    "table_lm_samples": in_cell(0, 2),
    "table_lm_scoring_cost": bump_digit,
    "num_lm_credit_and": bump_digit,
    "num_bench_goals_met": bump_digit,  # benchmarks
    "table_bench_dqn": in_cell(0, 4),
    "table_bench_reinforce": in_cell(0, 2),
    "table_bench_tabular": in_cell(0, 1),
    "table_bench_dqn_widths": in_cell(1, 1),
    "table_bench_build": in_cell(0, 2),
    "num_bench_page_weight_median": lambda v: bump_digit(v, 0),
}


@pytest.mark.parametrize("name", sorted(WRONG))
def test_checks_reject_a_wrong_value(name: str, built_site: Path) -> None:
    """A check is worth something only if a wrong value fails it."""
    right = cached_value(name)
    wrong = WRONG[name](right)
    assert wrong != right, f"{name}: the mutation changed nothing"
    with pytest.raises(AssertionError, match=re.escape(name)):
        CHECKS[name](wrong)


def test_parsers() -> None:
    same(
        "numbers",
        [0.99, -0.5, 0.98, 1823.0, 50000.0],
        [parse_number(x) for x in ("0.99", "\u22120.50", "+0.98", "1,823", "50,000")],
    )
    same("numbers in text", [20000.0, 20000.0, 0.0, 9.0, -1.5], numbers_in("20,000, 20,000; seeds 0–9; −1.5"))
    for bad in ("1,82", "abc", "1.2.3", ""):
        with pytest.raises(ValueError):
            parse_number(bad)
    t = parse_table("| a | b |\n|:---|---:|\n| 1 | x \\| y |")
    same("table", Table(["a", "b"], [":---", "---:"], [["1", "x | y"]]), t)
    for bad in ("| a | b |\n| 1 | 2 |", "| a | b |\n|---|---|\n| 1 |", "a | b\n---|---"):
        with pytest.raises(ValueError):
            parse_table(bad)
    same("rounding an exact tie", {"0.0742", "0.0743"}, roundings(D("0.07425"), 4))
    same("rounding with a sign", {"-2.04"}, roundings(D("-2.04"), 2, sign=True))


# ================================================================================================
# Data: a widget's table (``data_<name>(seed)``, served as ``data/<name>.json``). The page shows its
# numbers only through the widget, so each gets a check of the whole table as the site serves it,
# against exact arithmetic on the episodes as the pages state them (tests/test_discount_widget.py
# checks what the widget shows against rl4rlhf.returns in a browser).

DataCheckFn = Callable[[Any], None]
DATA_CHECKS: dict[str, DataCheckFn] = {}


def data_check(fn: DataCheckFn) -> DataCheckFn:
    assert fn.__name__ not in DATA_CHECKS, f"two checks for {fn.__name__}"
    DATA_CHECKS[fn.__name__] = fn
    return fn


@data_check
def data_discounting(table: Any) -> None:
    decimals = table["decimals"]
    same("decimals the widget shows", 4, decimals)
    gammas = [D(i, 100) for i in range(101)]  # 0.00 to 1.00 in steps of 0.01, as the page says
    same("the grid of γ", [float(g) for g in gammas], table["gamma"])
    moves = distances_to_goal(maze())[find(maze(), "S")]
    episodes = {  # the return page's three episodes, as it states them
        "a_to_goal": [STEP, GOAL],
        "goal_ten_steps_away": [D(0)] * 10 + [GOAL],
        "maze_shortest_path": [STEP] * (moves - 1) + [GOAL],
    }
    same("episodes", list(episodes), [e["id"] for e in table["episodes"]])
    for episode in table["episodes"]:
        same(f"{episode['id']}: rewards", [float(r) for r in episodes[episode["id"]]], episode["rewards"])
    same("k", list(range(11)), table["k"])
    for i, g in enumerate(gammas):
        for name, rewards in episodes.items():
            shown = f"{table['returns'][name][i]:.{decimals}f}"
            rounded(f"{name}: return at γ = {float(g):.2f}", discounted(rewards, g), decimals, shown)
        for k in table["k"]:
            rounded(f"weight γ^{k} at γ = {float(g):.2f}", g**k, decimals, f"{table['weights'][i][k]:.{decimals}f}")
    same("the widget's 0.9^10", cached_value("num_goal_ten_steps_away_exact"), f"{table['weights'][90][10]:.4f}")


@data_check
def data_q_learning_wave(wave: Any) -> None:
    """The Q-function page's wave widget: the layout, every episode's return against the maze's rewards,
    the last greedy policy against a breadth-first search, and every snapshot against a rerun of
    ``rl4rlhf.qtable.q_learning`` with the page's settings (``QLearningConfig``, seed 0)."""
    from rl4rlhf.gridworld import GridWorld
    from rl4rlhf.qtable import QLearningConfig, q_learning

    layout, decimals, actions = maze(), wave["decimals"], list(MOVES)
    same("decimals the widget shows", 2, decimals)
    rows, cols = len(layout), len(layout[0])
    same("the grid", (rows, cols), (wave["rows"], wave["cols"]))
    cell = {(r, c): r * cols + c for r in range(rows) for c in range(cols)}
    walls = sorted(cell[rc] for rc in cell if layout[rc[0]][rc[1]] == "#")
    same(
        "walls, start, goal",
        (walls, cell[find(layout, "S")], cell[find(layout, "G")]),
        (wave["walls"], wave["start"], wave["goal"]),
    )
    same("action names", actions, wave["actions"])
    same("the static figure's episodes", [1, 10, 100, 1000], wave["marked"])
    episodes = len(wave["returns"])
    same("episodes", 1000, episodes)
    same("snapshots 0 to 1000", (episodes + 1, episodes + 1), (len(wave["v"]), len(wave["greedy"])))
    same("before any episode, Q is 0", [0.0] * (rows * cols), wave["v"][0])
    same("before any episode, every tie goes to up", [0] * (rows * cols), wave["greedy"][0])
    for e, (ret, steps) in enumerate(zip(wave["returns"], wave["lengths"], strict=True), start=1):
        # steps moves, reached the goal or not (then the 100-move limit cut it): some number of bumps
        # at −1, the other moves at −0.01, and +1 into the goal.
        ok = [g for g in (0, 1) if g or steps == 100]
        fits = [(D(str(ret)) - g * GOAL - (steps - g) * STEP) / (WALL - STEP) for g in ok]
        claim(any(b.denominator == 1 and 0 <= b <= steps for b in fits), f"episode {e}: a return of its moves", ret)
    here, moves = find(layout, "S"), 0
    while layout[here[0]][here[1]] != "G" and moves < rows * cols:
        here, _ = grid_step(layout, here, actions[wave["greedy"][-1][cell[here]]])
        moves += 1
    same(
        "after 1000 episodes, greedy from S takes a shortest path", distances_to_goal(layout)[find(layout, "S")], moves
    )
    config = QLearningConfig()
    run = q_learning(
        GridWorld(layout),
        episodes=episodes,
        alpha=config.alpha,
        gamma=config.gamma,
        epsilon=config.epsilon,
        seed=0,
        snapshots=range(episodes + 1),
    )
    for e in range(episodes + 1):
        q = run.snapshots[e]
        shown = [f"{x:.{decimals}f}" for x in wave["v"][e]]
        same(f"episode {e}: max_a Q", [f"{x:.{decimals}f}".replace("-0.00", "0.00") for x in q.max(axis=1)], shown)
        same(
            f"episode {e}: greedy actions (ties to the first)",
            [int(a) for a in np.argmax(q, axis=1)],
            wave["greedy"][e],
        )
    same("returns", [f"{r:.{decimals}f}" for r in run.episode_returns], [f"{r:.{decimals}f}" for r in wave["returns"]])
    same("lengths", [int(n) for n in run.episode_lengths], wave["lengths"])


@data_check
def data_lm_training(table: Any) -> None:
    """The training widget's table against the page's run (seed 0): its first and last distributions
    recomputed here from the run's two models (one softmax), every other one against the distribution the
    run recorded after each update, and the mean rewards against the run's."""
    decimals, tokens = table["decimals"], corpus_tokens()
    same("decimals the widget shows", 3, decimals)
    same("prompt", "the cat sat on the", table["prompt"])
    same("the page's seed", 0, table["seed"])
    same("responses per update", cached_value("num_lm_responses_per_update"), str(table["responses_per_update"]))
    updates = int(cached_value("num_lm_rl_updates"))
    same("a distribution before the first update and after each", updates + 1, len(table["steps"]))
    same("a mean reward per update", updates, len(table["mean_rewards"]))
    from rl4rlhf.lm_rl import KIND_WORDS, UNKIND_WORDS  # the reward model's word lists (data)

    shown = {t for step in table["steps"] for t in step["tokens"]}
    same("kind words shown", sorted(shown & KIND_WORDS), table["kind"])
    same("unkind words shown", sorted(shown & UNKIND_WORDS), table["unkind"])
    for u, step in enumerate(table["steps"]):
        claim(len(set(step["tokens"])) == 8 and set(step["tokens"]) <= set(tokens), "8 tokens of the vocabulary", step)
        claim(step["p"] == sorted(step["p"], reverse=True), "the most likely first", step)
        claim(abs(sum(step["p"]) + step["other"] - 1) <= 0.0005 * 9, f"update {u}: probabilities sum to 1", step)
    models = lm_models(0)
    if models is None:  # the build kept no record of the run for the current code
        return
    for u, r in enumerate(models.mean_rewards):
        rounded(f"mean reward of update {u + 1}", D(r), decimals, f"{table['mean_rewards'][u]:.{decimals}f}")
    from figures.lm_runs import LMRun, run_path

    rows = json.loads(run_path(LMRun(0)).read_text(encoding="utf-8"))["next_token"]
    import torch

    for u, model in ((0, models.pretrained), (updates, models.improved)):  # what the run's models say
        with torch.no_grad():
            logits = model(torch.tensor([lm_ids(tokens, table["prompt"])]))[0, -1]
        probs = torch.softmax(logits.double(), dim=0).tolist()
        assert max(abs(a - b) for a, b in zip(probs, rows[u], strict=True)) < 2e-6, f"the run's record at {u}"
    for u, (step, row) in enumerate(zip(table["steps"], rows, strict=True)):
        order = sorted(range(len(tokens)), key=lambda i: (-row[i], i))
        same(f"update {u}: top tokens", [tokens[i] for i in order[:8]], step["tokens"])
        for i, p in zip(order, step["p"], strict=False):
            rounded(f"update {u}: π({tokens[i]})", D(row[i]), decimals, f"{p:.{decimals}f}")
        rest = sum((D(row[i]) for i in order[8:]), D(0))
        rounded(f"update {u}: other", rest, decimals, f"{step['other']:.{decimals}f}")


@data_check
def data_reinforce_maze_policy(table: Any) -> None:
    """π(a|s) after every update of the learning curve's seed-0 run, and the returns it learned from.

    Independently of the memo: the first three updates are trained again here (train with
    ``on_update``, 24 episodes: the same seed replays the same first episodes), π read off the network's
    logits by a softmax; every row is a distribution; the running reward follows from the returns.
    """
    import torch
    from rl4rlhf.reinforce import MAZE_CONFIG, train

    same("the seed", 0, table["seed"])
    same("the layout", list(maze()), table["layout"])
    same("the actions", ["up", "down", "left", "right"], table["actions"])
    same("decimals", 3, table["decimals"])
    batch = MAZE_CONFIG.batch_episodes
    same("episodes per update", batch, table["batch_episodes"])
    n = MAZE_CONFIG.episodes // batch
    for key in ("policies", "returns", "mean_returns", "running"):
        same(f"updates in {key}", n, len(table[key]))
    cells = open_cells()
    for u, policy in enumerate(table["policies"]):
        same(f"update {u + 1}: cells shown", cells, [s for s, p in enumerate(policy) if p is not None])
        for s in cells:
            assert abs(sum(policy[s]) - 1) <= 0.002 + 1e-9, (
                f"update {u + 1}, cell {s}: {policy[s]} sums to {sum(policy[s])}"
            )
    r = MAZE_CONFIG.running_start
    for u in range(n):
        returns = table["returns"][u]
        same(f"update {u + 1}: its episodes", batch, len(returns))
        close(f"update {u + 1}: mean return", statistics.fmean(returns), table["mean_returns"][u], 0.0005 + 1e-9)
        for g in returns:  # the maze's rewards are whole hundredths: the rounding is exact
            r = MAZE_CONFIG.running_weight * g + (1 - MAZE_CONFIG.running_weight) * r
        close(f"update {u + 1}: running reward", r, table["running"][u], 0.0005 + 1e-6)
    probs: list = []  # π after each update, read off the network as train() goes

    def look(policy: Any) -> None:
        with torch.no_grad():
            probs.append(torch.softmax(policy(torch.eye(16)).logits, dim=-1).numpy())

    short = train(dataclasses.replace(MAZE_CONFIG, seed=0, episodes=3 * batch), on_update=look)
    same("updates of the short run", 3, len(probs))
    for u in range(3):
        for s in cells:
            got = [f"{p:.3f}" for p in table["policies"][u][s]]
            same(f"update {u + 1}, cell {s}: π", [f"{p:.3f}" for p in probs[u][s]], got)
    for u in range(3):
        same(
            f"update {u + 1}: returns",
            [f"{g:.2f}" for g in short.episode_returns[u * batch : (u + 1) * batch]],
            [f"{g:.2f}" for g in table["returns"][u]],
        )


@check
def num_lm_temperature_draws(value: str) -> None:
    n = parse_int(value)
    claim(n >= 100, "enough draws to count variety (the widget's table says the same count)", n)


@data_check
def data_lm_temperature(table: Any) -> None:
    """The temperature widget's table: the first token's distribution at each T recomputed here from the
    pretrained model's logits (softmax written out in float64; the argmax at T = 0), its entropy from those
    probabilities, the five draws at T = 0 and 0.7 against the page's table, the draw at T = 0 against
    argmax decoding written out, and the claim the page makes: variety grows with T."""
    decimals, tokens = table["decimals"], corpus_tokens()
    same("decimals the widget shows", 3, decimals)
    same("prompt", "the sea", table["prompt"])
    same("the page's seed", 0, table["seed"])
    same("vocabulary size", len(tokens), table["vocab_size"])
    same("responses counted, as the page says", parse_int(cached_value("num_lm_temperature_draws")), table["count"])
    temperatures = [step["temperature"] for step in table["steps"]]
    same("temperatures 0, 0.1, ..., 2", [k / 10 for k in range(21)], temperatures)
    for step in table["steps"]:
        claim(len(set(step["tokens"])) == 8 and set(step["tokens"]) <= set(tokens), "8 tokens of the vocabulary", step)
        claim(abs(sum(step["p"]) + step["other"] - 1) <= 0.0005 * 9, "probabilities sum to 1", step)
        claim(len(step["draws"]) == 5 and 1 <= step["distinct"] <= table["count"], "5 draws, a count", step)
    distinct = [step["distinct"] for step in table["steps"]]
    claim(distinct[0] == 1 and len(set(table["steps"][0]["draws"])) == 1, "T = 0: one response, always", distinct)
    claim(distinct[0] < distinct[5] < distinct[10] < distinct[20], "variety grows with T", distinct)
    top = [step["p"][0] for step in table["steps"]]
    claim(top == sorted(top, reverse=True), "the most likely token loses probability as T grows", top)
    rows = parse_table(cached_value("table_lm_temperature")).rows
    for row, k in zip(rows, (0, 7), strict=True):
        same(
            f"the table's draws at T = {k / 10}",
            row[1].split("<br>"),
            [f"the sea {d}" for d in table["steps"][k]["draws"]],
        )
    models = lm_models(0)
    if models is None:  # the build kept no record of the run for the current code
        return
    import torch

    with torch.no_grad():
        logits = models.pretrained(torch.tensor([lm_ids(tokens, "the sea")]))[0, -1].double()
    greedy = lm_greedy(models.pretrained, tokens, "the sea", rl_settings()["max_new_tokens"])
    same("the argmax response", greedy, table["steps"][0]["draws"][0])
    for step in table["steps"]:
        t = step["temperature"]
        if t == 0:
            probs = [1.0 if i == int(torch.argmax(logits)) else 0.0 for i in range(len(tokens))]
        else:
            z = [math.exp((x - float(logits.max())) / t) for x in logits.tolist()]
            probs = [x / sum(z) for x in z]
        order = sorted(range(len(tokens)), key=lambda i: (-probs[i], i))
        same(f"T = {t}: top tokens", [tokens[i] for i in order[:8]], step["tokens"])
        for i, p in zip(order, step["p"], strict=False):
            rounded(f"T = {t}: π({tokens[i]})", D(probs[i]), decimals, f"{p:.{decimals}f}")
        entropy = -sum(p * math.log2(p) for p in probs if p > 0)
        rounded(f"T = {t}: entropy", D(entropy), decimals, f"{step['entropy_bits']:.{decimals}f}")


@pytest.mark.parametrize("name", sorted(DATA_CHECKS))
def test_data_matches_its_check(name: str, built_site: Path) -> None:
    """The data file the site serves passes its check."""
    path = built_site / "data" / (name.removeprefix("data_") + ".json")
    assert path.is_file(), f"{name}: the site has no {path.relative_to(built_site)}"
    DATA_CHECKS[name](json.loads(path.read_text(encoding="utf-8")))


def test_every_data_artifact_has_a_check() -> None:
    defined = set(data_artifacts())
    unchecked, stale = sorted(defined - set(DATA_CHECKS)), sorted(set(DATA_CHECKS) - defined)
    assert not unchecked, f"data functions with no check in tests/test_values.py DATA_CHECKS: {', '.join(unchecked)}"
    assert not stale, f"data checks in tests/test_values.py for data figures/ no longer defines: {', '.join(stale)}"


def test_the_data_check_rejects_a_wrong_table(built_site: Path) -> None:
    table = json.loads((built_site / "data" / "discounting.json").read_text(encoding="utf-8"))
    table["returns"]["maze_shortest_path"][57] += 0.0001
    with pytest.raises(AssertionError, match=r"maze_shortest_path: return at γ = 0\.57"):
        DATA_CHECKS["data_discounting"](table)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda w: w["v"][500].__setitem__(0, w["v"][500][0] + 0.01), r"episode 500: max_a Q"),
        (lambda w: w["greedy"][7].__setitem__(0, (w["greedy"][7][0] + 1) % 4), r"episode 7: greedy actions"),
        (lambda w: w["returns"].__setitem__(3, w["returns"][3] + 0.5), r"episode 4: a return of its moves"),
    ],
)
def test_the_wave_check_rejects_a_wrong_episode(built_site: Path, change: Callable[[Any], None], message: str) -> None:
    wave = json.loads((built_site / "data" / "q_learning_wave.json").read_text(encoding="utf-8"))
    change(wave)
    with pytest.raises(AssertionError, match=message):
        DATA_CHECKS["data_q_learning_wave"](wave)


def test_the_data_functions_examples_hold() -> None:
    """figures/ is not among the doctest paths: run the >>> examples of the data helpers here."""
    import doctest

    import figures.foundations

    result = doctest.testmod(figures.foundations)
    assert result.attempted and not result.failed, result
