"""Fetch the front-end assets the site serves itself (KaTeX), from the npm registry, pinned and checked.

The site loads nothing from third-party hosts, so math rendering ships with the site. `make` runs this
before every build; it does nothing when the assets are already in place.

    python tools/vendor.py            # fetch into docs/assets/vendor/ (git-ignored)
    python tools/vendor.py --check    # exit 1 if anything is missing
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "docs" / "assets" / "vendor"

# name -> (version, npm integrity of the tarball, files to copy: tarball path prefix -> destination dir)
PACKAGES = {
    "katex": (
        "0.19.1",
        "sha512-jG8uKntjSEcm2EpQOh0XturpPuuC9r3Sq5HLHdsFdWZT27E672SF19QEi+of0/YeOy15lDgRhKvr5614uRrEfA==",
        {
            "package/dist/katex.min.js": "katex",
            "package/dist/katex.min.css": "katex",
            "package/dist/contrib/auto-render.min.js": "katex",
            "package/dist/fonts/": "katex/fonts",
            "package/LICENSE": "katex",
        },
    ),
}
STAMP = VENDOR / ".stamp"


def stamp_text() -> str:
    return "".join(f"{name}@{version} {integrity}\n" for name, (version, integrity, _) in PACKAGES.items())


def is_current() -> bool:
    return STAMP.is_file() and STAMP.read_text() == stamp_text()


def fetch(name: str, version: str, integrity: str, tmp: Path) -> bytes:
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("tools/vendor.py: `npm` is needed to fetch KaTeX from the npm registry; install Node.js")
    subprocess.run(
        [npm, "pack", f"{name}@{version}", "--pack-destination", str(tmp), "--silent"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    data = (tmp / f"{name}-{version}.tgz").read_bytes()
    algo, _, expected = integrity.partition("-")
    actual = base64.b64encode(hashlib.new(algo, data).digest()).decode()
    if actual != expected:
        raise SystemExit(f"tools/vendor.py: integrity mismatch for {name}@{version}: got {algo}-{actual}")
    return data


def install() -> None:
    if VENDOR.exists():
        shutil.rmtree(VENDOR)
    VENDOR.mkdir(parents=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name, (version, integrity, wanted) in PACKAGES.items():
            data = fetch(name, version, integrity, Path(tmp))
            with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
                for member in tar.getmembers():
                    if not member.isfile():
                        continue
                    for prefix, dest in wanted.items():
                        if member.name == prefix or (prefix.endswith("/") and member.name.startswith(prefix)):
                            if prefix.endswith("/") and not member.name.endswith(".woff2"):
                                continue  # every browser we target reads woff2
                            out = VENDOR / dest / Path(member.name).name
                            out.parent.mkdir(parents=True, exist_ok=True)
                            out.write_bytes(tar.extractfile(member).read())
    STAMP.write_text(stamp_text())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that the assets are in place")
    args = parser.parse_args()
    if is_current():
        return 0
    if args.check:
        print("docs/assets/vendor is missing or stale: run `python tools/vendor.py` (make does this)", file=sys.stderr)
        return 1
    install()
    print(f"vendored: {', '.join(f'{n}@{v[0]}' for n, v in PACKAGES.items())} -> {VENDOR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
