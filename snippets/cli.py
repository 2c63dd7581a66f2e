"""The command line of every training module: one flag per config field, one JSON line.

``python -m rl4rlhf.dqn --gamma 0.9 --hidden-sizes 64 64`` becomes
``DQNConfig(gamma=0.9, hidden_sizes=(64, 64))``, on top of the preset for the
chosen environment.  A bad setting is refused in one line, the way argparse
refuses a bad flag (``error: gamma must be in [0, 1], got 2.0``, exit status 2),
never with a traceback.

    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True)
    ... class Demo:
    ...     gamma: float = 0.99
    ...     sizes: tuple[int, ...] = (64,)
    ...     def __post_init__(self):
    ...         if not 0 <= self.gamma <= 1:
    ...             raise ValueError(f"gamma must be in [0, 1], got {self.gamma}")
    >>> parse_config(Demo, ["--gamma", "0.5", "--sizes", "8", "8"])
    Demo(gamma=0.5, sizes=(8, 8))
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

Config = TypeVar("Config")

_SCALARS: dict[str, Callable[[str], Any]] = {"int": int, "float": float, "str": str}


def parse_config(
    cls: type[Config],
    argv: list[str] | None = None,
    presets: Mapping[str, Config] | None = None,
    check: Callable[[Config], object] | None = None,
) -> Config:
    """A ``cls`` config from command-line flags, one per field (``--total-steps 5000``).

    Flags left out take the preset of the chosen ``--env-id`` (from ``presets``),
    or the defaults of ``cls``.  The config's own checks run on the result, then
    ``check(config)`` (e.g. that the environment exists); a ``ValueError`` from
    either is reported in one line, with exit status 2.
    """
    parser = config_parser(cls)
    return config_from(parser, parser.parse_args(argv), cls, presets, check)


def config_parser(cls: type) -> argparse.ArgumentParser:
    """An argparse parser with one flag per field of the dataclass ``cls``."""
    parser = argparse.ArgumentParser(
        usage="%(prog)s [--FIELD VALUE ...]   (every field: --help)",
        description=cls.__doc__,
    )
    for field in dataclasses.fields(cls):
        flag, kind = "--" + field.name.replace("_", "-"), _type_name(field.type)
        default = f"default: {field.default}"
        if kind == "bool":
            toggle = argparse.BooleanOptionalAction  # --normalize / --no-normalize
            parser.add_argument(flag, action=toggle, help=default)
        elif kind.startswith("tuple["):  # tuple[int, ...]: --hidden-sizes 64 64
            item = _SCALARS[kind.removeprefix("tuple[").split(",")[0].strip()]
            parser.add_argument(flag, type=item, nargs="+", help=default)
        else:
            parser.add_argument(flag, type=_SCALARS[kind], help=default)
    return parser


def config_from(
    parser: argparse.ArgumentParser,
    args: argparse.Namespace,
    cls: type[Config],
    presets: Mapping[str, Config] | None = None,
    check: Callable[[Config], object] | None = None,
) -> Config:
    """The config that the parsed ``args`` give (flags that are not fields are left
    for the caller); a bad value ends the program with one line and status 2."""
    names = {field.name for field in dataclasses.fields(cls)}  # type: ignore[arg-type]
    given = {k: v for k, v in vars(args).items() if k in names and v is not None}
    given = {k: tuple(v) if isinstance(v, list) else v for k, v in given.items()}
    try:
        base = (presets or {}).get(given.get("env_id", ""), None) or cls()
        cfg = dataclasses.replace(base, **given)  # type: ignore[type-var]
        if check is not None:
            check(cfg)
    except ValueError as err:
        parser.exit(2, f"{parser.prog}: error: {err}\n")  # one line, as argparse does
    return cfg


def _type_name(annotation: Any) -> str:
    """ "int", "bool", "tuple[int, ...]": a field's type as written."""
    if isinstance(annotation, str):
        return annotation
    return getattr(annotation, "__name__", str(annotation)).replace("'", "")


def print_summary(summary: dict[str, Any]) -> dict[str, Any]:
    """Print a run's outcome as the last line, one JSON object, and return it."""
    print(json.dumps(summary))
    return summary
