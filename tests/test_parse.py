"""Tests for tasks/parse.py: real pages of the Guangdong CMS family, pages built from the visible
text of a real Dongguan release, the sample site, and hostile or broken HTML.

Real pages: tests/fixtures/real_pages/ (origins in its README.md). The sample site
(assets/sample_site) is built by its own generator; its tests skip only when the folder is missing.
"""

from __future__ import annotations

import functools
import re
import subprocess
import sys
import tomllib
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tasks.errors import LayoutNotRecognised, NotARelease, ParseError, SettingsError
from tasks.models import SHANGHAI, ListPage, ParseMethod, Release
from tasks.parse import (
    canonical_url,
    parse_article,
    parse_date,
    parse_list_page,
    parse_published,
    post_id,
    sanitise_html,
)
from tasks.settings import SAMPLE_SITE_DIR, Selectors, SiteProfile, load_profile

REAL = Path(__file__).parent / "fixtures" / "real_pages"
SEED = REAL / "press-release-2024-12-12.txt"
DRC_URL = "https://drc.gd.gov.cn/ywtz/content/post_4960402.html"
DG_URL = "https://www.dg.gov.cn/zwgk/jdhy/xwfbh/content/post_4321000.html"
SAMPLE_BASE = "http://127.0.0.1:8765/"
SAMPLE_LIST = SAMPLE_SITE_DIR / "zwgk" / "jdhy" / "xwfbh" / "index.html"

needs_sample = pytest.mark.skipif(
    not SAMPLE_LIST.exists(), reason="assets/sample_site not built (no zwgk/jdhy/xwfbh/index.html)"
)


def profile_for(url: str, *hosts: str, **overrides: object) -> SiteProfile:
    host = urlsplit(url).hostname or ""
    return SiteProfile(
        name="test",
        title="测试站点",
        office="测试办公室",
        base_url=url,
        hosts=list(hosts or (host,)),
        columns=[],
        **overrides,
    )


def real(name: str) -> str:
    return (REAL / name).read_text(encoding="utf-8")


DG = profile_for("https://www.dg.gov.cn/", "www.dg.gov.cn", "dg.gov.cn")


# =============================================================================================
# Real list pages
# =============================================================================================

REAL_LISTS = [
    # file, url, allowed hosts, items, off-site items, next page, page count, first title, first date
    (
        "hrss_dg_list.html",
        "http://dghrss.dg.gov.cn/xwzx/gsgg/gkzp/index.html",
        ("dghrss.dg.gov.cn",),
        20,
        19,
        "http://dghrss.dg.gov.cn/xwzx/gsgg/gkzp/index_2.html",
        11,
        "东莞广播电视台2026年公开招聘拟聘用人员公示",
        date(2026, 9, 14),
    ),
    (
        "hrss_dg_list.html",
        "http://dghrss.dg.gov.cn/xwzx/gsgg/gkzp/index.html",
        (".dg.gov.cn",),  # the whole city's subdomains: only the non-government hosts are off-site
        20,
        8,
        "http://dghrss.dg.gov.cn/xwzx/gsgg/gkzp/index_2.html",
        11,
        "东莞广播电视台2026年公开招聘拟聘用人员公示",
        date(2026, 9, 14),
    ),
    (
        "hrss_gd_list.html",
        "https://hrss.gd.gov.cn/zwgk/sydwzp/zpgg/index.html",
        ("hrss.gd.gov.cn",),
        9,
        0,
        "https://hrss.gd.gov.cn/zwgk/sydwzp/zpgg/index_2.html",
        70,
        "关于广东省事业单位2026年集中公开招聘高校毕业生省直及中央驻粤单位笔试合格分数线的公告",
        date(2026, 4, 7),
    ),
    (
        "hrss_gz_list.html",
        "https://rsj.gz.gov.cn/ywzt/rszdgg/sydwgkzp/index.html",
        ("rsj.gz.gov.cn",),
        15,
        13,
        "https://rsj.gz.gov.cn/ywzt/rszdgg/sydwgkzp/index_2.html",
        27,
        "报考准备须知",
        date(2019, 10, 18),
    ),
    (
        "hrss_sz_list.html",
        "https://hrss.sz.gov.cn/gzryzk/index.html",
        ("hrss.sz.gov.cn",),
        20,
        0,
        "https://hrss.sz.gov.cn/gzryzk/index_2.html",
        20,
        "市人力资源保障局关于转发深圳市高级中学面向2025年应届毕业生赴外公开招聘教师拟聘人员公示（二）",
        date(2026, 9, 15),
    ),
    (
        "gdcourts_list.html",
        "https://www.gdcourts.gov.cn/gsxx/fayuangonggao/index.html",
        ("www.gdcourts.gov.cn",),
        20,
        0,
        "https://www.gdcourts.gov.cn/gsxx/fayuangonggao/index_2.html",
        2,
        "中国法学会审判理论研究会涉外审判理论专业委员会关于征集2026年专题研讨会论文的通知",
        date(2026, 8, 31),
    ),
]


@pytest.mark.parametrize(
    "name, url, hosts, count, off_site, next_url, page_count, first_title, first_date",
    REAL_LISTS,
    ids=[f"{r[0]}-{r[2][0]}" for r in REAL_LISTS],
)
def test_real_list_pages(
    name: str,
    url: str,
    hosts: tuple[str, ...],
    count: int,
    off_site: int,
    next_url: str,
    page_count: int,
    first_title: str,
    first_date: date,
) -> None:
    page = parse_list_page(real(name), url=url, profile=profile_for(url, *hosts))
    assert isinstance(page, ListPage)
    assert len(page.items) == count
    assert sum(item.off_site for item in page.items) == off_site
    assert page.next_url == next_url
    assert page.page_count == page_count
    assert page.items[0].title == first_title
    assert page.items[0].published == first_date
    urls = [item.url for item in page.items]
    assert len(set(urls)) == len(urls)
    for item in page.items:
        parts = urlsplit(item.url)
        assert parts.scheme in ("http", "https") and parts.hostname and not parts.fragment
        assert item.title and item.title == item.title.strip() and "\t" not in item.title
        assert isinstance(item.published, date)


def test_real_list_details() -> None:
    dg = parse_list_page(
        real("hrss_dg_list.html"),
        url="http://dghrss.dg.gov.cn/xwzx/gsgg/gkzp/index.html",
        profile=profile_for("http://dghrss.dg.gov.cn/"),
    )
    on_site = [i for i in dg.items if not i.off_site]
    assert [i.url for i in on_site] == [
        "http://dghrss.dg.gov.cn/xwzx/gsgg/gkzp/bzwryzp/content/post_4580548.html"
    ]
    urls = {i.url for i in dg.items}
    # The fragment "#21" is not part of the identity; the query is.
    assert "http://dgdp.dg.gov.cn/gkmlpt/content/4/4568/post_4568894.html" in urls
    assert any("productDetail?id=15606&n=" in u for u in urls)

    # Shenzhen truncates link text ("…赴外公开招聘教师..."): the title attribute is the title.
    sz = parse_list_page(
        real("hrss_sz_list.html"),
        url="https://hrss.sz.gov.cn/gzryzk/index.html",
        profile=profile_for("https://hrss.sz.gov.cn/"),
    )
    assert not any(i.title.endswith("...") for i in sz.items)

    # Guangzhou's href carries a trailing space and its title attribute tabs.
    gz = parse_list_page(
        real("hrss_gz_list.html"),
        url="https://rsj.gz.gov.cn/ywzt/rszdgg/sydwgkzp/index.html",
        profile=profile_for("https://rsj.gz.gov.cn/"),
    )
    assert any(u.url.endswith("selectedId=789") for u in gz.items)
    assert gz.items[-1].published == date(2026, 7, 10)


# --- pagers -----------------------------------------------------------------------------------

GDCOURTS_URL = "https://www.gdcourts.gov.cn/gsxx/fayuangonggao/index.html"
GDCOURTS_PAGER = re.compile(r'<div class="pages">.*?</div>', re.DOTALL)


def with_pager(pager_html: str) -> str:
    html, n = GDCOURTS_PAGER.subn(lambda _: pager_html, real("gdcourts_list.html"), count=1)
    assert n == 1
    return html


PAGERS = [
    # pager markup, page URL, next URL, page count
    pytest.param(
        '<div class="pages"><a class="first" href="index.html">第一页</a>'
        '<a class="normal" href="index.html">1</a><a class="current" href="index_2.html">2</a>'
        '<a class="last" href="index_2.html">最后一页</a></div>',
        "https://www.gdcourts.gov.cn/gsxx/fayuangonggao/index_2.html",
        None,
        2,
        id="static-last-page-no-next-link",
    ),
    pytest.param(
        '<div class="pages"><a class="current" href="index_2.html">2</a>'
        '<a class="next" href="index_2.html">下一页</a><a class="last" href="index_2.html">最后一页</a></div>',
        "https://www.gdcourts.gov.cn/gsxx/fayuangonggao/index_2.html",
        None,
        2,
        id="static-next-points-to-itself",
    ),
    pytest.param(
        '<div class="pages"><a href="index_3.html">下一页</a></div>',
        "https://www.gdcourts.gov.cn/gsxx/fayuangonggao/index_2.html",
        "https://www.gdcourts.gov.cn/gsxx/fayuangonggao/index_3.html",
        None,
        id="static-next-by-text-relative",
    ),
    pytest.param(
        '<div class="pages" id="page_div"></div>'
        "<script>createPageHTML('page_div',5, 1,'index','html',96);</script>",
        GDCOURTS_URL,
        "https://www.gdcourts.gov.cn/gsxx/fayuangonggao/index_2.html",
        5,
        id="js-createPageHTML-six-args-first",
    ),
    pytest.param(
        '<div class="pages" id="page_div"></div>'
        "<script>createPageHTML('page_div',5, 5,'index','html',96);</script>",
        "https://www.gdcourts.gov.cn/gsxx/fayuangonggao/index_5.html",
        None,
        5,
        id="js-createPageHTML-six-args-last",
    ),
    pytest.param(
        '<div class="pages"></div><script>createPageHTML(4, 0, "index", "shtml");</script>',
        GDCOURTS_URL,
        "https://www.gdcourts.gov.cn/gsxx/fayuangonggao/index_1.shtml",
        4,
        id="js-createPageHTML-trs-zero-based",
    ),
    pytest.param(
        '<div class="pages"></div><script>createPageHTML(4, 3, "index", "shtml");</script>',
        "https://www.gdcourts.gov.cn/gsxx/fayuangonggao/index_3.shtml",
        None,
        4,
        id="js-createPageHTML-trs-last",
    ),
    pytest.param(
        '<div class="pages">共 5 页 当前第 <span class="current">2</span> 页</div>',
        "https://www.gdcourts.gov.cn/gsxx/fayuangonggao/index_2.html",
        "https://www.gdcourts.gov.cn/gsxx/fayuangonggao/index_3.html",
        5,
        id="text-total-and-current-only",
    ),
    pytest.param(
        '<div class="pages">共 5 页</div>',
        "https://www.gdcourts.gov.cn/gsxx/fayuangonggao/",
        "https://www.gdcourts.gov.cn/gsxx/fayuangonggao/index_2.html",
        5,
        id="text-total-directory-url",
    ),
    pytest.param(
        "",
        GDCOURTS_URL,
        None,
        None,
        id="no-pager-at-all",
    ),
]


@pytest.mark.parametrize("pager, url, next_url, page_count", PAGERS)
def test_pagers(pager: str, url: str, next_url: str | None, page_count: int | None) -> None:
    page = parse_list_page(with_pager(pager), url=url, profile=profile_for(url))
    assert len(page.items) == 20
    assert page.next_url == next_url
    assert page.page_count == page_count


def test_js_pager_of_hrss_gd_without_static_links() -> None:
    """hrss.gd.gov.cn fills a <select> from `var page_t2 = "70"`: with the static links gone the
    next page is inferred from that total and the current page number."""
    html = re.sub(
        r'(<div class="pages"[^>]*>).*?(<div class="sel_page_wrap">)',
        r"\1\2",
        real("hrss_gd_list.html"),
        count=1,
        flags=re.DOTALL,
    )
    assert 'class="next"' not in html
    url = "https://hrss.gd.gov.cn/zwgk/sydwzp/zpgg/index_69.html"
    page = parse_list_page(html, url=url, profile=profile_for(url))
    assert page.next_url == "https://hrss.gd.gov.cn/zwgk/sydwzp/zpgg/index_70.html"
    assert page.page_count == 70
    last = parse_list_page(
        html, url="https://hrss.gd.gov.cn/zwgk/sydwzp/zpgg/index_70.html", profile=profile_for(url)
    )
    assert last.next_url is None


# --- constructed list pages -----------------------------------------------------------------

SIDEBAR = """
<div class="side"><h3>最新发布</h3><ul>
  <li><a href="/zwgk/other/content/post_900{n}.html" title="侧栏{n}">侧栏{n}</a><span class="time">2024-01-0{n}</span></li>
</ul></div>"""


def list_page(items: str, *, pager: str = "", extra: str = "") -> str:
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>新闻发布会</title></head><body>
    <div class="header"><ul class="nav"><li><a href="/"><span>首页</span></a></li>
    <li><a href="/zwgk/"><span>政务公开</span></a></li></ul></div>
    {extra}
    <div class="main"><div class="infolist"><ul>{items}</ul></div>{pager}</div>
    <div class="footer"><ul><li><a href="http://www.gov.cn/">中国政府网</a></li></ul></div>
    </body></html>"""


def test_list_canonicalises_and_deduplicates() -> None:
    items = """
      <li><a href="content/post_1001.html" title=" 第一条 ">第一条</a><span class="time">2024-12-12</span></li>
      <li><a href="/zwgk/jdhy/xwfbh/content/post_1001.html#top">第一条（重复）</a><span class="time">2024-12-12</span></li>
      <li><a href="content/mpost_1002.html">  第二条
          发布会 </a><span class="time">2024/12/10</span></li>
      <li><a href="https://WWW.DG.GOV.CN:443/zwgk/jdhy/xwfbh/content/post_1002.html">第二条（重复）</a><span class="time">2024-12-10</span></li>
      <li><a href="http://www.gd.gov.cn/gdywdt/content/post_1003.html">省里的稿件</a><span class="time">2024年12月9日</span></li>
      <li><a href="javascript:void(0)">不是链接</a><span class="time">2024-12-08</span></li>
      <li><a href="content/post_1004.html"></a><span class="time">2024-12-07</span></li>
      <li><a href="content/post_1005.html">没有日期的置顶稿件</a></li>
    """
    url = "https://www.dg.gov.cn/zwgk/jdhy/xwfbh/index.html"
    page = parse_list_page(list_page(items), url=url, profile=DG)
    assert [(i.url, i.title, i.published, i.off_site) for i in page.items] == [
        (
            "https://www.dg.gov.cn/zwgk/jdhy/xwfbh/content/post_1001.html",
            "第一条",
            date(2024, 12, 12),
            False,
        ),
        (
            "https://www.dg.gov.cn/zwgk/jdhy/xwfbh/content/post_1002.html",
            "第二条 发布会",
            date(2024, 12, 10),
            False,
        ),
        (
            "http://www.gd.gov.cn/gdywdt/content/post_1003.html",
            "省里的稿件",
            date(2024, 12, 9),
            True,
        ),
        (
            "https://www.dg.gov.cn/zwgk/jdhy/xwfbh/content/post_1005.html",
            "没有日期的置顶稿件",
            None,
            False,
        ),
    ]
    assert page.next_url is None


def test_list_prefers_the_list_next_to_the_pager_over_a_longer_sidebar() -> None:
    """The last page of a column may hold fewer items than a "latest" sidebar."""
    sidebar = "".join(
        f'<li><a href="/zwgk/other/content/post_900{n}.html">侧栏{n}</a><span class="time">2024-01-0{n}</span></li>'
        for n in range(1, 8)
    )
    extra = f'<div class="side"><ul>{sidebar}</ul></div>'
    items = '<li><a href="content/post_1.html">本栏目</a><span class="time">2024-12-12</span></li>'
    pager = (
        '<div class="pages"><a class="first" href="index.html">第一页</a>'
        '<a class="current" href="index_3.html">3</a><a class="last" href="index_3.html">最后一页</a></div>'
    )
    url = "https://www.dg.gov.cn/zwgk/jdhy/xwfbh/index_3.html"
    page = parse_list_page(list_page(items, pager=pager, extra=extra), url=url, profile=DG)
    assert [i.title for i in page.items] == ["本栏目"]
    assert page.next_url is None and page.page_count == 3


def test_list_generic_fallback_finds_table_rows() -> None:
    rows = "".join(
        f'<tr><td><a href="content/post_{n}.html">第{n}条</a></td><td>2024-12-{n:02d}</td></tr>'
        for n in range(1, 6)
    )
    html = f"<html><body><table><tbody>{rows}</tbody></table></body></html>"
    page = parse_list_page(html, url="https://www.dg.gov.cn/zwgk/x/index.html", profile=DG)
    assert [i.title for i in page.items] == [f"第{n}条" for n in range(1, 6)]
    assert page.items[2].published == date(2024, 12, 3)


def test_list_selector_override_reads_div_items() -> None:
    items = "".join(
        f'<div class="item"><a href="content/post_{n}.html">第{n}条</a><em>2024-11-{n:02d}</em></div>'
        for n in range(1, 4)
    )
    html = f'<html><body><div class="news">{items}</div></body></html>'
    url = "https://www.dg.gov.cn/zwgk/x/index.html"
    with pytest.raises(LayoutNotRecognised):
        parse_list_page(html, url=url, profile=DG)
    custom = profile_for(url, selectors=Selectors(list_item="div.news > div.item"))
    page = parse_list_page(html, url=url, profile=custom)
    assert [i.published for i in page.items] == [date(2024, 11, n) for n in range(1, 4)]


def test_invalid_profile_selector_is_a_settings_error() -> None:
    bad = profile_for(DG_URL, selectors=Selectors(list_item="ul li:has(("))
    with pytest.raises(SettingsError, match="Invalid CSS selector"):
        parse_list_page(list_page(""), url=DG_URL, profile=bad)


@pytest.mark.parametrize(
    "html",
    [
        "",
        "<html><body><p>页面已删除</p></body></html>",
        list_page(""),  # a list container with nothing in it
        "<html><body><ul><li><a href='/a'>无日期</a></li><li><a href='/b'>无日期</a></li></ul></body></html>",
    ],
    ids=["empty", "no-list", "empty-list", "links-without-dates"],
)
def test_list_page_without_list_raises_layout_not_recognised(html: str) -> None:
    url = "https://www.dg.gov.cn/zwgk/jdhy/xwfbh/index.html"
    with pytest.raises(LayoutNotRecognised, match=re.escape(url)) as caught:
        parse_list_page(html, url=url, profile=DG)
    assert caught.value.url == url
    assert "looked for" in str(caught.value)


def test_article_page_is_not_a_list_page() -> None:
    with pytest.raises(LayoutNotRecognised):
        parse_list_page(
            real("drc_gd_article_post_4960402.html"), url=DRC_URL, profile=profile_for(DRC_URL)
        )


# =============================================================================================
# The real article page
# =============================================================================================


def test_real_article_drc() -> None:
    release = parse_article(
        real("drc_gd_article_post_4960402.html"), url=DRC_URL, profile=profile_for(DRC_URL)
    )
    assert isinstance(release, Release)
    assert release.url == DRC_URL
    assert release.post_id == "post_4960402"
    assert release.title == "关于印发《广东省重点行业节能降碳改造攻坚三年行动方案》的通知"
    assert release.published == datetime(2026, 9, 24, 17, 25, 4, tzinfo=SHANGHAI)
    assert release.published.utcoffset().total_seconds() == 8 * 3600
    assert release.source == "省能源局节能处"
    assert release.column == "业务通知"
    assert release.site_name == "广东省发展和改革委员会"
    assert release.keywords == ("业务通知",)
    assert release.method is ParseMethod.META
    lines = release.text.split("\n")
    assert lines[0] == "广东省发展改革委 广东省能源局 广东省工业和信息化厅 广东省"
    assert "粤发改能源〔2026〕290号" in lines
    assert lines[-1] == "附件：重点行业企业节能降碳改造计划项目储备清单"
    assert all(line == line.strip() and line for line in lines)
    for chrome in ("字体", "相关附件", "相关导读", "分享到", "打印文档", "关闭窗口", "console.log"):
        assert chrome not in release.text
    assert [(a.url, a.name) for a in release.attachments] == [
        (
            "https://drc.gd.gov.cn/attachment/0/626/626328/4960402.xls",
            "附件：重点行业企业节能降碳改造计划项目储备清单.xls",
        )
    ]
    assert release.images == ()
    assert release.html.startswith("<p><strong>广东省发展改革委")
    for banned in ("<script", "style=", "class=", "<div", "<span", "javascript:", "indenttext"):
        assert banned not in release.html


def test_real_article_mobile_url_is_canonicalised() -> None:
    mobile = "https://drc.gd.gov.cn/ywtz/content/mpost_4960402.html#content"
    release = parse_article(
        real("drc_gd_article_post_4960402.html"), url=mobile, profile=profile_for(DRC_URL)
    )
    assert release.url == DRC_URL and release.post_id == "post_4960402"


def test_real_article_without_meta_tags_reads_the_visible_page() -> None:
    """Strip the government meta tags: title from <h4 class="wdtit"> (repeated by <title>),
    source and time from "信息来源：… 时间：…", column from the breadcrumb."""
    html = re.sub(
        r'<meta name="(?!viewport)[^"]*" content="[^"]*"\s*/?>',
        "",
        real("drc_gd_article_post_4960402.html"),
    )
    assert "ArticleTitle" not in html and "PubDate" not in html
    release = parse_article(html, url=DRC_URL, profile=profile_for(DRC_URL))
    assert release.method is ParseMethod.VISIBLE
    assert release.title == "关于印发《广东省重点行业节能降碳改造攻坚三年行动方案》的通知"
    assert release.published == datetime(2026, 9, 24, 17, 25, 4, tzinfo=SHANGHAI)
    assert release.source == "省能源局节能处"
    assert release.column == "业务通知"
    assert release.keywords == ()
    assert len(release.attachments) == 1


# =============================================================================================
# Pages built from the visible text of a real Dongguan release (no meta tags)
# =============================================================================================


def seed_parts() -> tuple[str, str, str, list[str]]:
    """(breadcrumb, title, info line, body lines) of the real release's visible text."""
    # Whitespace normalised as the parser does (the copy holds a no-break space: "英才引领\xa0新质启航").
    lines = [" ".join(line.split()) for line in SEED.read_text(encoding="utf-8").splitlines()]
    crumb_at = next(i for i, line in enumerate(lines) if line.startswith("当前位置"))
    font_at = next(i for i, line in enumerate(lines) if line.startswith("【字体"))
    end_at = next(i for i, line in enumerate(lines) if line in ("附件:", "附件："))
    body = [line for line in lines[font_at + 1 : end_at] if line]
    return lines[crumb_at], lines[crumb_at + 1], lines[crumb_at + 2], body


CRUMB, SEED_TITLE, SEED_INFO, SEED_BODY = seed_parts()
SEED_TEXT_LINES = [line for line in SEED_BODY if not line.endswith(".jpg")]
PHOTO = "/attachment/0/555/555001/4321000.jpg"
PDF = "/attachment/0/555/555002/4321000.pdf"


def seed_paragraphs() -> str:
    out = []
    for line in SEED_BODY:
        if line.endswith(".jpg"):  # the photo, shown by its alt text in the visible-text copy
            out.append(
                f'<p style="text-align:center"><img src="{PHOTO}" alt="{line}" width="600"></p>'
            )
        else:
            out.append(f'<p style="text-indent:2em">{line}</p>')
    return "\n".join(out)


def crumb_html() -> str:
    names = [s.strip() for s in CRUMB.split(":", 1)[1].split(">")]
    paths = ["/", "/zwgk/", "/zwgk/jdhy/", "/zwgk/jdhy/xwfbh/"]
    links = " &gt; ".join(f'<a href="{p}">{n}</a>' for n, p in zip(names, paths, strict=True))
    return f"当前位置: {links}"


HEADER = """<div class="header"><div class="header-logo"><a href="/"><img src="/static/logo.png" alt="头部"></a></div>
<ul class="mainnav"><li><a href="/"><span>首页</span></a></li><li><a href="/zwgk/"><span>政务公开</span></a></li>
<li><a href="/zwfw/"><span>政务服务</span></a></li></ul><div class="date">2025年1月2日 星期四</div></div>"""
FOOTER = """<div class="footer"><p>主办单位：东莞市人民政府办公室 承办：东莞市政务服务和数据管理局 网站标识码：4419000098</p>
<p>备案号：粤ICP备19114884号 粤公网安备 44190002000375 技术支持：开普云 网站地图 联系我们</p></div>"""


def seed_page(layout: str) -> str:
    """The seed release in one of several layouts, all without meta tags."""
    head = f'<head><meta charset="utf-8"><title>{SEED_TITLE}-中国东莞政府门户网站</title></head>'
    if layout == "portal":  # the portal's class names, as the profile's selectors expect
        main = f"""<div class="crumb"><h2>{crumb_html()}</h2></div>
        <div class="article"><div class="article-title"><h1>{SEED_TITLE}</h1></div>
        <div class="article-info">{SEED_INFO}
          <div class="article-font">【字体：<a href="javascript:doZoom(20)">大</a> <a href="javascript:doZoom(16)">中</a> <a href="javascript:doZoom(14)">小</a>】</div></div>
        <div class="article-content" id="content1">{seed_paragraphs()}</div>
        <div class="article-attachment"><p>附件：</p><ul><li><a class="pdf" href="{PDF}">活动安排表.pdf</a></li></ul></div>
        <div class="share">分享到：<a href="javascript:void(0)">微信</a> <a href="javascript:void(0)">微博</a></div>
        <div class="print"><a href="javascript:window.print()">【打印本页】</a> <a href="javascript:window.close()">【关闭窗口】</a></div>
        <div class="related-news"><h3>相关新闻</h3><ul><li><a href="/zwgk/jdhy/xwfbh/content/post_4320999.html">上一场发布会</a><span class="time">2024-12-05</span></li></ul></div>
        </div>"""
    elif layout == "unknown-classes":  # nothing the profile's selectors know: generic fallback
        main = f"""<div class="wz">{crumb_html()}</div>
        <div class="zw_box"><div class="bt">{SEED_TITLE}</div>
        <div class="xx"><span>{SEED_INFO.split()[0]}</span> <span>{SEED_INFO.split()[1]} {SEED_INFO.split()[2]}</span> <span>来源: 本网</span></div>
        <div class="nr_box">{seed_paragraphs()}
          <p>附件：<a href="{PDF}">活动安排表.pdf</a></p></div></div>"""
    elif layout == "bare":  # no title element, no info line: only <title> and paragraphs
        main = f"<div>{seed_paragraphs()}</div>"
    else:
        raise ValueError(layout)
    return f"<!DOCTYPE html><html>{head}<body>{HEADER}{main}{FOOTER}</body></html>"


@pytest.mark.parametrize(
    "layout, method, published, column, attachments",
    [
        (
            "portal",
            ParseMethod.VISIBLE,
            datetime(2024, 12, 12, 17, 14, 51, tzinfo=SHANGHAI),
            "新闻发布会",
            1,
        ),
        (
            "unknown-classes",
            ParseMethod.FALLBACK,
            datetime(2024, 12, 12, 17, 14, 51, tzinfo=SHANGHAI),
            "新闻发布会",
            1,
        ),
        ("bare", ParseMethod.FALLBACK, datetime(2024, 12, 12, tzinfo=SHANGHAI), None, 0),
    ],
)
def test_seed_release_in_several_layouts(
    layout: str, method: ParseMethod, published: datetime, column: str | None, attachments: int
) -> None:
    release = parse_article(
        seed_page(layout), url=DG_URL, profile=DG, listed_date=date(2024, 12, 12)
    )
    assert release.method is method
    assert release.title == SEED_TITLE == "2024东莞高层次人才活动周新闻发布会"
    assert release.published == published
    assert release.column == column
    assert release.post_id == "post_4321000"
    lines = release.text.split("\n")
    assert lines[: len(SEED_TEXT_LINES)] == SEED_TEXT_LINES
    assert lines[0].startswith("12月12日上午,2024东莞高层次人才活动周新闻发布会召开。")
    assert "【现场记者问答】" in lines
    assert [(i.url, i.alt) for i in release.images] == [
        ("https://www.dg.gov.cn" + PHOTO, "合照 (1).jpg")
    ]
    assert len(release.attachments) == attachments
    for chrome in ("字体", "分享到", "打印本页", "关闭窗口", "主办单位", "当前位置"):
        assert chrome not in release.text
    assert f'src="https://www.dg.gov.cn{PHOTO}"' in release.html
    assert release.html.count("<p>") >= len(SEED_TEXT_LINES)


def test_seed_portal_layout_reads_the_info_line() -> None:
    release = parse_article(seed_page("portal"), url=DG_URL, profile=DG)
    assert release.source == "本网"
    assert release.site_name == "中国东莞政府门户网站"
    assert release.attachments[0].url == "https://www.dg.gov.cn" + PDF
    assert release.attachments[0].name == "活动安排表.pdf"
    assert release.text.split("\n")[-1] == SEED_TEXT_LINES[-1]  # "附件：" and related news left out
    assert release.description is None and release.keywords == ()


def test_page_without_a_date_takes_the_listed_date_and_title() -> None:
    html = f"<html><body><div class='article-content'>{seed_paragraphs()}</div></body></html>"
    release = parse_article(
        html, url=DG_URL, profile=DG, listed_title=SEED_TITLE, listed_date=date(2024, 12, 12)
    )
    assert release.title == SEED_TITLE
    assert release.method is ParseMethod.FALLBACK
    assert release.published == datetime(2024, 12, 12, tzinfo=SHANGHAI)
    with pytest.raises(NotARelease, match="No publication time"):
        parse_article(html, url=DG_URL, profile=DG, listed_title=SEED_TITLE)


def test_date_only_pubdate_takes_the_clock_time_of_the_visible_line() -> None:
    html = seed_page("portal").replace(
        "<title>", '<meta name="PubDate" content="2024-12-12"><title>', 1
    )
    release = parse_article(html, url=DG_URL, profile=DG)
    assert release.published == datetime(2024, 12, 12, 17, 14, 51, tzinfo=SHANGHAI)


def test_gbk_encoded_page_parses_to_chinese() -> None:
    page = seed_page("portal").replace('<meta charset="utf-8">', '<meta charset="gbk">')
    decoded = page.encode("gbk").decode("gb18030")
    release = parse_article(decoded, url=DG_URL, profile=DG)
    assert release.title == "2024东莞高层次人才活动周新闻发布会"
    assert release.source == "本网"
    assert "\ufffd" not in release.text and "人才" in release.text


@pytest.mark.parametrize(
    "html, reason",
    [
        ("", "No title"),
        ("<html><head><title></title></head><body><p>   </p></body></html>", "No title"),
        (
            f"<html><head><title>{SEED_TITLE}</title></head><body>{HEADER}{FOOTER}</body></html>",
            "No body",
        ),
        (
            f"<html><body><h1>{SEED_TITLE}</h1><div class='article-content'>  </div>"
            "<ul class='nav'><li><a href='/'>首页</a></li></ul></body></html>",
            "No body",
        ),
    ],
    ids=["empty", "blank", "chrome-only", "empty-body-box"],
)
def test_not_a_release(html: str, reason: str) -> None:
    with pytest.raises(NotARelease, match=reason) as caught:
        parse_article(html, url=DG_URL, profile=DG, listed_date=date(2024, 12, 12))
    assert caught.value.url == DG_URL
    assert DG_URL in str(caught.value)


def test_image_only_release_is_a_release() -> None:
    html = (
        "<html><head><meta name='ArticleTitle' content='海报'><meta name='PubDate' content='2024-12-12 09:00'>"
        "</head><body><div class='article-content'><p><img src='/attachment/1.png' alt='活动海报'></p></div></body></html>"
    )
    release = parse_article(html, url=DG_URL, profile=DG)
    assert release.text == "" and [i.alt for i in release.images] == ["活动海报"]


# =============================================================================================
# Hostile and broken HTML
# =============================================================================================

HOSTILE = """<html><head>
<meta name="ArticleTitle" content="&lt;script&gt;alert(1)&lt;/script&gt;关于&lt;b&gt;举办&lt;/b&gt;发布会的通知">
<meta name="PubDate" content="2024-12-12 10:00:00">
<meta name="ContentSource" content="&lt;img src=x onerror=alert(2)&gt;本网">
</head><body>
<div class="article-content" onclick="steal()">
  <script>document.write('<p>injected</p>');alert(3)</script>
  <style>p { display:block }</style>
  <p style="color:red" onmouseover="alert(4)">正文第一段<img src="x.png" onerror="alert(5)" width="300"></p>
  <p><a href="javascript:alert(6)">坏链接</a> <a href=" JaVaScRiPt:alert(7)">坏链接二</a>
     <a href="data:text/html;base64,PHNjcmlwdD5hbGVydCg4KTwvc2NyaXB0Pg==">数据链接</a>
     <a href="../files/ok.html" target="_blank">好链接</a></p>
  <p><img src="data:image/png;base64,iVBORw0KGgo=" alt="内嵌"><img src="/stat/1x1.gif" width="1" height="1">
     <img src="/images/icon_pdf.gif" alt="pdf"></p>
  <iframe src="https://evil.example/"></iframe>
  <svg onload="alert(9)"><circle r="1"/></svg>
  <form action="https://evil.example/"><input name="q" value="x"><button>提交</button></form>
  <p>第二段<noscript><img src="https://evil.example/t.gif"></noscript></p>
  <object data="evil.swf"></object>
</div></body></html>"""


def test_hostile_html_comes_out_inert() -> None:
    release = parse_article(HOSTILE, url=DG_URL, profile=DG)
    assert release.title == "关于举办发布会的通知"
    assert release.source == "本网"
    for banned in (
        "<script", "alert(", "onerror", "onclick", "onmouseover", "onload", "javascript:",
        "data:", "<iframe", "<style", "style=", "<svg", "<form", "<input", "<object", "evil",
        "injected",
    ):  # fmt: skip
        assert banned not in release.html.lower(), banned
        assert banned not in release.text.lower(), banned
    assert release.text.split("\n") == ["正文第一段", "坏链接 坏链接二 数据链接 好链接", "第二段"]
    assert [i.url for i in release.images] == [
        "https://www.dg.gov.cn/zwgk/jdhy/xwfbh/content/x.png"
    ]
    assert '<a href="https://www.dg.gov.cn/zwgk/jdhy/xwfbh/files/ok.html"' in release.html


SANITISE_CASES = [
    ("<p onclick='x()'>段落</p>", "<p>段落</p>"),
    ("<div><span style='x'>文字</span></div>", "文字"),
    ("<script>alert(1)</script><p>留下</p>", "<p>留下</p>"),
    (
        '<a href="/a.html">链接</a>',
        '<a href="https://www.dg.gov.cn/a.html" rel="noopener noreferrer">链接</a>',
    ),
    (
        '<a href="//cdn.dg.gov.cn/a.pdf">链接</a>',
        '<a href="https://cdn.dg.gov.cn/a.pdf" rel="noopener noreferrer">链接</a>',
    ),
    ('<a href="javascript:alert(1)">链接</a>', '<a rel="noopener noreferrer">链接</a>'),
    ('<img src="data:image/gif;base64,R0lGOD">', ""),
    (
        '<img src="p.jpg" alt="图" onerror="x">',
        '<img src="https://www.dg.gov.cn/zwgk/p.jpg" alt="图">',
    ),
    ("<p></p><p>&nbsp;</p><p><br></p><p>正文</p>", "<p>正文</p>"),
    (
        "<table><tr><td colspan='2' style='x'>格</td></tr></table>",
        '<table><tbody><tr><td colspan="2">格</td></tr></tbody></table>',
    ),
    ("<h1>大标题</h1><h2>小标题</h2>", "大标题<h2>小标题</h2>"),
    ("<p>未闭合<b>粗体", "<p>未闭合<b>粗体</b></p>"),
]


@pytest.mark.parametrize("fragment, expected", SANITISE_CASES)
def test_sanitise_html(fragment: str, expected: str) -> None:
    assert sanitise_html(fragment, base_url="https://www.dg.gov.cn/zwgk/index.html") == expected


def test_sanitise_html_with_a_relative_base_drops_relative_urls() -> None:
    out = sanitise_html('<a href="/a">x</a><a href="https://b.cn/">y</a>', base_url="not a url")
    assert (
        out
        == '<a rel="noopener noreferrer">x</a><a href="https://b.cn/" rel="noopener noreferrer">y</a>'
    )


def truncations(text: str) -> list[str]:
    return [text[: int(len(text) * f)] for f in (0.02, 0.1, 0.25, 0.4, 0.5, 0.6, 0.75, 0.9, 0.99)]


@pytest.mark.parametrize("html", truncations(real("drc_gd_article_post_4960402.html")))
def test_truncated_article_parses_or_raises_parse_error(html: str) -> None:
    try:
        release = parse_article(html, url=DRC_URL, profile=profile_for(DRC_URL))
    except ParseError as exc:
        assert exc.url == DRC_URL
    else:
        assert release.title and (release.text or release.images)


@pytest.mark.parametrize("html", truncations(real("hrss_dg_list.html")))
def test_truncated_list_parses_or_raises_layout_not_recognised(html: str) -> None:
    url = "http://dghrss.dg.gov.cn/xwzx/gsgg/gkzp/index.html"
    try:
        page = parse_list_page(html, url=url, profile=profile_for(url))
    except LayoutNotRecognised as exc:
        assert exc.url == url
    else:
        assert 0 < len(page.items) <= 20


HTML_TOKENS = st.sampled_from(
    [
        "<html>",
        "<head>",
        "<body>",
        "</body>",
        "<div class='article-content'>",
        "</div>",
        "<p>",
        "</p>",
        "<ul>",
        "<li>",
        "</li>",
        "<a href='content/post_1.html'>",
        "<a href='javascript:x'>",
        "</a>",
        "<span class='time'>",
        "2024-12-12",
        "2024年12月12日 17:14",
        "</span>",
        "<script>",
        "</script>",
        "<!--",
        "-->",
        "<h1>",
        "</h1>",
        "来源：本网",
        "标题",
        "正文内容",
        "<br>",
        "&nbsp;",
        "<meta name='ArticleTitle' content='",
        "'>",
        "<meta name='PubDate' content='2024-13-45'>",
        "<table><tr><td>",
        "<img src='data:x'>",
        "<![CDATA[",
        "]]>",
        "<?xml?>",
        "\x00",
        "\ud800",
        "<title>",
        "</title>",
        "<div class='pages'><a class='next' href='index_2.html'>下一页</a>",
        "createPageHTML('page_div',3,1,'index','html',30)",
        "<base href='javascript:x'>",
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(HTML_TOKENS | st.text(max_size=12), max_size=60).map("".join))
def test_fuzzed_html_raises_only_parse_errors(html: str) -> None:
    try:
        release = parse_article(html, url=DG_URL, profile=DG, listed_date=date(2024, 1, 1))
    except ParseError:
        pass
    else:
        assert release.title and (release.text or release.images)
        assert "<script" not in release.html and "javascript:" not in release.html
    try:
        page = parse_list_page(html, url="https://www.dg.gov.cn/zwgk/index.html", profile=DG)
    except ParseError:
        pass
    else:
        assert page.items


def test_bytes_instead_of_text_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="decoded HTML"):
        parse_article(b"<html></html>", url=DG_URL, profile=DG)  # type: ignore[arg-type]


# =============================================================================================
# Helpers
# =============================================================================================


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2024-12-12", datetime(2024, 12, 12, tzinfo=SHANGHAI)),
        ("2024-12-12 17:14", datetime(2024, 12, 12, 17, 14, tzinfo=SHANGHAI)),
        ("2024-12-12 17:14:51", datetime(2024, 12, 12, 17, 14, 51, tzinfo=SHANGHAI)),
        ("2024/12/12 09:05:00", datetime(2024, 12, 12, 9, 5, tzinfo=SHANGHAI)),
        ("2024.1.5", datetime(2024, 1, 5, tzinfo=SHANGHAI)),
        ("2024年12月12日", datetime(2024, 12, 12, tzinfo=SHANGHAI)),
        ("2024年12月12日 17:14", datetime(2024, 12, 12, 17, 14, tzinfo=SHANGHAI)),
        ("发布时间：2024年12月2日17时14分", datetime(2024, 12, 2, 17, 14, tzinfo=SHANGHAI)),
        (
            "中国东莞政府门户网站      2024-12-12 17:14:51  来源: 本网",
            datetime(2024, 12, 12, 17, 14, 51, tzinfo=SHANGHAI),
        ),
        ("2024-12-12T09:14:51Z", datetime(2024, 12, 12, 17, 14, 51, tzinfo=SHANGHAI)),
        ("2024-12-12T17:14:51+08:00", datetime(2024, 12, 12, 17, 14, 51, tzinfo=SHANGHAI)),
        ("2024-13-45 见 2024-02-03", datetime(2024, 2, 3, tzinfo=SHANGHAI)),  # first *valid* date
        ("2024-12-12 25:61", datetime(2024, 12, 12, tzinfo=SHANGHAI)),  # no such time: the day
        ("post_4960402", None),
        ("12月20日晚7点30分", None),  # no year: not a publication time
        ("", None),
    ],
)
def test_parse_published(text: str, expected: datetime | None) -> None:
    value = parse_published(text)
    assert value == expected
    if value is not None:
        assert value.tzinfo is not None and value.utcoffset().total_seconds() == 8 * 3600


@pytest.mark.parametrize(
    "text, expected",
    [
        ("[\n  2019-10-18 ]", date(2019, 10, 18)),
        ("2026-09-14", date(2026, 9, 14)),
        ("2024年2月29日", date(2024, 2, 29)),
        ("2023年2月29日", None),
        ("第2024期", None),
    ],
)
def test_parse_date(text: str, expected: date | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "url, base, expected",
    [
        ("https://drc.gd.gov.cn/ywtz/content/mpost_4960402.html", None, DRC_URL),
        (
            "content/post_1.html#top",
            "https://www.dg.gov.cn/zwgk/jdhy/xwfbh/index.html",
            "https://www.dg.gov.cn/zwgk/jdhy/xwfbh/content/post_1.html",
        ),
        ("HTTPS://WWW.DG.GOV.CN:443/a/?x=1&y=2#f", None, "https://www.dg.gov.cn/a/?x=1&y=2"),
        ("http://www.dg.gov.cn:8080/a", None, "http://www.dg.gov.cn:8080/a"),
        ("http://127.0.0.1:8765", None, "http://127.0.0.1:8765/"),
        ("  http://www.dg.gov.cn/a.html\u200b ", None, "http://www.dg.gov.cn/a.html"),
        ("//www.dg.gov.cn/a.html", "https://x.cn/", "https://www.dg.gov.cn/a.html"),
    ],
)
def test_canonical_url(url: str, base: str | None, expected: str) -> None:
    assert canonical_url(url, base=base) == expected
    assert canonical_url(expected) == expected  # idempotent


@pytest.mark.parametrize(
    "url, expected",
    [
        (DRC_URL, "post_4960402"),
        ("https://drc.gd.gov.cn/ywtz/content/mpost_4960402.html", "post_4960402"),
        ("http://dgdp.dg.gov.cn/gkmlpt/content/4/4568/post_4568894.html#21", "post_4568894"),
        ("https://www.dg.gov.cn/zwgk/jdhy/xwfbh/index_2.html", None),
        ("https://rsc.dgpt.edu.cn/info/1007/1569.htm", None),
    ],
)
def test_post_id(url: str, expected: str | None) -> None:
    assert post_id(url) == expected


# =============================================================================================
# The sample site (assets/sample_site)
# =============================================================================================


def sample_profile() -> SiteProfile:
    return load_profile("dongguan").with_base_url(SAMPLE_BASE)


def sample_file(url: str) -> Path | None:
    path = urlsplit(url).path
    if path.endswith("/"):
        path += "index.html"
    candidate = SAMPLE_SITE_DIR / path.lstrip("/")
    return candidate if candidate.is_file() else None


def sample_charsets() -> dict[str, str]:
    """Per-file charsets declared in the sample site's _headers.toml, if any."""
    rules_file = SAMPLE_SITE_DIR / "_headers.toml"
    if not rules_file.exists():
        return {}
    found = {}
    for path, headers in tomllib.loads(rules_file.read_text(encoding="utf-8")).items():
        content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
        match = re.search(r"charset=([\w-]+)", str(content_type), re.IGNORECASE)
        if match:
            found[path.lstrip("/")] = match.group(1).lower()
    return found


def decode_sample(path: Path) -> tuple[str, bool]:
    """(text, was_gbk): UTF-8 unless the bytes are not UTF-8, then GB18030 (a superset of GBK)."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8"), False
    except UnicodeDecodeError:
        return data.decode("gb18030"), True


def walk_sample_lists() -> list[ListPage]:
    profile = sample_profile()
    url: str | None = SAMPLE_BASE + "zwgk/jdhy/xwfbh/index.html"
    pages: list[ListPage] = []
    while url and len(pages) < 50:
        path = sample_file(url)
        assert path is not None, f"next page {url} has no file in the sample site"
        page = parse_list_page(decode_sample(path)[0], url=url, profile=profile)
        pages.append(page)
        url = page.next_url
    return pages


@needs_sample
def test_sample_list_pages() -> None:
    pages = walk_sample_lists()
    assert len(pages) >= 3
    assert pages[-1].next_url is None
    assert all(p.page_count == len(pages) for p in pages if p.page_count is not None)
    items = [item for page in pages for item in page.items]
    on_site = [i for i in items if not i.off_site]
    assert len(on_site) >= 40
    assert any(i.off_site for i in items), "the real lists link off-site; so should the sample"
    assert len({i.url for i in items}) == len(items)
    assert all(i.title and i.published for i in items)
    assert all(post_id(i.url) for i in on_site)


@functools.cache
def sample_releases() -> list[tuple[Path, str, bool, Release]]:
    profile = sample_profile()
    out = []
    for page in walk_sample_lists():
        for item in page.items:
            path = sample_file(item.url) if not item.off_site else None
            if path is None:
                continue
            text, was_gbk = decode_sample(path)
            release = parse_article(
                text,
                url=item.url,
                profile=profile,
                listed_title=item.title,
                listed_date=item.published,
            )
            out.append((path, text, was_gbk, release))
    return out


@needs_sample
def test_sample_articles() -> None:
    releases = sample_releases()
    assert len(releases) >= 40
    for path, text, _, release in releases:
        assert release.title, path
        assert release.text, path
        assert release.published.tzinfo is not None
        assert release.post_id and release.post_id in path.name
        assert release.column == "新闻发布会" or release.column, path
        assert "字体" not in release.text and "分享到" not in release.text, path
        assert "<script" not in release.html and "javascript:" not in release.html
        expected_method = ParseMethod.META if "ArticleTitle" in text else ParseMethod.VISIBLE
        assert release.method is expected_method, path
    assert any(r.images for *_, r in releases), "no release with images in the sample site"
    assert any(a.url.lower().endswith(".pdf") for *_, r in releases for a in r.attachments), (
        "no release with a PDF attachment"
    )


@needs_sample
def test_sample_gbk_page_parses_to_chinese() -> None:
    declared = {
        p
        for p, charset in sample_charsets().items()
        if charset.replace("-", "") in ("gbk", "gb2312", "gb18030")
    }
    gbk = [(path, release) for path, _, was_gbk, release in sample_releases() if was_gbk]
    assert gbk, f"no GBK article in the sample site (declared: {sorted(declared)})"
    for path, release in gbk:
        # Read the bytes and decode them as the fetcher would for a GBK page.
        text = path.read_bytes().decode("gb18030")
        again = parse_article(text, url=release.url, profile=sample_profile())
        assert again == release
        assert re.search(r"[\u4e00-\u9fff]{4}", release.title)
        assert re.search(r"[\u4e00-\u9fff]{20}", release.text)
        assert "\ufffd" not in release.text


@needs_sample
def test_sample_page_without_meta_tags_parses_visibly() -> None:
    no_meta = [(p, r) for p, text, _, r in sample_releases() if "ArticleTitle" not in text]
    assert no_meta, "no article without meta tags in the sample site"
    for path, release in no_meta:
        assert release.method is ParseMethod.VISIBLE, path
        assert release.title and release.text
        assert release.source
        assert release.column


def test_undated_list_above_the_pager_is_read() -> None:
    """Some columns show no dates: article links right above the pager still make the list."""
    items = "".join(f'<li><a href="content/post_{n}.html">第{n}条</a></li>' for n in range(1, 5))
    pager = '<div class="pages"><a class="current" href="index.html">1</a><a class="next" href="index_2.html">下一页</a></div>'
    footer_links = "".join(
        f'<li><a href="/zsdw/content/post_9{n}.html">直属单位{n}</a></li>' for n in range(1, 9)
    )
    html = list_page(items, pager=pager, extra=f'<div class="links"><ul>{footer_links}</ul></div>')
    url = "https://www.dg.gov.cn/zwgk/jdhy/xwfbh/index.html"
    page = parse_list_page(html, url=url, profile=DG)
    assert [i.title for i in page.items] == ["第1条", "第2条", "第3条", "第4条"]
    assert all(i.published is None for i in page.items)
    assert page.next_url == "https://www.dg.gov.cn/zwgk/jdhy/xwfbh/index_2.html"


def load_sitegen():  # type: ignore[no-untyped-def]
    """The sample site's generator (assets/sample_site_src/sitegen.py): the ground truth of what
    each page says."""
    import importlib.util

    path = SAMPLE_SITE_DIR.parent / "sample_site_src" / "sitegen.py"
    spec = importlib.util.spec_from_file_location("sample_sitegen", path)
    assert spec and spec.loader, path
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("sample_sitegen", module)
    spec.loader.exec_module(module)
    return module


def normalised_lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.split("\n") if line.strip()]


@needs_sample
def test_sample_articles_match_what_the_generator_wrote() -> None:
    sitegen = load_sitegen()
    profile = sample_profile()
    specs = sitegen.load_releases()
    assert len(specs) >= 40
    for spec in specs:
        relative = sitegen.article_path(sitegen.COLUMNS[spec.column], spec.post_id)
        path = SAMPLE_SITE_DIR / relative
        text, _ = decode_sample(path)
        release = parse_article(text, url=SAMPLE_BASE + relative, profile=profile)
        where = f"{relative} ({spec.variant}, {spec.style})"
        # The hostile page (raw blocks: a title with HTML, <img> and links written verbatim) is
        # checked field by field in tests/test_security.py; its text must still match.
        hostile = bool(spec.raw)
        assert hostile or release.title == spec.title, where
        assert release.published == spec.published.replace(tzinfo=SHANGHAI), where
        assert release.source == spec.source, where
        assert release.post_id == f"post_{spec.post_id}", where
        assert normalised_lines(release.text) == normalised_lines(sitegen.body_text(spec)), where
        assert hostile or [i.alt for i in release.images] == [i.alt for i in spec.images], where
        assert hostile or sorted(a.name for a in release.attachments) == sorted(
            a.title for a in spec.attachments
        ), where
        assert all(i.url.startswith(SAMPLE_BASE) for i in release.images), where


def test_broad_body_box_loses_the_title_info_line_and_tools() -> None:
    """Without div#content1 the body falls back to drc's whole article box (div.content): the
    title heading, "信息来源：… 时间：…" and the share/print tools inside it are not body text."""
    html = real("drc_gd_article_post_4960402.html").replace('id="content1"', 'id="c1"')
    release = parse_article(html, url=DRC_URL, profile=profile_for(DRC_URL))
    assert release.text.startswith("广东省发展改革委 广东省能源局")
    assert release.text.endswith("附件：重点行业企业节能降碳改造计划项目储备清单")
    for chrome in ("信息来源", "时间：", "字体", "打印文档", "关闭窗口", "相关导读", "分享到"):
        assert chrome not in release.text
    assert release.published == datetime(2026, 9, 24, 17, 25, 4, tzinfo=SHANGHAI)
    assert len(release.attachments) == 1


def test_print_area_wrapper_is_content_not_chrome() -> None:
    html = (
        "<html><head><meta name='ArticleTitle' content='标题'><meta name='PubDate' content='2024-12-12'></head>"
        "<body><div class='article-content'><div class='print-area'><p>正文仍在。</p></div>"
        "<div class='bdsharebuttonbox'>微信 微博</div></div></body></html>"
    )
    assert parse_article(html, url=DG_URL, profile=DG).text == "正文仍在。"


@pytest.mark.parametrize(
    "page_title, expected",
    [
        (
            "2024东莞高层次人才活动周新闻发布会-中国东莞政府门户网站",
            "2024东莞高层次人才活动周新闻发布会",
        ),
        ("2024东莞高层次人才活动周新闻发布会_测试站点", "2024东莞高层次人才活动周新闻发布会"),
        ("广东省发展和改革委员会 - 关于印发行动方案的通知", "关于印发行动方案的通知"),
        ("2024-2025年度人才工作安排_东莞市人民政府", "2024-2025年度人才工作安排"),
        ("2024-2025年度人才工作安排", "2024-2025年度人才工作安排"),
        (
            "关于&lt;b&gt;人才&lt;/b&gt;周的通知 | 东莞市人力资源和社会保障局网站",
            "关于人才周的通知",
        ),
        ("关于&lt;5岁儿童接种的通知", "关于<5岁儿童接种的通知"),  # a "<" that opens no tag stays
    ],
)
def test_title_from_the_page_title_when_nothing_else_names_it(
    page_title: str, expected: str
) -> None:
    html = f"<html><head><title>{page_title}</title></head><body><div>{seed_paragraphs()}</div></body></html>"
    release = parse_article(html, url=DG_URL, profile=DG, listed_date=date(2024, 12, 12))
    assert release.title == expected
    assert release.method is ParseMethod.FALLBACK


def test_body_paragraph_with_a_date_is_not_taken_for_the_info_line() -> None:
    html = (
        f"<html><head><title>{SEED_TITLE}</title></head><body><h1>{SEED_TITLE}</h1>"
        "<div class='article-content'><p>2024年12月20日19:30，开幕式将在东莞玉兰大剧院举行。</p>"
        "<p>欢迎市民朋友关注。</p></div></body></html>"
    )
    release = parse_article(html, url=DG_URL, profile=DG, listed_date=date(2024, 12, 12))
    assert release.text.split("\n") == [
        "2024年12月20日19:30，开幕式将在东莞玉兰大剧院举行。",
        "欢迎市民朋友关注。",
    ]
    assert release.published == datetime(
        2024, 12, 12, tzinfo=SHANGHAI
    )  # the list's date, not the event's


def test_logo_heading_with_the_site_name_is_not_the_title() -> None:
    html = (
        f"<html><head><title>{SEED_TITLE}-中国东莞政府门户网站</title></head><body>"
        "<div class='logo'><h1>中国东莞政府门户网站</h1></div>"
        f"<div class='bt'>{SEED_TITLE}</div><div class='xx'>{SEED_INFO}</div>"
        f"<div class='zw'>{seed_paragraphs()}</div></body></html>"
    )
    profile = profile_for(DG_URL, "www.dg.gov.cn")
    release = parse_article(
        html, url=DG_URL, profile=profile.model_copy(update={"title": "中国东莞政府门户网站"})
    )
    assert release.title == SEED_TITLE
    assert release.published == datetime(2024, 12, 12, 17, 14, 51, tzinfo=SHANGHAI)
    # div.zw (a body class some sites of this CMS use) is among the default body selectors
    assert release.method is ParseMethod.VISIBLE


def test_import_is_light() -> None:
    """The parser's parts (tasks/_parse/) take the profile types for annotations only: parsing
    pulls in neither Prefect nor pydantic-settings (tasks/settings.py) nor the HTTP client."""
    code = (
        "import sys, tasks.parse; print(sorted(m for m in "
        "('prefect', 'tasks.settings', 'pydantic_settings', 'httpx') if m in sys.modules))"
    )
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
