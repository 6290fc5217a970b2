"""Parse the portal's pages: a list page into release links, an article page into a ``Release``.

Pure functions over decoded HTML (``str``): no network, no Prefect, no settings. The markup they
expect is that of the Guangdong government CMS family (www.dg.gov.cn and its sister sites, see
tests/fixtures/real_pages/README.md), read in three layers, best first:

1. the government meta tags (ArticleTitle, PubDate, ContentSource, ColumnName, SiteName …);
2. the visible page: the title element, the "中国东莞政府门户网站 2024-12-12 17:14:51 来源: 本网"
   info line, the breadcrumb "当前位置: 首页 > … > 新闻发布会", the body box (profile selectors);
3. a generic fallback: the element with the most Chinese text in its ``<p>`` children.

``Release.method`` says which layer gave the title and body. A page that yields no title or no
body raises ``NotARelease``; a list page with no list raises ``LayoutNotRecognised``. Both are
``ParseError``s carrying the URL; nothing else escapes for malformed or truncated HTML.

    page = parse_list_page(html, url=list_url, profile=profile)
    for item in page.items:            # ListItem(url, title, published, off_site)
        ...
    release = parse_article(html, url=item.url, profile=profile,
                            listed_title=item.title, listed_date=item.published)
"""

from __future__ import annotations

import functools
import re
import warnings
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from html import unescape as unescape_entities
from typing import TYPE_CHECKING, Literal
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

import nh3
import soupsieve
from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, Tag
from bs4.element import (
    Comment,
    Declaration,
    Doctype,
    NavigableString,
    ProcessingInstruction,
)
from soupsieve import SelectorSyntaxError

from tasks.errors import LayoutNotRecognised, NotARelease, ParseError, SettingsError
from tasks.models import (
    SHANGHAI,
    Attachment,
    Image,
    ListItem,
    ListPage,
    ParseMethod,
    Release,
)

if TYPE_CHECKING:  # settings pulls in pydantic-settings; parsing only needs the profile's fields
    from tasks.settings import Selectors, SiteProfile

# Pages are always passed as markup, never as file names; a short page that looks like a path
# (a fuzzed or broken one) is still markup, so the warning is noise.
warnings.filterwarnings("ignore", category=MarkupResemblesLocatorWarning, module="bs4")

__all__ = [
    "canonical_url",
    "html_to_text",
    "parse_article",
    "parse_date",
    "parse_list_page",
    "parse_published",
    "post_id",
    "sanitise_html",
]

PARSER = "lxml"

# --- dates ------------------------------------------------------------------------------------
# 2024-12-12, 2024/12/12, 2024.12.12, 2024年12月12日, each optionally followed by a clock time
# (17:14, 17:14:51, 17时14分) and an ISO offset. Years are bounded so that a post id never reads
# as a date.
_DATE_PATTERN = (
    r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*(?:[-/.]|年)\s*(?P<m>\d{1,2})\s*(?:[-/.]|月)\s*"
    r"(?P<d>\d{1,2})(?!\d)\s*日?"
)
_TIME_PATTERN = (
    r"(?:\s{0,8}|T)(?P<H>\d{1,2})\s*[:：时]\s*(?P<M>\d{1,2})(?!\d)"
    r"(?:\s*[:：分]\s*(?P<S>\d{1,2})(?!\d))?\s*分?"
    r"(?:\.\d+)?(?P<tz>Z|[+-]\d{2}:?\d{2})?"
)
DATE_RE = re.compile(_DATE_PATTERN)
DATETIME_RE = re.compile(_DATE_PATTERN + f"(?:{_TIME_PATTERN})?")
# A date *with* a clock time: what the article info line carries.
CLOCK_DATETIME_RE = re.compile(_DATE_PATTERN + _TIME_PATTERN)

# --- URLs -------------------------------------------------------------------------------------
POST_ID_RE = re.compile(r"/m?(post_\d+)\.s?html?$", re.IGNORECASE)
MOBILE_POST_RE = re.compile(r"/mpost_(\d+)(\.s?html?)$", re.IGNORECASE)
PAGE_FILE_RE = re.compile(r"^(?P<stem>[A-Za-z][\w-]*?)(?:_(?P<n>\d+))?\.(?P<ext>s?html?)$")
SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "vbscript:", "about:")
DEFAULT_PORTS = {"http": 80, "https": 443}

# --- list pages -------------------------------------------------------------------------------
# Pager containers beyond the profile's selectors: 广州 writes div.pagediv#page_div (rsj.gz.gov.cn).
PAGER_FALLBACK = "div.pages, div.page, div#pages, div.pagediv, #page_div, .pagination, .pager"
NEXT_TEXTS = frozenset({"下一页", "下页", "后一页", "下一頁", ">", "›", "»", "next", "next›"})
PAGE_TOTAL_RE = re.compile(r"共\s*(\d+)\s*页")
# TRS/NFCMS pagers written by script. Two signatures are in the wild:
#   createPageHTML(count, current0, "index", "html")               current is 0-based
#   createPageHTML('page_div', count, current1, 'index', 'html', n) current is 1-based
# Either way page k lives at name_k.ext and page 1 (0) at name.ext.
CREATE_PAGE_RE = re.compile(
    r"createPageHTML\s*\(\s*(?P<id>['\"][^'\"]*['\"]\s*,\s*)?['\"]?(?P<count>\d+)['\"]?\s*,"
    r"\s*['\"]?(?P<cur>\d+)['\"]?\s*,\s*['\"](?P<name>[\w-]+)['\"]\s*,\s*['\"](?P<ext>\w+)['\"]"
)
# Page totals in script variables, e.g. hrss.gd.gov.cn: `var page_t2 = "70"` feeding a <select>.
JS_PAGE_COUNT_RE = re.compile(
    r"\b(?:all_?page|page_?count|count_?page|total_?pages?|page_?total|max_?page|page_t2)\s*=\s*"
    r"['\"]?(\d+)['\"]?",
    re.IGNORECASE,
)
ARTICLE_HREF_RE = re.compile(r"/m?post_\d+\.s?html?|/content/|/t\d{8}_\d+\.s?html?", re.IGNORECASE)
MIN_UNDATED_ARTICLES = 3  # rows linking article pages that make an undated list a list
LIST_DATE_CLASS_RE = re.compile(r"time|date|rq", re.IGNORECASE)

# --- article pages ----------------------------------------------------------------------------
REMOVE_TAGS = (
    "script", "style", "noscript", "template", "iframe", "object", "embed", "form", "input",
    "button", "select", "textarea", "link", "meta", "svg", "canvas", "audio", "video",
)  # fmt: skip
REMOVE_TAG_SET = frozenset(REMOVE_TAGS)
BLOCK_TAGS = frozenset(
    "address article aside blockquote center dd details div dl dt figcaption figure footer form "
    "h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody tfoot thead tr "
    "ul caption".split()
)
BLOCK_TAG_LIST = sorted(BLOCK_TAGS)
HEADING_BLOCKS = sorted(BLOCK_TAGS - {"p"})
CELL_TAGS = frozenset({"td", "th"})
CURRENT_PAGE_CLASSES = frozenset({"current", "cur", "curr", "active", "on", "selected"})
SKIP_TEXT_TYPES = (Comment, Declaration, Doctype, ProcessingInstruction)
# Page furniture inside or around the body box: font-size switchers, share/print/close buttons,
# "related" boxes. A line or element whose whole text is one of these is dropped.
CHROME_LINE_RE = re.compile(
    r"^[【\[]?\s*(?:"
    r"字[体号]\s*[:：].{0,20}"
    r"|打印(?:本页|此页|文章|正文|文档)?|关闭(?:窗口|本页)?|返回顶部|收藏(?:本页)?|我要纠错"
    r"|分享(?:到\s*[:：]?|\s*[:：]).{0,40}"
    r"|扫一扫在手机(?:上)?打开当前页"
    r"|附件\s*[:：]?"
    r"|[【\[]?\s*[大中小]\s*[】\]]?"
    r")\s*[】\]]?$"
)
CHROME_INLINE_RE = re.compile(r"【\s*字[体号]\s*[:：]\s*大\s*中\s*小\s*】")
# Boxes that start with one of these labels are navigation, not the release (the attachments
# listed under 相关附件 are collected first).
CHROME_BOX_RE = re.compile(
    r"^(?:相关(?:附件|导读|稿件|新闻|链接|阅读|文章|文件)|扫一扫|分享到)\s*(?:[:：]|$)"
)
# One class or id token naming a widget ("bdsharebuttonbox", "share-weibo", "article-font",
# "print"); "print-area" or "printContent" may wrap the release itself, so they do not count.
CHROME_TOKEN_RE = re.compile(
    r"^(?:(?:bd|article-|social-)?share[\w-]*|[\w-]*-share|print|print-?btn|btn-print|dayin|"
    r"font-?size|[\w-]*-font|qrcode|ewm|go-?top|back-?top)$",
    re.IGNORECASE,
)
NOT_CONTENT_RE = re.compile(
    r"(?:^|[\s_-])(?:nav|menu|header|footer|foot|sidebar|crumb|breadcrumb|mbx|share|links?|"
    r"copyright|toolbar|search)(?:$|[\s_-]|\d)",
    re.IGNORECASE,
)
NOT_CONTENT_TAGS = frozenset({"header", "nav", "footer", "aside"})
BREADCRUMB_LABEL_RE = re.compile(r"^\s*(?:您)?(?:当前|所在)的?位置\s*[:：]?")
BREADCRUMB_ATTR_RE = re.compile(r"crumb|mbx|position|location|dqwz|weizhi|lujing", re.IGNORECASE)
BREADCRUMB_SPLIT_RE = re.compile(r"\s*(?:>|＞|»|›|/|→|&gt;)\s*")
BREADCRUMB_SKIP = frozenset({"正文", "详情", "内容", "详细内容", "正文内容", "首页"})
SOURCE_RE = re.compile(r"(?:信息|文章|稿件)?来源\s*[:：]\s*")
SOURCE_END_RE = re.compile(
    r"\s{2,}|[|丨｜【\[]|(?:发布)?时间\s*[:：]|发布日期|日期\s*[:：]|浏览|点击|阅读|字[体号]|"
    r"作者\s*[:：]|编辑\s*[:：]|分享|\d{4}\s*[-/.年]"
)
SENTENCE_PUNCTUATION_RE = re.compile(r"[。，！？；,;!?]")
INFO_HINT_RE = re.compile(r"来源|发布时间|发布日期|时间\s*[:：]|(?:19|20)\d{2}\s*[-/.年]")
PUBLISHED_LABEL_RE = re.compile(r"(?:发布|发文|成文)?(?:时间|日期)\s*[:：]")
CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
META_KEYWORDS_SPLIT_RE = re.compile(r"[,，;；、|\s]+")
TITLE_SEPARATOR = r"\s*[-_|｜—–]+\s*"
_SITE_NAME = r"[^-_|｜—–]{2,30}?(?:门户网站|网站|政府网|人民政府|政府|网|委员会|办公室|局|厅|法院)"
SITE_SUFFIX_RE = re.compile(rf"{TITLE_SEPARATOR}{_SITE_NAME}\s*$")
SITE_PREFIX_RE = re.compile(rf"^\s*{_SITE_NAME}{TITLE_SEPARATOR}")
ATTACHMENT_EXTS = (
    ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".zip", ".rar", ".7z", ".wps", ".ofd", ".et",
    ".ppt", ".pptx", ".txt", ".csv",
)  # fmt: skip
IMAGE_EXTS = (".jpg", ".jpeg", ".png", ".gif", ".bmp", ".webp", ".svg", ".tif", ".tiff")
# Icons, spacers and counters that are not pictures of the release.
ICON_SRC_RE = re.compile(
    r"(?:^|[/_-])(?:icon|ico|spacer|blank|pixel|1x1|clear|dot|share|print|qrcode|ewm|logo)"
    r"(?:[_-][\w-]*)?\d*\.\w+$|/(?:icons?|ico)/|[?&](?:stat|track)",
    re.IGNORECASE,
)
MIN_IMAGE_SIDE = 24  # px; smaller declared sizes are icons or tracking pixels
MIN_FALLBACK_CJK = 20  # characters of Chinese text for a generic body candidate
MAX_TITLE_CHARS = 300
MAX_INFO_LINE_CHARS = 200

SAFE_TAGS = frozenset(
    "p br strong em b i u a img table thead tbody tfoot tr td th caption colgroup col "
    "ul ol li h2 h3 h4 blockquote figure figcaption".split()
)
SAFE_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "col": {"span"},
    "colgroup": {"span"},
    "ol": {"start"},
}
SAFE_URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Removed with their content (nh3 keeps the text of any other tag it drops).
DROP_WITH_CONTENT = frozenset(
    {"script", "style", "noscript", "template", "iframe", "object", "textarea", "select",
     "svg", "math", "title", "head"}
)  # fmt: skip
EMPTY_PARAGRAPH_RE = re.compile(r"<p>(?:\s|&nbsp;|<br>)*</p>")
IMG_WITHOUT_SRC_RE = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")
SPACES_RE = re.compile(r"[ \t\r\f\v\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
ZERO_WIDTH_RE = re.compile(r"[\u200b-\u200d\u2060\ufeff]")
XML_PROLOG_RE = re.compile(r"<\?xml[^>]*>", re.IGNORECASE)
SCRIPT_BLOCK_RE = re.compile(
    r"<(script|style|noscript|template|title)\b.*?(?:</\1\s*>|$)", re.IGNORECASE | re.DOTALL
)
TAG_RE = re.compile(r"</?[A-Za-z!][^<>]*>|</?[A-Za-z!][^<>]*$")


# =============================================================================================
# Small public helpers
# =============================================================================================


def canonical_url(url: str, *, base: str | None = None) -> str:
    """The identity of a page: absolute, no fragment, lower-case host, no default port, the
    desktop ``post_`` form of a mobile ``mpost_`` page. The scheme and query are kept as given.

    >>> canonical_url("content/mpost_4960402.html#top", base="https://drc.gd.gov.cn/ywtz/")
    'https://drc.gd.gov.cn/ywtz/content/post_4960402.html'
    """
    url = ZERO_WIDTH_RE.sub("", url).strip()
    if base:
        url = urljoin(base, url)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    netloc = host
    try:
        port = parts.port
    except ValueError:  # a port that is not a number: keep the text as it came
        port = None
        netloc = parts.netloc.lower()
    if port is not None and DEFAULT_PORTS.get(scheme) != port:
        netloc = f"{host}:{port}"
    if parts.username:  # never expected on the portal; keep it rather than silently change identity
        netloc = parts.netloc.rsplit("@", 1)[0] + "@" + netloc
    path = MOBILE_POST_RE.sub(r"/post_\1\2", parts.path) or ("/" if netloc else "")
    return urlunsplit((scheme, netloc, path, parts.query, ""))


def post_id(url: str) -> str | None:
    """The CMS's article id, ``post_NNNNNNN``, from an article URL (mobile ``mpost_`` too)."""
    match = POST_ID_RE.search(urlsplit(url.strip()).path)
    return match.group(1).lower() if match else None


def parse_published(text: str) -> datetime | None:
    """The first date (with its time, if any) in ``text``, aware in Asia/Shanghai.

    Accepts 2024-12-12, 2024-12-12 17:14, 2024-12-12 17:14:51, the same with ``/`` or ``.``,
    2024年12月12日 (17:14 / 17时14分), and ISO 8601 with an offset (converted to +08:00).

    >>> parse_published("中国东莞政府门户网站  2024-12-12 17:14:51  来源: 本网").isoformat()
    '2024-12-12T17:14:51+08:00'
    """
    for match in DATETIME_RE.finditer(text or ""):
        value = _datetime_from_match(match)
        if value is not None:
            return value
    return None


def parse_date(text: str) -> date | None:
    """The first calendar date in ``text`` (list pages: "2024-12-12", "[ 2019-10-18 ]" …)."""
    for match in DATE_RE.finditer(text or ""):
        try:
            return date(int(match["y"]), int(match["m"]), int(match["d"]))
        except ValueError:
            continue
    return None


def sanitise_html(fragment: str, *, base_url: str) -> str:
    """``fragment`` reduced to a safe tag set with absolute ``http(s)``/``mailto`` URLs.

    No scripts, styles, event handlers, ``style``/``class`` attributes, ``javascript:`` or
    ``data:`` URLs survive; ``<div>``/``<span>``/``<font>`` are dropped and their text kept.
    """
    try:
        cleaned = _nh3_clean(fragment, url_relative=("rewrite_with_base", base_url))
    except ValueError:  # base_url is not absolute: relative URLs cannot be made absolute, drop them
        cleaned = _nh3_clean(fragment, url_relative="deny")
    cleaned = IMG_WITHOUT_SRC_RE.sub("", cleaned)
    cleaned = EMPTY_PARAGRAPH_RE.sub("", cleaned)
    return re.sub(r"\n\s*\n+", "\n", cleaned).strip()


def _nh3_clean(
    fragment: str, *, url_relative: Literal["deny"] | tuple[Literal["rewrite_with_base"], str]
) -> str:
    return nh3.clean(
        fragment,
        tags=set(SAFE_TAGS),
        clean_content_tags=set(DROP_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in SAFE_ATTRIBUTES.items()},
        url_schemes=set(SAFE_URL_SCHEMES),
        strip_comments=True,
        link_rel="noopener noreferrer",
        url_relative=url_relative,
    )


def html_to_text(element: Tag) -> str:
    """The visible text of ``element``: one line per block, whitespace normalised, no chrome."""
    lines = []
    for line in _text_lines(element):
        line = CHROME_INLINE_RE.sub("", line).strip()
        if line and not _is_chrome_text(line):
            lines.append(line)
    return "\n".join(lines)


# =============================================================================================
# List pages
# =============================================================================================


def parse_list_page(html: str, *, url: str, profile: SiteProfile) -> ListPage:
    """Release links and the next page of one list page (``index.html``, ``index_2.html`` …).

    Items are the ``<li>`` children of the list container chosen by the profile's
    ``selectors.list_item`` (failing that: the element with the most ``<li>`` children that each
    hold a link and a date). Links are absolute and canonical, de-duplicated (first kept);
    links to hosts off the profile's allow-list are kept with ``off_site=True``.

    Raises ``LayoutNotRecognised`` (with the URL) when the page has no such list.
    """
    soup = _soup(html, url=url)
    page_url = canonical_url(url)
    selectors = profile.selectors
    pager = _find_pager(soup, selectors)
    rows = _find_list_rows(soup, selectors, pager=pager)
    if not rows:
        raise LayoutNotRecognised(
            f"No release list on {url}: looked for list items {selectors.list_item!r} and, "
            "failing that, an element whose <li> children each hold a link and a date "
            "(YYYY-MM-DD).",
            url=url,
        )
    items: list[ListItem] = []
    seen: set[str] = set()
    for row in rows:
        item = _list_item(row, page_url=page_url, profile=profile)
        if item is None or item.url in seen:
            continue
        seen.add(item.url)
        items.append(item)
    if not items:
        raise LayoutNotRecognised(
            f"No release links on {url}: the list matched but none of its items holds an "
            "http(s) link.",
            url=url,
        )
    next_url, page_count = _next_page(soup, pager=pager, page_url=page_url)
    return ListPage(url=page_url, items=tuple(items), next_url=next_url, page_count=page_count)


def _find_list_rows(soup: BeautifulSoup, selectors: Selectors, *, pager: Tag | None) -> list[Tag]:
    # Rows the profile's selectors match, grouped by their container; the containers compete.
    groups: dict[int, tuple[Tag, list[Tag]]] = {}
    for row in _compiled(selectors.list_item).select(soup):
        if row.parent is not None:
            groups.setdefault(id(row.parent), (row.parent, []))[1].append(row)
    best = _best_group(groups.values(), pager=pager)
    if best:
        # Take every row of the winning container, not only those the selector matched: an item
        # without a date (a pinned notice, say) is still an item.
        container, _ = best
        return _rows_of(container) or best[1]
    generic: list[tuple[Tag, list[Tag]]] = []
    for container in soup.find_all(["ul", "ol", "tbody", "table", "div", "dl"]):
        rows = _rows_of(container)
        if rows:
            generic.append((container, rows))
    best = _best_group(generic, pager=pager)
    return best[1] if best else []


def _rows_of(container: Tag) -> list[Tag]:
    return [c for c in container.find_all(["li", "tr", "dd"], recursive=False)]


def _best_group(
    groups: Iterable[tuple[Tag, list[Tag]]], *, pager: Tag | None
) -> tuple[Tag, list[Tag]] | None:
    best: tuple[tuple[int, ...], tuple[Tag, list[Tag]]] | None = None
    for container, rows in groups:
        links = [_row_link(row) for row in rows]
        dated = sum(
            1 for row, link in zip(rows, links, strict=True) if link is not None and _row_date(row)
        )
        # Lists that show no dates (or "12-12" without the year) still link article pages.
        articles = sum(
            1 for link in links if link is not None and ARTICLE_HREF_RE.search(str(link["href"]))
        )
        # A container followed closely by the pager is the page's own list, not a sidebar of
        # "latest news" that can outnumber the items of a column's last page.
        distance = _pager_distance(container, pager)
        if dated == 0 and (
            articles < MIN_UNDATED_ARTICLES or distance is None or _not_content(container)
        ):
            continue  # undated links count only as the list right above the pager
        score = (int(dated > 0), -(distance or 99), dated, articles, len(rows))
        if best is None or score > best[0]:
            best = (score, (container, rows))
    return best[1] if best else None


def _pager_distance(container: Tag, pager: Tag | None, *, levels: int = 3) -> int | None:
    """How many levels up from ``container`` the pager's box starts (None: not within reach)."""
    if pager is None:
        return None
    pager_ancestors = {id(p) for p in pager.parents}
    ancestor: Tag | None = container
    for level in range(1, levels + 1):
        ancestor = ancestor.parent if ancestor is not None else None
        if ancestor is None or ancestor.name in ("body", "html", "[document]"):
            return None
        if id(ancestor) in pager_ancestors:
            return level
    return None


def _row_link(row: Tag) -> Tag | None:
    for link in row.find_all("a", href=True):
        href = str(link.get("href", "")).strip()
        if not href or href.startswith("#") or href.lower().startswith(SKIP_SCHEMES):
            continue
        if _clean_text(link.get_text(" ")) or _clean_text(str(link.get("title") or "")):
            return link
    return None


def _row_date(row: Tag) -> date | None:
    # A date element first (span.time, span.pubDate, em.date …), then any text outside the link:
    # the title itself may carry a date that is not the publication date.
    for element in row.find_all(class_=LIST_DATE_CLASS_RE):
        found = parse_date(element.get_text(" ")) or parse_date(str(element.get("aria-label", "")))
        if found:
            return found
    link = _row_link(row)
    outside = [
        str(s)
        for s in row.find_all(string=True)
        if not isinstance(s, SKIP_TEXT_TYPES) and (link is None or not _is_inside(s, link))
    ]
    return parse_date(" ".join(outside))


def _list_item(row: Tag, *, page_url: str, profile: SiteProfile) -> ListItem | None:
    link = _row_link(row)
    if link is None:
        return None
    url = canonical_url(str(link["href"]), base=page_url)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    title = _plain_text(str(link.get("title") or "")) or _element_text(link)
    if not title:
        return None
    return ListItem(
        url=url,
        title=title,
        published=_row_date(row),
        off_site=not profile.host_allowed(parts.hostname),
    )


def _find_pager(soup: BeautifulSoup, selectors: Selectors) -> Tag | None:
    candidates = list(_select_in_order(soup, f"{selectors.pager}, {PAGER_FALLBACK}"))
    for candidate in candidates:  # one that looks like a pager wins over a layout box named "page"
        if any(_is_pager_link(a) for a in candidate.find_all("a")):
            return candidate
    return candidates[0] if candidates else None


def _is_pager_link(link: Tag) -> bool:
    classes = {c.lower() for c in link.get("class") or []}
    text = _clean_text(link.get_text(" ")).lower()
    return bool(classes & {"first", "next", "last", "current", "normal", "prev"}) or (
        text in NEXT_TEXTS or text in {"第一页", "首页", "尾页", "末页", "最后一页", "上一页"}
    )


def _next_page(
    soup: BeautifulSoup, *, pager: Tag | None, page_url: str
) -> tuple[str | None, int | None]:
    current = _page_number(page_url)
    page_count: int | None = None
    if pager is not None:
        static_links = [a for a in pager.find_all("a", href=True) if _usable_href(a)]
        page_count = _pager_count(pager, page_url=page_url)
        if current is None:
            current = _pager_current(pager)
        if static_links:
            # The server wrote the pager: trust it. No usable "next" means the last page.
            for link in static_links:
                classes = {c.lower() for c in link.get("class") or []}
                text = _clean_text(link.get_text(" ")).lower()
                if any("next" in c for c in classes) or text in NEXT_TEXTS:
                    target = canonical_url(str(link["href"]), base=page_url)
                    return (None if _same_or_earlier_page(target, page_url) else target), page_count
            return None, page_count
    # The pager is written by script: createPageHTML(...) or a page total in a variable.
    scripts = " ".join(s.get_text() for s in soup.find_all("script"))
    match = CREATE_PAGE_RE.search(scripts)
    if match:
        count, cur = int(match["count"]), int(match["cur"])
        one_based = match["id"] is not None
        page_count = count
        has_next = cur < count if one_based else cur + 1 < count
        if not has_next:
            return None, page_count
        nxt = f"{match['name']}_{cur + 1}.{match['ext']}"
        return canonical_url(nxt, base=page_url), page_count
    if page_count is None:
        totals = [int(n) for n in JS_PAGE_COUNT_RE.findall(scripts)]
        if pager is not None:
            text_total = PAGE_TOTAL_RE.search(pager.get_text(" "))
            if text_total:
                totals.append(int(text_total.group(1)))
        page_count = max(totals) if totals and max(totals) > 0 else None
    current = current or 1
    if page_count is not None and current < page_count:
        return _sibling_page(page_url, current + 1), page_count
    return None, page_count


def _usable_href(link: Tag) -> bool:
    href = str(link.get("href", "")).strip()
    return bool(href) and not href.startswith("#") and not href.lower().startswith(SKIP_SCHEMES)


def _pager_count(pager: Tag, *, page_url: str) -> int | None:
    for link in pager.find_all("a", href=True):
        classes = {c.lower() for c in link.get("class") or []}
        text = _clean_text(link.get_text(" "))
        if "last" in classes or text in {"尾页", "末页", "最后一页"}:
            number = _page_number(canonical_url(str(link["href"]), base=page_url))
            if number:
                return number
    total = PAGE_TOTAL_RE.search(pager.get_text(" "))
    return int(total.group(1)) if total else None


def _pager_current(pager: Tag) -> int | None:
    for element in pager.find_all(True):
        classes = {c.lower() for c in element.get("class") or []}
        text = _clean_text(element.get_text(" "))
        if classes & CURRENT_PAGE_CLASSES and text.isdigit():
            return int(text)
    return None


def _page_number(url: str) -> int | None:
    """1 for ``…/index.html`` or ``…/``, N for ``…/index_N.html``; None for other URLs."""
    path = urlsplit(url).path
    if path.endswith("/"):
        return 1
    match = PAGE_FILE_RE.match(path.rsplit("/", 1)[-1])
    if not match:
        return None
    return int(match["n"]) if match["n"] else 1


def _same_or_earlier_page(target: str, page_url: str) -> bool:
    if target == page_url:
        return True
    t, p = urlsplit(target), urlsplit(page_url)
    same_dir = t.netloc == p.netloc and t.path.rsplit("/", 1)[0] == p.path.rsplit("/", 1)[0]
    tn, pn = _page_number(target), _page_number(page_url)
    return same_dir and tn is not None and pn is not None and tn <= pn


def _sibling_page(page_url: str, number: int) -> str | None:
    parts = urlsplit(page_url)
    directory, _, filename = parts.path.rpartition("/")
    if not filename:
        stem, ext = "index", "html"
    else:
        match = PAGE_FILE_RE.match(filename)
        if not match:
            return None
        stem, ext = match["stem"], match["ext"]
    name = f"{stem}.{ext}" if number <= 1 else f"{stem}_{number}.{ext}"
    return urlunsplit((parts.scheme, parts.netloc, f"{directory}/{name}", "", ""))


# =============================================================================================
# Article pages
# =============================================================================================


def parse_article(
    html: str,
    *,
    url: str,
    profile: SiteProfile,
    listed_title: str | None = None,
    listed_date: date | None = None,
) -> Release:
    """One article page as a ``Release``: meta tags first, visible text second, fallback last.

    ``listed_title``/``listed_date`` come from the list page: the title is used when the page
    shows none, the date when the page carries no publication time.

    Raises ``NotARelease`` (with the URL and the reason) when no title or no body is found, or
    no publication time at all.
    """
    soup = _soup(html, url=url)
    canonical = canonical_url(url)
    base = _base_url(soup, url)
    meta = _meta_tags(soup)
    # A plain walk with a set lookup: bs4's find_all over 18 names cost a sixth of the parse.
    for tag in [e for e in soup.descendants if isinstance(e, Tag) and e.name in REMOVE_TAG_SET]:
        if not tag.decomposed:
            tag.decompose()

    selectors = profile.selectors

    # --- title ---------------------------------------------------------------------------------
    site_names = (meta.get("sitename"), profile.title)
    title_element = _title_element(
        soup, selectors, page_title=_page_title(soup), site_names=site_names
    )
    info_line = _info_line(soup, selectors, after=title_element)
    info_text = _clean_text(info_line.get_text(" ")) if info_line is not None else ""
    title_method: ParseMethod
    if _plain_text(meta.get("articletitle", "")):
        title, title_method = _plain_text(meta["articletitle"]), ParseMethod.META
    elif title_element is not None:
        title, title_method = _element_text(title_element), ParseMethod.VISIBLE
    else:
        title = _title_from_page_title(_page_title(soup), site_names=site_names)
        title = title or _plain_text(listed_title or "")
        title_method = ParseMethod.FALLBACK
    # Markup-looking text in a title ("&lt;b&gt;…" shown literally) is dropped: a title is text.
    title = _plain_text(title)[:MAX_TITLE_CHARS].strip()
    if not title:
        raise NotARelease(
            f"No title on {url}: no ArticleTitle meta tag, no title element "
            f"({selectors.title!r}), no <title> and no title from the list page.",
            url=url,
        )

    # --- body ----------------------------------------------------------------------------------
    body, body_method = _find_body(soup, selectors, exclude=(title_element, info_line))
    if body is None:
        raise NotARelease(
            f"No body on {url}: nothing matched {selectors.body!r} with text or images, and "
            f"no element holds {MIN_FALLBACK_CJK}+ Chinese characters in <p> paragraphs.",
            url=url,
        )
    scope = _article_scope(body, title_element)
    attachments = _attachments(scope, base=base)
    _strip_page_lines(body, title_element=title_element, info_line=info_line)
    _strip_chrome(body)
    images = _images(body, base=base)
    _prepare_for_html(body)
    text = html_to_text(body)
    body_html = sanitise_html(body.decode_contents(), base_url=base)
    if not text and not images:
        raise NotARelease(f"Empty body on {url}: the body box holds no text or images.", url=url)

    # --- when, who, where ----------------------------------------------------------------------
    published = _published(meta, info_text, listed_date=listed_date)
    if published is None:
        raise NotARelease(
            f"No publication time on {url}: no PubDate meta tag, no date in the info line and "
            "no date from the list page.",
            url=url,
        )
    method = ParseMethod.FALLBACK if body_method is ParseMethod.FALLBACK else title_method
    return Release(
        url=canonical,
        post_id=post_id(canonical),
        title=title,
        published=published,
        text=text,
        html=body_html,
        source=_plain_text(meta.get("contentsource", "")) or _source_from_info(info_text),
        column=_plain_text(meta.get("columnname", "")) or _breadcrumb_column(soup),
        site_name=_plain_text(meta.get("sitename", "")) or _site_from_info(info_text),
        keywords=_keywords(meta.get("keywords", "")),
        description=_plain_text(meta.get("description", "")) or None,
        images=tuple(images),
        attachments=tuple(attachments),
        method=method,
    )


def _meta_tags(soup: BeautifulSoup) -> dict[str, str]:
    found: dict[str, str] = {}
    # The CMS writes its meta tags in <head>; a page whose parse put none there is searched whole.
    head = soup.head
    tags = head.find_all("meta") if head is not None else []
    if not any(str(t.get("name") or "").lower() == "articletitle" for t in tags):
        tags = soup.find_all("meta")
    for tag in tags:
        name = str(tag.get("name") or "").strip().lower()
        content = str(tag.get("content") or "").strip()
        if name and content and name not in found:
            found[name] = content
    return found


def _base_url(soup: BeautifulSoup, url: str) -> str:
    base = (soup.head or soup).find("base", href=True)
    if base is not None:
        joined = urljoin(url, str(base["href"]).strip())
        if urlsplit(joined).scheme in ("http", "https"):
            return joined
    return url


def _page_title(soup: BeautifulSoup) -> str:
    element = soup.find("title")
    return _element_text(element) if element is not None else ""


def _title_element(
    soup: BeautifulSoup, selectors: Selectors, *, page_title: str, site_names: Iterable[str | None]
) -> Tag | None:
    """The visible title: a profile-selected element, preferring one the <title> repeats (the
    <title> less its site name, so a logo's <h1>中国东莞政府门户网站</h1> is not the title)."""
    names = {n for n in site_names if n}
    page_title = _title_from_page_title(page_title, site_names=names) if page_title else ""
    first_valid: Tag | None = None
    for element in _select_in_order(soup, selectors.title):
        text = _element_text(element)
        if not _valid_title(text) or text in names:
            continue
        if not page_title or text in page_title:
            return element
        first_valid = first_valid or element
    if page_title:
        # Any heading the <title> repeats (drc.gd.gov.cn: <h4 class="wdtit">, with the <title>
        # "广东省发展和改革委员会 - <title>"); headings first, then any small box.
        for tag_names in (
            ["h1", "h2", "h3", "h4", "h5", "h6", "strong", "b"],
            ["div", "p", "td", "span"],
        ):
            found = [
                e for e in soup.find_all(tag_names)
                if len(text := _element_text(e)) >= 4 and _valid_title(text) and text not in names
                and text in page_title and not e.find(HEADING_BLOCKS)
            ]  # fmt: skip
            if found:
                return max(found, key=lambda e: len(_element_text(e)))
    return first_valid


def _valid_title(text: str) -> bool:
    return 2 <= len(text) <= MAX_TITLE_CHARS and not BREADCRUMB_LABEL_RE.match(text)


def _title_from_page_title(page_title: str, *, site_names: Iterable[str | None]) -> str:
    """The <title> without its site name: "广东省发展和改革委员会 - X" or "X-中国东莞…" → X.

    Only a site name is cut off, so "2024-2025年度…" keeps its hyphen."""
    title = page_title
    for name in sorted({n for n in site_names if n}, key=len, reverse=True):
        sep = TITLE_SEPARATOR
        title = re.sub(rf"{sep}{re.escape(name)}\s*$", "", title)
        title = re.sub(rf"^\s*{re.escape(name)}{sep}", "", title)
    title = SITE_SUFFIX_RE.sub("", title)
    title = SITE_PREFIX_RE.sub("", title)
    return title.strip() or page_title


def _info_line(
    soup: BeautifulSoup, selectors: Selectors, *, after: Tag | None = None
) -> Tag | None:
    """The line with the publication time and 来源 (profile selector, else found by its text,
    looked for after the title first: a page header may show today's date)."""
    for element in _select_in_order(soup, selectors.info_line):
        if parse_published(element.get_text(" ")):
            return element
    searches = [after.find_all_next(string=INFO_HINT_RE, limit=80)] if after is not None else []
    searches.append(soup.find_all(string=INFO_HINT_RE, limit=400))
    for strings in searches:
        for string in strings:
            if isinstance(string, SKIP_TEXT_TYPES):
                continue
            box: Tag | None = string.parent
            for _ in range(3):  # the date and the 来源 may sit in sibling spans
                if box is None or box.name in ("body", "html", "[document]"):
                    break
                text = _clean_text(box.get_text(" "))
                if len(text) > MAX_INFO_LINE_CHARS:
                    break
                if _looks_like_info_line(text):
                    return box
                box = box.parent
    return None


def _looks_like_info_line(text: str) -> bool:
    """A date with a label (来源, 发布时间：), or a clock time with little else around it (a site
    name): not a body sentence that happens to name a time ("2024年12月20日19:30，开幕式…")."""
    if not DATE_RE.search(text):
        return False
    if SOURCE_RE.search(text) or PUBLISHED_LABEL_RE.search(text):
        return True
    clock = CLOCK_DATETIME_RE.search(text)
    if clock is None:
        return False
    rest = (text[: clock.start()] + text[clock.end() :]).strip()
    return len(rest) <= 30 and not SENTENCE_PUNCTUATION_RE.search(rest)


def _published(
    meta: dict[str, str], info_text: str, *, listed_date: date | None
) -> datetime | None:
    from_meta = None
    for name in ("pubdate", "publishdate", "firstpublishedtime", "article:published_time"):
        if meta.get(name):
            from_meta = parse_published(meta[name])
            if from_meta:
                break
    from_info = parse_published(info_text) if info_text else None
    if from_meta is not None:
        # A PubDate without seconds (or without a time) and a visible line that agrees with it:
        # the visible line is the more precise reading of the same moment.
        if from_info is not None and (
            (from_meta.time() == datetime.min.time() and from_info.date() == from_meta.date())
            or (from_meta.second == 0 and from_info.replace(second=0) == from_meta)
        ):
            return from_info
        return from_meta
    if from_info is not None:
        return from_info
    if listed_date is not None:
        return datetime(listed_date.year, listed_date.month, listed_date.day, tzinfo=SHANGHAI)
    return None


def _source_from_info(info_text: str) -> str | None:
    match = SOURCE_RE.search(info_text)
    if not match:
        return None
    rest = info_text[match.end() :]
    end = SOURCE_END_RE.search(rest)
    source = (rest[: end.start()] if end else rest).strip(" :：,，")
    return source[:60] or None


def _site_from_info(info_text: str) -> str | None:
    match = DATE_RE.search(info_text)
    if not match:
        return None
    prefix = info_text[: match.start()].strip()
    if not prefix or ":" in prefix or "：" in prefix or len(prefix) > 40:
        return None
    return prefix


def _breadcrumb_column(soup: BeautifulSoup) -> str | None:
    crumb = None
    for element in soup.find_all(["div", "p", "span", "nav", "ul", "ol", "td", "h2", "h3"]):
        ident = " ".join([*(element.get("class") or []), str(element.get("id") or "")])
        if BREADCRUMB_ATTR_RE.search(ident) and element.find("a"):
            crumb = element
            break
    if crumb is None:
        label = soup.find(string=BREADCRUMB_LABEL_RE)
        crumb = label.parent if label is not None else None
        # The label may sit alone in a span: climb to the element that holds the links.
        while crumb is not None and not crumb.find("a") and crumb.parent is not None:
            if len(_clean_text(crumb.get_text(" "))) > 200:
                break
            crumb = crumb.parent
    if crumb is None:
        return None
    links = [_element_text(a) for a in crumb.find_all("a")]
    segments = [s for s in links if s] or [
        s
        for s in BREADCRUMB_SPLIT_RE.split(
            BREADCRUMB_LABEL_RE.sub("", _clean_text(crumb.get_text(" ")))
        )
        if s
    ]
    for segment in reversed(segments):
        if segment not in BREADCRUMB_SKIP and len(segment) <= 40:
            return segment
    return None


def _keywords(raw: str) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for word in META_KEYWORDS_SPLIT_RE.split(_plain_text(raw)):
        if word:
            seen.setdefault(word, None)
    return tuple(seen)


def _find_body(
    soup: BeautifulSoup, selectors: Selectors, *, exclude: tuple[Tag | None, ...]
) -> tuple[Tag | None, ParseMethod]:
    for element in _select_in_order(soup, selectors.body):
        if _has_content(element) and not _not_content(element):
            return element, ParseMethod.VISIBLE
    scores: dict[int, tuple[Tag, int]] = {}

    def add(element: Tag | None, amount: int) -> None:
        if element is None or amount == 0:
            return
        key = id(element)
        scores[key] = (element, scores.get(key, (element, 0))[1] + amount)

    for paragraph in soup.find_all("p"):
        add(paragraph.parent, len(CJK_RE.findall(paragraph.get_text())))
    for string in soup.find_all(string=True):
        if not isinstance(string, SKIP_TEXT_TYPES) and string.parent and string.parent.name != "p":
            add(string.parent, len(CJK_RE.findall(str(string))))
    ranked = sorted(scores.values(), key=lambda pair: pair[1], reverse=True)
    for element, score in ranked:
        if score < MIN_FALLBACK_CJK:
            break
        if element.name in ("body", "html", "[document]") or _not_content(element):
            continue
        if any(e is not None and (e is element or _is_inside(element, e)) for e in exclude):
            continue  # the title or the info line alone is not a body
        return element, ParseMethod.FALLBACK
    return None, ParseMethod.FALLBACK


def _has_content(element: Tag) -> bool:
    return bool(_clean_text(element.get_text(" "))) or element.find("img", src=True) is not None


def _not_content(element: Tag) -> bool:
    for node in (element, *element.parents):
        if not isinstance(node, Tag) or node.name in ("body", "html", "[document]"):
            break
        if node.name in NOT_CONTENT_TAGS:
            return True
        ident = " ".join([*(node.get("class") or []), str(node.get("id") or "")])
        if ident and NOT_CONTENT_RE.search(ident):
            return True
    return False


def _article_scope(body: Tag, title_element: Tag | None) -> Tag:
    """Where attachments are looked for: the smallest box holding both the title and the body
    (attachments are often listed right after the body box), else the body alone."""
    if title_element is None:
        return body
    body_ancestors = [body, *body.parents]
    for ancestor in (title_element, *title_element.parents):
        if any(ancestor is b for b in body_ancestors):
            if ancestor.name in ("body", "html", "[document]"):
                return body
            return ancestor
    return body


def _attachments(scope: Tag, *, base: str) -> list[Attachment]:
    found: dict[str, Attachment] = {}
    for link in scope.find_all("a", href=True):
        if not _usable_href(link):
            continue
        url = canonical_url(str(link["href"]), base=base)
        parts = urlsplit(url)
        path = unquote(parts.path).lower()
        if parts.scheme not in ("http", "https"):
            continue
        is_file = path.endswith(ATTACHMENT_EXTS)
        under_attachment = "/attachment/" in path and not path.endswith(IMAGE_EXTS)
        if not (is_file or under_attachment) or url in found:
            continue
        name = (
            _element_text(link)
            or _plain_text(str(link.get("title") or ""))
            or unquote(parts.path.rsplit("/", 1)[-1])
        )
        found[url] = Attachment(url=url, name=name)
    return list(found.values())


def _strip_page_lines(body: Tag, *, title_element: Tag | None, info_line: Tag | None) -> None:
    """A body box that also holds the title heading or the info line (a broad "div.content")
    loses them: they are the page's, not the release's, text."""
    if info_line is not None and _is_inside(info_line, body):
        text = _clean_text(info_line.get_text(" "))
        # Only a line that says what it is: a body paragraph that merely holds a date stays.
        if len(text) <= MAX_INFO_LINE_CHARS and (
            SOURCE_RE.search(text) or PUBLISHED_LABEL_RE.search(text)
        ):
            info_line.decompose()
    if (
        title_element is not None
        and not title_element.decomposed
        and _is_inside(title_element, body)
        and title_element.name in ("h1", "h2", "h3", "h4", "h5", "h6", "div")
    ):
        title_element.decompose()


def _strip_chrome(body: Tag) -> None:
    """Remove share/print/font-size widgets, hidden boxes and "related" boxes from the body."""
    for element in list(body.find_all(True)):
        if element.decomposed:
            continue
        style = str(element.get("style") or "").replace(" ", "").lower()
        tokens = [*(element.get("class") or []), str(element.get("id") or "")]
        if (
            "display:none" in style
            or "visibility:hidden" in style
            or any(CHROME_TOKEN_RE.match(t) for t in tokens if t)
        ):
            element.decompose()
            continue
        text = _clean_text(element.get_text(" "))
        if not text:
            continue
        chrome = CHROME_BOX_RE.match(text) or (len(text) <= 40 and _is_chrome_text(text))
        if chrome and element.find("img", src=True) is None:
            element.decompose()


def _is_chrome_text(text: str) -> bool:
    return len(text) <= 60 and bool(CHROME_LINE_RE.match(text))


def _images(body: Tag, *, base: str) -> list[Image]:
    found: dict[str, Image] = {}
    for img in list(body.find_all("img")):
        src = ""
        for attribute in ("src", "data-src", "data-original", "oldsrc"):
            value = str(img.get(attribute) or "").strip()
            if value and not value.lower().startswith(SKIP_SCHEMES):
                src = value
                break
        url = canonical_url(src, base=base) if src else ""
        if not url or urlsplit(url).scheme not in ("http", "https") or _is_icon(img, url):
            img.decompose()  # tracking pixels, icons, data: and script URLs stay out of the HTML
            continue
        img["src"] = url
        if url not in found:
            alt = _plain_text(str(img.get("alt") or "")) or _plain_text(str(img.get("title") or ""))
            found[url] = Image(url=url, alt=alt)
    return list(found.values())


def _is_icon(img: Tag, url: str) -> bool:
    for attribute in ("width", "height"):
        value = re.match(r"\s*(\d+)", str(img.get(attribute) or ""))
        if value and int(value.group(1)) < MIN_IMAGE_SIDE:
            return True
    return bool(
        ICON_SRC_RE.search(
            urlsplit(url).path + ("?" + urlsplit(url).query if urlsplit(url).query else "")
        )
    )


def _prepare_for_html(body: Tag) -> None:
    """Keep paragraph structure through the sanitiser: a ``<div>`` holding only inline content
    becomes a ``<p>``; other layout boxes are unwrapped (nh3 keeps their text)."""
    for div in list(body.find_all(["div", "section", "article", "center", "font"])):
        if div.decomposed:
            continue
        if div.name in ("div", "section", "article", "center") and not div.find(BLOCK_TAG_LIST):
            div.name = "p"
            div.attrs = {}


# =============================================================================================
# Shared plumbing
# =============================================================================================


def _soup(html: str, *, url: str) -> BeautifulSoup:
    if not isinstance(html, str):
        raise ParseError(
            f"Expected decoded HTML (str) for {url}, got {type(html).__name__}.", url=url
        )
    # An XHTML page's "<?xml …?>" prolog means nothing to the HTML parser (bs4 would warn).
    html = XML_PROLOG_RE.sub("", html)
    try:
        return BeautifulSoup(html, PARSER)
    except Exception as exc:  # lxml/bs4 failures on hostile input: one boundary, cause kept
        raise ParseError(f"HTML of {url} could not be parsed: {exc}", url=url) from exc


def _split_selector_list(selectors: str) -> list[str]:
    """Split "a, b:has(c, d)" at top-level commas: each part is tried in priority order."""
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    quote = ""
    for char in selectors:
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth = max(0, depth - 1)
        elif char == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    parts.append("".join(current).strip())
    return [p for p in parts if p]


def _select_in_order(soup: BeautifulSoup | Tag, selectors: str) -> Iterator[Tag]:
    """Elements matching a selector list, the first selector's matches first (then document
    order). One walk of the tree for the whole list, however many selectors it holds."""
    parts = _split_selector_list(selectors)
    if not parts:
        return
    simple = [_simple_selector(part) for part in parts]
    if all(s is not None for s in simple):
        # The profiles' body, title and info-line lists are plain "tag.class" / "tag#id" parts:
        # matched here in plain Python, about 10x faster than soupsieve's general matcher (parse
        # throughput is what bounds a large backfill, issue 8). Same order and results.
        elements = [e for e in soup.descendants if isinstance(e, Tag)]
        for selector in simple:
            assert selector is not None
            yield from (e for e in elements if _matches_simple(e, selector))
        return
    matched = list(_compiled(", ".join(parts)).select(soup))
    if len(parts) == 1:
        yield from matched
        return
    for part in parts:
        pattern = _compiled(part)
        for element in matched:
            if pattern.match(element):
                yield element


_SIMPLE_SELECTOR_RE = re.compile(
    r"(?P<tag>[A-Za-z][A-Za-z0-9-]*|\*)?(?P<rest>(?:[.#][A-Za-z_][A-Za-z0-9_-]*)*)"
)
_SIMPLE_TOKEN_RE = re.compile(r"[.#][A-Za-z0-9_-]+")
SimpleSelector = tuple[str | None, frozenset[str], str | None]  # tag, classes, id


@functools.lru_cache(maxsize=256)
def _simple_selector(part: str) -> SimpleSelector | None:
    """``div.a.b#c`` as (tag, classes, id); None for anything else (left to soupsieve)."""
    match = _SIMPLE_SELECTOR_RE.fullmatch(part)
    if match is None or not (match["tag"] or match["rest"]):
        return None
    tokens = _SIMPLE_TOKEN_RE.findall(match["rest"])
    ids = {t[1:] for t in tokens if t[0] == "#"}
    if len(ids) > 1:  # "#a#b" matches nothing; soupsieve knows
        return None
    tag = match["tag"].lower() if match["tag"] and match["tag"] != "*" else None
    return tag, frozenset(t[1:] for t in tokens if t[0] == "."), next(iter(ids), None)


def _matches_simple(element: Tag, selector: SimpleSelector) -> bool:
    tag, classes, ident = selector
    if tag is not None and element.name != tag:
        return False
    if ident is not None and element.get("id") != ident:
        return False
    if classes:
        value = element.get("class") or ()
        if isinstance(value, str):
            value = value.split()
        if not classes.issubset(value):
            return False
    return True


@functools.lru_cache(maxsize=256)
def _compiled(selector: str) -> soupsieve.SoupSieve:
    try:
        return soupsieve.compile(selector)
    except (SelectorSyntaxError, ValueError, NotImplementedError) as exc:
        raise SettingsError(
            f"Invalid CSS selector in the site profile: {selector!r}: {exc}"
        ) from exc


def _text_lines(element: Tag) -> Iterator[str]:
    """Block-aware text: a new line at each block element and <br>; cells joined by a space."""
    parts: list[str] = []
    stack: list[tuple[bool, object]] = [(False, c) for c in reversed(element.contents)]
    while stack:
        closing, node = stack.pop()
        if closing:
            assert isinstance(node, Tag)
            if node.name in CELL_TAGS:
                parts.append(" ")
            else:
                line = _clean_text("".join(parts))
                parts.clear()
                if line:
                    yield line
            continue
        if isinstance(node, Tag):
            if node.name == "br":
                line = _clean_text("".join(parts))
                parts.clear()
                if line:
                    yield line
                continue
            if node.name in BLOCK_TAGS:
                line = _clean_text("".join(parts))
                parts.clear()
                if line:
                    yield line
                stack.append((True, node))
            elif node.name in CELL_TAGS:
                stack.append((True, node))
            stack.extend((False, c) for c in reversed(node.contents))
        elif isinstance(node, NavigableString) and not isinstance(node, SKIP_TEXT_TYPES):
            parts.append(str(node))
    line = _clean_text("".join(parts))
    if line:
        yield line


def _clean_text(text: str) -> str:
    text = ZERO_WIDTH_RE.sub("", text)
    return SPACES_RE.sub(" ", " ".join(text.split())).strip()


def _element_text(element: Tag) -> str:
    """An element's text as one line: inline markup joined without spaces (Chinese has none),
    blocks and <br> separated by one."""
    return " ".join(_text_lines(element))


def _plain_text(text: str) -> str:
    """Text that may carry markup or entities (meta content, title attributes) as plain text."""
    if not text:
        return ""
    if "<" in text or "&" in text:
        text = SCRIPT_BLOCK_RE.sub("", text)
        text = unescape_entities(TAG_RE.sub("", text))
        text = SCRIPT_BLOCK_RE.sub("", text)  # markup that was entity-escaped once
        text = TAG_RE.sub("", text)
    return _clean_text(text)


def _is_inside(node: object, ancestor: Tag) -> bool:
    return any(parent is ancestor for parent in getattr(node, "parents", ()))


def _datetime_from_match(match: re.Match[str]) -> datetime | None:
    groups = match.groupdict()
    try:
        day = datetime(int(groups["y"]), int(groups["m"]), int(groups["d"]))
    except ValueError:
        return None
    try:
        value = day.replace(
            hour=int(groups.get("H") or 0),
            minute=int(groups.get("M") or 0),
            second=int(groups.get("S") or 0),
        )
    except ValueError:  # "2024-12-12 25:61": the day stands, the clock time does not
        return day.replace(tzinfo=SHANGHAI)
    offset = groups.get("tz")
    if offset:
        iso = value.isoformat() + ("+00:00" if offset == "Z" else _iso_offset(offset))
        try:
            return datetime.fromisoformat(iso).astimezone(SHANGHAI)
        except ValueError:
            return None
    return value.replace(tzinfo=SHANGHAI)


def _iso_offset(offset: str) -> str:
    digits = offset[1:].replace(":", "")
    return f"{offset[0]}{digits[:2]}:{digits[2:]}"
