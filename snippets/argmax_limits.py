"""Why Q-learning breaks down: argmax is deterministic, and it scores every action.

Two pieces of evidence for the post's limitations, both exact:

1. Rock-paper-scissors.  Argmax gives a deterministic policy, and every
   deterministic policy loses 1 per game to an opponent who knows it.  The
   uniform random policy cannot be exploited: it earns 0 against anything.
2. Counting, not timing.  To act, Q-learning needs a score for every action
   and then takes the max; a policy over a continuous action outputs a mean
   and a standard deviation once, and samples.

Run ``python -m rl4rlhf.argmax_limits`` to print both.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

import numpy as np
from rl4rlhf._checks import check_int
from tqdm import tqdm

ROCK, PAPER, SCISSORS = 0, 1, 2
Probs = Sequence[float] | np.ndarray  # one probability per move: rock, paper, scissors
MOVE_NAMES = ("rock", "paper", "scissors")


# --8<-- [start:rock_paper_scissors]
# PAYOFF[mine, theirs]: my reward for one game, +1 win, 0 draw, -1 loss.
PAYOFF = np.array(
    [
        [0, -1, +1],  # rock: loses to paper, beats scissors
        [+1, 0, -1],  # paper: beats rock, loses to scissors
        [-1, +1, 0],  # scissors: loses to rock, beats paper
    ]
)
UNIFORM = np.full(3, 1 / 3)  # the stochastic policy: 33/33/33


def always(move: int) -> np.ndarray:
    """The deterministic policy that plays ``move`` every time, e.g. always ROCK."""
    policy = np.zeros(3)
    policy[move] = 1.0
    return policy


def expected_payoff(policy: Probs, opponent: Probs) -> float:
    """My expected reward per game: Σ_i Σ_j π(i) PAYOFF[i, j] σ(j).

    Example: always rock against always paper loses every game.

        >>> expected_payoff(always(ROCK), always(PAPER))
        -1.0
    """
    return float(np.asarray(policy) @ PAYOFF @ np.asarray(opponent))


def play(policy: Probs, opponent: Probs, games: int, seed: int) -> float:
    """Simulate ``games`` games, sampling both players' moves; my mean reward."""
    rng = np.random.default_rng(seed)
    mine = rng.choice(3, size=games, p=policy)
    theirs = rng.choice(3, size=games, p=opponent)
    return float(PAYOFF[mine, theirs].mean())


# --8<-- [end:rock_paper_scissors]


# --8<-- [start:best_response]
def best_response(policy: Probs) -> int:
    """The opponent's move that does ``policy`` the most harm.

    The opponent knows my probabilities (Q-learning's argmax is no secret:
    same state, same move) and picks the reply with my lowest expected
    reward.  Ties go to the lowest move number.

        >>> MOVE_NAMES[best_response(always(ROCK))]
        'paper'
    """
    # Entry j: my expected reward if they play j.
    my_reward_per_reply = np.asarray(policy) @ PAYOFF
    # CRUCIAL: argMIN. The opponent's best reply is the one worst for me.
    return int(np.argmin(my_reward_per_reply))


def exploited_payoff(policy: Probs) -> float:
    """My expected reward per game against the best response to my policy.

    -1 for every deterministic policy, 0 for the uniform one:

        >>> [exploited_payoff(always(m)) for m in (ROCK, PAPER, SCISSORS)]
        [-1.0, -1.0, -1.0]
        >>> exploited_payoff(UNIFORM)
        0.0
    """
    return expected_payoff(policy, always(best_response(policy)))


# --8<-- [end:best_response]


class Counted:
    """Wrap a function and count its calls: a cost measure with no timing noise."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn, self.calls = fn, 0

    def __call__(self, *args: Any) -> Any:
        self.calls += 1
        return self.fn(*args)


# --8<-- [start:scoring_cost]
# Discrete actions.  A linear head gives one score per action, w_a · φ(s): the
# work grows with the number of actions, for Q-values and logits alike.
def act_by_argmax(features: np.ndarray, weights: np.ndarray) -> tuple[int, int]:
    """Q-learning: score every action, take the best; (action, scores computed)."""
    q_values = weights @ features  # one dot product per action
    return int(np.argmax(q_values)), q_values.size


def act_by_sampling(
    features: np.ndarray, weights: np.ndarray, rng: np.random.Generator
) -> tuple[int, int]:
    """A softmax policy on the same head; (action, logits computed).

    Sampling from n actions needs all n logits too: for discrete actions the
    cost is the same.  What differs is that argmax always gives the same action.
    """
    logits = weights @ features
    probs = np.exp(logits - logits.max())
    return int(rng.choice(logits.size, p=probs / probs.sum())), logits.size


# Continuous actions: a steering angle in [low, high] degrees.  A critic
# Q(s, a) takes the angle as an input, so argmax can only try a grid of angles.
def grid_size(low: float | str, high: float | str, step: float | str) -> int:
    """How many angles a grid from ``low`` to ``high`` in steps of ``step`` holds
    (exactly: give ``step`` as a string for decimals).

        >>> [grid_size(0, 45, step) for step in ("1", "0.1", "0.01")]
        [46, 451, 4501]
    """
    lo, hi, dx = (Fraction(str(x)) for x in (low, high, step))  # exact decimals
    return math.floor((hi - lo) / dx) + 1  # low, low + step, ..., up to high


def argmax_over_angles(
    q: Callable[[float], float], low: float, high: float, step: float | str
) -> float:
    """The grid angle with the highest Q: one Q evaluation per candidate."""
    n = grid_size(low, high, step)
    angles = float(low) + float(Fraction(str(step))) * np.arange(n)
    scores = [q(float(a)) for a in angles]  # n calls; as step → 0, n → ∞
    return float(angles[int(np.argmax(scores))])


def sample_angle(
    policy: Callable[[], tuple[float, float]], rng: np.random.Generator
) -> float:
    """A Gaussian policy: one forward pass gives (mean, std); then sample."""
    mean, std = policy()  # e.g. (23.5, 2.0) degrees, whatever the resolution
    return float(rng.normal(mean, std))


# --8<-- [end:scoring_cost]


def scoring_costs(
    vocabularies: Sequence[int] = (4, 18, 50_000),
    steps: Sequence[str] = ("1", "0.1", "0.01"),
    seed: int = 0,
) -> list[dict[str, Any]]:
    """Measure, by counting, what each way of acting computes per step.

    Discrete: a linear head with 8 features; the scores argmax needs and the
    logits sampling needs.  Continuous (a steering angle in 0-45°, a toy
    critic peaked at 23.5°): Q evaluations for argmax over a grid, and policy
    forward passes for a Gaussian policy with the post's mean 23.5° and
    std 2°.
    """
    for n in vocabularies:
        check_int("vocabularies (each)", n, minimum=1)
    rng = np.random.default_rng(check_int("seed", seed, minimum=0))
    rows = []
    for n in vocabularies:
        features, weights = rng.normal(size=8), rng.normal(size=(n, 8))
        _, q_scores = act_by_argmax(features, weights)
        _, logits = act_by_sampling(features, weights, rng)
        rows.append(
            {"actions": n, "kind": "discrete", "argmax": q_scores, "policy": logits}
        )
    for step in steps:
        critic = Counted(lambda angle: -((angle - 23.5) ** 2))
        policy = Counted(lambda: (23.5, 2.0))
        argmax_over_angles(critic, 0, 45, step)
        sample_angle(policy, rng)
        rows.append(
            {
                "actions": grid_size(0, 45, step),
                "kind": f"angle, {step}° grid",
                "argmax": critic.calls,  # Q evaluations
                "policy": policy.calls,  # forward passes, each giving (mean, std)
            }
        )
    return rows


def main(games: int = 30_000, seed: int = 0) -> dict[str, Any]:
    """Print the RPS payoffs (exact and simulated) and the scoring counts; JSON last."""
    games = check_int("games", games, minimum=1)
    seed = check_int("seed", seed, minimum=0)
    opponents = {name: always(m) for m, name in enumerate(MOVE_NAMES)}
    opponents["uniform"] = UNIFORM
    policies = {"always rock": always(ROCK), "uniform": UNIFORM}
    results: dict[str, dict[str, float]] = {name: {} for name in policies}
    jobs = [(p, o) for p in policies for o in opponents]
    for i, (p, o) in enumerate(tqdm(jobs, desc="RPS games", file=sys.stderr)):
        exact = expected_payoff(policies[p], opponents[o])
        simulated = play(policies[p], opponents[o], games, seed=seed + i)
        results[p][o] = round(simulated, 4)
        print(f"{p:12s} vs {o:9s}: exact {exact:+.3f}, {games} games {simulated:+.4f}")
    for p, policy in policies.items():
        reply = MOVE_NAMES[best_response(policy)]
        print(f"{p:12s} best response: {reply}, payoff {exploited_payoff(policy):+.3f}")
    costs = scoring_costs(seed=seed)
    for row in costs:
        print(
            f"{row['kind']:18s} {row['actions']:>6} actions: argmax computes "
            f"{row['argmax']}, the policy {row['policy']}"
        )
    summary = {
        "simulated": results,
        "exploited": {p: exploited_payoff(pol) for p, pol in policies.items()},
        "argmax_scores": [row["argmax"] for row in costs],
        "seed": seed,
    }
    print(json.dumps(summary))
    return summary


if __name__ == "__main__":
    main()
