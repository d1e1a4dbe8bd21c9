"""Receiving an asset upload into a :class:`~control.spool.Spool`: raw body or multipart form.

Either way the bytes go to a file as they arrive, nothing is held whole in memory, and reading
stops with 413 as soon as the upload passes the limit of its kind (checked against
``Content-Length`` before anything is read, when there is one).

- Raw body: the request's ``Content-Type`` declares the type; ``X-Filename`` names the file.
- ``multipart/form-data``: the part named ``file``, or else the first part with a filename, is
  the upload (its own ``Content-Type`` declares the type); other parts are skipped (at most
  :data:`~control.assets.MAX_FORM_PARTS` parts). The form is parsed as a stream by
  python-multipart's push parser, never spooled by Starlette. A form without a file part is 422
  (path ``file``); a malformed form is 400.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from control.assets import MAX_FORM_PARTS
from control.errors import BadRequestError, BodyTooLargeError, RequestValidationError
from control.routes.body import check_length
from control.spool import Spool

__all__ = ["Received", "receive_upload"]

MAX_PARTS = MAX_FORM_PARTS
_FORM_SLACK_BYTES = 64 * 1024  # part headers and small fields around the file


@dataclass(frozen=True, slots=True)
class Received:
    """What the client declared of the upload (its bytes are in the spool)."""

    content_type: str | None
    filename: str | None


SpoolFactory = Callable[[str | None], Spool]
"""Makes the spool for an upload of the declared content type (it knows the limits)."""


async def receive_upload(request: Request, make_spool: SpoolFactory,
                         limit_for: Callable[[str | None], int]) -> tuple[Spool, Received]:
    """Read the upload into a new spool (not yet finished). ``limit_for(content_type)``: the
    most bytes an upload of that declared type may have (checked against ``Content-Length``
    before reading; the spool enforces the limit of what the bytes turn out to be). On an
    exception the spool, if made, is discarded."""
    content_type = request.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() == "multipart/form-data":
        return await _form(request, content_type, make_spool,
                           limit_for(None) + _FORM_SLACK_BYTES)
    check_length(request, limit_for(content_type))
    name = request.headers.get("x-filename")
    spool = make_spool(content_type)
    try:
        async for chunk in request.stream():
            await spool.write(chunk)
    except BaseException:
        spool.discard()
        raise
    return spool, Received(content_type, name[:256] if name else None)


class _FormReader:
    """python-multipart callbacks that collect the file part's pieces between writes."""

    def __init__(self, make_spool: SpoolFactory) -> None:
        self.make_spool = make_spool
        self.spool: Spool | None = None
        self.received: Received | None = None
        self.parts = 0
        self.pieces: list[bytes] = []
        self._field = b""
        self._headers: dict[bytes, bytes] = {}
        self._target = False

    def callbacks(self) -> dict[str, object]:
        return {
            "on_part_begin": self._part_begin, "on_header_field": self._header_field,
            "on_header_value": self._header_value, "on_header_end": self._header_end,
            "on_headers_finished": self._headers_done,
            "on_part_data": self._data,
        }

    def _part_begin(self) -> None:
        self.parts += 1
        if self.parts > MAX_PARTS:
            raise RequestValidationError(f"the form has more than {MAX_PARTS} parts", "file")
        self._headers, self._field, self._target = {}, b"", False

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        key = self._field.lower()
        self._headers[key] = self._headers.get(key, b"") + data[start:end]
        if len(self._headers[key]) > 4096:
            raise BadRequestError("a form part header is too long", "file")

    def _header_end(self) -> None:
        self._field = b""

    def _headers_done(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        filename = options.get(b"filename")
        if self.spool is None and (name == "file" or filename is not None):
            declared = self._headers.get(b"content-type", b"").decode("latin-1") or None
            self.received = Received(declared, filename.decode("utf-8", "replace")[:256]
                                     if filename else None)
            self.spool = self.make_spool(declared)
            self._target = True

    def _data(self, data: bytes, start: int, end: int) -> None:
        if self._target:
            self.pieces.append(bytes(data[start:end]))


async def _form(request: Request, content_type: str, make_spool: SpoolFactory,
                limit: int) -> tuple[Spool, Received]:
    check_length(request, limit)
    _, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if not boundary:
        raise BadRequestError("multipart/form-data without a boundary", "Content-Type")
    reader = _FormReader(make_spool)
    parser = MultipartParser(boundary, reader.callbacks())  # type: ignore[arg-type]
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise BodyTooLargeError(f"the body is larger than the limit of {limit} bytes")
            parser.write(chunk)
            await _drain(reader)
        parser.finalize()
        await _drain(reader)
    except MultipartParseError as exc:
        if reader.spool is not None:
            reader.spool.discard()
        raise BadRequestError(f"the form does not parse: {exc}", "Content-Type") from exc
    except BaseException:
        if reader.spool is not None:
            reader.spool.discard()
        raise
    if reader.spool is None or reader.received is None:
        raise RequestValidationError("the form has no file part", "file")
    return reader.spool, reader.received


async def _drain(reader: _FormReader) -> None:
    pieces, reader.pieces = reader.pieces, []
    if reader.spool is not None:
        for piece in pieces:
            await reader.spool.write(piece)
