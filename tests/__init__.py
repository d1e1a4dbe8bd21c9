"""Tests, laid out as packages that mirror ``compositor`` and ``control``.

Every test folder has an ``__init__.py`` so that modules are named by their path
(``tests.compositor.scene.codec.test_codec``): files with the same name in different folders do not
clash,
and shared helpers import as ``from tests.strategies import scenes``.
"""
