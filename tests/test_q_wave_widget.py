"""The Q-learning wave widget on the Q-function page, in a real browser (Playwright + Debian's Chromium).

It shows the run the static wave figure draws, ``figures.value_learning.maze_run(0, 1000)`` (a
``rl4rlhf.qtable.q_learning`` run with a snapshot of Q after every episode), recomputed here: at
episodes 0, 1, 10, 100, 1000 and a few drawn at random, set by the slider's value (an ``input``
event, as a drag sends), by the keyboard (arrows, PageUp/PageDown, Home/End) and by the jump buttons,
each cell's max_a Q (2 decimals, as the static figure prints it), its greedy arrow (``greedy_policy``:
ties to the first of up, down, left, right) and the episode's return and length are compared with
the run. axe-core finds nothing serious in the widget in the light or the dark
palette (one visit, both palettes); and at 375 px it fits. That its data file is fetched on that page
only is checked for every page by tests/test_site_browser.py.

The browser is tests/conftest.py's; the visit (which records every request) and axe-core are
tests/test_site_browser.py's.
"""

from __future__ import annotations

import numpy as np
import pytest
from playwright.sync_api import Browser, Page
from rl4rlhf.gridworld import MAZE, GridWorld
from rl4rlhf.qtable import greedy_policy

from figures.value_learning import fmt, maze_run
from tests.test_site_browser import MOBILE, visit
from tests.widget_helpers import phone_layout, violations_in_both_palettes

pytestmark = pytest.mark.browser

PAGE = "value-learning/q-function/"
DATA = "/data/q_learning_wave.json"
WIDGET = '.rlhf-widget[data-widget="q-wave"]'
SEED, EPISODES = 0, 1000  # the page's run: seed 0, as the build passes, and the wave's last episode
ARROWS = "↑↓←→"


def random_episodes() -> list[int]:
    return sorted(int(e) for e in np.random.default_rng(14).choice(np.arange(2, EPISODES), size=6, replace=False))


def ready(tab: Page):
    widget = tab.locator(f'{WIDGET}[data-ready="true"]')
    widget.wait_for()
    return widget


def shown(tab: Page) -> dict:
    """What the widget displays: the slider, every cell's value and arrow (None: a wall or the goal), the return."""
    return tab.locator(WIDGET).evaluate(
        """(w) => ({
          slider: Number(w.querySelector('input[type="range"]').value),
          cells: [...w.querySelectorAll(".rlhf-qwave__cell")].map((c) => ({
            state: Number(c.dataset.state),
            kind: c.className.match(/--(\\w+)/)[1],
            value: c.querySelector(".rlhf-qwave__value")?.textContent ?? null,
            arrow: c.querySelector(".rlhf-qwave__arrow")?.textContent ?? null,
            label: c.getAttribute("aria-label"),
          })),
          heading: w.querySelector(".rlhf-qwave__heading").textContent,
          episode: w.querySelector(".rlhf-qwave__return").textContent,
        })"""
    )


def check_shows(tab: Page, episode: int) -> None:
    env, run = GridWorld(MAZE), maze_run(SEED, EPISODES)
    got = shown(tab)
    assert got["slider"] == episode, got["slider"]
    q = run.snapshots[episode]
    v, policy = q.max(axis=1), greedy_policy(q)
    assert [c["state"] for c in got["cells"]] == list(range(env.n_rows * env.n_cols))
    for cell in got["cells"]:
        s = cell["state"]
        if s in env.walls or s == env.goal_state:
            assert cell["kind"] == ("wall" if s in env.walls else "goal"), cell
            assert cell["value"] is None and cell["arrow"] is None, cell
            continue
        where = f"episode {episode}, cell {env.to_rowcol(s)}"
        assert cell["value"] == fmt(v[s]), where
        assert cell["arrow"] == ARROWS[policy[s]], where
        assert cell["label"].endswith(f"max Q {fmt(v[s])}, greedy {['up', 'down', 'left', 'right'][policy[s]]}")
    if episode == 0:
        assert "before any episode" in got["heading"] and got["episode"].startswith("Before any episode"), got
    else:
        assert got["heading"].endswith(f"after episode {episode}"), got["heading"]
        steps = int(run.episode_lengths[episode - 1])
        expected = f"Episode {episode}: return {fmt(run.episode_returns[episode - 1])} in {steps} steps."
        assert got["episode"] == expected, got["episode"]


def set_episode(tab: Page, episode: int) -> None:
    tab.locator(f"{WIDGET} input[type=range]").evaluate(
        "(s, v) => { s.value = v; s.dispatchEvent(new Event('input', { bubbles: true })); }", str(episode)
    )


def test_the_widget_shows_the_run_the_figure_draws(browser: Browser, site_server: str) -> None:
    with visit(browser, site_server, PAGE, idle=False) as (tab, log):
        ready(tab)
        check_shows(tab, 10)  # where it starts
        for episode in (0, 1, 10, 100, 1000, *random_episodes()):
            set_episode(tab, episode)
            check_shows(tab, episode)
        slider = tab.get_by_label("Episode", exact=True)  # its visible label names it
        set_episode(tab, 500)
        slider.focus()
        for key in ("ArrowRight", "ArrowRight", "ArrowLeft", "ArrowUp", "PageUp", "PageDown", "PageDown", "Home"):
            before = shown(tab)["slider"]
            tab.keyboard.press(key)
            after = shown(tab)["slider"]
            assert after != before, key
            check_shows(tab, after)
        assert after == 0
        tab.keyboard.press("End")
        check_shows(tab, EPISODES)
        live = tab.locator(f"{WIDGET} [aria-live=polite]")
        run = maze_run(SEED, EPISODES)
        expected = f"Episode {EPISODES}: return {fmt(run.episode_returns[-1])}"
        tab.wait_for_function("([el, v]) => el.textContent.startsWith(v)", arg=[live.element_handle(), expected])
        for episode in (1, 100, 0):
            tab.locator(WIDGET).get_by_role("button", name=str(episode), exact=True).click()
            check_shows(tab, episode)
        assert tab.locator(".maze-widget").count() == 1  # the maze editor on the same page is still there
        requested = [url for url in log.requested if url.endswith(DATA)]
        problems = log.problems()
    assert len(requested) == 1, requested
    assert not problems, "\n".join(problems)


def test_the_widget_is_accessible(browser: Browser, site_server: str) -> None:
    with visit(browser, site_server, PAGE, idle=False) as (tab, log):
        ready(tab)
        set_episode(tab, 1000)
        violations = violations_in_both_palettes(tab, WIDGET)
    assert not violations, "\n".join(violations)


def test_the_widget_fits_a_phone(browser: Browser, site_server: str) -> None:
    with visit(browser, site_server, PAGE, viewport=MOBILE, idle=False) as (tab, log):
        widget = ready(tab)
        box, scroll_width, overflowing = phone_layout(tab, widget)
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= MOBILE["width"], box
    assert scroll_width <= MOBILE["width"] + 1 and not overflowing
