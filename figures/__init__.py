"""Build-time figures and computed values for the site.

Each public function here is found by ``hooks/compute.py`` (the MkDocs hook, ``hooks/artifacts.py``, adapts it):

* ``fig_<what_it_shows>(out_dir, seed) -> Path`` writes ``out_dir/<what_it_shows>.png``;
* ``num_<name>(seed) -> str`` and ``table_<name>(seed) -> str`` return text that replaces
  ``{{ num_<name> }}`` / ``{{ table_<name> }}`` in a page.

They are cached by a hash of their module and every snippet module they import, so they may do
real work (train, simulate); they must be deterministic for a given seed.
"""
