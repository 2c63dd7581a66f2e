"""``python -m rl4rlhf_exercises list`` and ``python -m rl4rlhf_exercises check NAME``.

``check`` prints each failed case (input, expected, actual) and one verdict line;
its exit status is 0 only when every case passed, 1 otherwise.  A bad command,
flag or name is refused in one line on stderr, with exit status 2, as the
snippets' command lines do.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback
from typing import NoReturn

from rl4rlhf_exercises import EXERCISES, TIME_LIMIT_S, check


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")  # one line, no usage block


def seconds(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise ValueError(text)
    return value


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m rl4rlhf_exercises", description="Check your answers to the site's exercises.")
    commands = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    commands.add_parser("list", help="every exercise, with its page")
    run = commands.add_parser("check", help="run the check of one exercise against your stub")
    run.add_argument("name", help="the exercise (its function's name)")
    run.add_argument("--time-limit", type=seconds, default=TIME_LIMIT_S, help="seconds per case")
    return p


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    if args.command == "list":
        width = max(len(name) for name in EXERCISES)
        for name, exercise in EXERCISES.items():
            print(f"{name:{width}s}  {exercise.page}")
        return 0
    if args.name not in EXERCISES:
        p.error(f"no exercise named {args.name!r}; `python -m rl4rlhf_exercises list` shows them all")
    exercise = EXERCISES[args.name]
    module = f"rl4rlhf_exercises.{exercise.stub_module}"
    try:
        fn = getattr(importlib.import_module(module), args.name)
    except Exception as err:  # a syntax error in the reader's stub, a missing name
        where = traceback.extract_tb(err.__traceback__)[-1] if err.__traceback__ else None
        at = f" (line {where.lineno})" if where and where.filename.endswith(".py") else ""
        print(
            f"could not load {args.name} from exercises/{module.rpartition('.')[2]}.py: {type(err).__name__}: {err}{at}"
        )
        print(f"FAIL {args.name}: the stub module does not load")
        return 1
    report = check(args.name, fn, args.time_limit)
    print(report.text())
    return 0 if report.passed else 1


if __name__ == "__main__":
    sys.exit(main())
