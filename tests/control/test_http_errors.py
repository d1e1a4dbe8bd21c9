"""The one HTTP mapping of the error tree, and the one parser of commit requests."""

from __future__ import annotations

import inspect

import pytest
from prometheus_client import CollectorRegistry

import control.errors
from compositor.errors import CompositorError, RenderError, SceneError, SceneValidationError
from compositor.scene.codec import Limits
from control.commit_request import MAX_VERSION, CommitRequest, parse_commit_request
from control.committer import Committer
from control.errors import (
    AssetInUseError,
    AssetTooLargeError,
    BadRequestError,
    ControlError,
    CorruptDataError,
    PreconditionFailedError,
    ProgramArgumentError,
    StoreError,
    VersionConflictError,
)
from control.http import STATUSES, error_for
from control.metrics import ControlMetrics
from control.store.embedded import EmbeddedStore


def test_every_control_error_is_below_the_root_and_has_a_status() -> None:
    classes = [cls for _, cls in inspect.getmembers(control.errors, inspect.isclass)
               if issubclass(cls, ControlError)]
    assert len(classes) == len(control.errors.__all__)
    internal = {ControlError, StoreError, CorruptDataError}  # 500 on purpose: a fault of ours
    for cls in classes:
        assert issubclass(cls, CompositorError)
        assert any(base in STATUSES for base in cls.__mro__) != (cls in internal), cls
    assert not any(hasattr(cls, "status") for cls in classes)


def test_statuses_come_from_the_table_with_their_details() -> None:
    stale = error_for(PreconditionFailedError(3, 4))
    assert (stale.status, stale.code, stale.path, stale.extra) == \
        (412, "precondition_failed", "If-Match", {"version": 4})
    conflict = error_for(VersionConflictError(3, 4))
    assert (conflict.status, conflict.path) == (409, "if_version")
    assert error_for(AssetInUseError("x", ("a", "b"))).body()["layers"] == ["a", "b"]
    assert error_for(AssetTooLargeError("big")).status == 413
    assert (error_for(ProgramArgumentError("no", path="url")).status,
            error_for(ProgramArgumentError("no", path="url")).path) == (422, "url")
    assert error_for(SceneError("x", "bad")).code == "scene_error"


def test_errors_outside_the_table_are_a_hidden_500() -> None:
    for exc in (RenderError("the GPU caught fire"), ValueError("secret")):
        error = error_for(exc)
        assert (error.status, error.code) == (500, "internal_error")
        assert "fire" not in error.message and "secret" not in error.message


@pytest.fixture
def committer() -> Committer:
    return Committer(EmbeddedStore(None), ControlMetrics(CollectorRegistry()), Limits())


def test_the_parser_bounds_if_version_for_both_transports(committer: Committer) -> None:
    for value in (-1, MAX_VERSION, True, 1.5):
        with pytest.raises(SceneValidationError) as info:
            parse_commit_request({"ops": [], "if_version": value}, committer)
        assert info.value.path == "if_version"
    assert parse_commit_request({"ops": [], "if_version": MAX_VERSION - 1}, committer) == \
        CommitRequest((), MAX_VERSION - 1)


def test_the_parser_says_where_the_expected_version_came_from(committer: Committer) -> None:
    assert parse_commit_request({"ops": []}, committer, if_match=4).if_match
    assert not parse_commit_request({"ops": [], "if_version": 4}, committer, if_match=4).if_match
    with pytest.raises(BadRequestError):
        parse_commit_request({"ops": [], "if_version": 3}, committer, if_match=4)
    scheduled = parse_commit_request({"type": "commit", "ops": [], "at": {"frame": 9}},
                                     committer, extra_fields=("type", "id"))
    assert scheduled.scheduled and scheduled.at == {"frame": 9}
    with pytest.raises(SceneValidationError) as info:
        parse_commit_request({"type": "commit", "ops": []}, committer)
    assert info.value.path == "type"
