"""Project-wide test configuration and the fixtures many packages share.

GPU tests are opt-in: they carry ``@pytest.mark.gpu`` and run only with ``COMPOSITOR_GPU_TESTS=1``.
When they run they must get a real GPU (``create_context(require_gpu=True)``), never llvmpipe.
"""

from __future__ import annotations

import os

import pytest

from tests.media_factory import MediaCache, ffmpeg_available


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("COMPOSITOR_GPU_TESTS") == "1":
        return
    skip_gpu = pytest.mark.skip(reason="GPU test: set COMPOSITOR_GPU_TESTS=1 on a GPU host")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip_gpu)


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory) -> MediaCache:
    """Test clips and sound, each made once per session with the ffmpeg CLI
    (``tests/media_factory.py``)."""
    if not ffmpeg_available():
        pytest.skip("the ffmpeg CLI is not installed (scripts/bootstrap installs it)")
    return MediaCache(tmp_path_factory.mktemp("media"))
