"""Hostile pages, fetch restrictions, size caps, secrets and listening addresses (issue 8, Security).

The hostile release is part of the sample site (post_4610102, built from
assets/sample_site_src/releases/xwfbh/post_4610102.toml): script tags, ``on*`` attributes,
``javascript:``/``data:`` URLs, a CSS ``expression()``, iframes, SVG and MathML, a form with an
autofocus handler, a title with HTML, an attachment named ``../../x.pdf``, an image
``../../../etc/passwd``, and markup written as text (so it reaches an event's name, the posters,
the calendar and the drafts). Every script it carries sets ``window.__pwned`` or calls ``alert()``.

It goes through the real pipeline (tests/poll_plain.py: the flow's steps) into every output; then
the outputs are read as a reader would: feeds by an XML and an HTML parser, the landing page and the
review board in headless Chromium (no dialog, ``window.__pwned`` stays unset, no handler or
script in the DOM), and the file system (nothing outside OUT, no name taken from the page).
"""

from __future__ import annotations

import json
import re
import os
import shutil
import socket
import struct
import subprocess
import sys
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import icalendar
import lxml.html
import pytest
from lxml import etree

from flows.drafting import approve, export_name, prepare_drafts
from flows.outputs import publish_outputs
from flows.posters import poster_path, render_posters
from tasks.errors import RenderError, TooLarge
from tasks.sample_server import Fault, SampleServer
from tasks.settings import PROJECT_ROOT, SAMPLE_SITE_DIR, Settings, SiteProfile, load_profile, load_settings
from tasks.store import Store, open_store
from tests.poll_plain import SiteUnavailable, poll_plain

HOSTILE = "/zwgk/jdhy/xwfbh/content/post_4610102.html"
TODAY = date(2026, 12, 1)  # the hostile release's events (January 2027) are still to come
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
DANGEROUS_TAGS = {"script", "style", "iframe", "frame", "object", "embed", "form", "input", "svg",
                  "math", "meta", "link", "base", "textarea", "button", "select", "noscript"}
SAFE_SCHEMES = {"http", "https", "mailto"}
APPROVED = ("wechat", "weibo")  # platforms whose hostile drafts the fixture approves


# ------------------------------------------------------------------------------ fixtures

@dataclass
class Published:
    server: SampleServer
    profile: SiteProfile
    settings: Settings
    store: Store
    out: Path
    root: Path  # everything the test wrote lives under here
    hostile_url: str


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Published]:
    root = tmp_path_factory.mktemp("security")
    site = root / "site"
    shutil.copytree(SAMPLE_SITE_DIR, site)
    out = root / "out"
    with SampleServer(site) as server:
        profile = load_profile("sample").with_base_url(server.url)
        settings = load_settings(out=out, min_request_interval=0, feed_items=500, database_url=None,
                                 notify_urls=None, cookie=None)
        store = open_store(settings.resolved_database_url())
        result = poll_plain(settings=settings, profile=profile, store=store, out=out,
                            posters=False, drafts=False, today=TODAY)
        assert result.summary.failed == []
        hostile_url = server.url.rstrip("/") + HOSTILE
        # Posters and drafts for the hostile release only (all of them would cost a minute).
        drawn = render_posters(store, public_dir=out / "public", office=profile.office,
                               release_urls=[hostile_url])
        assert drawn.failed == [] and drawn.rendered == 8
        drafts = prepare_drafts(store, out=out, settings=settings, profile=profile,
                                release_urls=[hostile_url], today=TODAY, notify=False)
        assert drafts.created == 5
        for draft in store.list_drafts(states=["pending"]):
            if draft.platform in APPROVED:  # exported to OUT/drafts/approved; the rest stay on the
                approve(store, draft.id, by="审核员", out=out)  # board with their full text
        publish_outputs(store, out=out, settings=settings, profile=profile, today=TODAY)
        yield Published(server, profile, settings, store, out, root, hostile_url)


def assert_safe_html(fragment: str, *, where: str, our_styles: bool = False) -> lxml.html.HtmlElement:
    """No element that runs or loads anything, no handler, no style, only http(s)/mailto links.

    ``our_styles``: inline styles are allowed (the WeChat body is styled inline by our template),
    but none that loads or computes anything.
    """
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        assert element.tag.lower() not in DANGEROUS_TAGS, (where, element.tag)
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (where, name, value)
            if name.lower() == "style" and our_styles:
                assert not any(w in value.lower() for w in ("expression", "url(", "javascript", "@import")), (
                    where, value)
                continue
            assert name.lower() not in {"style", "srcdoc", "formaction", "action"}, (where, name)
            if name.lower() in {"href", "src", "data", "poster", "background"}:
                parts = urlsplit(value.strip())
                assert parts.scheme.lower() in SAFE_SCHEMES and (parts.netloc or parts.scheme == "mailto"), (
                    where, name, value)
    return root


# ------------------------------------------------------------------------------ the stored release

def test_hostile_release_is_stored_as_text_and_safe_html(published: Published) -> None:
    stored = published.store.get_release(published.hostile_url)
    assert stored is not None
    release = stored.release
    assert "<" not in release.title and "onerror" not in release.title
    assert release.title == "平安东莞\"冬季'安全&宣传周新闻发布会"
    assert all("<" not in k for k in release.keywords)
    assert_safe_html(release.html, where="release.html")
    assert "expression" not in release.html and "javascript" not in release.html.lower()
    assert "data:" not in release.html
    # Markup written as text stays text: a reader sees it, nothing runs it.
    assert "<img src=x onerror=alert(1)>" in release.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in release.html
    for item in (*release.images, *release.attachments):
        parts = urlsplit(item.url)
        assert parts.scheme == "http" and parts.hostname == "127.0.0.1", item
        assert ".." not in parts.path.split("/"), item
    names = {e.name for e in stored.events}
    assert any("onerror" in n for n in names), names  # the hostile event reached the store


# ------------------------------------------------------------------------------ feeds and calendar

def test_feeds_carry_the_hostile_release_sanitised(published: Published) -> None:
    public = published.out / "public"
    url = published.hostile_url
    rss = etree.fromstring((public / "rss.xml").read_bytes())
    items = [i for i in rss.iter("item") if i.findtext("guid") == url]
    assert len(items) == 1
    html_parts = [e.text or "" for e in items[0] if etree.QName(e).localname in ("description", "encoded")]
    assert html_parts and all(html_parts)
    atom = etree.fromstring((public / "atom.xml").read_bytes())
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = [e for e in atom.findall("a:entry", ns) if e.findtext("a:id", namespaces=ns) == url]
    assert len(entries) == 1
    html_parts.append(entries[0].findtext("a:content", namespaces=ns))
    feed = json.loads((public / "feed.json").read_text(encoding="utf-8"))
    (item,) = [i for i in feed["items"] if i["id"] == url]
    html_parts.append(item["content_html"])
    titles = {items[0].findtext("title"), entries[0].findtext("a:title", namespaces=ns), item["title"]}
    assert titles == {"平安东莞\"冬季'安全&宣传周新闻发布会"}
    for n, fragment in enumerate(html_parts):
        root = assert_safe_html(fragment, where=f"feed html #{n}")
        text = root.text_content()
        if n > 0:  # the summary (RSS description) is plain; the full HTML shows the hostile event
            assert "<img src=x onerror=alert" in text or "<img src=x onerror=alert" in fragment


def test_calendar_keeps_the_hostile_event_name_as_text(published: Published) -> None:
    cal = icalendar.Calendar.from_ical((published.out / "public" / "events.ics").read_bytes())
    summaries = [str(e["SUMMARY"]) for e in cal.walk("VEVENT")]
    hostile = [s for s in summaries if "onerror" in s]
    assert hostile and all("\n" not in s and "\r" not in s for s in hostile)
    uids = [str(e["UID"]) for e in cal.walk("VEVENT")]
    assert len(uids) == len(set(uids))


# ------------------------------------------------------------------------------ drafts, files

def test_drafts_exports_and_posters_stay_inside_out(published: Published) -> None:
    out = published.out
    for path in out.rglob("*"):
        rel = path.relative_to(out)
        assert ".." not in rel.parts and path.resolve().is_relative_to(out.resolve()), path
        assert "onerror" not in path.name and "<" not in path.name and "passwd" not in path.name
    posters = sorted((out / "public" / "posters").glob("*.png"))
    assert [p.name for p in posters] == sorted(
        f"post_4610102-{seq}-{fmt}.png" for seq in (0, 1)
        for fmt in ("portrait", "square", "story", "wechat_cover"))
    exported = sorted(p.relative_to(out / "drafts" / "approved").parts[:2]
                      for p in (out / "drafts" / "approved").rglob("draft.txt"))
    assert exported == sorted((platform, "post_4610102-v1") for platform in APPROVED)
    # Nothing was written outside OUT (the site copy is the only other folder under the root).
    assert sorted(p.name for p in published.root.iterdir()) == ["out", "site"]
    for body in (out / "drafts" / "approved").rglob("body.html"):
        assert_safe_html(body.read_text(encoding="utf-8"), where=str(body), our_styles=True)
    # Template syntax in the release stays text in the drafts (no evaluation, no crash).
    texts = "".join(p.read_text(encoding="utf-8") for p in (out / "drafts").rglob("draft.txt"))
    # ({{7*7}} evaluated would leave a 49; links carry a random port, so leave them out)
    words = re.sub(r"https?://\S+", "", texts).replace("2027", "")
    assert "onerror" in texts and "49" not in words


def test_file_names_are_never_taken_from_the_page(published: Published) -> None:
    stored = published.store.get_release(published.hostile_url)
    assert stored is not None
    for hostile_id in ("../../etc/passwd", "..", "/abs/x", "a\\b", "post_1/../../x"):
        name = poster_path(replace(stored.release, post_id=hostile_id), 0, "portrait")
        assert name.count("/") == 1 and name.startswith("posters/") and ".." not in name.split("/")
    draft = published.store.list_drafts(states=["approved"])[0]
    for url in ("http://127.0.0.1/../../../etc/passwd", "http://127.0.0.1/a/..%2f..%2fx.html",
                "http://127.0.0.1/..", "javascript:alert(1)//x/.."):
        name = export_name(replace(draft, release_url=url))
        assert "/" not in name and "\\" not in name and not name.startswith("."), name


# ------------------------------------------------------------------------------ in a browser

@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not at /usr/bin/chromium")
def test_landing_page_and_review_board_run_nothing_in_chromium(published: Published) -> None:
    from playwright.sync_api import sync_playwright

    from flows.serve import ServerThread

    board = (published.out / "review" / "index.html").resolve()
    board_html = board.read_text(encoding="utf-8")
    # The board shows the pending hostile drafts' text (the landing page lists the hostile release).
    assert "onerror" in board_html and "平安东莞" in board_html
    dialogs: list[str] = []
    with ServerThread(published.out / "public") as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            for address in (url + "index.html", board.as_uri()):
                page.goto(address, wait_until="load")
                assert "平安东莞" in page.content(), address
                # Hover and click every element with text: a handler would fire now.
                page.evaluate("""() => { for (const el of document.querySelectorAll('body *')) {
                    for (const type of ['mouseover', 'focus', 'click'])
                        el.dispatchEvent(new Event(type, {bubbles: true})); } }""")
                page.wait_for_timeout(300)
                assert page.evaluate("() => window.__pwned") is None, address
                found = page.evaluate("""() => ({
                    scripts: document.scripts.length,
                    frames: document.querySelectorAll('iframe,frame,object,embed,form').length,
                    handlers: [...document.querySelectorAll('*')].flatMap(el =>
                        [...el.attributes].filter(a => a.name.startsWith('on')).map(a => a.name)),
                    links: [...document.querySelectorAll('[href],[src]')].map(el =>
                        el.getAttribute('href') || el.getAttribute('src')),
                })""")
                assert found["scripts"] == 0 and found["frames"] == 0, (address, found)
                assert found["handlers"] == [], (address, found["handlers"])
                for link in found["links"]:
                    assert not link.strip().lower().startswith(("javascript:", "data:", "vbscript:")), link
        finally:
            browser.close()
    assert dialogs == []


# ------------------------------------------------------------------------------ fetching

def test_loopback_site_is_refused_when_the_profile_does_not_allow_it(tmp_path: Path) -> None:
    """A profile for a public site whose host resolves to a loopback address (DNS rebinding, a bad
    hosts file): the run fails saying why, and not one request reached the address."""
    with SampleServer(SAMPLE_SITE_DIR) as server:
        base = f"http://localhost:{server.port}/"
        profile = load_profile("sample").model_copy(
            update={"base_url": base, "hosts": ["localhost"], "allow_private": False})
        settings = load_settings(out=tmp_path / "out", min_request_interval=0, database_url=None)
        store = open_store(settings.resolved_database_url())
        with pytest.raises(SiteUnavailable, match="loopback address") as info:
            poll_plain(settings=settings, profile=profile, store=store, out=tmp_path / "out")
        assert "allow_private = false" in str(info.value)
        assert server.requests == []
        assert store.release_count() == 0


def test_redirect_to_a_private_address_is_refused_after_the_redirect(tmp_path: Path) -> None:
    """The site itself is allowed (its profile allows loopback), but one article redirects to a
    link-local metadata address of another host: refused at the redirect, recorded, nothing sent."""
    with SampleServer(SAMPLE_SITE_DIR) as server:
        profile = load_profile("sample").with_base_url(server.url)
        victim = "/zwgk/jdhy/xwfbh/content/post_4236888.html"
        server.add_fault(victim, Fault("redirect", location="http://169.254.169.254/latest/meta-data/",
                                       times=10))
        settings = load_settings(out=tmp_path / "out", min_request_interval=0, database_url=None)
        store = open_store(settings.resolved_database_url())
        summary = poll_plain(settings=settings, profile=profile, store=store, out=tmp_path / "out",
                             posters=False, drafts=False).summary
        (failure,) = summary.failed
        assert failure.url.endswith(victim) and failure.reason.startswith("host-not-allowed: ")
        assert "169.254.169.254" in failure.reason
        # Off-site list items are counted, never fetched, never stored.
        assert summary.skipped_off_site >= 3
        assert all(urlsplit(s.release.url).hostname == "127.0.0.1" for s in store.latest_releases())


def test_image_and_attachment_downloads_are_capped(tmp_path: Path) -> None:
    from flows.runtime import make_fetcher

    with SampleServer(SAMPLE_SITE_DIR) as server:
        profile = load_profile("sample").with_base_url(server.url)
        image = next(p for p in SAMPLE_SITE_DIR.rglob("attachment/**/*.jpg"))
        path = "/" + image.relative_to(SAMPLE_SITE_DIR).as_posix()
        settings = load_settings(out=tmp_path, min_request_interval=0, max_response_bytes=1024 * 1024)
        with make_fetcher(settings, profile) as fetcher:
            whole = fetcher.fetch_bytes(server.url.rstrip("/") + path)
            assert whole.content == image.read_bytes()
            server.add_fault(path, Fault("big", size=5 * 1024 * 1024, headers={"Content-Length": ""}))
            with pytest.raises(TooLarge, match="larger than the 1.0 MB limit"):
                fetcher.fetch_bytes(server.url.rstrip("/") + path)
            with pytest.raises(TooLarge):
                fetcher.fetch_bytes(server.url.rstrip("/") + path, max_bytes=len(image.read_bytes()) - 1)


def _png_claiming(width: int, height: int) -> bytes:
    """A PNG header for a huge image with a tiny body: a decompression bomb for Pillow."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + \
        chunk(b"IEND", b"")


def test_a_poster_image_bomb_is_a_render_error_not_a_crash() -> None:
    """A poster's picture (PosterContent.image) that claims 100,000 × 100,000 pixels: Pillow's
    DecompressionBombError must become our RenderError, never a crash of the poster step."""
    from tasks._poster.draw import _open_image

    with pytest.raises(RenderError, match="(?i)image"):
        _open_image(_png_claiming(100_000, 100_000))


# ------------------------------------------------------------------------------ secrets

class _Receiver(BaseHTTPRequestHandler):
    seen: list[str] = []

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        _Receiver.seen.append(self.path)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def test_secrets_never_reach_a_log_line_an_output_or_a_file(tmp_path: Path) -> None:
    cookie = "SESSION=c00kie-s3cret-77aa"
    token = "n0tify-t0ken-31ce9"
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    out = tmp_path / "out"
    try:
        with SampleServer(SAMPLE_SITE_DIR) as server:
            env = {k: v for k, v in os.environ.items() if not k.startswith("PUBLICITY_")}
            env.update(
                PUBLICITY_OUT=str(out), PUBLICITY_MIN_REQUEST_INTERVAL="0",
                PUBLICITY_COOKIE=cookie,
                PUBLICITY_NOTIFY_URLS=f"json://127.0.0.1:{receiver.server_address[1]}/hook/{token}",
            )
            done = subprocess.run(
                [sys.executable, str(PROJECT_ROOT / "tests" / "poll_plain.py"), "--site", "sample",
                 "--base-url", server.url, "--no-posters"],
                cwd=PROJECT_ROOT, env=env, capture_output=True, timeout=600,
            )
            assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
            sent = [h.get("Cookie") for m, p, h in server.requests if m == "GET"]
            assert sent and all(c == cookie for c in sent)  # the cookie is used ...
    finally:
        receiver.shutdown()
    assert _Receiver.seen and all(token in p for p in _Receiver.seen)  # ... and so is the URL
    for secret in (cookie, token, "c00kie-s3cret"):  # ... but never shown or stored
        assert secret.encode() not in done.stdout + done.stderr
        for path in out.rglob("*"):
            if path.is_file():
                assert secret.encode() not in path.read_bytes(), path
    assert b"Release new" in done.stderr  # the log was on: it would have shown a leak


# ------------------------------------------------------------------------------ listening addresses

def test_servers_bind_loopback_by_default() -> None:
    import inspect

    import flows.cli
    import flows.serve

    with SampleServer(SAMPLE_SITE_DIR) as server:
        assert server._httpd.server_address[0] == "127.0.0.1"
        with pytest.raises(OSError):  # not reachable on another local address
            socket.create_connection(("127.0.0.2", server.port), timeout=1).close()
    assert inspect.signature(SampleServer).parameters["host"].default == "127.0.0.1"
    assert flows.serve.DEFAULT_HOST == "127.0.0.1"
    assert inspect.signature(flows.serve.serve).parameters["host"].default == "127.0.0.1"
    assert inspect.signature(flows.serve.ServerThread).parameters["host"].default == "127.0.0.1"
    assert inspect.signature(flows.cli.serve).parameters["host"].default == "127.0.0.1"
    with flows.serve.ServerThread(SAMPLE_SITE_DIR) as url:
        assert urlsplit(url).hostname == "127.0.0.1"
