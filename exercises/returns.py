"""Exercises for "The return" (docs/fundamentals/return.md).

Fill in each function, then run ``python -m rl4rlhf_exercises check NAME`` from the
repository's root.  The solutions are in ``snippets/returns.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


# --8<-- [start:discounted_return]
def discounted_return(rewards: Sequence[float], gamma: float = 1.0) -> float:
    """The return of a whole episode: G_0 = r_1 + γ r_2 + γ² r_3 + ...

    ``rewards[0]`` is r_1, the reward for the first action.  Return a plain
    Python float.  Example: one step at -0.01, then the goal at +1.00:

        >>> round(discounted_return([-0.01, 1.00]), 2)             # γ = 1
        0.99
        >>> round(discounted_return([-0.01, 1.00], gamma=0.9), 2)  # -0.01 + 0.9 * 1.00
        0.89
    """
    raise NotImplementedError


# --8<-- [end:discounted_return]


# --8<-- [start:returns_to_go]
def returns_to_go(rewards: Sequence[float], gamma: float = 1.0) -> np.ndarray:
    """The return from every step onward, G_t = r_{t+1} + γ G_{t+1}, in ONE pass.

    Return a float numpy array as long as ``rewards``.  Example: four steps at
    -0.01, then the goal at +1.00 (γ = 1):

        >>> np.round(returns_to_go([-0.01, -0.01, -0.01, -0.01, 1.00]), 2).tolist()
        [0.96, 0.97, 0.98, 0.99, 1.0]
    """
    raise NotImplementedError


# --8<-- [end:returns_to_go]
