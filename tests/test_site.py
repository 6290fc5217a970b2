"""Tests of tasks/site.py: the polite, robust fetcher.

Two levels, as STYLE.md asks:
- unit tests of the fetch logic (status handling, retries and backoff, Retry-After, encodings,
  challenge detection, redirects, size caps, address checks) with ``httpx.MockTransport`` and a fake
  clock, so backoff and rate-limit waits are asserted exactly and cost no time;
- tests against the real SampleServer on 127.0.0.1 serving a small site written to a tmp folder,
  with its fault injection: 304, a 500 then success, a timeout, a truncated body, a reset, a 412
  challenge, an off-host redirect, robots.txt, a GBK page without a charset header, size caps.
No assertion depends on wall-clock timing.
"""

from __future__ import annotations

import gzip
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

import httpx
import pytest

from tasks.errors import (
    BadStatus,
    ChallengePage,
    ConnectFailed,
    FetchError,
    FetchTimeout,
    HostNotAllowed,
    RobotsDisallowed,
    TooLarge,
)
from tasks.models import FetchResult
from tasks.sample_server import CHALLENGE_HTML, Fault, SampleServer
from tasks.settings import SiteProfile, load_settings
from tasks.site import (
    Fetcher,
    FetchStats,
    HostRateLimiter,
    Truncated,
    decode_body,
    describe_failure,
    detect_challenge,
    failure_kind,
    parse_retry_after,
    sniff_meta_charset,
)

PUBLIC_IP = "183.2.172.42"  # any global address: the fake DNS answer for the portal's hosts
DG = SiteProfile(
    name="dg",
    title="中国东莞政府门户网站",
    office="东莞市人民政府新闻办公室",
    base_url="https://www.dg.gov.cn/",
    hosts=["www.dg.gov.cn", "dg.gov.cn"],
    columns=[],
)
PAGE_URL = "https://www.dg.gov.cn/zwgk/jdhy/xwfbh/index.html"
RELEASE_TEXT = (
    "东莞市人民政府新闻办公室定于2024年12月20日（星期五）上午10:00在市民服务中心新闻发布厅举行新闻发布会，"
    "介绍东莞市推动制造业高质量发展有关情况，并回答记者提问。发布人：市工业和信息化局局长吉𠮷先生。"
    "欢迎各新闻媒体派记者参加，请于当天9:30前凭记者证入场。"
)
UTF8_PAGE = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>新闻发布会</title></head>'
    f'<body><div class="article-content"><p>{RELEASE_TEXT}</p></div></body></html>'
)


def gbk_page(meta: str | None = "gb2312") -> bytes:
    """A release page as the portal might serve it in GB18030 bytes, declared (or not) in a meta tag."""
    head = f'<meta http-equiv="Content-Type" content="text/html; charset={meta}">' if meta else ""
    html = f"<html><head>{head}<title>新闻发布会</title></head><body><p>{RELEASE_TEXT}</p></body></html>"
    return html.encode("gb18030")


# ---------------------------------------------------------------------------------------------
# Fixtures: a fake clock, a MockTransport rig, a local site on the real SampleServer


class FakeClock:
    """``clock`` and ``sleep`` for the Fetcher: sleeping is recorded and moves time on, instantly."""

    def __init__(self, *, advance: bool = True) -> None:
        self.now = 1000.0
        self.advance = advance
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(round(seconds, 6))
            if self.advance:
                self.now += seconds


@dataclass
class Rig:
    fetcher: Fetcher
    clock: FakeClock
    requests: list[httpx.Request] = field(default_factory=list)

    def paths(self) -> list[str]:
        return [r.url.path for r in self.requests]


@pytest.fixture
def rig() -> Iterator[Callable[..., Rig]]:
    """Build a Fetcher over ``httpx.MockTransport(handler)`` with a fake clock and fake DNS."""
    made: list[Fetcher] = []

    def build(
        handler: Callable[[httpx.Request], httpx.Response],
        *,
        profile: SiteProfile = DG,
        resolve: Callable[[str, int], list[str]] | None = None,
        clock: FakeClock | None = None,
        **options: object,
    ) -> Rig:
        clock = clock or FakeClock()
        settings: dict[str, object] = {
            "min_request_interval": 0.0,
            "retries": 3,
            "retry_backoff": 0.01,
            "respect_robots": False,
        }
        settings.update(options)
        requests: list[httpx.Request] = []

        def recording(request: httpx.Request) -> httpx.Response:
            requests.append(request)
            return handler(request)

        fetcher = Fetcher(
            profile=profile,
            transport=httpx.MockTransport(recording),
            clock=clock,
            sleep=clock.sleep,
            resolve=resolve or (lambda host, port: [PUBLIC_IP]),
            **settings,
        )  # type: ignore[arg-type]
        made.append(fetcher)
        return Rig(fetcher=fetcher, clock=clock, requests=requests)

    yield build
    for fetcher in made:
        fetcher.close()


def streamed(status: int, body: bytes, headers: dict[str, str]) -> httpx.Response:
    """A response whose body arrives as a stream, as from the network (``content=`` would pre-read it)."""
    return httpx.Response(
        status, headers={"Content-Length": str(len(body)), **headers}, stream=httpx.ByteStream(body)
    )


def html_response(body: str | bytes = UTF8_PAGE, status: int = 200, **headers: str) -> httpx.Response:
    content = body.encode("utf-8") if isinstance(body, str) else body
    all_headers = {"Content-Type": "text/html; charset=utf-8"}
    all_headers.update({k.replace("_", "-"): v for k, v in headers.items()})
    return streamed(status, content, all_headers)


def sequence(*responses: httpx.Response | Exception) -> Callable[[httpx.Request], httpx.Response]:
    """A handler answering with each response (or raising each exception) in turn, then the last."""
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        item = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(item, Exception):
            raise item
        return item

    return handler


@pytest.fixture
def site_dir(tmp_path: Path) -> Path:
    """A small site in the portal's shape: list page, releases, a GBK page, robots.txt."""
    root = tmp_path / "site"
    (root / "zwgk/jdhy/xwfbh/content").mkdir(parents=True)
    (root / "private").mkdir()
    (root / "zwgk/jdhy/xwfbh/index.html").write_text(UTF8_PAGE, encoding="utf-8")
    for n in range(1, 9):
        page = UTF8_PAGE.replace("新闻发布会</title>", f"新闻发布会 {n}</title>")
        (root / f"zwgk/jdhy/xwfbh/content/post_{n}.html").write_text(page, encoding="utf-8")
    (root / "zwgk/jdhy/xwfbh/content/post_gbk.html").write_bytes(gbk_page("gb2312"))
    (root / "zwgk/jdhy/xwfbh/content/post_bare.html").write_bytes(gbk_page(None))
    (root / "private/secret.html").write_text("<html><body>secret</body></html>", encoding="utf-8")
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n", encoding="utf-8")
    (root / "_headers.toml").write_text(
        '["zwgk/jdhy/xwfbh/content/post_gbk.html"]\n"Content-Type" = "text/html"\n'
        '["zwgk/jdhy/xwfbh/content/post_bare.html"]\n"Content-Type" = "text/html"\n',
        encoding="utf-8",
    )
    return root


@pytest.fixture
def server(site_dir: Path) -> Iterator[SampleServer]:
    with SampleServer(site_dir) as running:
        yield running


@pytest.fixture
def local(server: SampleServer) -> Iterator[Callable[..., Fetcher]]:
    """Build a Fetcher for the local server (loopback allowed), on a fake clock unless told."""
    profile = SiteProfile(
        name="sample",
        title="样例",
        office="样例",
        base_url=server.url,
        hosts=["127.0.0.1"],
        allow_private=True,
        columns=[],
    )
    made: list[Fetcher] = []

    def build(**options: object) -> Fetcher:
        settings: dict[str, object] = {
            "min_request_interval": 0.0,
            "retries": 2,
            "retry_backoff": 0.01,
            "connect_timeout": 2.0,
            "read_timeout": 5.0,
        }
        if "clock" not in options:
            clock = FakeClock()
            settings.update(clock=clock, sleep=clock.sleep)
        settings.update(options)
        settings.setdefault("profile", profile)
        fetcher = Fetcher(**settings)  # type: ignore[arg-type]
        made.append(fetcher)
        return fetcher

    yield build
    for fetcher in made:
        fetcher.close()


def url_of(server: SampleServer, path: str) -> str:
    return server.url + path.lstrip("/")


# ---------------------------------------------------------------------------------------------
# Unit: a plain fetch, conditional GET


def test_fetch_returns_decoded_page_with_validators_and_polite_headers(rig: Callable[..., Rig]) -> None:
    r = rig(
        lambda request: html_response(ETag='"abc"', Last_Modified="Fri, 20 Dec 2024 02:00:00 GMT"),
        cookie="__jsl_clearance=1; __jsluid_s=2",
        user_agent="dg-publicity/0.1 (test)",
    )
    result = r.fetcher.fetch(PAGE_URL + "#top")
    assert isinstance(result, FetchResult)
    assert result.status == 200 and not result.not_modified
    assert "吉𠮷" in result.text and result.encoding == "utf-8"
    assert (result.etag, result.last_modified) == ('"abc"', "Fri, 20 Dec 2024 02:00:00 GMT")
    assert result.url == PAGE_URL + "#top" and result.final_url == PAGE_URL  # fragment never sent
    sent = r.requests[0].headers
    assert sent["User-Agent"] == "dg-publicity/0.1 (test)"
    assert sent["Cookie"] == "__jsl_clearance=1; __jsluid_s=2"
    assert sent["Accept-Encoding"] == "gzip, deflate"
    assert "If-None-Match" not in sent


def test_a_transport_that_pre_reads_the_body_still_works_and_is_capped(rig: Callable[..., Rig]) -> None:
    r = rig(lambda request: httpx.Response(200, html=UTF8_PAGE))  # MockTransport style: already read
    assert RELEASE_TEXT in r.fetcher.fetch(PAGE_URL).text
    r = rig(lambda request: httpx.Response(200, html=UTF8_PAGE), max_response_bytes=100)
    with pytest.raises(TooLarge):
        r.fetcher.fetch(PAGE_URL)


def test_conditional_get_sends_validators_and_304_is_not_modified(rig: Callable[..., Rig]) -> None:
    r = rig(lambda request: httpx.Response(304, headers={"ETag": '"v2"'}))
    result = r.fetcher.fetch(PAGE_URL, etag='"v1"', last_modified="Fri, 20 Dec 2024 02:00:00 GMT")
    assert result.not_modified and result.status == 304 and result.text == ""
    assert result.etag == '"v2"'  # the server's current validator wins
    assert result.last_modified == "Fri, 20 Dec 2024 02:00:00 GMT"  # kept when the 304 omits it
    assert r.requests[0].headers["If-None-Match"] == '"v1"'
    assert r.requests[0].headers["If-Modified-Since"] == "Fri, 20 Dec 2024 02:00:00 GMT"
    assert r.fetcher.stats().not_modified == 1


# ---------------------------------------------------------------------------------------------
# Unit: statuses, retries, backoff, Retry-After


@pytest.mark.parametrize(
    ("status", "match"),
    [
        (404, "page not found"),
        (410, "page not found"),
        (403, "access denied.*PUBLICITY_COOKIE"),
        (401, "access denied"),
        (400, "HTTP 400"),
    ],
)
def test_client_errors_are_not_retried(rig: Callable[..., Rig], status: int, match: str) -> None:
    r = rig(lambda request: html_response("<html><body>no</body></html>", status=status))
    with pytest.raises(BadStatus, match=match) as caught:
        r.fetcher.fetch(PAGE_URL)
    assert caught.value.status == status and caught.value.url == PAGE_URL
    assert len(r.requests) == 1 and r.clock.sleeps == []


def test_server_errors_are_retried_with_exponential_backoff_then_reported(rig: Callable[..., Rig]) -> None:
    r = rig(lambda request: html_response("<html><body>busy</body></html>", status=502), retries=3)
    with pytest.raises(BadStatus, match=r"HTTP 502 .*still after 4 attempts.*try again later") as caught:
        r.fetcher.fetch(PAGE_URL)
    assert caught.value.status == 502
    assert len(r.requests) == 4
    assert r.clock.sleeps == [0.01, 0.02, 0.04]  # backoff doubles; nothing else waited
    assert r.fetcher.stats().retries == 3


def test_a_500_then_success_is_retried_and_succeeds(rig: Callable[..., Rig]) -> None:
    r = rig(sequence(html_response("oops", status=500), html_response("oops", status=503), html_response()))
    result = r.fetcher.fetch(PAGE_URL)
    assert result.status == 200 and "新闻发布会" in result.text
    assert len(r.requests) == 3 and r.clock.sleeps == [0.01, 0.02]


def test_429_honours_retry_after(rig: Callable[..., Rig]) -> None:
    r = rig(sequence(html_response("slow down", status=429, Retry_After="7"), html_response()))
    assert r.fetcher.fetch(PAGE_URL).status == 200
    assert r.clock.sleeps == [7.0]  # Retry-After beats the 0.01 s backoff


def test_retry_after_is_capped(rig: Callable[..., Rig]) -> None:
    r = rig(
        sequence(html_response("later", status=503, Retry_After="3600"), html_response()),
        max_retry_after=30.0,
    )
    assert r.fetcher.fetch(PAGE_URL).status == 200
    assert r.clock.sleeps == [30.0]


def test_persistent_429_names_the_setting_to_change(rig: Callable[..., Rig]) -> None:
    r = rig(lambda request: html_response("no", status=429), retries=1)
    with pytest.raises(BadStatus, match="too many requests.*PUBLICITY_MIN_REQUEST_INTERVAL"):
        r.fetcher.fetch(PAGE_URL)
    assert len(r.requests) == 2


def test_backoff_is_capped(rig: Callable[..., Rig]) -> None:
    r = rig(lambda request: html_response("x", status=500), retries=8, retry_backoff=10.0)
    with pytest.raises(BadStatus):
        r.fetcher.fetch(PAGE_URL)
    assert r.clock.sleeps == [10.0, 20.0, 40.0, 60.0, 60.0, 60.0, 60.0, 60.0]


def test_parse_retry_after_seconds_and_dates() -> None:
    now = datetime(2024, 12, 20, 2, 0, tzinfo=timezone.utc)
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after(format_datetime(now + timedelta(seconds=90), usegmt=True), now=now) == 90.0
    assert parse_retry_after(format_datetime(now - timedelta(seconds=90), usegmt=True), now=now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


# ---------------------------------------------------------------------------------------------
# Unit: network errors translated at one boundary


def test_read_timeout_is_retried_then_reported_plainly(rig: Callable[..., Rig]) -> None:
    r = rig(sequence(httpx.ReadTimeout("timed out")), retries=2, read_timeout=20.0)
    with pytest.raises(
        FetchTimeout,
        match=r"Timed out after 20 s reading https://www\.dg\.gov\.cn/.*"
        r"\(read timeout\); the site may be slow or down",
    ) as caught:
        r.fetcher.fetch(PAGE_URL)
    assert isinstance(caught.value.__cause__, httpx.ReadTimeout)
    assert caught.value.url == PAGE_URL and len(r.requests) == 3


def test_connect_timeout_and_refused_and_dns(rig: Callable[..., Rig]) -> None:
    r = rig(sequence(httpx.ConnectTimeout("timed out")), retries=0, connect_timeout=10.0)
    with pytest.raises(FetchTimeout, match=r"Timed out after 10 s connecting to www\.dg\.gov\.cn"):
        r.fetcher.fetch(PAGE_URL)
    r = rig(sequence(httpx.ConnectError("[Errno 111] Connection refused")), retries=1)
    with pytest.raises(
        ConnectFailed, match=r"Could not connect to www\.dg\.gov\.cn .*Connection refused"
    ) as c:
        r.fetcher.fetch(PAGE_URL)
    assert len(r.requests) == 2 and failure_kind(c.value) == "connect"
    r = rig(sequence(httpx.ConnectError("[Errno -2] Name or service not known")), retries=0)
    with pytest.raises(ConnectFailed, match=r"Could not find the site www\.dg\.gov\.cn \(DNS") as c:
        r.fetcher.fetch(PAGE_URL)
    assert failure_kind(c.value) == "dns"


def test_dns_failure_of_our_own_address_check_is_a_connect_failure(rig: Callable[..., Rig]) -> None:
    def no_dns(host: str, port: int) -> list[str]:
        raise OSError(-2, "Name or service not known")

    r = rig(lambda request: html_response(), resolve=no_dns, retries=1)
    with pytest.raises(ConnectFailed, match="DNS lookup failed"):
        r.fetcher.fetch(PAGE_URL)
    assert r.requests == []  # nothing was sent


class _CutStream(httpx.SyncByteStream):
    """A body that stops early: by raising like h11 does, or by just ending."""

    def __init__(self, data: bytes, *, error: Exception | None) -> None:
        self.data, self.error = data, error

    def __iter__(self) -> Iterator[bytes]:
        yield self.data
        if self.error is not None:
            raise self.error


@pytest.mark.parametrize(
    "error",
    [httpx.RemoteProtocolError("peer closed connection"), None],
    ids=["connection-closed", "short-body"],
)
def test_truncated_body_is_an_error_never_a_page(rig: Callable[..., Rig], error: Exception | None) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            headers={"Content-Type": "text/html; charset=utf-8", "Content-Length": "5000"},
            stream=_CutStream((UTF8_PAGE * 3).encode()[:700], error=error),
        )

    r = rig(handler, retries=1)
    with pytest.raises(
        Truncated,
        match=r"was cut off: the connection closed after 700 bytes of 4\.9 KB"
        r" \(truncated\); it was not used",
    ) as caught:
        r.fetcher.fetch(PAGE_URL)
    assert isinstance(caught.value, FetchError) and caught.value.status == 200
    assert len(r.requests) == 2  # a cut-off body is a network fault: retried
    assert failure_kind(caught.value) == "truncated"


def test_truncated_then_complete_is_retried_and_succeeds(rig: Callable[..., Rig]) -> None:
    cut = httpx.Response(
        200, headers={"Content-Length": "5000"}, stream=_CutStream(b"<html>", error=httpx.ReadError("reset"))
    )
    r = rig(sequence(cut, html_response()))
    assert "吉𠮷" in r.fetcher.fetch(PAGE_URL).text


def test_closed_without_answering_is_a_connect_failure(rig: Callable[..., Rig]) -> None:
    r = rig(sequence(httpx.RemoteProtocolError("Server disconnected without sending a response.")), retries=0)
    with pytest.raises(ConnectFailed, match="closed the connection without answering"):
        r.fetcher.fetch(PAGE_URL)


# ---------------------------------------------------------------------------------------------
# Unit: encodings


def test_utf8_header() -> None:
    text, encoding = decode_body(UTF8_PAGE.encode(), content_type="text/html; charset=UTF-8")
    assert encoding == "utf-8" and RELEASE_TEXT in text


@pytest.mark.parametrize("label", ["gbk", "GB2312", "gb18030", "x-gbk", "cp936"])
def test_gbk_family_header_decodes_as_gb18030_keeping_rare_characters(label: str) -> None:
    text, encoding = decode_body(gbk_page(None), content_type=f"text/html; charset={label}")
    assert encoding == "gb18030"
    assert RELEASE_TEXT in text  # 𠮷 (U+20BB7) is not in GBK; GB18030 keeps it


def test_gbk_meta_only() -> None:
    text, encoding = decode_body(gbk_page("gb2312"), content_type="text/html")
    assert encoding == "gb18030" and "吉𠮷先生" in text


def test_meta_charset_html5_form_and_xml_declaration() -> None:
    assert sniff_meta_charset(b'<html><head><meta charset="GBK"></head>') == "GBK"
    assert (
        sniff_meta_charset(b"<meta http-equiv='Content-Type' content='text/html; charset=gb2312'>")
        == "gb2312"
    )
    assert sniff_meta_charset(b'<?xml version="1.0" encoding="GB18030"?><rss/>') == "GB18030"
    assert sniff_meta_charset(b"<html>" + b" " * 5000 + b'<meta charset="gbk">') is None  # past 4 KB


def test_no_charset_anywhere_is_detected() -> None:
    text, encoding = decode_body(gbk_page(None), content_type=None)
    assert encoding == "gb18030" and RELEASE_TEXT in text


def test_header_wrongly_says_utf8_for_a_gbk_page() -> None:
    text, encoding = decode_body(gbk_page("gbk"), content_type="text/html; charset=utf-8")
    assert encoding == "gb18030" and RELEASE_TEXT in text


def test_stale_gb2312_meta_on_a_utf8_page() -> None:
    page = UTF8_PAGE.replace('<meta charset="utf-8">', '<meta charset="gb2312">').encode("utf-8")
    text, encoding = decode_body(page, content_type="text/html")
    assert encoding == "utf-8" and RELEASE_TEXT in text


def test_java_default_latin1_header_loses_to_the_page_and_to_detection() -> None:
    text, encoding = decode_body(gbk_page("gbk"), content_type="text/html;charset=ISO-8859-1")
    assert encoding == "gb18030" and RELEASE_TEXT in text
    text, encoding = decode_body(gbk_page(None), content_type="text/html;charset=ISO-8859-1")
    assert encoding == "gb18030" and RELEASE_TEXT in text


def test_bom_wins_and_a_stray_bad_byte_is_tolerated() -> None:
    text, encoding = decode_body(b"\xef\xbb\xbf" + UTF8_PAGE.encode(), content_type="text/html; charset=gbk")
    assert encoding == "utf-8" and text.startswith("<!DOCTYPE")
    damaged = UTF8_PAGE.encode("utf-8").replace(b"</body>", b"\xff</body>")
    text, encoding = decode_body(damaged, content_type="text/html; charset=utf-8")
    assert encoding == "utf-8" and RELEASE_TEXT in text and "\ufffd" in text


def test_fetch_records_the_encoding_used(rig: Callable[..., Rig]) -> None:
    r = rig(lambda request: streamed(200, gbk_page("gbk"), {"Content-Type": "text/html"}))
    result = r.fetcher.fetch(PAGE_URL)
    assert result.encoding == "gb18030" and "东莞市人民政府新闻办公室" in result.text


def test_fetch_refuses_a_binary_file_as_a_page(rig: Callable[..., Rig]) -> None:
    r = rig(lambda request: streamed(200, b"%PDF-1.7 ...", {"Content-Type": "application/pdf"}))
    with pytest.raises(FetchError, match="not a web page but a file of type application/pdf"):
        r.fetcher.fetch(PAGE_URL)
    download = r.fetcher.fetch_bytes(PAGE_URL)
    assert download.content == b"%PDF-1.7 ..." and download.content_type == "application/pdf"


# ---------------------------------------------------------------------------------------------
# Unit: anti-bot challenges

JIASULE_521 = (
    "<html><body><script>document.cookie=('_')+('_')+('jsl_clearance_s')+('=')+(1700000000)+"
    "('.123|0|')+('abc');location.href=location.pathname+location.search</script></body></html>"
)
RUISHU_412 = (
    '<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
    '<meta id="9DhefwqGPrzGxEp9hPaoag" content="abcdef"><script type="text/javascript" r="m">'
    "$_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=12345;$_ts.cd=\"qqqqq\";</script>"
    '<script type="text/javascript" charset="utf-8" src="/4QbVtADbnLVIc/c.FxJzG50F.dfe1675.js" r="m">'
    "</script></head><body></body></html>"
)
OBFUSCATED_200 = (
    "<html><head><script>var _0x3f=['cookie','reload'];(function(){var d=document;"
    "d[_0x3f[0]]='acw_sc__v2=5f1b2c;path=/';location[_0x3f[1]]();})();</script></head></html>"
)


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (412, CHALLENGE_HTML, "HTTP 412, a JavaScript page that sets a cookie: __jsl_clearance"),
        (521, JIASULE_521, "HTTP 521, a JavaScript page that sets a cookie"),
        (412, RUISHU_412, "HTTP 412, a JavaScript page that sets a cookie: $_ts"),
        (202, RUISHU_412, "HTTP 202, a JavaScript page that sets a cookie: $_ts"),
        (200, OBFUSCATED_200, "HTTP 200, a JavaScript page that sets a cookie: acw_sc__v2"),
        (412, "<html><script src='/a.js'></script></html>", "HTTP 412, a JavaScript page"),
    ],
)
def test_detect_challenge(status: int, body: str, expected: str) -> None:
    assert detect_challenge(status, body.encode()) == expected


@pytest.mark.parametrize(
    ("status", "body"),
    [
        # a real page that sets a cookie from a script: plenty of visible text
        (
            200,
            "<html><script>document.cookie='lang=zh';location.href='#'</script><body><p>"
            + RELEASE_TEXT * 3
            + "</p></body></html>",
        ),
        (200, "<html><script>location.href='/zwgk/index.html'</script></html>"),  # a JS redirect only
        (412, "<html><body>Precondition Failed</body></html>"),  # no script
        (404, CHALLENGE_HTML),  # not a challenge status
        (200, UTF8_PAGE),
    ],
)
def test_not_a_challenge(status: int, body: str) -> None:
    assert detect_challenge(status, body.encode()) is None


def test_challenge_is_not_retried_and_tells_how_to_get_past(rig: Callable[..., Rig]) -> None:
    r = rig(lambda request: html_response(CHALLENGE_HTML, status=412))
    with pytest.raises(
        ChallengePage,
        match=r"anti-bot challenge \(HTTP 412.*__jsl_clearance\).*"
        r"PUBLICITY_COOKIE.*PUBLICITY_USER_AGENT",
    ) as caught:
        r.fetcher.fetch(PAGE_URL)
    assert caught.value.status == 412 and caught.value.url == PAGE_URL
    assert len(r.requests) == 1
    assert failure_kind(caught.value) == "challenge"


def test_challenge_despite_a_cookie_says_it_expired(rig: Callable[..., Rig]) -> None:
    r = rig(lambda request: html_response(JIASULE_521, status=521), cookie="__jsl_clearance=old")
    with pytest.raises(ChallengePage, match="was sent but not accepted; it has probably expired"):
        r.fetcher.fetch(PAGE_URL)
    assert len(r.requests) == 1  # a 521 challenge is not a 5xx to retry


def test_a_200_challenge_page_is_not_returned_as_a_page(rig: Callable[..., Rig]) -> None:
    r = rig(lambda request: html_response(OBFUSCATED_200))
    with pytest.raises(ChallengePage, match="HTTP 200"):
        r.fetcher.fetch(PAGE_URL)


# ---------------------------------------------------------------------------------------------
# Unit: redirects and the host allow-list


def test_redirects_within_allowed_hosts_are_followed(rig: Callable[..., Rig]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "dg.gov.cn":
            return httpx.Response(301, headers={"Location": "https://www.dg.gov.cn/old/"})
        if request.url.path == "/old/":
            return httpx.Response(302, headers={"Location": "../zwgk/jdhy/xwfbh/index.html"})
        return html_response()

    r = rig(handler)
    result = r.fetcher.fetch("http://dg.gov.cn/")
    assert result.url == "http://dg.gov.cn/" and result.final_url == PAGE_URL
    assert [str(q.url) for q in r.requests] == ["http://dg.gov.cn/", "https://www.dg.gov.cn/old/", PAGE_URL]


def test_redirect_to_another_host_is_refused_naming_both(rig: Callable[..., Rig]) -> None:
    r = rig(lambda request: httpx.Response(302, headers={"Location": "https://evil.example.com/x.html"}))
    with pytest.raises(
        HostNotAllowed,
        match=r"https://www\.dg\.gov\.cn/zwgk/jdhy/xwfbh/index\.html redirects "
        r"to https://evil\.example\.com/x\.html.*refused",
    ) as caught:
        r.fetcher.fetch(PAGE_URL)
    assert caught.value.url == PAGE_URL and caught.value.status == 302
    assert [q.url.host for q in r.requests] == ["www.dg.gov.cn"]  # the other host was never asked


def test_too_many_redirects_and_a_redirect_without_location(rig: Callable[..., Rig]) -> None:
    r = rig(lambda request: httpx.Response(302, headers={"Location": f"/loop{len(request.url.path)}"}))
    with pytest.raises(BadStatus, match="redirects more than 5 times"):
        r.fetcher.fetch(PAGE_URL)
    assert len(r.requests) == 6
    r = rig(lambda request: httpx.Response(302))
    with pytest.raises(BadStatus, match="without saying where to"):
        r.fetcher.fetch(PAGE_URL)


@pytest.mark.parametrize(
    ("url", "match"),
    [
        ("https://www.example.com/", r"www\.example\.com is not one of the site's allowed hosts"),
        ("ftp://www.dg.gov.cn/x", "only http and https addresses can be fetched, not ftp:"),
        ("file:///etc/passwd", "only http and https"),
        ("www.dg.gov.cn/index.html", "only http and https"),
        ("http://127.0.0.1:8000/", "not one of the site's allowed hosts"),
    ],
)
def test_urls_off_the_allow_list_are_refused_before_any_request(
    rig: Callable[..., Rig], url: str, match: str
) -> None:
    r = rig(lambda request: html_response())
    with pytest.raises(HostNotAllowed, match=match):
        r.fetcher.fetch(url)
    assert r.requests == []


def test_allowed_host_resolving_to_a_private_address_is_refused(rig: Callable[..., Rig]) -> None:
    r = rig(lambda request: html_response(), resolve=lambda host, port: ["10.8.0.3"])
    with pytest.raises(
        HostNotAllowed,
        match=r"www\.dg\.gov\.cn resolves to 10\.8\.0\.3, which is a private "
        r"address.*allow_private = false",
    ):
        r.fetcher.fetch(PAGE_URL)
    assert r.requests == []


def test_redirect_to_an_allowed_host_that_resolves_to_loopback_is_refused(rig: Callable[..., Rig]) -> None:
    def resolve(host: str, port: int) -> list[str]:
        return ["127.0.0.1"] if host == "dg.gov.cn" else [PUBLIC_IP]

    r = rig(
        lambda request: httpx.Response(302, headers={"Location": "http://dg.gov.cn/admin"}), resolve=resolve
    )
    with pytest.raises(HostNotAllowed, match="dg.gov.cn resolves to 127.0.0.1, which is a loopback address"):
        r.fetcher.fetch(PAGE_URL)
    assert [q.url.host for q in r.requests] == ["www.dg.gov.cn"]


@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "169.254.169.254", "::ffff:192.168.1.1", "0.0.0.0"])
def test_literal_non_public_addresses_are_refused_even_when_listed(
    rig: Callable[..., Rig], address: str
) -> None:
    host = f"[{address}]" if ":" in address else address
    profile = DG.model_copy(update={"hosts": [*DG.hosts, address]})
    r = rig(lambda request: html_response(), profile=profile)
    with pytest.raises(HostNotAllowed, match="address, and the site profile does not allow those"):
        r.fetcher.fetch(f"http://{host}/index.html")
    assert r.requests == []


def test_extra_host_of_an_explicit_source_is_allowed_loopback_included(rig: Callable[..., Rig]) -> None:
    r = rig(lambda request: html_response(), extra_hosts=["http://127.0.0.1:8765/zwgk/index.html"])
    assert r.fetcher.fetch("http://127.0.0.1:8765/zwgk/index.html").status == 200
    assert r.fetcher.host_allowed("127.0.0.1") and not r.fetcher.host_allowed("localhost")


# ---------------------------------------------------------------------------------------------
# Unit: size caps (also after decompression)


def test_announced_size_over_the_cap_is_refused_unread(rig: Callable[..., Rig]) -> None:
    r = rig(lambda request: html_response(b"x" * 5000), max_response_bytes=1000)
    with pytest.raises(TooLarge, match=r"larger than the 1000 bytes limit \(it announces 4\.9 KB\)"):
        r.fetcher.fetch(PAGE_URL)
    assert len(r.requests) == 1  # not retried


def test_streamed_size_over_the_cap_is_refused(rig: Callable[..., Rig]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, headers={"Content-Type": "text/html"}, stream=httpx.ByteStream(b"<p>" + b"x" * 50_000)
        )

    r = rig(handler, max_response_bytes=10_000)
    with pytest.raises(TooLarge, match="PUBLICITY_MAX_RESPONSE_BYTES"):
        r.fetcher.fetch(PAGE_URL)


def test_gzip_bomb_stops_at_the_cap(rig: Callable[..., Rig]) -> None:
    bomb = gzip.compress(b" " * (20 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 100_000
    r = rig(lambda request: streamed(200, bomb, {"Content-Encoding": "gzip"}), max_response_bytes=1024 * 1024)
    with pytest.raises(TooLarge, match="unpacked, it is larger"):
        r.fetcher.fetch(PAGE_URL)


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "deflate-raw"])
def test_compressed_pages_are_unpacked(rig: Callable[..., Rig], encoding: str) -> None:
    raw = UTF8_PAGE.encode()
    if encoding == "gzip":
        body = gzip.compress(raw)
    elif encoding == "deflate":
        body = zlib.compress(raw)
    else:
        packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
        body = packer.compress(raw) + packer.flush()
    header = encoding.split("-")[0]
    r = rig(
        lambda request: streamed(
            200, body, {"Content-Encoding": header, "Content-Type": "text/html; charset=utf-8"}
        )
    )
    assert RELEASE_TEXT in r.fetcher.fetch(PAGE_URL).text


def test_cut_off_gzip_body_is_truncated(rig: Callable[..., Rig]) -> None:
    body = gzip.compress(UTF8_PAGE.encode() * 20)
    r = rig(
        lambda request: httpx.Response(
            200, headers={"Content-Encoding": "gzip"}, stream=httpx.ByteStream(body[: len(body) // 2])
        ),
        retries=0,
    )
    with pytest.raises(Truncated, match="compressed body ended early"):
        r.fetcher.fetch(PAGE_URL)


# ---------------------------------------------------------------------------------------------
# Unit: robots.txt


def robots_site(robots: httpx.Response) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        return robots if request.url.path == "/robots.txt" else html_response()

    return handler


def test_robots_disallow_is_honoured_and_read_once_per_host(rig: Callable[..., Rig]) -> None:
    robots = httpx.Response(
        200,
        text="User-agent: *\nDisallow: /private/\n\nUser-agent: dg-publicity\n"
        "Disallow: /search/\nCrawl-delay: 2\n",
    )
    r = rig(robots_site(robots), respect_robots=True)
    assert r.fetcher.fetch(PAGE_URL).status == 200
    assert r.fetcher.fetch("https://www.dg.gov.cn/private/x.html").status == 200  # the * group does not apply
    with pytest.raises(
        RobotsDisallowed,
        match=r"robots\.txt .* does not allow this crawler to fetch "
        r"https://www\.dg\.gov\.cn/search/\?q=1",
    ):
        r.fetcher.fetch("https://www.dg.gov.cn/search/?q=1")
    assert r.paths() == ["/robots.txt", "/zwgk/jdhy/xwfbh/index.html", "/private/x.html"]
    assert r.fetcher.stats().robots_fetched == 1
    # Crawl-delay: 2 now spaces requests to that host (fake clock: the waits are exact)
    r.fetcher.fetch(PAGE_URL)
    r.fetcher.fetch(PAGE_URL)
    assert r.clock.sleeps[-1] == 2.0


@pytest.mark.parametrize("status", [404, 410, 403])
def test_missing_robots_allows_everything(rig: Callable[..., Rig], status: int) -> None:
    r = rig(robots_site(httpx.Response(status, text="not found")), respect_robots=True)
    assert r.fetcher.fetch("https://www.dg.gov.cn/private/x.html").status == 200


def test_unreachable_robots_disallows_and_says_so(rig: Callable[..., Rig]) -> None:
    r = rig(robots_site(httpx.Response(503, text="down")), respect_robots=True, retries=1)
    for _ in range(2):
        with pytest.raises(
            RobotsDisallowed,
            match=r"robots\.txt \(https://www\.dg\.gov\.cn/robots\.txt\) "
            r"answered HTTP 503.*RFC 9309",
        ) as caught:
            r.fetcher.fetch(PAGE_URL)
        assert caught.value.url == PAGE_URL
    assert r.paths() == ["/robots.txt", "/robots.txt"]  # one read, retried once; the verdict is kept


def test_robots_unreachable_by_network_names_the_network_cause(rig: Callable[..., Rig]) -> None:
    r = rig(sequence(httpx.ConnectTimeout("timed out")), respect_robots=True, retries=0)
    with pytest.raises(FetchTimeout, match="Could not read robots.txt first: Timed out .* connecting"):
        r.fetcher.fetch(PAGE_URL)


def test_respect_robots_false_does_not_read_it(rig: Callable[..., Rig]) -> None:
    r = rig(robots_site(httpx.Response(200, text="User-agent: *\nDisallow: /\n")), respect_robots=False)
    assert r.fetcher.fetch(PAGE_URL).status == 200
    assert r.paths() == ["/zwgk/jdhy/xwfbh/index.html"]


# ---------------------------------------------------------------------------------------------
# Unit: the rate limiter on a fake clock


def test_limiter_spaces_requests_per_host() -> None:
    clock = FakeClock()
    limiter = HostRateLimiter(0.5, clock=clock, sleep=clock.sleep)
    assert limiter.acquire("a") == 0.0
    assert limiter.acquire("a") == 0.5
    assert limiter.acquire("b") == 0.0  # another host has its own slot
    clock.now += 10
    assert limiter.acquire("a") == 0.0  # idle long enough: no wait
    limiter.defer("a", 3.0)
    assert limiter.acquire("a") == 3.0
    limiter.set_interval("a", 2.0)
    limiter.set_interval("a", 1.0)  # never lowered
    assert limiter.interval("a") == 2.0
    assert limiter.acquire("a") == 0.5  # reserved under the old interval
    assert limiter.acquire("a") == 2.0
    assert clock.sleeps == [0.5, 3.0, 0.5, 2.0]


def test_limiter_gives_concurrent_threads_distinct_spaced_slots() -> None:
    clock = FakeClock(advance=False)  # time stands still: every slot is a reservation
    limiter = HostRateLimiter(0.25, clock=clock, sleep=clock.sleep)
    slots: list[float] = []
    barrier = threading.Barrier(8)

    def worker() -> None:
        barrier.wait()
        slots.append(limiter.reserve("www.dg.gov.cn"))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(slots) == [1000.0 + 0.25 * i for i in range(8)]


def test_fetcher_consults_the_limiter_for_every_request(rig: Callable[..., Rig]) -> None:
    clock = FakeClock(advance=False)
    r = rig(lambda request: html_response(), clock=clock, min_request_interval=0.5)
    for _ in range(3):
        r.fetcher.fetch(PAGE_URL)
    assert clock.sleeps == [0.5, 1.0]  # requests 2 and 3 waited for their slots
    assert r.fetcher.stats().waited_seconds == 1.5 and r.fetcher.stats().requests == 3


def test_concurrent_fetches_share_robots_and_limiter(rig: Callable[..., Rig]) -> None:
    robots = httpx.Response(200, text="User-agent: *\nDisallow: /private/\n")
    clock = FakeClock(advance=False)
    r = rig(robots_site(robots), clock=clock, respect_robots=True, min_request_interval=0.1)
    results: list[FetchResult] = []

    def worker(n: int) -> None:
        results.append(r.fetcher.fetch(f"https://www.dg.gov.cn/zwgk/content/post_{n}.html"))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 8 and all(res.status == 200 for res in results)
    assert r.paths().count("/robots.txt") == 1
    assert sorted(clock.sleeps) == [round(0.1 * i, 6) for i in range(1, 9)]  # 9 requests, 8 waits


# ---------------------------------------------------------------------------------------------
# Unit: summary helpers, settings


def test_describe_failure_and_failure_kind() -> None:
    exc = BadStatus("The site answered HTTP 404 (page not found) for u", url="u", status=404)
    assert describe_failure(exc) == "The site answered HTTP 404 (page not found) for u"
    assert failure_kind(exc) == "http-404"
    assert describe_failure(ValueError("boom")) == "Unexpected error (ValueError): boom"
    assert failure_kind(ValueError("boom")) == "unexpected"
    assert failure_kind(HostNotAllowed("x", url="u")) == "host-not-allowed"
    assert failure_kind(TooLarge("x", url="u")) == "too-large"


def test_from_settings_passes_plain_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUBLICITY_COOKIE", "__jsl_clearance=abc")
    monkeypatch.setenv("PUBLICITY_RETRIES", "1")
    settings = load_settings(min_request_interval=0.0)
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return html_response()

    with Fetcher.from_settings(
        settings, DG, extra_hosts=["http://127.0.0.1:9/"], transport=httpx.MockTransport(handler)
    ) as fetcher:
        assert fetcher.retries == 1 and "127.0.0.1" in fetcher.extra_hosts
        assert "abc" not in repr(fetcher)
        fetcher.fetch("http://127.0.0.1:9/index.html")
    assert seen[0].headers["Cookie"] == "__jsl_clearance=abc"
    assert seen[0].headers["User-Agent"].startswith("dg-publicity/")


def test_stats_start_empty(rig: Callable[..., Rig]) -> None:
    assert rig(lambda request: html_response()).fetcher.stats() == FetchStats()


# ---------------------------------------------------------------------------------------------
# Against the real SampleServer on 127.0.0.1


def test_server_conditional_get_gives_304(server: SampleServer, local: Callable[..., Fetcher]) -> None:
    fetcher = local()
    url = url_of(server, "zwgk/jdhy/xwfbh/index.html")
    first = fetcher.fetch(url)
    assert first.status == 200 and first.etag and first.last_modified and RELEASE_TEXT in first.text
    second = fetcher.fetch(url, etag=first.etag, last_modified=first.last_modified)
    assert second.not_modified and second.text == "" and second.etag == first.etag
    assert server.requests[-1][2].get("If-None-Match") == first.etag
    assert fetcher.stats().not_modified == 1


def test_server_500_then_success_is_retried(server: SampleServer, local: Callable[..., Fetcher]) -> None:
    path = "/zwgk/jdhy/xwfbh/content/post_1.html"
    server.add_fault(path, Fault("status", status=500))
    result = local().fetch(url_of(server, path))
    assert result.status == 200 and "新闻发布会 1" in result.text
    assert server.paths_requested().count(path) == 2


def test_server_429_retry_after_is_honoured(server: SampleServer, local: Callable[..., Fetcher]) -> None:
    path = "/zwgk/jdhy/xwfbh/content/post_2.html"
    server.add_fault(path, Fault("status", status=429, headers={"Retry-After": "4"}))
    clock = FakeClock()
    fetcher = local(clock=clock, sleep=clock.sleep)
    assert fetcher.fetch(url_of(server, path)).status == 200
    assert 4.0 in clock.sleeps


def test_server_timeout_gives_fetch_timeout_after_retries(
    server: SampleServer, local: Callable[..., Fetcher]
) -> None:
    path = "/zwgk/jdhy/xwfbh/content/post_3.html"
    server.add_fault(path, Fault("slow", delay=1.5, times=2))
    fetcher = local(read_timeout=0.3, retries=1)
    with pytest.raises(
        FetchTimeout,
        match=r"Timed out after 0\.3 s reading http://127\.0\.0\.1:\d+/zwgk/"
        r".*\(read timeout\)",
    ) as caught:
        fetcher.fetch(url_of(server, path))
    assert caught.value.url == url_of(server, path)
    assert server.paths_requested().count(path) == 2


def test_server_truncated_body_gives_a_clear_error(
    server: SampleServer, local: Callable[..., Fetcher]
) -> None:
    path = "/zwgk/jdhy/xwfbh/content/post_4.html"
    server.add_fault(path, Fault("truncate", fraction=0.4, times=3))
    with pytest.raises(Truncated, match=r"was cut off: the connection closed after .* of .* \(truncated\)"):
        local(retries=2).fetch(url_of(server, path))
    assert server.paths_requested().count(path) == 3


def test_server_truncated_once_then_whole_is_not_lost(
    server: SampleServer, local: Callable[..., Fetcher]
) -> None:
    path = "/zwgk/jdhy/xwfbh/content/post_5.html"
    server.add_fault(path, Fault("truncate", fraction=0.4))
    assert RELEASE_TEXT in local().fetch(url_of(server, path)).text


def test_server_reset_without_answer(server: SampleServer, local: Callable[..., Fetcher]) -> None:
    path = "/zwgk/jdhy/xwfbh/content/post_6.html"
    server.add_fault(path, Fault("reset", times=2))
    with pytest.raises(ConnectFailed, match="closed the connection without answering"):
        local(retries=1).fetch(url_of(server, path))


def test_server_412_challenge(server: SampleServer, local: Callable[..., Fetcher]) -> None:
    path = "/zwgk/jdhy/xwfbh/index.html"
    server.add_fault(path, Fault("challenge", status=412, times=5))
    with pytest.raises(ChallengePage, match=r"HTTP 412.*PUBLICITY_COOKIE") as caught:
        local().fetch(url_of(server, path))
    assert caught.value.status == 412
    assert server.paths_requested().count(path) == 1  # never retried


def test_server_off_host_redirect_is_refused(server: SampleServer, local: Callable[..., Fetcher]) -> None:
    path = "/zwgk/jdhy/xwfbh/content/post_7.html"
    elsewhere = (
        f"http://localhost:{server.port}/zwgk/jdhy/xwfbh/content/post_8.html"  # same server, other name
    )
    server.add_fault(path, Fault("redirect", location=elsewhere))
    with pytest.raises(HostNotAllowed, match=rf"{url_of(server, path)} redirects to {elsewhere}"):
        local().fetch(url_of(server, path))
    assert "/zwgk/jdhy/xwfbh/content/post_8.html" not in server.paths_requested()


def test_server_same_host_redirect_is_followed(server: SampleServer, local: Callable[..., Fetcher]) -> None:
    path = "/zwgk/jdhy/xwfbh/content/post_7.html"
    server.add_fault(path, Fault("redirect", location="/zwgk/jdhy/xwfbh/content/post_8.html"))
    result = local().fetch(url_of(server, path))
    assert result.final_url == url_of(server, "zwgk/jdhy/xwfbh/content/post_8.html")
    assert "新闻发布会 8" in result.text


def test_server_robots_disallow_is_honoured(server: SampleServer, local: Callable[..., Fetcher]) -> None:
    fetcher = local(respect_robots=True)
    assert fetcher.fetch(url_of(server, "zwgk/jdhy/xwfbh/index.html")).status == 200
    with pytest.raises(RobotsDisallowed, match="does not allow this crawler"):
        fetcher.fetch(url_of(server, "private/secret.html"))
    assert server.paths_requested() == ["/robots.txt", "/zwgk/jdhy/xwfbh/index.html"]


def test_server_rate_limit_is_applied_in_order(server: SampleServer, local: Callable[..., Fetcher]) -> None:
    clock = FakeClock(advance=False)
    fetcher = local(clock=clock, sleep=clock.sleep, min_request_interval=0.25, respect_robots=False)
    paths = [f"/zwgk/jdhy/xwfbh/content/post_{n}.html" for n in (1, 2, 3)]
    for path in paths:
        fetcher.fetch(url_of(server, path))
    assert clock.sleeps == [0.25, 0.5]
    assert server.paths_requested() == paths


def test_server_gbk_page_without_charset_header(server: SampleServer, local: Callable[..., Fetcher]) -> None:
    fetcher = local()
    for name in ("post_gbk.html", "post_bare.html"):  # meta tag only; nothing at all
        result = fetcher.fetch(url_of(server, f"zwgk/jdhy/xwfbh/content/{name}"))
        assert result.encoding == "gb18030" and RELEASE_TEXT in result.text
    assert server.requests[-1][0] == "GET"


def test_server_charset_header_removed_by_fault(server: SampleServer, local: Callable[..., Fetcher]) -> None:
    path = "/zwgk/jdhy/xwfbh/content/post_1.html"
    server.add_fault(path, Fault("headers", headers={"Content-Type": "text/html", "ETag": ""}))
    result = local().fetch(url_of(server, path))
    assert result.encoding == "utf-8" and result.etag is None and "新闻发布会 1" in result.text


@pytest.mark.parametrize(
    ("fault", "match"),
    [
        (Fault("big", size=50 * 1024 * 1024), "it announces 50.0 MB"),
        (Fault("big", size=50 * 1024 * 1024, headers={"Content-Length": ""}), "limit \\(it is larger\\)"),
        (Fault("gzip_bomb", size=50 * 1024 * 1024), "unpacked, it is larger"),
    ],
    ids=["announced", "streamed", "gzip-bomb"],
)
def test_server_size_caps(
    server: SampleServer, local: Callable[..., Fetcher], fault: Fault, match: str
) -> None:
    path = "/zwgk/jdhy/xwfbh/content/post_1.html"
    server.add_fault(path, fault)
    with pytest.raises(TooLarge, match=match):
        local(max_response_bytes=2 * 1024 * 1024).fetch(url_of(server, path))


def test_server_slow_drip_hits_the_total_time_limit(
    server: SampleServer, local: Callable[..., Fetcher]
) -> None:
    path = "/zwgk/jdhy/xwfbh/content/post_2.html"
    server.add_fault(path, Fault("drip", delay=0.05))
    fetcher = local(clock=time.monotonic, total_timeout=0.3, read_timeout=2.0, retries=0)
    with pytest.raises(FetchTimeout, match=r"after 0\.3 s in all \(total time limit\)"):
        fetcher.fetch(url_of(server, path))


def test_server_loopback_refused_unless_allowed(server: SampleServer, local: Callable[..., Fetcher]) -> None:
    strict = SiteProfile(
        name="strict",
        title="t",
        office="o",
        base_url=server.url,
        hosts=["127.0.0.1"],
        allow_private=False,
        columns=[],
    )
    url = url_of(server, "zwgk/jdhy/xwfbh/index.html")
    with pytest.raises(HostNotAllowed, match="127.0.0.1 is a loopback address"):
        local(profile=strict).fetch(url)
    assert server.requests == []
    assert local(profile=strict, extra_hosts=[url]).fetch(url).status == 200  # an explicit --source


def test_server_concurrent_fetches(server: SampleServer, local: Callable[..., Fetcher]) -> None:
    fetcher = local(respect_robots=True, clock=time.monotonic, min_request_interval=0.0)
    results: dict[int, FetchResult] = {}

    def worker(n: int) -> None:
        results[n] = fetcher.fetch(url_of(server, f"zwgk/jdhy/xwfbh/content/post_{n}.html"))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(1, 9)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == list(range(1, 9))
    assert all(f"新闻发布会 {n}" in results[n].text for n in results)
    assert server.paths_requested().count("/robots.txt") == 1


def test_import_is_light() -> None:
    """Fetching is kept apart from parsing (tasks/_fetch/ imports no HTML parser) and from Prefect."""
    code = "import sys, tasks.site; print(sorted(m for m in ('prefect', 'bs4', 'tasks.parse') if m in sys.modules))"
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
