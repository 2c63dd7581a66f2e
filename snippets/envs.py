"""The agent-environment loop, shared by every agent on the site.

One record of an episode and one loop that plays it, the same for the maze, for
CartPole and for a language model writing a response: only the environment and
the policy change.  Below them, the plumbing that lets a network read an
environment: numbered states as one-hot vectors, and the width of a space.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import gymnasium as gym
import numpy as np

# --8<-- [start:loop]
# A policy maps (observation, random number generator) to an action.  The
# generator is whatever the policy draws from: numpy's, or torch's.
Policy = Callable[[Any, Any], Any]


class Episode(NamedTuple):
    """What happened in one episode, step by step."""

    observations: list  # s_0, ..., s_{T-1}: the state each action was taken in
    actions: list  # a_0, ..., a_{T-1}
    rewards: list[float]  # rewards[t] is r_{t+1}, the reward for actions[t]
    final_obs: Any  # s_T, the state the episode stopped in
    terminated: bool  # True: a real end; False: the time limit cut it short


def play_episode(env: gym.Env, policy: Policy, rng: Any, seed=None) -> Episode:
    """Play one episode of ``policy`` in ``env``.  ``rng`` is the policy's
    randomness, ``seed`` the environment's (None: go on with its stream)."""
    obs, _ = env.reset(seed=seed)
    observations, actions, rewards = [], [], []
    terminated = truncated = False
    while not (terminated or truncated):  # CRUCIAL: either flag ends the episode
        action = policy(obs, rng)
        observations.append(obs)
        actions.append(action)
        obs, reward, terminated, truncated, _ = env.step(action)
        rewards.append(float(reward))
    return Episode(observations, actions, rewards, obs, bool(terminated))


# --8<-- [end:loop]


# --8<-- [start:one_hot]
class OneHot(gym.ObservationWrapper):
    """A Discrete observation (the maze's cell) as a one-hot vector: cell 5 of 16
    becomes [0, 0, 0, 0, 0, 1, 0, ..., 0].  A network cannot read "cell 5" as a
    number (cell 5 is not "more" than cell 4), but it can read one input per cell.
    """

    def __init__(self, env: gym.Env) -> None:
        if not isinstance(env.observation_space, gym.spaces.Discrete):
            space = env.observation_space
            raise TypeError(f"env must have numbered (Discrete) states, got {space}")
        super().__init__(env)
        self.n = int(env.observation_space.n)
        self.observation_space = gym.spaces.Box(0.0, 1.0, (self.n,), np.float32)

    def observation(self, observation: int) -> np.ndarray:
        return np.eye(self.n, dtype=np.float32)[observation]


# --8<-- [end:one_hot]


def make_env(env_id: str) -> gym.Env:
    """``gym.make(env_id)``, with one-hot observations if the states are numbered.

    The one door through which every agent's ``train()`` gets its environment,
    so a bad ``env_id`` or an unusable space fails here, by name.
    """
    try:
        env = gym.make(env_id)
    except gym.error.Error as err:  # an unknown or malformed id
        raise ValueError(
            f"env_id {env_id!r} is not a registered environment: {err}"
        ) from None
    if isinstance(env.observation_space, gym.spaces.Discrete):
        return OneHot(env)
    space_size(env.observation_space)  # raises for a space a network cannot read
    return env


def space_size(space: gym.Space) -> int:
    """A Box's width (its one dimension) or a Discrete's count: 4 for CartPole's
    observations, 2 for its actions."""
    if isinstance(space, gym.spaces.Discrete):
        return int(space.n)
    if isinstance(space, gym.spaces.Box) and len(space.shape) == 1:
        return int(space.shape[0])
    raise ValueError(
        f"env_id must name an env with flat Box or Discrete spaces, got {space}"
    )
