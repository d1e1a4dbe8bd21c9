"""The embedded store's live inputs: each input's definition, persisted as one JSON file.

``inputs.json`` (next to the journal) holds ``{"inputs": [<input JSON>, ...]}`` with the real
URLs (secrets included: the data directory is the operator's), rewritten atomically on every
change, so a restart reads the same inputs back. Thread-safe (the book locks itself).
"""

from __future__ import annotations

import functools
import threading
from pathlib import Path
from typing import Any

from compositor.inputs.errors import InputSpecError
from compositor.inputs.spec import InputSpec, input_spec_from_json, input_spec_to_json
from control.errors import CorruptDataError, StoreUnavailableError
from control.store.files import atomic_write
from control.store.records import dump_json, load_json

__all__ = ["EmbeddedInputStore", "InputBook"]


class InputBook:
    """Input definitions by id; ``path`` None keeps them in memory only."""

    def __init__(self, path: Path | None) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._inputs: dict[str, InputSpec] | None = None

    def _load(self) -> dict[str, InputSpec]:
        if self._inputs is not None:
            return self._inputs
        inputs: dict[str, InputSpec] = {}
        if self._path is not None and self._path.exists():
            where = str(self._path)
            data = load_json(self._path.read_bytes(), where)
            items = data.get("inputs") if isinstance(data, dict) else None
            for number, item in enumerate(items or []):
                try:
                    spec = input_spec_from_json(item)
                except InputSpecError as exc:
                    raise CorruptDataError(f"{where}: inputs[{number}]: {exc}") from exc
                inputs[spec.id] = spec
        self._inputs = inputs
        return inputs

    def _save(self, inputs: dict[str, InputSpec]) -> None:
        """Write ``inputs``, then keep them: when the write fails nothing changes."""
        if self._path is not None:
            text = dump_json({"inputs": [input_spec_to_json(s, redact=False)
                                         for s in inputs.values()]}).encode()
            try:
                atomic_write(self._path, text)
            except OSError as exc:
                raise StoreUnavailableError(f"cannot write the inputs: {exc}") from exc
        self._inputs = inputs

    def put(self, spec: InputSpec) -> None:
        with self._lock:
            self._save({**self._load(), spec.id: spec})

    def get(self, input_id: str) -> InputSpec | None:
        with self._lock:
            return self._load().get(input_id)

    def entries(self) -> list[InputSpec]:
        with self._lock:
            return sorted(self._load().values(), key=lambda s: (s.created_unix, s.id))

    def delete(self, input_id: str) -> bool:
        with self._lock:
            inputs = self._load()
            if input_id not in inputs:
                return False
            self._save({k: s for k, s in inputs.items() if k != input_id})
            return True


class EmbeddedInputStore:
    """The :class:`~control.store.base.Store` input methods of the embedded store (a mixin:
    the store provides ``_dir``, its channel folder, and ``_locked``, which runs a function
    in a worker thread under the channel lock once the store is open)."""

    _dir: Path | None

    async def _locked(self, fn: Any, *args: Any) -> Any:  # the store's own comes first
        raise NotImplementedError

    @functools.cached_property
    def _input_book(self) -> InputBook:
        return InputBook(None if self._dir is None else self._dir / "inputs.json")

    async def put_input(self, spec: InputSpec) -> None:
        await self._locked(self._input_book.put, spec)

    async def get_input(self, input_id: str) -> InputSpec | None:
        found: InputSpec | None = await self._locked(self._input_book.get, input_id)
        return found

    async def list_inputs(self) -> list[InputSpec]:
        found: list[InputSpec] = await self._locked(self._input_book.entries)
        return found

    async def delete_input(self, input_id: str) -> bool:
        deleted: bool = await self._locked(self._input_book.delete, input_id)
        return deleted
