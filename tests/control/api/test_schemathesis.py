"""Schemathesis, a property-based tester nobody here wrote, against our /openapi.json.

Every operation of the document is called through the real app (real embedded store,
:class:`~tests.control.api.helpers.FakeProgram`) with examples from schemathesis's coverage phase
(edge values, unexpected methods such as TRACE, missing and malformed parts) and fuzzing phase
(positive and negative data), bounded per operation and derandomised, and each response is
checked: no 5xx, a status the document lists, the documented content type, headers and body
schema, schema-valid requests accepted and schema-invalid ones refused, 405 with Allow.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
from prometheus_client import CollectorRegistry
from schemathesis.python.asgi import get_client, shutdown_lifespans

from compositor.scene import Scene
from compositor.scene.codec import Limits
from control.app import create_app
from control.openapi import openapi_document
from control.service.settings import Settings
from control.store.embedded import EmbeddedStore
from tests.control.api.conftest import TEST_HOST
from tests.control.api.helpers import FakeProgram

_CHECKS = (
    "not_a_server_error", "status_code_conformance", "content_type_conformance",
    "response_schema_conformance", "response_headers_conformance",
    "positive_data_acceptance", "negative_data_rejection", "missing_required_header",
    "unsupported_method", "allow_header_conformance",
)
# A schema-valid request may still meet the state it does not know: a stale If-Match (412), like
# a missing layer (404) or a duplicate id (409), which the check already expects.
_POSITIVE = {"expected-statuses": ["2xx", "3xx", "401", "403", "404", "409", "412", "429"]}
# Rules a JSON Schema cannot state, which the codec alone enforces (stated in the schema's
# descriptions: crop.left + crop.right < 1, keyframe frames increasing, an animated value within
# its property's range and of its type, a merge patch that leaves a valid layer), and bytes that
# must decode as an image or font: for the operations whose bodies carry them, a schema-valid
# body may still be a 422 (or, for an upload, a 415 for bytes that are neither). A commit's
# If-Match and if_version, each valid, must name the same version (400 otherwise). A cue's and
# a preview's ops are a commit's; a take's "at" may be at most 10 s ahead; an as-run bound must
# be a real date (the pattern admits 2026-13-45).
_BEYOND_THE_SCHEMA = {
    "create_layer": ["422"], "patch_layer": ["422"], "post_commit": ["400", "422"],
    "upload_asset": ["415", "422"], "create_cue": ["422"], "put_cue": ["422"],
    "post_preview": ["422"], "take_cue": ["422"], "get_as_run": ["422"],
}
# An HTTP client cannot upgrade to the WebSocket: every GET of it is a 426 whatever its query,
# so whether data is accepted or rejected is the WebSocket's business, not HTTP's.
_WEBSOCKET = {"include-operation-id": "ws", "checks": {
    "positive_data_acceptance": {"enabled": False},
    "negative_data_rejection": {"enabled": False}}}
_GENERATION = {"max-examples": 50, "deterministic": True, "mode": "all"}
_CONFIG: dict[str, Any] = {
    "seed": 20261202,
    "base-url": f"http://{TEST_HOST}",
    "generation": _GENERATION,
    "checks": {"enabled": False, **{name: {"enabled": True} for name in _CHECKS},
               "positive_data_acceptance": {"enabled": True, **_POSITIVE}},
    "operations": [
        {"include-operation-id": operation_id, "checks": {"positive_data_acceptance": {
            "expected-statuses": [*_POSITIVE["expected-statuses"], *statuses]}}}
        for operation_id, statuses in _BEYOND_THE_SCHEMA.items()] + [_WEBSOCKET],
    "phases": {"examples": {"enabled": True}, "coverage": {"enabled": True},
               "fuzzing": {"enabled": True}, "stateful": {"enabled": False}},
}


_SETTINGS_LIMITS = 8  # max_layers: small, so that "too many layers" is reachable


@pytest.fixture(scope="module")
def session(tmp_path_factory) -> Iterator[requests.Session]:
    """A requests session that reaches the real app in-process (schemathesis's ASGI adapter)."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"), allowed_hosts=(TEST_HOST,),
                        max_layers=_SETTINGS_LIMITS)
    app: Any = create_app(  # an ASGI app; schemathesis types it more narrowly than Starlette
        settings.control_config(), EmbeddedStore(None, limits=settings.limits),
        FakeProgram(), registry=CollectorRegistry(),
        initial_scene=Scene(width=320, height=180), owns_store=True)
    client = get_client(app)
    # The document under test is the one the app serves.
    assert client.get("/openapi.json").json() == _DOCUMENT
    yield client
    client.close()
    shutdown_lifespans()


_DOCUMENT = openapi_document(Limits(max_layers=_SETTINGS_LIMITS))
# Fonts are uploaded as bytes, like images (schemathesis sends sample files for image types).
schemathesis.serializer.alias("font/*", "application/octet-stream")
schema = schemathesis.openapi.from_dict(
    _DOCUMENT, config=schemathesis.Config.from_dict(_CONFIG))


@schema.parametrize()
def test_api_conforms_to_its_document(case: schemathesis.Case[Any],
                                      session: requests.Session) -> None:
    """Each operation: no 5xx, documented statuses, content types, headers and bodies, valid
    data accepted and invalid data refused, undocumented methods a 405 with Allow."""
    case.call_and_validate(session=session)
