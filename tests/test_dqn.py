"""Tests for snippets/dqn.py: the config, the parts of DQN one by one, and learning the maze."""

from __future__ import annotations

import copy
import dataclasses
import json

import gymnasium as gym
import numpy as np
import pytest
import torch
from rl4rlhf.dqn import (
    MAZE_CONFIG,
    Batch,
    DQNConfig,
    QNetwork,
    ReplayBuffer,
    epsilon_at,
    evaluate,
    greedy_action,
    td_target,
    train,
    train_step,
    update_target,
)
from rl4rlhf.envs import OneHot, make_env
from rl4rlhf.gridworld import DOWN, ENV_ID, RIGHT, UP, GridWorld, shortest_path_actions
from rl4rlhf_exercises.cases import fixed_q  # the lookup-table "network" the reader's check uses too
from torch import nn

from rl4rlhf import dqn
from tests.demo import run_demo

# Test-only variants of the maze, registered once: a time limit too short to reach the goal
# (every episode is truncated, none terminates), and a 1x3 corridor where both endings happen.
SHORT_MAZE, CORRIDOR = "rlhf-test/ShortMaze-v0", "rlhf-test/Corridor-v0"
for env_id, kwargs in ((SHORT_MAZE, {"max_steps": 5}), (CORRIDOR, {"layout": ("S.G",), "max_steps": 3})):
    if env_id not in gym.registry:
        gym.register(id=env_id, entry_point="rl4rlhf.gridworld:GridWorld", kwargs=kwargs)

# A quick maze run for tests that only need the loop to turn over, not to learn.
TINY = dataclasses.replace(MAZE_CONFIG, total_steps=300, learning_starts=100, eval_every=100)


@pytest.fixture(autouse=True)
def one_thread():
    """One CPU thread: identical floating-point sums from run to run, and no oversubscription."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def greedy_maze_rollout(q_network: nn.Module) -> tuple[float, list[int]]:
    """Walk the maze greedily from the start; return (return, actions)."""
    env = OneHot(GridWorld())
    obs, _ = env.reset(seed=0)
    total, actions, done = 0.0, [], False
    while not done:
        actions.append(greedy_action(q_network, obs))
        obs, reward, terminated, truncated, _ = env.step(actions[-1])
        total, done = total + reward, terminated or truncated
    return total, actions


def one_hot(states: list[int], n: int = 16) -> torch.Tensor:
    return torch.eye(n)[states]  # (B, n)


# --- The config -------------------------------------------------------------------------------


def test_defaults_are_the_cartpole_settings():
    cfg = DQNConfig()
    assert cfg.env_id == "CartPole-v1" and cfg.total_steps == 50_000
    assert (cfg.learning_rate, cfg.batch_size, cfg.gamma, cfg.buffer_size) == (2.3e-3, 64, 0.99, 100_000)
    assert (cfg.train_frequency, cfg.gradient_steps, cfg.target_update_interval) == (64, 16, 64)
    assert (cfg.epsilon_start, cfg.epsilon_end, cfg.exploration_fraction) == (1.0, 0.04, 0.16)
    assert cfg.hidden_sizes == (256, 256) and cfg.learning_starts == 1_000
    assert cfg.solve_threshold == 475.0 and cfg.eval_episodes == 20
    assert cfg.loss == "mse"  # the post's squared difference
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.gamma = 0.5


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("learning_rate", 0.0),
        ("learning_rate", -1e-3),
        ("learning_rate", float("nan")),
        ("gamma", -0.1),
        ("gamma", 1.01),
        ("gamma", float("nan")),
        ("total_steps", 0),
        ("buffer_size", -5),
        ("train_frequency", 0),
        ("gradient_steps", 0),
        ("target_update_interval", 0),
        ("eval_every", 0),
        ("eval_episodes", 0),
        ("max_grad_norm", 0.0),
        ("epsilon_start", 1.5),
        ("epsilon_end", -0.01),
        ("exploration_fraction", 0.0),
        ("exploration_fraction", 1.5),
        ("tau", 0.0),
        ("tau", 2.0),
        ("loss", "l1"),
        ("hidden_sizes", ()),
        ("hidden_sizes", (64, 0)),
    ],
)
def test_bad_config_raises_value_error_naming_the_field(field, value):
    with pytest.raises(ValueError, match=rf"^{field}\b"):
        DQNConfig(**{field: value})


def test_batch_must_fit_in_the_buffer_and_in_the_warm_up():
    with pytest.raises(ValueError, match=r"batch_size must be <= buffer_size \(100\), got 128"):
        DQNConfig(batch_size=128, buffer_size=100, learning_starts=200)
    with pytest.raises(ValueError, match=r"learning_starts must be >= batch_size \(64\), got 10"):
        DQNConfig(batch_size=64, learning_starts=10)
    DQNConfig(batch_size=64, buffer_size=64, learning_starts=64)  # the edge is fine


# --- The parts ----------------------------------------------------------------------------------


def test_epsilon_schedule_worked_example():
    # CartPole: 1.0 -> 0.04 over 0.16 * 50,000 = 8,000 steps.
    values = [epsilon_at(s, 1.0, 0.04, 8_000) for s in (0, 2_000, 4_000, 8_000, 8_001, 50_000)]
    assert values == pytest.approx([1.0, 0.76, 0.52, 0.04, 0.04, 0.04])
    steps = np.arange(0, 10_000, 37)
    eps = [epsilon_at(int(s), 1.0, 0.04, 8_000) for s in steps]
    assert all(a >= b for a, b in zip(eps, eps[1:], strict=False))  # never goes back up


def test_q_network_outputs_one_q_per_action():
    torch.manual_seed(0)
    net = QNetwork(obs_dim=4, n_actions=2, hidden_sizes=(8, 8))
    assert net(torch.zeros(5, 4)).shape == (5, 2)
    linears = [m for m in net.modules() if isinstance(m, nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [(4, 8), (8, 8), (8, 2)]


def test_replay_buffer_is_a_ring_that_overwrites_the_oldest():
    buffer = ReplayBuffer(capacity=3, obs_dim=2)
    for i in range(5):
        buffer.add(np.full(2, i), i % 2, float(i), np.full(2, i + 1), terminated=i == 4)
    assert buffer.size == 3 and buffer.pos == 2
    # Slots 0 and 1 were overwritten by transitions 3 and 4; slot 2 still holds transition 2.
    assert buffer.rewards.tolist() == [3.0, 4.0, 2.0]
    assert buffer.obs[:, 0].tolist() == [3.0, 4.0, 2.0]
    assert buffer.next_obs[:, 0].tolist() == [4.0, 5.0, 3.0]
    assert buffer.actions.tolist() == [1, 0, 0]
    assert buffer.terminated.tolist() == [0.0, 1.0, 0.0]


def test_replay_buffer_samples_only_what_it_holds_and_is_seeded():
    buffer = ReplayBuffer(capacity=100, obs_dim=3)
    for i in range(10):
        buffer.add(np.full(3, i), 1, float(i), np.full(3, i + 1), terminated=False)
    batch = buffer.sample(64, np.random.default_rng(0))
    assert isinstance(batch, Batch)
    assert batch.obs.shape == batch.next_obs.shape == (64, 3) and batch.obs.dtype == torch.float32
    assert batch.actions.shape == (64,) and batch.actions.dtype == torch.int64
    assert batch.rewards.shape == batch.terminated.shape == (64,)
    assert set(batch.rewards.tolist()) <= set(range(10))  # never an empty slot
    assert torch.equal(batch.next_obs[:, 0], batch.rewards + 1)  # rows stay together
    again = buffer.sample(64, np.random.default_rng(0))
    other = buffer.sample(64, np.random.default_rng(1))
    assert all(torch.equal(a, b) for a, b in zip(batch, again, strict=True))
    assert not torch.equal(batch.rewards, other.rewards)


# --- The Bellman target: terminal vs truncated --------------------------------------------------


def test_td_target_does_not_bootstrap_through_termination_but_does_through_truncation():
    # The next state has Q-values [2.0, 5.0, -1.0, 0.0]: max 5.0.
    q_values = [[0.0] * 4 for _ in range(16)]
    q_values[15] = [2.0, 5.0, -1.0, 0.0]
    target_network = fixed_q(q_values)
    rewards = torch.tensor([1.0, 1.0])
    next_obs = one_hot([15, 15])  # the same next state for both
    terminated = torch.tensor([1.0, 0.0])  # the first really ended; the second hit a time limit
    target = td_target(target_network, rewards, next_obs, terminated, gamma=0.9)
    assert target.tolist() == pytest.approx([1.0, 1.0 + 0.9 * 5.0])  # [r, r + γ max Q]
    assert not target.requires_grad  # a label: no gradient flows through it


def test_td_target_matches_the_posts_worked_example():
    # A -> right -> B, reward -0.01, best Q at B is 0.90, γ = 0.99: target 0.881.
    q_values = [[0.0] * 4 for _ in range(16)]
    q_values[1] = [0.2, 0.4, 0.1, 0.90]
    target = td_target(fixed_q(q_values), torch.tensor([-0.01]), one_hot([1]), torch.tensor([0.0]), 0.99)
    assert target.item() == pytest.approx(-0.01 + 0.99 * 0.90)


def record_buffer_adds(monkeypatch) -> list[tuple]:
    """Make train() use a replay buffer that also keeps a list of every add() call."""
    calls: list[tuple] = []

    class RecordingBuffer(ReplayBuffer):
        def add(self, obs, action, reward, next_obs, terminated):
            calls.append((np.argmax(obs), action, reward, np.argmax(next_obs), terminated))
            super().add(obs, action, reward, next_obs, terminated)

    monkeypatch.setattr(dqn, "ReplayBuffer", RecordingBuffer)
    return calls


def test_training_stores_terminated_not_truncated_at_a_time_limit(monkeypatch):
    # max_steps = 5 but the goal is 6 moves away: every episode is truncated, none terminates.
    calls = record_buffer_adds(monkeypatch)
    train(dataclasses.replace(TINY, env_id=SHORT_MAZE))
    assert len(calls) == 300
    assert [terminated for *_, terminated in calls] == [False] * 300
    # The env is reset every 5 steps, but the stored next_obs is the real one, the one the
    # last move led to, not the start cell the reset put the agent back on.
    P = GridWorld().P
    for i, (state, action, reward, next_state, _) in enumerate(calls):
        assert P[state][action] == [(1.0, next_state, reward, False)]
        if i % 5 == 4 and i + 1 < len(calls):
            assert calls[i + 1][0] == 0  # the next episode starts from S


def test_training_stores_terminated_when_the_goal_is_reached(monkeypatch):
    calls = record_buffer_adds(monkeypatch)
    train(dataclasses.replace(TINY, env_id=CORRIDOR))
    goal = GridWorld(("S.G",)).goal_state
    ended = [terminated for *_, next_state, terminated in calls if next_state == goal]
    assert ended and all(ended)  # reaching the goal is stored as an ending ...
    assert not any(terminated for *_, next_state, terminated in calls if next_state != goal)  # ... nothing else


# --- The gradient step and the target network ----------------------------------------------------


def a_fixed_batch(seed: int = 0, size: int = 32) -> Batch:
    """A batch of maze transitions with made-up rewards; about 30% of them terminal."""
    rng = np.random.default_rng(seed)
    pairs = rng.permutation(16 * 4)[:size]  # distinct (state, action) pairs: one label each
    states, actions, next_states = pairs // 4, pairs % 4, rng.integers(0, 16, size)
    return Batch(
        one_hot(states.tolist()),
        torch.from_numpy(actions),
        torch.from_numpy(rng.normal(size=size).astype(np.float32)),
        one_hot(next_states.tolist()),
        torch.from_numpy((rng.random(size) < 0.3).astype(np.float32)),
    )


def reference_loss(q_network, target_network, batch: Batch, gamma: float, loss: str) -> float:
    """The loss written out one transition at a time, independently of train_step."""
    errors = []
    with torch.no_grad():
        for i in range(len(batch.actions)):
            best_next = max(target_network(batch.next_obs[i : i + 1])[0].tolist())
            target = batch.rewards[i].item() + gamma * (1 - batch.terminated[i].item()) * best_next
            errors.append(q_network(batch.obs[i : i + 1])[0, batch.actions[i]].item() - target)
    errors = np.array(errors)
    if loss == "mse":
        return float(np.mean(errors**2))
    return float(np.mean(np.where(np.abs(errors) < 1, 0.5 * errors**2, np.abs(errors) - 0.5)))


@pytest.mark.parametrize("loss", ["mse", "huber"])
def test_train_step_loss_matches_a_reference_and_decreases_on_a_fixed_batch(loss):
    torch.manual_seed(0)
    cfg = dataclasses.replace(MAZE_CONFIG, loss=loss, learning_rate=1e-2)
    q_network = QNetwork(16, 4, (32,))
    target_network = copy.deepcopy(q_network)
    optimizer = torch.optim.Adam(q_network.parameters(), lr=cfg.learning_rate)
    batch = a_fixed_batch()
    expected = reference_loss(q_network, target_network, batch, cfg.gamma, loss)
    losses = [train_step(q_network, target_network, optimizer, batch, cfg) for _ in range(100)]
    assert losses[0] == pytest.approx(expected, rel=1e-5)
    assert losses[-1] < 0.1 * losses[0]


def test_train_step_leaves_the_target_network_alone_until_it_is_synced():
    torch.manual_seed(0)
    q_network = QNetwork(16, 4, (32,))
    target_network = copy.deepcopy(q_network)
    frozen = copy.deepcopy(target_network.state_dict())
    optimizer = torch.optim.Adam(q_network.parameters(), lr=1e-2)
    for _ in range(5):
        train_step(q_network, target_network, optimizer, a_fixed_batch(), MAZE_CONFIG)
    for name, value in target_network.state_dict().items():
        assert torch.equal(value, frozen[name]), name  # untouched by 5 gradient steps
        assert not torch.equal(value, q_network.state_dict()[name]), name  # while Q moved on
        assert value.grad is None
    update_target(target_network, q_network, tau=1.0)  # the sync: a plain copy
    for name, value in target_network.state_dict().items():
        assert torch.equal(value, q_network.state_dict()[name]), name


def test_soft_update_moves_the_target_part_of_the_way():
    a, b = nn.Linear(2, 1), nn.Linear(2, 1)
    with torch.no_grad():
        a.weight.fill_(0.0), a.bias.fill_(0.0), b.weight.fill_(1.0), b.bias.fill_(-2.0)
    update_target(a, b, tau=0.25)
    assert a.weight.tolist() == [[0.25, 0.25]] and a.bias.tolist() == [-0.5]


def test_the_loop_syncs_the_target_every_interval(monkeypatch):
    synced_at = []
    monkeypatch.setattr(dqn, "update_target", lambda target, q, tau: synced_at.append(len(synced_at)))
    train(dataclasses.replace(TINY, target_update_interval=40))
    assert len(synced_at) == 300 // 40


# --- Evaluation and the whole loop --------------------------------------------------------------


def test_evaluate_a_perfect_and_a_hopeless_greedy_policy():
    envs = [make_env(ENV_ID) for _ in range(3)]
    q_values = [[0.0] * 4 for _ in range(16)]
    state = 0
    for action in shortest_path_actions(GridWorld()):  # make the shortest path the greedy one
        q_values[state][action] = 1.0
        state = GridWorld().P[state][action][0][1]
    assert evaluate(fixed_q(q_values), envs) == pytest.approx(0.95)
    always_up = [[1.0, 0.0, 0.0, 0.0] for _ in range(16)]  # bumps the top edge 100 times
    assert evaluate(fixed_q(always_up), envs[:2]) == pytest.approx(-100.0)
    assert greedy_action(fixed_q(always_up), np.eye(16, dtype=np.float32)[3]) == UP


def sequential_evaluate(q_network, envs) -> float:
    """The reference: one episode after another, one forward pass per state."""
    returns = []
    for env in envs:
        obs, _ = env.reset()
        total, done = 0.0, False
        while not done:
            obs, reward, terminated, truncated, _ = env.step(greedy_action(q_network, obs))
            total, done = total + float(reward), terminated or truncated
        returns.append(total)
    return float(np.mean(returns))


@pytest.mark.parametrize("seed", [0, 1])
def test_batched_evaluate_matches_one_episode_after_another(seed):
    torch.manual_seed(seed)
    q_network = QNetwork(4, 2, (16,))  # untrained: its episodes end at different steps
    batched, sequential = ([make_env("CartPole-v1") for _ in range(6)] for _ in range(2))
    for i, (a, b) in enumerate(zip(batched, sequential, strict=True)):
        a.reset(seed=seed * 100 + i)
        b.reset(seed=seed * 100 + i)
    for _ in range(2):  # a second evaluation continues each env's own random stream
        got, want = evaluate(q_network, batched), sequential_evaluate(q_network, sequential)
        assert got == want
    lengths = {sequential_evaluate(q_network, [env]) for env in sequential}
    assert len(lengths) > 1  # the episodes really did end at different times


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_dqn_learns_the_maze(seed):
    result = train(dataclasses.replace(MAZE_CONFIG, seed=seed))
    total, actions = greedy_maze_rollout(result.q_network)
    assert total == pytest.approx(0.95)  # the optimal return: six moves
    assert len(actions) == 6 and actions.count(DOWN) == 3 and actions.count(RIGHT) == 3
    assert result.final_eval_mean == pytest.approx(0.95)
    assert result.steps_to_solve is not None and result.steps_to_solve <= MAZE_CONFIG.total_steps
    assert result.best_eval_mean == pytest.approx(0.95)
    # The result's bookkeeping.
    steps = [s for s, _ in result.eval_history]
    assert steps == list(range(500, 3_001, 500))
    first = next(s for s, mean in result.eval_history if mean >= MAZE_CONFIG.solve_threshold)
    assert result.steps_to_solve == first and result.env_steps == 3_000
    assert len(result.episode_returns) > 10 and result.wall_s > 0


def test_same_seed_same_run_and_another_seed_another_run():
    first, again, other = (train(dataclasses.replace(TINY, seed=s)) for s in (7, 7, 8))
    assert first.episode_returns == again.episode_returns
    assert first.eval_history == again.eval_history
    for (name, a), b in zip(first.q_network.state_dict().items(), again.q_network.state_dict().values(), strict=True):
        assert torch.equal(a, b), name
    assert first.episode_returns != other.episode_returns


def test_an_eval_every_that_does_not_divide_total_steps_still_evaluates_at_the_end():
    result = train(dataclasses.replace(TINY, total_steps=250))
    assert [s for s, _ in result.eval_history] == [100, 200, 250]
    assert result.final_eval_mean == result.eval_history[-1][1]


# --- The command line ---------------------------------------------------------------------------


def test_parse_config_uses_the_preset_for_the_env_and_the_flags_on_top(capsys):
    assert dqn.parse_config([]) == DQNConfig()
    maze = dqn.parse_config(["--env-id", ENV_ID, "--seed", "4", "--hidden-sizes", "32", "16"])
    assert maze == dataclasses.replace(MAZE_CONFIG, seed=4, hidden_sizes=(32, 16))
    cartpole = dqn.parse_config(["--total-steps", "1000", "--learning-rate", "1e-3", "--loss", "huber"])
    assert (cartpole.total_steps, cartpole.learning_rate, cartpole.loss) == (1000, 1e-3, "huber")
    for flags, message in (
        (["--gamma", "2"], "error: gamma must be in [0, 1], got 2.0"),
        (["--env-id", "NoSuchEnv-v0"], "error: env_id 'NoSuchEnv-v0' is not a registered environment"),
    ):
        with pytest.raises(SystemExit) as exited:
            dqn.parse_config(flags)
        assert exited.value.code == 2
        err = capsys.readouterr().err
        assert len(err.splitlines()) == 1 and message in err


def test_main_prints_one_json_line(capsys):
    out = dqn.main(["--env-id", ENV_ID, "--total-steps", "300", "--learning-starts", "100", "--eval-every", "150"])
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1 and json.loads(lines[0]) == out
    assert out["env_steps"] == 300 and out["seed"] == 1 and out["env_id"] == ENV_ID
    assert [s for s, _ in out["eval_history"]] == [150, 300]


def test_python_dash_m_runs_the_demo_on_the_maze():
    summary, done = run_demo("rl4rlhf.dqn", "--env-id", ENV_ID, "--total-steps", "300", "--seed", "2")
    assert set(summary) >= {"eval_mean_return", "env_steps", "wall_s", "steps_to_solve", "seed"}
    assert summary["env_steps"] == 300 and summary["seed"] == 2
    assert "dqn" in done.stderr  # the tqdm progress bar


# --- The build's figure helpers (figures/dqn.py) ---------------------------------------------------


def test_figure_runs_are_trained_once_and_then_read_from_disk(tmp_path, monkeypatch):
    from figures import dqn as dqn_figures

    monkeypatch.setattr(dqn_figures._runs, "RUNS", tmp_path)
    first = dqn_figures.dqn_run(TINY)
    assert dqn_figures.run_path(TINY).parent == tmp_path and dqn_figures.run_path(TINY).is_file()
    assert first["env_steps"] == 300 and first["seed"] == TINY.seed
    monkeypatch.setattr(dqn_figures, "train", lambda cfg: pytest.fail("trained the same run twice"))
    assert dqn_figures.dqn_run(TINY) == first
    assert dqn_figures.run_path(dataclasses.replace(TINY, seed=2)) != dqn_figures.run_path(TINY)
    assert dqn_figures.run_path(DQNConfig(seed=2)).name.startswith("dqn-CartPole-v1-seed2-")


def test_value_iteration_on_the_maze_gives_the_discounted_shortest_path():
    from figures.dqn import maze_optimal_values

    gamma = 0.99
    values = maze_optimal_values(gamma)
    start = sum(-0.01 * gamma**k for k in range(5)) + gamma**5 * 1.0  # five steps, then the goal
    assert values[0] == pytest.approx(start)
    assert values[14] == pytest.approx(1.0) and values[11] == pytest.approx(1.0)  # next to the goal


# --- The page's exercises -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["td_target", "update_target", "epsilon_at"])
def test_the_exercise_check_passes_on_the_snippet(name):
    """The reader's check (python -m rl4rlhf_exercises check NAME) holds this module's function to the same cases."""
    import rl4rlhf_exercises
    from rl4rlhf import dqn

    report = rl4rlhf_exercises.check(name, getattr(dqn, name), time_limit_s=120.0)
    assert report.passed, report.text()
