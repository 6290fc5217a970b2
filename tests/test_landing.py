"""index.html: the landing page in Chinese. Its HTML is checked with lxml (escaping, feed discovery,
relative poster links), then it is opened in headless Chromium (Debian's /usr/bin/chromium through
playwright) from the real server: the feeds must be discoverable, every poster must load, the page
must fit a phone's width, and screenshots are saved under tests/artifacts/."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from urllib.parse import unquote

import lxml.html
import pytest

from flows.outputs import publish_outputs
from flows.serve import ServerThread
from tasks.landing import FeedLink, LandingPage, render_landing, webcal_url
from tasks.settings import load_profile
from tasks.store import open_store
from tests.test_feeds import CREATED, fill_store, make_release, settings_for

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
TODAY = date(2024, 12, 20)
FEED_TYPES = {
    "rss.xml": "application/rss+xml",
    "atom.xml": "application/atom+xml",
    "feed.json": "application/feed+json",
    "events.ics": "text/calendar",
}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture
def published(tmp_path):
    store, public = fill_store(tmp_path, count=5)
    publish_outputs(store, out=tmp_path / "out", settings=settings_for(tmp_path),
                    profile=load_profile("dongguan"), today=TODAY)
    return store, public


def test_page_links_every_feed_and_its_posters(published):
    _store, public = published
    doc = lxml.html.fromstring((public / "index.html").read_bytes())
    assert doc.get("lang") == "zh-CN"
    alternates = {link.get("href"): link.get("type")
                  for link in doc.xpath("//head/link[@rel='alternate']")}
    assert alternates == FEED_TYPES
    for href in alternates:
        assert (public / href).exists()
    posters = doc.xpath("//img")
    assert len(posters) == 5
    for img in posters:
        src = img.get("src")
        assert not src.startswith(("http:", "https:", "/"))  # relative: works wherever served
        assert (public / unquote(src)).is_file()
        assert img.get("alt").startswith("活动海报：") and img.get("width") and img.get("height")
    agenda = doc.xpath("//ol[@class='agenda']/li")
    assert len(agenda) == 10  # every event of the five releases is still to come on 20 Dec
    assert "2024年12月20日（周五）晚 19:30" in doc.text_content()
    assert doc.xpath("//a[starts-with(@href, 'webcal://')]/@href") == [
        "webcal://feeds.example.org/dg/events.ics"]
    assert doc.xpath("//meta[@name='viewport']")


def test_all_portal_text_is_escaped(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'p.db'}")
    store.upsert_release(make_release(0, title="<script>alert(1)</script>标题",
                                      text="<img src=x onerror=alert(1)>正文。"), at=CREATED)
    from tasks.feeds import build_feed_items

    items = build_feed_items(store.latest_releases(), {}, public_base_url="https://x.org/")
    page = LandingPage(title="新闻发布 · 活动预告", office="办公室", description="说明",
                       site_title="站点", site_url="https://www.dg.gov.cn/",
                       feeds=(FeedLink("RSS", "RSS", "rss.xml", "application/rss+xml"),))
    html = render_landing(page, items).decode("utf-8")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;标题" in html
    assert "<img src=x" not in html
    doc = lxml.html.fromstring(html)
    assert doc.xpath("//script") == [] and doc.xpath("//img") == []
    assert "暂无近期活动" in doc.text_content()


def test_webcal_url():
    assert webcal_url("https://feeds.example.org/dg") == "webcal://feeds.example.org/dg/events.ics"
    assert webcal_url("http://127.0.0.1:8000/") == "webcal://127.0.0.1:8000/events.ics"


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(),
                    reason="Debian's chromium is not installed at /usr/bin/chromium")
def test_page_in_headless_chromium(published):
    from playwright.sync_api import sync_playwright

    _store, public = published
    ARTIFACTS.mkdir(exist_ok=True)
    with ServerThread(public) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for name, viewport in (("desktop", {"width": 1280, "height": 900}),
                                   ("mobile", {"width": 390, "height": 844})):
                page = browser.new_page(viewport=viewport, device_scale_factor=1)
                failed: list[str] = []
                page.on("requestfailed", lambda r: failed.append(r.url))
                response = page.goto(url, wait_until="load")
                assert response.status == 200
                assert page.title().startswith("新闻发布")

                feeds = page.eval_on_selector_all(
                    "link[rel=alternate]",
                    "ls => ls.map(l => [l.getAttribute('href'), l.type, l.href])")
                assert {href: kind for href, kind, _ in feeds} == FEED_TYPES
                for _href, _kind, absolute in feeds:  # each advertised feed is really there
                    assert page.request.get(absolute).status == 200

                # Lazy posters load when scrolled to: walk down the page, then check them all.
                page.evaluate("async () => { for (const img of document.images) {"
                              " img.scrollIntoView(); await img.decode().catch(() => {}); } }")
                page.wait_for_function(
                    "() => Array.from(document.images).every(i => i.complete)", timeout=10_000)
                sizes = page.eval_on_selector_all("img", "is => is.map(i => i.naturalWidth)")
                assert len(sizes) == 5 and all(w > 0 for w in sizes), sizes
                assert failed == []

                overflow = page.evaluate(
                    "() => document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 0, f"{name}: page is {overflow}px wider than the screen"
                page.evaluate("() => window.scrollTo(0, 0)")
                page.screenshot(path=str(ARTIFACTS / f"landing-{name}.png"), full_page=True)
                page.close()
        finally:
            browser.close()
    assert (ARTIFACTS / "landing-desktop.png").stat().st_size > 10_000
