"""``rl4rlhf`` in a clone of the repository: the folder ``snippets/``.

The pages include code from ``snippets/`` by path, so the folder keeps its name; the installed wheel
maps the import name to it (pyproject.toml, ``package-dir``), and this file does the same here, for
everything run from the repository root (pytest, the build, ``python -m rl4rlhf.<module>``).
"""

from pathlib import Path

_FOLDER = Path(__file__).resolve().parents[1] / "snippets"
__path__ = [str(_FOLDER)]
exec(compile((_FOLDER / "__init__.py").read_bytes(), str(_FOLDER / "__init__.py"), "exec"))
