"""The REINFORCE-in-the-maze widget on the policy-gradient page, in a real browser (Playwright + Chromium).

It scrubs through the updates of the run the page's learning curve shows (seed 0, MAZE_CONFIG). For
the first and the last update and a few drawn with a fixed numpy Generator, set by the slider's value
(an ``input`` event) and by the keyboard and the buttons, the probabilities it shows in every cell (in
the cell's accessible name and in its table) and the returns of the update's episodes are compared
with the memoised run (``figures.policy_gradient_runs.reinforce_run``, the record ``train``'s
``on_update`` made), to the decimals it shows. axe-core finds nothing serious in
it in the light or the dark palette (one visit, both palettes); at 375 px it fits. That its data is
fetched on that page only is checked for every page by tests/test_site_browser.py.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from playwright.sync_api import Browser, Page
from rl4rlhf.gridworld import ACTION_NAMES, MAZE, GridWorld
from rl4rlhf.reinforce import MAZE_CONFIG

from figures.policy_gradient_runs import reinforce_run
from tests.test_site_browser import MOBILE, visit
from tests.widget_helpers import phone_layout, violations_in_both_palettes

pytestmark = pytest.mark.browser

PAGE = "policy-learning/policy-gradient/"
DATA = "/data/reinforce_maze_policy.json"
WIDGET = '.rlhf-widget[data-widget="reinforce-maze"]'
SEED = 0  # the build's seed: the learning curve's first run


@pytest.fixture(scope="module")
def run() -> dict:
    """The memoised run (trained once by the build), as the page's figure reads it."""
    return reinforce_run(dataclasses.replace(MAZE_CONFIG, seed=SEED))


def expected(run: dict, update: int) -> dict:
    """What the widget should show after ``update`` (1-based), from the run record alone."""
    env = GridWorld(MAZE)
    batch = MAZE_CONFIG.batch_episodes
    policy = run["policies"][update - 1]
    cells = {}
    for state, probs in enumerate(policy):
        if state in env.walls or state == env.goal_state:
            continue
        cells[state] = [f"{p:.3f}" for p in probs]
    returns = run["episode_returns"][(update - 1) * batch : update * batch]
    sign = lambda x, d: f"{x:.{d}f}".replace("-", "−")  # noqa: E731
    return {
        "output": f"{update} of {len(run['policies'])}",
        "cells": cells,
        "returns": ", ".join(sign(r, 2) for r in returns),
        "mean": sign(float(np.mean(returns)), 3),
        "running": sign(run["running_rewards"][update * batch - 1], 3),
        "episodes": f"{(update - 1) * batch + 1}–{update * batch}",
    }


def ready(tab: Page):
    widget = tab.locator(f'{WIDGET}[data-ready="true"]')
    widget.wait_for()
    return widget


def shown(tab: Page) -> dict:
    return tab.locator(WIDGET).evaluate(
        """(w) => ({
          output: w.querySelector("output").textContent,
          labels: Object.fromEntries([...w.querySelectorAll("g[data-state][role=img]")].map(
            (g) => [g.dataset.state, g.getAttribute("aria-label")])),
          titles: Object.fromEntries([...w.querySelectorAll("g[data-state][role=img]")].map(
            (g) => [g.dataset.state, g.querySelector("title").textContent])),
          table: Object.fromEntries([...w.querySelectorAll("tr[data-state]")].map(
            (tr) => [tr.dataset.state, [...tr.querySelectorAll("td")].map((td) => td.textContent)])),
          stats: [...w.querySelectorAll("dd")].map((dd) => dd.textContent),
        })"""
    )


def check_shows(tab: Page, run: dict, update: int) -> None:
    got, want = shown(tab), expected(run, update)
    assert got["output"] == want["output"], got["output"]
    assert got["table"] == {str(s): p for s, p in want["cells"].items()}, f"update {update}"
    env = GridWorld(MAZE)
    for state, probs in want["cells"].items():
        row, col = env.to_rowcol(state)
        where = f"cell ({row}, {col})" + (", the start" if state == env.start_state else "")
        name = f"{where}: " + ", ".join(f"{a} {p}" for a, p in zip(ACTION_NAMES, probs, strict=True))
        assert got["labels"][str(state)] == name and got["titles"][str(state)] == name, f"update {update}"
    assert got["stats"] == [want["episodes"], want["returns"], want["mean"], want["running"]], f"update {update}"


def set_update(tab: Page, update: int) -> None:
    tab.locator(f"{WIDGET} input[type=range]").evaluate(
        "(s, v) => { s.value = v; s.dispatchEvent(new Event('input', { bubbles: true })); }", str(update)
    )


def test_the_widget_shows_the_memoised_run(browser: Browser, site_server: str, run: dict) -> None:
    n = len(run["policies"])
    assert n == MAZE_CONFIG.episodes // MAZE_CONFIG.batch_episodes == 100
    drawn = sorted({int(u) for u in np.random.default_rng(14).integers(2, n, size=6)})
    with visit(browser, site_server, PAGE, idle=False) as (tab, log):
        ready(tab)
        check_shows(tab, run, 1)  # where it starts
        for update in (n, *drawn, 1):
            set_update(tab, update)
            check_shows(tab, run, update)
        slider = tab.get_by_label("Update", exact=True)  # its visible label names it
        slider.focus()
        for update in (2, 3):
            tab.keyboard.press("ArrowRight")
            check_shows(tab, run, update)
        tab.keyboard.press("End")
        check_shows(tab, run, n)
        tab.get_by_role("button", name="Previous").click()
        check_shows(tab, run, n - 1)
        tab.get_by_role("button", name="Next").click()
        check_shows(tab, run, n)
        assert tab.get_by_role("button", name="Next").is_disabled()
        live = tab.locator(f"{WIDGET} [aria-live=polite]")
        tab.wait_for_function("(el) => el.textContent.startsWith('Update 100:')", arg=live.element_handle())
        requested = [url for url in log.requested if url.endswith(DATA)]
        problems = log.problems()
    assert len(requested) == 1, requested
    assert not problems, "\n".join(problems)


def test_the_widget_is_accessible(browser: Browser, site_server: str) -> None:
    with visit(browser, site_server, PAGE, idle=False) as (tab, log):
        ready(tab)
        set_update(tab, 50)
        tab.locator(f"{WIDGET} details").evaluate("(d) => { d.open = true; }")  # its table checked too
        violations = violations_in_both_palettes(tab, WIDGET)
    assert not violations, "\n".join(violations)


def test_the_widget_fits_a_phone(browser: Browser, site_server: str) -> None:
    with visit(browser, site_server, PAGE, viewport=MOBILE, idle=False) as (tab, log):
        widget = ready(tab)
        tab.locator(f"{WIDGET} details").evaluate("(d) => { d.open = true; }")
        box, scroll_width, overflowing = phone_layout(tab, widget)
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= MOBILE["width"], box
    assert scroll_width <= MOBILE["width"] + 1 and not overflowing
