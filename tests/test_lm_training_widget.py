"""The tiny LM's training widget on the language-model page, in a real browser (Playwright + Debian's Chromium).

It shows the page's REINFORCE run (seed 0) after every update: for several updates, set by the slider's
value (an ``input`` event, as a drag sends) and by the keyboard (focus, then ArrowRight, End, Home), the
top tokens after "the cat sat on the", their probabilities, "other" and the update's mean reward that it
displays are compared with the memoised run's own record (``figures.lm.lm_run``: the distribution the
training loop's ``on_update`` recorded after each update, and the mean rewards), to the decimals it shows.
axe-core finds nothing serious in it in the light or the dark palette (one visit, both palettes); and
at 375 px the widget fits. That its data file is fetched on the language-model page only is checked
for every page by tests/test_site_browser.py.

The browser is tests/conftest.py's; the visit (which records every request) and axe-core are
tests/test_site_browser.py's.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest
from playwright.sync_api import Browser, Page

from tests.test_site_browser import MOBILE, visit
from tests.widget_helpers import phone_layout, violations_in_both_palettes

pytestmark = pytest.mark.browser

LM_PAGE = "language-models/"
DATA = "/data/lm_training.json"
WIDGET = '.rlhf-widget[data-widget="lm-training"]'
# axe-core on the widget only, in both palettes (tests/test_site_browser.py runs it on every page, light).
UPDATES = sorted({0, 1, 50, 100, *np.random.default_rng(14).integers(2, 100, size=5).tolist()})


@cache
def record() -> dict:
    """The page's run (seed 0), as the build memoised it: read here, not trained again."""
    from figures.lm_runs import lm_run

    return lm_run(0)


def expected_at(update: int) -> dict:
    """What the widget should show after ``update`` updates: the 8 most likely tokens (ties in vocabulary
    order), marked ✓/✗ by the reward model's word lists, their probabilities and the rest as "other",
    and the mean reward of update ``update``'s responses (update 1's for the pretrained model)."""
    from rl4rlhf.lm_model import Vocab, load_corpus
    from rl4rlhf.lm_rl import KIND_WORDS, UNKIND_WORDS

    tokens, row = Vocab(load_corpus()).tokens, record()["next_token"][update]
    order = sorted(range(len(row)), key=lambda i: (-row[i], i))
    marks = {**dict.fromkeys(KIND_WORDS, " ✓"), **dict.fromkeys(UNKIND_WORDS, " ✗")}
    rows = [[f'"{tokens[i]}"{marks.get(tokens[i], "")}', f"{row[i]:.3f}"] for i in order[:8]]
    rows.append(["other", f"{sum(row[i] for i in order[8:]):.3f}"])
    return {"rows": rows, "reward": f"{record()['mean_rewards'][max(update, 1) - 1]:.3f}"}


def ready(tab: Page):
    widget = tab.locator(f'{WIDGET}[data-ready="true"]')
    widget.wait_for()
    return widget


def shown(tab: Page) -> dict:
    """What the widget displays: the slider, the token rows (name, probability) and the reward line."""
    return tab.locator(WIDGET).evaluate(
        """(w) => ({
          slider: w.querySelector('input[type="range"]').value,
          output: w.querySelector("output").textContent,
          rows: [...w.querySelectorAll(".rlhf-widget__dist tbody tr")].map(
            (tr) => [tr.querySelector("th").textContent, tr.querySelector(".rlhf-widget__p").textContent]),
          reward: w.querySelector(".rlhf-widget__reward").textContent,
        })"""
    )


def check_shows(tab: Page, update: int) -> None:
    got, want = shown(tab), expected_at(update)
    assert int(got["slider"]) == update, got
    assert got["output"] == ("0 (pretrained)" if update == 0 else f"{update} of 100"), got
    assert got["rows"] == want["rows"], f"update {update}"
    assert want["reward"] in got["reward"], (update, got["reward"], want["reward"])


def set_update(tab: Page, update: int) -> None:
    tab.locator(f"{WIDGET} input[type=range]").evaluate(
        "(s, v) => { s.value = v; s.dispatchEvent(new Event('input', { bubbles: true })); }", str(update)
    )


def test_the_widget_shows_the_memoised_run(browser: Browser, site_server: str) -> None:
    assert len(record()["next_token"]) == 101 and len(UPDATES) >= 7, UPDATES
    with visit(browser, site_server, LM_PAGE, idle=False) as (tab, log):
        ready(tab)
        check_shows(tab, 0)  # where it starts: the pretrained model
        for update in UPDATES:
            set_update(tab, update)
            check_shows(tab, update)
        slider = tab.get_by_label("REINFORCE update")  # its visible label names it
        set_update(tab, 49)
        slider.focus()
        for update in (50, 51, 52):
            tab.keyboard.press("ArrowRight")
            check_shows(tab, update)
        tab.keyboard.press("End")
        check_shows(tab, 100)
        live = tab.locator(f"{WIDGET} [aria-live=polite]")
        want = expected_at(100)
        tab.wait_for_function("([el, v]) => el.textContent.includes(v)", arg=[live.element_handle(), want["reward"]])
        assert live.text_content().startswith(f"After update 100: most likely {want['rows'][0][0].split()[0]}")
        tab.keyboard.press("Home")
        check_shows(tab, 0)
        requested = [url for url in log.requested if url.endswith(DATA)]
        problems = log.problems()
    assert len(requested) == 1, requested
    assert not problems, "\n".join(problems)


def test_the_widget_is_accessible(browser: Browser, site_server: str) -> None:
    with visit(browser, site_server, LM_PAGE, idle=False) as (tab, log):
        ready(tab)
        set_update(tab, 37)  # kind and unkind words both on show
        violations = violations_in_both_palettes(tab, WIDGET)
    assert not violations, "\n".join(violations)


def test_the_widget_fits_a_phone(browser: Browser, site_server: str) -> None:
    with visit(browser, site_server, LM_PAGE, viewport=MOBILE, idle=False) as (tab, log):
        widget = ready(tab)
        box, scroll_width, overflowing = phone_layout(tab, widget)
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= MOBILE["width"], box
    assert scroll_width <= MOBILE["width"] + 1 and not overflowing
