"""Reproducible builds: building the same commit again gives byte-identical files.

Here the second build reuses the first one's artifact cache, so this checks everything MkDocs,
Material, mkdocs-jupyter and the hook write around the artifacts (dates, ordering, ids, the
sitemap's gzip header). That the artifacts themselves come out byte-identical from an empty
cache, training included, is checked by ``benchmarks/site.py``: it compares its cold builds, file
by file, prints every file that differs and fails; the scheduled workflow
``.github/workflows/reproducible.yml`` runs it weekly, and the Benchmarks page reports what it found.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from tests.site_helpers import build_site


def digests(site: Path) -> dict[str, str]:
    return {
        str(f.relative_to(site)): hashlib.sha256(f.read_bytes()).hexdigest()
        for f in sorted(site.rglob("*"))
        if f.is_file()
    }


def test_building_again_gives_byte_identical_files(built_site: Path, tmp_path: Path):
    again = build_site(tmp_path / "site")  # as make builds it: SOURCE_DATE_EPOCH the last commit's
    first, second = digests(built_site), digests(again)
    assert sorted(first) == sorted(second), "the two builds wrote different files"
    differing = sorted(path for path in first if first[path] != second[path])
    assert not differing, f"{len(differing)} of {len(first)} files differ between two builds: {differing[:20]}"
