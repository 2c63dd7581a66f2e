"""``make serve`` shows the site at once (issue 17): ``mkdocs serve`` previews.

In a copy of the project with its warm cache, three cached artifacts are deleted: a figure, a value and
a notebook. ``mkdocs serve`` must answer with every page at once, each page saying in a banner how many
results are still being computed, the value shown as ``??`` (plain enough to sit in a formula, which
the build typesets), the figure as a grey
stand-in image; then, when the background job has computed them, rebuild by itself and serve the real
ones, with no banner, and leave them in the cache. ``mkdocs build`` in the same state computes first and
shows no stand-in (tests/test_build_faults.py builds copies the same way). The unit tests check the
pieces: the stand-ins, and that the ready signal waits for the server to watch.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from tests.site_helpers import free_port
from tests.test_build_faults import copy_project

REPO = Path(__file__).resolve().parents[1]
MISSING = ("fig_maze", "num_lm_temperature_draws", "returns-in-the-maze")
PENDING_SENTENCE = r"how many of (<span[^>]*>)?\?\?(</span>)? responses"


def _hook(root: Path):
    sys.path.insert(0, str(root))
    try:
        import importlib.util

        spec = importlib.util.spec_from_file_location(f"compute_{abs(hash(root))}", root / "hooks" / "compute.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(root))


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return None


def _wait_for(predicate, timeout_s: float, what: str):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(1)
    pytest.fail(f"timed out after {timeout_s:.0f} s waiting for {what}")


def test_serve_shows_stand_ins_at_once_then_the_real_artifacts(tmp_path: Path, built_site: Path) -> None:
    root = copy_project(tmp_path / "project")
    compute = _hook(root)
    artifacts = {a.name: a for a in compute.discover()}
    for name in MISSING:
        artifacts[name].cached.unlink()
    port = free_port()
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    env.pop("RLHF_PREVIEW", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "--strict", "--dev-addr", f"127.0.0.1:{port}"],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    log: list[str] = []
    reader = threading.Thread(target=lambda: log.extend(server.stdout or []), daemon=True)
    reader.start()
    base = f"http://127.0.0.1:{port}/"
    try:
        page = _wait_for(lambda: _get(base + "value-learning/why-q-learning-breaks-down/"), 240, "the first page")
        assert "Preview: 3 of" in page, page[:2000]
        assert re.search(PENDING_SENTENCE, page), "the value's stand-in"
        stand_in = _get(base + "notebooks/returns-in-the-maze/")
        assert stand_in is not None and "being executed" in stand_in
        real = _wait_for(
            lambda: (p := _get(base + "value-learning/why-q-learning-breaks-down/")) and "Preview:" not in p and p,
            300,
            "the rebuild with the computed artifacts",
        )
        assert not re.search(PENDING_SENTENCE, real) and re.search(r"how many of (<span[^>]*>)?200", real)
        assert all(artifacts[name].cached.is_file() for name in MISSING)
    finally:
        server.terminate()
        server.wait(timeout=30)
        reader.join(timeout=10)
        if server.stdout is not None:
            server.stdout.close()
    assert not [line for line in log if "ERROR" in line], "".join(log[-40:])


def test_stand_ins_are_labelled_and_never_land_in_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    compute = _hook(REPO)
    monkeypatch.setattr(compute, "PREVIEW", tmp_path / "preview")
    artifacts = {a.name: a for a in compute.discover()}
    figure, notebook, data = artifacts["fig_maze"], artifacts["returns-in-the-maze"], artifacts["data_discounting"]
    image = compute.stand_in(figure)  # of the figure's own format, under the figure's name in the site
    assert image is not None and image.parent == tmp_path / "preview" and image.suffix == figure.cached.suffix
    if image.suffix == ".svg":
        assert "being computed" in image.read_text(encoding="utf-8")
    else:
        assert image.read_bytes().startswith(b"\x89PNG")
    nb = compute.stand_in(notebook)
    assert nb is not None and "being executed" in nb.read_text(encoding="utf-8")
    assert compute.stand_in(data) is None  # the widget says it could not load its data
    assert compute.PENDING_VALUE == "??"


def test_the_ready_signal_waits_for_the_server_to_watch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    compute = _hook(REPO)
    monkeypatch.setattr(compute, "READY", tmp_path / "ready" / "done")
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    serving = threading.Event()
    thread = threading.Thread(target=compute.wait_then_touch_ready, args=(proc, serving, 0.0))
    thread.start()
    proc.wait()
    thread.join(timeout=0.5)
    assert thread.is_alive() and not compute.READY.exists(), "touched before the server watched"
    serving.set()
    thread.join(timeout=10)
    assert compute.READY.read_text(encoding="utf-8").split()[1] == "0"
