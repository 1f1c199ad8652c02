"""Helpers for tests, benchmarks and the demo: synthetic clips (:mod:`.clips`) and more.

Import the module you need (``from framewise.testing.clips import make_clip``); this package
re-exports nothing, so adding a helper module never changes what another one imports.
"""
