"""What every benchmark result records about where and when it ran: date, machine and versions.

Machines that report the same CPU model can differ in speed by half or more (shared hosts), so a
result also records ``speed``: how long this machine takes for two fixed pieces of work, the kinds
our runs are made of. Compare results from two machines only after comparing those.
"""

from __future__ import annotations

import datetime
import importlib.metadata
import os
import platform
import statistics
import time
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


def speed() -> dict:
    """Median of 5 timings each: one torch thread multiplying a (64, 256) by a (256, 256) float32 matrix
    (the DQN network's widest layer, one batch), and a pure-Python loop of a million additions."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        generator = torch.Generator().manual_seed(0)
        a, b = torch.randn(64, 256, generator=generator), torch.randn(256, 256, generator=generator)

        def matmul() -> None:
            for _ in range(1_000):
                a @ b

        def loop() -> None:
            total = 0
            for i in range(1_000_000):
                total += i

        timings = {}
        for name, work, per in (("matmul_us", matmul, 1_000 / 1e6), ("python_loop_ms", loop, 1 / 1e3)):
            work()  # warm up
            runs = []
            for _ in range(5):
                started = time.perf_counter()
                work()
                runs.append((time.perf_counter() - started) / per)
            timings[name] = round(statistics.median(runs), 1)
        return timings
    finally:
        torch.set_num_threads(threads)


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
            "speed": speed(),
        },
        "versions": versions,
    }


if __name__ == "__main__":
    import json

    print(json.dumps(meta(), indent=2))
