"""The sample site (assets/sample_site) is well-formed, served as the real portal would serve it,
and exactly what assets/sample_site_src/build.py makes from the release data.

Everything runs against the committed files on a real local server (tasks/sample_server.py).
"""

from __future__ import annotations

import io
import re
import sys
import urllib.robotparser
from datetime import datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import charset_normalizer
import httpx
import pytest
from bs4 import BeautifulSoup
from PIL import Image

from tasks.sample_server import SampleServer
from tasks.settings import PROJECT_ROOT, SAMPLE_SITE_DIR

SRC_DIR = PROJECT_ROOT / "assets" / "sample_site_src"
sys.path.insert(0, str(SRC_DIR))
import build  # noqa: E402  (assets/sample_site_src/build.py)
import sitegen  # noqa: E402

XWFBH = "/zwgk/jdhy/xwfbh/"
ZCJD = "/zwgk/jdhy/zcjd/"
META_NAMES = (
    "SiteName", "SiteDomain", "SiteIDCode", "ColumnName", "ColumnType", "ArticleTitle",
    "PubDate", "ContentSource", "Keywords", "Description", "Url",
)  # fmt: skip
PUBDATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")
VISIBLE_LINE = re.compile(r"中国东莞政府门户网站\s+(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})\s+来源:\s*(\S+)")
RELEASES = sitegen.load_releases()
EXTRAS = sitegen.load_extras()


@pytest.fixture(scope="module")
def site() -> tuple[SampleServer, httpx.Client]:
    with SampleServer(SAMPLE_SITE_DIR) as server, httpx.Client(base_url=server.url, timeout=10) as client:
        yield server, client


def _decode(response: httpx.Response) -> str:
    """Header charset, then meta charset, then detection; gb2312 read as GBK (as browsers do)."""
    header = re.search(r"charset=([\w-]+)", response.headers.get("content-type", ""), re.I)
    meta = re.search(rb"<meta[^>]+charset=[\"']?([\w-]+)", response.content[:2048], re.I)
    if header:
        encoding = header.group(1)
    elif meta:
        encoding = meta.group(1).decode()
    else:
        encoding = charset_normalizer.from_bytes(response.content).best().encoding
    if encoding.lower() in {"gb2312", "gbk"}:
        encoding = "gbk"
    return response.content.decode(encoding)


def _soup(response: httpx.Response) -> BeautifulSoup:
    return BeautifulSoup(_decode(response), "lxml")


def _walk_list(client: httpx.Client, start: str) -> list[tuple[str, BeautifulSoup]]:
    """Follow the pager's next links from ``start``; (url, soup) per list page."""
    pages, url = [], start
    while url:
        response = client.get(url)
        assert response.status_code == 200, url
        soup = _soup(response)
        pages.append((url, soup))
        nxt = soup.select_one("div.pages a.next")
        url = urljoin(str(response.url), nxt["href"]) if nxt else None
        assert len(pages) < 20, "pager loops"
    return pages


def _items(soup: BeautifulSoup) -> list:
    return soup.select("div.page-infolist ul > li")


# ----------------------------------------------------------------------------- data


def test_release_data_is_consistent() -> None:
    build.validate(RELEASES)  # raises BuildError listing every problem
    in_column = [r for r in RELEASES if r.column == "xwfbh"]
    assert len(in_column) >= 40
    assert len([r for r in RELEASES if r.column == "zcjd"]) >= 3
    assert all(re.fullmatch(r"\d{7}", str(r.post_id)) for r in RELEASES)
    assert in_column[0].published.year == 2024 and in_column[-1].published >= datetime(2026, 11, 1)
    assert any(r.post_id == 4236888 and r.title == "2024东莞高层次人才活动周新闻发布会" for r in RELEASES)


def test_seed_release_carries_the_real_text() -> None:
    seed = (PROJECT_ROOT / "tests" / "fixtures" / "seed" / "press-release-2024-12-12.txt").read_text("utf-8")
    release = next(r for r in RELEASES if r.post_id == 4236888)
    text = sitegen.body_text(release)
    body_lines = [s.strip() for s in seed.split("【字体:", 1)[1].split("附件:", 1)[0].splitlines()]
    body_lines = [s for s in body_lines if s and s != "合照 (1).jpg"]
    assert body_lines and all(line in text for line in body_lines)
    assert release.published == datetime(2024, 12, 12, 17, 14, 51)


def test_coverage_of_cases() -> None:
    """The data covers what the issue asks for; each check names the case."""
    variants = {r.variant for r in RELEASES}
    assert {"gbk-header", "gbk-meta", "gbk-sniff", "no-meta"} <= variants
    xw = [r for r in RELEASES if r.column == "xwfbh"]
    text = "\n".join(sitegen.body_text(r) for r in xw)
    assert sum(1 for r in xw if not r.events) >= 8, "releases with no upcoming event"
    assert sum(1 for r in xw if len(r.events) >= 2) >= 10, "several events in one release"
    assert sum(1 for r in xw if r.images) >= 30 and sum(1 for r in xw if r.attachments) >= 5
    for needle in ("12月20日至22日", "10月25日—28日", "2026年2月8日-2月15日", "2025年1月5日", "晚上7点半",
                   "上午9:30", "19:30", "地点：", "活动地点：", "（周六）", "明天", "本周六", "延期至",
                   "“i东莞”客户端直播"):  # fmt: skip
        assert needle in text, needle
    assert sum(1 for e in EXTRAS if e.kind == "offsite" and e.column == "xwfbh") >= 3
    assert {len(r.pubdate) for r in xw} == {10, 16, 19}, "PubDate formats"


# ----------------------------------------------------------------------------- build


def test_build_is_deterministic_and_matches_the_committed_site(tmp_path: Path) -> None:
    first = build.build_site()
    second = build.build_site()
    assert first == second
    written, removed = build.write_site(first, tmp_path / "site")
    assert written == len(first) and removed == 0
    assert build.write_site(first, tmp_path / "site") == (0, 0)  # unchanged files are not rewritten
    committed = {
        p.relative_to(SAMPLE_SITE_DIR).as_posix(): p.read_bytes() for p in SAMPLE_SITE_DIR.rglob("*") if p.is_file()
    }
    assert sorted(committed) == sorted(first), "run assets/sample_site_src/build.py and commit"
    changed = [k for k in first if committed[k] != first[k]]
    assert not changed, f"stale files, rebuild: {changed[:5]}"


def test_size_budget() -> None:
    sizes = {p: p.stat().st_size for p in SAMPLE_SITE_DIR.rglob("*") if p.is_file()}
    assert sum(sizes.values()) < 5 * 1024 * 1024
    images = [s for p, s in sizes.items() if p.suffix in {".jpg", ".png"}]
    assert images and max(images) < 20 * 1024


# ----------------------------------------------------------------------------- list pages


@pytest.mark.parametrize("column", [XWFBH, ZCJD])
def test_list_pages_resolve_and_pager_is_consistent(site, column: str) -> None:
    _, client = site
    pages = _walk_list(client, column + "index.html")
    expected = [column + sitegen.list_page_name(n) for n in range(1, len(pages) + 1)]
    assert [urlsplit(str(client.base_url.join(u))).path for u, _ in pages] == expected
    dates = []
    for n, (url, soup) in enumerate(pages, start=1):
        pager = soup.select("div.pages a")
        classes = [a["class"][0] for a in pager]
        hrefs = {a["class"][0]: urljoin(str(client.base_url.join(url)), a["href"]) for a in pager}
        page_url = lambda k: str(client.base_url.join(column + sitegen.list_page_name(k)))  # noqa: E731
        assert classes[0] == "first" and classes[-1] == "last" and classes.count("current") == 1
        assert hrefs["first"] == page_url(1) and hrefs["last"] == page_url(len(pages))
        assert hrefs["current"] == page_url(n)
        assert soup.select_one("div.pages a.current").get_text(strip=True) == str(n)
        assert ("next" in hrefs) == (n < len(pages)) and ("prev" in hrefs) == (n > 1)
        if n < len(pages):
            assert hrefs["next"] == page_url(n + 1)
        if n > 1:
            assert hrefs["prev"] == page_url(n - 1)
        items = _items(soup)
        assert len(items) == (sitegen.PAGE_SIZE if n < len(pages) else len(items)) and items
        for li in items:
            a, span = li.find("a"), li.find("span", class_="time")
            assert a["title"] == a.get_text(strip=True)
            dates.append(span.get_text(strip=True))
    assert dates == sorted(dates, reverse=True), "newest first"
    if column == XWFBH:
        assert len(pages) >= 3


def test_every_list_item_resolves_or_is_off_site(site) -> None:
    server, client = site
    seen_off_site = []
    for column in (XWFBH, ZCJD):
        for url, soup in _walk_list(client, column):
            for li in _items(soup):
                target = urljoin(str(client.base_url.join(url)), li.find("a")["href"])
                if urlsplit(target).netloc != urlsplit(server.url).netloc:
                    assert urlsplit(target).hostname not in {"www.dg.gov.cn", "dg.gov.cn"}
                    seen_off_site.append(target)
                    continue
                assert re.search(r"/content/post_\d{7}\.html$", target), target
                assert client.get(target).status_code == 200, target
    assert sorted(seen_off_site) == sorted(e.href for e in EXTRAS if e.kind == "offsite")


def test_cross_listed_release_is_one_url_in_two_columns(site) -> None:
    _, client = site
    hrefs = {
        urljoin(str(client.base_url.join(u)), li.find("a")["href"])
        for column in (XWFBH, ZCJD)
        for u, soup in _walk_list(client, column)
        for li in _items(soup)
    }
    xw = [li.find("a")["href"] for _, s in _walk_list(client, XWFBH) for li in _items(s)]
    cross = next(e for e in EXTRAS if e.kind == "crosslist")
    assert cross.href in xw and str(client.base_url.join(cross.href)) in hrefs


# ----------------------------------------------------------------------------- article pages


@pytest.mark.parametrize("release", RELEASES, ids=lambda r: f"post_{r.post_id}")
def test_article_page(site, release: sitegen.ReleaseSpec) -> None:
    _, client = site
    column = sitegen.COLUMNS[release.column]
    response = client.get("/" + sitegen.article_path(column, release.post_id))
    assert response.status_code == 200
    soup = _soup(response)
    meta = {m["name"]: m["content"] for m in soup.find_all("meta", attrs={"name": True})}
    if release.variant == "no-meta":
        assert not set(META_NAMES) & set(meta)
    else:
        assert set(META_NAMES) <= set(meta)
        assert meta["SiteName"] == "中国东莞政府门户网站" and meta["SiteDomain"] == "www.dg.gov.cn"
        assert meta["ArticleTitle"] == release.title and meta["ColumnName"] == column.name
        assert meta["ContentSource"] == release.source
        assert meta["Url"].endswith(f"/content/post_{release.post_id}.html")
        assert any(_parses(meta["PubDate"], f) for f in PUBDATE_FORMATS)
    text = soup.get_text(" ", strip=True)
    assert f"当前位置: {column.breadcrumb_text}" in text
    assert soup.select_one("div.article-title h1").get_text(strip=True) == release.title
    line = VISIBLE_LINE.search(text)
    assert line and line.group(1) == release.published.strftime("%Y-%m-%d %H:%M:%S")
    assert line.group(2) == release.source
    assert re.search(r"【字体：\s*大\s*中\s*小\s*】", text) and "扫一扫在手机打开当前页" in text
    content = soup.select_one("div#content1")
    flat = re.sub(r"\s+", "", content.get_text())
    assert re.sub(r"\s+", "", sitegen.body_text(release)) == flat
    for event in release.events:
        assert re.sub(r"\s+", "", event.evidence) in flat
    images = content.find_all("img")
    # Hostile <img> tags written verbatim by a raw block (post_4610102) have no file; they follow
    # the release's own images.
    assert len(images) == len(release.images) + sitegen.raw_image_count(release)
    own = images[: len(release.images)]
    for img, (path, _) in zip(own, sitegen.release_assets(release), strict=False):
        src = urljoin(str(response.url), img["src"])
        assert urlsplit(src).path == "/" + path
        got = client.get(src)
        assert got.status_code == 200 and got.headers["content-type"].startswith("image/")
        Image.open(io.BytesIO(got.content)).verify()
    pdfs = [a["href"] for a in soup.select("div.article-attachment a")]
    assert len(pdfs) == len(release.attachments)
    for href in pdfs:
        got = client.get(href)
        assert got.headers["content-type"] == "application/pdf"
        _check_pdf(got.content)


def _parses(value: str, fmt: str) -> bool:
    try:
        datetime.strptime(value, fmt)
    except ValueError:
        return False
    return True


def _check_pdf(data: bytes) -> None:
    """A structurally valid PDF: header, trailer, and every xref offset pointing at its object."""
    assert data.startswith(b"%PDF-1.") and data.rstrip().endswith(b"%%EOF")
    startxref = int(re.search(rb"startxref\s+(\d+)", data).group(1))
    assert data[startxref:].startswith(b"xref")
    entries = re.findall(rb"(\d{10}) 00000 n ", data[startxref:])
    assert entries
    for number, offset in enumerate(entries, start=1):
        assert data[int(offset) :].startswith(f"{number} 0 obj".encode())


# ----------------------------------------------------------------------------- encodings


def _by_variant(variant: str) -> sitegen.ReleaseSpec:
    return next(r for r in RELEASES if r.variant == variant)


@pytest.mark.parametrize("variant", ["gbk-header", "gbk-meta", "gbk-sniff"])
def test_gbk_pages_decode_as_chinese(site, variant: str) -> None:
    _, client = site
    release = _by_variant(variant)
    response = client.get("/" + sitegen.article_path(sitegen.COLUMNS[release.column], release.post_id))
    content_type = response.headers["content-type"]
    with pytest.raises(UnicodeDecodeError):
        response.content.decode("utf-8")
    text = response.content.decode("gbk")
    assert release.title in text and "中国东莞政府门户网站" in text
    head = response.content[:1024].lower()
    if variant == "gbk-header":
        assert content_type == "text/html; charset=GBK" and b'<meta charset="gbk">' in head
    elif variant == "gbk-meta":
        assert content_type == "text/html" and b"charset=gb2312" in head
        with pytest.raises(UnicodeDecodeError):  # GBK-only characters: strict gb2312 is wrong
            response.content.decode("gb2312")
    else:
        assert content_type == "text/html" and b"charset" not in head
        best = charset_normalizer.from_bytes(response.content).best()
        assert best.encoding in {"gbk", "gb2312", "gb18030"}
        assert release.title in str(best)


def test_other_pages_are_utf8_by_default(site) -> None:
    _, client = site
    response = client.get(XWFBH)
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "新闻发布会" in response.content.decode("utf-8")


# ----------------------------------------------------------------------------- robots, 404


def test_robots_allows_the_columns_and_disallows_admin(site) -> None:
    server, client = site
    parser = urllib.robotparser.RobotFileParser()
    parser.parse(client.get("/robots.txt").text.splitlines())
    agent = "dg-publicity/0.1"
    assert parser.can_fetch(agent, server.url + "zwgk/jdhy/xwfbh/index_2.html")
    assert parser.can_fetch(agent, server.url + "zwgk/jdhy/xwfbh/content/post_4236888.html")
    assert not parser.can_fetch(agent, server.url + "admin/login.html")
    assert not parser.can_fetch("BadSpider", server.url + "zwgk/jdhy/xwfbh/")


def test_missing_pages_are_404(site) -> None:
    _, client = site
    assert client.get(XWFBH + "index_99.html").status_code == 404
    assert client.get(XWFBH + "content/post_1234567.html").status_code == 404
    assert client.get("/_headers.toml").status_code == 404


def test_readme_table_lists_every_release() -> None:
    readme = (SRC_DIR / "README.md").read_text(encoding="utf-8")
    assert build.release_table(RELEASES) in readme, "run build.py --table and update README.md"
