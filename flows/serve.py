"""``publicity serve``: OUT/public over HTTP on 127.0.0.1, the way feed readers expect it.

Starlette's StaticFiles on uvicorn (both come with Prefect; Prefect itself is not imported) does the
file serving: path safety, HEAD, ETag and Last-Modified from the file's mtime and size, and 304 to
``If-None-Match`` or ``If-Modified-Since``. Since unchanged outputs are never rewritten
(tasks/files.py), a file's ETag stays put until its content changes. What is added here:

- media types readers and calendars check: ``application/rss+xml``, ``application/atom+xml``,
  ``application/feed+json``, ``text/calendar`` (with ``charset=utf-8`` on text and XML);
- ``Cache-Control`` and ``X-Content-Type-Options: nosniff``;
- a clear error when there is nothing to serve yet.

    serve(Path("out/public"), port=8000)            # blocks; Ctrl-C stops
    with ServerThread(Path("out/public")) as url:   # tests: a real server on a free port
        httpx.get(url + "rss.xml")
"""

from __future__ import annotations

import mimetypes
import os
import threading
import time
from pathlib import Path
from types import TracebackType

import uvicorn
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.responses import FileResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import NotModifiedResponse, StaticFiles
from starlette.types import ASGIApp, Scope

from tasks.errors import PublicityError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
CACHE_CONTROL = "public, max-age=300"  # 5 min; readers revalidate with ETag / If-Modified-Since
STARTUP_TIMEOUT = 10.0  # seconds for the test server thread to come up

UTF8 = "; charset=utf-8"
# By file name first (the feeds' names are fixed), then by suffix.
MEDIA_TYPES_BY_NAME = {
    "rss.xml": "application/rss+xml" + UTF8,
    "atom.xml": "application/atom+xml" + UTF8,
    # RFC 8259 defines no charset parameter for JSON types: JSON is UTF-8.
    "feed.json": "application/feed+json",
}
MEDIA_TYPES_BY_SUFFIX = {
    ".ics": "text/calendar" + UTF8,
    ".html": "text/html" + UTF8,
    ".htm": "text/html" + UTF8,
    ".xml": "application/xml" + UTF8,
    ".json": "application/json",
    ".css": "text/css" + UTF8,
    ".js": "text/javascript" + UTF8,
    ".txt": "text/plain" + UTF8,
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".gif": "image/gif",
    ".ico": "image/x-icon",
}


class NothingToServe(PublicityError):
    """The public folder does not exist (no run has written outputs yet)."""


def media_type_for(path: str | os.PathLike[str]) -> str:
    name = Path(path).name
    if name in MEDIA_TYPES_BY_NAME:
        return MEDIA_TYPES_BY_NAME[name]
    suffix = Path(name).suffix.lower()
    if suffix in MEDIA_TYPES_BY_SUFFIX:
        return MEDIA_TYPES_BY_SUFFIX[suffix]
    guessed, _ = mimetypes.guess_type(name)
    return guessed or "application/octet-stream"


class PublicFiles(StaticFiles):
    """StaticFiles with the media types and caching headers feed readers expect."""

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = FileResponse(
            full_path,
            status_code=status_code,
            stat_result=stat_result,
            media_type=media_type_for(full_path),
            headers={"Cache-Control": CACHE_CONTROL, "X-Content-Type-Options": "nosniff"},
        )
        # Starlette's check: If-None-Match (strong or W/ tags, "*") first, else If-Modified-Since.
        if self.is_not_modified(response.headers, Headers(scope=scope)):
            return NotModifiedResponse(response.headers)
        return response


def _check_public_dir(public_dir: Path) -> Path:
    public_dir = Path(public_dir)
    if not public_dir.is_dir():
        raise NothingToServe(
            f"Nothing to serve: {public_dir} is not a folder. Run `publicity run` or "
            "`publicity demo` first, or pass the output folder with --out."
        )
    return public_dir.resolve()


def make_app(public_dir: Path) -> ASGIApp:
    """The ASGI app serving ``public_dir`` (``/`` is its index.html).

    Mounted in a Starlette app so a missing file is a plain 404 (StaticFiles alone raises
    HTTPException, which only Starlette's exception middleware turns into a response).
    """
    files = PublicFiles(directory=_check_public_dir(public_dir), html=True, follow_symlink=False)
    return Starlette(routes=[Mount("/", app=files)])


def serve(public_dir: Path, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    """Serve ``public_dir`` until interrupted (Ctrl-C)."""
    app = make_app(public_dir)
    uvicorn.run(app, host=host, port=port, log_level="info", server_header=False,
                access_log=True)


class ServerThread:
    """The app on uvicorn in a background thread, on a free port unless one is given.

    A context manager yielding the base URL (``http://127.0.0.1:PORT/``); used by the tests, and
    handy for any caller that needs the outputs served for a while (e.g. a headless browser).
    """

    def __init__(self, public_dir: Path, *, host: str = DEFAULT_HOST, port: int = 0) -> None:
        config = uvicorn.Config(
            make_app(public_dir), host=host, port=port, log_level="warning",
            server_header=False, access_log=False, lifespan="off",
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="publicity-serve", daemon=True)
        self.url = ""

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the HTTP server did not start")
            time.sleep(0.01)
        host, port = self.server.servers[0].sockets[0].getsockname()[:2]
        self.url = f"http://{host}:{port}/"
        return self.url

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=STARTUP_TIMEOUT)
