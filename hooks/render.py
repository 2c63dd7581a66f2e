"""Compute build artifacts in a fresh process: ``python hooks/render.py JOBS.json``.

``hooks/compute.py`` writes the jobs (figures, values, notebooks, data that are not cached yet) and runs
this script, so every artifact is made by the code as it is on disk now. Jobs run in parallel, one
process per core. Any failure prints the artifact's name and traceback and exits non-zero, which
fails the build.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import traceback
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The build's profile as benchmarks/site.py last recorded it: which jobs to start first.
PROFILE = ROOT / "benchmarks" / "results" / "site.json"


def render_figure(job: dict, out: Path) -> Path:
    """Write the figure to ``out``; return where it belongs: the job's ``out`` with the suffix of the
    file the function wrote (one of ``job["suffixes"]``: ``figures/_style.py`` picks SVG or PNG)."""
    func = getattr(importlib.import_module(job["module"]), job["name"])
    stem = Path(job["out"]).stem
    names = [stem + suffix for suffix in job["suffixes"]]
    with tempfile.TemporaryDirectory() as tmp:
        written = Path(func(Path(tmp), job["seed"]))
        if written.parent.resolve() != Path(tmp).resolve() or written.name not in names or not written.is_file():
            raise RuntimeError(f"{job['name']} must write and return out_dir / one of {names}, it returned {written}")
        shutil.copyfile(written, out)
    return Path(job["out"]).with_suffix(written.suffix)


def render_value(job: dict, out: Path) -> None:
    func = getattr(importlib.import_module(job["module"]), job["name"])
    value = func(job["seed"])
    if not isinstance(value, str) or not value.strip():
        raise TypeError(f"{job['name']} must return a non-empty str, got {value!r}")
    out.write_text(json.dumps({"value": value}), encoding="utf-8")


def render_data(job: dict, out: Path) -> None:
    """A widget's table: JSON, compact and with sorted keys, so the same result is the same bytes."""
    func = getattr(importlib.import_module(job["module"]), job["name"])
    value = func(job["seed"])
    if not isinstance(value, dict | list):
        raise TypeError(f"{job['name']} must return a dict or a list, got {type(value).__name__}")
    # allow_nan=False: NaN and inf are not JSON, and a browser's JSON.parse refuses them.
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    out.write_text(text + "\n", encoding="utf-8")


def render_notebook(job: dict, out: Path) -> None:
    import jupytext
    import nbformat
    from nbclient import NotebookClient

    nb = jupytext.read(job["source"], fmt="py:percent")
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata.pop("jupytext", None)
    for i, cell in enumerate(nb.cells):
        cell.id = f"cell-{i}"  # jupytext draws random ids; fixed ones keep the notebook byte-stable
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=600,
        allow_errors=False,  # a cell that raises fails the build
        record_timing=False,  # keep the executed notebook byte-stable
        resources={"metadata": {"path": str(ROOT)}},
    )
    client.execute()
    for cell in nb.cells:
        cell_outputs = cell.get("outputs")
        if cell_outputs:
            cell.outputs = coalesce_streams(cell_outputs)
    nbformat.write(nb, out)


def coalesce_streams(outputs: list) -> list:
    """Join each run of stdout (or stderr) outputs into one output.

    The kernel sends printed text in as many messages as its flushes happen to make, which depends
    on timing: the same cell can come back as one output or as four. Joined, it is the same bytes
    every run.
    """
    joined: list = []
    for output in outputs:
        previous = joined[-1] if joined else None
        if (
            output.get("output_type") == "stream"
            and previous is not None
            and previous.get("output_type") == "stream"
            and previous.get("name") == output.get("name")
        ):
            previous["text"] += output["text"]
        else:
            joined.append(output)
    return joined


RENDERERS = {"figure": render_figure, "value": render_value, "notebook": render_notebook, "data": render_data}


def run(job: dict) -> tuple[str | None, float]:
    """Run one job; return (None on success or the error text, seconds it took)."""
    started = time.perf_counter()
    return _run(job), time.perf_counter() - started


def _run(job: dict) -> str | None:
    out = Path(job["out"])
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    try:
        final = RENDERERS[job["kind"]](job, partial) or out  # a figure names its own suffix
        os.replace(partial, final)  # only a complete artifact ever lands in the cache
        return None
    except BaseException:  # noqa: BLE001 - report everything, including KeyboardInterrupt in a worker
        partial.unlink(missing_ok=True)
        where = job["module"] or Path(job["source"]).relative_to(ROOT)
        return f"{job['kind']} {job['name']} ({where}) failed:\n{traceback.format_exc()}"


def expected_seconds(profile: Path = PROFILE) -> dict[str, float]:
    """Name -> seconds of the slowest jobs of the cold builds that ``benchmarks/site.py`` last recorded
    (the median over those builds); empty when there is no such record. Only the order of the jobs
    depends on it, never what they compute."""
    try:
        builds = json.loads(profile.read_text(encoding="utf-8"))["build"]["slowest"]["cold"]
        seconds: dict[str, list[float]] = {}
        for build in builds:
            for name, s in build:
                seconds.setdefault(str(name), []).append(float(s))
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return {name: statistics.median(s) for name, s in seconds.items()}


def schedule(jobs: list[dict], expected: dict[str, float]) -> list[dict]:
    """The order the workers take ``jobs`` in. The longest first, as last measured, so that no long job
    starts near the end while the other core idles. Then figures, which hold most of the training
    runs, then notebooks; values and data last, so a value that reuses a figure's memoised run finds
    it done instead of holding a worker while it waits for it.

    >>> [j["name"] for j in schedule([{"name": "v", "kind": "value"}, {"name": "f", "kind": "figure"},
    ...     {"name": "slow", "kind": "value"}], {"slow": 30.0})]
    ['slow', 'f', 'v']
    """
    kinds = {"figure": 0, "notebook": 1, "value": 2, "data": 2}
    return sorted(jobs, key=lambda job: (-expected.get(job["name"], 0.0), kinds[job["kind"]]))


def main(jobs_file: str) -> int:
    jobs = schedule(json.loads(Path(jobs_file).read_text(encoding="utf-8")), expected_seconds())
    workers = max(1, min(len(jobs), os.cpu_count() or 1))
    if workers == 1:
        outcomes = [run(job) for job in jobs]
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            outcomes = list(pool.map(run, jobs))
    errors = [error for error, _ in outcomes]
    # The profile the build log shows: a job that trains pays for the run; a later job that reuses
    # the memoised run (figures/_runs.py) only reads it.
    timings = sorted(((seconds, job["name"]) for job, (_, seconds) in zip(jobs, outcomes, strict=True)), reverse=True)
    print("slowest: " + ", ".join(f"{name} {seconds:.1f} s" for seconds, name in timings[:8]))
    failed = [e for e in errors if e]
    for error in failed:
        print(error, file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
