"""Benchmark: how long the site takes to build and to test, and what a reader's browser downloads.

Everything runs on a fresh copy of the project in a temporary folder, so the checkout's own
``.cache`` and ``site`` are never touched: the files git knows (tracked, plus untracked ones that
are not ignored), plus the fetched KaTeX under ``docs/assets/vendor/`` (git-ignored). The copy
uses the checkout's ``.venv`` through its absolute path; only the set-up timing (2.) installs, into
a ``.venv`` of the copy's own, removed after. The Benchmarks page
is drawn from this benchmark's own result, so each section that the checkout's benchmarks/results/site.json
lacks (or holds with fewer keys than this version writes) is a placeholder with zeros in the copy's (the
checkout's never is).

0. The first page of ``make serve`` on a fresh clone, ``--serve-runs`` times: the copy's ``.cache`` and
   ``site`` deleted, ``mkdocs serve`` started as the Makefile starts it (the set-up done), timed until the
   home page is answered in full; then the server and the background job it started for the artifacts
   not computed yet are stopped. Goal (median): 60 s.

1. Build time, wall clock, of ``mkdocs build --strict --site-dir site`` in the copy:

   * cold: the copy's ``.cache`` and ``site`` deleted first (every figure, value and notebook is
     computed, every training run retrained), ``--cold-runs`` times. The cold builds must be byte
     for byte the same: every file of each is compared with the first one's (kept as
     ``site-cold-1`` in the copy), each differing, missing or extra file is printed (a text file
     with the start of its diff), and the benchmark exits non-zero after writing its result. The
     scheduled workflow ``.github/workflows/reproducible.yml`` runs just this, two cold builds;
   * warm: nothing changed since the last build, ``--warm-runs`` times;
   * one snippet: each file of ``--touch`` edited in two ways, ``--snippet-runs`` times each:
     "comment", a comment line appended (the text the page shows changes, no computation does, so
     the hook recomputes nothing: its cache keys on the code without comments and docstrings), and
     "code", a module-level assignment appended (``BENCHMARK_EDIT = <a new number each run>``), which
     changes the code, so every artifact that imports the file, directly or not, is recomputed and
     every training run it feeds is retrained (a new number each run, so nothing is reused from an
     earlier timed run). After each timed build the file is restored and the site rebuilt, untimed,
     so every run starts from the same state.

   Per run, how many artifacts the build hook computed, "N of M", from its log line
   ``artifacts: computing N of M``; a build that logs none computed 0 of M, where M is the number
   of artifacts the hook keeps in the copy's cache after the build. Goals (median): cold <= 120 s,
   warm <= 4 s, one snippet <= 30 s.

2. ``make test`` from a fresh clone, once: first the set-up alone, ``make setup`` with a new ``.venv``
   in the copy and the vendored KaTeX removed (pip installs from the registry and its local cache;
   ``--skip-setup`` leaves this out), then ``make test`` with no ``.cache`` (so its build is cold) and
   no Node packages (``npm ci``, from the registry and its local cache, runs beside the build, as
   ``make test`` runs it on a fresh clone), timed, with its pytest summary line and pytest's own time.
   For ``make test`` the copy's ``.venv`` is a symlink to the checkout's, and the copy keeps every
   file's modification time, so the Makefile's set-up targets are up to date and make skips them; the
   script checks that first with ``make --question setup``, and stops rather than let make reinstall
   into the checkout's venv. Goals: set-up plus ``make test`` <= 480 s; pytest <= 150 s.

3. Page weight: the copy's built site served on 127.0.0.1 (``http.server`` in a thread; text
   files, ``GZIPPED``, sent gzipped when the browser accepts it, as a static host sends them) and
   every page (each ``index.html`` outside ``assets/``; not 404.html) opened in Debian's Chromium
   through Playwright, each in a fresh browser context (an empty cache) at 1280x800, until the load
   event and network idle. The bytes are the sum of the ``encodedDataLength`` of CDP's
   ``Network.loadingFinished`` events (headers plus body as sent, gzipped where it was), plus, for a
   request that CDP's page session never sees finish (the search worker's own script, which the
   worker loads), its response headers and Content-Length as Playwright saw them. A request off the
   local origin is aborted and fails the benchmark; a failed request or an HTTP error is printed as
   a warning. Per page: its path, bytes and requests; the median page (``median_high``, so a real
   page) and the heaviest. Goals: the median page <= 250 KiB, the heaviest <= 500 KiB. The search
   index, which no first load fetches, is recorded as its gzipped size.

Markdown tables go to stdout; the results to benchmarks/results/site.json (the Benchmarks page
draws from it). With ``--only`` or ``--site-dir``, the other sections of an existing ``--out`` file
are kept.

    .venv/bin/python -m benchmarks.site                  # everything: 25-30 minutes on 2 cores
    .venv/bin/python -m benchmarks.site --only serve --serve-runs 3
    .venv/bin/python -m benchmarks.site --skip-make-test
    .venv/bin/python -m benchmarks.site --only build --cold-runs 1 --warm-runs 2 --snippet-runs 1
    .venv/bin/python -m benchmarks.site --site-dir site --out /tmp/site.json   # page weight of a built site
    # a quick check of the warm path, starting from a copy of the checkout's cache:
    .venv/bin/python -m benchmarks.site --only build --cold-runs 0 --warm-runs 2 --snippet-runs 0 --reuse-cache
"""

from __future__ import annotations

import argparse
import difflib
import functools
import gzip
import hashlib
import http.server
import io
import itertools
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # also runnable as `python benchmarks/site.py`
    sys.path.insert(0, str(ROOT))

from benchmarks._meta import meta  # noqa: E402
from tests.site_helpers import free_port, list_pages  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "site.json"
VENV = ROOT / ".venv"
PYTHON = VENV / "bin" / "python"
VENDOR = Path("docs") / "assets" / "vendor"
CACHE = Path(".cache")
ARTIFACT_KINDS = ("figure", "value", "notebook")  # the folders of .cache/artifacts the hook evicts stale digests from
GOALS = {"cold": 120, "warm": 4, "one_snippet": 30}  # seconds, for the median (issue 17: warm 4 s, was 5)
SERVE_GOAL = 60  # seconds from `mkdocs serve` starting on a fresh clone to its first page (median)
MAKE_TEST_GOALS = {"fresh_clone": 480, "pytest": 150}  # seconds: `make test` with set-up; its pytest phase
WEIGHT_GOALS = {"median": 250 * 1024, "heaviest": 500 * 1024}  # bytes, a page's first load
EDITS = {  # how the one-snippet builds edit a file: what is appended, for run i
    "comment": lambda i: f"# benchmarks/site.py: edit {i + 1}, {time.time_ns()}\n",
    "code": lambda i: f"BENCHMARK_EDIT = {time.time_ns()}  # benchmarks/site.py: edit {i + 1}\n",
}
KINDS = {"cold": "cold (empty cache)", "warm": "warm (nothing changed)", "one_snippet": "one snippet edited"}
COMPUTING = re.compile(r"artifacts: computing (\d+) of (\d+)")
SLOWEST = re.compile(r"slowest: (.*)$", re.MULTILINE)  # hooks/render.py's profile: "name 12.3 s, ..."
PYTEST_SUMMARY = re.compile(r"^=+ (.*\bin [\d.]+s)(?: \([\d:]+\))? =+$", re.MULTILINE)
PYTEST_SECONDS = re.compile(r"\bin ([\d.]+)s")
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [  # headless, offline, quiet: the browser tests launch it so too (tests/conftest.py)
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
]
VIEWPORT = {"width": 1280, "height": 800}
TIMEOUT_MS = 60_000


def _env() -> dict[str, str]:
    # As the Makefile does: the build's one date is the last commit's, so the cold builds can match.
    commit_time = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=ROOT, capture_output=True, text=True)
    epoch = commit_time.stdout.strip() or "0"
    return dict(os.environ, NO_MKDOCS_2_WARNING="1", SOURCE_DATE_EPOCH=os.environ.get("SOURCE_DATE_EPOCH", epoch))


def site_digests(site: Path) -> dict[str, str]:
    """sha256 of every file of a built site, by its path in the site."""
    return {
        str(f.relative_to(site)): hashlib.sha256(f.read_bytes()).hexdigest()
        for f in sorted(site.rglob("*"))
        if f.is_file()
    }


# --------------------------------------------------------------------------------------------------
# The copy


def project_files() -> list[str]:
    """The files git knows in the checkout: tracked ones, and untracked ones that are not ignored."""
    out = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    return list(dict.fromkeys(name for name in out.decode().split("\0") if name))


def make_copy(dest: Path) -> int:
    """Copy the project into ``dest``, modification times kept (make compares them); the number of files."""
    vendor = ROOT / VENDOR
    if not (vendor / ".stamp").is_file():
        raise SystemExit(f"{vendor} is missing: run `make vendor` (or `make setup`) in the checkout first")
    if not PYTHON.is_file():
        raise SystemExit(f"{PYTHON} is missing: run `make setup` in the checkout first")
    copied = 0
    for name in project_files():
        src = ROOT / name
        if not src.is_file() and not src.is_symlink():  # deleted in the working tree, or a submodule
            continue
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, target, follow_symlinks=False)
        copied += 1
    shutil.copytree(vendor, dest / VENDOR, dirs_exist_ok=True)  # copy2: the stamp keeps its mtime
    return copied


def with_placeholders(result: dict, placeholder: dict) -> tuple[dict, list[str]]:
    """``result`` with each section it lacks, or has with fewer keys than ``placeholder``'s, taken from
    ``placeholder`` (this schema, zeros); and the names of those sections."""
    merged, missing = dict(result), []
    for key, value in placeholder.items():
        if key == "placeholder":  # the whole file's flag: the sections below say what stands in
            continue
        have = result.get(key)
        same_keys = not isinstance(value, dict) or (isinstance(have, dict) and set(value) <= set(have))
        if have is None or not same_keys:
            merged[key] = value
            missing.append(key)
    if not result:
        merged["placeholder"] = True
    return merged, missing


def placeholder_result() -> dict:
    """A stand-in for this benchmark's own result, with this schema and zeros for every number.

    The Benchmarks page is drawn from benchmarks/results/site.json, so a checkout without one (this
    benchmark never run) cannot build; the copy gets this instead. Never written to the checkout.
    """
    return {
        "benchmark": "site",
        "placeholder": True,
        **meta(),
        "build": {
            "cold_s": [0.0, 0.0],  # two, as reproducible says
            "warm_s": [0.0],
            "recomputed": {"cold": [[0, 0], [0, 0]], "warm": [[0, 0]]},
            "slowest": {"cold": [[["placeholder", 0.0]], [["placeholder", 0.0]]], "warm": [[]]},
            "reproducible": {"cold_builds": 2, "files": 0, "differing": []},
            "median": {"cold": 0.0, "warm": 0.0},
            "goals": dict(GOALS),
            "met": {"cold": True, "warm": True},
            "one_snippet": [
                {
                    "path": "snippets/returns.py",
                    "edit": kind,
                    "seconds": [0.0],
                    "recomputed": [[0, 0]],
                    "slowest": [[["placeholder", 0.0]]],
                    "median": 0.0,
                    "met": True,
                }
                for kind in EDITS
            ],
        },
        "serve": {"seconds": [0.0], "median": 0.0, "goal": SERVE_GOAL, "met": True},
        "make_test": {
            "seconds": 0.0,
            "summary": "0 passed in 0.00s",
            "pytest_s": 0.0,
            "setup_s": 0.0,
            "fresh_clone_s": 0.0,
            "goals": dict(MAKE_TEST_GOALS),
            "met": {"fresh_clone": True, "pytest": True},
        },
        "page_weight": {
            "pages": [{"path": "/", "bytes": 0, "requests": 0}],
            "search_index_gzip_bytes": 0,
            "goals": dict(WEIGHT_GOALS),
            "median_bytes": 0,
            "worst": {"path": "/", "bytes": 0},
            "total_pages": 1,
            "viewport": dict(VIEWPORT),
        },
    }


# --------------------------------------------------------------------------------------------------
# Builds


def artifact_count(copy: Path) -> int:
    """How many artifacts the hook keeps after a build (it evicts every other digest's folder)."""
    cache = copy / CACHE / "artifacts"
    folders = [cache / kind for kind in ARTIFACT_KINDS if (cache / kind).is_dir()]
    return sum(1 for folder in folders for entry in folder.iterdir() if entry.is_dir())


def timed(args: list[str], copy: Path, check: bool = True) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Run ``args`` in the copy, stdout and stderr together: (wall-clock seconds, the process). With
    ``check``, a non-zero exit stops the benchmark with the end of the output."""
    started = time.perf_counter()
    proc = subprocess.run(args, cwd=copy, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    seconds = time.perf_counter() - started
    if check and proc.returncode != 0:
        raise SystemExit(f"`{' '.join(args)}` failed in {copy} (exit {proc.returncode}):\n{proc.stdout[-4000:]}")
    return seconds, proc


def build(copy: Path) -> dict:
    """``mkdocs build --strict`` in the copy: its wall-clock seconds and [computed, of] artifacts."""
    seconds, proc = timed([str(PYTHON), "-m", "mkdocs", "build", "--strict", "--site-dir", "site"], copy)
    match = COMPUTING.search(proc.stdout)
    computed = [int(match[1]), int(match[2])] if match else [0, artifact_count(copy)]
    profile = SLOWEST.search(proc.stdout)
    slowest = [] if not profile else [job.rsplit(" ", 2)[:2] for job in profile[1].split(", ")]
    return {
        "seconds": round(seconds, 2),
        "recomputed": computed,
        "slowest": [[name, float(s)] for name, s in slowest],  # the build's slowest jobs, by their own wall time
    }


def _say(kind: str, i: int, n: int, run: dict) -> None:
    done, of = run["recomputed"]
    print(f"  {kind} {i + 1}/{n}: {run['seconds']:.1f} s, computed {done} of {of} artifacts", flush=True)


def report_differences(first: Path, again: Path, label: str, limit: int = 20) -> list[str]:
    """Compare two built sites file by file; print each file that differs, is missing or is extra in
    ``again`` (a text file with the start of its unified diff), and return their paths."""
    a, b = site_digests(first), site_digests(again)
    differing = sorted(path for path in a.keys() | b.keys() if a.get(path) != b.get(path))
    for path in differing[:limit]:
        if path not in b or path not in a:
            print(f"  {label}: {path} is only in the {'first' if path in a else 'later'} build", flush=True)
            continue
        old, new = (first / path).read_bytes(), (again / path).read_bytes()
        print(f"  {label}: {path} differs ({len(old):,} and {len(new):,} bytes)", flush=True)
        try:
            lines = difflib.unified_diff(
                old.decode().splitlines(), new.decode().splitlines(), "first build", label, n=1, lineterm=""
            )
        except UnicodeDecodeError:
            continue  # a binary file (a figure): its name and sizes say enough to start looking
        for line in itertools.islice(lines, 12):
            print(f"      {line[:200]}", flush=True)
    if len(differing) > limit:
        print(f"  {label}: and {len(differing) - limit} more files", flush=True)
    return differing


def measure_builds(copy: Path, cold_runs: int, warm_runs: int, snippet_runs: int, touch: list[str]) -> dict:
    runs: dict[str, list[dict]] = {"cold": [], "warm": []}
    reference = copy / "site-cold-1"  # the first cold build's files, which every later one must equal
    differing: set[str] = set()
    files = 0
    for i in range(cold_runs):
        shutil.rmtree(copy / CACHE, ignore_errors=True)
        shutil.rmtree(copy / "site", ignore_errors=True)
        runs["cold"].append(build(copy))
        _say("cold", i, cold_runs, runs["cold"][-1])
        if i == 0:
            shutil.rmtree(reference, ignore_errors=True)
            shutil.copytree(copy / "site", reference)
            files = len(site_digests(reference))
        else:
            differing |= set(report_differences(reference, copy / "site", f"cold build {i + 1}"))
    if cold_runs > 1:
        verdict = f"{len(differing)} of {files} files differ" if differing else f"all {files} files byte-identical"
        print(f"  the {cold_runs} cold builds: {verdict}", flush=True)
    if not cold_runs and (warm_runs or snippet_runs):
        print("  a first build, untimed, so that the timed ones start warm", flush=True)
        build(copy)
    for i in range(warm_runs):
        runs["warm"].append(build(copy))
        _say("warm", i, warm_runs, runs["warm"][-1])
    edited: list[tuple[str, str, list[dict]]] = []  # (path, edit, runs)
    for path in touch:
        snippet = copy / path
        if snippet_runs and not snippet.is_file():
            raise SystemExit(f"--touch {path}: no such file in the project")
        for kind, appended in EDITS.items():
            edited.append((path, kind, []))
            for i in range(snippet_runs):
                original = snippet.read_bytes()
                edit = b"\n" if original and not original.endswith(b"\n") else b""
                edit += appended(i).encode()  # new each run
                try:
                    snippet.write_bytes(original + edit)
                    edited[-1][2].append(build(copy))
                finally:
                    snippet.write_bytes(original)
                _say(f"{kind} edit of {path}", i, snippet_runs, edited[-1][2][-1])
                build(copy)  # untimed: back to the unedited state (the edited build evicted its artifacts)

    def median(seconds: list[float]) -> float | None:
        return round(statistics.median(seconds), 2) if seconds else None

    medians = {kind: median([r["seconds"] for r in runs[kind]]) for kind in runs}
    return {
        "cold_s": [r["seconds"] for r in runs["cold"]],
        "warm_s": [r["seconds"] for r in runs["warm"]],
        "recomputed": {kind: [r["recomputed"] for r in runs[kind]] for kind in runs},
        "slowest": {kind: [r["slowest"] for r in runs[kind]] for kind in runs},
        "reproducible": {"cold_builds": cold_runs, "files": files, "differing": sorted(differing)},
        "median": medians,
        "goals": dict(GOALS),
        "met": {kind: None if medians[kind] is None else medians[kind] <= GOALS[kind] for kind in runs},
        "one_snippet": [
            {
                "path": path,
                "edit": kind,
                "seconds": [r["seconds"] for r in results],
                "recomputed": [r["recomputed"] for r in results],
                "slowest": [r["slowest"] for r in results],
                "median": median([r["seconds"] for r in results]),
                "met": None if not results else median([r["seconds"] for r in results]) <= GOALS["one_snippet"],
            }
            for path, kind, results in edited
        ],
    }


def build_table(b: dict) -> str:
    lines = [
        "| build | runs (s) | median (s) | goal | met | artifacts computed |",
        "|:---|:---|---:|---:|:---:|:---|",
    ]
    rows = [
        (KINDS[kind], b[f"{kind}_s"], b["median"][kind], b["goals"][kind], b["met"][kind], b["recomputed"][kind])
        for kind in ("cold", "warm")
    ]
    for e in b["one_snippet"]:
        rows.append(
            (
                f"after a {e['edit']} edit of `{e['path']}`",
                e["seconds"],
                e["median"],
                b["goals"]["one_snippet"],
                e["met"],
                e["recomputed"],
            )
        )
    for label, runs, median, goal, met, recomputed in rows:
        seconds = ", ".join(f"{x:.1f}" for x in runs) or "-"
        shown = "-" if median is None else f"{median:.1f}"
        yes = {None: "-", True: "yes", False: "**no**"}[met]
        computed = ", ".join(f"{n} of {m}" for n, m in recomputed) or "-"
        lines.append(f"| {label} | {seconds} | {shown} | ≤ {goal} s | {yes} | {computed} |")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------
# make test


def link_venv(copy: Path) -> None:
    """Point the copy's .venv at the checkout's, and make sure make will not set anything up."""
    link = copy / ".venv"
    if not link.is_symlink():
        if link.exists():
            raise SystemExit(f"{link} exists and is not a link to {VENV}")
        link.symlink_to(VENV, target_is_directory=True)
    # Exit 0: every prerequisite of `setup` is up to date, so `make test` goes straight to the build.
    question = subprocess.run(["make", "--question", "setup"], cwd=copy, env=_env(), capture_output=True, text=True)
    if question.returncode != 0:
        raise SystemExit(
            "`make test` would run set-up in the copy (requirements.txt newer than .venv/.installed, or "
            "tools/vendor.py newer than docs/assets/vendor/.stamp), and the copy's .venv is the checkout's: "
            "run `make setup` in the checkout first."
        )


def measure_make_test(copy: Path) -> dict:
    """``make test`` as on a fresh clone whose set-up is done: no ``.cache``, no ``site`` (a cold build)."""
    link_venv(copy)
    shutil.rmtree(copy / CACHE, ignore_errors=True)
    shutil.rmtree(copy / "site", ignore_errors=True)
    shutil.rmtree(copy / "node_modules", ignore_errors=True)  # make test installs them, beside the build
    print("  make test (cold: no .cache, no node_modules) ...", flush=True)
    seconds, proc = timed(["make", "test"], copy, check=False)
    summaries = PYTEST_SUMMARY.findall(proc.stdout)
    if proc.returncode != 0 or not summaries:
        raise SystemExit(f"`make test` failed in {copy} (exit {proc.returncode}):\n{proc.stdout[-4000:]}")
    pytest_s = float(PYTEST_SECONDS.findall(summaries[-1])[-1])
    print(f"  {seconds:.1f} s, pytest {pytest_s:.1f} s: {summaries[-1]}", flush=True)
    return {"seconds": round(seconds, 2), "summary": summaries[-1], "pytest_s": pytest_s}


def measure_setup(copy: Path) -> float:
    """``make setup`` as on a fresh clone: a new .venv, the vendored KaTeX fetched; pip reads the package
    registry (and its local cache, as a developer's machine has). The Node packages are ``make test``'s."""
    link = copy / ".venv"
    if link.is_symlink():
        link.unlink()
    shutil.rmtree(copy / VENDOR, ignore_errors=True)
    print("  make setup (a new .venv) ...", flush=True)
    seconds, _ = timed(["make", "setup"], copy)
    print(f"  {seconds:.1f} s", flush=True)
    shutil.rmtree(copy / ".venv")  # the copy's later steps use the checkout's .venv again
    return round(seconds, 2)


def _stop(pid: int) -> None:
    """End the process group of ``pid`` (a session leader): TERM, then KILL after 20 s."""
    for sig, wait_s in ((signal.SIGTERM, 20.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            try:
                os.killpg(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.2)


def measure_first_page(copy: Path, runs: int) -> dict:
    """Seconds from ``mkdocs serve`` starting (as ``make serve`` starts it, its set-up done) on a fresh clone,
    with no ``.cache``, to the home page answered in full, ``runs`` times. The background job serve starts
    for the artifacts not computed yet is stopped after each run, and the cache is removed again."""
    link_venv(copy)
    seconds = []
    for i in range(runs):
        shutil.rmtree(copy / CACHE, ignore_errors=True)
        shutil.rmtree(copy / "site", ignore_errors=True)
        port = free_port()
        url = f"http://127.0.0.1:{port}/"
        started = time.perf_counter()
        server = subprocess.Popen(
            [str(copy / ".venv" / "bin" / "mkdocs"), "serve", "--strict", "--dev-addr", f"127.0.0.1:{port}"],
            cwd=copy,
            env=_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            while True:
                if server.poll() is not None:
                    raise SystemExit(f"`mkdocs serve` ended (exit {server.returncode}) before answering")
                if time.perf_counter() - started > 600:
                    raise SystemExit("`mkdocs serve` did not answer within 600 s")
                try:
                    with urllib.request.urlopen(url, timeout=5) as response:
                        if response.status == 200 and b"</html>" in response.read():
                            break
                except OSError:
                    pass
                time.sleep(0.2)
            seconds.append(round(time.perf_counter() - started, 2))
        finally:
            _stop(server.pid)
            pid_file = copy / CACHE / "artifacts" / "preview" / "running.pid"
            if pid_file.is_file():  # the background job: its own session
                _stop(int(pid_file.read_text()))
        print(f"  first page {i + 1}/{runs}: {seconds[-1]:.1f} s", flush=True)
    shutil.rmtree(copy / CACHE, ignore_errors=True)
    median = round(statistics.median(seconds), 2)
    return {"seconds": seconds, "median": median, "goal": SERVE_GOAL, "met": median <= SERVE_GOAL}


# --------------------------------------------------------------------------------------------------
# Page weight


# What a static host (GitHub Pages) sends gzipped: text. Images, fonts and archives are sent as they are.
GZIPPED = (".html", ".css", ".js", ".mjs", ".json", ".svg", ".xml", ".txt", ".ipynb", ".map")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """The site's files, text gzipped when the browser accepts it, as the reader's browser gets them."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass

    def send_head(self):  # type: ignore[no-untyped-def]  # stdlib signature: a file-like body or None
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?", 1)[0].endswith("/"):
            path = path / "index.html"
        if "gzip" not in self.headers.get("Accept-Encoding", "") or path.suffix not in GZIPPED or not path.is_file():
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        return io.BytesIO(body)


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):  # a browser that drops a connection
            return
        super().handle_error(request, client_address)


@contextmanager
def serve(site_dir: Path) -> Iterator[str]:
    """``site_dir`` served at http://127.0.0.1:PORT (no trailing slash)."""
    server = _QuietServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site_dir)))
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host}:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _on_network(url: str) -> bool:
    return not url.startswith(("data:", "blob:"))


class FirstLoad:
    """What a page's first load downloads, as the browser counts it: every request's bytes as sent
    (headers and body), a worker's own script included.

    Attach it to a fresh context (an empty cache) and its page before the page is opened; call
    ``total()`` once the page has loaded and the network is idle, before anything else runs in it.
    ``weigh_page`` below and the browser tests (tests/test_site_browser.py) weigh pages with it.
    """

    def __init__(self, context, page) -> None:
        self.seen: list = []  # every network request Playwright saw: the page's and its workers'
        self.urls: dict[str, str] = {}
        self.encoded: dict[str, float] = {}
        context.on("request", lambda req: self.seen.append(req) if _on_network(req.url) else None)
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.on("Network.requestWillBeSent", lambda e: self.urls.__setitem__(e["requestId"], e["request"]["url"]))
        cdp.on("Network.loadingFinished", lambda e: self.encoded.__setitem__(e["requestId"], e["encodedDataLength"]))

    @property
    def requests(self) -> int:
        return len(self.seen)

    def total(self, off_site: list[str]) -> int:
        """The bytes downloaded so far; ``off_site``: the requests that were aborted, which count nothing."""
        finished: dict[str, list[float]] = {}
        for request_id, size in self.encoded.items():
            if _on_network(self.urls.get(request_id, "data:")):
                finished.setdefault(self.urls[request_id], []).append(size)
        total = sum(sum(sizes) for sizes in finished.values())
        for req in self.seen:  # a load CDP's page session did not see finish: a worker's own script
            if finished.get(req.url):
                finished[req.url].pop()
                continue
            resp = req.response()
            if resp is None or req.url in off_site:
                continue
            total += req.sizes()["responseHeadersSize"] + int(resp.headers.get("content-length", 0))
        return int(total)


def weigh_page(browser, origin: str, url: str) -> dict:
    """Open ``url`` (site-relative) in a fresh context: the bytes and the requests its first load took."""
    off_site: list[str] = []
    problems: list[str] = []

    def route(r) -> None:
        if r.request.url.startswith(origin + "/") or not _on_network(r.request.url):
            r.continue_()
        else:  # never let it reach the network
            off_site.append(r.request.url)
            r.abort("blockedbyclient")

    def failed(req) -> None:
        if req.url not in off_site:
            problems.append(f"request failed: {req.url} ({req.failure})")

    def response(resp) -> None:
        if resp.status >= 400:
            problems.append(f"HTTP {resp.status}: {resp.url}")

    context = browser.new_context(viewport=VIEWPORT, color_scheme="light", locale="en-US")
    try:
        context.set_default_timeout(TIMEOUT_MS)
        context.route("**/*", route)
        context.on("requestfailed", failed)
        context.on("response", response)
        page = context.new_page()
        load = FirstLoad(context, page)
        page.goto(f"{origin}/{url}", wait_until="load")
        page.wait_for_load_state("networkidle")
        total = load.total(off_site)
    finally:
        context.close()
    return {"path": "/" + url, "bytes": total, "requests": load.requests, "off_site": off_site, "problems": problems}


def measure_page_weight(site_dir: Path) -> dict:
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.is_file():
        raise SystemExit(f"{CHROMIUM} is missing: install Debian's chromium package")
    pages = list_pages(site_dir)
    if not pages:
        raise SystemExit(f"{site_dir} holds no built pages")
    rows = []
    with serve(site_dir) as origin, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            for url in pages:
                row = weigh_page(browser, origin, url)
                rows.append(row)
                print(f"  {row['path']}: {row['bytes']:,} bytes, {row['requests']} requests", flush=True)
        finally:
            browser.close()
    off_site = [f"{row['path']}: {u}" for row in rows for u in row.pop("off_site")]
    for row in rows:
        for problem in row.pop("problems"):
            print(f"  warning: {row['path']}: {problem}", file=sys.stderr)
    if off_site:
        raise SystemExit(
            "requests off the local origin (aborted); the site must load only its own files:\n  "
            + "\n  ".join(off_site)
        )
    worst = max(rows, key=lambda row: row["bytes"])
    index = site_dir / "search" / "search_index.json"
    return {
        "pages": rows,
        # not in any page's first load: fetched when the reader first goes to the search box
        "search_index_gzip_bytes": len(gzip.compress(index.read_bytes(), compresslevel=6, mtime=0)),
        "goals": dict(WEIGHT_GOALS),
        # median_high: a real page's bytes, the page that figures/benchmarks.py shows as the median one
        "median_bytes": statistics.median_high(row["bytes"] for row in rows),
        "worst": {"path": worst["path"], "bytes": worst["bytes"]},
        "total_pages": len(rows),
        "viewport": dict(VIEWPORT),
    }


def page_table(w: dict) -> str:
    lines = ["| page | KiB | requests |", "|:---|---:|---:|"]
    lines += [f"| `{row['path']}` | {row['bytes'] / 1024:,.0f} | {row['requests']} |" for row in w["pages"]]
    worst = w["worst"]
    lines.append("")
    lines.append(
        f"{w['total_pages']} pages; median {w['median_bytes'] / 1024:,.0f} KiB; "
        f"heaviest `{worst['path']}`, {worst['bytes'] / 1024:,.0f} KiB"
    )
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument("--warm-runs", type=int, default=5)
    parser.add_argument("--snippet-runs", type=int, default=3)
    parser.add_argument(
        "--touch",
        nargs="+",
        default=["snippets/argmax_limits.py", "snippets/returns.py"],
        help="the snippets the one-snippet builds edit, one at a time (default: a leaf, and the most imported one)",
    )
    parser.add_argument("--serve-runs", type=int, default=3)
    parser.add_argument("--skip-make-test", action="store_true")
    parser.add_argument("--skip-setup", action="store_true", help="time make test without a fresh set-up before it")
    parser.add_argument("--only", choices=("serve", "build", "make-test", "page-weight"))
    parser.add_argument("--site-dir", type=Path, help="only measure the page weight of this built site; no copy")
    parser.add_argument(
        "--reuse-cache",
        action="store_true",
        help="copy the checkout's .cache into the copy (a quick check of the warm path; cold runs still empty it)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary copy, and say where it is")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    everything = {"serve", "build", "make-test", "page-weight"}
    parts = set(everything)
    if args.site_dir is not None:
        parts = {"page-weight"}
    elif args.only:
        parts = {args.only}
    elif args.skip_make_test:
        parts.discard("make-test")

    kept = {}
    sections = ("serve", "build", "make_test", "page_weight")
    if parts != everything and args.out.is_file():  # keep the sections this run does not measure
        previous = json.loads(args.out.read_text(encoding="utf-8"))
        if previous.get("benchmark") == "site":
            kept = {key: previous.get(key) for key in sections}
    result = {"benchmark": "site", **meta(), **dict.fromkeys(sections), **kept}

    if args.site_dir is not None:
        print(f"Page weight of {args.site_dir}", flush=True)
        result["page_weight"] = measure_page_weight(args.site_dir.resolve())
    else:
        copy = Path(tempfile.mkdtemp(prefix="site-bench-"))
        try:
            print(f"Copied {make_copy(copy)} files to {copy}", flush=True)
            own = copy / RESULTS.relative_to(ROOT)
            previous = json.loads(own.read_text(encoding="utf-8")) if own.is_file() else {}
            stand_in, missing = with_placeholders(previous, placeholder_result())
            if missing:
                own.parent.mkdir(parents=True, exist_ok=True)
                own.write_text(json.dumps(stand_in, indent=2) + "\n", encoding="utf-8")
                print(f"The copy's {RESULTS.name} has placeholders (zeros) for: {', '.join(missing)}", flush=True)
            if "serve" in parts:
                print("The first page of make serve", flush=True)
                result["serve"] = measure_first_page(copy, args.serve_runs)
                save(result, args.out)
            if args.reuse_cache and (ROOT / CACHE).is_dir():
                shutil.copytree(ROOT / CACHE, copy / CACHE, dirs_exist_ok=True)
            if "build" in parts:
                print("Builds", flush=True)
                result["build"] = measure_builds(copy, args.cold_runs, args.warm_runs, args.snippet_runs, args.touch)
                save(result, args.out)  # kept even if a later part fails
            elif "page-weight" in parts and not (copy / "site" / "index.html").is_file():
                print("A first build, untimed", flush=True)
                build(copy)
            if "make-test" in parts:
                print("make test", flush=True)
                setup_s = None if args.skip_setup else measure_setup(copy)
                timed = measure_make_test(copy)
                fresh = None if setup_s is None else round(setup_s + timed["seconds"], 2)
                goals = MAKE_TEST_GOALS
                result["make_test"] = {
                    **timed,
                    "setup_s": setup_s,
                    "fresh_clone_s": fresh,
                    "goals": dict(goals),
                    "met": {
                        "fresh_clone": None if fresh is None else fresh <= goals["fresh_clone"],
                        "pytest": timed["pytest_s"] <= goals["pytest"],
                    },
                }
                save(result, args.out)
            if "page-weight" in parts:
                print("Page weight", flush=True)
                result["page_weight"] = measure_page_weight(copy / "site")
        finally:
            if args.keep:
                print(f"kept the copy at {copy}")
            else:
                shutil.rmtree(copy, ignore_errors=True)

    if "build" in parts:
        print("\n" + build_table(result["build"]))
    if "serve" in parts:
        s = result["serve"]
        print(f"\nmake serve, first page: {', '.join(f'{x:.1f}' for x in s['seconds'])} s (median {s['median']:.1f})")
    if "make-test" in parts:
        t = result["make_test"]
        setup = "-" if t["setup_s"] is None else f"{t['setup_s']:.1f} s"
        print(
            f"\n| set-up | make test (cold) | pytest | with set-up |\n|---:|---:|---:|---:|\n| {setup} "
            f"| {t['seconds']:.1f} s | {t['pytest_s']:.1f} s | {t['fresh_clone_s'] or '-'} |\n{t['summary']}"
        )
    if "page-weight" in parts:
        print("\n" + page_table(result["page_weight"]))
    save(result, args.out)
    print(f"wrote {args.out}")
    differing = result["build"]["reproducible"]["differing"] if "build" in parts else []
    if differing:
        raise SystemExit(
            f"the cold builds are not byte-identical: {len(differing)} files differ ({', '.join(differing[:10])}); "
            "see the differences printed above"
        )
    return result


def save(result: dict, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
