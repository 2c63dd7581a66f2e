"""Benchmark: tabular Q-learning and value iteration on the post's maze and on FrozenLake 4x4.

(a) Q-learning, snippets/qtable.py's ``q_learning`` with the settings the site uses
(``QLearningConfig()``: α = 0.5, γ = 0.99, ε = 0.1), for seeds 0..9 and at most 1,000 episodes:
the first episode after which the greedy policy is optimal (``episodes_to_optimal``: its return
from the start equals V*(start) from value iteration), on the maze (``rl4rlhf.gridworld.MAZE``)
and on Gymnasium's FrozenLake-v1 4x4 with ``is_slippery=False`` (its 100-step time limit kept).
Per environment: every seed, the median, min and max (a seed that never got there counts as more
than the cap: a statistic that lands on one is null, "> cap" in the table) and how many seeds
reached the optimal policy within the cap.  Seeds run two processes at a time.

(b) Value iteration, ``rl4rlhf.bellman.value_iteration`` at the site's settings (γ = 0.99, the
default tolerance 1e-10): the sweeps it takes to converge on each environment, and the wall time
of one solve (building the model arrays included), the median of 50 repeats with
``time.perf_counter``, after one untimed warm-up.  Results: benchmarks/results/tabular.json.

    python -m benchmarks.tabular                  # from the repo root; well under a minute
    python -m benchmarks.tabular --seeds 0 1 --cap 200 --repeats 5 --out /tmp/tabular.json
"""

from __future__ import annotations

import argparse
import dataclasses
import inspect
import json
import multiprocessing
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # also runnable as `python benchmarks/tabular.py`
    sys.path.insert(0, str(ROOT))

from rl4rlhf.bellman import value_iteration  # noqa: E402
from rl4rlhf.qtable import QLearningConfig  # noqa: E402

from benchmarks._meta import meta  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "tabular.json"
CONFIG = QLearningConfig()  # the settings the site states (figures/value_learning.py uses them)
TOL = inspect.signature(value_iteration).parameters["tol"].default  # the site never passes one
ENVS = {
    "maze": "rl4rlhf.gridworld MAZE (GridWorld defaults: step -0.01, wall -1, goal +1, 100 steps)",
    "frozenlake": "gymnasium FrozenLake-v1, map 4x4, is_slippery=False, TimeLimit 100 steps",
}


def make_env(name: str):
    import gymnasium as gym
    from rl4rlhf.gridworld import MAZE, GridWorld

    return GridWorld(MAZE) if name == "maze" else gym.make("FrozenLake-v1", map_name="4x4", is_slippery=False)


def run_seed(task: tuple[str, int, int]) -> dict:
    """Q-learning on one (env, seed) for ``cap`` episodes; the first episode its greedy policy is optimal."""
    from rl4rlhf.qtable import episodes_to_optimal, q_learning

    name, seed, cap = task
    env = make_env(name)
    settings = dataclasses.replace(CONFIG, episodes=cap, seed=seed)
    run = q_learning(env, **dataclasses.asdict(settings), snapshots=range(1, cap + 1))
    first = episodes_to_optimal(env, run, CONFIG.gamma)
    env.close()
    return {"env": name, "seed": seed, "episodes_to_optimal": first}


def time_value_iteration(name: str, repeats: int) -> dict:
    env = make_env(name)
    result = value_iteration(env, CONFIG.gamma)  # the warm-up, and the sweeps
    start, _ = env.reset(seed=0)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        value_iteration(env, CONFIG.gamma)
        times.append(time.perf_counter() - started)
    env.close()
    return {
        "gamma": CONFIG.gamma,
        "tol": TOL,
        "sweeps": result.sweeps,
        "v_start": round(float(result.v[start]), 6),
        "ms_median": round(1000 * statistics.median(times), 3),
        "repeats": repeats,
    }


def summarise(name: str, runs: list[dict], cap: int) -> dict:
    firsts = [r["episodes_to_optimal"] for r in runs]
    ordered = sorted(f if f is not None else float("inf") for f in firsts)  # unsolved: more than the cap

    def finite(x: float):
        return None if x == float("inf") else x

    return {
        "config": {
            "env": ENVS[name],
            **{k: v for k, v in dataclasses.asdict(CONFIG).items() if k not in ("episodes", "seed")},
        },
        "cap": cap,
        "runs": [{"seed": r["seed"], "episodes_to_optimal": r["episodes_to_optimal"]} for r in runs],
        "median": finite(statistics.median(ordered)),
        "min": finite(ordered[0]),
        "max": finite(ordered[-1]),
        "reached": f"{sum(f is not None for f in firsts)}/{len(firsts)}",
    }


def q_table(q: dict, seeds: list[int], cap: int) -> str:
    def cell(x):
        return f"> {cap:,}" if x is None else f"{x:g}"

    names = list(q)
    lines = ["| seed | " + " | ".join(names) + " |", "|---:|" + "---:|" * len(names)]
    for i, seed in enumerate(seeds):
        lines.append(f"| {seed} | " + " | ".join(cell(q[n]["runs"][i]["episodes_to_optimal"]) for n in names) + " |")
    for stat in ("median", "min", "max"):
        lines.append(f"| **{stat}** | " + " | ".join(cell(q[n][stat]) for n in names) + " |")
    lines.append("| **reached** | " + " | ".join(q[n]["reached"] for n in names) + " |")
    return "\n".join(lines)


def vi_table(vi: dict) -> str:
    lines = [
        "| env | γ | tol | sweeps | V*(start) | ms per solve (median) | repeats |",
        "|:---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, v in vi.items():
        lines.append(
            f"| {name} | {v['gamma']:g} | {v['tol']:g} | {v['sweeps']} | {v['v_start']:.4f} "
            f"| {v['ms_median']:.3f} | {v['repeats']} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=list(range(10)))
    parser.add_argument("--cap", type=int, default=1_000, help="the most Q-learning episodes per seed")
    parser.add_argument("--repeats", type=int, default=50, help="timed value-iteration solves per env")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    tasks = [(name, seed, args.cap) for name in ENVS for seed in args.seeds]
    started = time.perf_counter()
    context = multiprocessing.get_context("spawn")  # a fresh interpreter per worker
    with ProcessPoolExecutor(args.workers, mp_context=context) as pool:
        runs = list(pool.map(run_seed, tasks))
    q_wall = time.perf_counter() - started
    q = {name: summarise(name, [r for r in runs if r["env"] == name], args.cap) for name in ENVS}
    vi = {name: time_value_iteration(name, args.repeats) for name in ENVS}  # after the pool: a quiet machine

    print(f"Q-learning (α = {CONFIG.alpha}, γ = {CONFIG.gamma}, ε = {CONFIG.epsilon}): episodes until the greedy")
    print(f"policy is optimal, at most {args.cap:,} ({q_wall:.0f} s wall with {args.workers} workers)\n")
    print(q_table(q, args.seeds, args.cap))
    print("\nValue iteration\n")
    print(vi_table(vi))
    result = {"benchmark": "tabular", **meta(), "q_learning": q, "value_iteration": vi}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return result


if __name__ == "__main__":
    main()
