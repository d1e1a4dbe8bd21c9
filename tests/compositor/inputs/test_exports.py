"""The public surface of compositor.inputs: every module declares __all__, every name exists."""

from __future__ import annotations

import importlib
import pkgutil

import compositor.inputs


def test_package_exports_exist() -> None:
    for name in compositor.inputs.__all__:
        assert hasattr(compositor.inputs, name), name


def test_every_module_declares_all() -> None:
    for module in pkgutil.iter_modules(compositor.inputs.__path__):
        loaded = importlib.import_module(f"compositor.inputs.{module.name}")
        exported = getattr(loaded, "__all__", None)
        assert exported, f"compositor.inputs.{module.name} has no __all__"
        for name in exported:
            assert hasattr(loaded, name), f"{module.name}.{name}"
