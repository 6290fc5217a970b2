"""The review board (OUT/review/index.html): its HTML checked with lxml, then opened in headless
Chromium (Debian's /usr/bin/chromium through playwright) from a real local server.

A hostile release (script tags, a javascript: link, on* attributes, a javascript: URL as its
address) must show as text and run nothing: no dialog opens, a flag its scripts would set stays
unset, the page has no script element, no on* attribute and no javascript: link. The posters must
load, the page must fit a phone's width, and screenshots are saved under tests/artifacts/.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import lxml.html
import pytest

from flows.drafting import prepare_drafts
from flows.serve import ServerThread
from tasks.models import SHANGHAI, Event, TimeOfDay
from tasks.review_board import safe_href
from tasks.settings import load_profile
from tests.test_feeds import fill_store, make_release, poster_row, settings_for

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).parent / "artifacts"
HOSTILE_TITLE = '<script>window.__pwned = "title"; alert("title")</script>发布会'
HOSTILE_TEXT = ('<img src=x onerror="window.__pwned=\'img\'; alert(\'img\')">'
                '<a href="javascript:window.__pwned=\'link\'">点此报名</a>。')
HOSTILE_EVENT = '<svg onload="window.__pwned=\'svg\'">市民开放日</svg>'
HOSTILE_VENUE = '" onmouseover="window.__pwned=\'venue\'" x="'
HOSTILE_URL = "javascript:window.__pwned='href';//post_6666666.html"


@pytest.fixture
def board(tmp_path):
    store, public = fill_store(tmp_path, count=2)
    hostile = replace(make_release(6), url=HOSTILE_URL, title=HOSTILE_TITLE,
                      text=HOSTILE_TEXT + "更多内容。", keywords=("<b>标签</b>",))
    event = Event(name=HOSTILE_EVENT, start=datetime(2024, 12, 28, 9, 30, tzinfo=SHANGHAI),
                  time_of_day=TimeOfDay.MORNING, venue=HOSTILE_VENUE)
    store.upsert_release(hostile, events=[event])
    poster_row(store, public, hostile, event)
    out = tmp_path / "out"
    summary = prepare_drafts(store, out=out, settings=settings_for(tmp_path),
                             profile=load_profile("dongguan"),
                             release_urls=[s.release.url for s in store.latest_releases()],
                             today=date(2024, 12, 10))
    assert summary.created == 15
    return store, out


def test_safe_href_allows_only_http_links():
    assert safe_href("https://www.dg.gov.cn/a.html") == "https://www.dg.gov.cn/a.html"
    for bad in (HOSTILE_URL, "JaVaScRiPt:alert(1)", "data:text/html,x", "//evil", "", None,
                "http://"):
        assert safe_href(bad) is None


def test_board_html_escapes_everything_and_forbids_scripts(board):
    _store, out = board
    html = (out / "review" / "index.html").read_text(encoding="utf-8")
    doc = lxml.html.fromstring(html)
    assert doc.xpath("//script") == []
    assert doc.xpath("//svg") == [] and doc.xpath("//img[@onerror]") == []
    assert all(not a.startswith("on") for el in doc.iter() if isinstance(el.tag, str) for a in el.attrib)
    assert not any(h.strip().lower().startswith("javascript:") for h in doc.xpath("//@href"))
    csp = doc.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")[0]
    assert "default-src 'none'" in csp and "script-src" not in csp
    text = doc.text_content()
    assert HOSTILE_TITLE in text and "<svg onload=" in text and HOSTILE_URL in text
    # Every open draft is on the board with its counts against the limits.
    assert len(doc.xpath("//article[contains(@class,'draft')]")) == 15
    assert "/140" in text and "/2000" in text and "/64" in text and "/120" in text
    imgs = doc.xpath("//div[@class='posters']//img/@src")
    assert imgs and all(src.startswith("../public/posters/") for src in imgs)


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium")
def test_board_in_headless_chromium_runs_nothing_and_fits_a_phone(board):
    from playwright.sync_api import sync_playwright

    _store, out = board
    ARTIFACTS.mkdir(exist_ok=True)
    with ServerThread(out) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for name, viewport in (("desktop", {"width": 1280, "height": 900}),
                                   ("mobile", {"width": 390, "height": 844})):
                page = browser.new_page(viewport=viewport, device_scale_factor=1)
                dialogs: list[str] = []
                errors: list[str] = []
                page.on("dialog", lambda d, seen=dialogs: (seen.append(d.message), d.dismiss()))
                page.on("pageerror", lambda e, seen=errors: seen.append(str(e)))
                response = page.goto(url + "review/index.html", wait_until="load")
                assert response is not None and response.status == 200
                # Hover and click everything a hostile attribute could hang on.
                for selector in ("article.draft .text", ".release h3", "ul.counts li"):
                    for el in page.query_selector_all(selector)[:10]:
                        el.hover()
                for el in page.query_selector_all("details summary"):
                    el.click()
                page.wait_for_timeout(300)
                assert dialogs == []
                assert page.evaluate("() => window.__pwned === undefined")
                assert page.evaluate("() => document.scripts.length") == 0
                assert errors == []
                body_text = page.inner_text("body")
                assert "<script>window.__pwned" in body_text and "<svg onload=" in body_text
                hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
                assert hrefs and not any(h.lower().startswith("javascript:") for h in hrefs)
                loaded = page.eval_on_selector_all(
                    ".posters img", "els => els.map(e => [e.complete, e.naturalWidth])")
                assert loaded and all(ok and w > 0 for ok, w in loaded), loaded
                width = page.evaluate("() => document.documentElement.scrollWidth")
                assert width <= viewport["width"], f"{name}: page is {width}px wide"
                page.screenshot(path=str(ARTIFACTS / f"review-board-{name}.png"), full_page=True)
                page.close()
        finally:
            browser.close()
    assert (ARTIFACTS / "review-board-mobile.png").stat().st_size > 10_000
