"""A disk memo for training runs that several build artifacts show.

A figure and a table often show the same runs; the build may compute them at the same time, in
different processes. ``memoised_run`` keeps each run's outcome as one JSON under
``.cache/artifacts/runs/``, named by the run's config, the code that trains it and the library
versions, and holds a file lock while it trains, so a concurrent job waits instead of training twice.
"""

from __future__ import annotations

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


def run_path(kind: str, cfg: Any, training_code: Iterable[Path]) -> Path:
    """Where the outcome of training ``cfg`` (a dataclass) is kept."""
    h = hashlib.sha256(json.dumps(dataclasses.asdict(cfg), sort_keys=True).encode())
    for file in training_code:
        h.update(file.read_bytes())
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
