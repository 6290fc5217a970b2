"""Property tests (hypothesis) of the whole chain on random and malformed input: a page goes through
parse (tasks/parse.py), its text through extract (tasks/extract.py), its events into drafts
(tasks/drafts.py) and posters (tasks/poster.py). Nothing but our own ``PublicityError`` subclasses
may come out, and the invariants hold: an event never ends before it starts, a draft is within
its platform's limits or marked invalid, and a poster is drawn only when every character of it is
in a font (else a ``RenderError`` names the character).

The per-module properties (parser tokens, extractor fragments, draft sizes, line breaking) live in
each module's tests; these chain the stages, as the poll does. Example counts are modest: the file
runs in well under a minute.
"""

from __future__ import annotations

import re

from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tasks.drafts import build_draft, limit_problems, load_platforms
from tasks.errors import ExtractError, ParseError, PublicityError, RenderError
from tasks.extract import extract_events
from tasks.models import SHANGHAI, Event, Release
from tasks.parse import parse_article, parse_list_page
from tasks.poster import clean_text, choose_template, default_fontbook, load_faces, load_templates
from tasks.poster import poster_content_for, render_poster
from tasks.settings import load_profile

PROFILE = load_profile("sample").with_base_url("http://127.0.0.1:8765/")
URL = "http://127.0.0.1:8765/zwgk/jdhy/xwfbh/content/post_4610102.html"
LIST_URL = "http://127.0.0.1:8765/zwgk/jdhy/xwfbh/index.html"
PLATFORMS = load_platforms()
TEMPLATES = load_templates()
FONTS = default_fontbook()
FACES = tuple(load_faces())
OFFICE = "东莞市人民政府新闻办公室"

HANZI = "东莞市人民政府新闻发布会音乐节体育馆开幕式人才活动周嘉年华广场举行报名启动仪式展览"
CHINESE_PIECES = st.sampled_from([
    "12月20日", "2025年1月5日上午9:30", "至", "12月27日（周五）晚7点30分", "在东莞市民广场举行",
    "下午", "明年", "每周六", "即日起", "将于", "举办", "。", "，", "“", "”", "（", "）",
    "2024年13月45日", "2月30日", "25:61", "0月0日", "报名时间为10月12日10:00至10月25日18:00",
    "活动地点：东莞玉兰大剧院", "直播：i东莞", "上午9时", "晚上8点半", "2027年1月9日",
])
HTML_PIECES = st.sampled_from([
    "<p>", "</p>", "<div class=\"article-content\" id=\"content1\">", "</div>", "<h1>", "</h1>",
    "<meta name=\"ArticleTitle\" content=\"", "\">", "<meta name=\"PubDate\" content=\"2025-01-14 11:25\">",
    "<script>alert(1)</script>", "<style>p{}</style>", "<table><tr><td>", "</td></tr></table>",
    "<img src=\"x\" onerror=\"alert(1)\">", "<a href=\"javascript:alert(1)\">", "</a>", "<br>",
    "<!--", "-->", "<![CDATA[", "]]>", "&#xD800;", "&#0;", "&nbsp;", "&lt;", "\x00", "\ufeff",
    "<", ">", "&", "\"", "'", "<html>", "</html>", "<body>", "</body>", "<title>", "</title>",
    "<div class=\"article-info\">中国东莞政府门户网站 2025-01-14 11:25:03 来源: 本网</div>",
    "<li><a href=\"/zwgk/jdhy/xwfbh/content/post_4236888.html\">标题</a><span class=\"time\">2024-12-12</span></li>",
    "<ul>", "</ul>", "<div class=\"pages\"><a class=\"next\" href=\"index_2.html\">下一页</a></div>",
    "<span style=\"display:none\">", "</span>", "<svg onload=alert(1)>", "<math>", "\r\n", "\u3000",
])
TEXT = st.lists(
    CHINESE_PIECES | st.text(alphabet=HANZI, min_size=1, max_size=8) | st.text(max_size=6),
    max_size=40,
).map("".join)
HTML = st.lists(HTML_PIECES | CHINESE_PIECES | st.text(max_size=10), max_size=80).map("".join)
PUBLISHED = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)
).map(lambda d: d.replace(tzinfo=SHANGHAI))
# Poster text: mostly drawable Chinese, sometimes a character no font has (emoji, CJK ext. B).
POSTER_TEXT = st.text(
    alphabet=HANZI + "，。、！？：（）《》“”…—·0123456789ABCabc <>&\"'" + "😀𠀀\u0f40\U000e0001",
    min_size=1, max_size=60,
)


def _day(value: date | datetime) -> date:
    return value.astimezone(SHANGHAI).date() if isinstance(value, datetime) else value


def check_event(event: Event) -> None:
    if event.end is None:
        return
    if isinstance(event.start, datetime) and isinstance(event.end, datetime):
        assert event.end >= event.start, event
    assert _day(event.end) >= _day(event.start), event


def check_drafts(release: Release, events: list[Event]) -> None:
    for platform in PLATFORMS.values():
        try:
            content = build_draft(release, events, [], platform=platform, hashtags=["东莞"],
                                  office=OFFICE)
        except PublicityError:
            continue  # a clear DraftError is allowed
        assert content.invalid or limit_problems(content, platform) == [], (platform.name, content)


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(html=HTML, listed_title=st.none() | TEXT, listed_date=st.none() | st.dates())
def test_random_pages_through_parse_extract_and_drafts(
    html: str, listed_title: str | None, listed_date: date | None
) -> None:
    try:
        parse_list_page(html, url=LIST_URL, profile=PROFILE)
    except ParseError:
        pass
    try:
        release = parse_article(html, url=URL, profile=PROFILE, listed_title=listed_title,
                                listed_date=listed_date)
    except ParseError:
        return
    assert release.title and "<script" not in release.html.lower()
    assert "javascript:" not in release.html.lower()
    try:
        events = extract_events(release.text, published=release.published)
    except ExtractError:
        return
    for event in events:
        check_event(event)
    check_drafts(release, events)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXT, published=PUBLISHED)
def test_random_chinese_text_through_extract_and_drafts(text: str, published: datetime) -> None:
    try:
        events = extract_events(text, published=published)
    except ExtractError:
        return
    for event in events:
        check_event(event)
        assert event.name
    release = Release(url=URL, post_id="post_4610102", title=(text.strip() or "标题")[:80],
                      published=published, text=text, html=f"<p>{text}</p>")
    check_drafts(release, events)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(headline=POSTER_TEXT, venue=st.none() | POSTER_TEXT, start=st.dates(min_value=date(2000, 1, 1),
       max_value=date(2099, 1, 1)), days=st.integers(min_value=-3, max_value=40),
       fmt=st.sampled_from(["portrait", "square", "story", "wechat_cover"]))
def test_random_posters_draw_every_character_or_say_which_is_missing(
    headline: str, venue: str | None, start: date, days: int, fmt: str
) -> None:
    assume(headline.strip())
    end = start + timedelta(days=days) if days else None
    event = Event(name=headline, start=start, end=end, venue=venue)
    release = Release(url=URL, post_id="post_4610102", title=headline[:40],
                      published=datetime(2026, 11, 2, tzinfo=SHANGHAI), text=headline, html="")
    try:
        content = poster_content_for(event, release, office=OFFICE)
        poster = render_poster(content, template=choose_template(content, TEMPLATES), fmt=fmt)
    except RenderError as exc:
        if not clean_text(headline):  # nothing drawable left of the name: refused as such
            assert "headline" in str(exc), exc
            return
        if end is not None and end < start:
            return
        # The error names a character of the input that the layer's own face cannot draw.
        named = re.search(r"U\+([0-9A-F]{4,6}) .* not in font '([^']+)'", str(exc))
        assert named, exc
        char, face = chr(int(named.group(1), 16)), named.group(2)
        assert char in headline + (venue or "") and FONTS.missing(face, char), exc
        return
    assert end is None or end >= start  # an event ending before it starts is never drawn
    assert poster.png.startswith(b"\x89PNG")
    # The WeChat cover shows no venue line, so only its headline must be drawable.
    drawn = content.fields()["headline"] + ("" if fmt == "wechat_cover" else content.fields()["venue"])
    for char in set(drawn):
        assert any(not FONTS.missing(face, char) for face in FACES), char


@pytest.mark.parametrize("bad", [None, 42, b"bytes", "x" * 2_000_001])
def test_bad_input_types_are_our_errors(bad: object) -> None:
    with pytest.raises(PublicityError):
        extract_events(bad, published=datetime(2025, 1, 1, tzinfo=SHANGHAI))  # type: ignore[arg-type]
    with pytest.raises(PublicityError):
        parse_article(bad, url=URL, profile=PROFILE)  # type: ignore[arg-type]
