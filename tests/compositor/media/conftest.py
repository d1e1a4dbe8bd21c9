"""Fixtures of the clip tests: one folder of test media per session (made by the ffmpeg CLI)."""

from __future__ import annotations

import pytest

from tests.media_factory import MediaCache


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory) -> MediaCache:
    """Test media made once per session (``tests/media_factory.py``)."""
    return MediaCache(tmp_path_factory.mktemp("media"))
