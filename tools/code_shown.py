"""How much code each page shows, and how much of it is validation: ``python tools/code_shown.py``.

Counts every ``--8<-- "file:section"`` that ``docs/**/*.md`` includes, as pymdownx.snippets
extracts it: the lines between the section's start and end markers, nested markers left out, blank
lines included. A validation line is a call to ``check_*``/``_check_*`` or a ``raise ValueError`` /
``raise TypeError``. ``tests/test_code_shown.py`` holds the pages to the budgets below (issue 13).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INCLUDE = re.compile(r'--8<--\s+"([^":]+):([^"]+)"')
VALIDATION = re.compile(r"\b_?check_\w*\(|raise (ValueError|TypeError)")
BUDGET = {"lines": 1_450, "validation": 10, "language-models.md": 350}


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


def pages() -> dict[str, tuple[int, int]]:
    """Per page (relative to docs/): (code lines shown, of them validation)."""
    counts = {}
    for md in sorted((ROOT / "docs").glob("**/*.md")):
        shown = [line for m in INCLUDE.finditer(md.read_text(encoding="utf-8")) for line in section(*m.groups())]
        if shown:
            counts[md.relative_to(ROOT / "docs").as_posix()] = (
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
    print(
        f"budget: at most {BUDGET['lines']:,} lines, {BUDGET['validation']} validation lines in all, "
        f"{BUDGET['language-models.md']} on language-models.md",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
