"""The maze editor on the Q-function page (``docs/assets/javascripts/maze.js``), in Chromium.

* The port: ``window.rlhfMaze.valueIteration`` against ``rl4rlhf.bellman.value_iteration`` on
  ``N_LAYOUTS`` random layouts up to 6x6 (walls, start and goal anywhere, some goals walled off;
  random γ in [0, 1), some γ = 0 and some γ = 1; the default rewards or random ones), all run in one
  ``page.evaluate``. Every Q-value agrees to 1e-9 and every greedy action exactly (ties to the first
  maximum, as ``np.argmax``), wall and goal cells included (their Q is 0, their greedy action UP);
  the sweep counts agree, and the port says it did not converge exactly where the Python raises.
  Python's ``GridWorld`` refuses a layout whose goal cannot be reached, so for those the reference is
  the same ``GridWorld`` with its layout check switched off: the same transition rules, unchanged.
* The widget, driven like a reader: clicks and the keyboard edit the maze; One sweep and Solve show
  what the Python computes for that maze; unreachable goals, a start moved onto the goal, γ = 1 with
  a positive step reward and a bad γ get a message, never NaN; axe-core finds nothing serious in the
  widget after Solve and a bad γ, in the light and the dark palette, in one visit (the whole page, in light mode, is
  checked by tests/test_site_browser.py); and it fits a 375 px screen.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import pytest
from playwright.sync_api import Browser, Page
from rl4rlhf.bellman import mdp_arrays, value_iteration
from rl4rlhf.gridworld import MAZE, GridWorld

from rl4rlhf import gridworld
from tests.test_site_browser import MOBILE, visit
from tests.widget_helpers import violations_in_both_palettes

pytestmark = pytest.mark.browser

PAGE = "value-learning/q-function/"
PAGE_SOURCE = Path(__file__).resolve().parents[1] / "docs" / "value-learning" / "q-function.md"
N_LAYOUTS = 240  # the page says how many: test_page_states_what_is_tested
SEED = 14
DEFAULTS = {name: p.default for name, p in inspect.signature(GridWorld).parameters.items() if "reward" in name}


# --- The port against the Python -------------------------------------------------------------------


def reaches_goal(layout: list[str]) -> bool:
    start, goal = gridworld._find(layout, "S")[0], gridworld._find(layout, "G")[0]
    return start in gridworld._distances(layout, goal)


def random_cases(n: int, seed: int) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    cases: list[dict[str, Any]] = []
    while len(cases) < n:
        rows, cols = (int(x) for x in rng.integers(1, 7, size=2))
        if rows * cols < 2:
            continue
        cells = np.where(rng.random(rows * cols) < rng.uniform(0.0, 0.5), "#", ".")
        start, goal = rng.choice(rows * cols, size=2, replace=False)
        cells[start], cells[goal] = "S", "G"
        layout = ["".join(cells[r * cols : (r + 1) * cols]) for r in range(rows)]
        kind = rng.random()
        gamma = 1.0 if kind < 0.2 else 0.0 if kind < 0.25 else float(rng.uniform(0.0, 1.0))
        if rng.random() < 0.5:
            rewards = dict(DEFAULTS)  # many ties, as on the page
        else:
            rewards = {
                "step_reward": float(rng.uniform(-0.3, 0.1)),
                "goal_reward": float(rng.uniform(0.0, 2.0)),
                "wall_reward": float(rng.uniform(-2.0, 0.0)),
            }
        cases.append({"layout": layout, "gamma": gamma, **rewards})
    return cases


def python_value_iteration(case: dict[str, Any]) -> Any:
    """``value_iteration`` on ``GridWorld``; for an unreachable goal, with the layout check off."""
    rewards = {k: case[k] for k in DEFAULTS}
    with mock.patch.object(gridworld, "_check_layout", tuple):
        env = GridWorld(case["layout"], **rewards)
    try:
        return value_iteration(env, case["gamma"])
    except RuntimeError:  # did not converge in max_sweeps
        return None


PORT_JS = """
cases => cases.map((c) => rlhfMaze.valueIteration(c.layout, {
  gamma: c.gamma, stepReward: c.step_reward, goalReward: c.goal_reward, wallReward: c.wall_reward,
}))
"""


def test_port_matches_value_iteration_on_random_layouts(browser: Browser, site_server: str) -> None:
    cases = random_cases(N_LAYOUTS, SEED)
    with visit(browser, site_server, PAGE, idle=False) as (tab, log):
        results = tab.evaluate(PORT_JS, cases)
        problems = log.problems()
    assert not problems, problems
    tally = {"unreachable": 0, "gamma 1 converged": 0, "not converged": 0, "tied greedy": 0, "6x6": 0}
    for i, (case, js) in enumerate(zip(cases, results, strict=True)):
        where = f"case {i}: {case}"
        py = python_value_iteration(case)
        tally["unreachable"] += not reaches_goal(case["layout"])
        tally["6x6"] += len(case["layout"]) == 6 and len(case["layout"][0]) == 6
        if py is None:
            assert not js["converged"] and js["sweeps"] == 10_000, where
            tally["not converged"] += 1
            continue
        assert js["converged"] and js["sweeps"] == py.sweeps, (where, js["sweeps"], py.sweeps)
        q = np.array(js["q"])
        assert q.shape == py.q.shape, where
        np.testing.assert_allclose(q, py.q, rtol=0, atol=1e-9, err_msg=where)
        np.testing.assert_allclose(js["v"], py.v, rtol=0, atol=1e-9, err_msg=where)
        assert js["greedy"] == np.argmax(py.q, axis=1).tolist(), where
        tally["gamma 1 converged"] += case["gamma"] == 1.0
        open_cells = np.array([ch in "S." for ch in "".join(case["layout"])])  # walls and G: all 0, tied
        tied = (py.q == py.q.max(axis=1, keepdims=True)).sum(axis=1) > 1
        tally["tied greedy"] += int((tied & open_cells).any())
    # The sample covers what it is meant to cover.
    assert all(count >= 5 for count in tally.values()), tally


def test_port_refuses_bad_input(browser: Browser, site_server: str) -> None:
    bad = [
        [["S..G"], {"gamma": 1.5}],
        [["S..G"], {"gamma": -0.1}],
        [["S..."], {}],
        [["S.G", "S.."], {}],
        [["S.x", "..G"], {}],
        [["S.G", ".."], {}],
        [["S.G"], {"tol": 0}],
        [["S.G"], {"maxSweeps": 0}],
    ]
    with visit(browser, site_server, PAGE, idle=False) as (tab, _log):
        errors = tab.evaluate(
            "bad => bad.map(([layout, opts]) => { try { rlhfMaze.valueIteration(layout, opts); return null; }"
            " catch (e) { return e.message; } })",
            bad,
        )
    assert all(errors), list(zip(bad, errors, strict=True))


def test_page_states_what_is_tested() -> None:
    text = PAGE_SOURCE.read_text(encoding="utf-8")
    assert f"on {N_LAYOUTS} random layouts up to 6x6" in text
    assert "port of `bellman.value_iteration`" in text
    readme = (PAGE_SOURCE.parents[2] / "README.md").read_text(encoding="utf-8")
    assert f"against the Python on {N_LAYOUTS} random layouts" in readme


# --- The widget --------------------------------------------------------------------------------------

CELLS_JS = """
root => [...root.querySelectorAll(".maze-widget__cell")].map((b) => ({
  label: b.getAttribute("aria-label"), text: b.textContent, value: b.dataset.value,
  greedy: b.dataset.greedy, path: b.classList.contains("maze-widget__cell--path"),
}))
"""


def cells(tab: Page) -> list[dict[str, Any]]:
    return tab.locator(".maze-widget").evaluate(CELLS_JS)


def cell(tab: Page, row: int, col: int):
    return tab.locator(f'.maze-widget__cell[aria-label^="row {row}, column {col}:"]')


def status(tab: Page) -> str:
    return tab.locator(".maze-widget [aria-live=polite]").text_content() or ""


def press(tab: Page, name: str) -> None:
    tab.locator(".maze-widget").get_by_role("button", name=name, exact=True).click()


def two_dec(x: float) -> str:
    text = f"{x:.2f}"
    return "0.00" if text == "-0.00" else text


def check_shown(tab: Page, layout: list[str], q: np.ndarray) -> None:
    """Every open cell shows max_a q to 2 decimals and the first-max arrow; the full value in data."""
    shown, v, greedy = cells(tab), q.max(axis=1), np.argmax(q, axis=1)
    for s, item in enumerate(shown):
        row, col = divmod(s, len(layout[0]))
        if layout[row][col] in "#G":
            assert item["value"] == "" and item["greedy"] == "", item
            continue
        assert abs(float(item["value"]) - v[s]) <= 1e-9, (item, v[s])
        assert int(item["greedy"]) == greedy[s], (item, q[s])
        assert f"{'↑↓←→'[greedy[s]]} {two_dec(v[s])}" in item["text"], (item, v[s])
        name = gridworld.ACTION_NAMES[greedy[s]]
        assert item["label"].endswith(f"max Q {two_dec(v[s])}, greedy {name}") or "on the path" in item["label"]


def greedy_path(layout: list[str], q: np.ndarray) -> list[int]:
    env = GridWorld(layout)
    state, path = env.start_state, []
    while state != env.goal_state and state not in path:
        path.append(state)
        state = env.P[state][int(np.argmax(q[state]))][0][1]
    assert state == env.goal_state
    return path


def test_widget_starts_on_the_posts_maze(browser: Browser, site_server: str) -> None:
    with visit(browser, site_server, PAGE, idle=False) as (tab, log):
        root = tab.locator(".maze-widget")
        data = root.evaluate("el => ({...el.dataset})")
        shown = cells(tab)
        fallback = root.locator("p", has_text="needs JavaScript").count()
        problems = log.problems()
    assert not problems, problems
    assert data["layout"].split("|") == list(MAZE)
    assert float(data["gamma"]) == 1.0
    assert {k: float(data[k.replace("_r", "R")]) for k in DEFAULTS} == DEFAULTS
    assert len(shown) == 16 and fallback == 0
    assert [c["label"].split(": ")[1] for c in shown[:6]] == ["start", "free", "free", "free", "free", "wall"]


def test_editing_sweeping_and_solving_match_python(browser: Browser, site_server: str) -> None:
    layout = ["...G", ".#..", "..#.", "S#.."]  # MAZE with (3, 1) a wall, the start at (3, 0), the goal at (0, 3)
    env = GridWorld(layout)
    R, T = mdp_arrays(env)
    with visit(browser, site_server, PAGE, idle=False) as (tab, log):
        cell(tab, 3, 1).click()  # toggle a wall
        assert "now a wall" in status(tab)
        tab.get_by_label("Move the goal").check()
        cell(tab, 0, 3).click()
        tab.get_by_label("Move the start").check()
        cell(tab, 3, 0).click()
        assert "The start is now at (3, 0)" in status(tab)
        q = np.zeros_like(R)
        for sweep in (1, 2, 3):
            press(tab, "One sweep")
            q = R + 1.0 * T @ q.max(axis=1)
            check_shown(tab, layout, q)
            assert status(tab).startswith(f"Sweep {sweep}:"), status(tab)
        press(tab, "Solve")
        solved = value_iteration(env, 1.0)
        check_shown(tab, layout, solved.q)
        on_path = [i for i, c in enumerate(cells(tab)) if c["path"]]
        message = status(tab)
        press(tab, "Reset")
        back = [c["label"].split(": ")[1] for c in cells(tab)]
        problems = log.problems()
    assert not problems, problems
    assert on_path == sorted(greedy_path(layout, solved.q))
    assert f"Converged after {solved.sweeps} sweeps" in message
    moves = [gridworld.ACTION_NAMES[int(np.argmax(solved.q[s]))] for s in greedy_path(layout, solved.q)]
    assert f"The greedy path from the start: {', '.join(moves)} ({len(moves)} moves)" in message
    assert f"V(start) = {solved.v[env.start_state]:.2f}" in message
    expected = [
        "start" if ch == "S" else "goal" if ch == "G" else "wall" if ch == "#" else "free" for ch in "".join(MAZE)
    ]
    assert back == expected


def no_nan(tab: Page) -> None:
    text = tab.locator(".maze-widget").inner_text()
    assert not re.search(r"NaN|Infinity|undefined", text), text


def test_bad_mazes_and_settings_get_a_message(browser: Browser, site_server: str) -> None:
    with visit(browser, site_server, PAGE, idle=False) as (tab, log):
        # Wall the goal off: (2, 3) and (3, 2) are its only free neighbours.
        cell(tab, 2, 3).click()
        cell(tab, 3, 2).click()
        assert "The goal cannot be reached from the start" in status(tab)
        press(tab, "Solve")
        unreachable = status(tab)
        assert not any(c["path"] for c in cells(tab))
        start_value = float(cells(tab)[0]["value"])
        no_nan(tab)
        # The start cannot move onto the goal, nor the goal onto the start; neither can be a wall.
        press(tab, "Reset")
        tab.get_by_label("Move the start").check()
        cell(tab, 3, 3).click()
        onto_goal = status(tab)
        tab.get_by_label("Move the goal").check()
        cell(tab, 0, 0).click()
        onto_start = status(tab)
        tab.get_by_label("Toggle a wall").check()
        cell(tab, 0, 0).click()
        wall_on_start = status(tab)
        labels = [c["label"].split(": ")[1] for c in cells(tab)]
        # γ = 1 with a step reward above 0: the values never converge.
        tab.get_by_label("Step reward").fill("0.1")
        tab.get_by_label("Step reward").dispatch_event("change")
        press(tab, "Solve")
        diverges = status(tab)
        no_nan(tab)
        # A γ outside [0, 1], or none at all.
        gamma = tab.get_by_label("γ")
        gamma.fill("1.5")
        gamma.dispatch_event("change")
        bad_gamma = status(tab)
        invalid = gamma.get_attribute("aria-invalid")
        press(tab, "One sweep")
        bad_gamma_sweep = status(tab)
        gamma.fill("")
        press(tab, "Solve")
        no_gamma = status(tab)
        no_nan(tab)
        problems = log.problems()
    assert not problems, problems
    # With γ = 1 the cells cut off from the goal pay -0.01 a move forever: no convergence, but values.
    assert "The goal cannot be reached from the start" in unreachable, unreachable
    assert "Did not converge in 10,000 sweeps" in unreachable and "falls without bound" in unreachable, unreachable
    assert start_value == pytest.approx(10_000 * -0.01)
    env = GridWorld(MAZE)
    assert labels[env.start_state] == "start" and labels[env.goal_state] == "goal"
    assert "cannot share a cell" in onto_goal and "cannot share a cell" in onto_start
    assert "cannot be a wall" in wall_on_start
    assert "Did not converge in 10,000 sweeps" in diverges and "grow without bound" in diverges, diverges
    assert "γ must be a number from 0 to 1" in bad_gamma and invalid == "true"
    assert "Cannot compute" in bad_gamma_sweep and "Cannot compute" in no_gamma


def test_unreachable_values_match_python(browser: Browser, site_server: str) -> None:
    layout = ["S...", ".#..", "..##", "..#G"]
    with mock.patch.object(gridworld, "_check_layout", tuple):
        env = GridWorld(layout)
    result = value_iteration(env, 0.9)
    with visit(browser, site_server, PAGE, idle=False) as (tab, _log):
        cell(tab, 2, 3).click()
        cell(tab, 3, 2).click()
        tab.get_by_label("γ").fill("0.9")
        tab.get_by_label("γ").dispatch_event("change")
        press(tab, "Solve")
        check_shown(tab, layout, result.q)
        message = status(tab)
    assert f"Converged after {result.sweeps} sweeps" in message
    assert f"cannot be reached from the start: walls cut it off. V(start) = {result.v[0]:.2f}" in message


def test_keyboard_toggles_walls(browser: Browser, site_server: str) -> None:
    with visit(browser, site_server, PAGE, idle=False) as (tab, _log):
        tab.get_by_label("Wall reward").focus()
        tab.keyboard.press("Tab")
        first = tab.evaluate("() => document.activeElement.getAttribute('aria-label')")
        tab.keyboard.press("Tab")
        tab.keyboard.press("Enter")
        after_enter = tab.evaluate("() => document.activeElement.getAttribute('aria-label')")
        tab.keyboard.press("Space")
        after_space = tab.evaluate("() => document.activeElement.getAttribute('aria-label')")
        message = status(tab)
    assert first == "row 0, column 0: start"
    assert after_enter == "row 0, column 1: wall"
    assert after_space == "row 0, column 1: free"
    assert "(0, 1) is now free" in message


def test_solved_widget_is_accessible(browser: Browser, site_server: str) -> None:
    with visit(browser, site_server, PAGE, idle=False) as (tab, _log):
        press(tab, "Solve")
        tab.get_by_label("γ").fill("2")
        tab.get_by_label("γ").dispatch_event("change")
        violations = violations_in_both_palettes(tab, ".maze-widget")
    assert not violations, "\n".join(violations)


def test_widget_fits_a_phone(browser: Browser, site_server: str) -> None:
    with visit(browser, site_server, PAGE, viewport=MOBILE, idle=False) as (tab, _log):
        press(tab, "Solve")
        widths = tab.evaluate(
            "() => [document.documentElement.scrollWidth, innerWidth,"
            " document.querySelector('.maze-widget').getBoundingClientRect().right]"
        )
    assert widths[0] <= widths[1] + 1 and widths[2] <= widths[1], widths
