"""Helpers for tests/test_values.py: read the values the build cached, parse what a page shows
(numbers and Markdown tables), and small reference computations that do not go through the code
that computed the values (a breadth-first search of a grid, the reward rule, a tiny LM's softmax).

Nothing here trains anything: a training run's record is read only when the build already kept it.
"""

from __future__ import annotations

import ast
import copy
import functools
import importlib.util
import json
import math
import re
import sys
from collections import deque
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
MINUS = "\u2212"  # the minus sign pages may use instead of "-"


# --- The build's cached values ---------------------------------------------------------------------


@functools.cache
def _hook():
    """hooks/artifacts.py, imported by path as tests/test_artifacts.py does (its ROOT is this repo)."""
    spec = importlib.util.spec_from_file_location("artifacts_for_value_checks", REPO / "hooks" / "artifacts.py")
    assert spec is not None and spec.loader is not None, "hooks/artifacts.py is missing"
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is defined
    spec.loader.exec_module(module)
    return module


@functools.cache
def value_artifacts() -> dict[str, Any]:
    """Every ``num_*`` / ``table_*`` function of figures/, by name, as the build hook discovers it."""
    return {a.name: a for a in _hook().discover() if a.kind == "value"}


def data_artifacts() -> dict[str, Any]:
    """Every ``data_*`` function of figures/ (a widget's table), by name, as the build hook discovers it."""
    return {a.name: a for a in _hook().discover() if a.kind == "data"}


def cached_value(name: str) -> str:
    """The text the build computed for ``name`` (the cache the build hook fills); fails when absent."""
    artifacts = value_artifacts()
    if name not in artifacts:
        pytest.fail(f"{name}: figures/ defines no such value function", pytrace=False)
    path = artifacts[name].cached
    if not path.is_file():
        pytest.fail(
            f"{name}: no cached value at {path.relative_to(REPO)}; build the site first "
            "(`make test`, or `mkdocs build --strict --site-dir /tmp/site`): the build computes every value",
            pytrace=False,
        )
    return json.loads(path.read_text(encoding="utf-8"))["value"]


# --- Numbers ---------------------------------------------------------------------------------------

_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
NUMBER_IN_TEXT = re.compile(r"[+\-\u2212]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")


def parse_number(text: str) -> float:
    """A number as a page writes it: "0.99", "−0.50", "+0.98", "1,823", "50,000"."""
    cleaned = text.strip().replace(MINUS, "-")
    if re.search(r"\d,\d", cleaned):
        if not re.fullmatch(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?", cleaned):
            raise ValueError(f"badly placed thousands separators in {text!r}")
        cleaned = cleaned.replace(",", "")
    if not _NUMBER.match(cleaned):
        raise ValueError(f"not a number: {text!r}")
    return float(cleaned)


def parse_int(text: str) -> int:
    x = parse_number(text)
    if not x.is_integer() or "." in text:
        raise ValueError(f"not a whole number: {text!r}")
    return int(x)


def numbers_in(text: str) -> list[float]:
    """Every number in ``text``, in order ("seeds 0–9" gives [0, 9]: the en dash is not a minus)."""
    return [parse_number(m) for m in NUMBER_IN_TEXT.findall(text)]


def fixed(x: float | Fraction, decimals: int, sign: bool = False) -> str:
    """``x`` rounded as the pages round it: ``f"{x:.2f}"``, or ``f"{x:+.2f}"`` with ``sign``."""
    return f"{float(x):{'+' if sign else ''}.{decimals}f}"


def _scaled_text(n: int, decimals: int, sign: bool) -> str:
    digits = str(abs(n)).rjust(decimals + 1, "0")
    body = f"{digits[:-decimals]}.{digits[-decimals:]}" if decimals else digits
    return ("-" if n < 0 else "+" if sign else "") + body


def roundings(x: Fraction | int | str, decimals: int, sign: bool = False) -> set[str]:
    """Every correct way to write the exact number ``x`` to ``decimals`` decimals: one string, or the
    two neighbours when ``x`` lies exactly half-way (then the float that computed it decided), and
    both signs of zero (the pages print "0.00" where a float gave "-0.00")."""
    scaled = Fraction(x) * 10**decimals
    low = math.floor(scaled)
    half = scaled - low
    picks = {low, low + 1} if half == Fraction(1, 2) else {low if half < Fraction(1, 2) else low + 1}
    texts = {_scaled_text(n, decimals, sign) for n in picks}
    if 0 in picks or (low == -1 and half > 0):  # a tiny negative number rounds to "-0.00"
        zero = _scaled_text(0, decimals, False)
        texts |= {zero, "-" + zero, "+" + zero} if sign else {zero, "-" + zero}
    return texts


def seconds(x: float) -> str:
    """The Benchmarks page's durations: one decimal below 100 s, whole seconds from 100 s."""
    return f"{x:.1f} s" if x < 100 else f"{x:.0f} s"


# --- Markdown tables -------------------------------------------------------------------------------

_SEPARATOR = re.compile(r"^:?-+:?$")


@dataclass(frozen=True)
class Table:
    """A Markdown table: the header's cells, the separator row's alignments, and the body rows."""

    header: list[str]
    align: list[str]
    rows: list[list[str]]

    def column(self, index: int) -> list[str]:
        return [row[index] for row in self.rows]


def _cells(line: str) -> list[str]:
    if not (line.startswith("|") and line.endswith("|")):
        raise ValueError(f"a table row must start and end with '|': {line!r}")
    return [cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", line[1:-1])]


def parse_table(text: str) -> Table:
    """Parse one Markdown table: a header row, a separator row (``|---:|:---|``) and body rows,
    each with as many cells as the header."""
    lines = [line.strip() for line in text.strip().splitlines()]
    if len(lines) < 2:
        raise ValueError(f"a table needs a header and a separator row, got {len(lines)} line(s)")
    header, separator = _cells(lines[0]), _cells(lines[1])
    if len(separator) != len(header) or not all(_SEPARATOR.match(cell) for cell in separator):
        raise ValueError(f"the second line is not a separator row for {len(header)} columns: {lines[1]!r}")
    rows = [_cells(line) for line in lines[2:]]
    for row in rows:
        if len(row) != len(header):
            raise ValueError(f"a row has {len(row)} cells, the header {len(header)}: {row}")
    return Table(header, separator, rows)


# --- Reading the code's own settings as the page shows them ----------------------------------------


def dataclass_defaults(path: Path, class_name: str) -> dict[str, Any]:
    """The literal defaults written in a dataclass's body (``steps: int = 600``), read from the source
    text that the page includes, not from the running code."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == class_name:
            defaults = {}
            for stmt in node.body:
                if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
                    try:
                        defaults[stmt.target.id] = ast.literal_eval(stmt.value)
                    except ValueError:  # not a literal (a field(...) call): the page shows no number
                        pass
            return defaults
    raise LookupError(f"{path}: no class {class_name}")


def page_text(relative: str) -> str:
    return (REPO / "docs" / relative).read_text(encoding="utf-8")


# --- Grid worlds, from scratch ---------------------------------------------------------------------

MOVES = {"up": (-1, 0), "down": (1, 0), "left": (0, -1), "right": (0, 1)}
STEP, WALL, GOAL = Fraction("-0.01"), Fraction(-1), Fraction(1)  # the maze's rewards, as the pages state them


def find(layout: tuple[str, ...], char: str) -> tuple[int, int]:
    return next((r, c) for r, row in enumerate(layout) for c, x in enumerate(row) if x == char)


def grid_step(layout: tuple[str, ...], cell: tuple[int, int], action: str) -> tuple[tuple[int, int], Fraction]:
    """One move by the pages' rules: a bump (edge or wall) stays put and pays −1, entering G pays +1,
    any other move −0.01."""
    r, c = cell[0] + MOVES[action][0], cell[1] + MOVES[action][1]
    if not (0 <= r < len(layout) and 0 <= c < len(layout[0])) or layout[r][c] == "#":
        return cell, WALL
    return (r, c), GOAL if layout[r][c] == "G" else STEP


def distances_to_goal(layout: tuple[str, ...]) -> dict[tuple[int, int], int]:
    """Fewest moves from every reachable cell to G (breadth-first search back from G)."""
    goal = find(layout, "G")
    distance, queue = {goal: 0}, deque([goal])
    while queue:
        r, c = queue.popleft()
        for dr, dc in MOVES.values():
            nr, nc = r + dr, c + dc
            if 0 <= nr < len(layout) and 0 <= nc < len(layout[0]) and layout[nr][nc] != "#":
                if (nr, nc) not in distance:
                    distance[(nr, nc)] = distance[(r, c)] + 1
                    queue.append((nr, nc))
    return distance


def discounted(rewards: list[Fraction], gamma: Fraction) -> Fraction:
    """G = r_1 + γ r_2 + γ² r_3 + ..., exactly."""
    return sum((gamma**k * r for k, r in enumerate(rewards)), Fraction(0))


# --- The tiny language model, read from the build's training-run memo ------------------------------


def reward_rule(text: str, kind: frozenset[str], unkind: frozenset[str]) -> float:
    """The reward model as the page states it: 0 unless the response ends with "."; otherwise
    0.5 + 0.5 (kind − unkind) / (kind + unkind), and 0.5 with neither kind of word."""
    words = text.split()
    if not words or words[-1] != ".":
        return 0.0
    k, u = sum(w in kind for w in words), sum(w in unkind for w in words)
    return 0.5 if k + u == 0 else 0.5 + 0.5 * (k - u) / (k + u)


def corpus_lines() -> list[str]:
    text = (REPO / "snippets" / "lm_corpus.txt").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]


def corpus_tokens() -> list[str]:
    """Sorted distinct tokens of the corpus, "." included (the vocabulary, rebuilt from the text)."""
    return sorted({word for line in corpus_lines() for word in line.split()} | {"."})


@dataclass(frozen=True)
class LMModels:
    pretrained: Any
    improved: Any
    tokens: list[str]
    mean_rewards: list[float]


@functools.cache
def lm_models(seed: int) -> LMModels | None:
    """Both models of the language-model page's run for ``seed``, or None when the build kept no
    record of that run for the current code (then only the value itself can be checked)."""
    import torch
    from rl4rlhf.lm_model import LMConfig, TinyLM

    from figures.lm_runs import LMRun, run_path

    path = run_path(LMRun(seed))
    if not path.is_file():
        return None
    record = json.loads(path.read_text(encoding="utf-8"))
    tokens = corpus_tokens()
    built = []
    for key in ("pretrained", "improved"):
        model = TinyLM(len(tokens), LMConfig(seed=seed))
        model.load_state_dict({k: torch.tensor(v, dtype=torch.float32) for k, v in record[key].items()})
        built.append(model.eval())
    return LMModels(built[0], built[1], tokens, list(record["mean_rewards"]))


def lm_ids(tokens: list[str], text: str) -> list[int]:
    """ "." (a sentence starts) and then the words of ``text``, as token ids."""
    index = {t: i for i, t in enumerate(tokens)}
    return [index["."], *(index[w] for w in text.split())]


def lm_next_token(model: Any, tokens: list[str], prompt: str) -> tuple[str, float]:
    """The most likely next token after ``prompt`` and its probability: one softmax of the logits."""
    import torch

    with torch.no_grad():
        logits = model(torch.tensor([lm_ids(tokens, prompt)]))[0, -1]  # (vocab,)
    probs = torch.softmax(logits.double(), dim=0)
    best = int(torch.argmax(probs))
    return tokens[best], float(probs[best])


def lm_greedy(model: Any, tokens: list[str], prompt: str, max_new_tokens: int) -> str:
    """The response at temperature 0: the argmax token, one at a time, until "." (or the limit)."""
    import torch

    ids = lm_ids(tokens, prompt)
    words = []
    with torch.no_grad():
        for _ in range(max_new_tokens):
            nxt = int(torch.argmax(model(torch.tensor([ids]))[0, -1]))
            ids.append(nxt)
            words.append(tokens[nxt])
            if tokens[nxt] == ".":
                return " ".join(words)
    return " ".join(words) + " ..."


def lm_credit(model: Any, tokens: list[str], prompt: str, response: str, weight: float, lr: float = 1e-3):
    """(token, log π before, log π after) for each token of ``response`` after one plain gradient
    step of size ``lr`` on −weight · Σ_t log π(token_t | tokens before it)."""
    import torch

    model = copy.deepcopy(model)
    ids = lm_ids(tokens, f"{prompt} {response}")
    start = len(lm_ids(tokens, prompt))  # the first response token's position
    x, targets = torch.tensor([ids[:-1]]), torch.tensor(ids[start:])

    def log_probs():
        logp = torch.log_softmax(model(x)[0], dim=-1)  # (len(ids) - 1, vocab)
        return logp[torch.arange(start - 1, len(ids) - 1), targets]  # (response tokens,)

    before = log_probs()
    params = list(model.parameters())
    grads = torch.autograd.grad(-(weight * before).sum(), params)
    with torch.no_grad():
        for p, g in zip(params, grads, strict=True):
            p -= lr * g
        after = log_probs()
    return [(tokens[t], float(b), float(a)) for t, b, a in zip(ids[start:], before.detach(), after, strict=True)]


def lm_linear_flops(tokens_in: int, width: int, layers: int, outputs: int) -> int:
    """FLOPs of the linear layers of one forward pass of the tiny GPT (2·m·n per weight matrix per
    token): per block q, k, v (3W²), the output projection (W²) and the MLP (2 · 4W²), then the head."""
    return 2 * tokens_in * (layers * 12 * width * width + width * outputs)


# --- DQN runs, read from the build's training-run memo ---------------------------------------------


def dqn_memo(seed: int) -> dict | None:
    """The recorded outcome of the DQN page's CartPole run for ``seed``, or None when the build kept
    no record for the current code."""
    from rl4rlhf.dqn import DQNConfig

    from figures.dqn import run_path

    path = run_path(DQNConfig(seed=seed))
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


# --- Benchmarks ------------------------------------------------------------------------------------

RESULTS = REPO / "benchmarks" / "results"


def result(name: str) -> dict:
    return json.loads((RESULTS / f"{name}.json").read_text(encoding="utf-8"))
