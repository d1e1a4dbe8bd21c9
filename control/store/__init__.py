"""The scene store: the single source of truth for the scene and the assets.

The interface is :class:`~control.store.base.Store`; its records are in
:mod:`control.store.records`. The two backends are :mod:`control.store.embedded` (files under a
data directory, one process) and :mod:`control.store.redis` (shared by every process of a
channel); ``control.service.stores.open_store`` picks one from the settings.
"""

from __future__ import annotations

from control.store.base import AssetInfo, Change, CommitRecord, Store

__all__ = ["AssetInfo", "Change", "CommitRecord", "Store"]
