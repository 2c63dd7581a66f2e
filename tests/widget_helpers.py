"""What the widget tests (tests/test_*_widget.py) share: the palette, and axe-core on one widget.

tests/test_site_browser.py runs axe-core on every page in the light palette; in the dark one, the
page's highlighted code has contrast failures of Material's own, so the widget tests check their
widget alone, in both palettes.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Locator, Page

from tests.test_site_browser import AXE

AXE_WIDGET_JS = """
async (selector) => {
  const result = await axe.run(document.querySelector(selector), { resultTypes: ["violations"] });
  return result.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join("; ")})`);
}
"""


def use_palette(tab: Page, scheme: str) -> None:
    """Switch to ``scheme`` ("light"/"default" or "dark"/"slate") with the header's toggle, as a reader
    would, from the light palette a page opens in. Material fades colours when the palette changes:
    transitions go off first, so axe never measures half-way."""
    tab.add_style_tag(content="*, *::before, *::after { transition: none !important; }")
    if scheme in ("dark", "slate"):
        tab.locator('label.md-header__button[for^="__palette_"]').filter(visible=True).click()
        tab.locator('body[data-md-color-scheme="slate"]').wait_for(state="attached")


def widget_violations(tab: Page, selector: str) -> list[str]:
    """axe-core's serious and critical findings inside the element ``selector``."""
    if not tab.evaluate("() => typeof axe !== 'undefined'"):
        tab.add_script_tag(content=AXE.read_text(encoding="utf-8"))  # inline: no request
    return tab.evaluate(AXE_WIDGET_JS, selector)


def violations_in_both_palettes(tab: Page, selector: str) -> list[str]:
    """``widget_violations`` in the light palette, then in the dark one (the header's toggle, as a
    reader switches), each finding prefixed with its palette: one visit checks both."""
    found = []
    for scheme in ("light", "dark"):
        use_palette(tab, scheme)
        found += [f"{scheme}: {v}" for v in widget_violations(tab, selector)]
    return found


def phone_layout(tab: Page, widget: Locator) -> tuple[Any, int, bool]:
    """What "fits a phone" is judged on: the widget's box, the page's scroll width, and whether the
    widget's own content is wider than the widget."""
    box = widget.bounding_box()
    scroll_width = tab.evaluate("document.documentElement.scrollWidth")
    overflowing = widget.evaluate("(w) => w.scrollWidth > w.clientWidth")
    return box, scroll_width, overflowing
