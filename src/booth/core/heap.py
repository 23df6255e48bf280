"""Long-lived objects kept out of the cyclic garbage collector's sight.

What a server builds at start-up (data files, the ontology, routes, models) and what it builds
once on first use (the music catalog, the UI) lives as long as the process. Python's collector
would walk all of it on every full collection: with ~150,000 such objects, that was about a
quarter of a Fit Check run's CPU (bench/stream_cost.py). `settle()` moves every object that
exists now to the permanent generation; objects made afterwards are collected as usual.
"""

from __future__ import annotations

import gc


def settle() -> None:
    """Exempt every object alive now from future collections (call once it is all built)."""
    gc.freeze()
