"""Benchmark: our DQN vs Stable-Baselines3's DQN and PPO on CartPole-v1, same budget, same protocol.

Three agents, each trained for 50,000 env steps on seeds 1..5:

* ``ours_dqn``: snippets/dqn.py with ``DQNConfig(seed=seed)`` (its defaults are the CartPole settings);
* ``sb3_dqn``: SB3 DQN with rl-baselines3-zoo's CartPole-v1 hyperparameters (hyperparams/dqn.yml);
* ``sb3_ppo``: SB3 PPO with its defaults (MlpPolicy).

All three are evaluated the way snippets/dqn.py evaluates: every 5,000 env steps (and at the last
step), 20 greedy episodes (SB3: ``predict(deterministic=True)``), one in each of 20 evaluation envs
made and seeded like ours (``reset(seed=seed + 10_000 + i)`` once before training, then unseeded
resets, so each evaluation continues each env's random stream), run side by side.  Success is the
first evaluation whose mean return is >= 475.  The SB3 agents stop at exactly the step budget,
like ours (a callback ends ``learn`` there), so PPO, whose rollouts are 2,048 steps, is not given
a 25th rollout of extra steps.

Every (agent, seed) run has its own spawned process with one torch thread, two processes at a time.
``train_wall_s`` is the run's wall time (building the agent and its envs, then training) minus the
time spent in the evaluations, measured the same way for all three; for ours the evaluations are
timed by wrapping ``snippets.dqn.evaluate`` in the worker, without changing snippets/dqn.py.

Prints a table per agent and a summary; the results go to benchmarks/results/cartpole_vs_sb3.json.
The median steps to success counts a seed that never succeeded as "more than the budget" (null if
that is the median).

    python -m benchmarks.cartpole_vs_sb3                             # from the repo root
    python -m benchmarks.cartpole_vs_sb3 --agents ours_dqn sb3_dqn   # a subset of the agents
    python -m benchmarks.cartpole_vs_sb3 --steps 5000 --seeds 1 --out /tmp/cvs.json  # a smoke run
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
if str(ROOT) not in sys.path:  # also runnable as `python benchmarks/cartpole_vs_sb3.py`
    sys.path.insert(0, str(ROOT))

from benchmarks._meta import meta  # noqa: E402
from snippets.dqn import EVAL_SEED_OFFSET, DQNConfig  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "cartpole_vs_sb3.json"
ENV_ID = "CartPole-v1"
PROTOCOL = DQNConfig()  # the evaluation protocol every agent is held to: ours

# rl-baselines3-zoo, hyperparams/dqn.yml, "CartPole-v1" (marked "Almost Tuned"), without n_timesteps
# (5e4, the budget here too) and policy ('MlpPolicy').
ZOO_DQN = {
    "learning_rate": 2.3e-3,
    "batch_size": 64,
    "buffer_size": 100_000,
    "learning_starts": 1_000,
    "gamma": 0.99,
    "target_update_interval": 10,
    "train_freq": 256,
    "gradient_steps": 128,
    "exploration_fraction": 0.16,
    "exploration_final_eps": 0.04,
    "policy_kwargs": {"net_arch": [256, 256]},
}
ZOO_SOURCE = (
    "rl-baselines3-zoo hyperparams/dqn.yml, CartPole-v1 ('Almost Tuned'; n_timesteps 5e4), "
    "https://github.com/DLR-RM/rl-baselines3-zoo/blob/ce95481b041fe5314c1b2f1a53940d169b9253fc/hyperparams/dqn.yml; "
    "the rest SB3 DQN defaults (Huber loss, max_grad_norm 10, tau 1.0, exploration_initial_eps 1.0)"
)
LABELS = {
    "ours_dqn": "ours: snippets/dqn.py",
    "sb3_dqn": "SB3 DQN (rl-zoo hyperparameters)",
    "sb3_ppo": "SB3 PPO (defaults)",
}
WALL_CLOCK_NOTE = (
    "train_wall_s is each run's wall time (building the agent and its envs, then training) minus the time "
    "spent in the greedy evaluations, measured the same way for all three agents: one process and one torch "
    "thread per run, two runs at a time, CPU. For ours the evaluations are timed by wrapping "
    "snippets.dqn.evaluate; for SB3 inside the evaluation callback."
)


def evaluate_sb3(model, envs) -> float:
    """snippets.dqn.evaluate for an SB3 model: one greedy episode per env, side by side."""
    import numpy as np

    obs = np.stack([env.reset()[0] for env in envs])  # seeded once, before training, like ours
    returns, running = np.zeros(len(envs)), np.ones(len(envs), dtype=bool)
    while running.any():
        live = np.flatnonzero(running)
        actions, _ = model.predict(obs[live], deterministic=True)  # (L,)
        for i, action in zip(live, actions.tolist(), strict=True):
            obs[i], reward, terminated, truncated, _ = envs[i].step(int(action))
            returns[i] += float(reward)
            running[i] = not (terminated or truncated)
    return float(returns.mean())


def run_ours(seed: int, steps: int) -> tuple[list[tuple[int, float]], float, float]:
    """Train snippets/dqn.py; return (eval history, total wall s, wall s spent evaluating)."""
    import snippets.dqn as dqn

    evaluate, eval_s = dqn.evaluate, [0.0]

    def timed_evaluate(*args, **kwargs) -> float:
        started = time.perf_counter()
        try:
            return evaluate(*args, **kwargs)
        finally:
            eval_s[0] += time.perf_counter() - started

    dqn.evaluate = timed_evaluate  # train() looks it up in the module on every call
    cfg = DQNConfig(seed=seed, total_steps=steps)
    started = time.perf_counter()
    result = dqn.train(cfg)
    wall = time.perf_counter() - started
    return list(result.eval_history), wall, eval_s[0]


def run_sb3(agent: str, seed: int, steps: int) -> tuple[list[tuple[int, float]], float, float]:
    """Train an SB3 agent, evaluating it like ours; return (eval history, total wall s, eval wall s)."""
    from stable_baselines3 import DQN, PPO
    from stable_baselines3.common.callbacks import BaseCallback
    from stable_baselines3.common.env_util import make_vec_env

    from snippets.dqn import make_env

    class Evaluate(BaseCallback):
        """Every ``eval_every`` env steps and at the last one: evaluate; stop at ``steps``."""

        def __init__(self, eval_envs) -> None:
            super().__init__()
            self.eval_envs, self.history, self.eval_s = eval_envs, [], 0.0

        def _on_step(self) -> bool:
            step = self.num_timesteps  # n_envs=1: one call per env step
            if step % PROTOCOL.eval_every == 0 or step == steps:
                started = time.perf_counter()
                self.history.append((step, evaluate_sb3(self.model, self.eval_envs)))
                self.eval_s += time.perf_counter() - started
            return step < steps  # exactly the budget, no partial rollout past it

    started = time.perf_counter()
    env = make_vec_env(ENV_ID, n_envs=1, seed=seed)
    eval_envs = [make_env(ENV_ID) for _ in range(PROTOCOL.eval_episodes)]  # as in snippets.dqn.train
    for i, eval_env in enumerate(eval_envs):
        eval_env.reset(seed=seed + EVAL_SEED_OFFSET + i)
    if agent == "sb3_dqn":
        model = DQN("MlpPolicy", env, seed=seed, device="cpu", **ZOO_DQN)
    else:
        model = PPO("MlpPolicy", env, seed=seed, device="cpu")
    callback = Evaluate(eval_envs)
    model.learn(total_timesteps=steps, callback=callback)
    wall = time.perf_counter() - started
    return callback.history, wall, callback.eval_s


def run_seed(agent: str, seed: int, steps: int) -> dict:
    """Train ``agent`` with ``seed`` for ``steps`` env steps in this process; return the run's record."""
    import torch

    torch.set_num_threads(1)  # one core per run: steadier timings, no oversubscription
    if agent == "ours_dqn":
        history, wall, eval_s = run_ours(seed, steps)
    else:
        history, wall, eval_s = run_sb3(agent, seed, steps)
    reached = [s for s, mean in history if mean >= PROTOCOL.success_threshold]
    return {
        "seed": seed,
        "steps_to_success": reached[0] if reached else None,
        "best_eval": round(max(mean for _, mean in history), 4),
        "final_eval": round(history[-1][1], 4),
        "train_wall_s": round(wall - eval_s, 2),
        "eval_history": [[s, round(mean, 4)] for s, mean in history],
    }


def hyperparameters(agent: str) -> dict:
    if agent == "ours_dqn":
        config = dataclasses.asdict(PROTOCOL)
        for protocol in ("env_id", "seed", "total_steps", "eval_every", "eval_episodes", "success_threshold"):
            del config[protocol]  # the protocol: top-level keys of the result
        return {k: list(v) if isinstance(v, tuple) else v for k, v in config.items()}
    if agent == "sb3_dqn":
        return {"policy": "MlpPolicy", **ZOO_DQN}
    from stable_baselines3 import PPO

    defaults = {k: p.default for k, p in inspect.signature(PPO.__init__).parameters.items()}
    names = "learning_rate n_steps batch_size n_epochs gamma gae_lambda clip_range ent_coef vf_coef max_grad_norm"
    return {
        "policy": "MlpPolicy",
        **{k: defaults[k] for k in names.split()},
        "net_arch": "pi=[64, 64], vf=[64, 64], tanh",  # ActorCriticPolicy's default
    }


def source(agent: str) -> str:
    if agent == "ours_dqn":
        return "DQNConfig() defaults in snippets/dqn.py: rl-zoo's CartPole DQN, 16 gradient steps every 64 env steps"
    if agent == "sb3_dqn":
        return ZOO_SOURCE
    return "Stable-Baselines3 PPO defaults (no tuning); 2,048-step rollouts, stopped at the step budget"


def median_steps(runs: list[dict]) -> int | None:
    # A seed that never succeeded counts as "more than the budget" in the median.
    median = statistics.median([r["steps_to_success"] or float("inf") for r in runs])
    return None if median == float("inf") else int(median)


def table(runs: list[dict]) -> str:
    lines = [
        "| seed | steps to success | best eval | final eval | train wall s |",
        "|---:|---:|---:|---:|---:|",
    ]
    for r in runs:
        reached = f"{r['steps_to_success']:,}" if r["steps_to_success"] is not None else "-"
        lines.append(
            f"| {r['seed']} | {reached} | {r['best_eval']:.1f} | {r['final_eval']:.1f} | {r['train_wall_s']:.1f} |"
        )
    return "\n".join(lines)


def summary_table(summary: dict) -> str:
    lines = [
        "| agent | success | median steps to success | median train wall s |",
        "|:---|---:|---:|---:|",
    ]
    for agent, s in summary.items():
        steps = f"{s['median_steps_to_success']:,}" if s["median_steps_to_success"] is not None else "-"
        lines.append(f"| {LABELS[agent]} | {s['success_rate']} | {steps} | {s['median_train_wall_s']:.1f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--steps", type=int, default=PROTOCOL.total_steps, help="env steps per run")
    parser.add_argument("--agents", nargs="+", choices=list(LABELS), default=list(LABELS))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    agents = [a for a in LABELS if a in args.agents]  # in the table's order, once each

    jobs = [(agent, seed) for agent in agents for seed in args.seeds]
    started = time.perf_counter()
    context = multiprocessing.get_context("spawn")  # a fresh interpreter per worker
    with ProcessPoolExecutor(args.workers, mp_context=context) as pool:
        done = list(pool.map(run_seed, *zip(*jobs, strict=True), [args.steps] * len(jobs)))
    wall = time.perf_counter() - started
    runs = {agent: [r for (a, _), r in zip(jobs, done, strict=True) if a == agent] for agent in agents}

    summary = {}
    for agent in agents:
        solved = sum(r["steps_to_success"] is not None for r in runs[agent])
        summary[agent] = {
            "success_rate": f"{solved}/{len(runs[agent])}",
            "median_steps_to_success": median_steps(runs[agent]),
            "median_train_wall_s": round(statistics.median(r["train_wall_s"] for r in runs[agent]), 2),
        }
        print(f"### {LABELS[agent]}\n\n{table(runs[agent])}\n")
    print(summary_table(summary))
    print(
        f"\nsuccess: greedy mean over {PROTOCOL.eval_episodes} episodes >= {PROTOCOL.success_threshold:g}, "
        f"evaluated every {PROTOCOL.eval_every:,} of {args.steps:,} steps; "
        f"{wall:.0f} s wall with {args.workers} workers"
    )

    result = {
        "benchmark": "cartpole_vs_sb3",
        **meta(),
        "env_id": ENV_ID,
        "steps": args.steps,
        "eval_every": PROTOCOL.eval_every,
        "eval_episodes": PROTOCOL.eval_episodes,
        "threshold": PROTOCOL.success_threshold,
        "seeds": args.seeds,
        "wall_clock_note": WALL_CLOCK_NOTE,
        "agents": {
            agent: {
                "label": LABELS[agent],
                "hyperparameters": hyperparameters(agent),
                "source": source(agent),
                "runs": runs[agent],
            }
            for agent in agents
        },
        "summary": summary,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return result


if __name__ == "__main__":
    main()
