"""γ^t and the time limit, measured: REINFORCE's two settings that most code gets "wrong" on purpose.

* The maze (γ = 0.9): trained at build time, 10 seeds per setting, through the same memo as the
  policy-gradient chapter's learning curve (figures/policy_gradient_runs.py), so the default's
  seeds 0–2 are not trained twice.
* CartPole (γ = 0.99): too slow to train at build time (minutes per seed), so it is read from
  ``benchmarks/results/reinforce_cartpole.json``, which ``python -m benchmarks.reinforce_cartpole``
  writes (four variants x 10 seeds).

The build fails if the other setting of ``ReinforceConfig.weight_by_gamma_t`` (or of
``bootstrap_truncated``) is clearly better than the default: it solves more seeds, or as many and is
faster by a one-sided exact rank test with p < 0.05.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import statistics
from pathlib import Path

import numpy as np
from rl4rlhf.reinforce import MAZE_CONFIG, ReinforceConfig

from figures import _runs
from figures.policy_gradient_runs import reinforce_run

ROOT = Path(__file__).resolve().parents[1]
DATA_FILES = ("benchmarks/results/reinforce_cartpole.json",)
CARTPOLE = ROOT / DATA_FILES[0]
MAZE_SEEDS = 10
SHORTEST_PATH_RETURN = 0.95  # 5 steps at -0.01, then +1


def weight_label(gamma_t: bool) -> str:
    return r"$\gamma^t (G_t - V(s_t))$" if gamma_t else r"$G_t - V(s_t)$, no $\gamma^t$"


def default_mark(gamma_t: bool, bootstrap: bool = ReinforceConfig.bootstrap_truncated) -> str:
    is_default = (gamma_t, bootstrap) == (ReinforceConfig.weight_by_gamma_t, ReinforceConfig.bootstrap_truncated)
    return " (default)" if is_default else ""


# ------------------------------------------------------------------------------- the maze


def maze_runs(seed: int) -> dict[bool, list[dict]]:
    """weight_by_gamma_t -> the memoised maze runs of seeds seed .. seed + 9."""
    configs = [
        dataclasses.replace(MAZE_CONFIG, seed=s, weight_by_gamma_t=gamma_t)
        for gamma_t in (False, True)
        for s in range(seed, seed + MAZE_SEEDS)
    ]
    runs = _runs.each_run(reinforce_run, configs)  # shared with num_gamma_t_verdict: split, not waited for
    return {False: runs[:MAZE_SEEDS], True: runs[MAZE_SEEDS:]}


def first_above(running: list[float], threshold: float) -> int | None:
    """The first episode (1-based) whose running return exceeds ``threshold``, or None."""
    above = np.flatnonzero(np.asarray(running) > threshold)
    return int(above[0]) + 1 if len(above) else None


def maze_summary(runs: list[dict]) -> dict:
    reached = [first_above(r["running_rewards"], MAZE_CONFIG.solve_threshold) for r in runs]
    episodes = [float("inf") if e is None else float(e) for e in reached]  # per seed; inf: never
    return {
        "shortest": sum(r["greedy_return"] == SHORTEST_PATH_RETURN for r in runs),
        "seeds": len(runs),
        "reached": sum(e is not None for e in reached),
        "episodes": episodes,
        "median_episodes": statistics.median(episodes),
        "last_100": float(np.mean([np.mean(r["episode_returns"][-100:]) for r in runs])),
    }


def table_gamma_t_maze(seed: int) -> str:
    runs = maze_runs(seed)
    lines = [
        f"| weight $\\Psi_t$ | seeds whose greedy policy takes a shortest path | median episodes until the running "
        f"return > {MAZE_CONFIG.solve_threshold:g} | mean return of the last 100 episodes |",
        "|:---|---:|---:|---:|",
    ]
    for gamma_t in (False, True):
        s = maze_summary(runs[gamma_t])
        median = "never" if s["median_episodes"] == float("inf") else f"{s['median_episodes']:g}"
        lines.append(
            f"| {weight_label(gamma_t)}{default_mark(gamma_t)} | {s['shortest']} of {s['seeds']} | {median} "
            f"| {s['last_100']:+.3f} |"
        )
    return "\n".join(lines)


# ------------------------------------------------------------------------------- CartPole


def cartpole() -> dict:
    if not CARTPOLE.is_file():
        raise FileNotFoundError(f"{CARTPOLE.name} is missing: run `python -m benchmarks.reinforce_cartpole`")
    return json.loads(CARTPOLE.read_text(encoding="utf-8"))


def cartpole_variant(data: dict, gamma_t: bool, bootstrap: bool) -> dict:
    for variant in data["variants"].values():
        cfg = variant["config"]
        if (cfg["weight_by_gamma_t"], cfg["bootstrap_truncated"]) == (gamma_t, bootstrap):
            return variant
    raise KeyError(f"reinforce_cartpole.json has no run with weight_by_gamma_t={gamma_t}, bootstrap={bootstrap}")


def table_gamma_t_cartpole(seed: int) -> str:
    data = cartpole()
    lines = [
        "| weight $\\Psi_t$ | at the 500-step time limit | seeds solved | median episodes to solve "
        "| fastest–slowest seed |",
        "|:---|:---|---:|---:|---:|",
    ]
    for gamma_t in (False, True):
        for bootstrap in (True, False):
            v = cartpole_variant(data, gamma_t, bootstrap)
            episodes = [r["episodes_to_solve"] for r in v["runs"] if r["episodes_to_solve"] is not None]
            median = v["median_episodes_to_solve"]
            span = f"{min(episodes)}–{max(episodes)}" if episodes else "–"
            unsolved = v["seeds"] - v["seeds_solved"]
            if unsolved:
                span += f", {unsolved} unsolved"
            lines.append(
                f"| {weight_label(gamma_t)}{default_mark(gamma_t, bootstrap)} "
                f"| {'bootstrap from $V(s_T)$' if bootstrap else 'treated as the end'} "
                f"| {v['seeds_solved']} of {v['seeds']} | {'never' if median is None else f'{median:g}'} | {span} |"
            )
    lines.append("")
    lines.append(
        f"*{len(data['seeds'])} seeds per row, at most {ReinforceConfig.episodes:,} episodes each; run on "
        f"{data['date']} ({data['machine']['cpu']}).*"
    )
    return "\n".join(lines)


def rank_test(a: list[float], b: list[float]) -> float:
    """One-sided exact p-value that ``a`` tends to be *smaller* than ``b`` (fewer episodes to solve):
    the share of all ways to split the pooled results into groups of len(a) and len(b) whose first
    group's rank sum is at most the observed one (Mann-Whitney, midranks for ties; an unsolved run
    is +inf, slower than any solved one)."""
    pooled = np.array([*a, *b], dtype=float)
    order = pooled.argsort(kind="stable")
    ranks = np.empty(len(pooled))
    ranks[order] = np.arange(1, len(pooled) + 1)
    for value in np.unique(pooled):  # ties share their mean rank
        ranks[pooled == value] = ranks[pooled == value].mean()
    observed = ranks[: len(a)].sum()
    sums = np.array([ranks[list(group)].sum() for group in itertools.combinations(range(len(pooled)), len(a))])
    return float((sums <= observed + 1e-9).mean())


def episodes(variant_runs: list[dict], key: str) -> list[float]:
    return [float("inf") if r[key] is None else float(r[key]) for r in variant_runs]


def clearly_better(solved: tuple[int, int], p_faster: float) -> bool:
    """Is the other setting clearly better than the default?  It solves more seeds, or as many and
    is faster with a one-sided p < 0.05."""
    other, default = solved
    return other > default or (other == default and p_faster < 0.05)


def num_gamma_t_verdict(seed: int) -> str:
    """One sentence: what the measurements say about γ^t, and a check that the default is not beaten."""
    maze = {g: maze_summary(r) for g, r in maze_runs(seed).items()}
    maze_eps = {g: m["episodes"] for g, m in maze.items()}
    data = cartpole()
    bootstrap = ReinforceConfig.bootstrap_truncated
    pole = {g: cartpole_variant(data, g, bootstrap) for g in (False, True)}
    pole_eps = {g: episodes(v["runs"], "episodes_to_solve") for g, v in pole.items()}
    default, other = ReinforceConfig.weight_by_gamma_t, not ReinforceConfig.weight_by_gamma_t
    checks = (
        ("the maze", (maze[other]["reached"], maze[default]["reached"]), rank_test(maze_eps[other], maze_eps[default])),
        (
            "CartPole",
            (pole[other]["seeds_solved"], pole[default]["seeds_solved"]),
            rank_test(pole_eps[other], pole_eps[default]),
        ),
    )
    for where, solved, p in checks:
        if clearly_better(solved, p):
            raise AssertionError(
                f"on {where}, weight_by_gamma_t={other} did clearly better than the default {default} "
                f"(solved {solved[0]} vs {solved[1]}, one-sided p = {p:.3f}); change the default or the page"
            )
    p_maze = rank_test(maze_eps[False], maze_eps[True])
    p_pole = rank_test(pole_eps[False], pole_eps[True])
    return (
        f"without γ^t the maze policies reached the threshold in a median of {maze[False]['median_episodes']:g} "
        f"episodes against {maze[True]['median_episodes']:g} with it (one-sided rank test over the seeds: "
        f"p = {p_maze:.3f}), and CartPole was solved in {pole[False]['seeds_solved']} of {pole[False]['seeds']} "
        f"seeds (median {_median(pole[False])}) against {pole[True]['seeds_solved']} of {pole[True]['seeds']} "
        f"(median {_median(pole[True])}; p = {p_pole:.2f})"
    )


def _median(variant: dict) -> str:
    m = variant["median_episodes_to_solve"]
    return "never" if m is None else f"{m:g} episodes"


def num_time_limit_verdict(seed: int) -> str:
    """The bootstrap's effect on CartPole at the default weight, and a check that the default is not beaten."""
    data = cartpole()
    gamma_t = ReinforceConfig.weight_by_gamma_t
    runs = {b: cartpole_variant(data, gamma_t, b) for b in (True, False)}
    eps = {b: episodes(v["runs"], "episodes_to_solve") for b, v in runs.items()}
    default, other = ReinforceConfig.bootstrap_truncated, not ReinforceConfig.bootstrap_truncated
    p_other = rank_test(eps[other], eps[default])
    if clearly_better((runs[other]["seeds_solved"], runs[default]["seeds_solved"]), p_other):
        raise AssertionError(
            f"on CartPole, bootstrap_truncated={other} did clearly better than the default {default} "
            f"(one-sided p = {p_other:.3f}); change the default or the page"
        )
    p = rank_test(eps[False], eps[True])  # that treating the cut as the end is faster
    return (
        f"bootstrapping solved {runs[True]['seeds_solved']} of {runs[True]['seeds']} seeds (median "
        f"{_median(runs[True])}), treating the limit as the end {runs[False]['seeds_solved']} of "
        f"{runs[False]['seeds']} (median {_median(runs[False])}); a one-sided rank test that the second is "
        f"faster gives p = {p:.2f}"
    )
