"""A fault-injecting sample site: ``SampleServer`` with site-wide modes switched on and off (issue 8).

``SampleServer.faults`` injects a fault into one path; ``FaultySite`` injects one into every page of
a kind at once (list pages, article pages, or both), which is what a misbehaving portal does::

    with FaultySite(site_dir) as site:
        site.set_mode(Mode.ERROR_500, scope=Scope.ARTICLES)          # every article answers 500
        site.set_mode(Mode.RATE_LIMITED, scope=Scope.ALL, times=1)   # one 429 per page, then fine
        site.set_mode(Mode.SLOW, only={"/zwgk/…/post_4236888.html"})  # just these paths
        site.clear()                                                  # healthy again

Per-path faults (``add_fault``) still win over the mode. robots.txt, images, PDFs and static files are
never touched by a mode. Standard library only, like the server.
"""

from __future__ import annotations

import enum
import re
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from tasks.sample_server import Fault, SampleServer, _gzip_bomb

MIB = 1024 * 1024
HUGE_PAGE_BYTES = 50 * MIB  # "a 50 MB page"
GZIP_BOMB_BYTES = 256 * MIB  # unpacked; ~250 KB on the wire
EVIL_ORIGIN = "http://evil.example.com"

_LIST_PATH = re.compile(r"^/zwgk/jdhy/[a-z]+/(?:index(?:_(\d+))?\.html)?$")
_ARTICLE_PATH = re.compile(r"/content/post_\d+\.html$")
_LIST_BLOCK = re.compile(rb"<div class=\"page-infolist\">.*?<!-- list End -->", re.S)
_PAGER_BLOCK = re.compile(rb"<div class=\"pages\" id=\"pages\">.*?</div>", re.S)
_META_CHARSET = re.compile(rb"<meta charset=\"utf-8\">", re.I)


class Mode(str, enum.Enum):
    """What the site does wrong. ``NONE``: nothing."""

    NONE = "none"
    ERROR_500 = "500"  # HTTP 500 with an error page
    RATE_LIMITED = "429"  # HTTP 429 with Retry-After
    SLOW = "slow"  # answers only after ``slow_delay`` seconds (past the client's read timeout)
    RESET_MID_BODY = "reset-mid-body"  # half the body, then a TCP reset
    TRUNCATED_HTML = "truncated-html"  # a complete HTTP response of half the page
    CHALLENGE = "challenge-412"  # an anti-bot JavaScript challenge (HTTP 412)
    GBK_NO_CHARSET = "gbk-no-charset"  # pages re-encoded as GBK, charset in no header or meta
    LAYOUT_CHANGED = "layout-changed"  # list pages: the list is gone (rendered by script now)
    OFF_HOST_REDIRECT = "off-host-redirect"  # 302 to another host
    ENDLESS_PAGER = "endless-pager"  # list pages never end: index_N.html always has a next page
    HUGE_PAGE = "huge-page"  # a 50 MB page (announced length)
    HUGE_STREAM = "huge-stream"  # a 50 MB page without Content-Length (read until the cap)
    GZIP_BOMB = "gzip-bomb"  # a small gzip body that unpacks to 256 MB


class Scope(str, enum.Enum):
    LISTS = "lists"
    ARTICLES = "articles"
    ALL = "all"


def is_list_path(path: str) -> bool:
    return bool(_LIST_PATH.match(path))


def is_article_path(path: str) -> bool:
    return bool(_ARTICLE_PATH.search(path))


def cut_html(fraction: float) -> Callable[[str, bytes], bytes]:
    """A page cut to ``fraction`` of its bytes (on a character boundary: the HTML itself is cut)."""

    def transform(path: str, body: bytes) -> bytes:
        return body[: int(len(body) * fraction)]

    return transform


def to_gbk_without_charset(path: str, body: bytes) -> bytes:
    """The page as GBK with its ``<meta charset>`` removed (GBK pages of the site stay as they are)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return body  # already a GBK page
    # xmlcharrefreplace: what a GBK CMS does with a character GBK lacks.
    return _META_CHARSET.sub(b"", text.encode("gbk", errors="xmlcharrefreplace"))


def without_list(path: str, body: bytes) -> bytes:
    """A redesigned list page: the list is rendered by a script now, nothing in the HTML."""
    return _LIST_BLOCK.sub(
        b'<div id="app" class="news-list-v2"></div>'
        b"<script>window.__list = fetch('/api/list?channel=5012');</script>",
        body,
    )


def endless_pager(site_root: Path) -> Callable[[str], bytes | None]:
    """For list pages from the last real one on: that page's items and a "next" to one more page."""

    def page(path: str) -> bytes | None:
        match = _LIST_PATH.match(path)
        if not match:
            return None
        folder = path[: path.rfind("/") + 1]
        number = int(match.group(1) or 1)
        pages = sorted(
            int(m.group(1) or 1)
            for p in (site_root / folder.lstrip("/")).glob("index*.html")
            if (m := re.match(r"index(?:_(\d+))?\.html$", p.name))
        )
        last = pages[-1] if pages else 1
        if number < last:
            return None  # a real page with a real pager
        source = site_root / folder.lstrip("/") / ("index.html" if last == 1 else f"index_{last}.html")
        nxt = f"{folder}index_{number + 1}.html".encode()
        pager = (
            b'<div class="pages" id="pages"><ul><li><a class="current" href="#"> '
            + str(number).encode()
            + b' </a></li> <li><a class="next" href="'
            + nxt
            + b'"> \xe4\xb8\x8b\xe4\xb8\x80\xe9\xa1\xb5 </a></li></ul></div>'  # 下一页
        )
        return _PAGER_BLOCK.sub(lambda _: pager, source.read_bytes(), count=1)

    return page


class FaultySite(SampleServer):
    """The sample site with a switchable site-wide fault; see the module docstring."""

    def __init__(
        self,
        root: Path,
        *,
        port: int = 0,
        slow_delay: float = 1.5,
        retry_after: str = "1",
        huge_bytes: int = HUGE_PAGE_BYTES,
        bomb_bytes: int = GZIP_BOMB_BYTES,
        evil_origin: str = EVIL_ORIGIN,
    ) -> None:
        super().__init__(root, port=port)
        self.slow_delay = slow_delay
        self.retry_after = retry_after
        self.huge_bytes = huge_bytes
        self.bomb_bytes = bomb_bytes
        self.evil_origin = evil_origin
        self.mode = Mode.NONE
        self.scope = Scope.ALL
        self.only: frozenset[str] | None = None
        self.times: int | None = None  # faulty answers per path; None: every time
        self._served: dict[str, int] = {}
        self._mode_lock = threading.Lock()
        self._endless = endless_pager(self.root)

    def set_mode(
        self,
        mode: Mode,
        *,
        scope: Scope = Scope.ALL,
        only: Iterable[str] | None = None,
        times: int | None = None,
    ) -> None:
        """Switch a mode on for the pages in ``scope`` (and in ``only``, when given)."""
        if mode is Mode.GZIP_BOMB:
            _gzip_bomb(self.bomb_bytes)  # built (seconds) before a client waits for it
        with self._mode_lock:
            self.mode, self.scope, self.times = mode, scope, times
            self.only = frozenset(only) if only is not None else None
            self._served = {}

    def clear(self) -> None:
        self.set_mode(Mode.NONE)
        with self._lock:
            self.faults.clear()

    def faulted(self, path: str) -> int:
        """How many faulty answers ``path`` got under the current mode."""
        with self._mode_lock:
            return self._served.get(path, 0)

    # SampleServer's handler asks this for every request.
    def take_fault(self, path: str) -> Fault | None:
        own = super().take_fault(path)
        if own is not None:
            return own
        with self._mode_lock:
            if self.mode is Mode.NONE or not self._in_scope(path):
                return None
            if self.times is not None and self._served.get(path, 0) >= self.times:
                return None
            fault = self._fault_for(path)
            if fault is not None:
                self._served[path] = self._served.get(path, 0) + 1
            return fault

    def _in_scope(self, path: str) -> bool:
        if self.only is not None and path not in self.only:
            return False
        if self.scope is Scope.LISTS:
            return is_list_path(path)
        if self.scope is Scope.ARTICLES:
            return is_article_path(path)
        return is_list_path(path) or is_article_path(path)

    def _fault_for(self, path: str) -> Fault | None:
        mode = self.mode
        if mode is Mode.ERROR_500:
            return Fault("status", status=500, body=b"<html><body><h1>500 Internal Server Error</h1></body></html>")
        if mode is Mode.RATE_LIMITED:
            return Fault("status", status=429, headers={"Retry-After": self.retry_after})
        if mode is Mode.SLOW:
            return Fault("slow", delay=self.slow_delay)
        if mode is Mode.RESET_MID_BODY:
            return Fault("rst", fraction=0.5)
        if mode is Mode.TRUNCATED_HTML:
            return Fault("rewrite", transform=cut_html(0.5))
        if mode is Mode.CHALLENGE:
            return Fault("challenge", status=412)
        if mode is Mode.GBK_NO_CHARSET:
            return Fault("rewrite", transform=to_gbk_without_charset, headers={"Content-Type": "text/html"})
        if mode is Mode.LAYOUT_CHANGED:
            return Fault("rewrite", transform=without_list) if is_list_path(path) else None
        if mode is Mode.OFF_HOST_REDIRECT:
            return Fault("redirect", location=self.evil_origin + path)
        if mode is Mode.ENDLESS_PAGER:
            body = self._endless(path)
            return Fault("status", status=200, body=body) if body is not None else None
        if mode is Mode.HUGE_PAGE:
            return Fault("big", size=self.huge_bytes)
        if mode is Mode.HUGE_STREAM:
            return Fault("big", size=self.huge_bytes, headers={"Content-Length": ""})
        if mode is Mode.GZIP_BOMB:
            return Fault("gzip_bomb", size=self.bomb_bytes)
        return None


__all__ = [
    "EVIL_ORIGIN",
    "FaultySite",
    "Mode",
    "Scope",
    "cut_html",
    "endless_pager",
    "is_article_path",
    "is_list_path",
    "to_gbk_without_charset",
    "without_list",
]
