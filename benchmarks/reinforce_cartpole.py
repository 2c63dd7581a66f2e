"""Benchmark: does snippets/reinforce.py solve CartPole-v1 with its default settings?

Trains ``ReinforceConfig()`` (the CartPole settings: pytorch/examples' REINFORCE plus a
learned value baseline, at most 2,000 episodes) for seeds 0..9, two processes at a time with
one torch thread each, and prints one row per seed:

* episodes to solve: pytorch/examples' criterion, the first episode after which the running
  reward r ← 0.05 · episode return + 0.95 · r (r starts at 10) exceeds 475, or "-" if none did;
* the final running reward, episodes played, wall time.

then "k/10 seeds solved, median N episodes".  The results also go to
benchmarks/results/reinforce_cartpole.json.

    python -m benchmarks.reinforce_cartpole                 # from the repo root
    python -m benchmarks.reinforce_cartpole --seeds 0 1     # a subset
    python -m benchmarks.reinforce_cartpole --baseline none # plain REINFORCE, for comparison
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import multiprocessing
import platform
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # also runnable as `python benchmarks/reinforce_cartpole.py`
    sys.path.insert(0, str(ROOT))

from snippets.reinforce import ReinforceConfig, summary  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "reinforce_cartpole.json"


def run_seed(seed: int, baseline: str = "value") -> dict:
    """Train the CartPole config with ``seed`` in this process; return the run's summary."""
    import torch

    from snippets.reinforce import train

    torch.set_num_threads(1)  # one core per run: steadier timings, no oversubscription
    cfg = ReinforceConfig(seed=seed, baseline=baseline)
    return summary(cfg, train(cfg))


def table(runs: list[dict]) -> str:
    lines = [
        "| seed | episodes to solve | final running reward | episodes | wall s |",
        "|---:|---:|---:|---:|---:|",
    ]
    for r in runs:
        solved = r["episodes_to_solve"] if r["episodes_to_solve"] is not None else "-"
        lines.append(
            f"| {r['seed']} | {solved} | {r['final_running_reward']:.1f} | {r['episodes']} | {r['wall_s']:.1f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=list(range(10)))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--baseline", choices=("value", "none"), default="value")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    cfg = ReinforceConfig(baseline=args.baseline)
    started = time.perf_counter()
    context = multiprocessing.get_context("spawn")  # a fresh interpreter per worker
    with ProcessPoolExecutor(args.workers, mp_context=context) as pool:
        runs = list(pool.map(partial(run_seed, baseline=args.baseline), args.seeds))
    wall = time.perf_counter() - started

    solved = [r["episodes_to_solve"] for r in runs if r["episodes_to_solve"] is not None]
    # A seed that never solved counts as "more than the cap" in the median.
    median = statistics.median([r["episodes_to_solve"] or float("inf") for r in runs])
    print(table(runs))
    print(
        f"\n{len(solved)}/{len(runs)} seeds solved (running reward > {cfg.solve_threshold:g}) within "
        f"{cfg.episodes:,} episodes; median {median} episodes to solve; "
        f"{wall:.0f} s wall with {args.workers} workers"
    )
    config = dataclasses.asdict(cfg)
    del config["seed"]  # one per run, below
    result = {
        "config": config,
        "seeds_solved": len(solved),
        "seeds": len(runs),
        "median_episodes_to_solve": median if median != float("inf") else None,
        "wall_s": round(wall, 1),
        "workers": args.workers,
        "machine": f"{platform.machine()} {platform.processor()}".strip(),
        "runs": runs,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return result


if __name__ == "__main__":
    main()
