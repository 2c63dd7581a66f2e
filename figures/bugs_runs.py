"""The bug gallery's training runs, memoised: each bug's broken copy and the correct code, same settings.

Every run is small on purpose (the whole gallery trains in well under a minute of CPU on a cold build):

* REINFORCE on CartPole-v1 for ``CARTPOLE_EPISODES`` episodes (the forward returns, the flipped sign);
* DQN on the maze for ``MAZE_DQN.total_steps`` steps (the terminal mask, zero_grad, the target update);
* tabular Q-learning on the maze with no step cost, 100 episodes (the ties).

A run's key covers the code that trains it and this module (which decides what the record holds, and
imports ``rl4rlhf.bugs``); drawing code in ``figures/bugs.py`` can change without retraining.
"""

from __future__ import annotations

import contextlib
import dataclasses
from pathlib import Path

from rl4rlhf.bugs import BUGS, planted
from rl4rlhf.envs import OneHot
from rl4rlhf.gridworld import GridWorld

from figures import _runs
from figures.lm_runs import torch_single_thread
from rl4rlhf import dqn, qtable, reinforce

N_SEEDS = 3  # every bug: seeds seed, seed + 1, seed + 2
CARTPOLE_EPISODES = 100
CARTPOLE = reinforce.ReinforceConfig(episodes=CARTPOLE_EPISODES, stop_when_solved=False)
MAZE_DQN = dataclasses.replace(dqn.MAZE_CONFIG, total_steps=2_000, eval_every=250)  # the DQN page: 3,000
Q_LEARNING = qtable.QLearningConfig()  # the Q-function page's settings: 100 episodes, ε = 0.1
STEP_REWARD = 0.0  # no cost per move: only the goal (+1) and the walls (-1) say anything


KINDS = {  # kind -> (the config, the module that trains it)
    "reinforce": (CARTPOLE, "rl4rlhf.reinforce"),
    "dqn": (MAZE_DQN, "rl4rlhf.dqn"),
    "qlearning": (Q_LEARNING, "rl4rlhf.qtable"),
}


def run_path(kind: str, seed: int, bug: str | None) -> Path:
    """Where the record of one run is kept (``bug`` None: the correct code)."""
    cfg, home = KINDS[kind]
    label = f"bug-{kind}-{bug or 'correct'}"
    return _runs.run_path(label, dataclasses.replace(cfg, seed=seed), home, __name__)


def _run(kind: str, seed: int, bug: str | None, compute) -> dict:
    def guarded() -> dict:
        torch_single_thread()
        with planted(BUGS[bug]) if bug else contextlib.nullcontext():
            return compute()

    return _runs.memoised_run(run_path(kind, seed, bug), guarded)


def reinforce_cartpole(seed: int, bug: str | None = None) -> dict:
    """REINFORCE on CartPole: every episode's return."""
    cfg = dataclasses.replace(CARTPOLE, seed=seed)

    def compute() -> dict:
        return {"episode_returns": list(reinforce.train(cfg).episode_returns)}

    return _run("reinforce", seed, bug, compute)


def dqn_maze(seed: int, bug: str | None = None) -> dict:
    """DQN on the maze: the greedy return at each evaluation, and max_a Q(s, a) of every cell
    before training (the untrained network) and after."""
    cfg = dataclasses.replace(MAZE_DQN, seed=seed)

    def compute() -> dict:
        torch = torch_single_thread()
        cells = torch.eye(OneHot(GridWorld()).n)  # (16, 16) every cell, one-hot
        torch.manual_seed(cfg.seed)  # as train() does: the same initial weights
        untrained = dqn.QNetwork(cells.shape[1], 4, cfg.hidden_sizes)
        result = dqn.train(cfg)
        with torch.no_grad():
            before = untrained(cells).max(dim=1).values  # (16,)
            after = result.q_network(cells).max(dim=1).values  # (16,)
        return {
            "eval_history": [[s, round(m, 6)] for s, m in result.eval_history],
            "q_before": [round(float(v), 6) for v in before],
            "q_after": [round(float(v), 6) for v in after],
        }

    return _run("dqn", seed, bug, compute)


def q_learning_maze(seed: int, bug: str | None = None) -> dict:
    """Tabular Q-learning on the maze without a step cost: each episode's length and the first
    episode after which the greedy policy is optimal (None: never)."""
    cfg = dataclasses.replace(Q_LEARNING, seed=seed)

    def compute() -> dict:
        env = GridWorld(step_reward=STEP_REWARD)
        every = range(1, cfg.episodes + 1)
        run = qtable.q_learning(env, **dataclasses.asdict(cfg), snapshots=every)
        return {
            "episode_lengths": [int(n) for n in run.episode_lengths],
            "episode_returns": [round(float(r), 6) for r in run.episode_returns],
            "episodes_to_optimal": qtable.episodes_to_optimal(env, run, cfg.gamma),
            "max_steps": env.max_steps,
        }

    return _run("qlearning", seed, bug, compute)
