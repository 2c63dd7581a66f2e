"""Benchmark: our DQN vs Stable-Baselines3's DQN and PPO on CartPole-v1, same budget, same protocol.

Four agents, each trained for 50,000 env steps on seeds 1..5:

* ``ours_dqn``: snippets/dqn.py with ``DQNConfig(seed=seed)`` (its defaults are the CartPole settings);
* ``sb3_dqn``: SB3 DQN with rl-baselines3-zoo's CartPole-v1 hyperparameters (hyperparams/dqn.yml);
* ``sb3_dqn_ours``: SB3 DQN with our settings, ``DQNConfig()`` mapped onto SB3's arguments (``OURS_SB3_DQN``),
  and our loss (MSE) through a one-method subclass (``mse_dqn``), since SB3's DQN has no loss option;
* ``sb3_ppo``: SB3 PPO with its defaults (MlpPolicy).

All four are evaluated the way snippets/dqn.py evaluates: every 5,000 env steps (and at the last
step), 20 greedy episodes (SB3: ``predict(deterministic=True)``), one in each of 20 evaluation envs
made and seeded like ours (``reset(seed=seed + 10_000 + i)`` once before training, then unseeded
resets, so each evaluation continues each env's random stream), run side by side.  Success is the
first evaluation whose mean return is >= 475.  The SB3 agents stop at exactly the step budget,
like ours (a callback ends ``learn`` there), so PPO, whose rollouts are 2,048 steps, is not given
a 25th rollout of extra steps.

Every (agent, seed) run has its own spawned process with one torch thread, two processes at a time,
seed by seed (all agents' seed-1 runs, then seed 2, ...), so a busy spell on the machine hits every agent.
``train_wall_s`` is the run's wall time (building the agent and its envs, then training) minus the
time spent in the evaluations, measured the same way for all agents; for ours the evaluations are
timed by wrapping ``rl4rlhf.dqn.evaluate`` in the worker, without changing snippets/dqn.py.
``gradient_steps`` is counted, not computed from the settings: a global torch hook counts every
``optimizer.step()`` during the run (SB3's own ``_n_updates`` is recorded beside it; for PPO it counts
epochs, not optimizer steps).  ``train_ms_per_gradient_step`` is ``train_wall_s / gradient_steps``:
training wall-clock per gradient step, so it includes the env steps and action choices between updates.
``train_cpu_s`` (and per gradient step) is the same with the process's CPU time, which a busy machine
inflates far less than wall-clock.

Then, alone in one more process with one torch thread, the micro-measure: the time of one gradient
step (sampling the batch included) of each DQN implementation on the same fixed replay data (random-
policy CartPole transitions), the same network widths and batch size; several repeats of ``--micro-steps``
steps each, the implementations taking turns.  It separates the implementations' speed from their
settings and from environment stepping.  ``os.getloadavg()`` is recorded before and after every run,
the micro-measure and the whole benchmark, since other work on the machine slows all of them.

Prints a table per agent and a summary; the results go to benchmarks/results/cartpole_vs_sb3.json.
The median steps to success counts a seed that never succeeded as "more than the budget" (null if
that is the median).

    python -m benchmarks.cartpole_vs_sb3                             # from the repo root
    python -m benchmarks.cartpole_vs_sb3 --agents ours_dqn sb3_dqn   # a subset of the agents
    python -m benchmarks.cartpole_vs_sb3 --steps 5000 --seeds 1 --out /tmp/cvs.json  # a smoke run
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import dataclasses
import functools
import inspect
import json
import multiprocessing
import os
import statistics
import sys
import textwrap
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # also runnable as `python benchmarks/cartpole_vs_sb3.py`
    sys.path.insert(0, str(ROOT))

from rl4rlhf.dqn import EVAL_SEED_OFFSET, DQNConfig  # noqa: E402

from benchmarks._meta import meta  # noqa: E402

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

# Our settings, DQNConfig(), in SB3's terms.  With one env (n_envs=1) SB3 counts train_freq,
# target_update_interval and learning_starts in env steps, as ours does; the schedules are fractions of
# the ``total_timesteps`` given to learn(), the budget, as ours are of total_steps.  Timing checked in
# SB3 2.9.2's source: a rollout of train_freq steps, then gradient_steps updates if num_timesteps >
# learning_starts (ours: step >= learning_starts and step % train_frequency == 0: the same steps here,
# 1,024, 1,088, ...); the target is copied in the step that ends a rollout, before that rollout's
# updates (ours: after the updates of the previous burst), so in both the 16 updates of a burst learn
# against a copy of the network as the previous burst left it.
OURS_SB3_DQN = {
    "learning_rate": PROTOCOL.learning_rate,
    "buffer_size": PROTOCOL.buffer_size,
    "batch_size": PROTOCOL.batch_size,
    "learning_starts": PROTOCOL.learning_starts,
    "gamma": PROTOCOL.gamma,
    "train_freq": PROTOCOL.train_frequency,
    "gradient_steps": PROTOCOL.gradient_steps,
    "target_update_interval": PROTOCOL.target_update_interval,
    "tau": PROTOCOL.tau,
    "exploration_initial_eps": PROTOCOL.epsilon_start,
    "exploration_final_eps": PROTOCOL.epsilon_end,
    "exploration_fraction": PROTOCOL.exploration_fraction,
    "max_grad_norm": PROTOCOL.max_grad_norm,
    "policy_kwargs": {"net_arch": list(PROTOCOL.hidden_sizes)},
}
LABELS = {
    "ours_dqn": "ours: snippets/dqn.py",
    "sb3_dqn": "SB3 DQN (rl-zoo hyperparameters)",
    "sb3_dqn_ours": "SB3 DQN (our hyperparameters)",
    "sb3_ppo": "SB3 PPO (defaults)",
}
DQN_AGENTS = ("ours_dqn", "sb3_dqn", "sb3_dqn_ours")  # the ones the micro-measure times
MICRO_TRANSITIONS = 10_000  # the fixed replay data of the micro-measure


def wall_clock_note(workers: int) -> str:
    """How the wall-clock numbers of a result were measured (the page adds what they show)."""
    return (
        "train_wall_s is each run's wall time (building the agent and its envs, then training) minus the time "
        "spent in the greedy evaluations, measured the same way for every agent: one process and one torch "
        f"thread per run, {workers} runs at a time, CPU. For ours the evaluations are timed by wrapping "
        "rl4rlhf.dqn.evaluate; for SB3 inside the evaluation callback. gradient_steps counts every "
        "optimizer.step() of the run (a global torch hook); train_ms_per_gradient_step = train_wall_s / "
        "gradient_steps is training wall-clock per gradient step, so it includes the environment steps and "
        "action choices between updates. train_cpu_s and train_cpu_ms_per_gradient_step are the same with the "
        "process's CPU time (time.process_time()) for wall-clock: on a busy machine a run waits for a core, which "
        "lengthens its wall-clock but hardly its CPU time. The micro-measure times gradient steps alone (sampling "
        "the batch included) on fixed replay data, in one process with one torch thread and nothing else of the "
        "benchmark running. loadavg_before / loadavg_after are os.getloadavg() (1, 5, 15 minutes)."
    )


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


class Stopwatch:
    """Wall-clock time and this process's CPU time, added up over every spell it runs (``with sw.running():``).

    On a busy machine a run waits for a core: its wall-clock grows, its CPU time much less."""

    def __init__(self) -> None:
        self.wall, self.cpu = 0.0, 0.0

    @contextlib.contextmanager
    def running(self):
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield self
        finally:
            self.wall += time.perf_counter() - wall
            self.cpu += time.process_time() - cpu


@contextlib.contextmanager
def counting_optimizer_steps():
    """Count every ``optimizer.step()`` in this process while the block runs: ``count[0]``."""
    from torch.optim.optimizer import register_optimizer_step_post_hook

    count = [0]

    def hook(optimizer, args, kwargs) -> None:
        count[0] += 1

    handle = register_optimizer_step_post_hook(hook)
    try:
        yield count
    finally:
        handle.remove()


@functools.cache
def mse_dqn() -> type:
    """SB3's DQN with our loss: ``train()`` copied from SB3 2.9.2 with ``F.mse_loss`` for ``F.smooth_l1_loss``.

    SB3's DQN hard-codes the Huber loss in ``train()`` and takes no option for it, so this subclass
    overrides that one method and nothing else.  Before it is used, its syntax tree is checked against
    the installed SB3's ``DQN.train`` with that one call renamed: a changed SB3 fails here, loudly.
    """
    import numpy as np
    import torch as th
    from stable_baselines3 import DQN
    from torch.nn import functional as F

    class MSEDQN(DQN):
        def train(self, gradient_steps: int, batch_size: int = 100) -> None:
            # Switch to train mode (this affects batch norm / dropout)
            self.policy.set_training_mode(True)
            # Update learning rate according to schedule
            self._update_learning_rate(self.policy.optimizer)

            losses = []
            for _ in range(gradient_steps):
                # Sample replay buffer
                replay_data = self.replay_buffer.sample(batch_size, env=self._vec_normalize_env)
                # For n-step replay, discount factor is gamma**n_steps (when no early termination)
                discounts = replay_data.discounts if replay_data.discounts is not None else self.gamma

                with th.no_grad():
                    # Compute the next Q-values using the target network
                    next_q_values = self.q_net_target(replay_data.next_observations)
                    # Follow greedy policy: use the one with the highest value
                    next_q_values, _ = next_q_values.max(dim=1)
                    # Avoid potential broadcast issue
                    next_q_values = next_q_values.reshape(-1, 1)
                    # 1-step TD target
                    target_q_values = replay_data.rewards + (1 - replay_data.dones) * discounts * next_q_values

                # Get current Q-values estimates
                current_q_values = self.q_net(replay_data.observations)

                # Retrieve the q-values for the actions from the replay buffer
                current_q_values = th.gather(current_q_values, dim=1, index=replay_data.actions.long())

                # Our loss, snippets/dqn.py's default: MSE (SB3: F.smooth_l1_loss, the Huber loss)
                loss = F.mse_loss(current_q_values, target_q_values)
                losses.append(loss.item())

                # Optimize the policy
                self.policy.optimizer.zero_grad()
                loss.backward()
                # Clip gradient norm
                th.nn.utils.clip_grad_norm_(self.policy.parameters(), self.max_grad_norm)
                self.policy.optimizer.step()

            # Increase update counter
            self._n_updates += gradient_steps

            self.logger.record("train/n_updates", self._n_updates, exclude="tensorboard")
            self.logger.record("train/loss", np.mean(losses))

    def tree(method) -> ast.Module:
        return ast.parse(textwrap.dedent(inspect.getsource(method)))  # comments and formatting dropped

    theirs = tree(DQN.train)
    renamed = [n for n in ast.walk(theirs) if isinstance(n, ast.Attribute) and n.attr == "smooth_l1_loss"]
    if len(renamed) != 1:
        raise RuntimeError(f"SB3's DQN.train calls smooth_l1_loss {len(renamed)} times, not once: update mse_dqn")
    renamed[0].attr = "mse_loss"
    if ast.dump(theirs) != ast.dump(tree(MSEDQN.train)):
        raise RuntimeError("SB3's DQN.train changed since mse_dqn copied it (SB3 2.9.2): update mse_dqn")
    return MSEDQN


def evaluate_sb3(model, envs) -> float:
    """rl4rlhf.dqn.evaluate for an SB3 model: one greedy episode per env, side by side."""
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


def run_ours(seed: int, steps: int) -> tuple[list[tuple[int, float]], Stopwatch, Stopwatch, dict]:
    """Train snippets/dqn.py; return (eval history, the whole run's time, the evaluations' time, counters)."""
    import rl4rlhf.dqn as dqn

    evaluate, evals, run = dqn.evaluate, Stopwatch(), Stopwatch()

    def timed_evaluate(*args, **kwargs) -> float:
        with evals.running():
            return evaluate(*args, **kwargs)

    dqn.evaluate = timed_evaluate  # train() looks it up in the module on every call
    cfg = DQNConfig(seed=seed, total_steps=steps)
    try:
        with counting_optimizer_steps() as count, run.running():
            result = dqn.train(cfg)
    finally:
        dqn.evaluate = evaluate  # this worker process may run another agent next
    return list(result.eval_history), run, evals, {"gradient_steps": count[0]}


def make_sb3(agent: str, env, seed: int):
    """The SB3 model ``agent`` names, on ``env``, on the CPU."""
    from stable_baselines3 import DQN, PPO

    if agent == "sb3_dqn":
        return DQN("MlpPolicy", env, seed=seed, device="cpu", **ZOO_DQN)
    if agent == "sb3_dqn_ours":
        model_class = mse_dqn() if PROTOCOL.loss == "mse" else DQN
        return model_class("MlpPolicy", env, seed=seed, device="cpu", **OURS_SB3_DQN)
    return PPO("MlpPolicy", env, seed=seed, device="cpu")


def run_sb3(agent: str, seed: int, steps: int) -> tuple[list[tuple[int, float]], Stopwatch, Stopwatch, dict]:
    """Train an SB3 agent, evaluating it like ours; return (eval history, run time, evaluations' time, counters)."""
    from rl4rlhf.envs import make_env
    from stable_baselines3.common.callbacks import BaseCallback
    from stable_baselines3.common.env_util import make_vec_env

    class Evaluate(BaseCallback):
        """Every ``eval_every`` env steps and at the last one: evaluate; stop at ``steps``."""

        def __init__(self, eval_envs) -> None:
            super().__init__()
            self.eval_envs, self.history, self.evals = eval_envs, [], Stopwatch()

        def _on_step(self) -> bool:
            step = self.num_timesteps  # n_envs=1: one call per env step
            if step % PROTOCOL.eval_every == 0 or step == steps:
                with self.evals.running():
                    self.history.append((step, evaluate_sb3(self.model, self.eval_envs)))
            return step < steps  # exactly the budget, no partial rollout past it

    run = Stopwatch()
    with counting_optimizer_steps() as count, run.running():
        env = make_vec_env(ENV_ID, n_envs=1, seed=seed)
        eval_envs = [make_env(ENV_ID) for _ in range(PROTOCOL.eval_episodes)]  # as in rl4rlhf.dqn.train
        for i, eval_env in enumerate(eval_envs):
            eval_env.reset(seed=seed + EVAL_SEED_OFFSET + i)
        model = make_sb3(agent, env, seed)
        callback = Evaluate(eval_envs)
        model.learn(total_timesteps=steps, callback=callback)
    return callback.history, run, callback.evals, {"gradient_steps": count[0], "sb3_n_updates": model._n_updates}


def run_seed(agent: str, seed: int, steps: int) -> dict:
    """Train ``agent`` with ``seed`` for ``steps`` env steps in this process; return the run's record."""
    import torch

    torch.set_num_threads(1)  # one core per run: steadier timings, no oversubscription
    before = loadavg()
    if agent == "ours_dqn":
        history, run, evals, counters = run_ours(seed, steps)
    else:
        history, run, evals, counters = run_sb3(agent, seed, steps)
    reached = [s for s, mean in history if mean >= PROTOCOL.solve_threshold]
    train_wall, train_cpu = run.wall - evals.wall, run.cpu - evals.cpu
    gradient_steps = counters["gradient_steps"]
    return {
        "seed": seed,
        "steps_to_solve": reached[0] if reached else None,
        "best_eval": round(max(mean for _, mean in history), 4),
        "final_eval": round(history[-1][1], 4),
        "train_wall_s": round(train_wall, 2),
        **counters,
        "train_ms_per_gradient_step": round(1e3 * train_wall / gradient_steps, 4) if gradient_steps else None,
        "train_cpu_s": round(train_cpu, 2),
        "train_cpu_ms_per_gradient_step": round(1e3 * train_cpu / gradient_steps, 4) if gradient_steps else None,
        "loadavg_before": before,
        "loadavg_after": loadavg(),
        "eval_history": [[s, round(mean, 4)] for s, mean in history],
    }


def micro_measure(agents: list[str], steps: int, repeats: int, seed: int) -> dict:
    """Time ``steps`` gradient steps of each DQN implementation in ``agents`` on the same fixed replay data,
    ``repeats`` times, the implementations taking turns; in this process, with one torch thread."""
    import copy

    import numpy as np
    import rl4rlhf.dqn as dqn
    import rl4rlhf.envs as envs
    import torch
    from stable_baselines3.common.env_util import make_vec_env
    from stable_baselines3.common.utils import configure_logger

    torch.set_num_threads(1)
    before = loadavg()
    # The fixed replay data: a uniformly random policy's CartPole transitions, the same for everyone.
    env = envs.make_env(ENV_ID)
    env.action_space.seed(seed)
    obs, _ = env.reset(seed=seed)
    transitions = []
    for _ in range(MICRO_TRANSITIONS):
        action = int(env.action_space.sample())
        next_obs, reward, terminated, truncated, _ = env.step(action)
        transitions.append((obs, action, float(reward), next_obs, terminated, truncated))
        obs = env.reset()[0] if terminated or truncated else next_obs

    def ours(cfg: DQNConfig):
        torch.manual_seed(seed)
        q_network = dqn.QNetwork(len(obs), int(env.action_space.n), cfg.hidden_sizes)
        target_network = copy.deepcopy(q_network)
        optimizer = torch.optim.Adam(q_network.parameters(), lr=cfg.learning_rate)
        buffer, rng = dqn.ReplayBuffer(cfg.buffer_size, len(obs)), np.random.default_rng(seed)
        for o, a, r, o2, term, _ in transitions:
            buffer.add(o, a, r, o2, term)

        def gradient_steps(k: int) -> None:  # as rl4rlhf.dqn.train takes them
            for _ in range(k):
                dqn.train_step(q_network, target_network, optimizer, buffer.sample(cfg.batch_size, rng), cfg)

        return gradient_steps, cfg.batch_size, list(cfg.hidden_sizes), cfg.loss

    def sb3(agent: str):
        model = make_sb3(agent, make_vec_env(ENV_ID, n_envs=1, seed=seed), seed)
        model.set_logger(configure_logger(verbose=0))  # what learn() would set up
        for o, a, r, o2, term, trunc in transitions:
            infos = [{"TimeLimit.truncated": trunc and not term}]
            model.replay_buffer.add(o[None], o2[None], np.array([a]), np.array([r]), np.array([term or trunc]), infos)

        def gradient_steps(k: int) -> None:  # as SB3's learn() takes them: one train() call per burst
            model.train(gradient_steps=k, batch_size=model.batch_size)

        loss = "mse" if isinstance(model, mse_dqn()) else "huber"
        return gradient_steps, model.batch_size, list(model.policy.net_arch), loss

    impls = {agent: ours(PROTOCOL) if agent == "ours_dqn" else sb3(agent) for agent in agents}
    shapes = {(batch, tuple(widths)) for _, batch, widths, _ in impls.values()}
    if len(shapes) != 1:
        raise ValueError(f"the micro-measure needs one batch size and one network for all, got {shapes}")
    for run, *_ in impls.values():
        run(20)  # warm up
    timings: dict[str, list[float]] = {agent: [] for agent in impls}
    cpu: dict[str, list[float]] = {agent: [] for agent in impls}
    for repeat in range(repeats):
        order = list(impls)[repeat % len(impls) :] + list(impls)[: repeat % len(impls)]  # take turns first
        for agent in order:
            with Stopwatch().running() as stopwatch:
                impls[agent][0](steps)
            timings[agent].append(1e3 * stopwatch.wall / steps)
            cpu[agent].append(1e3 * stopwatch.cpu / steps)
    ((batch, widths),) = shapes
    return {
        "steps": steps,
        "repeats": repeats,
        "transitions": MICRO_TRANSITIONS,
        "batch_size": batch,
        "hidden_sizes": list(widths),
        "loadavg_before": before,
        "loadavg_after": loadavg(),
        "implementations": {
            agent: {
                "label": LABELS[agent],
                "loss": impls[agent][3],
                "ms_per_step_median": round(statistics.median(timings[agent]), 4),
                "ms_per_step_min": round(min(timings[agent]), 4),
                "ms_per_step_runs": [round(t, 4) for t in timings[agent]],
                "cpu_ms_per_step_median": round(statistics.median(cpu[agent]), 4),
                "cpu_ms_per_step_min": round(min(cpu[agent]), 4),
            }
            for agent in impls
        },
    }


def hyperparameters(agent: str) -> dict:
    if agent == "ours_dqn":
        config = dataclasses.asdict(PROTOCOL)
        for protocol in ("env_id", "seed", "total_steps", "eval_every", "eval_episodes", "solve_threshold"):
            del config[protocol]  # the protocol: top-level keys of the result
        return {k: list(v) if isinstance(v, tuple) else v for k, v in config.items()}
    if agent == "sb3_dqn":
        return {"policy": "MlpPolicy", **ZOO_DQN}
    if agent == "sb3_dqn_ours":
        return {"policy": "MlpPolicy", **OURS_SB3_DQN, "loss": PROTOCOL.loss}
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
    if agent == "sb3_dqn_ours":
        p = PROTOCOL
        decay = p.exploration_fraction * p.total_steps  # ours: epsilon at step s, for s = 1 .. learning_starts
        warmup_eps = p.epsilon_start - (p.epsilon_start - p.epsilon_end) * (p.learning_starts + 1) / 2 / decay
        return (
            "DQNConfig() mapped onto SB3 DQN's arguments (train_frequency -> train_freq, epsilon_start/end -> "
            "exploration_initial/final_eps, hidden_sizes -> net_arch); Adam with torch's defaults in both. "
            f"The loss ({p.loss}): SB3's DQN has no loss option (it always uses the Huber loss, smooth_l1), so a "
            "subclass overrides train() with SB3's own code but for F.mse_loss (checked against the installed "
            "SB3's source at run time). Not matched exactly: "
            f"(1) warm-up: SB3 acts uniformly at random for the first learning_starts ({p.learning_starts:,}) "
            f"steps; ours is epsilon-greedy from step 1 (mean epsilon {warmup_eps:.2f} over those steps); "
            "(2) SB3 updates epsilon after each env step, so its action at step t uses step t-1's epsilon; "
            "(3) the same seed gives different random numbers in the two (initial weights, replay batches, "
            "exploration); (4) SB3 steps its training env through a DummyVecEnv and a Monitor wrapper."
        )
    return "Stable-Baselines3 PPO defaults (no tuning); 2,048-step rollouts, stopped at the step budget"


def median_steps(runs: list[dict]) -> int | None:
    # A seed that never succeeded counts as "more than the budget" in the median.
    median = statistics.median([r["steps_to_solve"] or float("inf") for r in runs])
    return None if median == float("inf") else int(median)


def table(runs: list[dict]) -> str:
    lines = [
        "| seed | steps to success | best eval | final eval | train wall s | train CPU s | gradient steps "
        "| ms / gradient step | load before → after |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in runs:
        reached = f"{r['steps_to_solve']:,}" if r["steps_to_solve"] is not None else "-"
        per_step = f"{r['train_ms_per_gradient_step']:.2f}" if r["train_ms_per_gradient_step"] is not None else "-"
        lines.append(
            f"| {r['seed']} | {reached} | {r['best_eval']:.1f} | {r['final_eval']:.1f} | {r['train_wall_s']:.1f} "
            f"| {r['train_cpu_s']:.1f} "
            f"| {r['gradient_steps']:,} | {per_step} | {r['loadavg_before'][0]:.2f} → {r['loadavg_after'][0]:.2f} |"
        )
    return "\n".join(lines)


def summary_table(summary: dict) -> str:
    lines = [
        "| agent | success | median steps to success | median train wall s | median train CPU s "
        "| median gradient steps | median ms / gradient step |",
        "|:---|---:|---:|---:|---:|---:|---:|",
    ]
    for agent, s in summary.items():
        steps = f"{s['median_steps_to_solve']:,}" if s["median_steps_to_solve"] is not None else "-"
        per_step = s["median_train_ms_per_gradient_step"]
        lines.append(
            f"| {LABELS[agent]} | {s['success_rate']} | {steps} | {s['median_train_wall_s']:.1f} "
            f"| {s['median_train_cpu_s']:.1f} "
            f"| {s['median_gradient_steps']:,.0f} | {'-' if per_step is None else f'{per_step:.2f}'} |"
        )
    return "\n".join(lines)


def micro_table(micro: dict) -> str:
    lines = [
        "| implementation | loss | ms / gradient step: median | min | CPU ms: median | min |",
        "|:---|:---|---:|---:|---:|---:|",
    ]
    for m in micro["implementations"].values():
        lines.append(
            f"| {m['label']} | {m['loss']} | {m['ms_per_step_median']:.3f} | {m['ms_per_step_min']:.3f} "
            f"| {m['cpu_ms_per_step_median']:.3f} | {m['cpu_ms_per_step_min']:.3f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--steps", type=int, default=PROTOCOL.total_steps, help="env steps per run")
    parser.add_argument("--agents", nargs="+", choices=list(LABELS), default=list(LABELS))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--micro-steps", type=int, default=1_000, help="gradient steps per timing; 0: no micro")
    parser.add_argument("--micro-repeats", type=int, default=7)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    agents = [a for a in LABELS if a in args.agents]  # in the table's order, once each

    jobs = [(agent, seed) for seed in args.seeds for agent in agents]  # interleaved: a busy spell hits all agents
    before = loadavg()
    started = time.perf_counter()
    context = multiprocessing.get_context("spawn")  # a fresh interpreter per worker
    # max_tasks_per_child=1: every run in a fresh process, so none inherits another's warm-up (or patches)
    with ProcessPoolExecutor(args.workers, mp_context=context, max_tasks_per_child=1) as pool:
        done = list(pool.map(run_seed, *zip(*jobs, strict=True), [args.steps] * len(jobs)))
    wall = time.perf_counter() - started
    runs = {agent: [r for (a, _), r in zip(jobs, done, strict=True) if a == agent] for agent in agents}

    micro = None
    micro_agents = [a for a in agents if a in DQN_AGENTS]
    if args.micro_steps > 0 and micro_agents:
        with ProcessPoolExecutor(1, mp_context=context) as pool:  # alone: nothing else of ours running
            micro = pool.submit(micro_measure, micro_agents, args.micro_steps, args.micro_repeats, 0).result()

    summary = {}
    for agent in agents:
        solved = sum(r["steps_to_solve"] is not None for r in runs[agent])
        per_step = [r["train_ms_per_gradient_step"] for r in runs[agent] if r["gradient_steps"]]
        cpu_per_step = [r["train_cpu_ms_per_gradient_step"] for r in runs[agent] if r["gradient_steps"]]
        summary[agent] = {
            "success_rate": f"{solved}/{len(runs[agent])}",
            "median_steps_to_solve": median_steps(runs[agent]),
            "median_train_wall_s": round(statistics.median(r["train_wall_s"] for r in runs[agent]), 2),
            "median_gradient_steps": statistics.median(r["gradient_steps"] for r in runs[agent]),
            "median_train_ms_per_gradient_step": round(statistics.median(per_step), 4) if per_step else None,
            "median_train_cpu_s": round(statistics.median(r["train_cpu_s"] for r in runs[agent]), 2),
            "median_train_cpu_ms_per_gradient_step": round(statistics.median(cpu_per_step), 4)
            if cpu_per_step
            else None,
        }
        print(f"### {LABELS[agent]}\n\n{table(runs[agent])}\n")
    print(summary_table(summary))
    if micro is not None:
        print(f"\n### one gradient step alone, {micro['steps']:,} steps x {micro['repeats']}\n\n{micro_table(micro)}")
    print(
        f"\nsuccess: greedy mean over {PROTOCOL.eval_episodes} episodes >= {PROTOCOL.solve_threshold:g}, "
        f"evaluated every {PROTOCOL.eval_every:,} of {args.steps:,} steps; "
        f"{wall:.0f} s wall with {args.workers} workers; load average {before} -> {loadavg()}"
    )

    result = {
        "benchmark": "cartpole_vs_sb3",
        **meta(),
        "env_id": ENV_ID,
        "steps": args.steps,
        "eval_every": PROTOCOL.eval_every,
        "eval_episodes": PROTOCOL.eval_episodes,
        "threshold": PROTOCOL.solve_threshold,
        "seeds": args.seeds,
        "workers": args.workers,
        "wall_s": round(wall, 1),
        "loadavg_before": before,
        "loadavg_after": loadavg(),
        "wall_clock_note": wall_clock_note(args.workers),
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
        "micro": micro,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return result


if __name__ == "__main__":
    main()
