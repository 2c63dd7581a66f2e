"""Benchmark: does snippets/reinforce.py solve CartPole-v1, and what do γ^t and the time limit change?

Trains ``ReinforceConfig()`` (the CartPole settings: pytorch/examples' REINFORCE plus a learned
value baseline, at most 2,000 episodes) for seeds 0..9, in four variants that differ in two
settings only:

* ``weight_by_gamma_t``: multiply step t's weight by γ^t, as the exact gradient of E[G_0] does
  (Sutton & Barto §13.3), or drop the factor, as pytorch/examples, Spinning Up and SB3 do;
* ``bootstrap_truncated``: when the 500-step time limit cuts an episode, add γ^(T-t) V(s_T) to
  G_t for the rewards it cut off, or treat the cut as the episode's end.

Two processes at a time, one torch thread each.  Per variant and seed: the episodes to solve
(pytorch/examples' criterion: the first episode after which the running reward
r ← 0.05 · episode return + 0.95 · r, r starting at 10, exceeds 475; "-" if none did), the final
running reward, episodes played and wall time; then per variant "k/10 seeds solved" and the median
episodes to solve (an unsolved seed counts as more than the cap).  The policy-gradient page shows
the comparison, drawn from benchmarks/results/reinforce_cartpole.json at build time.

    python -m benchmarks.reinforce_cartpole                      # every variant, seeds 0..9
    python -m benchmarks.reinforce_cartpole --variants default --seeds 0 1
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import multiprocessing
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # also runnable as `python benchmarks/reinforce_cartpole.py`
    sys.path.insert(0, str(ROOT))

from rl4rlhf.reinforce import ReinforceConfig, summary  # noqa: E402

from benchmarks._meta import meta  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "reinforce_cartpole.json"

# name -> the settings that differ from ReinforceConfig(); "default" is the config as it is.
VARIANTS: dict[str, dict] = {
    "default": {},
    "gamma_t": {"weight_by_gamma_t": True},
    "no_bootstrap": {"bootstrap_truncated": False},
    "gamma_t_no_bootstrap": {"weight_by_gamma_t": True, "bootstrap_truncated": False},
}


def config(variant: str, seed: int) -> ReinforceConfig:
    """The default CartPole config with the variant's two settings (weight_by_gamma_t,
    bootstrap_truncated) set explicitly, so a result names them whatever the defaults become."""
    base = ReinforceConfig(seed=seed)
    settings = {
        "weight_by_gamma_t": base.weight_by_gamma_t,
        "bootstrap_truncated": base.bootstrap_truncated,
    }
    return dataclasses.replace(base, **(settings | VARIANTS[variant]))


def run(job: tuple[str, int]) -> dict:
    """Train one (variant, seed) in this process; return the run's summary."""
    import torch
    from rl4rlhf.reinforce import train

    torch.set_num_threads(1)  # one core per run: steadier timings, no oversubscription
    variant, seed = job
    cfg = config(variant, seed)
    result = train(cfg)
    env_steps = int(sum(result.episode_returns))  # CartPole pays +1 per step: returns are lengths
    return {"variant": variant, **summary(cfg, result), "env_steps": env_steps}


def summarise(runs: list[dict]) -> dict:
    solved = [r["episodes_to_solve"] for r in runs if r["episodes_to_solve"] is not None]
    # A seed that never solved counts as "more than the cap" in the median.
    median = statistics.median([r["episodes_to_solve"] or float("inf") for r in runs])
    return {
        "seeds_solved": len(solved),
        "seeds": len(runs),
        "median_episodes_to_solve": median if median != float("inf") else None,
    }


def table(runs: list[dict]) -> str:
    lines = [
        "| variant | seed | episodes to solve | final running reward | episodes | wall s |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in runs:
        solved = r["episodes_to_solve"] if r["episodes_to_solve"] is not None else "-"
        lines.append(
            f"| {r['variant']} | {r['seed']} | {solved} | {r['final_running_reward']:.1f} "
            f"| {r['episodes']} | {r['wall_s']:.1f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=list(range(10)))
    parser.add_argument("--variants", nargs="+", choices=sorted(VARIANTS), default=list(VARIANTS))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    jobs = [(variant, seed) for variant in args.variants for seed in args.seeds]
    started = time.perf_counter()
    context = multiprocessing.get_context("spawn")  # a fresh interpreter per worker
    with ProcessPoolExecutor(args.workers, mp_context=context) as pool:
        runs = list(pool.map(run, jobs))
    wall = time.perf_counter() - started

    print(table(runs))
    variants = {}
    for variant in args.variants:
        mine = [r for r in runs if r["variant"] == variant]
        cfg = dataclasses.asdict(config(variant, 0))
        del cfg["seed"]  # one per run, below
        variants[variant] = {"config": cfg, **summarise(mine), "runs": mine}
        s = variants[variant]
        print(
            f"{variant}: {s['seeds_solved']}/{s['seeds']} seeds solved (running reward > "
            f"{cfg['solve_threshold']:g}) within {cfg['episodes']:,} episodes; "
            f"median {s['median_episodes_to_solve']} episodes to solve"
        )
    print(f"{wall:.0f} s wall with {args.workers} workers")
    result = {
        "benchmark": "reinforce_cartpole",
        **meta(),
        "seeds": args.seeds,
        "wall_s": round(wall, 1),
        "workers": args.workers,
        "variants": variants,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return result


if __name__ == "__main__":
    main()
