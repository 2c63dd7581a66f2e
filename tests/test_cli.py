"""Tests for snippets/cli.py: every training module's command line refuses a bad setting in one line.

A bad value is reported the way argparse reports a bad flag: ``<prog>: error: <what is wrong>`` on
stderr, exit status 2, no traceback. Both kinds are tested: a value argparse cannot parse, and one the
config (or the environment) refuses.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from rl4rlhf import cli, dqn, lm_rl, qtable, reinforce

REPO = Path(__file__).resolve().parents[1]

# (the module's main, the bad flags, what the one error line says)
BAD_FLAGS = [
    (dqn.main, ["--gamma", "2"], "error: gamma must be in [0, 1], got 2.0"),
    (dqn.main, ["--gamma", "abc"], "error: argument --gamma: invalid float value: 'abc'"),
    (dqn.main, ["--env-id", "NoSuchEnv-v0"], "error: env_id 'NoSuchEnv-v0' is not a registered environment"),
    (dqn.main, ["--batch-size", "0"], "error: batch_size must be > 0, got 0"),
    (reinforce.main, ["--baseline", "none"], "error: bootstrap_truncated needs baseline='value'"),
    (reinforce.main, ["--running-weight", "1.5"], "error: running_weight must be in (0, 1], got 1.5"),
    (reinforce.main, ["--env-id", "Blackjack-v1"], "error: env_id must name an env with flat Box or Discrete"),
    (qtable.main, ["--alpha", "0"], "error: alpha must be in (0, 1], got 0.0"),
    (lm_rl.main, ["--baseline", "median"], "error: baseline must be 'mean', 'loo' or 'none', got 'median'"),
    (lm_rl.main, ["--prompts", "the unicorn"], "error: prompts have words outside the vocabulary: ['unicorn']"),
    (qtable.main, ["--layout", "S#G"], "error: layout: the goal at (0, 2) cannot be reached from the start"),
]


@pytest.mark.parametrize(("main", "flags", "message"), BAD_FLAGS, ids=[" ".join(f) for _, f, _ in BAD_FLAGS])
def test_a_bad_flag_is_one_line_and_exit_status_2(main, flags, message, capsys):
    with pytest.raises(SystemExit) as exited:
        main(flags)
    assert exited.value.code == 2
    captured = capsys.readouterr()
    error_lines = [line for line in captured.err.splitlines() if not line.startswith("usage:")]
    assert len(error_lines) == 1 and message in error_lines[0], captured.err
    assert captured.out == ""  # nothing ran


def test_from_a_shell_there_is_no_traceback():
    run = subprocess.run(
        [sys.executable, "-m", "rl4rlhf.dqn", "--gamma", "2"], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.strip().splitlines() == ["dqn.py: error: gamma must be in [0, 1], got 2.0"]


def test_flags_come_from_the_fields_and_a_preset_fills_the_rest():
    assert cli.parse_config(reinforce.ReinforceConfig, ["--no-normalize"]).normalize is False
    maze = cli.parse_config(dqn.DQNConfig, ["--env-id", "rlhf/GridWorld-v0", "--seed", "3"], dqn.PRESETS)
    assert maze == dataclasses.replace(dqn.MAZE_CONFIG, seed=3)
    assert cli.parse_config(dqn.DQNConfig, ["--hidden-sizes", "8", "4"]).hidden_sizes == (8, 4)


def test_print_summary_prints_one_json_line(capsys):
    assert cli.print_summary({"a": 1}) == {"a": 1}
    assert capsys.readouterr().out == '{"a": 1}\n'
