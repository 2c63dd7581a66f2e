"""The Benchmarks page: tables and plots drawn from the results in benchmarks/results/*.json.

The build never runs a benchmark: the scripts in benchmarks/ do, on a person's machine, and write
their JSON. This module only reads it. A missing or incomplete result fails the build, naming the
file and the script that writes it.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import numpy as np

from figures._style import MUTED, PALETTE, new_figure, save

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
DATA_FILES = ("benchmarks/results/*.json",)  # the build hook re-draws this page when a result changes

SCRIPTS = {  # result file -> the script that writes it
    "cartpole_vs_sb3": "benchmarks/cartpole_vs_sb3.py",
    "reinforce_vs_a2c": "benchmarks/reinforce_vs_a2c.py",
    "tabular": "benchmarks/tabular.py",
    "lm_reinforce": "benchmarks/lm_reinforce.py",
    "lm_reinforce_none": "benchmarks/lm_reinforce.py --baseline none",
    "site": "benchmarks/site.py",
    "dqn_cartpole": "benchmarks/dqn_cartpole.py",
    "dqn_cartpole_unseen": "benchmarks/dqn_cartpole.py --unseen",
}
COLOURS = {
    "ours_dqn": PALETTE[0],
    "sb3_dqn": PALETTE[1],
    "sb3_dqn_ours": PALETTE[4],
    "sb3_ppo": PALETTE[2],
    "ours_reinforce_baseline": PALETTE[0],
    "ours_reinforce_none": PALETTE[5],
    "sb3_a2c": PALETTE[1],
}
MARKERS = {"ours_dqn": "o", "sb3_dqn": "o", "sb3_dqn_ours": "s", "sb3_ppo": "o"}  # the DQN curves


def result(name: str) -> dict:
    """The JSON that ``SCRIPTS[name]`` wrote; a clear error if it is missing."""
    path = RESULTS / f"{name}.json"
    if not path.is_file():
        script = SCRIPTS.get(name, "benchmarks/dqn_cartpole.py --hidden-sizes ...")
        raise FileNotFoundError(f"{path} is missing: run `python {script}` to write it")
    return json.loads(path.read_text(encoding="utf-8"))


def _row(cells) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def _int(x) -> str:
    if x is None:
        return "–"
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.1f}"


def _seconds(x: float) -> str:
    return f"{x:.1f} s" if x < 100 else f"{x:.0f} s"


def _versions(r: dict) -> str:
    v = r["versions"]
    keys = ("python", "torch", "numpy", "gymnasium", "stable-baselines3")
    return ", ".join(f"{k} {v[k]}" for k in keys if v.get(k))


def _hyperparameters(name: str) -> str:
    """Every agent's settings in result ``name``, and where they come from."""
    rows = ["| agent | hyperparameters | source |", "|:---|:---|:---|"]
    for agent in result(name)["agents"].values():
        hp = ", ".join(f"{k}={v}" for k, v in agent["hyperparameters"].items())
        rows.append(_row([agent["label"], hp, agent["source"]]))
    return "\n".join(rows)


# ------------------------------------------------------------------------------- where and when


def _speed(machine: dict) -> str:
    speed = machine.get("speed")  # benchmarks/_meta.py records it since 2026-12-01
    if speed is None:
        return "not recorded"
    return f"{speed['matmul_us']:g} µs, {speed['python_loop_ms']:g} ms"


def table_bench_runs(seed: int) -> str:
    rows = [
        "| result | written by | date | machine | speed: matmul, loop | versions |",
        "|:---|:---|:---|:---|:---|:---|",
    ]
    scripts = dict(SCRIPTS)
    for path in sorted(RESULTS.glob("dqn_cartpole_*[0-9].json")):  # the other widths of the Q-network
        widths = path.stem.rpartition("_")[2].replace("x", " ")
        unseen = " --unseen" if "_unseen_" in path.stem else ""
        scripts[path.stem] = f"benchmarks/dqn_cartpole.py --hidden-sizes {widths}{unseen}"
    for name, script in scripts.items():
        r = result(name)
        m = r["machine"]
        rows.append(
            _row(
                [f"`{name}.json`", f"`{script}`", r["date"], f"{m['cpu']}, {m['cores']} cores", _speed(m), _versions(r)]
            )
        )
    return "\n".join(rows)


# ------------------------------------------------------------------------------- goals


def _goals() -> list[tuple[str, str, bool]]:
    """(goal, what was measured, met?) for every goal the issues set."""
    goals = []
    dqn = result("cartpole_vs_sb3")
    ours, sb3 = dqn["summary"]["ours_dqn"], dqn["summary"]["sb3_dqn_ours"]
    solved, runs = (int(x) for x in ours["success_rate"].split("/"))
    goals.append(
        (
            f"DQN: {runs}/{runs} seeds reach a greedy mean ≥ {dqn['threshold']:g} within {dqn['steps']:,} steps",
            f"{ours['success_rate']} seeds",
            solved == runs,
        )
    )
    goals.append(
        (
            # Like with like: SB3 with our settings takes the same environment and gradient steps as ours,
            # and CPU time is what waiting for a core on a shared machine does not stretch.
            "DQN: no more training time than SB3 DQN for the same steps (SB3 with our settings, so the same "
            "gradient steps too; CPU time)",
            f"median {_seconds(ours['median_train_cpu_s'])} vs {_seconds(sb3['median_train_cpu_s'])} of CPU time "
            f"(wall-clock {_seconds(ours['median_train_wall_s'])} vs {_seconds(sb3['median_train_wall_s'])})",
            ours["median_train_cpu_s"] <= sb3["median_train_cpu_s"],
        )
    )
    lm = result("lm_reinforce")
    reached = lm["seeds_reached"]
    goals.append(
        (
            f"Tiny LM: mean reward ≥ {lm['goal']:g} (90% of the maximum) within {lm['budget_s']:.0f} s",
            f"{reached}/{lm['seeds']} seeds",
            reached == lm["seeds"],
        )
    )
    build = result("site")["build"]
    for kind, label in (("cold", "cold build"), ("warm", "warm build")):
        goals.append(
            (
                f"Site: {label} ≤ {build['goals'][kind]} s (median)",
                _seconds(build["median"][kind]),
                build["median"][kind] <= build["goals"][kind],
            )
        )
    for edit in build["one_snippet"]:
        goal = build["goals"]["one_snippet"]
        goals.append(
            (
                f"Site: build after a {edit['edit']} edit of `{edit['path']}` ≤ {goal} s (median)",
                _seconds(edit["median"]),
                edit["median"] <= goal,
            )
        )
    site = result("site")
    serve = site["serve"]
    goals.append(
        (
            f"Site: `make serve` answers with the first page ≤ {serve['goal']} s after it starts on a fresh "
            "clone (median)",
            _seconds(serve["median"]),
            serve["median"] <= serve["goal"],
        )
    )
    t = site["make_test"]
    fresh, pytest_s = t["fresh_clone_s"], t["pytest_s"]
    if fresh is None:
        raise ValueError("benchmarks/results/site.json has no set-up time: run benchmarks/site.py without --skip-setup")
    goals.append(
        (
            f"Tests: `make test` from a fresh clone, set-up included, ≤ {t['goals']['fresh_clone']} s",
            f"{_seconds(fresh)} (set-up {_seconds(t['setup_s'])}, then {_seconds(t['seconds'])})",
            fresh <= t["goals"]["fresh_clone"],
        )
    )
    goals.append(
        (
            f"Tests: the pytest phase of `make test` ≤ {t['goals']['pytest']} s",
            _seconds(pytest_s),
            pytest_s <= t["goals"]["pytest"],
        )
    )
    w = site["page_weight"]
    for key, label, size in (
        ("median", "the median page", w["median_bytes"]),
        ("heaviest", "the heaviest page", w["worst"]["bytes"]),
    ):
        goal = w["goals"][key]
        goals.append(
            (
                f"Pages: {label} transfers ≤ {goal / 1024:,.0f} KiB on its first load",
                f"{size / 1024:,.0f} KiB",
                size <= goal,
            )
        )
    return goals


def table_bench_goals(seed: int) -> str:
    rows = ["| goal | measured | met |", "|:---|:---|:---:|"]
    rows += [_row([goal, measured, "yes" if met else "**no**"]) for goal, measured, met in _goals()]
    return "\n".join(rows)


def num_bench_goals_met(seed: int) -> str:
    goals = _goals()
    return f"{sum(met for _, _, met in goals)} of {len(goals)}"


# ------------------------------------------------------------------------------- DQN vs SB3


def _ms(x: float) -> str:
    return f"{x:.2f} ms" if x < 10 else f"{x:.1f} ms"


def _times(x: float) -> str:
    """A ratio, as "2.0×"."""
    return f"{x:.1f}×" if x >= 1.95 else f"{x:.2f}×"


def _gradient_steps(runs: list[dict]) -> str:
    counts = [run["gradient_steps"] for run in runs]
    if min(counts) == max(counts):
        return f"{counts[0]:,}"
    return f"{statistics.median(counts):,.0f} ({min(counts):,}–{max(counts):,})"


def table_bench_dqn(seed: int) -> str:
    r = result("cartpole_vs_sb3")
    rows = [
        f"| agent | reached ≥ {r['threshold']:g} | median steps to reach it | steps to reach it, per seed "
        "| training wall-clock (CPU), median | gradient steps | per gradient step, median |",
        "|:---|---:|---:|:---|---:|---:|---:|",
    ]
    for key, agent in r["agents"].items():
        s = r["summary"][key]
        per_seed = ", ".join(_int(run["steps_to_solve"]) for run in agent["runs"])
        per_step = s["median_train_ms_per_gradient_step"], s["median_train_cpu_ms_per_gradient_step"]
        rows.append(
            _row(
                [
                    agent["label"],
                    s["success_rate"],
                    _int(s["median_steps_to_solve"]),
                    per_seed,
                    f"{_seconds(s['median_train_wall_s'])} ({_seconds(s['median_train_cpu_s'])})",
                    _gradient_steps(agent["runs"]),
                    f"{_ms(per_step[0])} ({_ms(per_step[1])})",
                ]
            )
        )
    return "\n".join(rows)


def dqn_widths() -> list[tuple[tuple[int, ...], dict, dict | None]]:
    """(hidden sizes, the run of seeds 1..5, the run of the unseen seeds or None) per width that
    ``benchmarks/dqn_cartpole.py`` was run with, the default first, then by width."""
    default = result("dqn_cartpole")
    rows = [(tuple(default["config"]["hidden_sizes"]), default, result("dqn_cartpole_unseen"))]
    for path in sorted(RESULTS.glob("dqn_cartpole_[0-9]*.json")):
        seen = json.loads(path.read_text(encoding="utf-8"))
        unseen = RESULTS / path.name.replace("dqn_cartpole_", "dqn_cartpole_unseen_")
        rows.append(
            (
                tuple(seen["config"]["hidden_sizes"]),
                seen,
                json.loads(unseen.read_text(encoding="utf-8")) if unseen.is_file() else None,
            )
        )
    return [rows[0], *sorted(rows[1:], key=lambda row: row[0])]


def table_bench_dqn_widths(seed: int) -> str:
    rows = [
        "| Q-network hidden layers | seeds 1–5 reaching 475 | unseen seeds 6–15 | median steps to reach it "
        "| wall-clock per run, median |",
        "|:---|---:|---:|---:|---:|",
    ]
    for i, (widths, seen, unseen) in enumerate(dqn_widths()):
        runs = seen["runs"] + (unseen["runs"] if unseen else [])
        steps = [run["steps_to_solve"] for run in runs if run["steps_to_solve"] is not None]
        rows.append(
            _row(
                [
                    " × ".join(map(str, widths)) + (" (`DQNConfig()`)" if i == 0 else ""),
                    f"{seen['seeds_solved']}/{seen['seeds']}",
                    f"{unseen['seeds_solved']}/{unseen['seeds']}" if unseen else "not run",
                    _int(statistics.median(steps)) if steps else "–",
                    _seconds(statistics.median(run["wall_s"] for run in runs)),
                ]
            )
        )
    return "\n".join(rows)


def _micro(r: dict) -> dict:
    micro = r.get("micro")
    if not micro or "ours_dqn" not in micro["implementations"]:
        raise ValueError(
            "benchmarks/results/cartpole_vs_sb3.json has no micro-measure of ours: run benchmarks/cartpole_vs_sb3.py"
        )
    return micro


def table_bench_dqn_micro(seed: int) -> str:
    micro = _micro(result("cartpole_vs_sb3"))
    impls = micro["implementations"]
    ours = impls["ours_dqn"]
    n = micro["repeats"]
    rows = [
        f"| implementation | loss | one gradient step: median of {n} | fastest of {n} | CPU time, fastest of {n} "
        "| relative to ours (fastest) |",
        "|:---|:---|---:|---:|---:|---:|",
    ]
    for m in impls.values():
        relative = _times(m["ms_per_step_min"] / ours["ms_per_step_min"])
        rows.append(
            _row(
                [
                    m["label"],
                    m["loss"],
                    _ms(m["ms_per_step_median"]),
                    _ms(m["ms_per_step_min"]),
                    _ms(m["cpu_ms_per_step_min"]),
                    relative,
                ]
            )
        )
    return "\n".join(rows)


def num_bench_dqn_micro_protocol(seed: int) -> str:
    micro = _micro(result("cartpole_vs_sb3"))
    widths = ", ".join(str(w) for w in micro["hidden_sizes"])
    return (
        f"{micro['repeats']} timings of {micro['steps']:,} gradient steps each, the implementations taking turns, "
        f"on the same {micro['transitions']:,} transitions of a random policy, with batches of {micro['batch_size']} "
        f"and hidden layers of {widths}"
    )


def table_bench_dqn_hyperparameters(seed: int) -> str:
    return _hyperparameters("cartpole_vs_sb3")


def num_bench_dqn_protocol(seed: int) -> str:
    r = result("cartpole_vs_sb3")
    return (
        f"for {r['steps']:,} environment steps, and every agent is evaluated the same way: every "
        f"{r['eval_every']:,} steps, {r['eval_episodes']} greedy episodes, one in each of as many "
        "separately seeded environments, "
        f'over seeds {r["seeds"][0]}–{r["seeds"][-1]}. "Reached" means an evaluation mean of at least '
        f"{r['threshold']:g}"
    )


def num_bench_reinforce_criterion(seed: int) -> str:
    r = result("reinforce_vs_a2c")
    w = r["running_weight"]
    return (
        f"the running reward r ← {w:g} · episode return + {1 - w:g} · r, starting at {r['running_start']:g}, "
        f"exceeds {r['threshold']:g} within {r['max_episodes']:,} episodes, over seeds {r['seeds'][0]}–{r['seeds'][-1]}"
    )


def _reached(s: dict) -> str:
    steps = s["median_steps_to_solve"]
    return f"{s['success_rate']} seeds" + ("" if steps is None else f", median {steps:,} steps")


def _share(part: float, whole: float) -> str:
    return f"{100 * part / whole:.0f}%"


def _split(total: dict, what: str) -> str:
    """How the extra ``what`` the rl-zoo run took over ours splits into settings and implementation, from
    the medians in ``total``: ours, SB3 with the rl-zoo settings ("zoo") and SB3 with our settings ("mine")."""
    gap, settings, implementation = (
        total["zoo"] - total["ours"],
        total["zoo"] - total["mine"],
        total["mine"] - total["ours"],
    )
    if gap > 0 and settings >= 0 and implementation >= 0:
        return (
            f"of the {_seconds(gap)} more {what} the rl-zoo run took than ours, {_seconds(settings)} "
            f"({_share(settings, gap)}) went with the settings and {_seconds(implementation)} "
            f"({_share(implementation, gap)}) with the implementation"
        )
    if gap > 0 and implementation < 0:
        return (
            f"the {_seconds(gap)} more {what} the rl-zoo run took than ours all went with the settings, and "
            f"with our settings SB3 took {_seconds(-implementation)} less than ours"
        )
    return f"SB3 with our settings took {_times(total['mine'] / total['ours'])} ours' {what}"


def _compared(theirs: float, ours: float) -> str:
    ratio = theirs / ours
    return f"about as long as ours, {_times(ratio)}" if 0.9 <= ratio <= 1.1 else f"{_times(ratio)} ours"


def num_bench_dqn_wall_clock_note(seed: int) -> str:
    """What the wall-clock measurements show, every number from the result."""
    r = result("cartpole_vs_sb3")
    micro, hp = _micro(r), {key: agent["hyperparameters"] for key, agent in r["agents"].items()}
    s = {"ours": r["summary"]["ours_dqn"], "zoo": r["summary"]["sb3_dqn"], "mine": r["summary"]["sb3_dqn_ours"]}
    wall = {k: x["median_train_wall_s"] for k, x in s.items()}
    cpu = {k: x["median_train_cpu_s"] for k, x in s.items()}
    steps = {k: x["median_gradient_steps"] for k, x in s.items()}
    per_step = {k: x["median_train_ms_per_gradient_step"] for k, x in s.items()}
    cpu_per_step = {k: x["median_train_cpu_ms_per_gradient_step"] for k, x in s.items()}
    stretch = [run["train_wall_s"] / run["train_cpu_s"] for agent in r["agents"].values() for run in agent["runs"]]
    same = "the same number of" if steps["mine"] == steps["ours"] else f"{steps['mine']:,.0f}"
    text = [
        f"SB3 DQN with the rl-zoo settings took {_times(steps['zoo'] / steps['ours'])} as many gradient steps as "
        f"ours ({steps['zoo']:,.0f} against {steps['ours']:,.0f}: {hp['sb3_dqn']['gradient_steps']} every "
        f"{hp['sb3_dqn']['train_freq']} environment steps, ours {hp['ours_dqn']['gradient_steps']} every "
        f"{hp['ours_dqn']['train_frequency']}), and trained for {_times(wall['zoo'] / wall['ours'])} ours' "
        f"wall-clock ({_seconds(wall['zoo'])} against {_seconds(wall['ours'])}) and {_times(cpu['zoo'] / cpu['ours'])} "
        f"ours' CPU time ({_seconds(cpu['zoo'])} against {_seconds(cpu['ours'])}). Per gradient step its training "
        f"CPU time was {_compared(cpu_per_step['zoo'], cpu_per_step['ours'])} ({_ms(cpu_per_step['zoo'])} against "
        f"{_ms(cpu_per_step['ours'])}; wall-clock {_ms(per_step['zoo'])} against {_ms(per_step['ours'])}).",
        f"With our settings ({same} gradient steps as ours) SB3 DQN trained for {_seconds(wall['mine'])} of "
        f"wall-clock and {_seconds(cpu['mine'])} of CPU time. So in CPU time, {_split(cpu, 'CPU time')} "
        "(each one's environment stepping, action choice, replay buffer and update; SB3 steps its environment "
        "through a vectorised, monitored wrapper and chooses actions through `predict`). "
        + (
            "The wall-clock medians split less cleanly, because the machine's load (below) stretched some runs' "
            f"wall-clock to {_times(max(stretch))} their CPU time and others hardly at all "
            f"({_times(min(stretch))}): {_split(wall, 'wall-clock')}."
            if max(stretch) > 1.3
            else f"In wall-clock (at most {_times(max(stretch))} a run's CPU time), {_split(wall, 'wall-clock')}."
        ),
    ]
    fastest = {k: m["ms_per_step_min"] for k, m in micro["implementations"].items()}
    medians = {k: m["ms_per_step_median"] for k, m in micro["implementations"].items()}
    text.append(
        f"The gradient step alone (the table below: the same fixed replay data, network and batch size, the fastest "
        f"of {micro['repeats']} timings) took ours {_ms(fastest['ours_dqn'])}, SB3 {_ms(fastest['sb3_dqn_ours'])} "
        f"with our loss ({_compared(fastest['sb3_dqn_ours'], fastest['ours_dqn'])}) and {_ms(fastest['sb3_dqn'])} "
        f"with its own; the medians were {_ms(medians['ours_dqn'])}, {_ms(medians['sb3_dqn_ours'])} and "
        f"{_ms(medians['sb3_dqn'])}."
        + (
            " The fastest and the median timings disagree on which of the two updates with our loss is quicker: "
            "neither implementation's update is measurably faster here."
            if (fastest["sb3_dqn_ours"] < fastest["ours_dqn"]) != (medians["sb3_dqn_ours"] < medians["ours_dqn"])
            else ""
        )
    )
    implementation = cpu["mine"] - cpu["ours"]
    in_updates = steps["ours"] * (fastest["sb3_dqn_ours"] - fastest["ours_dqn"]) / 1e3
    if implementation > 0 and 0 <= in_updates <= implementation:
        text.append(
            f"At those speeds the updates account for {_seconds(in_updates)} of the {_seconds(implementation)} "
            "more CPU time SB3 took with our settings, and the rest is the environment steps and action choices "
            "between them."
        )
    text.append(
        f"Learning: SB3 DQN with our settings reached {r['threshold']:g} on {_reached(s['mine'])}; ours on "
        f"{_reached(s['ours'])}; SB3 with the rl-zoo settings on {_reached(s['zoo'])}."
    )
    loads = [
        run[k][0]
        for agent in r["agents"].values()
        for run in agent["runs"]
        for k in ("loadavg_before", "loadavg_after")
    ]
    cores = r["machine"]["cores"]
    # A load of `workers` is the benchmark's own runs; more means something else wanted the cores too.
    busy = (
        f"above its {cores} cores at times, when processes waited for a core, which lengthens wall-clock far more "
        "than CPU time. The runs went seed by seed, every agent's run of one seed before the next seed's, so a busy "
        "spell slowed all agents, not one"
        if max(loads + [micro["loadavg_before"][0], micro["loadavg_after"][0]]) > max(cores, r["workers"]) + 0.5
        else f"no more than the benchmark's own {r['workers']} runs on its {cores} cores"
    )
    text.append(
        f"The machine's 1-minute load average, read at the start and end of every run, was "
        f"{min(loads):.1f}–{max(loads):.1f} (median {statistics.median(loads):.1f}), and "
        f"{micro['loadavg_before'][0]:.1f} → {micro['loadavg_after'][0]:.1f} around the micro-measure: {busy}."
    )
    # paragraphs: the training times; the gradient step alone (and what it explains); learning; the load
    paragraphs = [text[:2], text[2:-2], text[-2:-1], text[-1:]]
    return "\n\n".join(" ".join(p) for p in paragraphs)


def num_bench_dqn_wall_clock_method(seed: int) -> str:
    return result("cartpole_vs_sb3")["wall_clock_note"]


def fig_bench_dqn_curves(out_dir: Path, seed: int) -> Path:
    r = result("cartpole_vs_sb3")
    fig, ax = new_figure(7.5, 4.2)
    for key, agent in r["agents"].items():
        curves = np.array([[m for _, m in run["eval_history"]] for run in agent["runs"]])  # (seeds, evals)
        steps = np.array([s for s, _ in agent["runs"][0]["eval_history"]])
        colour = COLOURS[key]
        ax.fill_between(steps, curves.min(0), curves.max(0), color=colour, alpha=0.15, lw=0)
        ax.plot(steps, curves.mean(0), color=colour, lw=2.2, marker=MARKERS[key], ms=3.5, label=agent["label"])
    ax.axhline(r["threshold"], color=MUTED, ls="--", lw=1.2, label=f"success: {r['threshold']:g}")
    ax.set_xlabel("environment steps")
    ax.set_ylabel(f"greedy return ({r['eval_episodes']} episodes)")
    ax.set_ylim(0, 520)
    ax.set_title(f"CartPole-v1: mean over seeds {r['seeds'][0]}–{r['seeds'][-1]}, band: min–max", fontsize=11)
    fig.legend(loc="outside lower center", ncols=2, fontsize=9.5)
    return save(fig, out_dir, "bench_dqn_curves")


# ------------------------------------------------------------------------------- REINFORCE vs A2C


def table_bench_reinforce(seed: int) -> str:
    r = result("reinforce_vs_a2c")
    rows = [
        "| agent | solved | median episodes to solve | middle half (IQR) | min–max | median env steps "
        "| median wall-clock |",
        "|:---|---:|---:|---:|---:|---:|---:|",
    ]
    cap = r["max_episodes"]

    def episodes(x) -> str:  # null: the statistic fell on a run that did not solve
        return f"> {cap:,}" if x is None else f"{x:,.0f}" if float(x).is_integer() else f"{x:,.1f}"

    def span(low: str, high: str) -> str:
        return f"{low} to {high}" if ">" in high else f"{low}–{high}"

    for key, agent in r["agents"].items():
        s = r["summary"][key]
        rows.append(
            _row(
                [
                    agent["label"],
                    s["solved"],
                    episodes(s["median_episodes_to_solve"]),
                    span(episodes(s["q1"]), episodes(s["q3"])),
                    span(episodes(s["min"]), episodes(s["max"])),
                    _int(s["median_env_steps"]),
                    _seconds(s["median_wall_s"]),
                ]
            )
        )
    return "\n".join(rows)


def table_bench_reinforce_hyperparameters(seed: int) -> str:
    return _hyperparameters("reinforce_vs_a2c")


def fig_bench_reinforce_episodes(out_dir: Path, seed: int) -> Path:
    r = result("reinforce_vs_a2c")
    cap = r["max_episodes"]
    fig, ax = new_figure(7.5, 3.6)
    labels = []
    for i, (key, agent) in enumerate(r["agents"].items()):
        episodes = [run["episodes_to_solve"] for run in agent["runs"]]
        solved = [e for e in episodes if e is not None]
        jitter = np.linspace(-0.12, 0.12, len(episodes))
        ax.scatter(np.array(solved), i + jitter[: len(solved)], color=COLOURS[key], s=28, zorder=3)
        unsolved = len(episodes) - len(solved)
        if unsolved:
            ax.scatter([cap] * unsolved, i + jitter[len(solved) :], marker="x", color=COLOURS[key], s=36, zorder=3)
        if solved:
            ax.plot(
                [statistics.median(e if e is not None else cap + 1 for e in episodes)] * 2,
                [i - 0.3, i + 0.3],
                color="black",
                lw=2,
            )
        labels.append(agent["label"])
    ax.set_yticks(range(len(labels)), labels)
    ax.invert_yaxis()
    ax.set_xlabel(f"episodes to solve (running reward > {r['threshold']:g}); × = not solved in {cap:,}")
    ax.set_title(f"CartPole-v1, seeds {r['seeds'][0]}–{r['seeds'][-1]}; bar: median", fontsize=11)
    return save(fig, out_dir, "bench_reinforce_episodes")


# ------------------------------------------------------------------------------- tabular


def num_bench_tabular_seeds(seed: int) -> str:
    seeds = [run["seed"] for run in result("tabular")["q_learning"]["maze"]["runs"]]
    return f"seeds {seeds[0]}–{seeds[-1]}"


def table_bench_tabular(seed: int) -> str:
    r = result("tabular")
    rows = [
        "| environment | Q-learning: episodes until the greedy policy is optimal (median, min–max) | reached "
        "| value iteration: sweeps | time per solve |",
        "|:---|---:|---:|---:|---:|",
    ]
    names = {"maze": "the post's maze", "frozenlake": "FrozenLake 4x4, not slippery"}
    for key, name in names.items():
        q, vi = r["q_learning"][key], r["value_iteration"][key]
        rows.append(
            _row(
                [
                    name,
                    f"{_int(q['median'])} ({_int(q['min'])}–{_int(q['max'])})",
                    q["reached"],
                    vi["sweeps"],
                    f"{vi['ms_median']:.2f} ms",
                ]
            )
        )
    return "\n".join(rows)


# ------------------------------------------------------------------------------- the tiny LM


def table_bench_lm(seed: int) -> str:
    rows = [
        "| baseline | seed | reward before | after | first update ≥ 0.9 | pretraining | REINFORCE "
        "| distinct responses |",
        "|:---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, label in (("lm_reinforce", "prompt mean"), ("lm_reinforce_none", "none")):
        for run in result(name)["runs"]:
            rows.append(
                _row(
                    [
                        label,
                        run["seed"],
                        f"{run['reward_before']:.3f}",
                        f"{run['reward_after']:.3f}",
                        _int(run["first_update_at_goal"]),
                        _seconds(run["pretrain_s"]),
                        _seconds(run["rl_s"]),
                        f"{run['distinct_before']} → {run['distinct_after']}",
                    ]
                )
            )
    return "\n".join(rows)


def num_bench_lm_parameters(seed: int) -> str:
    return f"{result('lm_reinforce')['runs'][0]['parameters']:,}"


# ------------------------------------------------------------------------------- the site


def table_bench_build(seed: int) -> str:
    b = result("site")["build"]
    rows = ["| build | runs (s) | median | artifacts recomputed | goal |", "|:---|:---|---:|:---|---:|"]

    def recomputed(pairs) -> str:
        return ", ".join(sorted({f"{n} of {m}" for n, m in pairs}))

    for kind, label in (("cold", "cold (empty cache)"), ("warm", "warm (nothing changed)")):
        runs = ", ".join(f"{x:.1f}" for x in b[f"{kind}_s"])
        rows.append(
            _row(
                [label, runs, _seconds(b["median"][kind]), recomputed(b["recomputed"][kind]), f"≤ {b['goals'][kind]} s"]
            )
        )
    for edit in b["one_snippet"]:
        runs = ", ".join(f"{x:.1f}" for x in edit["seconds"])
        rows.append(
            _row(
                [
                    f"after a {edit['edit']} edit of `{edit['path']}`",
                    runs,
                    _seconds(edit["median"]),
                    recomputed(edit["recomputed"]),
                    f"≤ {b['goals']['one_snippet']} s",
                ]
            )
        )
    return "\n".join(rows)


def num_bench_reproducible(seed: int) -> str:
    r = result("site")["build"]["reproducible"]
    if r["cold_builds"] < 2:
        raise ValueError("benchmarks/results/site.json compares fewer than 2 cold builds: run benchmarks/site.py")
    if not r["differing"]:
        return f"all {r['files']:,} files of the {r['cold_builds']} cold builds were byte-identical"
    listed = ", ".join(f"`{path}`" for path in r["differing"][:10])
    differing, files, builds = len(r["differing"]), r["files"], r["cold_builds"]
    return f"{differing} of the {files:,} files differed between the {builds} cold builds: {listed}"


def _slowest(jobs: list) -> str:
    return ", ".join(f"`{name}` {seconds:.0f} s" for name, seconds in jobs[:5])


def _cold_profile(seed: int) -> str:
    """The slowest jobs of the median cold build, from the hook's own log line."""
    b = result("site")["build"]
    median = sorted(range(len(b["cold_s"])), key=lambda i: b["cold_s"][i])[len(b["cold_s"]) // 2]
    jobs = b["slowest"]["cold"][median]
    if not jobs:
        raise ValueError("benchmarks/results/site.json has no profile of its cold builds: rerun benchmarks/site.py")
    return _slowest(jobs)


def _median_run(seconds: list[float]) -> int:
    return sorted(range(len(seconds)), key=lambda i: seconds[i])[len(seconds) // 2]


def num_bench_shortfalls(seed: int) -> str:
    """A paragraph for each build-time goal the latest run missed: what it measured, and where the
    time went, from the build hook's own profile (each job's wall-clock time, two jobs at a time)."""
    b = result("site")["build"]
    paragraphs = []
    if not b["met"]["cold"]:
        paragraphs.append(
            f"**Cold build: {_seconds(b['median']['cold'])} against {b['goals']['cold']} s.** Almost all of "
            f"it is training. The slowest jobs of the median cold build: {_cold_profile(seed)}. "
            "`fig_dqn_learning_curve` trains the DQN chapter's three 50,000-step CartPole runs (those no "
            "other job is training at the time), the first language-model job to start pretrains and fine-tunes "
            "the tiny language models of its seeds (the others read them from the run memo), and each notebook "
            "trains what it shows, as it would for a reader. Two cores "
            "cannot finish sooner than that training's CPU time divided by two, so the goal needs a faster "
            "machine (see the speed column above) or less training on the pages."
        )
    if not b["met"]["warm"]:
        done, of = b["recomputed"]["warm"][_median_run(b["warm_s"])]
        paragraphs.append(
            f"**Warm build: {_seconds(b['median']['warm'])} against {b['goals']['warm']} s.** It computes "
            f"{done} of the {of} artifacts: the time is MkDocs itself, loading its plugins (mkdocs-jupyter "
            "imports nbconvert), reading the cache key of every artifact (the code each one imports), and "
            "rendering and checking the pages."
        )
    for edit in b["one_snippet"]:
        if edit["met"]:
            continue
        run = _median_run(edit["seconds"])
        done, of = edit["recomputed"][run]
        paragraphs.append(
            f"**A {edit['edit']} edit of `{edit['path']}`: {_seconds(edit['median'])} against "
            f"{b['goals']['one_snippet']} s.** It changes code that {done} of the {of} artifacts import, "
            "directly or not, so each of them is recomputed, and the training runs among them are "
            f"retrained with the new code. The slowest jobs: {_slowest(edit['slowest'][run])}."
        )
    if not paragraphs:
        return "Every build-time goal is met."
    return "\n\n".join(paragraphs)


def num_bench_make_test(seed: int) -> str:
    t = result("site")["make_test"]
    if t is None or t.get("fresh_clone_s") is None:
        raise ValueError(
            "benchmarks/results/site.json has no make_test timing with set-up: run benchmarks/site.py without "
            "--skip-make-test or --skip-setup"
        )
    return (
        f"{_seconds(t['fresh_clone_s'])}: the set-up {_seconds(t['setup_s'])}, then `make test` "
        f"{_seconds(t['seconds'])}, of which pytest {_seconds(t['pytest_s'])} ({t['summary']})"
    )


def table_bench_page_weight(seed: int) -> str:
    w = result("site")["page_weight"]
    rows = ["| | page | transferred | requests |", "|:---|:---|---:|---:|"]
    median_page = sorted(w["pages"], key=lambda p: p["bytes"])[len(w["pages"]) // 2]
    worst = max(w["pages"], key=lambda p: p["bytes"])
    for label, page in (("median page", median_page), ("heaviest page", worst)):
        rows.append(_row([label, f"`{page['path']}`", f"{page['bytes'] / 1024:,.0f} KiB", page["requests"]]))
    return "\n".join(rows)


def num_bench_pages(seed: int) -> str:
    return str(result("site")["page_weight"]["total_pages"])


def num_bench_search_index(seed: int) -> str:
    size = result("site")["page_weight"].get("search_index_gzip_bytes")
    if size is None:
        raise ValueError("benchmarks/results/site.json has no search_index_gzip_bytes: rerun benchmarks/site.py")
    return f"{size / 1024:,.0f} KiB"


def num_bench_page_weight_median(seed: int) -> str:
    return f"{result('site')['page_weight']['median_bytes'] / 1024:,.0f} KiB"
