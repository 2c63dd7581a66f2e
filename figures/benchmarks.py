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
}
COLOURS = {
    "ours_dqn": PALETTE[0],
    "sb3_dqn": PALETTE[1],
    "sb3_ppo": PALETTE[2],
    "ours_reinforce_baseline": PALETTE[0],
    "ours_reinforce_none": PALETTE[5],
    "sb3_a2c": PALETTE[1],
}


def result(name: str) -> dict:
    """The JSON that ``SCRIPTS[name]`` wrote; a clear error if it is missing."""
    path = RESULTS / f"{name}.json"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: run `python {SCRIPTS[name]}` to write it")
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
    for name, script in SCRIPTS.items():
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
    ours, sb3 = dqn["summary"]["ours_dqn"], dqn["summary"]["sb3_dqn"]
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
            "DQN: no more training wall-clock than SB3 DQN for the same steps",
            f"median {_seconds(ours['median_train_wall_s'])} vs {_seconds(sb3['median_train_wall_s'])}",
            ours["median_train_wall_s"] <= sb3["median_train_wall_s"],
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
    return goals


def table_bench_goals(seed: int) -> str:
    rows = ["| goal | measured | met |", "|:---|:---|:---:|"]
    rows += [_row([goal, measured, "yes" if met else "**no**"]) for goal, measured, met in _goals()]
    return "\n".join(rows)


def num_bench_goals_met(seed: int) -> str:
    goals = _goals()
    return f"{sum(met for _, _, met in goals)} of {len(goals)}"


# ------------------------------------------------------------------------------- DQN vs SB3


def table_bench_dqn(seed: int) -> str:
    r = result("cartpole_vs_sb3")
    rows = [
        f"| agent | reached ≥ {r['threshold']:g} | median steps to reach it | steps to reach it, per seed "
        f"| median training wall-clock |",
        "|:---|---:|---:|:---|---:|",
    ]
    for key, agent in r["agents"].items():
        s = r["summary"][key]
        per_seed = ", ".join(_int(run["steps_to_success"]) for run in agent["runs"])
        rows.append(
            _row(
                [
                    agent["label"],
                    s["success_rate"],
                    _int(s["median_steps_to_success"]),
                    per_seed,
                    _seconds(s["median_train_wall_s"]),
                ]
            )
        )
    return "\n".join(rows)


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


def num_bench_dqn_wall_clock_note(seed: int) -> str:
    return result("cartpole_vs_sb3")["wall_clock_note"]


def fig_bench_dqn_curves(out_dir: Path, seed: int) -> Path:
    r = result("cartpole_vs_sb3")
    fig, ax = new_figure(7.5, 4.0)
    for key, agent in r["agents"].items():
        curves = np.array([[m for _, m in run["eval_history"]] for run in agent["runs"]])  # (seeds, evals)
        steps = np.array([s for s, _ in agent["runs"][0]["eval_history"]])
        colour = COLOURS[key]
        ax.fill_between(steps, curves.min(0), curves.max(0), color=colour, alpha=0.15, lw=0)
        ax.plot(steps, curves.mean(0), color=colour, lw=2.2, marker="o", ms=3.5, label=agent["label"])
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
            "`fig_dqn_learning_curve` trains the DQN chapter's three 50,000-step CartPole runs (two at a "
            "time, each in its own process), `fig_lm_reward_curve` pretrains and fine-tunes the three tiny "
            "language models, and each notebook trains what it shows, as it would for a reader. Two cores "
            "cannot finish sooner than that training's CPU time divided by two, so the goal needs a faster "
            "machine (see the speed column above) or less training on the pages."
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
    if t is None:
        raise ValueError(
            "benchmarks/results/site.json has no make_test timing: run benchmarks/site.py without --skip-make-test"
        )
    return f"{_seconds(t['seconds'])} ({t['summary']})"


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


def num_bench_page_weight_median(seed: int) -> str:
    return f"{result('site')['page_weight']['median_bytes'] / 1024:,.0f} KiB"
