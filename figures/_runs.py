"""A disk memo for training runs that several build artifacts show, and what "the code" means to it.

A figure and a table often show the same runs; the build may compute them at the same time, in
different processes. ``memoised_run`` keeps each run's outcome as one JSON under
``.cache/artifacts/runs/``, named by the run's config, the code that trains it and the library
versions, and holds a file lock while it trains, so a concurrent job waits instead of training twice.

"The code that trains it" is ``behaviour(file)``: a module's syntax tree without comments,
formatting or docstrings. Rewording a comment or a docstring changes what the page shows of the
code, but no number a run computes, so it retrains nothing. ``hooks/artifacts.py`` keys the
artifacts on it too.
"""

from __future__ import annotations

import ast
import dataclasses
import fcntl
import hashlib
import importlib.metadata
import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RUNS = ROOT / ".cache" / "artifacts" / "runs"


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
    Any other file (a corpus, a results JSON): its bytes.
    """
    if file.suffix != ".py":
        return file.read_bytes()
    tree = _Docstrings().visit(ast.parse(file.read_bytes(), filename=str(file)))
    return ast.dump(tree).encode()  # no line numbers: moving code down a line changes nothing


def run_path(kind: str, cfg: Any, training_code: Iterable[Path]) -> Path:
    """Where the outcome of training ``cfg`` (a dataclass) is kept."""
    h = hashlib.sha256(json.dumps(dataclasses.asdict(cfg), sort_keys=True).encode())
    for file in training_code:
        h.update(behaviour(file))
    for dist in ("torch", "numpy", "gymnasium"):
        h.update(f"{dist}={importlib.metadata.version(dist)}".encode())
    env_id = getattr(cfg, "env_id", None)  # runs without an environment (the tiny LM) have none
    label = f"{kind}-{env_id.replace('/', '_')}" if env_id else kind
    return RUNS / f"{label}-seed{cfg.seed}-{h.hexdigest()[:16]}.json"


def memoised_run(path: Path, compute: Callable[[], dict]) -> dict:
    """``compute()``'s JSON-able outcome, kept at ``path``; computed only the first time."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another build job computing this run: wait for it
        if not path.is_file():
            import torch

            torch.set_num_threads(1)  # one core per run; the build runs jobs side by side
            partial = path.with_suffix(".partial")
            partial.write_text(json.dumps(compute()), encoding="utf-8")
            os.replace(partial, path)  # only a complete run lands in the memo
    return json.loads(path.read_text(encoding="utf-8"))
