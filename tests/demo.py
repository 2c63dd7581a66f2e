"""Run a snippet module's demo the way a reader does: ``python -m rl4rlhf.<name>``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run_demo(module: str, *args: str, timeout: float = 120) -> tuple[dict, subprocess.CompletedProcess]:
    """Run ``python -m <module> <args>``; return its last stdout line parsed as JSON, and the process."""
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
        timeout=timeout,
    )
    return json.loads(done.stdout.strip().splitlines()[-1]), done
