"""The build's computed content: what each artifact is keyed on, when it is recomputed, that every
failure fails loudly, and the MkDocs hook over it (hooks/compute.py, figures/_deps.py, hooks/artifacts.py)."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from mkdocs.exceptions import PluginError

REPO = Path(__file__).resolve().parents[1]


def load(root: Path, path: str):
    """Import ``root/path`` by path, afresh, so its ROOT is the project at ``root``."""
    spec = importlib.util.spec_from_file_location(f"{Path(path).stem}_{abs(hash(root))}", root / path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is defined
    spec.loader.exec_module(module)
    return module


def load_hook(root: Path):
    return load(root, "hooks/artifacts.py")


def load_compute(root: Path):
    return load(root, "hooks/compute.py")


def load_deps(root: Path):
    return load(root, "figures/_deps.py")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A throwaway copy of the code that makes artifacts (no docs, no cache)."""
    for name in ("snippets", "rl4rlhf", "rl4rlhf_exercises", "figures", "hooks", "notebooks"):
        shutil.copytree(REPO / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def by_name(artifacts):
    return {a.name: a for a in artifacts}


def test_code_files_follow_imports_transitively():
    files = {p.relative_to(REPO).as_posix() for p in load_deps(REPO).code_files(REPO / "figures" / "foundations.py")}
    assert {"figures/foundations.py", "figures/_style.py", "snippets/returns.py", "snippets/gridworld.py"} <= files
    assert "figures/diagrams.py" not in files


def test_declared_data_files_count_as_code():
    """figures/benchmarks.py declares DATA_FILES: a new benchmark result must re-draw the Benchmarks page."""
    files = {p.relative_to(REPO).as_posix() for p in load_deps(REPO).code_files(REPO / "figures" / "benchmarks.py")}
    assert "benchmarks/results/cartpole_vs_sb3.json" in files and "benchmarks/results/site.json" in files


def test_a_missing_benchmark_result_names_the_script_that_writes_it(tmp_path, monkeypatch):
    from figures import benchmarks

    monkeypatch.setattr(benchmarks, "RESULTS", tmp_path)
    with pytest.raises(FileNotFoundError, match=r"site\.json is missing: run `python benchmarks/site\.py` to write it"):
        benchmarks.result("site")


def test_data_files_beside_the_code_count_as_code():
    """figures/lm.py trains on snippets/lm_corpus.txt: editing the corpus must re-draw its figures."""
    files = {p.relative_to(REPO).as_posix() for p in load_deps(REPO).code_files(REPO / "figures" / "lm.py")}
    assert {"figures/lm.py", "snippets/lm_model.py", "snippets/lm_rl.py", "snippets/lm_corpus.txt"} <= files


def test_discovery_finds_figures_values_and_notebooks():
    artifacts = by_name(load_compute(REPO).discover())
    assert artifacts["fig_maze"].kind == "figure"
    assert artifacts["fig_maze"].site_path == "figures/maze.svg"  # an imshow of a few cells: lighter as SVG
    assert artifacts["num_return_a_to_goal"].kind == "value"
    assert artifacts["table_maze_shortest_path"].kind == "value"
    notebooks = [a for a in artifacts.values() if a.kind == "notebook"]
    assert notebooks and all(a.site_path.endswith(".ipynb") for a in notebooks)


def test_editing_a_snippet_changes_only_the_digests_that_use_it(project: Path):
    before = by_name(load_compute(project).discover())
    with open(project / "snippets" / "returns.py", "a", encoding="utf-8") as fh:
        fh.write("\nAN_EDIT = 1\n")
    after = by_name(load_compute(project).discover())
    assert after["fig_discount_weights"].digest != before["fig_discount_weights"].digest
    assert after["num_return_a_to_goal"].digest != before["num_return_a_to_goal"].digest
    assert after["fig_rlhf_pipeline"].digest == before["fig_rlhf_pipeline"].digest  # diagrams import no snippet


def indirect_imports(root: Path) -> list[tuple[Path, Path]]:
    """(figure module, snippet) pairs where the module runs the snippet only through another snippet:
    the snippet is in the module's code but not among its own imports. Read from the import graph,
    so the pairs follow the code as it moves."""
    deps = load_deps(root)
    pairs = []
    for module in sorted((root / "figures").glob("[!_]*.py")):
        direct = {deps.module_file(name) for name in deps.local_imports(module)}
        for file in deps.code_files(module):
            if file.suffix == ".py" and file.parent.name == "snippets" and file not in direct:
                pairs.append((module, file))
    return pairs


def test_editing_a_snippet_two_imports_away_recomputes_what_uses_it(project: Path):
    """A figure module that imports snippet A, which imports snippet B: editing B recomputes the
    module's artifacts, though the module never names B."""
    pairs = [(m, s) for m, s in indirect_imports(project) if s.name != "__init__.py"]
    assert pairs, "no figure module reaches a snippet only through another one; the graph changed, update this test"
    module, snippet = pairs[0]
    before = by_name(load_compute(project).discover())
    users = {n for n, a in before.items() if a.source == module}
    assert users, f"{module} defines no artifact"
    with open(snippet, "a", encoding="utf-8") as fh:
        fh.write("\nAN_EDIT = 1\n")
    after = by_name(load_compute(project).discover())
    assert {n for n in users if after[n].digest != before[n].digest} == users, f"{snippet.name} via {module.name}"
    assert after["fig_rlhf_pipeline"].digest == before["fig_rlhf_pipeline"].digest  # diagrams import no snippet


def test_rewording_a_comment_or_docstring_in_a_snippet_recomputes_nothing(project: Path):
    before = by_name(load_compute(project).discover())
    returns = project / "snippets" / "returns.py"
    text = returns.read_text(encoding="utf-8")
    docstring = text.split('"""')[1]  # the module's docstring
    text = text.replace(docstring, docstring + " Reworded.", 1)
    returns.write_text(text + "\n# a new comment\n\n\n", encoding="utf-8")
    after = by_name(load_compute(project).discover())
    assert {n: a.digest for n, a in after.items()} == {n: a.digest for n, a in before.items()}


def test_a_notebooks_own_comments_are_its_text(project: Path):
    notebook = project / "notebooks" / "returns-in-the-maze.py"
    before = by_name(load_compute(project).discover())["returns-in-the-maze"].digest
    notebook.write_text(notebook.read_text(encoding="utf-8") + "\n# %% [markdown]\n# One more line.\n")
    assert by_name(load_compute(project).discover())["returns-in-the-maze"].digest != before


def test_a_warm_process_reads_what_the_parses_found_from_disk_by_content(project: Path, monkeypatch):
    """figures/_deps.py keeps each file's parse in .cache/deps.json by path and sha256: a new process
    (a warm build) parses no unchanged file and gets the same digests; an edited file is parsed again."""
    first = {n: a.digest for n, a in by_name(load_compute(project).discover()).items()}
    kept = json.loads((project / ".cache" / "deps.json").read_text(encoding="utf-8"))
    assert {"figures/dqn.py", "snippets/dqn.py", "snippets/lm_corpus.txt"} <= set(kept)

    import ast

    parse = ast.parse
    parsed: list[str] = []
    monkeypatch.setattr(
        ast,
        "parse",
        lambda source, filename="<unknown>", **kw: (parsed.append(filename), parse(source, filename, **kw))[1],
    )
    assert {n: a.digest for n, a in by_name(load_compute(project).discover()).items()} == first
    assert not [f for f in parsed if "snippets" in f or "figures" in f], parsed  # nothing parsed again

    returns = project / "snippets" / "returns.py"
    returns.write_text(returns.read_text(encoding="utf-8") + "\nAN_EDIT = 1\n", encoding="utf-8")
    after = {n: a.digest for n, a in by_name(load_compute(project).discover()).items()}
    assert [f for f in parsed if f.endswith("returns.py")], "the edited file was not parsed again"
    assert after["num_return_a_to_goal"] != first["num_return_a_to_goal"]
    assert after["fig_rlhf_pipeline"] == first["fig_rlhf_pipeline"]


def test_a_module_created_after_its_import_was_read_counts(project: Path):
    """What a file imports is kept as every dotted name it may load; which of them are modules is
    decided afresh, so a module added later (the import read from the cache) is part of the code."""
    user = project / "figures" / "uses_later.py"
    user.write_text("from rl4rlhf import later_module\n\ndef num_later(seed):\n    return '1'\n", encoding="utf-8")
    deps = load_deps(project)
    assert project / "snippets" / "later_module.py" not in deps.code_files(user)
    (project / "snippets" / "later_module.py").write_text("X = 1\n", encoding="utf-8")
    assert project / "snippets" / "later_module.py" in load_deps(project).code_files(
        user
    )  # a new process, cached parse


def test_behaviour_ignores_comments_formatting_and_docstrings(tmp_path: Path):
    from figures._deps import behaviour

    def of(source: str) -> bytes:
        (tmp_path / "m.py").write_text(source, encoding="utf-8")
        return behaviour(tmp_path / "m.py")

    base = of('"""Doc."""\n\n\ndef f(x):\n    """Doc."""\n    return x + 1\n')
    assert of("def f(x):  # adds one\n    return (x + 1)\n") == base
    assert of('def f(x):\n    """Other words."""\n    return x + 1\n') == base
    assert of("def f(x):\n    return x + 2\n") != base
    assert of("def g(x):\n    return x + 1\n") != base
    assert of('def f(x):\n    """Only a docstring."""\n') == of("def f(x):\n    pass\n")
    (tmp_path / "corpus.txt").write_text("the cat  # not a comment\n", encoding="utf-8")
    assert behaviour(tmp_path / "corpus.txt") == b"the cat  # not a comment\n"  # data: bytes


def test_cached_artifacts_are_not_recomputed(project: Path, monkeypatch):
    compute = load_compute(project)
    artifacts = [a for a in compute.discover() if a.name in {"num_return_a_to_goal", "fig_discount_weights"}]
    compute.render_missing(artifacts)
    assert all(a.cached.is_file() for a in artifacts)

    def no_subprocess(*args, **kwargs):
        raise AssertionError("a cached artifact was recomputed")

    monkeypatch.setattr(subprocess, "run", no_subprocess)
    compute.render_missing(artifacts)  # everything cached: nothing runs


def test_the_longest_jobs_start_first_as_the_recorded_profile_says(tmp_path: Path):
    """hooks/render.py orders its jobs by the cold builds' profile in benchmarks/site.py's results:
    longest first, then figures, notebooks, values; with no profile, only by kind."""
    render = load(REPO, "hooks/render.py")
    profile = tmp_path / "site.json"
    cold = [[["fig_dqn_learning_curve", 60.0], ["num_gamma_t_verdict", 12.0]], [["fig_dqn_learning_curve", 70.0]]]
    profile.write_text(json.dumps({"build": {"slowest": {"cold": cold}}}), encoding="utf-8")
    expected = render.expected_seconds(profile)
    assert expected == {"fig_dqn_learning_curve": 65.0, "num_gamma_t_verdict": 12.0}  # medians
    jobs = [
        {"name": "num_a", "kind": "value"},
        {"name": "nb", "kind": "notebook"},
        {"name": "num_gamma_t_verdict", "kind": "value"},
        {"name": "fig_a", "kind": "figure"},
        {"name": "fig_dqn_learning_curve", "kind": "figure"},
    ]
    order = ["fig_dqn_learning_curve", "num_gamma_t_verdict", "fig_a", "nb", "num_a"]
    assert [j["name"] for j in render.schedule(jobs, expected)] == order
    by_kind = ["fig_a", "fig_dqn_learning_curve", "nb", "num_a", "num_gamma_t_verdict"]  # stable within a kind
    assert [j["name"] for j in render.schedule(jobs, {})] == by_kind
    for broken in ("", "{}", '{"build": {"slowest": {"cold": [[["x"]]]}}}'):  # no usable profile: kind order
        profile.write_text(broken, encoding="utf-8")
        assert render.expected_seconds(profile) == {}
    assert render.expected_seconds(tmp_path / "missing.json") == {}
    assert render.expected_seconds()["fig_dqn_learning_curve"] > 0  # the repository's own record


def test_values_are_what_the_snippets_compute(project: Path):
    compute = load_compute(project)
    wanted = {
        "num_return_a_to_goal": "0.99",
        "num_discounted_return_a_to_goal": "0.89",
        "num_goal_ten_steps_away": "0.35",
    }
    artifacts = [a for a in compute.discover() if a.name in wanted]
    compute.render_missing(artifacts)
    for a in artifacts:
        assert json.loads(a.cached.read_text())["value"] == wanted[a.name]


def test_a_figure_that_raises_fails_the_build_with_its_name(project: Path):
    (project / "figures" / "broken.py").write_text(
        "def fig_broken_on_purpose(out_dir, seed):\n    raise ValueError('seed must be even')\n", encoding="utf-8"
    )
    compute = load_compute(project)
    broken = [a for a in compute.discover() if a.name == "fig_broken_on_purpose"]
    with pytest.raises(compute.ArtifactError, match=r"fig_broken_on_purpose[\s\S]*seed must be even"):
        compute.render_missing(broken)
    assert not broken[0].cached.exists()


def test_a_figure_that_writes_the_wrong_file_fails(project: Path):
    (project / "figures" / "misnamed.py").write_text(
        "from pathlib import Path\n"
        "def fig_misnamed(out_dir, seed):\n"
        "    path = Path(out_dir) / 'other.png'\n"
        "    path.write_bytes(b'x')\n"
        "    return path\n",
        encoding="utf-8",
    )
    compute = load_compute(project)
    with pytest.raises(compute.ArtifactError, match=r"misnamed\.svg.*misnamed\.png"):
        compute.render_missing([a for a in compute.discover() if a.name == "fig_misnamed"])


def test_a_notebook_cell_that_raises_fails_the_build(project: Path):
    (project / "notebooks" / "failing.py").write_text(
        "# %% [markdown]\n# # A failing notebook\n\n# %%\nx = 1\n\n# %%\nraise RuntimeError('cell 2 is broken')\n",
        encoding="utf-8",
    )
    compute = load_compute(project)
    with pytest.raises(compute.ArtifactError, match="cell 2 is broken"):
        compute.render_missing([a for a in compute.discover() if a.name == "failing"])


def test_unknown_placeholder_fails(project: Path):
    hook = load_hook(project)
    hook._state = hook.BuildState(values={"num_known": "1.00"})

    class Page:
        url = "chapter/"

        class file:  # noqa: N801 - mimics mkdocs' Page.file
            src_uri = "chapter.md"

    assert hook.on_page_markdown("G = {{ num_known }}", Page, {}, None) == "G = 1.00"
    hook._state.values["table_known"] = "| a |\n|---|\n| 1 |"
    indented = hook.on_page_markdown("!!! note\n    {{ table_known }}\n", Page, {}, None)
    assert indented == "!!! note\n    | a |\n    |---|\n    | 1 |\n"  # a table inside an admonition stays inside
    with pytest.raises(PluginError, match=r"chapter\.md.*num_unknown"):
        hook.on_page_markdown("G = {{ num_unknown }}", Page, {}, None)


def test_two_functions_with_one_name_fail(project: Path):
    (project / "figures" / "dupe.py").write_text("def fig_maze(out_dir, seed):\n    pass\n", encoding="utf-8")
    compute = load_compute(project)
    with pytest.raises(compute.ArtifactError, match="fig_maze is defined in both"):
        compute.discover()


def test_the_hook_turns_a_failure_into_a_build_error(project: Path, monkeypatch):
    hook = load_hook(project)

    def fails(log):
        raise hook.compute.ArtifactError("planted: figure fig_x failed")

    monkeypatch.setattr(hook.compute, "compute_all", fails)
    with pytest.raises(PluginError, match=r"^planted: figure fig_x failed$"):
        hook.on_pre_build({"docs_dir": str(REPO / "docs")})


def test_the_artifact_library_runs_without_mkdocs(project: Path):
    """hooks/compute.py discovers and computes with MkDocs made unimportable: any renderer can use it."""
    script = (
        "import importlib.util, json, sys\n"
        "sys.modules['mkdocs'] = None  # any import of MkDocs fails\n"
        "spec = importlib.util.spec_from_file_location('compute', 'hooks/compute.py')\n"
        "compute = importlib.util.module_from_spec(spec)\n"
        "sys.modules['compute'] = compute\n"
        "spec.loader.exec_module(compute)\n"
        "wanted = [a for a in compute.discover() if a.name == 'num_return_a_to_goal']\n"
        "compute.render_missing(wanted)\n"
        "print(json.loads(wanted[0].cached.read_text())['value'])\n"
    )
    env = dict(os.environ, PYTHONPATH="")
    proc = subprocess.run([sys.executable, "-c", script], cwd=project, capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip() == "0.99"


def test_the_manifest_holds_what_a_renderer_needs(built_site: Path):
    """After a build, .cache/artifacts/manifest.json has every value's text and where every figure
    and notebook is (``built_site`` first: the build computed them all)."""
    compute = load_compute(REPO)
    manifest = json.loads(compute.MANIFEST.read_text(encoding="utf-8"))
    artifacts = compute.discover()
    assert manifest["format"] == compute.MANIFEST_FORMAT
    assert set(manifest["values"]) == {a.name for a in artifacts if a.kind == "value"}
    files = {a.site_path for a in artifacts if a.kind != "value"}
    assert set(manifest["figures"]) | set(manifest["notebooks"]) | set(manifest["data"]) == files
    assert "data/discounting.json" in manifest["data"]
    key = {"figure": "figures", "notebook": "notebooks", "data": "data"}
    for a in artifacts:
        if a.kind == "value":
            assert manifest["values"][a.name] == json.loads(a.cached.read_text(encoding="utf-8"))["value"]
        else:
            assert manifest[key[a.kind]][a.site_path] == a.cached.relative_to(REPO).as_posix()


@pytest.fixture
def pages(project: Path):
    """(compute, what it computed, docs/): two pages, a value, a table, a figure and a notebook."""
    compute = load_compute(project)
    docs = project / "docs"
    (docs / "chapter").mkdir(parents=True)
    (docs / "index.md").write_text("# Home\n\nG = {{ num_a }}\n\n![The maze](figures/maze.svg)\n", encoding="utf-8")
    (docs / "chapter" / "page.md").write_text(
        "!!! note\n    {{ table_b }}\n\n[The notebook](../notebooks/nb.ipynb)\n\n"
        '<div class="rlhf-widget" data-src="{{ data_d }}"></div>\n',
        encoding="utf-8",
    )
    figure = compute.Artifact("figure", "fig_maze", project / "figures" / "x.py", "figures.x", "f" * 64)
    notebook = compute.Artifact("notebook", "nb", project / "notebooks" / "nb.py", "", "a" * 64)
    data = compute.Artifact("data", "data_d", project / "figures" / "x.py", "figures.x", "d" * 64)
    for artifact, content in ((figure, b"<svg/>"), (notebook, b"{}"), (data, b'{"a":1}\n')):
        artifact.cached.parent.mkdir(parents=True)
        artifact.cached.write_bytes(content)
    computed = compute.Computed([figure, notebook, data], {"num_a": "1.50", "table_b": "| a |\n|---|\n| 1 |"})
    return compute, computed, docs


def test_export_docs_writes_pages_with_their_values_figures_and_notebooks(pages, tmp_path: Path):
    compute, computed, docs = pages
    out = tmp_path / "out"
    compute.export_docs(computed, out, docs)
    assert (out / "index.md").read_text(encoding="utf-8") == "# Home\n\nG = 1.50\n\n![The maze](figures/maze.svg)\n"
    page = (out / "chapter" / "page.md").read_text(encoding="utf-8")
    assert page.startswith("!!! note\n    | a |\n    |---|\n    | 1 |\n")  # the table stays in the admonition
    assert (out / "figures" / "maze.svg").read_bytes() == b"<svg/>"
    assert (out / "notebooks" / "nb.ipynb").read_bytes() == b"{}"
    assert (out / "data" / "d.json").read_bytes() == b'{"a":1}\n'
    # chapter/page.md is served at chapter/page/, so the data file is two folders up
    assert '<div class="rlhf-widget" data-src="../../data/d.json"></div>' in page
    assert "{{" in (docs / "index.md").read_text(encoding="utf-8")  # the source is left as it was


@pytest.mark.parametrize(
    "fault",
    [
        "unknown placeholder",
        "unknown data",
        "value no page shows",
        "figure no page shows",
        "data no page uses",
        "generated file in docs",
        "out not empty",
    ],
)
def test_export_docs_fails_where_the_strict_build_fails(pages, tmp_path: Path, fault: str):
    compute, computed, docs = pages
    out = tmp_path / "out"
    index = docs / "index.md"
    if fault == "unknown placeholder":
        index.write_text(index.read_text(encoding="utf-8") + "{{ num_no_such_value }}\n", encoding="utf-8")
        expected = r"^index\.md: \{\{ num_no_such_value \}\} names no value"
    elif fault == "unknown data":
        index.write_text(index.read_text(encoding="utf-8") + '<div data-src="{{ data_nothing }}"></div>\n')
        expected = r"^index\.md: \{\{ data_nothing \}\} names no data; define data_nothing\(seed\)"
    elif fault == "data no page uses":
        page = docs / "chapter" / "page.md"
        page.write_text(page.read_text(encoding="utf-8").replace("{{ data_d }}", "d.json"), encoding="utf-8")
        expected = r"data that no page uses \(write \{\{ data_<name> \}\} in one\): data_d$"
    elif fault == "value no page shows":
        computed.values["num_unshown"] = "2"
        expected = r"computed values that no page shows: num_unshown$"
    elif fault == "figure no page shows":
        index.write_text("# Home\n\nG = {{ num_a }}\n", encoding="utf-8")
        expected = r"figures that no page shows: maze\.svg$"
    elif fault == "generated file in docs":
        (docs / "figures").mkdir()
        (docs / "figures" / "maze.svg").write_bytes(b"old")
        expected = r"docs/figures/maze\.svg exist in the source tree"
    else:
        out.mkdir()
        (out / "kept.md").write_text("mine", encoding="utf-8")
        expected = r"^docs-out: .* exists and is not an empty folder"
    with pytest.raises(compute.ArtifactError, match=expected):
        compute.export_docs(computed, out, docs)


# --------------------------------------------------------------------------------------------------
# Data artifacts: data_<name>(seed) -> dict | list, a widget's table, written to the site as
# data/<name>.json


def test_discovery_finds_data():
    data = by_name(load_compute(REPO).discover())["data_discounting"]
    assert (data.kind, data.filename, data.site_path) == ("data", "discounting.json", "data/discounting.json")
    assert data.cached.parent.parent.name == "data"  # .cache/artifacts/data/<digest>/discounting.json


def test_data_is_keyed_on_the_code_it_runs_like_a_value(project: Path):
    before = by_name(load_compute(project).discover())
    (project / "snippets" / "lm_model.py").write_text(
        (project / "snippets" / "lm_model.py").read_text(encoding="utf-8") + "\nAN_EDIT = 1\n", encoding="utf-8"
    )
    unrelated = by_name(load_compute(project).discover())
    assert unrelated["data_discounting"].digest == before["data_discounting"].digest  # foundations imports no LM
    with open(project / "snippets" / "returns.py", "a", encoding="utf-8") as fh:
        fh.write("\nAN_EDIT = 1\n")
    after = by_name(load_compute(project).discover())
    assert after["data_discounting"].digest != before["data_discounting"].digest
    assert after["data_discounting"].digest != after["num_return_a_to_goal"].digest  # the kind and name count too


def test_data_is_written_compact_with_sorted_keys_and_is_not_recomputed(project: Path, monkeypatch):
    (project / "figures" / "widgetdata.py").write_text(
        "def data_demo(seed):\n    return {'b': [0.5, 1, None], 'a': {'z': seed, 'y': 'γ'}}\n", encoding="utf-8"
    )
    compute = load_compute(project)
    demo = by_name(compute.discover())["data_demo"]
    compute.render_missing([demo])
    assert demo.cached.read_text(encoding="utf-8") == '{"a":{"y":"γ","z":0},"b":[0.5,1,null]}\n'

    def no_subprocess(*args, **kwargs):
        raise AssertionError("cached data was recomputed")

    monkeypatch.setattr(subprocess, "run", no_subprocess)
    compute.render_missing([demo])


def test_the_discounting_data_is_the_same_bytes_every_time(project: Path):
    compute = load_compute(project)
    data = by_name(compute.discover())["data_discounting"]
    compute.render_missing([data])
    first = data.cached.read_bytes()
    data.cached.unlink()
    compute.render_missing([data])
    assert data.cached.read_bytes() == first
    assert b"\n" not in first[:-1] and b": " not in first  # compact: one line, no spaces after separators
    table = json.loads(first)
    assert list(table) == sorted(table)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("return {'x': float('nan')}", r"data_bad[\s\S]*Out of range float values are not JSON compliant"),
        ("return 'a string'", r"data_bad[\s\S]*must return a dict or a list, got str"),
        ("return {'x': object()}", r"data_bad[\s\S]*not JSON serializable"),
    ],
)
def test_data_that_is_not_json_fails_the_build_with_its_name(project: Path, body: str, expected: str):
    (project / "figures" / "bad.py").write_text(f"def data_bad(seed):\n    {body}\n", encoding="utf-8")
    compute = load_compute(project)
    bad = by_name(compute.discover())["data_bad"]
    with pytest.raises(compute.ArtifactError, match=expected):
        compute.render_missing([bad])
    assert not bad.cached.exists()


@pytest.mark.parametrize(
    ("src_uri", "directory_urls", "url", "relative"),
    [
        ("index.md", True, "", "data/x.json"),
        ("fundamentals/return.md", True, "fundamentals/return/", "../../data/x.json"),
        ("fundamentals/index.md", True, "fundamentals/", "../data/x.json"),
        ("fundamentals/return.md", False, "fundamentals/return.html", "../data/x.json"),
        ("summary.md", False, "summary.html", "data/x.json"),
    ],
)
def test_a_data_placeholder_becomes_the_files_url_from_the_page(src_uri, directory_urls, url, relative):
    compute = load_compute(REPO)
    assert compute.page_url(src_uri, directory_urls) == url
    text, used = compute.substitute('<div data-src="{{ data_x }}">', {}, src_uri, {"data_x": "data/x.json"}, url)
    assert (text, used) == (f'<div data-src="{relative}">', {"data_x"})


def test_the_hook_places_data_and_fails_on_unknown_or_unused_data(project: Path, caplog):
    hook = load_hook(project)
    data = hook.compute.Artifact("data", "data_x", project / "figures" / "x.py", "figures.x", "e" * 64)
    hook._state = hook.BuildState(artifacts=[data], data={"data_x": "data/x.json"})

    class Page:
        url = "chapter/page/"

        class file:  # noqa: N801 - mimics mkdocs' Page.file
            src_uri = "chapter/page.md"

    with pytest.raises(PluginError, match=r"chapter/page\.md: \{\{ data_y \}\} names no data"):
        hook.on_page_markdown('<div data-src="{{ data_y }}">', Page, {}, None)
    hook.on_post_build({})
    assert "data that no page uses (write {{ data_<name> }} in one): data_x" in caplog.text  # --strict fails on it
    caplog.clear()
    placed = hook.on_page_markdown('<div data-src="{{ data_x }}">', Page, {}, None)
    assert placed == '<div data-src="../../data/x.json">'
    hook.on_post_build({})
    assert "no page uses" not in caplog.text
