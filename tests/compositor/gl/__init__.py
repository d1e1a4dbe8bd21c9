"""Tests of ``compositor.gl`` on a real EGL context (Mesa llvmpipe without a GPU)."""
