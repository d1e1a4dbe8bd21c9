"""The public surface of compositor.media: every module declares __all__, every name exists."""

from __future__ import annotations

import importlib
import pkgutil

import compositor.media


def test_package_exports_exist() -> None:
    for name in compositor.media.__all__:
        assert hasattr(compositor.media, name), name


def test_every_module_declares_all() -> None:
    for module in pkgutil.iter_modules(compositor.media.__path__):
        loaded = importlib.import_module(f"compositor.media.{module.name}")
        exported = getattr(loaded, "__all__", None)
        assert exported, f"compositor.media.{module.name} has no __all__"
        for name in exported:
            assert hasattr(loaded, name), f"{module.name}.{name}"
