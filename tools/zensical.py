"""Build the site with Zensical instead of MkDocs: the same docs/ and the same computed content.

    python tools/zensical.py               # the site in .cache/zensical/site/
    python tools/zensical.py --out DIR     # the site in DIR/site/ (DIR new, or one this script wrote)

Zensical, the successor of Material for MkDocs, reads mkdocs.yml and the pymdownx extensions, but
runs no MkDocs hooks and no MkDocs plugins such as mkdocs-jupyter. So this script first does what
``hooks/artifacts.py`` does inside a MkDocs build, then runs Zensical on the result:

1. ``python hooks/compute.py --docs-out DIR/docs`` computes the figures, values and notebooks that
   are not cached yet (after a MkDocs build of the same code: none), and writes ``DIR/docs``, a copy
   of docs/ with every ``{{ num_x }}`` / ``{{ table_x }}`` replaced by its value, every
   ``{{ data_x }}`` by the URL of its JSON file, and every figure, executed notebook and data file at
   its path in the site. It fails, as the strict MkDocs build does, on an unknown placeholder and on
   a computed value, figure or data file that no page uses;
2. writes ``DIR/mkdocs.yml``, the project's mkdocs.yml with ``docs_dir`` and ``site_dir`` inside DIR
   (Zensical wants both under its config's folder), the pymdownx.snippets base paths made absolute
   (pages include code from the repository's snippets/), and without what Zensical cannot use:
   ``hooks``, the mkdocs-jupyter plugin, ``theme.custom_dir`` (its overrides are mkdocs-jupyter's
   notebook download button and the search index fetched on demand, written for Material's bundle),
   ``watch`` and MkDocs' ``validation`` settings; and with KaTeX
   (``extra.math``) and the widget scripts (``extra.widgets``) linked from every page, where
   ``hooks/pages.py`` links them from the pages that use them;
3. runs ``zensical build --strict`` on it.

What the Zensical site lacks: the notebooks are not pages but their executed ``.ipynb`` files (the
navigation links to them); no check of links and anchors (MkDocs' ``validation``); no alt text
for images inside notebooks (they are not rendered); of the provenance (``hooks/provenance.py``),
the code captions and the Claims list are there (``export_docs`` writes them), but not the marks on
the numbers, the tables' captions or the footer's build line, which need the MkDocs hook and theme.
``tests/test_zensical.py`` builds this way and checks that no placeholder is left and that every
image a page shows is in the site.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / ".cache" / "zensical"
HEADER = "# Written by tools/zensical.py from mkdocs.yml, for Zensical; rewritten on every run.\n"
DROPPED = ("hooks", "watch", "validation")  # MkDocs' own settings, which Zensical does not run
DROPPED_PLUGINS = ("mkdocs-jupyter",)


def zensical_config(mkdocs: dict) -> dict:
    """mkdocs.yml's settings (``mkdocs``, as loaded) for a Zensical build of ``docs/`` and ``site/``
    beside the written config."""
    config = {key: value for key, value in mkdocs.items() if key not in DROPPED}
    config["docs_dir"], config["site_dir"] = "docs", "site"
    # KaTeX: hooks/pages.py links it from the pages with math; with no hooks, every page links it.
    math = config.get("extra", {}).get("math", {})
    config["extra_css"] = [*math.get("css", []), *config.get("extra_css", [])]
    widgets = list(config.get("extra", {}).get("widgets", {}))  # hooks/pages.py: only where a page uses them
    config["extra_javascript"] = [*config.get("extra_javascript", []), *widgets, *math.get("javascript", [])]
    config["theme"] = {k: v for k, v in config.get("theme", {}).items() if k != "custom_dir"}
    plugins = config.get("plugins", [])
    config["plugins"] = [p for p in plugins if (p if isinstance(p, str) else next(iter(p))) not in DROPPED_PLUGINS]
    extensions = []
    for extension in config.get("markdown_extensions", []):
        if isinstance(extension, dict) and "pymdownx.snippets" in extension:
            options = dict(extension["pymdownx.snippets"])
            options["base_path"] = [str((ROOT / base).resolve()) for base in options.get("base_path", ["."])]
            extension = {"pymdownx.snippets": options}
        extensions.append(extension)
    config["markdown_extensions"] = extensions
    return config


def prepare(out: Path) -> Path:
    """Empty ``out`` (refusing a folder this script did not write) and fill it; the config's path."""
    config_file = out / "mkdocs.yml"
    if out.exists():
        ours = config_file.is_file() and config_file.read_text(encoding="utf-8").startswith(HEADER)
        if not ours and (not out.is_dir() or any(out.iterdir())):
            raise SystemExit(f"tools/zensical.py: --out {out} exists and was not written by this script; name another")
        shutil.rmtree(out)
    out.mkdir(parents=True)
    compute = subprocess.run([sys.executable, str(ROOT / "hooks" / "compute.py"), "--docs-out", str(out / "docs")])
    if compute.returncode != 0:
        raise SystemExit(f"tools/zensical.py: hooks/compute.py failed (exit {compute.returncode}); see above")
    mkdocs = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    config_file.write_text(HEADER + yaml.safe_dump(zensical_config(mkdocs), sort_keys=False), encoding="utf-8")
    return config_file


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"the folder to build in (default: {OUT})")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    config_file = prepare(out)
    build = subprocess.run([sys.executable, "-m", "zensical", "build", "--strict", "-f", str(config_file)], cwd=out)
    if build.returncode != 0:
        print(f"tools/zensical.py: `zensical build` failed (exit {build.returncode})", file=sys.stderr)
        return 1
    print(f"tools/zensical.py: the site is in {out / 'site'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
