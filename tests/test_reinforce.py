"""Tests for snippets/reinforce.py: the config, the weights, the update's direction, and learning."""

from __future__ import annotations

import dataclasses
from functools import partial

import numpy as np
import pytest
import torch
from rl4rlhf.envs import make_env, play_episode
from rl4rlhf.gridworld import GridWorld
from rl4rlhf.reinforce import (
    MAZE_CONFIG,
    STEERING_CONFIG,
    STEERING_ID,
    CategoricalPolicy,
    GaussianPolicy,
    ReinforceConfig,
    Steering,
    batch_returns,
    log_prob,
    policy_loss,
    reinforce_weights,
    sample_action,
    train,
)

from rl4rlhf import reinforce
from tests.demo import run_demo


@pytest.fixture(autouse=True)
def one_thread():
    """One CPU thread: identical floating-point sums from run to run, and no oversubscription."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def greedy_maze_return(policy: CategoricalPolicy) -> float:
    """Walk the maze taking the most probable action each step; return the episode's return."""
    env = make_env("rlhf/GridWorld-v0")
    obs, _ = env.reset(seed=0)
    total, done = 0.0, False
    while not done:
        with torch.no_grad():
            action = int(policy(torch.as_tensor(obs)[None]).probs.argmax())
        obs, reward, terminated, truncated, _ = env.step(action)
        total, done = total + reward, terminated or truncated
    return total


# --- The config -------------------------------------------------------------------------------


def test_defaults_are_the_cartpole_settings():
    cfg = ReinforceConfig()
    assert cfg.env_id == "CartPole-v1" and (cfg.learning_rate, cfg.gamma, cfg.hidden_sizes) == (1e-2, 0.99, (128,))
    assert cfg.batch_episodes == 1 and cfg.normalize and cfg.baseline == "value"
    # Measured on the policy-gradient page (figures/gamma_t.py fails the build if these stop winning).
    assert not cfg.weight_by_gamma_t and cfg.bootstrap_truncated
    assert (cfg.solve_threshold, cfg.running_weight, cfg.running_start) == (475.0, 0.05, 10.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.gamma = 0.5


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("learning_rate", 0.0),
        ("learning_rate", -1e-3),
        ("learning_rate", float("nan")),
        ("value_learning_rate", 0.0),
        ("gamma", -0.1),
        ("gamma", 1.01),
        ("gamma", float("nan")),
        ("episodes", 0),
        ("episodes", -3),
        ("batch_episodes", 0),
        ("batch_episodes", 1.5),
        ("init_std", 0.0),
        ("running_weight", 0.0),
        ("running_weight", 1.5),
        ("baseline", "mean"),
        ("hidden_sizes", ()),
        ("hidden_sizes", (64, 0)),
        ("solve_threshold", float("inf")),
        ("running_start", float("nan")),
    ],
)
def test_bad_config_raises_value_error_naming_the_field(field, value):
    with pytest.raises(ValueError, match=rf"^{field}\b"):
        ReinforceConfig(**{field: value})


# --- The weights: returns-to-go, discounted once -------------------------------------------------


def test_weights_are_returns_to_go_by_hand():
    rewards = [1.0, 2.0, 4.0]
    gamma = 0.5
    # G_2 = 4, G_1 = 2 + 0.5 * 4 = 4, G_0 = 1 + 0.5 * 4 = 3.
    assert reinforce_weights([rewards], gamma).tolist() == [3.0, 4.0, 4.0]


def test_weight_by_gamma_t_multiplies_step_t_by_gamma_to_the_t():
    """γ^t G_t: the weights of the exact gradient of E[G_0] (Sutton & Barto §13.3), not a double discount."""
    weights = reinforce_weights([[1.0, 2.0, 4.0], [8.0, 8.0]], 0.5, weight_by_gamma_t=True)
    # Episode 1: G = [3, 4, 4] times [1, 0.5, 0.25]; episode 2 restarts at t = 0: G = [12, 8] times [1, 0.5].
    assert weights.tolist() == [3.0, 2.0, 1.0, 12.0, 4.0]
    values = torch.tensor([1.0, 2.0, 0.0, 2.0, 0.0])
    # The baseline comes off before the factor: γ^t (G_t - V(s_t)).
    assert reinforce_weights([[1.0, 2.0, 4.0], [8.0, 8.0]], 0.5, values, weight_by_gamma_t=True).tolist() == [
        2.0,
        1.0,
        1.0,
        10.0,
        4.0,
    ]


def test_a_truncated_episode_bootstraps_from_the_value_where_it_was_cut():
    # rewards [1, 1] cut off where V = 10, γ = 0.5: G_1 = 1 + 0.5 * 10 = 6, G_0 = 1 + 0.5 * 6 = 4.
    assert batch_returns([[1.0, 1.0]], 0.5, last_values=[10.0]).tolist() == [4.0, 6.0]
    # An episode that really ended (last value 0) is plain returns-to-go, in the same batch.
    assert batch_returns([[1.0, 1.0], [2.0]], 0.5, last_values=[10.0, 0.0]).tolist() == [4.0, 6.0, 2.0]
    assert reinforce_weights([[1.0, 1.0]], 0.5, last_values=[10.0]).tolist() == [4.0, 6.0]


def test_play_episode_reports_where_the_time_limit_cut_it():
    from rl4rlhf.gridworld import LEFT

    class Stubborn(CategoricalPolicy):
        def forward(self, obs):  # always LEFT: bumps the edge until the time limit
            return torch.distributions.Categorical(logits=torch.tensor([[0.0, 0.0, 1e9, 0.0]]))

    env = make_env("rlhf/GridWorld-v0")
    stubborn = partial(sample_action, Stubborn(16, 4))
    episode = play_episode(env, stubborn, torch.Generator().manual_seed(0), seed=0)
    assert episode.actions == [LEFT] * 100 and episode.rewards == [-1.0] * 100  # GridWorld's max_steps
    assert not episode.terminated and int(np.argmax(episode.final_obs)) == 0  # cut off at the start cell
    gaussian = partial(sample_action, GaussianPolicy(1, 1))
    steering = play_episode(Steering(), gaussian, torch.Generator().manual_seed(0), seed=0)
    assert steering.terminated  # a real end: nothing to bootstrap


def test_bootstrapping_needs_a_value_baseline():
    with pytest.raises(ValueError, match="^bootstrap_truncated needs baseline='value'"):
        ReinforceConfig(baseline="none")
    assert not ReinforceConfig(baseline="none", bootstrap_truncated=False).bootstrap_truncated


def test_weights_concatenate_episodes_and_subtract_the_baseline():
    weights = reinforce_weights([[1.0, 1.0], [5.0]], 1.0, values=torch.tensor([0.5, 0.5, 1.0]))
    assert weights.tolist() == [1.5, 0.5, 4.0]  # [2, 1] and [5], minus V(s_t)


def test_normalized_weights_have_mean_zero_and_std_one():
    weights = reinforce_weights([[-0.01, -0.01, 1.0], [-1.0, -1.0, -0.01]], 1.0, normalize=True)
    assert abs(float(weights.mean())) < 1e-6 and abs(float(weights.std()) - 1.0) < 1e-5


def test_the_baseline_gets_no_gradient():
    values = torch.tensor([0.3, 0.2], requires_grad=True)
    assert not reinforce_weights([[1.0, 1.0]], 1.0, values=values).requires_grad


# --- The update's direction ----------------------------------------------------------------------


@pytest.mark.parametrize("sign", [+1.0, -1.0])
def test_one_update_moves_the_taken_action_with_the_sign_of_G(sign):
    torch.manual_seed(0)
    policy = CategoricalPolicy(16, 4, (8,))
    obs, action = torch.eye(16)[:1], torch.tensor([3])  # (1, 16), (1,)
    before = log_prob(policy(obs), action).item()
    optimizer = torch.optim.SGD(policy.parameters(), lr=0.1)
    loss = policy_loss(log_prob(policy(obs), action), torch.tensor([sign]), 1)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    after = log_prob(policy(obs), action).item()
    assert (after - before) * sign > 0  # positive G: more likely; negative G: less likely


def test_sampling_is_reproducible_with_a_generator():
    torch.manual_seed(0)
    policy = CategoricalPolicy(4, 3, (8,))
    obs = np.ones(4, np.float32)

    def draws(seed: int) -> list[int]:
        generator = torch.Generator().manual_seed(seed)
        return [sample_action(policy, obs, generator) for _ in range(30)]

    assert draws(5) == draws(5) and set(draws(5)) <= {0, 1, 2}
    assert draws(5) != draws(6)


def test_gaussian_policy_starts_at_init_std():
    policy = GaussianPolicy(1, 1, (8,), init_std=15.0)
    dist = policy(torch.ones(5, 1))
    assert dist.mean.shape == (5, 1) and torch.allclose(dist.stddev, torch.full((5, 1), 15.0))


# --- The steering env ----------------------------------------------------------------------------


def test_steering_rewards_the_best_angle():
    env = Steering()
    obs, _ = env.reset(seed=0)
    assert obs.tolist() == [1.0] and env.observation_space.contains(obs)
    assert env.step(np.array([23.5]))[1:3] == (0.0, True)
    assert env.step(np.array([13.5]))[1] == pytest.approx(-1.0)
    assert env.step(np.array([500.0]))[4]["angle"] == 90.0  # clipped


# --- Learning ------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_maze_greedy_policy_takes_the_shortest_path(seed):
    result = train(dataclasses.replace(MAZE_CONFIG, seed=seed))
    assert greedy_maze_return(result.policy) == pytest.approx(0.95)  # 5 * (-0.01) + 1.0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_steering_mean_goes_to_23_5_and_std_shrinks(seed):
    result = train(dataclasses.replace(STEERING_CONFIG, seed=seed))
    with torch.no_grad():
        mean = float(result.policy(torch.ones(1, 1)).mean)
        std = float(result.policy.log_std.exp()[0])
    assert abs(mean - 23.5) < 0.5
    assert std < STEERING_CONFIG.init_std / 10


def test_same_seed_same_run():
    cfg = dataclasses.replace(MAZE_CONFIG, episodes=40, seed=3)
    first, second = train(cfg), train(cfg)
    assert first.episode_returns == second.episode_returns
    assert first.running_rewards == second.running_rewards
    assert train(dataclasses.replace(cfg, seed=4)).episode_returns != first.episode_returns


def test_running_reward_and_stop_when_solved():
    cfg = dataclasses.replace(STEERING_CONFIG, episodes=64, solve_threshold=-1e6, running_start=0.0)
    result = train(dataclasses.replace(cfg, stop_when_solved=True))
    assert result.episodes_to_solve == 1 and len(result.episode_returns) == 1
    assert result.running_rewards[0] == pytest.approx(0.05 * result.episode_returns[0])
    full = train(cfg)
    assert len(full.episode_returns) == 64 and full.episodes_to_solve == 1


def test_cartpole_loop_turns_over_with_and_without_baseline():
    for baseline in ("value", "none"):
        cfg = ReinforceConfig(episodes=3, baseline=baseline, bootstrap_truncated=baseline == "value", seed=0)
        result = train(cfg)
        assert len(result.episode_returns) == 3 and result.episodes_to_solve is None


# --- The command line ----------------------------------------------------------------------------


def test_parse_config_uses_the_env_preset():
    assert reinforce.parse_config(["--env-id", STEERING_ID]) == STEERING_CONFIG
    cfg = reinforce.parse_config(["--env-id", "rlhf/GridWorld-v0", "--no-normalize", "--hidden-sizes", "8", "8"])
    assert cfg.hidden_sizes == (8, 8) and not cfg.normalize and cfg.gamma == MAZE_CONFIG.gamma
    with pytest.raises(SystemExit) as exited:
        reinforce.parse_config(["--gamma", "2"])
    assert exited.value.code == 2


def test_demo_prints_one_json_line():
    summary, done = run_demo("rl4rlhf.reinforce", "--env-id", STEERING_ID, "--episodes", "64", "--seed", "2")
    assert set(summary) >= {"episodes", "episodes_to_solve", "final_running_reward", "wall_s", "seed", "mean", "std"}
    assert summary["episodes"] == 64 and summary["seed"] == 2
    assert "reinforce" in done.stderr  # the tqdm progress bar


def test_an_unknown_env_id_fails_by_name():
    with pytest.raises(ValueError, match="env_id 'rlhf/NoSuchEnv-v0'"):
        train(dataclasses.replace(MAZE_CONFIG, env_id="rlhf/NoSuchEnv-v0"))
    assert isinstance(make_env("rlhf/GridWorld-v0").unwrapped, GridWorld)


def test_on_update_sees_the_policy_after_every_update_and_changes_nothing():
    """The reinforce-maze widget's data is made with ``on_update``: one look per update, at the policy
    just updated, and the run is the same as without it."""
    cfg = dataclasses.replace(MAZE_CONFIG, episodes=24, seed=0)
    seen = []
    looked = train(cfg, on_update=lambda policy: seen.append([v.clone() for v in policy.state_dict().values()]))
    plain = train(cfg)
    assert len(seen) == cfg.episodes // cfg.batch_episodes
    assert looked.episode_returns == plain.episode_returns
    last = list(looked.policy.state_dict().values())
    assert all(torch.equal(a, b) for a, b in zip(seen[-1], last, strict=True))  # the final policy, last
    assert not all(torch.equal(a, b) for a, b in zip(seen[0], seen[1], strict=True))  # each look, a new policy


def test_a_shorter_run_is_a_prefix_of_a_longer_one():
    """The maze notebook trains once and reads, with ``on_update``, the policy after N episodes as the
    policy of a run of N episodes: the same episodes, and the same weights."""
    short = train(dataclasses.replace(MAZE_CONFIG, episodes=16, seed=0))
    seen = []
    long = train(
        dataclasses.replace(MAZE_CONFIG, episodes=40, seed=0),
        on_update=lambda policy: seen.append([v.clone() for v in policy.state_dict().values()]),
    )
    assert long.episode_returns[:16] == short.episode_returns
    after_16 = seen[16 // MAZE_CONFIG.batch_episodes - 1]
    assert all(torch.equal(a, b) for a, b in zip(after_16, short.policy.state_dict().values(), strict=True))


# --- The page's exercises -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["batch_returns", "reinforce_weights", "policy_loss"])
def test_the_exercise_check_passes_on_the_snippet(name):
    """The reader's check (python -m rl4rlhf_exercises check NAME) holds this module's function to the same cases."""
    import rl4rlhf_exercises
    from rl4rlhf import reinforce

    report = rl4rlhf_exercises.check(name, getattr(reinforce, name), time_limit_s=120.0)
    assert report.passed, report.text()
