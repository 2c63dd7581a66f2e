"""benchmarks/site.py's comparison of two cold builds: every differing, missing or extra file is named."""

from __future__ import annotations

from pathlib import Path

from benchmarks.site import report_differences


def test_two_builds_are_compared_file_by_file(tmp_path: Path, capsys):
    first, again = tmp_path / "first", tmp_path / "again"
    for site in (first, again):
        (site / "page").mkdir(parents=True)
        (site / "same.html").write_text("<p>same</p>\n", encoding="utf-8")
    (first / "page" / "index.html").write_text("<p>G = 0.99</p>\n", encoding="utf-8")
    (again / "page" / "index.html").write_text("<p>G = 0.98</p>\n", encoding="utf-8")
    (first / "figure.png").write_bytes(b"\x89PNG\x00\xff")
    (again / "figure.png").write_bytes(b"\x89PNG\x00\xfe")
    (first / "gone.txt").write_text("only in the first\n", encoding="utf-8")
    (again / "new.txt").write_text("only in the second\n", encoding="utf-8")

    assert report_differences(first, again, "cold build 2") == ["figure.png", "gone.txt", "new.txt", "page/index.html"]
    out = capsys.readouterr().out
    assert "cold build 2: figure.png differs (6 and 6 bytes)" in out
    assert "cold build 2: gone.txt is only in the first build" in out
    assert "cold build 2: new.txt is only in the later build" in out
    assert "-<p>G = 0.99</p>" in out and "+<p>G = 0.98</p>" in out  # a text file: the start of its diff
    assert report_differences(first, first, "same") == []
