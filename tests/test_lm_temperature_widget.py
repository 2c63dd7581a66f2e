"""The temperature widget on the why-Q-learning-breaks-down page, in a real browser (Playwright + Chromium).

For every temperature on its slider, set by value (an ``input`` event, as a drag sends) and by the keyboard,
the first-token distribution it shows after "the sea" (8 tokens and "other"), its entropy, the five draws
and the count of distinct responses are compared with values computed here from the page's pretrained
model (``figures.lm_runs.models``: the memoised run, not trained again): softmax(logits / T) in float64
(the argmax at T = 0), the entropy of those probabilities, ``sample_next`` through ``generate`` for the
draws, with seeds 0 to 4, and the distinct responses of a batch drawn with the page's sampling seed.
axe-core finds nothing serious in it in the light or the dark palette (one visit, both palettes); and
at 375 px the widget fits. That its data file is fetched on that page only is checked for every page
by tests/test_site_browser.py.
"""

from __future__ import annotations

import math
from functools import cache

import pytest
from playwright.sync_api import Browser, Page

from tests.test_site_browser import MOBILE, visit
from tests.widget_helpers import phone_layout, violations_in_both_palettes

pytestmark = pytest.mark.browser

PAGE = "value-learning/why-q-learning-breaks-down/"
DATA = "/data/lm_temperature.json"
WIDGET = '.rlhf-widget[data-widget="lm-temperature"]'
TEMPERATURES = [k / 10 for k in range(21)]


@cache
def expected_at(k: int) -> dict:
    """What the widget should show at slider position ``k`` (temperature k / 10), computed from the model."""
    import torch
    from rl4rlhf.lm_model import encode_prompt, generate, response_texts
    from rl4rlhf.lm_rl import RLConfig

    from figures.lm import EVAL_SEED, TEMPERATURE_COUNT
    from figures.lm_runs import models

    pretrained, _, vocab, _ = models(0)
    t, tokens = TEMPERATURES[k], vocab.tokens
    with torch.no_grad():
        logits = pretrained(torch.tensor([encode_prompt(vocab, "the sea")]))[0, -1].double().tolist()
    if t == 0:
        best = max(range(len(logits)), key=lambda i: (logits[i], -i))
        probs = [float(i == best) for i in range(len(logits))]
    else:
        z = [math.exp((x - max(logits)) / t) for x in logits]
        probs = [x / sum(z) for x in z]
    order = sorted(range(len(probs)), key=lambda i: (-probs[i], i))
    rows = [[f'"{tokens[i]}"', f"{probs[i]:.3f}"] for i in order[:8]]
    rows.append(["other", f"{sum(probs[i] for i in order[8:]):.3f}"])
    entropy = -sum(p * math.log2(p) for p in probs if p > 0) + 0.0

    def draw(n: int, seed: int) -> list[str]:
        gen = torch.Generator().manual_seed(seed)
        out = generate(pretrained, encode_prompt(vocab, "the sea"), n, RLConfig.max_new_tokens, t, gen)
        return response_texts(vocab, out)

    draws = [f"the sea {draw(1, s)[0]}" for s in range(5)]
    distinct = len(set(draw(TEMPERATURE_COUNT, EVAL_SEED)))
    return {"rows": rows, "entropy": f"{entropy:.3f} bits", "draws": draws, "distinct": f"{distinct} distinct"}


def ready(tab: Page):
    widget = tab.locator(f'{WIDGET}[data-ready="true"]')
    widget.wait_for()
    return widget


def shown(tab: Page) -> dict:
    return tab.locator(WIDGET).evaluate(
        """(w) => ({
          slider: w.querySelector('input[type="range"]').value,
          output: w.querySelector("output").textContent,
          rows: [...w.querySelectorAll(".rlhf-widget__dist tbody tr")].map(
            (tr) => [tr.querySelector("th").textContent, tr.querySelector(".rlhf-widget__p").textContent]),
          entropy: w.querySelector(".rlhf-widget__entropy").textContent,
          draws: [...w.querySelectorAll(".rlhf-widget__responses li")].map((li) => li.textContent),
          distinct: w.querySelector(".rlhf-widget__distinct").textContent,
        })"""
    )


def check_shows(tab: Page, k: int) -> None:
    got, want = shown(tab), expected_at(k)
    assert int(got["slider"]) == k, got
    assert got["output"] == ("0 (argmax)" if k == 0 else f"{TEMPERATURES[k]:.1f}"), got
    assert got["rows"] == want["rows"], f"T = {TEMPERATURES[k]}"
    assert want["entropy"] in got["entropy"], (k, got["entropy"])
    assert got["draws"] == want["draws"], f"T = {TEMPERATURES[k]}"
    assert got["distinct"].startswith(want["distinct"]), (k, got["distinct"])


def set_position(tab: Page, k: int) -> None:
    tab.locator(f"{WIDGET} input[type=range]").evaluate(
        "(s, v) => { s.value = v; s.dispatchEvent(new Event('input', { bubbles: true })); }", str(k)
    )


def test_the_widget_shows_what_the_model_computes(browser: Browser, site_server: str) -> None:
    with visit(browser, site_server, PAGE, idle=False) as (tab, log):
        ready(tab)
        check_shows(tab, 0)
        for k in range(1, len(TEMPERATURES)):
            set_position(tab, k)
            check_shows(tab, k)
        slider = tab.get_by_label("Temperature")
        set_position(tab, 6)
        slider.focus()
        tab.keyboard.press("ArrowRight")
        check_shows(tab, 7)
        tab.keyboard.press("Home")
        check_shows(tab, 0)
        tab.keyboard.press("End")
        check_shows(tab, 20)
        requested = [url for url in log.requested if url.endswith(DATA)]
        problems = log.problems()
    assert len(requested) == 1, requested
    assert not problems, "\n".join(problems)


def test_the_widget_is_accessible(browser: Browser, site_server: str) -> None:
    with visit(browser, site_server, PAGE, idle=False) as (tab, log):
        ready(tab)
        set_position(tab, 12)
        violations = violations_in_both_palettes(tab, WIDGET)
    assert not violations, "\n".join(violations)


def test_the_widget_fits_a_phone(browser: Browser, site_server: str) -> None:
    with visit(browser, site_server, PAGE, viewport=MOBILE, idle=False) as (tab, log):
        widget = ready(tab)
        box, scroll_width, overflowing = phone_layout(tab, widget)
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= MOBILE["width"], box
    assert scroll_width <= MOBILE["width"] + 1 and not overflowing
