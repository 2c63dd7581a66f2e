"""Benchmark: does snippets/dqn.py solve CartPole-v1 with its default settings?

Trains ``DQNConfig()`` (the CartPole settings, 50,000 env steps) for seeds 1..5,
two processes at a time with one torch thread each, and prints one row per seed:

* steps to success: the first greedy evaluation (20 episodes, one per separately seeded env) whose
  mean return is >= 475, or "-" if none was;
* the best and the final evaluation mean, env steps, wall time.

and "k/5 seeds reached >= 475 within 50,000 steps".  The results also go to
benchmarks/results/dqn_cartpole.json.

    python -m benchmarks.dqn_cartpole              # from the repo root
    python -m benchmarks.dqn_cartpole --seeds 1 2  # a subset
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import multiprocessing
import platform
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # also runnable as `python benchmarks/dqn_cartpole.py`
    sys.path.insert(0, str(ROOT))

from rl4rlhf.dqn import DQNConfig, summary  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "dqn_cartpole.json"


def run_seed(seed: int) -> dict:
    """Train the CartPole config with ``seed`` in this process; return the run's summary."""
    import torch
    from rl4rlhf.dqn import train

    torch.set_num_threads(1)  # one core per run: steadier timings, no oversubscription
    cfg = DQNConfig(seed=seed)
    return summary(cfg, train(cfg))


def table(runs: list[dict], cfg: DQNConfig) -> str:
    lines = [
        "| seed | steps to success | best eval | final eval | env steps | wall s |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for r in runs:
        reached = f"{r['steps_to_solve']:,}" if r["steps_to_solve"] is not None else "-"
        lines.append(
            f"| {r['seed']} | {reached} | {r['best_eval_mean_return']:.1f} | {r['eval_mean_return']:.1f} "
            f"| {r['env_steps']:,} | {r['wall_s']:.1f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)

    cfg = DQNConfig()
    started = time.perf_counter()
    context = multiprocessing.get_context("spawn")  # a fresh interpreter per worker
    with ProcessPoolExecutor(args.workers, mp_context=context) as pool:
        runs = list(pool.map(run_seed, args.seeds))
    wall = time.perf_counter() - started

    solved = sum(r["steps_to_solve"] is not None for r in runs)
    print(table(runs, cfg))
    print(
        f"\n{solved}/{len(runs)} seeds reached >= {cfg.solve_threshold:g} "
        f"(greedy mean over {cfg.eval_episodes} episodes) within {cfg.total_steps:,} steps; "
        f"{wall:.0f} s wall with {args.workers} workers"
    )
    config = dataclasses.asdict(cfg)
    del config["seed"]  # one per run, below
    result = {
        "config": config,
        "seeds_solved": solved,
        "seeds": len(runs),
        "wall_s": round(wall, 1),
        "workers": args.workers,
        "machine": f"{platform.machine()} {platform.processor()}".strip(),
        "runs": runs,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    return result


if __name__ == "__main__":
    main()
