"""What a computation depends on: the one answer that the artifact cache and the training-run memo share.

Everything this project computes at build time is computed by some local module: a figure module,
a notebook script, the snippet module that trains a run. What its result can depend on is

* the module itself and every module of ``snippets/`` and ``figures/`` that it imports, directly or
  not: every ``import`` and ``from ... import`` in the file, at any depth of its syntax tree (an
  import inside a function counts too). Only import statements are followed: a module that loads
  another by a computed name (``importlib.import_module(name)``) must also import it plainly;
* the data files beside any of those modules (``DATA_SUFFIXES``: a module may read one, as
  ``snippets/lm_policy.py`` reads ``lm_corpus.txt``), and the files a module declares with a
  module-level ``DATA_FILES = ("glob", ...)`` (globs relative to the repository root, for data read
  from elsewhere: ``figures/benchmarks.py`` reads ``benchmarks/results/*.json``);
* of each Python file, its *behaviour*: the syntax tree without comments, formatting or docstrings.
  Rewording a comment or a docstring changes what a page shows of the code, never a number the
  code computes; of any other file, its bytes.

``code_files`` lists those files and ``code_digest`` hashes them. ``module_digest("rl4rlhf.dqn")``
is the digest of the code that a module's functions run, named by module (or by a function or class
defined in it), so callers follow renames and moves: ``figures/_runs.py`` keys each training run on
it, and ``hooks/compute.py`` keys each figure, value and notebook on ``code_digest`` of its source.

Standard library only, importable without MkDocs. What a parse finds (the behaviour's digest, the
imports, ``DATA_FILES``, the top-level functions) is kept in ``.cache/deps.json`` by each file's path and
the sha256 of its bytes, so a build parses only the files that changed since the last one; within a
process, each version of a file (its modification time and size) is read once.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import json
import os
from collections.abc import Collection
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
LOCAL_PACKAGES = ("rl4rlhf", "rl4rlhf_exercises", "figures")
# import name -> folder, where they differ (pyproject.toml's package-dir; rl4rlhf/__init__.py in a clone)
FOLDERS = {"rl4rlhf": "snippets", "rl4rlhf_exercises": "exercises"}
WHERE = " or ".join(FOLDERS.get(p, p) + "/" for p in LOCAL_PACKAGES)  # for messages: the folders
DATA_SUFFIXES = frozenset({".txt", ".json", ".csv"})  # read by the modules beside them, so part of the code
CACHE = ROOT / ".cache" / "deps.json"  # what parsing each file found, by path and content (see _parsed)


# --------------------------------------------------------------------------------------------------
# Behaviour: what of a file a computation can depend on


class _Docstrings(ast.NodeTransformer):
    """Drop every statement that is only a string: docstrings, and the field docstrings of a
    dataclass. Such a statement computes nothing (nothing here reads ``__doc__``)."""

    def visit_Expr(self, node: ast.Expr) -> ast.AST | None:
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            return None
        return node

    def generic_visit(self, node: ast.AST) -> ast.AST:
        super().generic_visit(node)
        if isinstance(getattr(node, "body", None), list) and not node.body:
            node.body = [ast.Pass()]  # a function that was only a docstring still has a body
        return node


def behaviour(file: Path) -> bytes:
    """What a computation can depend on in ``file``.

    A Python module: its syntax tree with no docstrings. The tree has no comments, blank lines or
    formatting, so ``x = 1  # one`` and ``x = (1)`` give the same bytes; ``x = 2`` does not.
    Any other file (a corpus, a results JSON): its bytes. The digests use its hash, ``behaviour_digest``.
    """
    if file.suffix != ".py":
        return file.read_bytes()
    return _behaviour_of(ast.parse(file.read_bytes(), filename=str(file)))


def _behaviour_of(tree: ast.Module) -> bytes:
    tree = _Docstrings().visit(tree)
    return ast.dump(tree).encode()  # no line numbers: moving code down a line changes nothing


def behaviour_digest(file: Path) -> str:
    """sha256 (hex) of ``behaviour(file)``."""
    return _parsed(file)["behaviour"]


# --------------------------------------------------------------------------------------------------
# What a parse finds, kept on disk by content: a warm build parses nothing


def _parsed(file: Path) -> dict[str, Any]:
    """What parsing ``file`` finds: ``behaviour`` (its digest), ``imports`` (the local modules it imports),
    ``data_files`` (its ``DATA_FILES`` globs) and ``functions`` (its top-level function names, in order)."""
    stat = file.stat()
    return _parsed_version(file, stat.st_mtime_ns, stat.st_size)


@functools.cache
def _parsed_version(file: Path, mtime_ns: int, size: int) -> dict[str, Any]:
    data = file.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    cache = _disk_cache()
    key = file.relative_to(ROOT).as_posix() if file.is_relative_to(ROOT) else str(file)
    entry = cache.get(key)
    if entry is None or entry.get("sha256") != sha:
        entry = {"sha256": sha, **_parse(file, data)}
        cache[key] = entry
        _save(cache)
    return entry


def _parse(file: Path, data: bytes) -> dict[str, Any]:
    if file.suffix != ".py":  # a data file: its bytes are its behaviour
        return {"behaviour": hashlib.sha256(data).hexdigest(), "imports": [], "data_files": [], "functions": []}
    tree = ast.parse(data, filename=str(file))
    functions = [node.name for node in tree.body if isinstance(node, ast.FunctionDef)]
    imports, data_files = sorted(_imports_in(tree, _package_of(file))), list(_data_patterns_in(tree, file))
    behaviour_ = hashlib.sha256(_behaviour_of(tree)).hexdigest()  # last: it strips the docstrings from tree
    return {"behaviour": behaviour_, "imports": imports, "data_files": data_files, "functions": functions}


@functools.cache
def _disk_cache() -> dict[str, dict[str, Any]]:
    try:
        cache = json.loads(CACHE.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # none yet, or unreadable: parse again
        return {}
    return cache if isinstance(cache, dict) else {}


def _save(cache: dict[str, dict[str, Any]]) -> None:
    """Write the cache in one rename (build jobs run side by side; the last one to write wins, and
    every entry of either is right: it is keyed by content). Files that are gone are dropped."""
    try:
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        partial = CACHE.with_suffix(f".{os.getpid()}.partial")
        kept = {name: entry for name, entry in cache.items() if (ROOT / name).is_file()}
        partial.write_text(json.dumps(kept, sort_keys=True), encoding="utf-8")
        os.replace(partial, CACHE)
    except OSError:  # a read-only checkout: the next build parses again
        pass


def top_level_functions(path: Path) -> list[str]:
    """The names of the functions ``def``-ined at the top level of the Python file ``path``, in order."""
    return list(_parsed(path)["functions"])


# --------------------------------------------------------------------------------------------------
# The import graph


def module_file(module: str) -> Path:
    """The file of local module ``module`` (``rl4rlhf.dqn`` -> ``snippets/dqn.py``, a package -> its
    ``__init__.py``). ValueError when ``module`` is not a module of ``snippets/`` or ``figures/``."""
    file = _module_file(module)
    if file is None:
        raise ValueError(f"module: {module!r} is not a module of {WHERE}")
    return file


def _folder_parts(parts: list[str]) -> list[str]:
    """The path parts of module ``parts`` (``["rl4rlhf", "dqn"]`` -> ``["snippets", "dqn"]``), through ``FOLDERS``."""
    for n in range(len(parts), 0, -1):
        folder = FOLDERS.get(".".join(parts[:n]))
        if folder is not None:
            return [*folder.split("/"), *parts[n:]]
    return parts


def _package_of(path: Path) -> str:
    """The dotted package that the file ``path`` is a module of (``snippets/dqn.py`` -> ``rl4rlhf``)."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts[:-1])
    for name, folder in sorted(FOLDERS.items(), key=lambda item: -len(item[1])):
        prefix = folder.split("/")
        if parts[: len(prefix)] == prefix:
            return ".".join([name, *parts[len(prefix) :]])
    return ".".join(parts)


def _module_file(module: str) -> Path | None:
    parts = module.split(".")
    if parts[0] not in LOCAL_PACKAGES or not all(part.isidentifier() for part in parts):
        return None
    path = ROOT.joinpath(*_folder_parts(parts))
    if path.with_suffix(".py").is_file():
        return path.with_suffix(".py")
    if (path / "__init__.py").is_file():
        return path / "__init__.py"
    return None


def module_name(code: str | ModuleType | Any, param: str = "code") -> str:
    """The dotted name of the local module that ``code`` is or is defined in: a module name as
    given, a module object, or a function or class (its ``__module__``). ``param``: the caller's
    name for ``code``, which an error names."""
    if isinstance(code, str):
        name = code
    elif isinstance(code, ModuleType):
        name = code.__name__
    elif callable(code) and isinstance(getattr(code, "__module__", None), str):
        name = code.__module__
    else:
        raise ValueError(f"{param}: {code!r} is neither a module name nor a module, function or class")
    if _module_file(name) is None:
        given = "" if code is name else f" (the module of {code!r})"
        raise ValueError(f"{param}: {name!r}{given} is not a module of {WHERE}")
    return name


def local_imports(path: Path) -> frozenset[str]:
    """The local modules that the Python file ``path`` imports (itself, not transitively)."""
    return frozenset(name for name in _parsed(path)["imports"] if _module_file(name))  # the ones that exist now


def _imports_in(tree: ast.Module, package: str) -> frozenset[str]:
    """Every dotted name under ``LOCAL_PACKAGES`` that an import in ``tree`` may load: the names and each
    of their parents (importing a.b.c runs a/__init__, a/b/__init__ too). ``local_imports`` keeps those
    that are modules."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*parent, base] if base else parent)
            # `from snippets import returns` imports the submodule rl4rlhf.returns
            names = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] in LOCAL_PACKAGES:
                found.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return frozenset(found)


def declared_data_files(module: Path) -> set[Path]:
    """The files matched by the module's ``DATA_FILES = ("glob", ...)``: paths relative to the repo
    root, for data read from elsewhere (figures/benchmarks.py reads benchmarks/results/*.json)."""
    patterns = _parsed(module)["data_files"]
    return {f for pattern in patterns for f in ROOT.glob(pattern) if f.is_file()}


def _data_patterns_in(tree: ast.Module, module: Path) -> tuple[str, ...]:
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if node.value and any(isinstance(t, ast.Name) and t.id == "DATA_FILES" for t in targets):
                patterns = ast.literal_eval(node.value)
                if isinstance(patterns, str) or not all(isinstance(p, str) for p in patterns):
                    raise ValueError(f"{module}: DATA_FILES must be a tuple of glob strings, got {patterns!r}")
                return tuple(patterns)
    return ()


def code_files(*sources: Path) -> list[Path]:
    """``sources`` and every file of snippets/ and figures/ they import, directly or not, plus the data
    files beside those modules and the ones they declare (``DATA_FILES``); sorted, each once."""
    if not sources:
        raise ValueError("sources: name at least one file")
    seen: dict[Path, None] = dict.fromkeys(sources)
    todo = list(sources)
    while todo:
        for dotted in local_imports(todo.pop()):
            file = _module_file(dotted)
            if file is not None and file not in seen:
                seen[file] = None
                todo.append(file)
    data = {f for module in seen for f in module.parent.iterdir() if f.suffix in DATA_SUFFIXES and f.is_file()}
    for module in seen:
        data |= declared_data_files(module)
    return sorted(set(seen) | data)


# --------------------------------------------------------------------------------------------------
# Digests


def code_digest(*sources: Path, verbatim: Collection[Path] = ()) -> str:
    """sha256 (hex) of everything in ``code_files(*sources)``: each file's path in the repository and
    the sha256 of its behaviour, or, for a file in ``verbatim``, of its bytes (a notebook script's
    comments are its text)."""
    h = hashlib.sha256()
    for file in code_files(*sources):
        content = hashlib.sha256(file.read_bytes()).hexdigest() if file in verbatim else behaviour_digest(file)
        h.update(f"{file.relative_to(ROOT).as_posix()}\0{content}\n".encode())
    return h.hexdigest()


def module_digest(*code: str | ModuleType | Any, param: str = "code") -> str:
    """``code_digest`` of the local modules that ``code`` names: module names (``"rl4rlhf.dqn"``),
    modules, or functions and classes (the module each is defined in). ``param``: the caller's name
    for ``code``, which an error names."""
    if not code:
        raise ValueError(f"{param}: name at least one module, or a function or class defined in one")
    return code_digest(*(module_file(name) for name in sorted({module_name(c, param) for c in code})))
