"""The cases every exercise's check runs: the snippets' own tests, as functions of the answer.

Each ``<exercise>_cases()`` returns the cases for one exercise.  They are the
worked numbers, reference comparisons and properties that ``tests/test_<module>.py``
holds the snippet to, with fixed seeds, so that a check is as strict as the tests.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from rl4rlhf.lm_model import LMConfig, Responses, TinyLM
from rl4rlhf.returns import A_TO_GOAL, BAD_EPISODE, GOAL_TEN_STEPS_AWAY, RIPPLE
from rl4rlhf_exercises._check import Case, Fn, Mismatch, close, holds, number, show
from torch import nn

GAMMAS = (0.0, 0.5, 0.9, 0.99, 1.0)


def call(fn: Fn, *args: object, **kwargs: object) -> tuple[str, Any]:
    """``fn(*args, **kwargs)`` and how the call reads, for a report."""
    shown = [show(a) for a in args] + [f"{k}={show(v)}" for k, v in kwargs.items()]
    given = f"{getattr(fn, '__name__', 'f')}({', '.join(shown)})"
    try:
        return given, fn(*args, **kwargs)
    except NotImplementedError:
        raise
    except Exception as err:  # the answer crashed: report the input that made it crash
        raised = f"raised {type(err).__name__}: {err}"
        raise Mismatch(given, "a return value", raised, raised) from err


# --- Returns ------------------------------------------------------------------------


def reference_returns_to_go(rewards: np.ndarray, gamma: float) -> np.ndarray:
    """G = M @ r with M[t, k] = γ^(k - t) for k >= t, else 0 (upper triangular)."""
    n = len(rewards)
    t, k = np.indices((n, n))
    M = np.where(k >= t, gamma ** np.clip(k - t, 0, None), 0.0)
    return M @ rewards


def random_rewards(seed: int) -> list[float]:
    rng = np.random.default_rng(seed)
    return [round(float(r), 3) for r in rng.normal(size=rng.integers(2, 12))]


def discounted_return_cases() -> list[Case]:
    def posts_numbers(fn: Fn) -> None:
        for rewards, gamma, expected in [
            (A_TO_GOAL, 1.0, 0.99),
            (A_TO_GOAL, 0.9, 0.89),
            (GOAL_TEN_STEPS_AWAY, 0.9, 0.9**10),
            (BAD_EPISODE, 1.0, -2.04),
        ]:
            given, actual = call(fn, rewards, gamma=gamma)
            close(given, actual, expected)

    def formula(fn: Fn) -> None:
        for seed in range(4):
            for gamma in GAMMAS:
                rewards = random_rewards(seed)
                given, actual = call(fn, rewards, gamma)
                close(given, actual, reference_returns_to_go(np.array(rewards), gamma)[0])

    def plain_float(fn: Fn) -> None:
        given, actual = call(fn, np.array([1, 2, 3]), 0.5)
        number(given, actual, float)
        close(given, actual, 2.75)

    def default_gamma(fn: Fn) -> None:
        given, actual = call(fn, [-0.01, 1.00])
        close(given, actual, 0.99)

    return [
        Case("the post's worked numbers", posts_numbers),
        Case("Σ γ^k r_(k+1) for random episodes and γ in {0, 0.5, 0.9, 0.99, 1}", formula),
        Case("returns a plain float, also for an int array", plain_float),
        Case("γ defaults to 1", default_gamma),
    ]


def returns_to_go_cases() -> list[Case]:
    def ripple(fn: Fn) -> None:
        given, actual = call(fn, RIPPLE)
        close(given, actual, [0.96, 0.97, 0.98, 0.99, 1.0])

    def matrix_formula(fn: Fn) -> None:
        for seed in range(4):
            for gamma in GAMMAS:
                rewards = np.array(random_rewards(seed))
                given, actual = call(fn, rewards, gamma)
                close(given, actual, reference_returns_to_go(rewards, gamma), atol=1e-9)

    def recursion(fn: Fn) -> None:
        rewards, gamma = [0.5, -1.0, 2.0, 0.25], 0.8
        given, G = call(fn, rewards, gamma)
        close(given, G, reference_returns_to_go(np.array(rewards), gamma))
        G = np.asarray(G)
        holds(G[-1] == rewards[-1], given, f"G[-1] = r_T = {rewards[-1]}", show(G), "the last step has no future")

    def gamma_zero(fn: Fn) -> None:
        given, actual = call(fn, [3.0, -1.0, 0.5, 2.0], 0.0)
        close(given, actual, [3.0, -1.0, 0.5, 2.0])

    def array_of_floats(fn: Fn) -> None:
        given, actual = call(fn, [1, 2, 3], 0.5)
        holds(
            isinstance(actual, np.ndarray) and actual.dtype == np.float64,
            given,
            "a float64 numpy array",
            f"{type(actual).__name__} {getattr(actual, 'dtype', '')}",
            "returns the wrong type",
        )
        close(given, actual, [2.75, 3.5, 3.0])

    return [
        Case("the post's ripple: [0.96, 0.97, 0.98, 0.99, 1.0]", ripple),
        Case("G = M @ r (the matrix formula) for random episodes and γ", matrix_formula),
        Case("G_t = r_(t+1) + γ G_(t+1), and G at the last step is its reward", recursion),
        Case("γ = 0 gives the rewards themselves", gamma_zero),
        Case("a float64 numpy array, also for int rewards", array_of_floats),
    ]


# --- The Q-function -----------------------------------------------------------------


def bellman_target_cases() -> list[Case]:
    def posts_numbers(fn: Fn) -> None:
        for gamma, expected in [(1.0, 0.89), (0.99, 0.881)]:
            given, actual = call(fn, -0.01, [0.90, 0.40], gamma=gamma)
            close(given, actual, expected)

    def terminal(fn: Fn) -> None:
        given, actual = call(fn, 1.0, [100.0, 50.0], gamma=0.99, terminated=True)
        close(given, actual, 1.0)

    def not_terminal(fn: Fn) -> None:
        given, actual = call(fn, 1.0, [100.0, 50.0], gamma=0.99, terminated=False)
        close(given, actual, 100.0)

    def formula(fn: Fn) -> None:
        for seed in range(5):
            rng = np.random.default_rng(seed)
            reward = round(float(rng.normal()), 3)
            q = np.round(rng.normal(size=rng.integers(1, 6)), 3)
            gamma = round(float(rng.uniform()), 3)
            given, actual = call(fn, reward, q, gamma)
            close(given, actual, reward + gamma * q.max())
            number(given, actual, float)

    return [
        Case("the post's worked numbers: 0.89 (γ = 1) and 0.881 (γ = 0.99)", posts_numbers),
        Case("a terminal step does not bootstrap: the target is r", terminal),
        Case("a step that did not terminate bootstraps: r + γ max Q(s')", not_terminal),
        Case("r + γ max_a' Q(s', a') for random inputs, as a plain float", formula),
    ]


def epsilon_greedy_cases() -> list[Case]:
    def picks(fn: Fn, q_row: list[float], epsilon: float, seed: int, n: int) -> tuple[str, np.ndarray]:
        rng = np.random.default_rng(seed)
        given = f"epsilon_greedy(np.array({q_row}), {epsilon}, rng) {n} times, rng = default_rng({seed})"
        actions = [fn(np.array(q_row), epsilon, rng) for _ in range(n)]
        for a in actions:
            holds(type(a) is int, given, "an int action", f"{type(a).__name__} {a!r}", "returns a non-int action")
            holds(0 <= a < len(q_row), given, f"0 <= action < {len(q_row)}", str(a), "action out of range")
        return given, np.bincount(actions, minlength=len(q_row))

    def ties_at_random(fn: Fn) -> None:
        given, counts = picks(fn, [0.0, 0.0, 0.0, 0.0], 0.0, 0, 4000)
        ok = counts.min() > 900 and counts.max() < 1100
        holds(ok, given, "about 1000 of each action", f"counts {counts.tolist()}", "ties are not broken at random")

    def only_the_tied_best(fn: Fn) -> None:
        given, counts = picks(fn, [1.0, 3.0, 3.0, 0.0], 0.0, 1, 400)
        ok = counts[0] == counts[3] == 0 and counts[1] > 150 and counts[2] > 150
        holds(ok, given, "actions 1 and 2 only, about half each", f"counts {counts.tolist()}", "wrong picks")

    def unique_best(fn: Fn) -> None:
        given, counts = picks(fn, [0.1, 0.3, 0.0, 0.2], 0.0, 2, 100)
        holds(counts[1] == 100, given, "action 1 every time", f"counts {counts.tolist()}", "ε = 0 must be greedy")

    def full_exploration(fn: Fn) -> None:
        given, counts = picks(fn, [0.0, 0.0, 0.0, 5.0], 1.0, 3, 4000)
        ok = counts.min() > 900 and counts.max() < 1100
        holds(ok, given, "about 1000 of each action", f"counts {counts.tolist()}", "ε = 1 must be uniform")

    def exploration_rate(fn: Fn) -> None:
        given, counts = picks(fn, [0.0, 0.0, 0.0, 5.0], 0.2, 4, 10_000)
        off = 1 - counts[3] / counts.sum()  # explores 20% of the time, 3/4 of that off-greedy
        ok = abs(off - 0.15) < 0.015
        holds(ok, given, "off-greedy 15% of the time (0.2 * 3/4)", f"{off:.1%}", "ε is not the exploration rate")

    return [
        Case("ties are broken at random (all-zero Q: each action ~1/4)", ties_at_random),
        Case("only the tied best actions are picked", only_the_tied_best),
        Case("ε = 0 picks the unique best action", unique_best),
        Case("ε = 1 picks uniformly", full_exploration),
        Case("ε = 0.2 explores 20% of the time", exploration_rate),
    ]


def td_update_cases() -> list[Case]:
    def worked_example(fn: Fn) -> None:
        q = np.array([[0.5, 0.0], [0.9, 0.2]])
        given = "td_update(q=[[0.5, 0.0], [0.9, 0.2]], 0, 0, -0.01, 1, False, alpha=0.5, gamma=0.99)"
        error = fn(q, 0, 0, -0.01, 1, False, alpha=0.5, gamma=0.99)
        close(given + " returns", error, 0.381)
        number(given, error, float)
        close(given + " leaves q", q, [[0.6905, 0.0], [0.9, 0.2]])

    def terminal(fn: Fn) -> None:
        q = np.array([[0.0, 0.0], [100.0, 100.0]])
        given = "td_update(q=[[0, 0], [100, 100]], 0, 1, 1.0, 1, True, alpha=1.0, gamma=1.0)"
        fn(q, 0, 1, 1.0, 1, True, alpha=1.0, gamma=1.0)
        close(given + " leaves q", q, [[0.0, 1.0], [100.0, 100.0]])

    def formula(fn: Fn) -> None:
        for seed in range(4):
            rng = np.random.default_rng(seed)
            q = np.round(rng.normal(size=(3, 2)), 2)
            s, a, s2 = (int(x) for x in rng.integers(0, [3, 2, 3]))
            r, alpha, gamma, done = round(float(rng.normal()), 2), 0.3, 0.9, bool(seed % 2)
            given = f"td_update(q={q.tolist()}, {s}, {a}, {r}, {s2}, {done}, alpha={alpha}, gamma={gamma})"
            expected, target = q.copy(), r if done else r + gamma * q[s2].max()
            expected[s, a] += alpha * (target - q[s, a])
            td_error = target - q[s, a]
            error = fn(q, s, a, r, s2, done, alpha=alpha, gamma=gamma)
            close(given + " returns", error, td_error)
            close(given + " leaves q", q, expected)

    return [
        Case("the worked example: TD error 0.381, Q(s, a) = 0.6905, nothing else moves", worked_example),
        Case("a terminal step does not bootstrap", terminal),
        Case("Q(s, a) += α (r + γ max Q(s') - Q(s, a)) for random steps", formula),
    ]


# --- DQN ----------------------------------------------------------------------------


def fixed_q(q_values: list[list[float]]) -> nn.Module:
    """A "network" whose Q-values for a one-hot state s are q_values[s] (a lookup table)."""
    table = torch.tensor(q_values, dtype=torch.float32)  # (n_states, n_actions)
    net = nn.Linear(table.shape[0], table.shape[1], bias=False)
    with torch.no_grad():
        net.weight.copy_(table.T)  # one-hot @ W.T picks a row of the table
    return net


def td_target_cases() -> list[Case]:
    table = [[0.0, 0.0, 0.0, 0.0] for _ in range(4)]
    table[1], table[3] = [0.2, 0.4, 0.1, 0.9], [2.0, 5.0, -1.0, 0.0]
    eye = torch.eye(4)

    def posts_example(fn: Fn) -> None:
        given = "rewards [-0.01], next state B (Q = [0.2, 0.4, 0.1, 0.9]), not terminated, γ = 0.99"
        actual = fn(fixed_q(table), torch.tensor([-0.01]), eye[[1]], torch.tensor([0.0]), 0.99)
        close(given, actual, [-0.01 + 0.99 * 0.9])

    def terminal_vs_truncated(fn: Fn) -> None:
        given = "rewards [1, 1], the same next state (max Q 5.0), terminated [1, 0], γ = 0.9"
        actual = fn(fixed_q(table), torch.tensor([1.0, 1.0]), eye[[3, 3]], torch.tensor([1.0, 0.0]), 0.9)
        close(given, actual, [1.0, 1.0 + 0.9 * 5.0])

    def no_gradient(fn: Fn) -> None:
        given = "a target network whose parameters require grad"
        actual = fn(fixed_q(table), torch.tensor([0.5]), eye[[3]], torch.tensor([0.0]), 0.9)
        holds(isinstance(actual, torch.Tensor), given, "a tensor", type(actual).__name__, "returns no tensor")
        holds(
            not actual.requires_grad,
            given,
            "a target with requires_grad=False",
            "requires_grad=True",
            "gradient flows through the target (use torch.no_grad())",
        )

    def random_batch(fn: Fn) -> None:
        torch.manual_seed(0)
        net = nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 2))
        g = torch.Generator().manual_seed(1)
        rewards, next_obs = torch.randn(6, generator=g), torch.randn(6, 3, generator=g)  # (6,), (6, 3)
        terminated = torch.tensor([0.0, 1.0, 0.0, 0.0, 1.0, 0.0])
        with torch.no_grad():
            expected = rewards + 0.95 * (1 - terminated) * net(next_obs).max(dim=1).values
        given = f"a random MLP, rewards {show(rewards)}, terminated {terminated.tolist()}, γ = 0.95"
        close(given, fn(net, rewards, next_obs, terminated, 0.95), expected.numpy(), atol=1e-5)

    return [
        Case("the post's example: -0.01 + 0.99 * 0.90 = 0.881", posts_example),
        Case("terminated: no bootstrap; truncated: bootstrap", terminal_vs_truncated),
        Case("the target is a label: no gradient flows through it", no_gradient),
        Case("r + γ (1 - terminated) max_a' Q_target(s', a') on a random batch of 6", random_batch),
    ]


def _linear(weight: float, bias: float) -> nn.Linear:
    layer = nn.Linear(2, 1)
    with torch.no_grad():
        layer.weight.fill_(weight), layer.bias.fill_(bias)
    return layer


def update_target_cases() -> list[Case]:
    def params(net: nn.Module) -> list[float]:
        return torch.cat([p.detach().flatten() for p in net.parameters()]).tolist()

    def soft(fn: Fn) -> None:
        target, online = _linear(0.0, 0.0), _linear(1.0, -2.0)
        given = "target: weight 0, bias 0; online: weight 1, bias -2; tau = 0.25"
        fn(target, online, 0.25)
        close(given + "; target after", params(target), [0.25, 0.25, -0.5])
        close(given + "; online after", params(online), [1.0, 1.0, -2.0])

    def copy(fn: Fn) -> None:
        target, online = _linear(0.5, 3.0), _linear(-1.0, 2.0)
        fn(target, online, 1.0)
        close("tau = 1 (a plain copy); target after", params(target), [-1.0, -1.0, 2.0])

    def frozen(fn: Fn) -> None:
        target, online = _linear(0.5, 3.0), _linear(-1.0, 2.0)
        fn(target, online, 0.0)
        close("tau = 0 (no change); target after", params(target), [0.5, 0.5, 3.0])

    def network(fn: Fn) -> None:
        torch.manual_seed(0)
        target = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
        online = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
        expected = 0.9 * np.array(params(target)) + 0.1 * np.array(params(online))
        fn(target, online, 0.1)
        given = "two random 3-4-2 MLPs, tau = 0.1; target's parameters after"
        close(given, params(target), expected, atol=1e-6)
        for p in target.parameters():
            holds(p.grad is None, given, "no gradient on the target", "a .grad", "the update made a gradient")

    return [
        Case("tau = 0.25 moves the target a quarter of the way; the online net stays", soft),
        Case("tau = 1 copies the online network", copy),
        Case("tau = 0 leaves the target as it is", frozen),
        Case("τ·online + (1-τ)·target for every parameter of an MLP", network),
    ]


def epsilon_at_cases() -> list[Case]:
    def worked_example(fn: Fn) -> None:
        for step, expected in [(0, 1.0), (2_000, 0.76), (4_000, 0.52), (8_000, 0.04), (8_001, 0.04), (50_000, 0.04)]:
            given, actual = call(fn, step, 1.0, 0.04, 8_000)
            close(given, actual, expected)

    def monotone(fn: Fn) -> None:
        eps = [fn(s, 1.0, 0.04, 8_000) for s in range(0, 10_000, 37)]
        ok = all(a >= b for a, b in zip(eps, eps[1:], strict=False)) and min(eps) >= 0.04 - 1e-9
        holds(ok, "steps 0, 37, ..., 9990, 1.0 -> 0.04 over 8,000", "never rises, never below 0.04", show(eps[-5:]), "")

    def other_settings(fn: Fn) -> None:
        for step, expected in [(0, 0.5), (250, 0.3), (500, 0.1), (10_000, 0.1)]:
            given, actual = call(fn, step, 0.5, 0.1, 500)
            close(given, actual, expected)

    return [
        Case("the worked example: 1.0 -> 0.04 over 8,000 steps", worked_example),
        Case("never rises and stays at `end` after the decay", monotone),
        Case("other settings: 0.5 -> 0.1 over 500 steps", other_settings),
    ]


# --- Policy gradient ----------------------------------------------------------------


def batch_returns_cases() -> list[Case]:
    def plain(fn: Fn) -> None:
        given, actual = call(fn, [[1.0, 2.0, 4.0]], 0.5)
        close(given, actual, [3.0, 4.0, 4.0])

    def concatenated(fn: Fn) -> None:
        given, actual = call(fn, [[1.0, 1.0], [5.0], [0.5, -1.0, 2.0]], 0.9)
        expected = np.concatenate([reference_returns_to_go(np.array(r), 0.9) for r in ([1, 1], [5], [0.5, -1, 2])])
        close(given, actual, expected)
        holds(isinstance(actual, torch.Tensor), given, "a torch tensor", type(actual).__name__, "returns no tensor")

    def truncated(fn: Fn) -> None:
        given, actual = call(fn, [[1.0, 1.0]], 0.5, last_values=[10.0])
        close(given, actual, [4.0, 6.0])

    def mixed(fn: Fn) -> None:
        given, actual = call(fn, [[1.0, 1.0], [2.0]], 0.5, last_values=[10.0, 0.0])
        close(given, actual, [4.0, 6.0, 2.0])

    return [
        Case("returns-to-go by hand: [1, 2, 4], γ = 0.5 -> [3, 4, 4]", plain),
        Case("episodes concatenated, as one tensor", concatenated),
        Case("a cut-off episode bootstraps: [1, 1], V = 10, γ = 0.5 -> [4, 6]", truncated),
        Case("a real end (V = 0) in the same batch is plain returns-to-go", mixed),
    ]


def reinforce_weights_cases() -> list[Case]:
    def by_hand(fn: Fn) -> None:
        given, actual = call(fn, [[1.0, 2.0, 4.0]], 0.5)
        close(given, actual, [3.0, 4.0, 4.0])

    def baseline(fn: Fn) -> None:
        given, actual = call(fn, [[1.0, 1.0], [5.0]], 1.0, values=torch.tensor([0.5, 0.5, 1.0]))
        close(given, actual, [1.5, 0.5, 4.0])

    def no_gradient(fn: Fn) -> None:
        values = torch.tensor([0.3, 0.2], requires_grad=True)
        given, actual = call(fn, [[1.0, 1.0]], 1.0, values=values)
        close(given, actual, [1.7, 0.8])
        holds(
            not actual.requires_grad,
            given + " with values.requires_grad",
            "weights with requires_grad=False",
            "requires_grad=True",
            "the baseline is not detached: the policy loss would train the value network",
        )

    def gamma_t(fn: Fn) -> None:
        given, actual = call(fn, [[1.0, 2.0, 4.0], [8.0, 8.0]], 0.5, weight_by_gamma_t=True)
        close(given, actual, [3.0, 2.0, 1.0, 12.0, 4.0])
        values = torch.tensor([1.0, 2.0, 0.0, 2.0, 0.0])
        given, actual = call(fn, [[1.0, 2.0, 4.0], [8.0, 8.0]], 0.5, values, weight_by_gamma_t=True)
        close(given, actual, [2.0, 1.0, 1.0, 10.0, 4.0])

    def normalized(fn: Fn) -> None:
        given, actual = call(fn, [[-0.01, -0.01, 1.0], [-1.0, -1.0, -0.01]], 1.0, normalize=True)
        G = np.array([0.98, 0.99, 1.0, -2.01, -1.01, -0.01])
        close(given, actual, (G - G.mean()) / G.std(ddof=1), atol=1e-5)

    def truncated(fn: Fn) -> None:
        given, actual = call(fn, [[1.0, 1.0]], 0.5, last_values=[10.0])
        close(given, actual, [4.0, 6.0])

    return [
        Case("G_t by hand: [1, 2, 4], γ = 0.5 -> [3, 4, 4]", by_hand),
        Case("the baseline comes off: G_t - V(s_t)", baseline),
        Case("the baseline gets no gradient (detached)", no_gradient),
        Case("weight_by_gamma_t: γ^t (G_t - V(s_t)), t restarting per episode", gamma_t),
        Case("normalize: mean 0, std 1 over the batch", normalized),
        Case("last_values: a cut-off episode bootstraps", truncated),
    ]


def policy_loss_cases() -> list[Case]:
    def by_hand(fn: Fn) -> None:
        log_probs, weights = torch.tensor([-0.5, -1.0, -2.0]), torch.tensor([2.0, 1.0, 0.5])
        given, actual = call(fn, log_probs, weights, 2)
        close(given, actual, -(2 * -0.5 + 1 * -1.0 + 0.5 * -2.0) / 2)  # 1.5

    def gradient(fn: Fn) -> None:
        log_probs = torch.tensor([-0.5, -1.0, -2.0, -0.1], requires_grad=True)
        weights = torch.tensor([2.0, 1.0, -1.0, 0.5])
        given = f"policy_loss({show(log_probs)}, {show(weights)}, 2).backward()"
        loss = fn(log_probs, weights, 2)
        holds(
            isinstance(loss, torch.Tensor) and loss.shape == (),
            given,
            "a scalar tensor",
            show(loss),
            "the loss must be one number to call backward() on",
        )
        loss.backward()
        expected = (-weights / 2).tolist()
        if log_probs.grad is None:
            raise Mismatch(given, f"log_probs.grad = {expected}", "None", "no gradient reaches log_probs")
        close(given + ": log_probs.grad", log_probs.grad, expected)

    return [
        Case("-(1/N) Σ weight_t log π(a_t|s_t) by hand", by_hand),
        Case("its gradient is -weight_t / N: descending it climbs J", gradient),
    ]


# --- Language models ----------------------------------------------------------------


def _frequencies(fn: Fn, probs: list[float], temperature: float, seed: int) -> tuple[str, np.ndarray]:
    logits = torch.log(torch.tensor(probs)).expand(20_000, len(probs))  # (B, vocab)
    given = f"sample_next(log({probs}) in 20,000 rows, temperature={temperature}, generator(seed={seed}))"
    tokens = fn(logits, temperature, torch.Generator().manual_seed(seed))
    holds(
        isinstance(tokens, torch.Tensor) and tokens.shape == (20_000,) and not tokens.is_floating_point(),
        given,
        "a (20000,) tensor of token ids",
        show(tokens, 120),
        "wrong type or shape",
    )
    return given, (torch.bincount(tokens, minlength=len(probs)) / len(tokens)).numpy()


def sample_next_cases() -> list[Case]:
    p = np.array([0.6, 0.3, 0.1])

    def at(temperature: float) -> Case:
        expected = p ** (1 / temperature) / (p ** (1 / temperature)).sum()  # softmax(log p / T) ∝ p^(1/T)

        def run(fn: Fn) -> None:
            given, frequencies = _frequencies(fn, p.tolist(), temperature, 0)
            close(given + ": frequencies", frequencies, expected, atol=0.015, rtol=0)

        return Case(f"temperature {temperature}: frequencies of softmax(logits / {temperature})", run)

    def argmax(fn: Fn) -> None:
        logits = torch.tensor([[0.1, 2.0, 1.9], [3.0, -1.0, 2.9]])
        for seed in range(3):
            given, actual = call(fn, logits, 0, torch.Generator().manual_seed(seed))
            close(given, actual, [1, 0], atol=0)

    return [at(2.0), at(1.0), at(0.5), Case("temperature 0 is the argmax of each row", argmax)]


def token_weights_cases() -> list[Case]:
    rewards, lengths = [1.0, 0.25, 0.25], [3, 1, 2]  # mean reward 0.5

    def plain(baseline: str, b: float) -> Case:
        def run(fn: Fn) -> None:
            given, out = call(fn, rewards, lengths, baseline)
            holds(isinstance(out, tuple) and len(out) == 2, given, "(weights, rows)", show(out), "returns no pair")
            weights, rows = out
            close(given + ": weights", weights, [1.0 - b] * 3 + [0.25 - b] + [0.25 - b] * 2)
            close(given + ": rows", rows, [[1.0 - b] * 3, [0.25 - b, 0.0, 0.0], [0.25 - b] * 2 + [0.0]])

        return Case(f"baseline {baseline!r}: every token gets R - {b}, rows padded with 0", run)

    def loo(fn: Fn) -> None:
        given, out = call(fn, rewards, lengths, "loo")
        close(given + ": weights", out[0], [0.75] * 3 + [-0.375] + [-0.375] * 2)
        given, out = call(fn, [0.5], [2], "loo")
        close(given + ": weights (no other response, no baseline)", out[0], [0.5, 0.5])

    def scaling(fn: Fn) -> None:
        k = 5
        R = np.random.default_rng(k).random(k).round(3)
        given, mean = call(fn, R.tolist(), [1] * k, "mean")
        _, others = call(fn, R.tolist(), [1] * k, "loo")
        close(given + " vs 'loo': weights", mean[0], (k - 1) / k * np.asarray(others[0]))

    return [
        plain("none", 0.0),
        plain("mean", 0.5),
        Case("baseline 'loo': b_i is the mean of the other responses", loo),
        Case("'mean' weights are (k-1)/k of 'loo' weights (k = 5)", scaling),
    ]


def tiny_lm_and_responses() -> tuple[TinyLM, Responses]:
    """An untrained 7-token TinyLM (seeded) and 3 responses to the prompt ". 3 4", padded with "." (id 0)."""
    torch.manual_seed(0)
    model = TinyLM(7, LMConfig(width=8, heads=2, layers=1))
    tokens = torch.tensor([[5, 2, 0, 0], [1, 1, 6, 3], [4, 0, 0, 0]])  # (B, N)
    mask = torch.tensor([[1, 1, 1, 0], [1, 1, 1, 1], [1, 1, 0, 0]], dtype=torch.bool)  # (B, N)
    return model, Responses(torch.tensor([0, 3, 4]), tokens, mask, torch.tensor([True, False, True]))


def response_log_probs_cases() -> list[Case]:
    given = "an untrained TinyLM; prompt [0, 3, 4]; tokens [[5, 2, 0, 0], [1, 1, 6, 3], [4, 0, 0, 0]], 0 = '.'"
    model, responses = tiny_lm_and_responses()  # built here, outside the cases' time limit
    prompt, expected = responses.prompt.tolist(), np.zeros(responses.tokens.shape)
    with torch.no_grad():
        for b, tokens in enumerate(responses.tokens.tolist()):
            for t, token in enumerate(tokens):
                if responses.mask[b, t]:
                    prefix = torch.tensor([prompt + tokens[:t]])  # (1, P + t): the state s_t
                    expected[b, t] = float(torch.log_softmax(model(prefix)[0, -1], -1)[token])

    def token_by_token(fn: Fn) -> None:
        close(given, fn(model, responses), expected, atol=1e-5)

    def gradient(fn: Fn) -> None:
        actual = fn(model, responses)
        holds(isinstance(actual, torch.Tensor), given, "a tensor", type(actual).__name__, "returns no tensor")
        holds(
            actual.requires_grad,
            given,
            "log-probabilities that carry the model's gradient",
            "requires_grad=False",
            "no gradient reaches the model (torch.no_grad() or .detach()?): the update could not learn",
        )

    return [
        Case("log π(a_t | s_t) of every token, as a token-by-token loop computes it; 0 on padding", token_by_token),
        Case("the log-probabilities carry the gradient the policy update needs", gradient),
    ]
