"""A small HTTP server for a folder of static pages: the sample site for the demo and the tests.

It behaves like the portal's web server where the pipeline cares: ETag and Last-Modified on every
file, 304 to a conditional GET, a per-file Content-Type (a GBK page, say) read from ``_headers.toml``
in the folder, and 404 for anything missing. Tests can switch faults on per path (a 500 then success,
a slow answer, a truncated body, an anti-bot challenge, a redirect) with ``SampleServer.faults``.

    with SampleServer(SAMPLE_SITE_DIR) as server:
        print(server.url)   # http://127.0.0.1:PORT/

Binds 127.0.0.1 only. Standard library only, so starting it costs milliseconds.

Fault kinds (``Fault.kind``): "status", "slow", "drip", "truncate", "reset", "challenge",
"redirect", "headers" (serve the file with headers changed or removed, e.g. a GBK page without a
charset), "big" (a page of ``size`` bytes, streamed), "gzip_bomb" (``size`` bytes once unpacked),
"rewrite" (serve the file's bytes changed by ``transform``), "rst" (part of the body, then a TCP
reset). tests/faults.py switches such faults on for the whole site at once.
"""

from __future__ import annotations

import email.utils
import gzip
import hashlib
import io
import mimetypes
import socket
import struct
import sys
import threading
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

HEADERS_FILE = "_headers.toml"
CHALLENGE_HTML = (
    "<html><head><meta charset='utf-8'></head><body><script>"
    "var _0x1=['cookie'];document.cookie='__jsl_clearance=1699999999.1|0|abc; path=/';"
    "location.href=location.pathname+location.search;</script></body></html>"
)
CHUNK = 64 * 1024


@dataclass
class Fault:
    """One injected misbehaviour, used for the next request(s) to a path.

    kind: "status" (answer ``status`` with ``body`` and ``headers``), "slow" (sleep ``delay`` s,
    then serve), "drip" (serve the file 64 bytes at a time, ``delay`` s apart), "truncate" (announce
    the full length, send ``fraction`` of it, close), "challenge" (``status`` 412, 202 or 521 with
    ``body`` or a cookie-setting script), "redirect" (302 to ``location``), "reset" (close without
    answering), "headers" (serve the file with ``headers`` on top; an empty value removes one),
    "big" (a page of ``size`` bytes; ``headers={"Content-Length": ""}`` streams it without a length),
    "gzip_bomb" (gzip of ``size`` bytes of spaces, sent with Content-Encoding: gzip), "rewrite"
    (serve ``transform(path, file bytes)`` with a consistent length and ``headers`` on top, as
    "headers" does; ``keep_etag``: with the
    unchanged file's ETag, as a proxy that mangles pages would), "rst" (announce the full length,
    send ``fraction`` of it, then reset the connection).
    ``times`` is how many requests it applies to; then the path is served normally.
    """

    kind: str
    status: int = 500
    body: bytes = b""
    delay: float = 0.0
    fraction: float = 0.5
    location: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1
    size: int = 0
    transform: Callable[[str, bytes], bytes] | None = None
    keep_etag: bool = False


class SampleServer:
    def __init__(self, root: Path, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.root = Path(root).resolve()
        self.faults: dict[str, list[Fault]] = {}
        self.requests: list[tuple[str, str, dict[str, str]]] = []  # (method, path, headers)
        self.request_times: list[float] = []  # time.monotonic() of each entry in ``requests``
        self._lock = threading.Lock()
        self._header_rules = _load_header_rules(self.root)
        handler = _make_handler(self)
        self._httpd = _QuietServer((host, port), handler)
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def add_fault(self, path: str, fault: Fault) -> None:
        with self._lock:
            self.faults.setdefault(path, []).append(fault)

    def take_fault(self, path: str) -> Fault | None:
        with self._lock:
            queue = self.faults.get(path)
            if not queue:
                return None
            fault = queue[0]
            fault.times -= 1
            if fault.times <= 0:
                queue.pop(0)
            return fault

    def start(self) -> SampleServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="sample-server"
        )  # a short poll makes stop() quick (shutdown waits for the next poll)
        self._thread.daemon = True
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> SampleServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def headers_for(self, rel_path: str) -> dict[str, str]:
        return dict(self._header_rules.get(rel_path, {}))

    def paths_requested(self, method: str = "GET") -> list[str]:
        """The paths asked for, in order (a convenience for tests)."""
        return [path for m, path, _ in list(self.requests) if m == method]


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # the client gave up (a timeout test, a size cap): expected, not news
        super().handle_error(request, client_address)  # type: ignore[arg-type]


_GZIP_BOMBS: dict[int, bytes] = {}


def _gzip_bomb(size: int) -> bytes:
    """gzip of ``size`` bytes of spaces, built once per size in 1 MiB steps (memory stays small)."""
    if size not in _GZIP_BOMBS:
        buffer = io.BytesIO()
        with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9) as zipped:
            block = b" " * (1024 * 1024)
            left = size
            while left > 0:
                zipped.write(block[: min(left, len(block))])
                left -= len(block)
        _GZIP_BOMBS[size] = buffer.getvalue()
    return _GZIP_BOMBS[size]


def _load_header_rules(root: Path) -> dict[str, dict[str, str]]:
    path = root / HEADERS_FILE
    if not path.exists():
        return {}
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return {k.lstrip("/"): {str(h): str(v) for h, v in rules.items()} for k, rules in data.items()}


def _content_type(path: Path) -> str:
    if path.suffix in {".html", ".htm"}:
        return "text/html; charset=utf-8"
    if path.name == "robots.txt":
        return "text/plain; charset=utf-8"
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


def _make_handler(server: SampleServer) -> Callable[..., BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "SampleSite/1.0"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
            pass  # quiet: tests read server.requests instead

        def do_HEAD(self) -> None:
            self._serve(head=True)

        def do_GET(self) -> None:
            self._serve(head=False)

        def _serve(self, *, head: bool) -> None:
            path = unquote(urlsplit(self.path).path)
            with server._lock:  # the two lists stay index-aligned under concurrent requests
                server.requests.append((self.command, path, dict(self.headers.items())))
                server.request_times.append(time.monotonic())
            fault = server.take_fault(path)
            if fault is not None and self._apply_fault(fault, head=head):
                return
            overrides = fault.headers if fault is not None and fault.kind in ("headers", "rewrite") else {}
            drip = fault.delay if fault is not None and fault.kind == "drip" else 0.0
            rewrite = fault if fault is not None and fault.kind == "rewrite" else None
            rel = path.lstrip("/")
            target = (server.root / rel).resolve()
            if target.is_dir() or path.endswith("/"):
                target = target / "index.html"
                rel = (rel.rstrip("/") + "/index.html").lstrip("/")
            if server.root not in target.parents or not target.is_file() or rel == HEADERS_FILE:
                self._send_simple(404, b"<html><body><h1>404 Not Found</h1></body></html>", head)
                return
            original = body = target.read_bytes()
            if rewrite is not None and rewrite.transform is not None:
                body = rewrite.transform(rel, original)
            tagged = original if rewrite is not None and rewrite.keep_etag else body
            etag = '"' + hashlib.sha1(tagged).hexdigest()[:16] + '"'
            mtime = int(target.stat().st_mtime)
            last_modified = email.utils.formatdate(mtime, usegmt=True)
            if self._not_modified(etag, mtime):
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", last_modified)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            headers = {"Content-Type": _content_type(target)}
            headers.update(server.headers_for(rel))
            headers.update({"ETag": etag, "Last-Modified": last_modified, "Content-Length": str(len(body))})
            for name, value in overrides.items():
                headers = {k: v for k, v in headers.items() if k.lower() != name.lower()}
                if value:
                    headers[name] = value
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            if head:
                return
            if drip:
                for start in range(0, len(body), 64):
                    self.wfile.write(body[start : start + 64])
                    self.wfile.flush()
                    time.sleep(drip)
                return
            self.wfile.write(body)

        def _not_modified(self, etag: str, mtime: int) -> bool:
            inm = self.headers.get("If-None-Match")
            if inm is not None:
                return etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*"
            ims = self.headers.get("If-Modified-Since")
            if ims:
                try:
                    since = email.utils.parsedate_to_datetime(ims).timestamp()
                except (TypeError, ValueError):
                    return False
                return mtime <= since
            return False

        def _send_simple(self, status: int, body: bytes, head: bool, **headers: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", headers.pop("content_type", "text/html; charset=utf-8"))
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not head:
                self.wfile.write(body)

        def _apply_fault(self, fault: Fault, *, head: bool) -> bool:
            """Serve the fault; False means 'now serve the file normally' (after a delay)."""
            if fault.kind == "slow":
                time.sleep(fault.delay)
                return False
            if fault.kind in ("headers", "drip", "rewrite"):
                return False  # applied while serving the file
            if fault.kind == "big":
                self._send_big(fault, head=head)
                return True
            if fault.kind == "gzip_bomb":
                body = _gzip_bomb(fault.size)
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if not head:
                    self.wfile.write(body)
                return True
            if fault.kind == "status":
                self.send_response(fault.status)
                for name, value in fault.headers.items():
                    self.send_header(name, value)
                body = fault.body or f"<html><body>{fault.status}</body></html>".encode()
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if not head:
                    self.wfile.write(body)
                return True
            if fault.kind == "challenge":
                body = fault.body or CHALLENGE_HTML.encode()
                self.send_response(fault.status if fault.status in (202, 412, 521) else 412)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if not head:
                    self.wfile.write(body)
                return True
            if fault.kind == "redirect":
                self.send_response(302)
                self.send_header("Location", fault.location)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return True
            if fault.kind == "truncate":
                self._send_part_of_page(fault)
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return True
            if fault.kind == "reset":
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return True
            if fault.kind == "rst":
                self._send_part_of_page(fault)
                # SO_LINGER with a zero timeout: close() sends RST, not FIN (a reset mid-body).
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
                self.close_connection = True
                self.connection.close()
                return True
            raise ValueError(f"Unknown fault kind {fault.kind!r}")

        def _send_part_of_page(self, fault: Fault) -> None:
            """The page's headers with its full length, then only ``fault.fraction`` of its body."""
            rel = unquote(urlsplit(self.path).path).lstrip("/")
            target = server.root / (rel if not rel.endswith("/") and rel else rel + "index.html")
            body = target.read_bytes() if target.is_file() else b"<html>" + b"x" * 4096
            self.send_response(200)
            self.send_header("Content-Type", _content_type(target))
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: int(len(body) * fault.fraction)])
            self.wfile.flush()

        def _send_big(self, fault: Fault, *, head: bool) -> None:
            with_length = fault.headers.get("Content-Length", "x") != ""
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            if with_length:
                self.send_header("Content-Length", str(fault.size))
            else:
                self.send_header("Connection", "close")  # the body ends when the connection does
                self.close_connection = True
            self.end_headers()
            if head:
                return
            block = b"<p>" + b"x" * (CHUNK - 7) + b"</p>\n"
            left = fault.size
            while left > 0:
                self.wfile.write(block[: min(left, len(block))])
                left -= len(block)

    return Handler
