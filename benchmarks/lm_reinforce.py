"""Benchmark: does REINFORCE lift the tiny LM's reward to >= 90% of the maximum within 2 minutes?

For each seed, in its own process with one torch thread: pretrain ``LMConfig(seed=seed)``, then
train ``RLConfig(seed=seed)`` (snippets/lm_rl.py's defaults). Per seed it reports the model's
size, the pretraining and REINFORCE wall times, the mean reward of 250 sampled responses per prompt
(temperature 1, one fixed sampling seed) before and after, the first update whose own responses
averaged >= 90% of the maximum reward, and the number of distinct
responses to "the cat" among 250 samples before and after.

    python -m benchmarks.lm_reinforce                   # seeds 0..4, two processes at a time
    python -m benchmarks.lm_reinforce --seeds 0 1
    python -m benchmarks.lm_reinforce --baseline none   # plain REINFORCE, for comparison

Results: benchmarks/results/lm_reinforce.json (or ..._none.json without the baseline).
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
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # also runnable as `python benchmarks/lm_reinforce.py`
    sys.path.insert(0, str(ROOT))

from rl4rlhf.lm_model import LMConfig  # noqa: E402
from rl4rlhf.lm_rl import MAX_REWARD, RLConfig  # noqa: E402

from benchmarks._meta import meta  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
SAMPLES = 250  # responses per prompt when measuring the mean reward
EVAL_SEED = 12345
GOAL = 0.9 * MAX_REWARD
BUDGET_S = 120.0


def run_seed(seed: int, baseline: str = "mean") -> dict:
    """Pretrain and improve one seed in this process; return its numbers."""
    import torch
    from rl4rlhf.lm_model import encode_prompt, generate, pretrain, response_texts
    from rl4rlhf.lm_rl import mean_reward, train

    torch.set_num_threads(1)  # one core per run: steadier timings, no oversubscription
    lm_cfg, rl_cfg = LMConfig(seed=seed), RLConfig(seed=seed, baseline=baseline)
    started = time.perf_counter()
    model, vocab = pretrain(lm_cfg)
    pretrain_s = time.perf_counter() - started
    result = train(model, vocab, rl_cfg)
    first = next((i + 1 for i, r in enumerate(result.mean_rewards) if r >= GOAL), None)

    def distinct(m) -> int:
        generator = torch.Generator().manual_seed(EVAL_SEED)
        responses = generate(m, encode_prompt(vocab, "the cat"), SAMPLES, rl_cfg.max_new_tokens, 1.0, generator)
        return len(set(response_texts(vocab, responses)))

    before, after = (
        mean_reward(m, vocab, rl_cfg.prompts, SAMPLES, rl_cfg.max_new_tokens, EVAL_SEED) for m in (model, result.model)
    )
    return {
        "seed": seed,
        "parameters": sum(p.numel() for p in model.parameters()),
        "vocab": len(vocab),
        "pretrain_s": round(pretrain_s, 2),
        "rl_s": round(result.wall_s, 2),
        "reward_before": round(before, 4),
        "reward_after": round(after, 4),
        "first_update_at_goal": first,
        "distinct_before": distinct(model),
        "distinct_after": distinct(result.model),
    }


def table(runs: list[dict]) -> str:
    lines = [
        "| seed | reward before | after | first update ≥ 0.9 | pretrain s | REINFORCE s | distinct before → after |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in runs:
        first = r["first_update_at_goal"] if r["first_update_at_goal"] is not None else "-"
        lines.append(
            f"| {r['seed']} | {r['reward_before']:.3f} | {r['reward_after']:.3f} | {first} | {r['pretrain_s']:.1f} "
            f"| {r['rl_s']:.1f} | {r['distinct_before']} → {r['distinct_after']} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=list(range(5)))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--baseline", choices=("mean", "none"), default="mean")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    out = args.out or RESULTS / ("lm_reinforce.json" if args.baseline == "mean" else "lm_reinforce_none.json")

    started = time.perf_counter()
    context = multiprocessing.get_context("spawn")  # a fresh interpreter per worker
    with ProcessPoolExecutor(args.workers, mp_context=context) as pool:
        runs = list(pool.map(partial(run_seed, baseline=args.baseline), args.seeds))
    wall = time.perf_counter() - started

    reached = [r for r in runs if r["reward_after"] >= GOAL and r["pretrain_s"] + r["rl_s"] <= BUDGET_S]
    print(table(runs))
    print(
        f"\n{len(reached)}/{len(runs)} seeds reached a mean reward >= {GOAL:g} within {BUDGET_S:.0f} s "
        f"(pretraining included); median after {statistics.median(r['reward_after'] for r in runs):.3f}, "
        f"median before {statistics.median(r['reward_before'] for r in runs):.3f}; "
        f"{wall:.0f} s wall with {args.workers} workers"
    )
    rl_config = dataclasses.asdict(RLConfig(baseline=args.baseline))
    lm_config = dataclasses.asdict(LMConfig())
    del rl_config["seed"], lm_config["seed"]  # one per run, below
    result = {
        "benchmark": "lm_reinforce",
        **meta(),
        "lm_config": lm_config,
        "rl_config": rl_config,
        "goal": GOAL,
        "budget_s": BUDGET_S,
        "seeds_reached": len(reached),
        "seeds": len(runs),
        "wall_s": round(wall, 1),
        "workers": args.workers,
        "runs": runs,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    return result


if __name__ == "__main__":
    main()
