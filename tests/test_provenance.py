"""Every number and every code block on the site says where it came from (hooks/provenance.py).

* each computed value a page shows (``{{ num_x }}``) is a focusable mark whose tooltip and description
  name the function that computed it, the snippet sections it ran and the check that tests it; each
  computed table has a caption saying the same;
* each fenced code block that includes a snippet has a caption under it naming the file, the section
  and the test module covering it;
* the Claims page lists every computed value the pages show;
* every page's footer names the commit, the build date and the library versions;
* a computed value with no check fails the build;
* the Pages workflow deploys only a commit whose tests passed.

All derived from the pages' sources and the built site; nothing lists the current values.
"""

from __future__ import annotations

import datetime as dt
import html
import importlib.util
import re
import sys
from pathlib import Path

import pytest
import yaml

from tests.test_build_faults import build, copy_project

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
PLACEHOLDER = re.compile(r"\{\{\s*((?:num|table)_[a-z0-9_]+)\s*\}\}")
MARK = re.compile(r'<(span|div) class="(?:arithmatex )?computed"([^>]*)>')
ATTR = re.compile(r'([a-z-]+)="([^"]*)"')


def _load(path: Path):
    name = f"_test_{path.stem}"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


provenance = _load(REPO / "hooks" / "provenance.py")


def nav_sources() -> list[str]:
    """The Markdown pages of the nav, as paths under docs/."""
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))

    def walk(items):
        for item in items:
            value = next(iter(item.values())) if isinstance(item, dict) else item
            if isinstance(value, list):
                yield from walk(value)
            elif isinstance(value, str) and value.endswith(".md"):
                yield value

    return list(walk(config["nav"]))


def page_file(site: Path, src: str) -> Path:
    stem = src.removesuffix(".md")
    if stem == "index" or stem.endswith("/index"):
        return site / stem.removesuffix("index") / "index.html"
    return site / stem / "index.html"


def marks(markup: str) -> list[dict[str, str]]:
    return [dict(ATTR.findall(m.group(2))) for m in MARK.finditer(markup)]


SOURCES = {src: (DOCS / src).read_text(encoding="utf-8") for src in nav_sources()}
WITH_VALUES = sorted(src for src, text in SOURCES.items() if re.search(r"\{\{\s*num_", text))
WITH_TABLES = sorted(src for src, text in SOURCES.items() if re.search(r"\{\{\s*table_", text))
WITH_CODE = sorted(src for src, text in SOURCES.items() if "--8<--" in text)


# --------------------------------------------------------------------------------------------------
# Values


@pytest.mark.parametrize("src", WITH_VALUES)
def test_every_value_on_a_page_is_marked_with_its_function_sections_and_check(built_site: Path, src: str):
    markup = page_file(built_site, src).read_text(encoding="utf-8")
    found = marks(markup)
    marked = {name for mark in found for name in mark["data-values"].split()}
    in_text = re.sub(r"!\[[^\]]*\]|<[^>]*>", "", SOURCES[src])  # in an image's alt text or an attribute: plain
    expected = {n for n in PLACEHOLDER.findall(in_text) if n.startswith("num_")}
    assert expected <= marked, f"docs/{src}: values with no mark: {sorted(expected - marked)}"
    ids = set(re.findall(r'id="(provenance-[a-z0-9_]+)"', markup))
    for mark in found:
        assert mark.get("tabindex") == "0", f"{src}: a mark a keyboard cannot reach: {mark}"
        tip = html.unescape(mark["data-tip"])
        for name in mark["data-values"].split():
            assert re.search(rf"computed by figures\.[a-z_]+\.{name}\(seed\)", tip), tip
            assert f"checked by {name} in tests/test_values.py" in tip, tip
            assert f"test_value_matches_its_check[{name}]" in tip, tip
            assert " · ran " in tip, tip
        described = set(mark["aria-describedby"].split())
        assert described and described <= ids, f"{src}: aria-describedby names missing notes: {described - ids}"
    assert "\ue000" not in markup and "\ue002" not in markup, f"{src}: a marker was left in the page"


@pytest.mark.parametrize("src", WITH_TABLES)
def test_every_computed_table_has_a_caption(built_site: Path, src: str):
    markup = page_file(built_site, src).read_text(encoding="utf-8")
    captions = re.findall(r'<p class="computed-caption">(.*?)</p>', markup, re.S)
    tables = PLACEHOLDER.findall(SOURCES[src])
    for name in (n for n in tables if n.startswith("table_")):
        caption = next((c for c in captions if f".{name}(seed)" in c), None)
        assert caption is not None, f"docs/{src}: {name} has no caption"
        assert "tests/test_values.py::" + name in caption and " ran " in caption


def test_every_check_is_found_by_the_static_scan():
    """The build reads tests/test_values.py without importing it: what it finds is what pytest runs."""
    from tests.test_values import CHECKS

    assert set(provenance.value_checks(REPO)) == set(CHECKS)


def test_sections_named_in_a_tooltip_exist():
    hook = _load(REPO / "hooks" / "compute.py")
    for p in provenance.value_provenance(hook.discover(), REPO).values():
        for section in p.sections:
            if section.endswith("(other code)"):
                assert (REPO / section.split(" ")[0]).is_file()
                continue
            path, name = section.split(":")
            assert name in {s for s, _, _ in provenance.sections_of(REPO / path)}, f"{p.name}: {section}"


def test_provenance_is_kept_and_walked_again_when_what_it_read_changes(tmp_path: Path, monkeypatch):
    """value_provenance keeps its answer in .cache/provenance.json under a digest of what it reads: a
    second build walks no code; an edited snippet or check is walked again."""
    root = tmp_path
    for name in ("snippets", "figures", "exercises", "tests"):
        (root / name).mkdir()
    (root / "snippets" / "m.py").write_text(
        "# --8<-- [start:half]\ndef half(x):\n    return x / 2\n# --8<-- [end:half]\n", encoding="utf-8"
    )
    (root / "figures" / "f.py").write_text(
        "from rl4rlhf.m import half\n\ndef num_half(seed):\n    return str(half(seed))\n", encoding="utf-8"
    )
    (root / "tests" / "test_values.py").write_text("@check\ndef num_half(v):\n    pass\n", encoding="utf-8")

    class Value:
        kind, name, module, source = "value", "num_half", "figures.f", root / "figures" / "f.py"

    first = provenance.value_provenance([Value], root)
    assert first["num_half"].sections == ("snippets/m.py:half",)
    assert (root / ".cache" / "provenance.json").is_file()

    def walked(*args, **kwargs):
        raise AssertionError("walked the code again")

    monkeypatch.setattr(provenance, "sections_run", walked)
    assert provenance.value_provenance([Value], root) == first  # kept: nothing walked
    snippet = root / "snippets" / "m.py"
    snippet.write_text("\n" + snippet.read_text(encoding="utf-8"), encoding="utf-8")  # the section moves a line
    with pytest.raises(AssertionError, match="walked the code again"):
        provenance.value_provenance([Value], root)
    monkeypatch.undo()
    assert provenance.value_provenance([Value], root) == first
    checks = root / "tests" / "test_values.py"
    checks.write_text("\n" + checks.read_text(encoding="utf-8"), encoding="utf-8")
    assert provenance.value_provenance([Value], root)["num_half"].check.line == 3  # the check moved: read again


def test_marks_leave_math_code_attributes_and_headings_intact():
    marker = provenance.Marker(
        {
            "num_a": provenance.ValueProvenance("num_a", "figures.x.num_a", ("snippets/x.py:s",), _check("num_a")),
            "num_b": provenance.ValueProvenance("num_b", "figures.x.num_b", (), _check("num_b")),
        }
    )
    a, b = marker("num_a", "0.99", ""), marker("num_b", "1,000", "")
    page = (
        f'<h2 id="x">Return {a}</h2><p><span class="arithmatex">\\(G = {a} + {b}\\)</span> '
        f'<img alt="{b} steps" src="f.png"> <code>{a}</code></p><pre><code>{b}</code></pre>'
    )
    out = provenance.mark_html(page, marker)
    assert '<h2 id="x">Return <span class="computed" tabindex="0" data-values="num_a"' in out
    assert '<span class="arithmatex computed" tabindex="0" data-values="num_a num_b"' in out
    assert "\\(G = 0.99 + 1,000\\)</span>" in out
    assert '<img alt="1,000 steps" src="f.png">' in out
    assert "<pre><code>1,000</code></pre>" in out
    assert '<div class="computed-notes" hidden><span id="provenance-num_a">' in out
    assert not re.search("[\ue000-\ue1ff]", out)
    long = marker("num_b", "first", "").replace("first", "first</p>\n<p>second")
    out = provenance.mark_html(f"<p>{long}</p>", marker)
    assert out.startswith('<p><span class="computed"') and "first</span></p>\n<p>second</p>" in out


def _check(name: str):
    return provenance.Check(name, "tests/test_values.py", 1)


# --------------------------------------------------------------------------------------------------
# Code captions


def fenced_includes(text: str) -> int:
    """How many fenced blocks of ``text`` include a Python file."""
    blocks, inside, has = 0, None, False
    for line in text.split("\n"):
        fence = provenance.FENCE.match(line)
        if inside is None and fence:
            inside, has = fence.group("fence"), False
        elif inside is not None:
            if provenance.INCLUDE.match(line):
                has = True
            elif line.strip().startswith(inside):
                blocks += has
                inside = None
    return blocks


@pytest.mark.parametrize("src", WITH_CODE)
def test_every_included_code_block_has_a_caption(built_site: Path, src: str):
    markup = page_file(built_site, src).read_text(encoding="utf-8")
    captions = re.findall(r'<p class="code-caption">(.*?)</p>', markup, re.S)
    assert len(captions) == fenced_includes(SOURCES[src]), f"docs/{src}: {len(captions)} captions"
    for caption in captions:
        assert re.search(r"(snippets|exercises)/[a-z_/]+\.py", caption) and "tested by" in caption, caption
        if "exercises/" in caption:  # a stub the reader fills in: its check's tests cover it
            assert "tests/test_exercises.py" in caption, caption
        tests = re.findall(r"tests/test_[a-z_]+\.py", caption)
        assert tests and all((REPO / t).is_file() for t in tests), caption


def test_a_caption_keeps_the_indentation_of_its_block_and_links_to_the_commit():
    text = '??? success "Solution"\n\n    ```python\n    --8<-- "snippets/returns.py:returns_to_go"\n    ```\n'
    out = provenance.caption_includes(text, "https://github.com/o/r", "abc123", REPO)
    lines = out.split("\n")
    caption = next(line for line in lines if "Source:" in line)
    assert caption.startswith("    Source: [`snippets/returns.py:returns_to_go`](https://github.com/o/r/blob/abc123/")
    assert "tests/test_returns.py" in caption
    assert "    {: .code-caption }" in lines
    local = provenance.caption_includes(text, None, None, REPO)
    assert "Source: `snippets/returns.py:returns_to_go` (lines " in local and "](" not in local


def test_the_site_url_comes_from_the_environment():
    assert provenance.site_url("http://127.0.0.1:8000/", {}) == "http://127.0.0.1:8000/"
    assert (
        provenance.site_url("http://127.0.0.1:8000/", {"SITE_URL": "https://o.github.io/r"}) == "https://o.github.io/r/"
    )


def test_the_repository_comes_from_the_environment():
    assert provenance.repository_url({}) is None
    assert provenance.repository_url({"GITHUB_REPOSITORY": "o/r"}) == "https://github.com/o/r"
    assert provenance.repository_url({"REPO_URL": "https://x/y/", "GITHUB_REPOSITORY": "o/r"}) == "https://x/y"


# --------------------------------------------------------------------------------------------------
# Claims, footer


def test_the_claims_page_lists_every_computed_value(built_site: Path):
    markup = (built_site / "claims" / "index.html").read_text(encoding="utf-8")
    shown = {n for text in SOURCES.values() for n in PLACEHOLDER.findall(text)}
    listed = set(re.findall(r"<code>((?:num|table)_[a-z0-9_]+)</code>", markup))
    assert shown <= listed, f"computed values missing from the Claims page: {sorted(shown - listed)}"
    assert 'id="illustrative"' in markup and 'id="qualified"' in markup
    illustrative = markup.split('<h2 id="illustrative"')[1].split('<h2 id="qualified"')[0]
    assert "illustrative" in illustrative.lower(), "no illustrative claim listed, though pages mark some"


def test_every_page_footer_names_the_commit_the_date_and_the_versions(built_site: Path):
    facts = provenance.build_facts(REPO)
    for src in SOURCES:
        footer = page_file(built_site, src).read_text(encoding="utf-8").split('class="md-copyright__build"')
        assert len(footer) == 2, f"{src}: no build line in the footer"
        text = re.sub(r"<[^>]+>", "", footer[1].split("</div>")[0])
        assert re.search(r"Built from commit ([0-9a-f]{7}|unknown)", text), text
        assert re.search(r"on \d{4}-\d{2}-\d{2}", text), text
        for name, version in facts.versions:
            assert f"{name} {version}" in text, f"{src}: the footer does not say {name} {version}"


def test_the_build_date_is_source_date_epoch_not_today():
    assert provenance.build_facts(REPO, {"SOURCE_DATE_EPOCH": "86400"}).date == "1970-01-02"
    today = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")
    assert provenance.build_facts(REPO, {"SOURCE_DATE_EPOCH": "0"}).date != today


# --------------------------------------------------------------------------------------------------
# A value with no check fails the build


def test_a_computed_value_with_no_check_fails_the_build(tmp_path: Path, built_site: Path):
    root = copy_project(tmp_path / "project")
    (root / "figures" / "unchecked.py").write_text(
        'def num_planted_without_check(seed):\n    return "42"\n', encoding="utf-8"
    )
    page = root / "docs" / "index.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n{{ num_planted_without_check }}\n", encoding="utf-8")
    returncode, output = build(root, tmp_path / "site")
    assert returncode != 0, output[-3000:]
    assert "computed values with no check" in output and "num_planted_without_check" in output, output[-3000:]


# --------------------------------------------------------------------------------------------------
# The Pages workflow


def test_pages_deploys_only_a_commit_whose_tests_passed():
    pages = yaml.safe_load((REPO / ".github" / "workflows" / "pages.yml").read_text(encoding="utf-8"))
    ci = yaml.safe_load((REPO / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8"))
    jobs = pages["jobs"]

    def needs(job: str) -> set[str]:
        direct = jobs[job].get("needs", [])
        direct = [direct] if isinstance(direct, str) else direct
        return set(direct).union(*(needs(j) for j in direct)) if direct else set()

    testing = {name for name, job in jobs.items() if job.get("uses") == "./.github/workflows/ci.yml"}
    assert testing, "pages.yml runs no tests (a job `uses: ./.github/workflows/ci.yml`)"
    assert "workflow_call" in ci[True], "ci.yml cannot be called by pages.yml"  # yaml reads `on:` as True
    assert "make test" in (REPO / ".ci" / "run").read_text(encoding="utf-8")
    for name, job in jobs.items():
        if any("deploy-pages" in step.get("uses", "") for step in job.get("steps", [])):
            assert testing & needs(name), f"job {name} deploys without waiting for the tests"
    build_env = next(job["env"] for job in jobs.values() if "env" in job)
    assert "github.repository" in build_env["SITE_URL"] or "repository_owner" in build_env["SITE_URL"]
    assert "github.repository" in build_env["REPO_URL"]
