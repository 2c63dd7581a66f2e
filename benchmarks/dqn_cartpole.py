"""Benchmark: does snippets/dqn.py solve CartPole-v1 with its default settings?

Trains ``DQNConfig()`` (the CartPole settings, 50,000 env steps) for seeds 1..5,
two processes at a time with one torch thread each, and prints one row per seed:

* steps to success: the first greedy evaluation (20 episodes, one per separately seeded env) whose
  mean return is >= 475, or "-" if none was;
* the best and the final evaluation mean, env steps, wall time.

and "k/5 seeds reached >= 475 within 50,000 steps".  The results also go to
benchmarks/results/dqn_cartpole.json.  The settings were chosen on seeds 1..5; ``--unseen`` runs
seeds 6..15, which no choice looked at, into dqn_cartpole_unseen.json.  ``--hidden-sizes`` tries
other widths of the Q-network (the results then go to a file named after them, such as
dqn_cartpole_128x128.json: the Benchmarks page compares the widths from these files).

    python -m benchmarks.dqn_cartpole              # from the repo root
    python -m benchmarks.dqn_cartpole --unseen     # seeds 6..15
    python -m benchmarks.dqn_cartpole --seeds 1 2  # a subset
    python -m benchmarks.dqn_cartpole --hidden-sizes 128 128
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import multiprocessing
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # also runnable as `python benchmarks/dqn_cartpole.py`
    sys.path.insert(0, str(ROOT))

from rl4rlhf.dqn import DQNConfig, summary  # noqa: E402

from benchmarks._meta import meta  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "dqn_cartpole.json"
UNSEEN_SEEDS = list(range(6, 16))


def run_seed(cfg: DQNConfig) -> dict:
    """Train ``cfg`` in this process; return the run's summary."""
    import torch
    from rl4rlhf.dqn import train

    torch.set_num_threads(1)  # one core per run: steadier timings, no oversubscription
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
    seeds = parser.add_mutually_exclusive_group()
    seeds.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    seeds.add_argument("--unseen", action="store_true", help=f"seeds {UNSEEN_SEEDS[0]}..{UNSEEN_SEEDS[-1]}")
    parser.add_argument("--hidden-sizes", type=int, nargs="+", default=None, help="the Q-network's widths")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)

    cfg = DQNConfig()
    out = RESULTS.with_stem(RESULTS.stem + "_unseen") if args.unseen else RESULTS
    if args.hidden_sizes is not None:
        try:
            cfg = dataclasses.replace(cfg, hidden_sizes=tuple(args.hidden_sizes))
        except ValueError as err:
            parser.error(str(err))  # one line, exit status 2
    if cfg.hidden_sizes != DQNConfig().hidden_sizes:
        out = out.with_stem(out.stem + "_" + "x".join(map(str, cfg.hidden_sizes)))
    seed_list = UNSEEN_SEEDS if args.unseen else args.seeds
    started = time.perf_counter()
    context = multiprocessing.get_context("spawn")  # a fresh interpreter per worker
    with ProcessPoolExecutor(args.workers, mp_context=context) as pool:
        runs = list(pool.map(run_seed, [dataclasses.replace(cfg, seed=s) for s in seed_list]))
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
        "benchmark": "dqn_cartpole",
        **meta(),
        "config": config,
        "seeds_solved": solved,
        "seeds": len(runs),
        "wall_s": round(wall, 1),
        "workers": args.workers,
        "runs": runs,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)}")
    return result


if __name__ == "__main__":
    main()
