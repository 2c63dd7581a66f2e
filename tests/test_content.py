"""The whole post is on the site, in the post's order, in clean text, with no code pasted into a page."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
MOJIBAKE = ["â€", "Ã", "ðŸ", "\ufffd", "Â", "â†", "Î³", "Ï€"]

# Every section of the newer revision of the post, in the post's order.
SECTIONS = [
    "Why RLHF Exists",
    "The Agent-Environment Loop",
    "The Policy: The Agent's Strategy",
    "Why Cumulative Reward? The Return",
    "Discounted Return: Why Future Rewards Count Less",
    "The RL Objective",
    "The Q-Function: Rating State-Action Pairs",
    "Two Families of RL: Value Learning vs. Policy Learning",
    "Why does this distinction matter for LLMs?",
    "Scaling Q to Neural Networks: Deep Q-Networks (DQN)",
    "The Bellman Target: How Q Actually Learns",
    "The Training Loop: Turning Bellman Into a Loss Function",
    "Why Q-Learning Breaks Down",
    "Policy Gradient: Try Stuff, Keep What Works",
    "Mapping RL to Language Models",
    "Summary: RL Concepts You Need for RLHF",
]

# Sentences from the post whose non-ASCII characters were damaged in the newer revision.
RESTORED_SENTENCES = [
    "Every training example is treated equally — the model learns to",
    "A random policy picks uniformly — 25% chance for each direction.",
    "It's a prediction, not a fact — but with enough episodes, it's a very good one.",
    "Policy gradient is beautifully direct — try actions, see what happens, reinforce what works.",
    "No special exploration strategy needed.",
    "RLHF just adds the missing piece: a reward signal that captures",
    "reinforcing the good, suppressing the bad, one episode at a time.",
]


def nav_pages(nav) -> list[str]:
    pages: list[str] = []
    for item in nav:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        if isinstance(value, list):
            pages.extend(nav_pages(value))
        else:
            pages.append(value)
    return pages


def page_html(site: Path, src: str) -> Path:
    stem = src.rsplit(".", 1)[0]
    return site / "index.html" if stem == "index" else site / stem / "index.html"


def visible_text(markup: str) -> str:
    article = re.search(r"<article[^>]*>(.*)</article>", markup, flags=re.S)
    body = article.group(1) if article else markup
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r"</?abbr\b[^>]*>", "", body)  # a glossary tooltip is inline: "(<abbr>DQN</abbr>)" reads "(DQN)"
    text = html.unescape(re.sub(r"<[^>]+>", " ", body))
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def site_text(built_site: Path) -> str:
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    texts = []
    for src in nav_pages(config["nav"]):
        path = page_html(built_site, src)
        assert path.is_file(), f"{src} is in the nav but {path} was not built"
        texts.append(visible_text(path.read_text(encoding="utf-8")))
    return "\n".join(texts)


def test_every_section_of_the_post_is_on_the_site_in_order(site_text: str):
    position = -1
    for title in SECTIONS:
        found = site_text.find(title, position + 1)
        assert found != -1, f"section {title!r} is missing, or out of the post's order"
        position = found


@pytest.mark.parametrize("sentence", RESTORED_SENTENCES)
def test_restored_sentences_read_cleanly(site_text: str, sentence: str):
    assert sentence in site_text


def test_built_site_has_no_mojibake(built_site: Path):
    bad = []
    for page in sorted(built_site.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        bad += [f"{page.relative_to(built_site)}: {m!r}" for m in MOJIBAKE if m in text]
    assert not bad, "damaged text in the built site:\n" + "\n".join(bad)


def test_sources_have_no_mojibake():
    bad = []
    for path in sorted(
        [*(REPO / "docs").rglob("*.md"), *(REPO / "notebooks").glob("*.py"), *(REPO / "snippets").glob("*.py")]
    ):
        text = path.read_text(encoding="utf-8")
        bad += [f"{path.relative_to(REPO)}: {m!r}" for m in MOJIBAKE if m in text]
    assert not bad, "\n".join(bad)


def test_no_python_is_pasted_into_a_page():
    """Python on a page comes from snippets/ (or an exercise stub in exercises/) by named section, never pasted
    and never by line number."""
    offenders = []
    for md in sorted((REPO / "docs").rglob("*.md")):
        text = md.read_text(encoding="utf-8")
        for block in re.findall(r"```(?:python|py)\b[^\n]*\n(.*?)```", text, flags=re.S):
            for line in filter(str.strip, block.splitlines()):
                if not re.fullmatch(r'\s*--8<-- "(snippets|exercises)/[a-z_]+\.py:[a-z_]+"\s*', line):
                    offenders.append(f"{md.relative_to(REPO)}: {line.strip()}")
    assert not offenders, "pasted code or an include without a named section:\n" + "\n".join(offenders)


def test_every_included_section_exists():
    """check_paths catches a missing file; this names a missing section before the build does."""
    missing = []
    for md in sorted((REPO / "docs").rglob("*.md")):
        for path, section in re.findall(r'--8<-- "(snippets/[a-z_]+\.py):([a-z_]+)"', md.read_text(encoding="utf-8")):
            source = (REPO / path).read_text(encoding="utf-8")
            if f"# --8<-- [start:{section}]" not in source or f"# --8<-- [end:{section}]" not in source:
                missing.append(f"{md.relative_to(REPO)} -> {path}:{section}")
    assert not missing, "\n".join(missing)


def test_every_key_insight_is_an_admonition():
    plain = []
    for md in sorted((REPO / "docs").rglob("*.md")):
        for line in md.read_text(encoding="utf-8").splitlines():
            if "Key insight" in line and not re.match(r'\s*(!!!|\?\?\?)\+? \w+ "Key insight"', line):
                plain.append(f"{md.relative_to(REPO)}: {line.strip()}")
    assert not plain, "\n".join(plain)
