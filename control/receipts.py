"""On-air receipts to WebSocket clients: ``{"type": "commit.applied", ...}``.

The render side puts a :class:`~control.store.base.Receipt` in the store when a version's first
frame is encoded; :class:`ReceiptRelay` follows ``Store.subscribe_receipts`` (in process for the
embedded store, a Redis stream otherwise, so a ``--no-render`` replica relays them too) and offers
each to every client of the :class:`~control.ws.Hub`, after the ``scene.changed`` of that version.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from control.store.base import Receipt, Store
from control.store.feed import follow
from control.ws import Hub

__all__ = ["ReceiptRelay", "applied_json", "applied_message"]

_log = logging.getLogger(__name__)


def applied_json(receipt: Receipt) -> dict[str, Any]:
    """What ``GET /api/v1/commits/{version}`` says under ``applied``."""
    return {"frame": receipt.frame, "pts": receipt.pts, "late_frames": receipt.late_frames,
            "encoded_unix": receipt.encoded_unix}


def applied_message(receipt: Receipt) -> str:
    return json.dumps({"type": "commit.applied", "version": receipt.version,
                       "frame": receipt.frame, "pts": receipt.pts,
                       "late_frames": receipt.late_frames}, separators=(",", ":"))


class ReceiptRelay:
    def __init__(self, store: Store, hub: Hub, *, order_wait_s: float = 1.0,
                 retry_s: float = 0.5) -> None:
        self.store = store
        self.hub = hub
        self.order_wait_s = order_wait_s
        self.retry_s = retry_s

    async def run(self) -> None:
        """Until cancelled; a broken feed is resumed after ``retry_s`` (receipts put meanwhile
        are lost to WebSocket clients only: the store keeps them)."""
        await follow(self.store.subscribe_receipts, self.relay, retry_s=self.retry_s, log=_log,
                     feed="receipt feed")

    async def relay(self, receipt: Receipt) -> None:
        # Clients hear of a version's change before they hear it went on air.
        await self.hub.wait_for(receipt.version, self.order_wait_s)
        message = applied_message(receipt)
        for client in list(self.hub.clients):
            client.offer(message)
