"""The pages show the idea, not the plumbing: budgets on the code they include (``tools/code_shown.py``)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

spec = importlib.util.spec_from_file_location(
    "code_shown", Path(__file__).resolve().parents[1] / "tools" / "code_shown.py"
)
assert spec is not None and spec.loader is not None
code_shown = importlib.util.module_from_spec(spec)
spec.loader.exec_module(code_shown)


def test_the_pages_show_little_validation_and_little_code():
    counts = code_shown.pages()
    budget = code_shown.BUDGET
    assert sum(lines for lines, _ in counts.values()) <= budget["lines"], counts
    assert sum(validation for _, validation in counts.values()) <= budget["validation"], counts
    assert counts["language-models.md"][0] <= budget["language-models.md"]
    beyond = code_shown.pages(beyond=True)
    assert set(beyond) == code_shown.BEYOND, beyond
    for page, (lines, _) in beyond.items():
        assert lines <= budget[page], (page, lines)


def test_pages_beyond_the_post_have_their_own_budget_and_are_not_in_the_total(tmp_path, monkeypatch):
    docs = tmp_path / "docs"
    docs.mkdir()
    (tmp_path / "m.py").write_text("# --8<-- [start:a]\nx = 1\ny = 2\n# --8<-- [end:a]\n")
    include = '--8<-- "m.py:a"\n'
    (docs / "chapter.md").write_text(f"# C\n{include}")
    (docs / "kl-penalty.md").write_text(f"# KL\n{include}{include}{include}")
    monkeypatch.setattr(code_shown, "ROOT", tmp_path)
    assert code_shown.pages() == {"chapter.md": (2, 0)}
    assert code_shown.pages(beyond=True) == {"kl-penalty.md": (6, 0)}
    assert code_shown.pages(practice_only=True) == {}


def test_validation_lines_are_recognised():
    lines = ["    check_int('n', n, minimum=1)", "    _check_batch(x)", "    raise ValueError('x')", "    y = check"]
    assert [bool(code_shown.VALIDATION.search(line)) for line in lines] == [True, True, True, False]


def test_exercises_and_practice_pages_are_counted_apart(tmp_path, monkeypatch):
    docs = tmp_path / "docs"
    docs.mkdir()
    (tmp_path / "m.py").write_text("# --8<-- [start:a]\nx = 1\ny = 2\n# --8<-- [end:a]\n")
    include = '--8<-- "m.py:a"\n'
    (docs / "chapter.md").write_text(f"# C\n{include}## Exercises\n{include}{include}")
    (docs / "bugs.md").write_text(f"# Bugs\n{include}")
    monkeypatch.setattr(code_shown, "ROOT", tmp_path)
    assert code_shown.pages() == {"chapter.md": (2, 0)}
    assert code_shown.pages(practice_only=True) == {"bugs.md": (2, 0), "chapter.md": (4, 0)}
