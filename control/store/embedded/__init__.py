"""The embedded store: the scene, journal, schedule and assets in files under a data directory,
for one process (a folder lock keeps out a second one). See :mod:`control.store.embedded.store`.
"""

from control.store.embedded.store import EmbeddedStore

__all__ = ["EmbeddedStore"]
