"""Benchmark: what the interactive widgets add to the build and to a reader's download (issue 14).

For each widget's data function (``data_*`` in figures/, found as the build hook finds them):

* cold: the CPU seconds (``time.process_time``) and wall seconds of computing its table once, with
  the training runs it reads already memoised (``.cache/artifacts/runs``): the runs are the chapters'
  own, trained for their figures whether or not a widget reads them, so a widget adds only this.
  Run ``make build`` first so the runs exist; a missing run is trained and reported as such.
* warm: what a warm build does for it: the hook's cache key (``digest_of``) and the copy of the
  cached JSON into the site, timed over ``--repeats`` rounds (median).
* the JSON's size, raw and gzipped (level 9, as a server would send it), and the page that fetches it.

Then the widget JavaScript and CSS (``docs/assets/javascripts/widgets/*.js``, maze.js, maze.css),
each gzipped, and in all. Goals: cold + 5 s at most, warm + 1 s at most, all widget JavaScript
40 KiB gzipped at most, each page's data 150 KiB gzipped at most.

    .venv/bin/python benchmarks/widgets.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import gzip
import importlib
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hooks import compute  # noqa: E402

WIDGET_FILES = sorted((ROOT / "docs/assets/javascripts/widgets").glob("*.js")) + [
    ROOT / "docs/assets/javascripts/maze.js",
]
WIDGET_CSS = [ROOT / "docs/assets/stylesheets/maze.css"]


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def pages_using(name: str) -> list[str]:
    return [
        md.relative_to(ROOT / "docs").as_posix()
        for md in sorted((ROOT / "docs").glob("**/*.md"))
        if "{{ " + name + " }}" in md.read_text(encoding="utf-8")
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="warm rounds (median)")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error(f"--repeats must be at least 1, got {args.repeats}")
    runs_before = set(compute.CACHE.joinpath("runs").glob("*.json"))
    artifacts = [a for a in compute.discover() if a.kind == "data"]
    env = compute.environment_fingerprint()
    rows, total_cpu, total_warm = [], 0.0, 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for a in artifacts:
            fn = getattr(importlib.import_module(a.module), a.name)
            cpu, wall = time.process_time(), time.perf_counter()
            table = fn(compute.SEED)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            text = json.dumps(table, sort_keys=True, separators=(",", ":")).encode()
            src = Path(tmp) / a.filename
            src.write_bytes(text)
            warm = []
            for _ in range(args.repeats):
                t = time.perf_counter()
                compute.digest_of(a.kind, a.name, a.source, env)
                shutil.copyfile(src, Path(tmp) / ("copy-" + a.filename))
                warm.append(time.perf_counter() - t)
            total_cpu, total_warm = total_cpu + cpu, total_warm + statistics.median(warm)
            page = ", ".join(pages_using(a.name))
            rows.append((a.name, page, cpu, wall, statistics.median(warm), len(text), gz(text)))
    retrained = set(compute.CACHE.joinpath("runs").glob("*.json")) - runs_before
    print("| widget data | page | cold CPU s | cold wall s | warm s | JSON KiB | gzipped KiB |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for name, page, cpu, wall, warm, raw, packed in rows:
        print(f"| {name} | {page} | {cpu:.2f} | {wall:.2f} | {warm:.4f} | {raw / 1024:.1f} | {packed / 1024:.1f} |")
    print(f"| all | | {total_cpu:.2f} | | {total_warm:.4f} | | |")
    print("\n| widget code | bytes | gzipped bytes |\n|---|---:|---:|")
    total = 0
    for path in WIDGET_FILES + WIDGET_CSS:
        data = path.read_bytes()
        total += gz(data) if path.suffix == ".js" else 0
        print(f"| {path.relative_to(ROOT).as_posix()} | {len(data):,} | {gz(data):,} |")
    print(f"| all JavaScript, each file gzipped | | {total:,} ({total / 1024:.1f} KiB) |")
    if retrained:
        print(f"\nnote: {len(retrained)} training run(s) were not memoised and were trained now")
        print("run `make build` first")
    return 0


if __name__ == "__main__":
    sys.exit(main())
