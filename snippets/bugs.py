"""Bugs that silently break RL: copies of the site's code, each with ONE line changed.

Every function below is a copy of a function the chapters teach, under the same
name, with exactly one line changed (``BUGS`` says which function, where the
correct one lives and what the change does).  None of them crashes: each runs,
trains and returns numbers, just wrong ones.  The copies drop the docstrings
(the correct code's examples would fail on them); the code is otherwise the
same line for line, which ``one_line_diff`` shows and the tests check.

``planted(bug)`` runs a copy where the correct function lives, so a chapter's
own ``train`` uses it::

    with planted(BUGS["loss_sign"]):
        result = reinforce.train(cfg)  # REINFORCE with the sign of its loss flipped

Run ``python -m rl4rlhf.bugs`` to print every bug's diff.
"""

from __future__ import annotations
import __future__

import ast
import difflib
import importlib
import inspect
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import numpy as np
import torch
import torch.nn.functional as F
from rl4rlhf.dqn import Batch, DQNConfig
from rl4rlhf.returns import Rewards
from torch import nn

ROOT = Path(__file__).resolve().parents[1]


# --8<-- [start:td_target]
@torch.no_grad()  # CRUCIAL: the target is a label; no gradient flows through it
def td_target(
    target_network: nn.Module,
    rewards: torch.Tensor,  # (B,)
    next_obs: torch.Tensor,  # (B, obs_dim)
    terminated: torch.Tensor,  # (B,) 1.0 or 0.0
    gamma: float,
) -> torch.Tensor:
    # CRUCIAL: the lagged target network, not the one being trained.
    best_next_q = target_network(next_obs).max(dim=1).values  # (B,)
    # CRUCIAL: a terminal s' has no future (0). A truncated one does: bootstrap.
    return rewards + gamma * best_next_q  # BUG: no (1 - terminated)


# --8<-- [end:td_target]


# --8<-- [start:train_step]
def train_step(
    q_network: nn.Module,
    target_network: nn.Module,
    optimizer: torch.optim.Optimizer,
    batch: Batch,
    cfg: DQNConfig,
) -> float:
    target = td_target(
        target_network, batch.rewards, batch.next_obs, batch.terminated, cfg.gamma
    )  # (B,)
    q_all = q_network(batch.obs)  # (B, n_actions)
    # Only the Q-value of the action actually taken has a target.
    q_taken = q_all.gather(1, batch.actions[:, None]).squeeze(1)  # (B,)
    if cfg.loss == "mse":
        loss = F.mse_loss(q_taken, target)
    else:
        loss = F.smooth_l1_loss(q_taken, target)
    loss.backward()
    nn.utils.clip_grad_norm_(q_network.parameters(), cfg.max_grad_norm)
    optimizer.step()
    return loss.item()


# --8<-- [end:train_step]


# --8<-- [start:update_target]
def update_target(target_network: nn.Module, q_network: nn.Module, tau: float) -> None:
    pairs = zip(target_network.parameters(), q_network.parameters(), strict=True)
    with torch.no_grad():
        for target_param, param in pairs:
            param.lerp_(target_param, tau)  # BUG: online ← target


# --8<-- [end:update_target]


# --8<-- [start:returns_to_go]
def returns_to_go(rewards: Rewards, gamma: float = 1.0) -> np.ndarray:
    G = np.zeros(len(rewards))
    future = 0.0  # nothing comes after the last reward
    # CRUCIAL: loop BACKWARDS. G_t needs G_{t+1}, so the last step goes first.
    for t in range(len(rewards)):  # BUG: forwards
        future = rewards[t] + gamma * future  # G_t = r_{t+1} + γ G_{t+1}
        G[t] = future
    return G


# --8<-- [end:returns_to_go]


# --8<-- [start:policy_loss]
def policy_loss(log_probs: torch.Tensor, weights: torch.Tensor, n_episodes: int):
    # CRUCIAL: minus, because optimisers minimise and we want to climb J.
    return (weights * log_probs).sum() / n_episodes  # BUG: no minus


# --8<-- [end:policy_loss]


# --8<-- [start:epsilon_greedy]
def epsilon_greedy(q_row: np.ndarray, epsilon: float, rng: np.random.Generator) -> int:
    if rng.random() < epsilon:
        return int(rng.integers(len(q_row)))  # explore: any action
    # CRUCIAL: break ties at random. np.argmax returns the FIRST maximum, so on
    # an all-zero table it would pick action 0 (up) every time and never learn.
    best = [int(np.argmax(q_row))]  # BUG: the first of the ties
    return int(rng.choice(best))


# --8<-- [end:epsilon_greedy]


@dataclass(frozen=True)
class Bug:
    """One bug: which function it breaks, where the correct one lives, what it does."""

    function: str  # the function's name, here and in its home module
    home: str  # the module the correct function is defined in
    section: str  # the correct code's section, as a page includes it: "file:name"
    used_by: tuple[str, ...]  # the modules whose code calls it: planted there
    title: str  # what the bug is, in a few words


BUGS = {
    "no_terminal_mask": Bug(
        "td_target",
        "rl4rlhf.dqn",
        "snippets/dqn.py:td_target",
        ("rl4rlhf.dqn",),
        "The Bellman target without (1 - terminated)",
    ),
    "no_zero_grad": Bug(
        "train_step",
        "rl4rlhf.dqn",
        "snippets/dqn.py:train_step",
        ("rl4rlhf.dqn",),
        "optimizer.zero_grad() forgotten",
    ),
    "target_update_backwards": Bug(
        "update_target",
        "rl4rlhf.dqn",
        "snippets/dqn.py:target_network",
        ("rl4rlhf.dqn",),
        "The target-network update copied the wrong way",
    ),
    "forward_returns": Bug(
        "returns_to_go",
        "rl4rlhf.returns",
        "snippets/returns.py:returns_to_go",
        ("rl4rlhf.returns", "rl4rlhf.reinforce"),
        "returns_to_go summed forwards",
    ),
    "loss_sign": Bug(
        "policy_loss",
        "rl4rlhf.reinforce",
        "snippets/reinforce.py:update",
        ("rl4rlhf.reinforce",),
        "The sign of the policy loss flipped",
    ),
    "ties_to_first": Bug(
        "epsilon_greedy",
        "rl4rlhf.qtable",
        "snippets/qtable.py:epsilon_greedy",
        ("rl4rlhf.qtable",),
        "Greedy ties always broken towards action 0",
    ),
}


def broken_section(bug: Bug) -> str:
    """Where the broken copy is, as a page includes it: ``"snippets/bugs.py:name"``."""
    return f"snippets/bugs.py:{bug.function}"


@contextmanager
def planted(bug: Bug) -> Iterator[None]:
    """Within the block, the modules in ``bug.used_by`` call the broken copy.

    The copy runs as if it were written in ``bug.home``: its names (helpers,
    imports) are the home module's, so only its one changed line differs.
    """
    home = importlib.import_module(bug.home)
    namespace = dict(vars(home))  # a copy: the home module itself is not touched
    source = inspect.getsource(globals()[bug.function])  # decorators included
    flags = __future__.annotations.compiler_flag  # as this module compiles it
    exec(compile(source, f"snippets/bugs.py:{bug.function}", "exec", flags), namespace)
    with _patched(bug, namespace[bug.function]):
        yield


@contextmanager
def _patched(bug: Bug, broken) -> Iterator[None]:
    """Replace ``bug.function`` by ``broken`` in every module of ``bug.used_by``."""
    patches = [
        mock.patch.object(importlib.import_module(name), bug.function, broken)
        for name in bug.used_by
    ]
    for patch in patches:
        patch.start()
    try:
        yield
    finally:
        for patch in reversed(patches):
            patch.stop()


def section_code(spec: str) -> list[str]:
    """The code lines of section ``"file:name"``, its functions' docstrings left out."""
    path, name = spec.split(":")
    lines, inside, out = (
        (ROOT / path).read_text(encoding="utf-8").splitlines(),
        False,
        [],
    )
    for line in lines:
        if f"[start:{name}]" in line and "--8<--" in line:
            inside = True
        elif f"[end:{name}]" in line and "--8<--" in line:
            break
        elif inside:
            out.append(line)
    if not out:
        raise ValueError(f"spec: no section {name!r} in {path}")
    docstrings = set()
    for node in ast.walk(ast.parse("\n".join(out))):
        if isinstance(node, ast.FunctionDef) and ast.get_docstring(node) is not None:
            doc = node.body[0]
            docstrings |= set(range(doc.lineno - 1, doc.end_lineno or doc.lineno))
    code = [line for i, line in enumerate(out) if i not in docstrings]
    while code and not code[-1].strip():
        code.pop()
    return code


def one_line_diff(bug: Bug) -> str:
    """The unified diff from the correct section to the broken copy (docstrings aside).

    >>> print(one_line_diff(BUGS["loss_sign"]).splitlines()[-1])
    +    return (weights * log_probs).sum() / n_episodes  # BUG: no minus
    """
    correct, broken = section_code(bug.section), section_code(broken_section(bug))
    diff = difflib.unified_diff(
        correct, broken, bug.section, broken_section(bug), n=2, lineterm=""
    )
    return "\n".join(diff)


def changed_lines(bug: Bug) -> tuple[list[str], list[str]]:
    """(lines only the correct code has, lines only the broken copy has)."""
    diff = one_line_diff(bug).splitlines()[2:]  # past the ---/+++ header
    removed = [line[1:] for line in diff if line.startswith("-")]
    added = [line[1:] for line in diff if line.startswith("+")]
    return removed, added


def main() -> dict[str, list[str]]:
    """Print every bug's diff; the last line is JSON: each bug's changed lines."""
    import json

    summary = {}
    for name, bug in BUGS.items():
        print(f"# {name}: {bug.title}\n{one_line_diff(bug)}\n")
        removed, added = changed_lines(bug)
        summary[name] = [*removed, *added]
    print(json.dumps(summary, ensure_ascii=False))
    return summary


if __name__ == "__main__":
    main()
