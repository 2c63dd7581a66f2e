"""Where every computed number and every code block on a page comes from, told on the page.

Everything here is derived from the code, never listed by hand:

* **Computed values** (``{{ num_x }}``, ``{{ table_x }}``): ``value_provenance`` reads, without running
  anything, the function that computes the value (``figures/<module>.py``), the snippet sections it
  runs (``sections_run``: the names its body uses, followed through the functions of ``figures/``
  and ``snippets/`` they call, each placed in the ``# --8<-- [start:name]`` section of ``snippets/``
  that defines it) and the check that tests it (``value_checks``: the functions decorated ``@check``
  in ``tests/test_values.py``, found by a static scan, so the build never imports pytest). A value
  with no check fails the build (``unchecked``).
  A number is marked in the page (``marker`` in the Markdown, ``mark_html`` in the HTML) as a
  focusable ``<span class="computed">`` whose tooltip (``data-tip``, shown on hover and focus by the
  stylesheet) and accessible description (``aria-describedby``, a hidden note at the end of the page)
  say all three. A number inside math marks the whole formula; a number inside code or an attribute
  is left plain. A table gets a caption line under it with the same facts (``table_caption``).
* **Code blocks** (``--8<-- "snippets/x.py:section"`` in a fence): ``caption_includes`` adds under the
  fence a caption naming the file, the section and its lines, and the test module that covers it
  (``tests/test_<module>.py``, else the test modules that import it), linked to the repository at
  the commit built when ``repository_url`` knows the repository.
* **Claims** (``claims_markdown``): every numeric claim of the pages: computed (value, function,
  check), illustrative (a paragraph that says "illustrative") or qualified (a sentence that states a
  number with a qualifier such as "about" or "the post's").
* **Build facts** (``build_facts``): the commit, the build date (``SOURCE_DATE_EPOCH``) and the
  versions of the libraries the build ran with, for the footer.

Standard library only; load this file by its path, as ``hooks/artifacts.py`` does.
"""

from __future__ import annotations

import ast
import datetime as dt
import functools
import hashlib
import html
import importlib.metadata
import json
import os
import re
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VALUE_CHECKS = Path("tests") / "test_values.py"
PROVENANCE_CACHE = Path(".cache") / "provenance.json"  # value_provenance's last answer, by what it read
CHECK_DECORATOR = "check"
LOCAL = ("rl4rlhf", "rl4rlhf_exercises", "figures")
FOLDERS = {
    "rl4rlhf": "snippets",
    "rl4rlhf_exercises": "exercises",
}  # import name -> folder (pyproject.toml, package-dir)
VERSIONS = ("numpy", "torch", "gymnasium", "matplotlib", "mkdocs", "mkdocs-material")
SECTION = re.compile(r"#\s*--8<--\s*\[(start|end):([A-Za-z0-9_\-]+)\]")
INCLUDE = re.compile(r'^(?P<indent>[ \t]*)--8<--\s+"(?P<path>[^"]+?\.py)(?::(?P<section>[A-Za-z0-9_\-]+))?"\s*$')
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})")

# Markers a marked value carries through Markdown to the HTML: private-use characters, which no
# Markdown extension touches and a heading's slug drops. START, one character naming the value, SEP,
# the value, END.
START, SEP, END = "\ue000", "\ue001", "\ue002"
NAME_BASE = 0xE100
MARKED = re.compile(f"{START}(.){SEP}(.*?){END}", re.S)
MARKER_CHARS = re.compile(f"{START}.|[{START}{SEP}{END}]", re.S)


class ProvenanceError(Exception):
    """A computed value whose origin the page cannot tell: no check, no function, no test module."""


# --------------------------------------------------------------------------------------------------
# Checks: a static scan of tests/test_values.py


@dataclass(frozen=True)
class Check:
    name: str  # the value it checks (the check function is named like it)
    file: str  # tests/test_values.py
    line: int

    @property
    def test_id(self) -> str:
        """The pytest node that runs it."""
        return f"{self.file}::test_value_matches_its_check[{self.name}]"


def value_checks(root: Path = ROOT) -> dict[str, Check]:
    """Every check of ``tests/test_values.py``: the module-level functions decorated ``@check``."""
    path = root / VALUE_CHECKS
    if not path.is_file():
        return {}
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and any(
            isinstance(d, ast.Name) and d.id == CHECK_DECORATOR for d in node.decorator_list
        ):
            found[node.name] = Check(node.name, VALUE_CHECKS.as_posix(), node.lineno)
    return found


def unchecked(values: Iterable[str], checks: dict[str, Check]) -> list[str]:
    """The computed values with no check, sorted."""
    return sorted(set(values) - set(checks))


# --------------------------------------------------------------------------------------------------
# The snippet sections a value's function runs: a static walk of the code


@functools.cache
def _module(root: Path, dotted: str) -> tuple[Path, ast.Module] | None:
    parts = dotted.split(".")
    if parts[0] not in LOCAL:
        return None
    path = root.joinpath(FOLDERS.get(parts[0], parts[0]), *parts[1:]).with_suffix(".py")
    if not path.is_file():
        return None
    return path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _imports(tree: ast.Module, package: str) -> dict[str, tuple[str, str | None]]:
    """Local name -> (module, attribute or None for a module) of every import in ``tree``."""
    names: dict[str, tuple[str, str | None]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package.split(".")[: len(package.split(".")) - node.level + 1], base]).strip(".")
            for alias in node.names:
                names[alias.asname or alias.name] = (base, alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                names[alias.asname or alias.name.split(".")[0]] = (alias.name, None)
    return names


def _definitions(tree: ast.Module) -> dict[str, ast.AST]:
    defined: dict[str, ast.AST] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            defined[node.name] = node
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    defined[target.id] = node
    return defined


@functools.cache
def sections_of(path: Path) -> tuple[tuple[str, int, int], ...]:
    """The named sections of a snippet file: (name, first line, last line), 1-based, of the code
    between its ``[start:name]`` and ``[end:name]`` lines."""
    open_at: dict[str, int] = {}
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = SECTION.search(line)
        if not match:
            continue
        what, name = match.groups()
        if what == "start":
            open_at[name] = number + 1
        elif name in open_at:
            found.append((name, open_at.pop(name), number - 1))
    return tuple(found)


@functools.cache
def _facts(root: Path, dotted: str) -> tuple[Path, dict[str, ast.AST], dict[str, tuple[str, str | None]]] | None:
    """A module's file, its top-level definitions and its imports, read once per build."""
    parsed = _module(root, dotted)
    if parsed is None:
        return None
    path, tree = parsed
    return path, _definitions(tree), _imports(tree, dotted.rpartition(".")[0])


@functools.cache
def _step(root: Path, dotted: str, name: str) -> tuple[frozenset[str], tuple[tuple[str, str], ...]]:
    """What name ``name`` of module ``dotted`` contributes to a walk: the sections its code sits in,
    and the (module, name) pairs it uses. Cached: every value's walk crosses the same functions."""
    facts = _facts(root, dotted)
    if facts is None:
        return frozenset(), ()
    path, local, imports = facts
    node = local.get(name)
    if node is None:
        imported = imports.get(name)
        if imported and imported[1] is not None:
            return frozenset(), ((imported[0], imported[1]),)  # re-exported
        return frozenset(), ()
    found: set[str] = set()
    rel = path.relative_to(root).as_posix()
    if dotted.startswith("rl4rlhf."):
        lineno = getattr(node, "lineno", 0)
        end = getattr(node, "end_lineno", None) or lineno
        inside = [s for s, first, last in sections_of(path) if first <= lineno and end <= last]
        inside = inside or [s for s, first, last in sections_of(path) if first <= end and lineno <= last]
        found |= {f"{rel}:{s}" for s in inside} or {f"{rel} (other code)"}
    successors: list[tuple[str, str]] = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name):
            target = imports.get(sub.value.id)
            if target and target[1] is None:
                successors.append((target[0], sub.attr))  # module.function
            elif target:
                successors.append((f"{target[0]}.{target[1]}", sub.attr))  # from package import module
        if not isinstance(sub, ast.Name) or sub.id == name:
            continue
        if sub.id in local:
            successors.append((dotted, sub.id))
        elif sub.id in imports:
            module, attribute = imports[sub.id]
            if attribute is not None:
                successors.append((module, attribute))
    return frozenset(found), tuple(successors)


def sections_run(source: Path, function: str, root: Path = ROOT) -> list[str]:
    """``snippets/x.py:section`` of every section whose code ``function`` of ``source`` runs, as far as
    a static walk of names sees: the names the function uses, followed through the functions and
    classes of ``figures/`` and ``snippets/`` they use. A module of ``snippets/`` whose code outside
    its sections runs too (a constant, a helper, validation) is named once, ``snippets/x.py (other code)``."""
    start = ".".join(source.relative_to(root).with_suffix("").parts)
    seen: set[tuple[str, str]] = set()
    todo = [(start, function)]
    found: set[str] = set()
    while todo:
        step = todo.pop()
        if step in seen:
            continue
        seen.add(step)
        sections, successors = _step(root, *step)
        found |= sections
        todo.extend(successors)
    return sorted(found, key=lambda s: (s.endswith("(other code)"), s))


# --------------------------------------------------------------------------------------------------
# What a value's mark says


@dataclass(frozen=True)
class ValueProvenance:
    name: str
    function: str  # figures.foundations.num_x
    sections: tuple[str, ...]
    check: Check

    @property
    def tip(self) -> str:
        ran = ", ".join(self.sections) if self.sections else "no snippet code"
        return (
            f"{self.name}: computed by {self.function}(seed) · ran {ran} · checked by "
            f"{self.check.name} in {self.check.file} (line {self.check.line}), run by {self.check.test_id}"
        )


def value_provenance(artifacts: Iterable, root: Path = ROOT) -> dict[str, ValueProvenance]:
    """Name -> provenance of every value artifact (``compute.Artifact`` of kind ``value``). Raises
    ProvenanceError naming every value with no check in ``tests/test_values.py``.

    The answer is kept in ``.cache/provenance.json`` under a digest of every file it reads (``read_by``)
    and of the values asked about: a build where none of them changed walks no code."""
    values = [a for a in artifacts if a.kind == "value"]
    key = hashlib.sha256(repr([(a.name, a.module, str(a.source)) for a in values]).encode())
    for path in read_by(root):
        key.update(f"{path.relative_to(root).as_posix()}\0{hashlib.sha256(path.read_bytes()).hexdigest()}\n".encode())
    cache = root / PROVENANCE_CACHE
    try:
        kept = json.loads(cache.read_text(encoding="utf-8"))
        if kept["key"] == key.hexdigest():
            return {name: ValueProvenance(name, f, tuple(s), Check(*c)) for name, (f, s, c) in kept["values"].items()}
    except (OSError, ValueError, KeyError, TypeError):
        pass  # none kept, or for other code: walk it
    checks = value_checks(root)
    missing = unchecked((a.name for a in values), checks)
    if missing:
        raise ProvenanceError(
            f"provenance: computed values with no check in {VALUE_CHECKS.as_posix()} (add an @check "
            f"function named like the value): {', '.join(missing)}"
        )
    found = {
        a.name: ValueProvenance(
            a.name, f"{a.module}.{a.name}", tuple(sections_run(a.source, a.name, root)), checks[a.name]
        )
        for a in values
    }
    kept = {n: [p.function, list(p.sections), [p.check.name, p.check.file, p.check.line]] for n, p in found.items()}
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        partial = cache.with_suffix(f".{os.getpid()}.partial")
        partial.write_text(json.dumps({"key": key.hexdigest(), "values": kept}), encoding="utf-8")
        os.replace(partial, cache)
    except OSError:  # a read-only checkout: the next build walks again
        pass
    return found


def read_by(root: Path = ROOT) -> list[Path]:
    """Every file ``value_provenance`` may read: the checks, and the Python files of the local packages."""
    folders = sorted({FOLDERS.get(package, package) for package in LOCAL})
    files = [root / VALUE_CHECKS, *sorted(p for folder in folders for p in (root / folder).rglob("*.py"))]
    return [f for f in files if f.is_file()]


def table_caption(p: ValueProvenance) -> str:
    """The Markdown paragraph under a computed table."""
    ran = ", ".join(f"`{s}`" for s in p.sections) if p.sections else "no snippet code"
    return (
        f"Computed table: `{p.function}(seed)` · ran {ran} · checked by "
        f"`{p.check.file}::{p.check.name}`\n{{: .computed-caption }}"
    )


class Marker:
    """The ``mark`` argument of ``compute.substitute``: a number gets private-use markers that
    ``mark_html`` turns into its mark; a table gets a caption paragraph under it."""

    def __init__(self, provenance: dict[str, ValueProvenance]):
        self.provenance = provenance
        self.names = sorted(provenance)

    def __call__(self, name: str, text: str, indent: str) -> str:
        p = self.provenance.get(name)
        if p is None:
            return text
        if name.startswith("table_"):
            caption = table_caption(p).replace("\n", "\n" + indent)
            return f"{text}\n{indent}\n{indent}{caption}"
        return f"{START}{chr(NAME_BASE + self.names.index(name))}{SEP}{text}{END}"

    def name_of(self, char: str) -> str:
        return self.names[ord(char) - NAME_BASE]


def strip_markers(text: str) -> str:
    """``text`` with every marker gone and the values left plain."""
    return MARKER_CHARS.sub("", text)


RAW = re.compile(r"<(code|pre|script|style|textarea)\b[^>]*>.*?</\1>", re.S)
MATH = re.compile(r'<(span|div) class="arithmatex">(.*?)</\1>', re.S)
TAG = re.compile(r"<[^>]*>")
BLOCK = re.compile(r"</?(?:p|div|ul|ol|li|table|h[1-6]|pre|blockquote)\b")


def mark_html(text: str, marker: Marker) -> str:
    """The page's HTML with each marked value made a focusable mark with a tooltip and a description,
    and a hidden note per value (what ``aria-describedby`` points at) at the end."""
    used: list[str] = []

    def attrs(names: list[str]) -> str:
        for n in names:
            if n not in used:
                used.append(n)
        tip = " | ".join(marker.provenance[n].tip for n in names)
        ids = " ".join(f"provenance-{n}" for n in names)
        values = " ".join(names)
        return f'tabindex="0" data-values="{values}" data-tip="{html.escape(tip)}" aria-describedby="{ids}"'

    def names_in(fragment: str) -> list[str]:
        return list(dict.fromkeys(marker.name_of(m.group(1)) for m in MARKED.finditer(fragment)))

    text = TAG.sub(lambda m: strip_markers(m.group()), text)  # in an attribute: plain

    def math(m: re.Match[str]) -> str:
        names = names_in(m.group(2))
        if not names:
            return m.group()
        return f'<{m.group(1)} class="arithmatex computed" {attrs(names)}>{strip_markers(m.group(2))}</{m.group(1)}>'

    text = MATH.sub(math, text)

    def raw(m: re.Match[str]) -> str:
        names = names_in(m.group())
        if not names:
            return m.group()
        plain = strip_markers(m.group())
        return f'<span class="computed" {attrs(names)}>{plain}</span>' if m.group(1) == "code" else plain

    text = RAW.sub(raw, text)

    def number(m: re.Match[str]) -> str:
        # A value of several paragraphs: its first paragraph carries the mark (an inline mark cannot
        # hold a paragraph break).
        block = BLOCK.search(m.group(2))
        first, rest = (m.group(2)[: block.start()], m.group(2)[block.start() :]) if block else (m.group(2), "")
        return f'<span class="computed" {attrs([marker.name_of(m.group(1))])}>{first}</span>{rest}'

    text = strip_markers(MARKED.sub(number, text))
    if used:
        notes = "".join(
            f'<span id="provenance-{n}">{html.escape(marker.provenance[n].tip)}</span>' for n in sorted(used)
        )
        text += f'\n<div class="computed-notes" hidden>{notes}</div>'
    return text


# --------------------------------------------------------------------------------------------------
# Code captions


def repository_url(environ: dict[str, str] | None = None) -> str | None:
    """The repository's web address: ``REPO_URL``, else ``GITHUB_SERVER_URL``/``GITHUB_REPOSITORY``
    (set in every GitHub Actions job), else None (a local build: captions name paths, unlinked)."""
    env = os.environ if environ is None else environ
    if env.get("REPO_URL"):
        return env["REPO_URL"].rstrip("/")
    if env.get("GITHUB_REPOSITORY"):
        return f"{env.get('GITHUB_SERVER_URL', 'https://github.com').rstrip('/')}/{env['GITHUB_REPOSITORY']}"
    return None


def site_url(configured: str | None, environ: dict[str, str] | None = None) -> str | None:
    """Where the site is served: ``SITE_URL`` (the Pages workflow sets it), else ``configured``
    (mkdocs.yml's, for a local build); with a trailing slash, as MkDocs keeps it."""
    env = os.environ if environ is None else environ
    url = env.get("SITE_URL") or configured
    return url if not url or url.endswith("/") else url + "/"


def covering_tests(module_path: str, root: Path = ROOT) -> list[str]:
    """The test modules that cover ``snippets/x.py``: ``tests/test_x.py`` if it exists, else every test
    module that imports the module. A module of another package (``exercises/x.py``, the stubs a reader
    fills in) is covered by its package's test module, ``tests/test_exercises.py``. ProvenanceError when
    none does."""
    package_dir = Path(module_path).parts[0]
    own = Path("tests") / f"test_{Path(module_path).stem}.py"
    if package_dir != "snippets" and len(Path(module_path).parts) > 1:
        own = Path("tests") / f"test_{package_dir}.py"
    if (root / own).is_file():
        return [own.as_posix()]
    parts = list(Path(module_path).with_suffix("").parts)
    dotted = ".".join([{v: k for k, v in FOLDERS.items()}.get(parts[0], parts[0]), *parts[1:]])
    package, _, leaf = dotted.rpartition(".")
    pattern = re.compile(rf"(?:\b{re.escape(dotted)}\b|from\s+{re.escape(package)}\s+import\s+[^\n]*\b{leaf}\b)")
    found = [
        p.relative_to(root).as_posix()
        for p in sorted((root / "tests").glob("test_*.py"))
        if pattern.search(p.read_text(encoding="utf-8"))
    ]
    if not found:
        raise ProvenanceError(f"provenance: no test module covers {module_path}; write {own.as_posix()}")
    return found


def _link(text: str, path: str, repo: str | None, commit: str | None, lines: tuple[int, int] | None = None) -> str:
    if not repo:
        return f"`{text}`"
    anchor = f"#L{lines[0]}-L{lines[1]}" if lines else ""
    return f"[`{text}`]({repo}/blob/{commit or 'HEAD'}/{path}{anchor})"


def include_caption(path: str, section: str | None, repo: str | None, commit: str | None, root: Path = ROOT) -> str:
    """One include's part of a code caption: file, section and lines, and the tests covering it."""
    lines = None
    if section:
        lines = next(((a, b) for s, a, b in sections_of(root / path) if s == section), None)
    shown = f"{path}:{section}" if section else path
    where = f" (lines {lines[0]}–{lines[1]})" if lines else ""
    tests = ", ".join(_link(t, t, repo, commit) for t in covering_tests(path, root))
    return f"{_link(shown, path, repo, commit, lines)}{where}, tested by {tests}"


def caption_includes(markdown: str, repo: str | None, commit: str | None, root: Path = ROOT) -> str:
    """``markdown`` with a caption paragraph under each fenced code block that includes Python files
    (``--8<-- "snippets/x.py:section"``), at the fence's indentation, so it stays in its admonition."""
    lines = markdown.split("\n")
    out: list[str] = []
    fence: tuple[str, str] | None = None  # (indent, fence) of the open block
    includes: list[str] = []
    for line in lines:
        out.append(line)
        if fence is None:
            match = FENCE.match(line)
            if match:
                fence, includes = (match.group("indent"), match.group("fence")), []
            continue
        inc = INCLUDE.match(line)
        if inc:
            includes.append(include_caption(inc.group("path"), inc.group("section"), repo, commit, root))
            continue
        stripped = line.strip()
        if stripped.startswith(fence[1]) and set(stripped) <= set(fence[1][0]):
            indent = fence[0]
            fence = None
            if includes:
                out += [indent, f"{indent}Source: " + "; ".join(includes), f"{indent}{{: .code-caption }}", indent]
    return "\n".join(out)


# --------------------------------------------------------------------------------------------------
# The Claims page

CLAIMS_MARK = "<!-- claims: the build writes the list here -->"
ILLUSTRATIVE = re.compile(r"illustrat", re.I)
QUALIFIER = re.compile(
    r"\b(?:about|roughly|approximately|around|nearly|almost|at least|at most|up to|typically|"
    r"the post's|the post rounds|on this machine)\b|≈|~\s*\d",
    re.I,
)
NUMBER = re.compile(r"(?<![\w.])[−-]?\d[\d,]*(?:\.\d+)?%?")
PLACEHOLDER = re.compile(r"\{\{\s*((?:num|table|data)_[a-z0-9_]+)\s*\}\}")


def _plain(text: str, values: dict[str, str]) -> str:
    """A sentence of a page as text that reads anywhere: links to their text, no HTML, values in."""
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"\[\^[^\]]+\]", "", text)
    text = re.sub(r"<[^>]+>", "", text)
    text = re.sub(r"\{:[^}]*\}", "", text)
    text = re.sub(r"(?<![\\\w])\*+|\*+(?![\w])", "", text)  # emphasis, which a sentence may cut in two
    text = PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group()) if m.group(1).startswith("num_") else "", text)
    return " ".join(text.split())


def _blocks(markdown: str) -> list[str]:
    """The prose paragraphs of a page: no code, no tables, no headings, no includes."""
    blocks: list[str] = []
    current: list[str] = []
    fence: str | None = None
    for line in markdown.split("\n"):
        stripped = line.strip()
        match = FENCE.match(line)
        if fence is None and match:
            fence = match.group("fence")
            continue
        if fence is not None:
            if stripped.startswith(fence):
                fence = None
            continue
        if not stripped or stripped.startswith(("#", "|", "--8<--", "<", "!!!", "???", "{:")):
            if current:
                blocks.append(" ".join(current))
            current = []
            if stripped.startswith(("!!!", "???")):
                title = re.search(r'"([^"]*)"', stripped)
                if title:
                    current.append(title.group(1) + ":")
            continue
        current.append(stripped)
    if current:
        blocks.append(" ".join(current))
    return blocks


def _sentences(block: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z*(])", block) if s]


def _has_literal_number(sentence: str) -> bool:
    text = PLACEHOLDER.sub("", sentence)
    text = re.sub(r"\[[^\]]*\]\([^)]*\)", "", text)  # link targets hold digits that are no claim
    return bool(NUMBER.search(text))


def claims_markdown(pages: list[tuple[str, str, str]], values: dict[str, str], provenance: dict) -> str:
    """The Claims page's list: ``pages`` are (title, src_uri, Markdown source) in nav order."""
    computed, illustrative, qualified = [], [], []
    for title, uri, source in pages:
        link = f"[{title}]({uri})"
        for name in dict.fromkeys(m.group(1) for m in PLACEHOLDER.finditer(source)):
            p = provenance.get(name)
            if p is None:
                continue
            value = values[name]
            if name.startswith("table_"):
                value = "a table"
            elif len(value) > 60 or re.search(r"[\n|*`_\[<$\\]", value):
                value = "a passage of text"  # Markdown of its own: read it on its page
            else:
                value = f"**{value}**"
            computed.append(f"| {link} | `{name}` | {value} | `{p.function}` | `{p.check.file}::{p.check.name}` |")
        for block in _blocks(source):
            if ILLUSTRATIVE.search(block):
                note = next(s for s in _sentences(block) if ILLUSTRATIVE.search(s))
                illustrative.append(f"- {link}: {_plain(note, values)}")
                continue
            for sentence in _sentences(block):
                if QUALIFIER.search(sentence) and _has_literal_number(sentence):
                    qualified.append(f"- {link}: {_plain(sentence, values)}")
    head = "| Page | Value | Shows | Computed by | Checked by |\n|---|---|---|---|---|"
    return "\n".join(
        [
            "## Computed",
            "",
            f"{len(computed)} values. Each is computed at build time by the function named, and checked "
            "by the test named (`tests/test_values.py`, run by `make test`). A value with no check fails the build.",
            "",
            head,
            *computed,
            "",
            "## Illustrative",
            "",
            f"{len(illustrative)} paragraphs. Numbers the page marks as illustrative (the post's examples), "
            "with the sentence that says so.",
            "",
            *(illustrative or ["None."]),
            "",
            "## Qualified",
            "",
            f"{len(qualified)} sentences. Numbers the page states with a qualifier (about, at least, the "
            "post's, ...): the sentence is the note.",
            "",
            *(qualified or ["None."]),
            "",
        ]
    )


def fill_exported(out: Path, docs: Path, artifacts: Iterable, values: dict[str, str], root: Path = ROOT) -> None:
    """For a renderer that runs no hooks (``tools/zensical.py``), in ``out``, the copy of ``docs`` that
    ``compute.export_docs`` wrote: a caption under each included code block, and the Claims list.
    (The marks on the numbers, the tables' captions and the footer need the MkDocs hook.)"""
    provenance = value_provenance(artifacts, root)
    repo, commit = repository_url(), _git(root, "rev-parse", "HEAD")
    pages, claims_pages = [], []
    for source in sorted(docs.rglob("*.md")):
        src = source.relative_to(docs).as_posix()
        target = out / src
        text = caption_includes(target.read_text(encoding="utf-8"), repo, commit, root)
        target.write_text(text, encoding="utf-8")
        if CLAIMS_MARK in text:
            claims_pages.append(target)
            continue
        original = source.read_text(encoding="utf-8")
        title = re.search(r"^# (.+)$", original, re.M)
        pages.append((title.group(1).strip() if title else src, src, original))
    for target in claims_pages:
        listed = claims_markdown(pages, values, provenance)
        target.write_text(target.read_text(encoding="utf-8").replace(CLAIMS_MARK, listed), encoding="utf-8")


# --------------------------------------------------------------------------------------------------
# Build facts for the footer


def _git(root: Path, *args: str) -> str | None:
    try:
        proc = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout.strip() if proc.returncode == 0 else None


@dataclass(frozen=True)
class BuildFacts:
    commit: str | None  # full sha
    dirty: bool
    date: str  # YYYY-MM-DD (UTC) of SOURCE_DATE_EPOCH
    versions: tuple[tuple[str, str], ...]

    @property
    def short(self) -> str:
        return self.commit[:7] if self.commit else "unknown"

    def footer_html(self, repo: str | None) -> str:
        commit = html.escape(self.short)
        if repo and self.commit:
            commit = f'<a href="{html.escape(repo)}/commit/{self.commit}">{commit}</a>'
        dirty = " with uncommitted changes" if self.dirty else ""
        versions = ", ".join(f"{name} {version}" for name, version in self.versions)
        return (
            f'<span class="build-commit">Built from commit {commit}{dirty}</span> · '
            f'<span class="build-date">on {self.date}</span> · '
            f'<span class="build-versions">tested with {html.escape(versions)}</span>'
        )


def build_facts(root: Path = ROOT, environ: dict[str, str] | None = None) -> BuildFacts:
    """The commit built (``git rev-parse``, else ``GITHUB_SHA``), whether tracked files differ from it,
    the date of ``SOURCE_DATE_EPOCH`` (else the commit's date; never the clock, so two builds of a
    commit are the same bytes) and the installed versions of ``VERSIONS``."""
    env = os.environ if environ is None else environ
    commit = _git(root, "rev-parse", "HEAD") or env.get("GITHUB_SHA")
    status = _git(root, "status", "--porcelain", "--untracked-files=no")
    epoch = env.get("SOURCE_DATE_EPOCH") or _git(root, "log", "-1", "--format=%ct") or "0"
    date = dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).strftime("%Y-%m-%d")
    versions = []
    for dist in VERSIONS:
        try:
            versions.append((dist, importlib.metadata.version(dist)))
        except importlib.metadata.PackageNotFoundError:
            versions.append((dist, "missing"))
    return BuildFacts(commit, bool(status), date, tuple(versions))
