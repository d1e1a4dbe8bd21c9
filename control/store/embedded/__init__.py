"""The embedded store: the scene, journal, schedule and assets in files under a data directory,
for one process (a folder lock keeps out a second one). See :mod:`control.store.embedded.store`;
its live inputs (``channels/<channel>/inputs.json``) are :mod:`control.store.embedded.input_book`,
joined to it here.
"""

from control.store.embedded.input_book import EmbeddedInputStore
from control.store.embedded.store import EmbeddedStore as _SceneStore

__all__ = ["EmbeddedStore"]


class EmbeddedStore(_SceneStore, EmbeddedInputStore):
    """The embedded :class:`~control.store.base.Store` (see :mod:`control.store.embedded.store`
    for everything but the live inputs)."""
