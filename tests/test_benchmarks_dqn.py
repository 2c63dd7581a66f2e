"""The DQN comparison's result, benchmarks/results/cartpole_vs_sb3.json, against the code it compares.

The benchmark takes tens of minutes, so these tests read its JSON and train nothing. SB3 DQN "with our
hyperparameters" must have DQNConfig()'s settings, field by field, and every agent's counted gradient
steps must follow from its settings: a changed DQNConfig default fails here until the benchmark is rerun,
so the page cannot compare against settings the code no longer has.
"""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import pytest
from rl4rlhf.dqn import DQNConfig

RESULT = Path(__file__).resolve().parents[1] / "benchmarks" / "results" / "cartpole_vs_sb3.json"
DQN_AGENTS = ("ours_dqn", "sb3_dqn", "sb3_dqn_ours")
PROTOCOL = ("env_id", "seed", "total_steps", "eval_every", "eval_episodes", "solve_threshold")
SB3_NAMES = {  # SB3 DQN's argument -> the DQNConfig field it stands for
    "learning_rate": "learning_rate",
    "buffer_size": "buffer_size",
    "batch_size": "batch_size",
    "learning_starts": "learning_starts",
    "gamma": "gamma",
    "train_freq": "train_frequency",
    "gradient_steps": "gradient_steps",
    "target_update_interval": "target_update_interval",
    "tau": "tau",
    "exploration_initial_eps": "epsilon_start",
    "exploration_final_eps": "epsilon_end",
    "exploration_fraction": "exploration_fraction",
    "max_grad_norm": "max_grad_norm",
    "loss": "loss",  # matched by a subclass: SB3's DQN has no loss option
}


@pytest.fixture(scope="module")
def result() -> dict:
    return json.loads(RESULT.read_text(encoding="utf-8"))


def test_every_dqn_setting_is_mapped_or_part_of_the_protocol():
    fields = {f.name for f in dataclasses.fields(DQNConfig)}
    assert fields == {*SB3_NAMES.values(), "hidden_sizes", *PROTOCOL}


@pytest.mark.parametrize("sb3_name", SB3_NAMES)
def test_sb3_with_our_hyperparameters_has_dqnconfig_defaults(result, sb3_name):
    hyperparameters = result["agents"]["sb3_dqn_ours"]["hyperparameters"]
    assert hyperparameters[sb3_name] == getattr(DQNConfig(), SB3_NAMES[sb3_name])


def test_sb3_with_our_hyperparameters_has_our_network(result):
    hyperparameters = result["agents"]["sb3_dqn_ours"]["hyperparameters"]
    assert hyperparameters["policy_kwargs"] == {"net_arch": list(DQNConfig().hidden_sizes)}


def test_ours_ran_with_dqnconfig_defaults_and_protocol(result):
    config = dataclasses.asdict(DQNConfig())
    expected = {k: list(v) if isinstance(v, tuple) else v for k, v in config.items() if k not in PROTOCOL}
    assert result["agents"]["ours_dqn"]["hyperparameters"] == expected
    cfg = DQNConfig()
    protocol = (result["steps"], result["eval_every"], result["eval_episodes"], result["threshold"])
    assert protocol == (cfg.total_steps, cfg.eval_every, cfg.eval_episodes, cfg.solve_threshold)


def _settings(agent: str, hyperparameters: dict) -> tuple[int, int, int]:
    """(learning_starts, train frequency, gradient steps per burst)."""
    train_frequency = hyperparameters["train_frequency" if agent == "ours_dqn" else "train_freq"]
    return hyperparameters["learning_starts"], train_frequency, hyperparameters["gradient_steps"]


@pytest.mark.parametrize("agent", DQN_AGENTS)
def test_counted_gradient_steps_follow_the_settings(result, agent):
    learning_starts, train_frequency, per_burst = _settings(agent, result["agents"][agent]["hyperparameters"])
    expected = (result["steps"] - learning_starts) / train_frequency * per_burst
    for run in result["agents"][agent]["runs"]:
        assert abs(run["gradient_steps"] - expected) <= per_burst, run["seed"]  # within one burst of updates


@pytest.mark.parametrize("agent", ["sb3_dqn", "sb3_dqn_ours"])
def test_sb3_dqn_counts_the_optimizer_steps_we_counted(result, agent):
    for run in result["agents"][agent]["runs"]:
        assert run["sb3_n_updates"] == run["gradient_steps"], run["seed"]


def test_ppo_gradient_steps_are_its_minibatches(result):
    hyperparameters = result["agents"]["sb3_ppo"]["hyperparameters"]
    rollouts = result["steps"] // hyperparameters["n_steps"]  # the last, partial rollout is cut at the budget
    minibatches = math.ceil(hyperparameters["n_steps"] / hyperparameters["batch_size"])
    for run in result["agents"]["sb3_ppo"]["runs"]:
        assert run["gradient_steps"] == rollouts * hyperparameters["n_epochs"] * minibatches, run["seed"]
        assert run["sb3_n_updates"] == rollouts * hyperparameters["n_epochs"], run["seed"]  # SB3 counts epochs


@pytest.mark.parametrize("clock", ["wall", "cpu"])
def test_time_per_gradient_step_is_training_time_over_gradient_steps(result, clock):
    for agent in result["agents"].values():
        for run in agent["runs"]:
            per_step = 1e3 * run[f"train_{clock}_s"] / run["gradient_steps"]
            recorded = run["train_ms_per_gradient_step" if clock == "wall" else "train_cpu_ms_per_gradient_step"]
            assert recorded == pytest.approx(per_step, rel=1e-3), run["seed"]


def test_micro_measure_times_every_dqn_on_our_network_and_batch(result):
    micro, cfg = result["micro"], DQNConfig()
    assert (micro["batch_size"], micro["hidden_sizes"]) == (cfg.batch_size, list(cfg.hidden_sizes))
    assert set(micro["implementations"]) == set(DQN_AGENTS)
    assert micro["implementations"]["sb3_dqn_ours"]["loss"] == cfg.loss
    for implementation in micro["implementations"].values():
        assert len(implementation["ms_per_step_runs"]) == micro["repeats"]
        assert implementation["ms_per_step_min"] == min(implementation["ms_per_step_runs"])
