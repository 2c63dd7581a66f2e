"""What every benchmark result records about where and when it ran: date, machine and versions."""

from __future__ import annotations

import datetime
import importlib.metadata
import os
import platform
from pathlib import Path

DISTRIBUTIONS = ("torch", "numpy", "gymnasium", "stable-baselines3", "mkdocs", "mkdocs-material")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def meta() -> dict:
    """The date (UTC), the machine and the library versions, for a result's JSON."""
    versions = {"python": platform.python_version()}
    for dist in DISTRIBUTIONS:
        try:
            versions[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            versions[dist] = None
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d"),
        "machine": {
            "cpu": cpu_model(),
            "cores": os.cpu_count(),
            "system": f"{platform.system()} {platform.machine()}",
        },
        "versions": versions,
    }


if __name__ == "__main__":
    import json

    print(json.dumps(meta(), indent=2))
