"""Benchmark: our REINFORCE against Stable-Baselines3's A2C on CartPole-v1, episodes to solve.

Three agents, seeds 0..9, each (agent, seed) run in its own process with one torch thread, two at
a time:

* ``ours_reinforce_baseline``: ``ReinforceConfig(seed=s)`` from snippets/reinforce.py
  (pytorch/examples' REINFORCE settings plus a learned value baseline);
* ``ours_reinforce_none``: the same with ``baseline="none"``;
* ``sb3_a2c``: SB3's A2C with rl-baselines3-zoo's CartPole-v1 hyperparameters (8 environments,
  ``MlpPolicy``, ``ent_coef`` 0.0, a budget of 5e5 env steps; everything else SB3's defaults).

All three use the same criterion, pytorch/examples': after every finished training episode the
running reward r ← 0.05 · episode return + 0.95 · r (r starts at 10) is updated, and the run is
solved at the first episode where r > 475.  A run stops when solved or after 2,000 episodes.  A2C
plays 8 environments at once: its episodes are counted in the order they finish (those finishing
on the same step in environment order), read from the Monitor wrapper's ``info["episode"]``; it
also stops when its 5e5-step budget is spent, and each run records why it stopped (``stop``:
"solved", "episode_cap" or "step_budget").

Per run: episodes to solve (null if not solved), env steps consumed until it stopped (all 8
environments' steps for A2C, episodes still running included), wall time (training only, in the
worker) and the running reward after every episode.  Per agent: k/10 solved, the median, min,
max and quartiles (linear interpolation, as numpy's default) of episodes to solve, an unsolved run
counting as more than the cap (a statistic that lands on one is reported as null, "> cap" in the
table), and the medians of env steps and wall time.  Results: benchmarks/results/reinforce_vs_a2c.json.

    python -m benchmarks.reinforce_vs_a2c                                  # from the repo root
    python -m benchmarks.reinforce_vs_a2c --agents sb3_a2c --seeds 0 --workers 1
    python -m benchmarks.reinforce_vs_a2c --max-episodes 30 --seeds 0 --out /tmp/smoke.json
"""

from __future__ import annotations

import argparse
import dataclasses
import inspect
import json
import math
import multiprocessing
import re
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # also runnable as `python benchmarks/reinforce_vs_a2c.py`
    sys.path.insert(0, str(ROOT))

from rl4rlhf.reinforce import ReinforceConfig  # noqa: E402

from benchmarks._meta import meta  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "reinforce_vs_a2c.json"
ENV_ID = "CartPole-v1"
MAX_EPISODES = 2_000
CRITERION = ReinforceConfig()  # the solve criterion all three agents share
THRESHOLD, WEIGHT, START = CRITERION.solve_threshold, CRITERION.running_weight, CRITERION.running_start

# rl-baselines3-zoo, hyperparams/a2c.yml, the CartPole-v1 entry (the whole of it).
ZOO_A2C = {"n_envs": 8, "n_timesteps": 500_000, "policy": "MlpPolicy", "ent_coef": 0.0}
ZOO_SOURCE = (
    "DLR-RM/rl-baselines3-zoo hyperparams/a2c.yml, entry CartPole-v1: n_envs 8, n_timesteps 5e5, "
    "policy 'MlpPolicy', ent_coef 0.0 (checked at commit c6c209e7d487635f0b835fb916ec4468142b28ff); "
    "every other setting is Stable-Baselines3's A2C default; environments made as the zoo does, "
    "make_vec_env (DummyVecEnv, Monitor) seeded with the run's seed, and A2C(seed=seed)"
)
OURS_SOURCE = (
    "snippets/reinforce.py ReinforceConfig: pytorch/examples' reinforce.py settings "
    "(Adam 1e-2, gamma 0.99, 128 hidden units, normalised returns, one episode per update), "
    "no gamma^t factor; with the value baseline, episodes cut by the 500-step limit bootstrap from V(s_T)"
)
NUMBER_LIST = re.compile(r"\[([-+.\deE,\s]+)\]")
AGENTS = {
    "ours_reinforce_baseline": "ours: REINFORCE + value baseline",
    "ours_reinforce_none": "ours: REINFORCE, no baseline",
    "sb3_a2c": "SB3 A2C (rl-zoo hyperparameters)",
}


def ours_config(baseline: str, max_episodes: int, seed: int = 1) -> ReinforceConfig:
    """The default config with ``baseline``; plain REINFORCE has no V(s_T) to bootstrap a time-limit
    cut from, so it treats the cut as the end (ReinforceConfig refuses the other combination)."""
    return ReinforceConfig(seed=seed, baseline=baseline, bootstrap_truncated=baseline == "value", episodes=max_episodes)


def run_ours(seed: int, baseline: str, max_episodes: int) -> dict:
    from rl4rlhf.reinforce import train

    result = train(ours_config(baseline, max_episodes, seed))
    return {
        "episodes_to_solve": result.episodes_to_solve,
        "env_steps": int(sum(result.episode_returns)),  # CartPole pays +1 per step, the last included
        "wall_s": result.wall_s,
        "stop": "solved" if result.episodes_to_solve is not None else "episode_cap",
        "episodes": len(result.episode_returns),
        "running_rewards": list(result.running_rewards),
    }


def run_a2c(seed: int, max_episodes: int) -> dict:
    from stable_baselines3 import A2C
    from stable_baselines3.common.callbacks import BaseCallback
    from stable_baselines3.common.env_util import make_vec_env

    class SolveCriterion(BaseCallback):
        """Feeds every finished episode to the running reward; stops training when solved or capped."""

        def __init__(self) -> None:
            super().__init__()
            self.running, self.solved_at, self.stop, self.r = [], None, "step_budget", START

        def _on_step(self) -> bool:
            for info in self.locals["infos"]:  # environment order within one step
                if "episode" not in info:
                    continue
                self.r = WEIGHT * float(info["episode"]["r"]) + (1 - WEIGHT) * self.r
                self.running.append(self.r)
                if self.r > THRESHOLD:
                    self.solved_at, self.stop = len(self.running), "solved"
                    return False
                if len(self.running) >= max_episodes:
                    self.stop = "episode_cap"
                    return False
            return True

    started = time.perf_counter()
    env = make_vec_env(ENV_ID, n_envs=ZOO_A2C["n_envs"], seed=seed)
    model = A2C(ZOO_A2C["policy"], env, ent_coef=ZOO_A2C["ent_coef"], seed=seed, device="cpu")
    criterion = SolveCriterion()
    model.learn(total_timesteps=ZOO_A2C["n_timesteps"], callback=criterion)
    wall = time.perf_counter() - started
    env.close()
    return {
        "episodes_to_solve": criterion.solved_at,
        "env_steps": int(model.num_timesteps),
        "wall_s": wall,
        "stop": criterion.stop,
        "episodes": len(criterion.running),
        "running_rewards": criterion.running,
    }


def run_seed(task: tuple[str, int, int]) -> dict:
    """Run one (agent, seed, max_episodes) in this process; return its record."""
    import torch

    torch.set_num_threads(1)  # one core per run: steadier timings, no oversubscription
    agent, seed, max_episodes = task
    if agent == "sb3_a2c":
        out = run_a2c(seed, max_episodes)
    else:
        out = run_ours(seed, "value" if agent == "ours_reinforce_baseline" else "none", max_episodes)
    return {
        "agent": agent,
        "seed": seed,
        "episodes_to_solve": out["episodes_to_solve"],
        "env_steps": out["env_steps"],
        "wall_s": round(out["wall_s"], 2),
        "stop": out["stop"],
        "episodes": out["episodes"],
        "running_rewards": [round(r, 1) for r in out["running_rewards"]],
    }


def quantile(values: list[float], q: float) -> float:
    """Linear interpolation between order statistics (numpy's default); inf stays inf."""
    xs = sorted(values)
    pos = q * (len(xs) - 1)
    lo, hi = math.floor(pos), math.ceil(pos)
    if xs[hi] == math.inf:  # the upper neighbour is "more than the cap", so is the quantile
        return math.inf
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def finite(x: float) -> float | None:
    return None if x == math.inf else round(x, 1)


def summarise(runs: list[dict]) -> dict:
    """k/n solved and the spread of episodes to solve, an unsolved run counting as more than the cap."""
    episodes = [r["episodes_to_solve"] if r["episodes_to_solve"] is not None else math.inf for r in runs]
    solved = sum(e != math.inf for e in episodes)
    return {
        "solved": f"{solved}/{len(runs)}",
        "median_episodes_to_solve": finite(quantile(episodes, 0.5)),
        "min": finite(min(episodes)),
        "max": finite(max(episodes)),
        "q1": finite(quantile(episodes, 0.25)),
        "q3": finite(quantile(episodes, 0.75)),
        "median_env_steps": statistics.median(r["env_steps"] for r in runs),
        "median_wall_s": round(statistics.median(r["wall_s"] for r in runs), 2),
    }


def hyperparameters(agent: str, max_episodes: int) -> dict:
    if agent != "sb3_a2c":
        config = dataclasses.asdict(ours_config("value" if agent.endswith("baseline") else "none", max_episodes))
        del config["seed"]  # one per run
        return config
    from stable_baselines3 import A2C

    skip = {"policy", "env", "seed", "verbose", "device", "tensorboard_log", "_init_setup_model"}
    defaults = {
        name: p.default
        for name, p in inspect.signature(A2C.__init__).parameters.items()
        if name not in skip | set(ZOO_A2C) and name != "self" and p.default is not inspect.Parameter.empty
    }
    defaults["policy_net"] = "MlpPolicy default: pi [64, 64], vf [64, 64], Tanh, orthogonal init"
    return {"zoo": dict(ZOO_A2C), "sb3_defaults": defaults}


def table(summary: dict, cap: int) -> str:
    def cell(x):
        return f"> {cap:,}" if x is None else f"{x:g}"

    lines = [
        "| agent | solved | median episodes | min | q1 | q3 | max | median env steps | median wall s |",
        "|:---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for agent, s in summary.items():
        lines.append(
            f"| {AGENTS[agent]} | {s['solved']} | {cell(s['median_episodes_to_solve'])} | {cell(s['min'])} "
            f"| {cell(s['q1'])} | {cell(s['q3'])} | {cell(s['max'])} | {s['median_env_steps']:,} "
            f"| {s['median_wall_s']:.1f} |"
        )
    return "\n".join(lines)


def runs_table(runs: list[dict]) -> str:
    lines = [
        "| agent | seed | episodes to solve | stop | episodes | env steps | final running reward | wall s |",
        "|:---|---:|---:|:---|---:|---:|---:|---:|",
    ]
    for r in runs:
        solved = r["episodes_to_solve"] if r["episodes_to_solve"] is not None else "-"
        last = r["running_rewards"][-1] if r["running_rewards"] else START
        lines.append(
            f"| {r['agent']} | {r['seed']} | {solved} | {r['stop']} | {r['episodes']} | {r['env_steps']:,} "
            f"| {last:.1f} | {r['wall_s']:.1f} |"
        )
    return "\n".join(lines)


def compact_number_lists(text: str) -> str:
    """Put each list of plain numbers on one line (indent=2 gives every number its own)."""
    return NUMBER_LIST.sub(lambda m: "[" + ", ".join(x.strip() for x in m[1].split(",")) + "]", text)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", nargs="+", choices=list(AGENTS), default=list(AGENTS))
    parser.add_argument("--seeds", type=int, nargs="+", default=list(range(10)))
    parser.add_argument("--max-episodes", type=int, default=MAX_EPISODES)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    tasks = [(agent, seed, args.max_episodes) for agent in args.agents for seed in args.seeds]
    started = time.perf_counter()
    context = multiprocessing.get_context("spawn")  # a fresh interpreter per worker
    with ProcessPoolExecutor(args.workers, mp_context=context, max_tasks_per_child=1) as pool:
        runs = list(pool.map(run_seed, tasks))  # max_tasks_per_child=1: each run in its own process
    wall = time.perf_counter() - started

    agents, summary = {}, {}
    for agent in args.agents:
        mine = [{k: v for k, v in r.items() if k != "agent"} for r in runs if r["agent"] == agent]
        agents[agent] = {
            "label": AGENTS[agent],
            "hyperparameters": hyperparameters(agent, args.max_episodes),
            "source": ZOO_SOURCE if agent == "sb3_a2c" else OURS_SOURCE,
            "runs": mine,
        }
        summary[agent] = summarise(mine)
    print(runs_table(runs))
    print()
    print(table(summary, args.max_episodes))
    print(
        f"\nsolved: running reward > {THRESHOLD:g} within {args.max_episodes:,} episodes; "
        f"{wall:.0f} s wall with {args.workers} workers"
    )
    result = {
        "benchmark": "reinforce_vs_a2c",
        **meta(),
        "env_id": ENV_ID,
        "seeds": args.seeds,
        "max_episodes": args.max_episodes,
        "threshold": THRESHOLD,
        "running_weight": WEIGHT,
        "running_start": START,
        "workers": args.workers,
        "wall_s": round(wall, 1),
        "agents": agents,
        "summary": summary,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(compact_number_lists(json.dumps(result, indent=2)) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return result


if __name__ == "__main__":
    main()
