"""A disk memo for training runs that several build artifacts show.

A figure and a table often show the same runs; the build may compute them at the same time, in
different processes. ``memoised_run`` keeps each run's outcome as one JSON under
``.cache/artifacts/runs/``, named by the run's config, the code that trains it and the library
versions, and holds a file lock while it trains, so a concurrent job waits instead of training twice.

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
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from figures import _deps

ROOT = Path(__file__).resolve().parents[1]
RUNS = ROOT / ".cache" / "artifacts" / "runs"
VERSIONED = ("torch", "numpy", "gymnasium")


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
