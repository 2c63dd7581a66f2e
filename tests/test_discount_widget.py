"""The discounting widget on the return page, in a real browser (Playwright + Debian's Chromium).

It shows what ``rl4rlhf.returns.discounted_return`` computes: for several γ, set by the slider's
value (an ``input`` event, as a drag sends) and by the keyboard (focus, then ArrowRight), the three
returns and the weights γ^k it displays are compared with ``discounted_return`` run here, to the
decimals it shows. axe-core finds nothing serious in it in the light
or the dark palette (one visit, both palettes); and at 375 px the widget fits. That its data file is
fetched on the return page only is checked for every page by tests/test_site_browser.py.

The browser is tests/conftest.py's; the visit (which records every request) and axe-core are
tests/test_site_browser.py's.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page
from rl4rlhf.returns import A_TO_GOAL, GOAL_TEN_STEPS_AWAY, discounted_return

from tests.test_site_browser import MOBILE, visit
from tests.widget_helpers import phone_layout, violations_in_both_palettes

pytestmark = pytest.mark.browser

RETURN_PAGE = "fundamentals/return/"
DATA = "/data/discounting.json"
WIDGET = '.rlhf-widget[data-widget="discount"]'
DECIMALS = 4  # what the widget shows


def maze_rewards() -> list[float]:
    """The rewards of the maze's shortest path, played in the real environment."""
    from rl4rlhf.gridworld import MAZE, GridWorld, shortest_path_actions

    env = GridWorld(MAZE)
    env.reset(seed=0)
    rewards = []
    for action in shortest_path_actions(env):
        _, reward, terminated, _, _ = env.step(action)
        rewards.append(float(reward))
        if terminated:
            break
    return rewards


EPISODES = {"a_to_goal": A_TO_GOAL, "goal_ten_steps_away": GOAL_TEN_STEPS_AWAY, "maze_shortest_path": maze_rewards()}


def ready(tab: Page):
    widget = tab.locator(f'{WIDGET}[data-ready="true"]')
    widget.wait_for()
    return widget


def shown(tab: Page) -> dict:
    """What the widget displays: γ, the returns by episode, the weights γ^k by k."""
    return tab.locator(WIDGET).evaluate(
        """(w) => ({
          slider: w.querySelector('input[type="range"]').value,
          gamma: w.querySelector("output").textContent,
          returns: Object.fromEntries([...w.querySelectorAll("tr[data-episode]")].map(
            (tr) => [tr.dataset.episode, tr.querySelector("td").textContent])),
          weights: [...w.querySelectorAll(".rlhf-widget__weights tbody td")].map((td) => td.textContent),
        })"""
    )


def check_shows(tab: Page, gamma: float) -> None:
    got = shown(tab)
    assert got["gamma"] == f"γ = {gamma:.2f}", got
    assert float(got["slider"]) == pytest.approx(gamma), got
    expected = {name: f"{discounted_return(rewards, gamma):.{DECIMALS}f}" for name, rewards in EPISODES.items()}
    assert got["returns"] == expected, f"γ = {gamma}"
    weights = [f"{discounted_return([0.0] * k + [1.0], gamma):.{DECIMALS}f}" for k in range(11)]
    assert got["weights"] == weights, f"γ = {gamma}"


def set_gamma(tab: Page, gamma: float) -> None:
    tab.locator(f"{WIDGET} input[type=range]").evaluate(
        "(s, v) => { s.value = v; s.dispatchEvent(new Event('input', { bubbles: true })); }", f"{gamma:.2f}"
    )


def test_the_widget_shows_what_discounted_return_computes(browser: Browser, site_server: str) -> None:
    with visit(browser, site_server, RETURN_PAGE, idle=False) as (tab, log):
        ready(tab)
        check_shows(tab, 0.9)  # where it starts: the page's worked examples
        for gamma in (0.0, 0.01, 0.5, 0.73, 0.99, 1.0):
            set_gamma(tab, gamma)
            check_shows(tab, gamma)
        slider = tab.get_by_label("Discount factor γ")  # its visible label names it
        set_gamma(tab, 0.3)
        slider.focus()
        for gamma in (0.31, 0.32, 0.33):
            tab.keyboard.press("ArrowRight")
            check_shows(tab, gamma)
        tab.keyboard.press("End")
        check_shows(tab, 1.0)
        live = tab.locator(f"{WIDGET} [aria-live=polite]")
        expected = f"{discounted_return(A_TO_GOAL, 1.0):.{DECIMALS}f}"
        tab.wait_for_function("([el, v]) => el.textContent.includes(v)", arg=[live.element_handle(), expected])
        assert live.text_content().startswith("γ = 1.00. Returns: A → B → Goal"), live.text_content()
        requested = [url for url in log.requested if url.endswith(DATA)]
        problems = log.problems()
    assert len(requested) == 1, requested
    assert not problems, "\n".join(problems)


def test_the_widget_is_accessible(browser: Browser, site_server: str) -> None:
    with visit(browser, site_server, RETURN_PAGE, idle=False) as (tab, log):
        ready(tab)
        tab.locator(f"{WIDGET} details").evaluate("(d) => { d.open = true; }")  # its table checked too
        violations = violations_in_both_palettes(tab, WIDGET)
    assert not violations, "\n".join(violations)


def test_the_widget_fits_a_phone(browser: Browser, site_server: str) -> None:
    with visit(browser, site_server, RETURN_PAGE, viewport=MOBILE, idle=False) as (tab, log):
        widget = ready(tab)
        tab.locator(f"{WIDGET} details").evaluate("(d) => { d.open = true; }")
        box, scroll_width, overflowing = phone_layout(tab, widget)
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= MOBILE["width"], box
    assert scroll_width <= MOBILE["width"] + 1 and not overflowing
