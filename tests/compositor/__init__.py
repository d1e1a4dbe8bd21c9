"""Tests of the ``compositor`` package."""
