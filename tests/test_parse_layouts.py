"""Generalisation of tasks/parse.py to page layouts it was not tuned on.

The pages in tests/fixtures/layouts/ are written by us in the shapes of common Chinese government
CMS templates (TRS WCM, Hanweb, 2010-era table layouts, mobile templates, …); their expected parse
is in tests/fixtures/layouts/expected.yaml and the folder's README.md records the results.

Each page is parsed with two profiles:

- ``dongguan``: the real site profile, its base URL moved to the page's host (what the product
  does when pointed at a sister site);
- ``bare``: a profile with every selector empty, so only the generic layers (meta tags, visible
  structure, fallback) can read the page.

A page must parse to exactly its expected fields; getting it wrong silently is a failure, and so
is an error (the pages are readable). ``python tests/test_parse_layouts.py`` prints the per-page
score table used in the README.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

if __name__ == "__main__":  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tasks._fetch.encoding import decode_body
from tasks.errors import LayoutNotRecognised, NotARelease, PublicityError
from tasks.models import SHANGHAI, ListPage, Release
from tasks.parse import canonical_url, parse_article, parse_list_page
from tasks.settings import Selectors, SiteProfile, load_profile

LAYOUTS = Path(__file__).parent / "fixtures" / "layouts"
HOLDOUT = "holdout"  # pages written after the fixes, to check they generalise (holdout/README)
HOLDOUT2 = "holdout2"  # written after the second round of fixes (holdout2/README)
HOLDOUT3 = "holdout3"  # written after the third round of fixes (holdout3/README)


def _expected(folder: str) -> tuple[dict[str, dict], dict[str, dict]]:
    """(articles, lists) of one folder's expected.yaml, keyed by path relative to LAYOUTS."""
    data = yaml.safe_load((LAYOUTS / folder / "expected.yaml").read_text(encoding="utf-8"))
    prefix = f"{folder}/" if folder else ""
    return (
        {prefix + k: v for k, v in data["articles"].items()},
        {prefix + k: v for k, v in data["lists"].items()},
    )


FIRST_ARTICLES, FIRST_LISTS = _expected("")
HOLDOUT_ARTICLES, HOLDOUT_LISTS = _expected(HOLDOUT)
HOLDOUT2_ARTICLES, HOLDOUT2_LISTS = _expected(HOLDOUT2)
HOLDOUT3_ARTICLES, HOLDOUT3_LISTS = _expected(HOLDOUT3)
ARTICLES: dict[str, dict] = {
    **FIRST_ARTICLES, **HOLDOUT_ARTICLES, **HOLDOUT2_ARTICLES, **HOLDOUT3_ARTICLES,
}  # fmt: skip
LISTS: dict[str, dict] = {**FIRST_LISTS, **HOLDOUT_LISTS, **HOLDOUT2_LISTS, **HOLDOUT3_LISTS}
BARE_SELECTORS = Selectors(list_item="", pager="", body="", title="", info_line="")
PROFILE_NAMES = ("dongguan", "bare")
ARTICLE_FIELDS = (
    "title", "published", "body_first", "body_last", "no_chrome", "images", "attachments",
)  # fmt: skip
LIST_FIELDS = ("item_urls", "item_titles", "item_dates", "next_url")


def page_text(name: str) -> str:
    """The page decoded as the fetcher decodes it (BOM, then <meta charset>, then detection)."""
    text, _codec = decode_body((LAYOUTS / name).read_bytes())
    return text


def profile_for(kind: str, url: str) -> SiteProfile:
    parts = urlsplit(url)
    base = f"{parts.scheme}://{parts.netloc}/"
    profile = load_profile("dongguan").with_base_url(base)
    if kind == "bare":
        profile = profile.model_copy(update={"selectors": BARE_SELECTORS})
    return profile


# ---------------------------------------------------------------------------------------------
# Field checks: each returns a list of (field, ok, got) so the score table and the tests agree
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Check:
    field: str
    ok: bool
    got: object


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _published_ok(expected: str, got: datetime) -> bool:
    if "T" not in expected:  # the page states a date only: the time is not checked
        return got.astimezone(SHANGHAI).date() == date.fromisoformat(expected)
    return got == datetime.fromisoformat(expected)


def article_checks(release: Release, exp: dict) -> list[Check]:
    lines = _lines(release.text)
    checks = [
        Check("title", release.title == exp["title"], release.title),
        Check("published", _published_ok(exp["published"], release.published), release.published),
        Check("body_first", bool(lines) and lines[0].startswith(exp["body_first"]), lines[:1]),
        Check("body_last", bool(lines) and lines[-1].endswith(exp["body_last"]), lines[-1:]),
        Check(
            "no_chrome",
            not [w for w in exp.get("not_in_text", []) if w in release.text],
            [w for w in exp.get("not_in_text", []) if w in release.text],
        ),
        Check("images", len(release.images) == exp["images"], len(release.images)),
        Check(
            "attachments", len(release.attachments) == exp["attachments"], len(release.attachments)
        ),
    ]
    if "source" in exp:
        checks.append(Check("source", release.source == exp["source"], release.source))
    if "body_lines" in exp:
        checks.append(Check("body_lines", len(lines) == exp["body_lines"], len(lines)))
    return checks


def list_checks(page: ListPage, exp: dict) -> list[Check]:
    want = [(canonical_url(u), t, d) for u, t, d in exp["items"]]
    got = [(i.url, i.title, i.published) for i in page.items]
    checks = [
        Check("item_urls", [w[0] for w in want] == [g[0] for g in got], [g[0] for g in got]),
        Check("item_titles", [w[1] for w in want] == [g[1] for g in got], [g[1] for g in got]),
        Check("item_dates", [w[2] for w in want] == [g[2] for g in got], [g[2] for g in got]),
    ]
    next_url = exp["next_url"] and canonical_url(exp["next_url"])
    checks.append(Check("next_url", page.next_url == next_url, page.next_url))
    if "page_count" in exp:
        checks.append(Check("page_count", page.page_count == exp["page_count"], page.page_count))
    return checks


def run_article(name: str, kind: str) -> list[Check]:
    exp = ARTICLES[name]
    profile = profile_for(kind, exp["url"])
    if "refuse" in exp:  # a page that must be refused: parsing it is wrong data, one field
        try:
            release = parse_article(page_text(name), url=exp["url"], profile=profile)
        except PublicityError as exc:
            return [Check("refused", type(exc).__name__ == exp["refuse"], type(exc).__name__)]
        return [Check("refused", False, f"parsed: title {release.title!r}")]
    release = parse_article(page_text(name), url=exp["url"], profile=profile)
    return article_checks(release, exp)


def run_list(name: str, kind: str) -> list[Check]:
    exp = LISTS[name]
    page = parse_list_page(page_text(name), url=exp["url"], profile=profile_for(kind, exp["url"]))
    return list_checks(page, exp)


def _failures(checks: list[Check]) -> list[str]:
    return [f"{c.field}: got {c.got!r}" for c in checks if not c.ok]


# ---------------------------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------------------------


def test_fixture_set_is_complete() -> None:
    pages = sorted(p.name for p in LAYOUTS.glob("*.html"))
    assert pages == sorted([*FIRST_ARTICLES, *FIRST_LISTS])
    assert (len(FIRST_ARTICLES), len(FIRST_LISTS)) == (8, 6)
    held_out = sorted(f"{HOLDOUT}/{p.name}" for p in (LAYOUTS / HOLDOUT).glob("*.html"))
    assert held_out == sorted([*HOLDOUT_ARTICLES, *HOLDOUT_LISTS])
    held_out2 = sorted(f"{HOLDOUT2}/{p.name}" for p in (LAYOUTS / HOLDOUT2).glob("*.html"))
    assert held_out2 == sorted([*HOLDOUT2_ARTICLES, *HOLDOUT2_LISTS])
    assert (len(HOLDOUT2_ARTICLES), len(HOLDOUT2_LISTS)) == (7, 3)
    held_out3 = sorted(f"{HOLDOUT3}/{p.name}" for p in (LAYOUTS / HOLDOUT3).glob("*.html"))
    assert held_out3 == sorted([*HOLDOUT3_ARTICLES, *HOLDOUT3_LISTS])
    assert (len(HOLDOUT3_ARTICLES), len(HOLDOUT3_LISTS)) == (5, 3)


def test_gbk_page_is_really_gbk() -> None:
    raw = (LAYOUTS / "a04_table_gbk.html").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert "云浮市召开" in page_text("a04_table_gbk.html")


@pytest.mark.parametrize("kind", PROFILE_NAMES)
@pytest.mark.parametrize("name", sorted(ARTICLES))
def test_article_layout(name: str, kind: str) -> None:
    assert not _failures(run_article(name, kind))


@pytest.mark.parametrize("kind", PROFILE_NAMES)
@pytest.mark.parametrize("name", sorted(LISTS))
def test_list_layout(name: str, kind: str) -> None:
    assert not _failures(run_list(name, kind))


@pytest.mark.parametrize("kind", PROFILE_NAMES)
@pytest.mark.parametrize("name", sorted(LISTS))
def test_list_page_is_not_a_release(name: str, kind: str) -> None:
    """A list page handed to the article parser is refused, not read as a release."""
    url = LISTS[name]["url"]
    with pytest.raises(NotARelease):
        parse_article(page_text(name), url=url, profile=profile_for(kind, url))


# ---------------------------------------------------------------------------------------------
# The generic rules refuse rather than guess
# ---------------------------------------------------------------------------------------------

SITE_ONLY_PAGE = """<html><head><title>云浮市人民政府网</title></head><body>
<div class="main"><p>12月12日，云浮市召开2024年冬春农业生产工作新闻发布会，通报全市冬种作物播种进度。</p>
<p>市农业农村局提醒广大农户关注天气变化，做好防寒防冻措施。</p></div></body></html>"""


@pytest.mark.parametrize("kind", PROFILE_NAMES)
def test_site_name_title_is_not_a_release_title(kind: str) -> None:
    """A <title> that names only the site, and no heading: no title, not the site name."""
    url = "http://www.yunfu.gov.cn/xwzx/xwfb/202412/t20241212_1.html"
    with pytest.raises(NotARelease, match="No title"):
        parse_article(SITE_ONLY_PAGE, url=url, profile=profile_for(kind, url))
    release = parse_article(
        SITE_ONLY_PAGE, url=url, profile=profile_for(kind, url),
        listed_title="云浮市召开冬春农业生产工作新闻发布会", listed_date=date(2024, 12, 12),
    )  # fmt: skip
    assert release.title == "云浮市召开冬春农业生产工作新闻发布会"


def _box_list(rows: list[tuple[str, str]]) -> str:
    items = "".join(
        f'<div class="item"><a href="{href}">第{n}条发布会</a><span>[{day}]</span></div>'
        for n, (href, day) in enumerate(rows, 1)
    )
    return f'<html><body><div class="news_list">{items}</div></body></html>'


@pytest.mark.parametrize("kind", PROFILE_NAMES)
def test_short_dates_take_the_year_only_from_an_agreeing_url(kind: str) -> None:
    url = "https://www.maoming.gov.cn/zwgk/xwfbh/index.html"
    html = _box_list([
        ("./202412/t20241212_1.html", "12-12"),   # the URL agrees: 2024-12-12
        ("./202412/t20241203_2.html", "12-04"),   # the URL says another day: no date
        ("./content/post_3.html", "12-01"),       # no date in the URL: no date
        ("./202411/t20241130_4.html", "11-30"),
    ])  # fmt: skip
    page = parse_list_page(html, url=url, profile=profile_for(kind, url))
    assert [i.published for i in page.items] == [date(2024, 12, 12), None, None, date(2024, 11, 30)]


@pytest.mark.parametrize("kind", PROFILE_NAMES)
def test_pin_labels_leave_titles_but_not_other_words(kind: str) -> None:
    url = "https://www.yangjiang.gov.cn/zwgk/xwfbh/index.html"
    rows = ["【置顶】关于发布会的通知", "[顶]发布会安排", "置顶发布会制度", "顶层设计发布会"]
    items = "".join(
        f'<li><a href="content/post_{n}.html">{t}</a><span>2024-12-0{n}</span></li>'
        for n, t in enumerate(rows, 1)
    )
    html = f'<html><body><ul class="list">{items}</ul></body></html>'
    page = parse_list_page(html, url=url, profile=profile_for(kind, url))
    assert [i.title for i in page.items] == [
        "关于发布会的通知", "发布会安排", "发布会制度", "顶层设计发布会",
    ]  # fmt: skip


def _dated_page(*, meta: str, info: str) -> str:
    head = f'<meta name="PubDate" content="{meta}">' if meta else ""
    return f"""<html><head><title>珠海市召开航展交通保障新闻发布会_珠海市人民政府</title>{head}</head>
<body><div class="art-title">珠海市召开航展交通保障新闻发布会</div><div class="art-info">{info}</div>
<div class="art-content"><p>12月12日下午，珠海市召开航展交通保障新闻发布会，通报航展期间交通保障情况。</p>
<p>航展期间，全市累计开行接驳公交1.2万班次。</p></div></body></html>"""


@pytest.mark.parametrize("kind", PROFILE_NAMES)
@pytest.mark.parametrize(
    ("meta", "info", "want"),
    [
        # a visible time labelled 发布时间 that disagrees with the meta tag wins
        ("2024-12-16 09:02", "发布时间：2024-12-12 17:14 来源：珠海市交通运输局", "2024-12-12T17:14"),
        # an unlabelled visible date that disagrees gives way to the meta tag
        ("2024-12-16 09:02", "珠海市人民政府 2024-12-12 17:14 来源：本网", "2024-12-16T09:02"),
        # agreeing readings: the visible one is the more precise
        ("2024-12-12 17:14", "发布时间：2024-12-12 17:14:51 来源：本网", "2024-12-12T17:14:51"),
        # a labelled date alone agrees with a meta time on the same day: the meta's time is kept
        ("2024-12-12 17:14", "发布日期：2024-12-12 来源：本网", "2024-12-12T17:14"),
    ],
)  # fmt: skip
def test_pubdate_meta_against_the_visible_time(kind: str, meta: str, info: str, want: str) -> None:
    url = "https://www.zhuhai.gov.cn/zwgk/xwfbh/content/post_1.html"
    html = _dated_page(meta=meta, info=info)
    release = parse_article(html, url=url, profile=profile_for(kind, url))
    assert release.published == datetime.fromisoformat(want).replace(tzinfo=SHANGHAI)


@pytest.mark.parametrize("kind", PROFILE_NAMES)
def test_a_date_in_an_items_summary_is_not_its_date(kind: str) -> None:
    url = "https://www.qingyuan.gov.cn/xwzx/xwfbh/index.html"
    rows = "".join(
        f'<li><h3><a href="./content/post_{n}.html">第{n}场新闻发布会</a></h3>'
        f"<p>活动将于2025年1月{n}日起举行，欢迎市民参与。</p>{note}</li>"
        for n, note in ((1, "<span>发布日期：2024-12-12</span>"), (2, ""), (3, "<i>2024-12-01</i>"))
    )
    html = f'<html><body><ul class="news">{rows}</ul></body></html>'
    page = parse_list_page(html, url=url, profile=profile_for(kind, url))
    # the second item shows no date of its own: None, never the summary's 2025-01-02
    assert [i.published for i in page.items] == [date(2024, 12, 12), None, date(2024, 12, 1)]


@pytest.mark.parametrize("kind", PROFILE_NAMES)
def test_a_release_ending_with_a_related_list_is_still_a_release(kind: str) -> None:
    url = "https://www.zhuhai.gov.cn/zwgk/xwfbh/content/post_9.html"
    related = "".join(
        f'<li><a href="/zwgk/xwfbh/content/post_{n}.html">往期发布会{n}</a>'
        f"<span>2024-11-0{n}</span></li>"
        for n in (1, 2, 3)
    )
    html = _dated_page(meta="", info="发布时间：2024-12-12 17:14 来源：本网").replace(
        "</p></div>",
        "今年航展接待观众超过80万人次，交通运行总体平稳有序，各项保障措施落实到位，"
        "市民出行满意度明显提升。</p>"
        f'<div class="wqhg"><ul>{related}</ul></div></div>',
    )
    release = parse_article(html, url=url, profile=profile_for(kind, url))
    assert release.title == "珠海市召开航展交通保障新闻发布会"


@pytest.mark.parametrize("kind", PROFILE_NAMES)
def test_foreign_language_pages_are_refused_but_english_words_are_not(kind: str) -> None:
    url = "https://english.dg.gov.cn/news/content/post_1.html"
    english = (
        "<p>The Information Office of Dongguan held a press conference on December 12 to "
        "introduce the 2024 High-Level Talent Week, which opens on December 20.</p>"
    )
    page = _dated_page(meta="2024-12-13 10:00", info="发布时间：2024-12-13 10:00")
    body_start = page.index('<div class="art-content">') + len('<div class="art-content">')
    foreign = page[:body_start] + english * 2 + "</div></body></html>"
    # the profile's body selector finds the box: refused for its language; without selectors
    # no box holds Chinese text: refused for want of a body
    reason = "Not a Chinese release" if kind == "dongguan" else "No body"
    foreign = foreign.replace("art-content", "content")
    with pytest.raises(NotARelease, match=reason):
        parse_article(foreign, url=url, profile=profile_for(kind, url))
    # a Chinese release that names things in English stays a release
    mixed = page.replace("通报航展期间", "邀请Commercial Aircraft Corporation of China、Airbus、"
                         "Boeing等企业通报航展期间")  # fmt: skip
    assert "Airbus" in parse_article(mixed, url=url, profile=profile_for(kind, url)).text


@pytest.mark.parametrize("kind", PROFILE_NAMES)
def test_a_short_box_list_is_a_list_only_above_the_pager(kind: str) -> None:
    url = "https://www.meizhou.gov.cn/zwgk/xwfbh/index_3.html"
    boxes = "".join(
        f'<div class="it"><h3><a href="./content/post_{n}.html">第{n}场发布会</a></h3>'
        f'<div class="d">2024/06/1{n}</div></div>'
        for n in (1, 2, 3)
    )
    pager = '<div class="fy">共3页 <a href="index_2.html">上一页</a></div>'
    alone = f'<html><body><div class="l">{boxes}</div></body></html>'
    with pytest.raises(LayoutNotRecognised):
        parse_list_page(alone, url=url, profile=profile_for(kind, url))
    above = f'<html><body><div class="m"><div class="l">{boxes}</div>{pager}</div></body></html>'
    page = parse_list_page(above, url=url, profile=profile_for(kind, url))
    assert [i.published for i in page.items] == [date(2024, 6, d) for d in (11, 12, 13)]
    assert (page.next_url, page.page_count) == (None, 3)


@pytest.mark.parametrize("kind", PROFILE_NAMES)
def test_a_month_header_gives_its_year_only_to_rows_of_its_month(kind: str) -> None:
    url = "https://www.shanwei.gov.cn/zwgk/xwfbh/index.html"
    rows = "".join(
        f'<tr><td><a href="./content/post_{n}.html">第{n}场新闻发布会</a></td><td>{day}</td></tr>'
        for n, day in enumerate(("12-26", "11-30", "12-02"), 1)
    )
    html = (
        f'<html><body><div class="m"><table class="t"><tr><td colspan="2">2024年12月</td></tr>'
        f'{rows}</table><div class="page">共2页 <a href="index_1.html">下一页</a></div></div>'
        "</body></html>"
    )
    page = parse_list_page(html, url=url, profile=profile_for(kind, url))
    # 11-30 under the 2024年12月 header disagrees with it: no date, never a guessed year
    assert [i.published for i in page.items] == [date(2024, 12, 26), None, date(2024, 12, 2)]
    # TRS numbers the second page index_1.html: from index.html it is the next page
    assert page.next_url == "https://www.shanwei.gov.cn/zwgk/xwfbh/index_1.html"


@pytest.mark.parametrize("kind", PROFILE_NAMES)
def test_a_title_wrapped_by_br_is_joined_and_a_subtitle_is_not_the_title(kind: str) -> None:
    url = "https://www.zhaoqing.gov.cn/xxgk/xwfb/content/post_1.html"
    html = """<html><head><title>肇庆市人民政府门户网站</title></head><body>
<div class="banner">肇庆市人民政府门户网站</div><div class="m"><h1>肇庆市召开2024年<br>冬季农业生产新闻发布会</h1>
<h2>全市冬种面积超过80万亩</h2><div class="i">发布日期：2024-12-13 来源：本网</div>
<div class="t"><p>12月13日，肇庆市召开2024年冬季农业生产新闻发布会，通报全市冬种进度。</p>
<p>全市冬种面积超过80万亩，同比增长3%。</p></div></div></body></html>"""
    release = parse_article(html, url=url, profile=profile_for(kind, url))
    assert release.title == "肇庆市召开2024年冬季农业生产新闻发布会"


@pytest.mark.parametrize("kind", PROFILE_NAMES)
def test_section_blocks_make_one_body_but_a_share_bar_does_not_join_it(kind: str) -> None:
    url = "https://www.huizhou.gov.cn/xwzx/xwfbh/content/post_1.html"
    sentences = (
        "12月9日上午，惠州市召开西湖灯会新闻发布会，介绍灯会筹备情况和活动安排。",
        "本届灯会共设置大型灯组46组，首次引入非遗打铁花表演，灯会将于12月28日开幕。",
        "灯会期间，西湖景区开放至晚上22时，游客可通过小程序预约入园参观游览。",
    )
    head = """<html><head><title>惠州市召开西湖灯会新闻发布会_惠州市人民政府</title></head><body>
<h1>惠州市召开西湖灯会新闻发布会</h1><div class="info">发布时间：2024-12-09 11:08</div>"""
    sections = "".join(
        f'<section class="s{n}" style="margin:0"><section><p>{t}</p></section></section>'
        for n, t in enumerate(sentences)
    )
    html = f'{head}<div class="c">{sections}</div></body></html>'
    release = parse_article(html, url=url, profile=profile_for(kind, url))
    assert _lines(release.text) == list(sentences)
    # one box with most of the text is the body; the boxes beside it do not join it
    paragraphs = "".join(f"<p>{t}</p>" for t in sentences)
    html = (
        f'{head}<div class="x"><div class="c2">{paragraphs}</div>'
        '<div class="note">图文来源：惠州市文化广电旅游体育局宣传科</div></div></body></html>'
    )
    release = parse_article(html, url=url, profile=profile_for(kind, url))
    assert _lines(release.text) == list(sentences)


@pytest.mark.parametrize("kind", PROFILE_NAMES)
def test_rows_that_are_links_wrapping_boxes(kind: str) -> None:
    url = "https://www.jieyang.gov.cn/xwzx/xwfbh/index.html"
    cards = "".join(
        f'<a class="card" href="/xwzx/xwfbh/content/post_{n}.html"><div class="title">第{n}场'
        f'新闻发布会</div><div class="date">2024-12-1{n}</div></a>'
        for n in (1, 2, 3, 4)
    )
    html = f'<html><body><div class="nav"><a href="/">首页</a><a href="/a/">政务公开</a>' \
        f'<a href="/b/">新闻中心</a><a href="/c/">互动交流</a></div><div class="l">{cards}</div></body></html>'
    page = parse_list_page(html, url=url, profile=profile_for(kind, url))
    assert [(i.title, i.published) for i in page.items] == [
        (f"第{n}场新闻发布会", date(2024, 12, 10 + n)) for n in (1, 2, 3, 4)
    ]


# ---------------------------------------------------------------------------------------------
# Score table (python tests/test_parse_layouts.py)
# ---------------------------------------------------------------------------------------------


def score() -> None:
    for label, articles, lists in (
        ("first set", FIRST_ARTICLES, FIRST_LISTS),
        ("held-out set", HOLDOUT_ARTICLES, HOLDOUT_LISTS),
        ("second held-out set", HOLDOUT2_ARTICLES, HOLDOUT2_LISTS),
        ("third held-out set", HOLDOUT3_ARTICLES, HOLDOUT3_LISTS),
    ):
        print(f"== {label}")
        _score_set(articles, lists)


def _score_set(articles: dict[str, dict], lists: dict[str, dict]) -> None:
    # fields right, fields, pages fully right, fields wrong (silent wrong data), fields lost to
    # an error (the page was refused although it is readable)
    totals = {k: [0, 0, 0, 0, 0] for k in PROFILE_NAMES}
    for name in [*sorted(articles), *sorted(lists)]:
        runner = run_article if name in ARTICLES else run_list
        cells = []
        for kind in PROFILE_NAMES:
            try:
                checks = runner(name, kind)
            except PublicityError as exc:
                n_fields = len(run_stub_fields(name))
                totals[kind][1] += n_fields
                totals[kind][4] += n_fields
                cells.append(f"{kind}: ERROR {type(exc).__name__}: {exc}")
                continue
            right = sum(c.ok for c in checks)
            totals[kind][0] += right
            totals[kind][1] += len(checks)
            totals[kind][2] += right == len(checks)
            totals[kind][3] += len(checks) - right
            wrong = ", ".join(_failures(checks))
            cells.append(f"{kind}: {right}/{len(checks)}" + (f" [{wrong}]" if wrong else ""))
        print(f"{name}\n    " + "\n    ".join(cells))
    for name in sorted(lists):
        for kind in PROFILE_NAMES:
            url = lists[name]["url"]
            try:
                release = parse_article(page_text(name), url=url, profile=profile_for(kind, url))
            except NotARelease:
                continue
            except PublicityError as exc:
                print(f"{name} as article ({kind}): {type(exc).__name__} (not NotARelease): {exc}")
                continue
            print(f"{name} as article ({kind}): NOT refused, title {release.title!r}")
    for kind, (right, fields, pages, wrong, lost) in totals.items():
        n_pages = len(articles) + len(lists)
        print(
            f"{kind}: {pages}/{n_pages} pages fully right, {right}/{fields} fields "
            f"({wrong} silently wrong, {lost} lost to errors)"
        )


def run_stub_fields(name: str) -> list[str]:
    """The fields a page is scored on (for pages that raised)."""
    exp = ARTICLES.get(name) or LISTS[name]
    if "refuse" in exp:
        return ["refused"]
    if name in ARTICLES:
        return [*ARTICLE_FIELDS, *(k for k in ("source", "body_lines") if k in exp)]
    return [*LIST_FIELDS, *(["page_count"] if "page_count" in exp else [])]


if __name__ == "__main__":
    score()
