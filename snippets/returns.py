"""Returns: how much reward an episode collects, counted from some step onward.

The convention follows the post: ``rewards[0]`` is r_1, the reward for the
first action, and the return from the start of an episode is

    G_0 = r_1 + γ r_2 + γ² r_3 + ...

so the k-th reward after the first is weighted γ^k.  With γ = 1 the return is
the plain sum; with γ < 1 rewards that arrive later count for less.

Run ``python -m rl4rlhf.returns`` to print the post's worked examples.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np

Rewards = Sequence[float] | np.ndarray


# --8<-- [start:discounted_return]
def discounted_return(rewards: Rewards, gamma: float = 1.0) -> float:
    """The return of a whole episode: G_0 = r_1 + γ r_2 + γ² r_3 + ...

    Example: one step costs -0.01, the next reaches the goal for +1.00.

        >>> round(discounted_return([-0.01, 1.00]), 2)             # γ = 1
        0.99
        >>> round(discounted_return([-0.01, 1.00], gamma=0.9), 2)  # -0.01 + 0.9 * 1.00
        0.89
    """
    # The k-th reward after the first is weighted γ^k (the first one gets γ^0 = 1).
    return float(sum(gamma**k * r for k, r in enumerate(rewards)))


# --8<-- [end:discounted_return]


# --8<-- [start:returns_to_go]
def returns_to_go(rewards: Rewards, gamma: float = 1.0) -> np.ndarray:
    """The return from every step onward: G_t = r_{t+1} + γ r_{t+2} + γ² r_{t+3} + ...

    ``rewards[t]`` is r_{t+1}, the reward for the action taken at step t. Computed
    with the recursion G_t = r_{t+1} + γ G_{t+1}, starting from the end.
    Example: four steps at -0.01, then the goal at +1.00 (γ = 1). The goal's
    value ripples backwards, losing 0.01 per step:

        >>> np.round(returns_to_go([-0.01, -0.01, -0.01, -0.01, 1.00]), 2).tolist()
        [0.96, 0.97, 0.98, 0.99, 1.0]
    """
    G = np.zeros(len(rewards))
    future = 0.0  # nothing comes after the last reward
    # CRUCIAL: loop BACKWARDS. G_t needs G_{t+1}, so the last step goes first.
    for t in reversed(range(len(rewards))):
        future = rewards[t] + gamma * future  # G_t = r_{t+1} + γ G_{t+1}
        G[t] = future
    return G


# --8<-- [end:returns_to_go]


# --8<-- [start:examples]
# The post's worked examples, as the rewards of one episode each.

# "Why cumulative reward?": from A, step right to B (-0.01), then down into
# the goal (+1.00).  Return 0.99 with γ = 1 and 0.89 with γ = 0.9.
A_TO_GOAL = [-0.01, 1.00]

# "Discounted return": a goal ten steps away, with nothing on the way.  With
# γ = 0.9 the +1 is weighted 0.9**10 = 0.3487, "about 0.35".
GOAL_TEN_STEPS_AWAY = [0.0] * 10 + [1.0]

# Policy gradient, episode 1 (good): right, down, right into the goal.
# Return +0.98.
GOOD_EPISODE = [-0.01, -0.01, 1.00]

# Policy gradient, episode 2 (bad): left into the wall twice (-1.00 each),
# then four steps of wandering (-0.01 each).  Return -2.04.
BAD_EPISODE = [-1.00, -1.00, -0.01, -0.01, -0.01, -0.01]

# DQN, the ripple (γ = 1): the goal's value spreads back one cell at a time.
# "Next cell is ~1.0, so I'm ~0.99" ... "cell ahead is ~0.97, so I'm ~0.96":
# returns_to_go(RIPPLE) == [0.96, 0.97, 0.98, 0.99, 1.0].
RIPPLE = [-0.01] * 4 + [1.00]

# --8<-- [end:examples]

EXAMPLES = {
    "A_TO_GOAL": A_TO_GOAL,
    "GOAL_TEN_STEPS_AWAY": GOAL_TEN_STEPS_AWAY,
    "GOOD_EPISODE": GOOD_EPISODE,
    "BAD_EPISODE": BAD_EPISODE,
    "RIPPLE": RIPPLE,
}


def main() -> dict[str, dict[str, float]]:
    """Print every example's return with γ = 1 and γ = 0.9; the last line is JSON."""
    summary = {}
    for name, rewards in EXAMPLES.items():
        g1, g09 = discounted_return(rewards, 1.0), discounted_return(rewards, 0.9)
        print(f"{name:20s} rewards={rewards}")
        print(f"{'':20s} G(γ=1) = {g1:+.4f}   G(γ=0.9) = {g09:+.4f}")
        summary[name] = {"gamma_1": round(g1, 4), "gamma_0.9": round(g09, 4)}
    ripple = returns_to_go(RIPPLE, 1.0)
    print(f"{'returns_to_go(RIPPLE)':20s} = {np.round(ripple, 2).tolist()}")
    print(json.dumps(summary))
    return summary


if __name__ == "__main__":
    main()
