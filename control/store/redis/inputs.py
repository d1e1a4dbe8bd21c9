"""The Redis store's live inputs: one hash per channel, ``compositor:<channel>:inputs``, input
id -> the input's JSON (real URL included: Redis is the operator's). Every replica of the channel
reads the same inputs; the service follows changes by listing them (``control.service.inputs``).
"""

from __future__ import annotations

from typing import Any, cast

from compositor.inputs.errors import InputSpecError
from compositor.inputs.spec import InputSpec, input_spec_from_json, input_spec_to_json
from control.errors import CorruptDataError
from control.store.records import dump_json, load_json
from control.store.redis.link import RedisLink

__all__ = ["RedisInputStore", "RedisInputs"]


class RedisInputs:
    def __init__(self, link: RedisLink, channel: str) -> None:
        self._link = link
        self._key = f"compositor:{channel}:inputs"

    def _decode(self, raw: Any) -> InputSpec:
        where = f"Redis key {self._key}"
        try:
            return input_spec_from_json(load_json(raw, where))
        except InputSpecError as exc:
            raise CorruptDataError(f"{where}: {exc}") from exc

    async def put(self, spec: InputSpec) -> None:
        async with self._link.guard(self._key):
            await self._link.client.hset(self._key, spec.id,
                                         dump_json(input_spec_to_json(spec, redact=False)))

    async def get(self, input_id: str) -> InputSpec | None:
        async with self._link.guard(self._key):
            raw = await self._link.client.hget(self._key, input_id)
        return None if raw is None else self._decode(raw)

    async def entries(self) -> list[InputSpec]:
        async with self._link.guard(self._key):
            raw = cast(dict[bytes, bytes], await self._link.client.hgetall(self._key))
        return sorted((self._decode(v) for v in raw.values()), key=lambda s: (s.created_unix,
                                                                             s.id))

    async def delete(self, input_id: str) -> bool:
        async with self._link.guard(self._key):
            removed = await self._link.client.hdel(self._key, input_id)
        return bool(removed)


class RedisInputStore:
    """The :class:`~control.store.base.Store` input methods of the Redis store (a mixin: the
    store sets ``_inputs``)."""

    _inputs: RedisInputs

    async def put_input(self, spec: InputSpec) -> None:
        await self._inputs.put(spec)

    async def get_input(self, input_id: str) -> InputSpec | None:
        return await self._inputs.get(input_id)

    async def list_inputs(self) -> list[InputSpec]:
        return await self._inputs.entries()

    async def delete_input(self, input_id: str) -> bool:
        return await self._inputs.delete(input_id)
