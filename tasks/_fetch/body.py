"""Reading a response body as a stream, under a size cap and a total time cap.

The cap counts bytes after decompression, so a gzip bomb stops at the cap; a body shorter than its
Content-Length is ``Truncated``, never a page.
"""

from __future__ import annotations

import zlib

import httpx

from tasks._fetch.messages import size_text, too_large_message, truncated_message
from tasks._fetch.rate_limit import Clock
from tasks._fetch.translate import translate_httpx
from tasks.errors import FetchError, FetchTimeout, TooLarge, Truncated


def read_body(
    response: httpx.Response,
    *,
    url: str,
    asked: str,
    max_bytes: int,
    total_timeout: float,
    clock: Clock,
    timeouts: httpx.Timeout,
) -> bytes:
    """The decompressed body of a streamed ``response``, at most ``max_bytes`` long.

    Raises ``TooLarge`` (announced or actual size over the cap), ``FetchTimeout`` (the whole body
    took longer than ``total_timeout`` on ``clock``), ``Truncated``, or the translation of an
    httpx error (read under the client's ``timeouts``).
    """
    status = response.status_code
    expected = content_length(response)
    if expected is not None and expected > max_bytes:
        raise TooLarge(
            too_large_message(url, max_bytes, f"it announces {size_text(expected)}"),
            url=asked,
            status=status,
        )
    if response.is_stream_consumed:
        # A transport that hands over a response already read and unpacked (httpx.MockTransport
        # with ``content=``): only the cap is left to check.
        if len(response.content) > max_bytes:
            raise TooLarge(too_large_message(url, max_bytes, "it is larger"), url=asked, status=status)
        return response.content
    decoder = BodyDecoder(response.headers.get("content-encoding"), url=url, asked=asked, status=status)
    deadline = clock() + total_timeout
    body = bytearray()
    received = 0
    try:
        for chunk in response.iter_raw():
            received += len(chunk)
            body += decoder.feed(chunk, limit=max_bytes - len(body) + 1)
            if len(body) > max_bytes:
                what = "unpacked, it is larger" if decoder.compressed else "it is larger"
                raise TooLarge(too_large_message(url, max_bytes, what), url=asked, status=status)
            if clock() > deadline:
                raise FetchTimeout(
                    f"Gave up on {url} after {total_timeout:g} s in all (total time limit): "
                    f"only {size_text(received)} had arrived; the site is very slow.",
                    url=asked,
                    status=status,
                )
    except httpx.HTTPError as exc:
        raise translate_httpx(
            exc, url=url, asked=asked, timeouts=timeouts, status=status, received=received, expected=expected
        ) from exc
    if expected is not None and received < expected:
        # An HTTP/1.1 server that closes early makes h11 raise; this catches any other transport.
        raise Truncated(truncated_message(url, received, expected), url=asked, status=status)
    body += decoder.finish(received=received)
    if len(body) > max_bytes:
        raise TooLarge(too_large_message(url, max_bytes, "it is larger"), url=asked, status=status)
    return bytes(body)


def content_length(response: httpx.Response) -> int | None:
    """The Content-Length header as a number, or None when missing or not a valid length."""
    try:
        value = int(response.headers.get("content-length", ""))
    except ValueError:
        return None
    return value if value >= 0 else None


class BodyDecoder:
    """gzip/deflate decompression that never produces more than ``limit`` bytes per call.

    httpx's own decoders decompress a whole network chunk at once (a 64 KB chunk of a gzip bomb is
    ~64 MB); ``zlib``'s ``max_length`` keeps memory at the cap.
    """

    def __init__(self, content_encoding: str | None, *, url: str, asked: str, status: int) -> None:
        codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        self._url, self._asked, self._status = url, asked, status
        self.compressed = bool(codings)
        self._zlib: zlib._Decompress | None = None
        self._raw_deflate_tried = False
        self._started = False
        if not codings:
            return
        if len(codings) > 1 or codings[0] not in ("gzip", "x-gzip", "deflate"):
            raise FetchError(
                f"{url} was sent compressed as {content_encoding!r}, which this program "
                "did not ask for and cannot unpack.",
                url=asked,
                status=status,
            )
        self._deflate = codings[0] == "deflate"
        self._zlib = zlib.decompressobj(zlib.MAX_WBITS if self._deflate else zlib.MAX_WBITS | 16)

    def feed(self, data: bytes, *, limit: int) -> bytes:
        if self._zlib is None:
            return data
        first = not self._started
        self._started = True
        try:
            # With max_length, zlib stops at the limit: output of ``limit`` bytes means "over the cap".
            return self._zlib.decompress(data, max(1, limit))
        except zlib.error as exc:
            if self._deflate and first and not self._raw_deflate_tried:
                # "deflate" is sent both zlib-wrapped (as the RFC says) and raw (as IIS did).
                self._raw_deflate_tried = True
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                return self.feed(data, limit=limit)
            raise FetchError(
                f"{self._url} was sent compressed but could not be unpacked ({exc}); the page was not used.",
                url=self._asked,
                status=self._status,
            ) from exc

    def finish(self, *, received: int) -> bytes:
        if self._zlib is None or received == 0:
            return b""
        tail = self._zlib.flush()
        if not self._zlib.eof:
            raise Truncated(
                f"The page {self._url} was cut off: its compressed body ended early "
                "(truncated); it was not used.",
                url=self._asked,
                status=self._status,
            )
        return tail
