"""References, notation and glossary (issue 16).

* Every footnote citation on a page (``[^key]``) has its definition on that page, the definition links
  to ``references.md#key``, and ``key`` is an entry of the References page; every entry is cited by
  some page or listed under "Further reading"; the papers the issue names are all there.
* The glossary has one source, ``includes/glossary.md`` (``*[term]: definition`` lines, appended to
  every page by pymdownx.snippets): ``docs/glossary.md`` lists exactly its terms, with the same
  definitions, in the same order. Terms are multi-character, so the abbr extension never marks a
  symbol such as Q.
* In the built site a glossary term on a chapter page is an ``<abbr title=...>`` with its definition,
  never inside code, math or a heading's anchor, and a footnote links to its References entry; in a
  browser, the first use of a term takes the keyboard focus and focusing it shows the definition.
* The Notation page covers the symbols the issue names, and the index convention it states for
  ``G_t`` is the one ``rl4rlhf.returns`` computes.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from rl4rlhf.returns import discounted_return, returns_to_go

from tests.test_site_browser import DESKTOP, MOBILE, visit

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
GLOSSARY_SOURCE = REPO / "includes" / "glossary.md"
REFERENCES = DOCS / "references.md"

FOOTNOTE_REF = re.compile(r"\[\^([A-Za-z0-9_-]+)\]")  # in a text without its definition lines
FOOTNOTE_DEF = re.compile(r"^\[\^([A-Za-z0-9_-]+)\]:\s*(.+)$", re.MULTILINE)
ENTRY_ANCHOR = re.compile(r"^\{: #([a-z0-9]+) \}$", re.MULTILINE)
ABBR_LINE = re.compile(r"^\*\[([^\]]+)\]: (.+)$")

# The works issue 16 names, by the key of their entry.
REQUIRED = {
    "suttonbarto2018": "Sutton, R. S., & Barto, A. G. (2018)",
    "watkins1992": "Watkins, C. J. C. H., & Dayan, P. (1992)",
    "williams1992": "Williams, R. J. (1992)",
    "mnih2015": "Mnih, V., Kavukcuoglu, K., Silver, D.",
    "vanhasselt2016": "van Hasselt, H., Guez, A., & Silver, D. (2016)",
    "schulman2017": "Schulman, J., Wolski, F., Dhariwal, P., Radford, A., & Klimov, O. (2017)",
    "ziegler2019": "Ziegler, D. M., Stiennon, N.",
    "christiano2017": "Christiano, P. F., Leike, J.",
    "ouyang2022": "Ouyang, L., Wu, J.",
}

# Symbols the Notation page must define (as they appear in its tables' first column).
NOTATION_SYMBOLS = [
    "$t$",
    "$s_t$",
    "$a_t$",
    "$r_{t+1}$",
    "$T$",
    "$\\tau$",
    "terminated",
    "truncated",
    "$\\gamma$",
    "$G_t$",
    "$\\pi(a \\mid s)$",
    "$\\theta$",
    "$\\pi^*$",
    "$J(\\theta)$",
    "$Q^\\pi(s, a)$",
    "$Q^*(s, a)$",
    "$V^\\pi(s)$",
    "$A(s, a)$",
    "$\\delta_t$",
    "$\\alpha$",
    "$\\varepsilon$",
    "$\\beta$",
]


def chapter_pages() -> list[Path]:
    """Every Markdown page except the References page itself."""
    return sorted(p for p in DOCS.rglob("*.md") if p != REFERENCES)


def reference_entries() -> dict[str, str]:
    """key -> the entry's text (the paragraph the ``{: #key }`` line closes)."""
    text = REFERENCES.read_text(encoding="utf-8")
    entries = {}
    for block in text.split("\n\n"):
        found = ENTRY_ANCHOR.search(block)
        if found:
            entries[found.group(1)] = block[: found.start()].strip()
    return entries


def further_reading() -> set[str]:
    text = REFERENCES.read_text(encoding="utf-8")
    _, _, tail = text.partition("\n## Further reading\n")
    assert tail, "references.md has no '## Further reading' section"
    return set(ENTRY_ANCHOR.findall(tail))


def glossary_source() -> list[tuple[str, str]]:
    """(term, definition) for every line of includes/glossary.md, which holds nothing else."""
    terms = []
    for line in GLOSSARY_SOURCE.read_text(encoding="utf-8").splitlines():
        found = ABBR_LINE.match(line)
        assert found, f"includes/glossary.md: not a '*[term]: definition' line: {line!r}"
        terms.append((found.group(1), found.group(2)))
    return terms


def glossary_page() -> list[tuple[str, str]]:
    """(term, definition) of every entry of docs/glossary.md's definition list."""
    lines = (DOCS / "glossary.md").read_text(encoding="utf-8").splitlines()
    return [(lines[i - 1], line[4:]) for i, line in enumerate(lines) if line.startswith(":   ")]


# --- References and footnotes ------------------------------------------------------------------


def test_the_references_page_has_the_works_the_issue_names() -> None:
    entries = reference_entries()
    for key, authors in REQUIRED.items():
        assert key in entries, f"references.md: no entry {{: #{key} }}"
        assert entries[key].startswith(authors), f"{key}: {entries[key][:80]!r}"


def test_every_entry_is_a_full_citation() -> None:
    for key, entry in reference_entries().items():
        year = re.search(r"\d{4}", key)
        assert year, f"{key}: the key ends in the year"
        assert f"({year.group()})." in entry, f"{key}: no '({year.group()}).' after the authors"
        title = entry.split(f"({year.group()}).", 1)[1].strip()
        assert len(title) > 10, f"{key}: no title"


@pytest.mark.parametrize("md", chapter_pages(), ids=lambda p: str(p.relative_to(DOCS)))
def test_every_footnote_citation_resolves(md: Path) -> None:
    text = md.read_text(encoding="utf-8")
    definitions = dict(FOOTNOTE_DEF.findall(text))
    used = set(FOOTNOTE_REF.findall(FOOTNOTE_DEF.sub("", text)))
    entries = reference_entries()
    assert used <= set(definitions), f"cited without a definition: {used - set(definitions)}"
    assert set(definitions) <= used, f"defined, never cited: {set(definitions) - used}"
    depth = "../" * len(md.relative_to(DOCS).parent.parts)
    for key, body in definitions.items():
        assert key in entries, f"[^{key}] is not an entry of references.md"
        assert f"]({depth}references.md#{key})" in body, f"[^{key}] does not link to {depth}references.md#{key}"


def test_every_entry_is_cited_or_further_reading() -> None:
    cited = set()
    for page in chapter_pages():
        cited |= set(FOOTNOTE_REF.findall(FOOTNOTE_DEF.sub("", page.read_text(encoding="utf-8"))))
    further = further_reading()
    for key in reference_entries():
        assert (key in cited) != (key in further), (
            f"{key}: cited by a page" if key in cited else f"{key}: neither cited nor listed as further reading"
        )


# --- Glossary ----------------------------------------------------------------------------------


def test_the_glossary_page_and_the_tooltips_have_one_source() -> None:
    assert glossary_page() == glossary_source()


def test_glossary_terms_are_multi_character_and_unique() -> None:
    terms = [term for term, _ in glossary_source()]
    assert len(terms) == len(set(terms))
    for term, definition in glossary_source():
        assert len(term) >= 2 and not re.fullmatch(r"[A-Za-z]\W*", term), f"{term!r}: too short to mark safely"
        assert term == term.strip() and "\n" not in definition and '"' not in definition, term


def test_the_config_appends_the_glossary_and_shows_tooltips() -> None:
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    extensions = {next(iter(e)) if isinstance(e, dict) else e: e for e in config["markdown_extensions"]}
    assert {"abbr", "footnotes", "attr_list", "def_list"} <= set(extensions)
    snippets = extensions["pymdownx.snippets"]["pymdownx.snippets"]
    assert "includes/glossary.md" in snippets["auto_append"]
    assert "content.tooltips" in config["theme"]["features"]
    reference = next(item["Reference"] for item in config["nav"] if "Reference" in item)
    assert [next(iter(item.values())) for item in reference] == ["notation.md", "glossary.md", "references.md"]


# --- Notation ----------------------------------------------------------------------------------


def test_notation_defines_the_symbols() -> None:
    text = (DOCS / "notation.md").read_text(encoding="utf-8")
    first_cells = {row.split(" | ")[0][2:].strip() for row in text.splitlines() if row.startswith("| ")}
    missing = [symbol for symbol in NOTATION_SYMBOLS if symbol not in first_cells]
    assert not missing, f"notation.md defines no row for {missing}"


def test_the_stated_return_convention_is_the_codes() -> None:
    """Notation: rewards[t] is r_{t+1} and G_t = sum_k γ^k r_{t+k+1} = r_{t+1} + γ G_{t+1}."""
    text = (DOCS / "notation.md").read_text(encoding="utf-8")
    assert "\\sum_{k=0}^{T-t-1} \\gamma^k \\, r_{t+k+1}" in text
    assert "`rewards[t]` is $r_{t+1}$" in text
    rewards = np.random.default_rng(0).normal(size=7)
    for gamma in (1.0, 0.9):
        G = returns_to_go(rewards, gamma)
        T = len(rewards)
        for t in range(T):
            by_formula = sum(gamma**k * rewards[t + k] for k in range(T - t))  # r_{t+k+1} is rewards[t+k]
            assert G[t] == pytest.approx(by_formula)
        assert G[0] == pytest.approx(discounted_return(rewards, gamma))


# --- The built site ----------------------------------------------------------------------------


class Abbrs(HTMLParser):
    """Every ``<abbr>`` of a page with its title and text, and whether one sits in code, math or a
    heading's permalink."""

    VOID = {"br", "img", "hr", "input", "meta", "link", "source", "wbr", "col", "area", "base", "embed"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, str]] = []
        self.abbrs: list[tuple[str, str]] = []
        self.misplaced: list[str] = []
        self._title: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "abbr":
            inside = [t for t, cls in self.stack if t in ("code", "pre") or "arithmatex" in cls or "headerlink" in cls]
            if inside:
                self.misplaced.append(f"{found.get('title', '')[:40]!r} inside {inside}")
            self._title, self._text = found.get("title") or "", ""
        if tag not in self.VOID:
            self.stack.append((tag, found.get("class") or ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "abbr" and self._title is not None:
            self.abbrs.append((self._text, self._title))
            self._title = None
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._title is not None:
            self._text += data


def parse(page: Path) -> Abbrs:
    parser = Abbrs()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def test_a_glossary_term_on_a_chapter_page_is_a_tooltip(built_site: Path) -> None:
    definitions = dict(glossary_source())
    abbrs = parse(built_site / "value-learning" / "dqn" / "index.html").abbrs
    assert ("replay buffer", definitions["replay buffer"]) in abbrs
    assert ("target network", definitions["target network"]) in abbrs
    for text, title in abbrs:
        assert definitions.get(text) == html.unescape(title), f"<abbr> {text!r} has a title that is not its definition"


def test_tooltips_stay_out_of_code_math_and_permalinks(built_site: Path) -> None:
    marked = 0
    for page in sorted(built_site.rglob("index.html")):
        parsed = parse(page)
        assert not parsed.misplaced, f"{page.relative_to(built_site)}: {parsed.misplaced}"
        marked += len(parsed.abbrs)
    assert marked > 100, "the glossary's terms are marked on the pages"


def test_a_footnote_links_to_its_reference(built_site: Path) -> None:
    dqn = (built_site / "value-learning" / "dqn" / "index.html").read_text(encoding="utf-8")
    assert 'href="#fn:mnih2015"' in dqn
    assert 'href="../../references/#mnih2015"' in dqn
    references = (built_site / "references" / "index.html").read_text(encoding="utf-8")
    for key in reference_entries():
        assert f'<p id="{key}">' in references, f"the References page has no anchor #{key}"


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [DESKTOP, MOBILE], ids=["desktop", "mobile"])
def test_a_tooltip_shows_on_keyboard_focus(browser: Any, site_server: str, viewport: dict[str, int]) -> None:
    """The first "replay buffer" on the DQN page takes the focus (glossary.js), a repeat does not, and
    focusing it from the keyboard shows its definition in Material's tooltip."""
    definition = dict(glossary_source())["replay buffer"]
    with visit(browser, site_server, "value-learning/dqn/", viewport=viewport) as (tab, log):
        terms = tab.locator("article abbr", has_text="replay buffer")
        assert terms.count() >= 2
        assert terms.nth(0).get_attribute("tabindex") == "0"
        assert terms.nth(1).get_attribute("tabindex") is None
        terms.nth(0).focus()
        tab.keyboard.press("Shift+Tab")
        tab.keyboard.press("Tab")
        assert tab.evaluate("document.activeElement.textContent") == "replay buffer"
        tooltip = tab.locator(".md-tooltip2", has_text=definition[:40])
        tooltip.wait_for(state="visible")
        assert not log.page_errors and not log.console_errors
