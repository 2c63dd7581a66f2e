"""Tests for snippets/envs.py: the one episode record and loop every agent uses, and the adapters."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
import torch
from rl4rlhf.envs import Episode, OneHot, make_env, play_episode, space_size
from rl4rlhf.gridworld import ENV_ID, LEFT, RIGHT, GridWorld, random_policy


def test_an_episode_that_reaches_the_goal_is_terminated():
    plan = iter([1, 1, 1, RIGHT, RIGHT, RIGHT])  # down, down, down, right, right, right
    episode = play_episode(GridWorld(), lambda obs, rng: next(plan), rng=None, seed=0)
    assert isinstance(episode, Episode)
    assert episode.observations == [0, 4, 8, 12, 13, 14]  # the state each action was taken in
    assert episode.rewards == [-0.01] * 5 + [1.0]
    assert (episode.final_obs, episode.terminated) == (15, True)


def test_an_episode_cut_by_the_time_limit_is_not_terminated():
    episode = play_episode(GridWorld(max_steps=7), lambda obs, rng: LEFT, rng=None, seed=0)
    assert len(episode.actions) == len(episode.observations) == len(episode.rewards) == 7
    assert (episode.final_obs, episode.terminated) == (0, False)  # bumped the edge until time ran out


def test_the_policy_gets_the_observation_and_the_generator_it_was_given():
    seen = []

    def policy(obs, rng):
        seen.append((obs, rng))
        return RIGHT

    rng = np.random.default_rng(0)
    play_episode(GridWorld(("S.G",)), policy, rng, seed=0)
    assert seen == [(0, rng), (1, rng)]


def test_the_same_seeds_give_the_same_episode_and_the_loop_continues_the_envs_stream():
    def play(seed):
        return play_episode(GridWorld(), random_policy, np.random.default_rng(seed), seed=seed)

    assert play(3) == play(3) and play(3) != play(4)
    env = gym.make("FrozenLake-v1")  # a random environment: seed=None continues its stream
    first = play_episode(env, random_policy, np.random.default_rng(0), seed=0)
    second = play_episode(env, random_policy, np.random.default_rng(0), seed=None)
    again = play_episode(env, random_policy, np.random.default_rng(0), seed=0)
    assert first == again and isinstance(second, Episode)


def test_one_hot_wrapper_and_make_env():
    env = make_env(ENV_ID)
    assert isinstance(env, OneHot)
    assert env.observation_space == gym.spaces.Box(0.0, 1.0, (16,), np.float32)
    obs, _ = env.reset(seed=0)
    assert obs.dtype == np.float32 and obs.tolist() == [1.0] + [0.0] * 15  # the start, cell 0
    obs, *_ = env.step(RIGHT)
    assert np.flatnonzero(obs).tolist() == [1]
    cartpole = make_env("CartPole-v1")  # already a vector: left alone
    assert not isinstance(cartpole, OneHot) and cartpole.observation_space.shape == (4,)


def test_space_sizes():
    cartpole = make_env("CartPole-v1")
    assert space_size(cartpole.observation_space) == 4 and space_size(cartpole.action_space) == 2
    assert space_size(gym.spaces.Discrete(16)) == 16


def test_bad_environments_fail_by_name():
    with pytest.raises(ValueError, match="^env_id 'NoSuchEnv-v0' is not a registered environment"):
        make_env("NoSuchEnv-v0")
    with pytest.raises(ValueError, match="^env_id must name an env with flat Box or Discrete spaces"):
        make_env("Blackjack-v1")  # a Tuple observation space
    with pytest.raises(TypeError, match=r"^env must have numbered \(Discrete\) states"):
        OneHot(gym.make("CartPole-v1"))
    with pytest.raises(ValueError, match="^env_id must name an env with flat Box or Discrete spaces"):
        space_size(gym.spaces.Box(0.0, 1.0, (2, 2)))


def test_a_torch_generator_drives_a_torch_policy_reproducibly():
    from functools import partial

    from rl4rlhf.reinforce import CategoricalPolicy, sample_action

    torch.manual_seed(0)
    policy = partial(sample_action, CategoricalPolicy(16, 4, (8,)))
    env = make_env(ENV_ID)

    def play(seed):
        return play_episode(env, policy, torch.Generator().manual_seed(seed), seed=0).actions

    assert play(1) == play(1) and play(1) != play(2)
