"""A disk memo for training runs that several build artifacts show.

A figure and a table often show the same runs; the build may compute them at the same time, in
different processes. ``memoised_run`` keeps each run's outcome as one JSON under
``.cache/artifacts/runs/``, named by the run's config, the code that trains it and the library
versions, and holds a file lock while it trains, so a concurrent job waits instead of training twice.
``each_run`` reads a list of runs, training first those no other job is training at the moment, so
two jobs that need the same runs split the training between them instead of one waiting.

"The code that trains it" is named by module (or by the functions that compute the outcome) and
read as ``figures/_deps.py`` reads code for the build's artifact cache: the module, everything it
imports from snippets/ and figures/, directly or not, and the data files beside them, without
comments or docstrings. Editing any helper a run uses retrains it; rewording a comment or a
docstring retrains nothing; renaming or moving a helper needs no list updated.
"""

from __future__ import annotations

import dataclasses
import fcntl
import hashlib
import importlib.metadata
import json
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

from figures import _deps

ROOT = Path(__file__).resolve().parents[1]
RUNS = ROOT / ".cache" / "artifacts" / "runs"
VERSIONED = ("torch", "numpy", "gymnasium")
T, R = TypeVar("T"), TypeVar("R")


def run_path(kind: str, cfg: Any, *trained_by: str | Callable[..., Any] | ModuleType) -> Path:
    """Where the outcome of training ``cfg`` (a dataclass instance) is kept.

    ``trained_by``: the code that computes the outcome, each a module name (``"rl4rlhf.dqn"``), a
    module, or a function or class (the module it is defined in: ``run_path("dqn", cfg, train)``).
    The name is ``<kind>[-<env_id>]-seed<seed>-<key>.json``, the key a hash of the config, of
    ``_deps.module_digest(*trained_by)`` and of the versions of ``VERSIONED``.
    """
    if not isinstance(kind, str) or not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", kind):
        raise ValueError(f"kind must be a short lower-case name such as 'dqn', got {kind!r}")
    if not dataclasses.is_dataclass(cfg) or isinstance(cfg, type):
        raise ValueError(f"cfg must be a dataclass instance (the run's config), got {cfg!r}")
    if not trained_by:
        raise ValueError("trained_by: name the module (or a function of it) that trains the run, e.g. 'rl4rlhf.dqn'")
    h = hashlib.sha256(json.dumps(dataclasses.asdict(cfg), sort_keys=True).encode())
    h.update(_deps.module_digest(*trained_by, param="trained_by").encode())
    for dist in VERSIONED:
        h.update(f"{dist}={importlib.metadata.version(dist)}".encode())
    env_id = getattr(cfg, "env_id", None)  # runs without an environment (the tiny LM) have none
    label = f"{kind}-{env_id.replace('/', '_')}" if env_id else kind
    return RUNS / f"{label}-seed{cfg.seed}-{h.hexdigest()[:16]}.json"


class RunInProgress(Exception):
    """Another build job holds this run's lock: it is training it right now (see ``each_run``)."""


_no_wait = False  # set by each_run: a run another job is training raises RunInProgress, not waits


def memoised_run(path: Path, compute: Callable[[], dict]) -> dict:
    """``compute()``'s JSON-able outcome, kept at ``path``; computed only the first time."""
    global _no_wait
    if path.is_file():  # complete: a run lands in the memo in one rename
        return json.loads(path.read_text(encoding="utf-8"))
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        try:  # another build job computing this run: wait for it (or, under each_run, say so)
            fcntl.flock(lock, fcntl.LOCK_EX | (fcntl.LOCK_NB if _no_wait else 0))
        except BlockingIOError:
            raise RunInProgress(path) from None
        if not path.is_file():
            import torch

            torch.set_num_threads(1)  # one core per run; the build runs jobs side by side
            no_wait, _no_wait = _no_wait, False  # the runs this one is made from are waited for
            try:
                outcome = compute()
            finally:
                _no_wait = no_wait
            partial = path.with_suffix(".partial")
            partial.write_text(json.dumps(outcome), encoding="utf-8")
            os.replace(partial, path)  # only a complete run lands in the memo
    return json.loads(path.read_text(encoding="utf-8"))


def each_run(run: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """``[run(item) for item in items]``, where ``run`` reads a memoised run, but a run that another
    build job is training at the moment is taken up last: this job trains the others meanwhile, instead
    of holding a worker while it waits. Two jobs that need the same ten runs train about five each.

    >>> each_run(lambda x: x * x, [1, 2, 3])
    [1, 4, 9]
    """
    global _no_wait
    results: dict[int, R] = {}
    pending = list(range(len(items)))
    while pending:
        busy = []
        _no_wait = True
        try:
            for i in pending:
                try:
                    results[i] = run(items[i])
                except RunInProgress:
                    busy.append(i)
        finally:
            _no_wait = False
        if busy and len(busy) == len(pending):  # every one left is being trained elsewhere: wait for one
            results[busy[0]] = run(items[busy[0]])
            busy = busy[1:]
        pending = busy
    return [results[i] for i in range(len(items))]
