"""The JSON form of a stored :class:`~control.store.base.Cue`, the same in both backends.

Readers turn damaged or foreign data into :class:`CorruptDataError` naming where it came from.
"""

from __future__ import annotations

from typing import Any, cast

from control.errors import CorruptDataError
from control.store.base import Cue

__all__ = ["cue_from_json", "cue_to_json"]


def cue_to_json(cue: Cue) -> dict[str, Any]:
    """``{"id", "name", "ops", "if_version", "created_unix", "updated_unix"}``."""
    return {"id": cue.id, "name": cue.name, "ops": list(cue.ops), "if_version": cue.if_version,
            "created_unix": cue.created_unix, "updated_unix": cue.updated_unix}


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def cue_from_json(value: Any, where: str) -> Cue:
    if not isinstance(value, dict):
        raise CorruptDataError(f"{where}: a cue must be an object")
    cue_id, name, ops = value.get("id"), value.get("name"), value.get("ops")
    if_version = value.get("if_version")
    created, updated = value.get("created_unix", 0.0), value.get("updated_unix", 0.0)
    ok = (isinstance(cue_id, str) and isinstance(name, str) and isinstance(ops, list)
          and all(isinstance(op, dict) for op in ops)
          and (if_version is None or (isinstance(if_version, int)
                                      and not isinstance(if_version, bool)))
          and _is_number(created) and _is_number(updated))
    if not ok:
        raise CorruptDataError(f"{where}: a cue has bad fields")
    return Cue(cast(str, cue_id), cast(str, name), tuple(cast(list[dict[str, Any]], ops)),
               cast(int | None, if_version), float(created), float(updated))
