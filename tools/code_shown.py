"""How much code each page shows, and how much of it is validation: ``python tools/code_shown.py``.

Counts every ``--8<-- "file:section"`` that ``docs/**/*.md`` includes, as pymdownx.snippets
extracts it: the lines between the section's start and end markers, nested markers left out, blank
lines included. A validation line is a call to ``check_*``/``_check_*`` or a ``raise ValueError`` /
``raise TypeError``. ``tests/test_code_shown.py`` holds the pages to the budgets below (issue 13).

The budget is for the chapters' own text: a page's "Exercises" section (its stubs, and the solutions, which
show sections the chapter already counts) and the pages in ``PRACTICE`` (the bug gallery, which shows
broken variants beside the correct lines) are counted apart, by ``practice()``. The pages in ``BEYOND`` go
past the post (the KL penalty): each has a budget of its own, ``BUDGET[page]``, and none counts in the
chapters' total.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INCLUDE = re.compile(r'--8<--\s+"([^":]+):([^"]+)"')
VALIDATION = re.compile(r"\b_?check_\w*\(|raise (ValueError|TypeError)")
BUDGET = {"lines": 1_450, "validation": 10, "language-models.md": 350, "kl-penalty.md": 120}
EXERCISES = re.compile(r"^## Exercises\b", re.MULTILINE)
PRACTICE = {"bugs.md"}
BEYOND = {"kl-penalty.md"}  # past the post: budgeted one by one, not in the chapters' total


def section(path: str, name: str) -> list[str]:
    """The lines of section ``name`` of ``path``, as the page shows them."""
    lines, inside, out = (ROOT / path).read_text(encoding="utf-8").splitlines(), False, []
    for line in lines:
        if f"[start:{name}]" in line and "--8<--" in line:
            inside = True
        elif f"[end:{name}]" in line and "--8<--" in line:
            break
        elif inside and "--8<--" not in line:
            out.append(line)
    return out


def _count(text: str) -> list[str]:
    return [line for m in INCLUDE.finditer(text) for line in section(*m.groups())]


def pages(practice_only: bool = False, beyond: bool = False) -> dict[str, tuple[int, int]]:
    """Per page (relative to docs/): (code lines shown, of them validation).

    The chapters' text by default; with ``practice_only``, the exercises and the ``PRACTICE`` pages;
    with ``beyond``, the ``BEYOND`` pages only.
    """
    counts = {}
    for md in sorted((ROOT / "docs").glob("**/*.md")):
        name = md.relative_to(ROOT / "docs").as_posix()
        if (name in BEYOND) != beyond:
            continue
        text = md.read_text(encoding="utf-8")
        cut = EXERCISES.search(text)
        chapter, exercises = (text[: cut.start()], text[cut.start() :]) if cut else (text, "")
        if name in PRACTICE:
            chapter, exercises = "", text
        shown = _count(exercises if practice_only else chapter)
        if shown:
            counts[name] = (
                len(shown),
                sum(bool(VALIDATION.search(x)) for x in shown),
            )
    return counts


def main() -> None:
    counts = pages()
    print("| page | code lines shown | of them validation |\n|---|---:|---:|")
    for page, (lines, validation) in counts.items():
        print(f"| {page} | {lines:,} | {validation} |")
    total = [sum(c[i] for c in counts.values()) for i in (0, 1)]
    print(f"| all pages | {total[0]:,} | {total[1]} |")
    practice = pages(practice_only=True)
    if practice:
        print("\n| exercises and practice pages (not budgeted) | code lines shown |\n|---|---:|")
        for page, (lines, _) in practice.items():
            print(f"| {page} | {lines:,} |")
    for page, (lines, _) in pages(beyond=True).items():
        print(f"| {page} (beyond the post) | {lines:,} of its own {BUDGET[page]} |")
    print(
        f"budget: at most {BUDGET['lines']:,} lines, {BUDGET['validation']} validation lines in all, "
        f"{BUDGET['language-models.md']} on language-models.md",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
