"""The breadcrumb ("当前位置: 首页 > 政务公开 > … > 新闻发布会"): the column a release sits in."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Tag

from tasks._parse.text import clean_text, element_text

BREADCRUMB_LABEL_RE = re.compile(r"^\s*(?:您)?(?:当前|所在)的?位置\s*[:：]?")
BREADCRUMB_ATTR_RE = re.compile(r"crumb|mbx|position|location|dqwz|weizhi|lujing", re.IGNORECASE)
BREADCRUMB_SPLIT_RE = re.compile(r"\s*(?:>|＞|»|›|/|→|&gt;)\s*")
BREADCRUMB_SKIP = frozenset({"正文", "详情", "内容", "详细内容", "正文内容", "首页"})
BREADCRUMB_TAGS = ["div", "p", "span", "nav", "ul", "ol", "td", "h2", "h3"]
MAX_LABEL_BOX_CHARS = 200  # climbing from the label stops at a box this long: not a breadcrumb
MAX_COLUMN_CHARS = 40


def breadcrumb_column(soup: BeautifulSoup) -> str | None:
    """The last breadcrumb segment that names a column (not 正文, 详情, 首页 …), or None."""
    return column_of(find_breadcrumb(soup))


def find_breadcrumb(soup: BeautifulSoup) -> Tag | None:
    """The breadcrumb box: by its class or id, else by its "当前位置：" label."""
    crumb = None
    for element in soup.find_all(BREADCRUMB_TAGS):
        ident = " ".join([*(element.get("class") or []), str(element.get("id") or "")])
        if BREADCRUMB_ATTR_RE.search(ident) and element.find("a"):
            crumb = element
            break
    if crumb is None:
        label = soup.find(string=BREADCRUMB_LABEL_RE)
        crumb = label.parent if label is not None else None
        # The label may sit alone in a span: climb to the element that holds the links.
        while crumb is not None and not crumb.find("a") and crumb.parent is not None:
            if len(clean_text(crumb.get_text(" "))) > MAX_LABEL_BOX_CHARS:
                break
            crumb = crumb.parent
    return crumb


def column_of(crumb: Tag | None) -> str | None:
    """The last segment of ``crumb`` that names a column, or None."""
    if crumb is None:
        return None
    links = [element_text(a) for a in crumb.find_all("a")]
    segments = [s for s in links if s] or [
        s
        for s in BREADCRUMB_SPLIT_RE.split(
            BREADCRUMB_LABEL_RE.sub("", clean_text(crumb.get_text(" ")))
        )
        if s
    ]
    for segment in reversed(segments):
        if segment not in BREADCRUMB_SKIP and len(segment) <= MAX_COLUMN_CHARS:
            return segment
    return None


def column_names(crumb: Tag | None) -> frozenset[str]:
    """The texts of the breadcrumb's links (首页, 新闻中心, 新闻发布会 …): names of columns, which a
    heading repeating one is (a sidebar's <h1>新闻中心</h1>), not an article title. The current
    page, when a breadcrumb names it, is plain text, not a link."""
    if crumb is None:
        return frozenset()
    return frozenset(t for a in crumb.find_all("a") if (t := element_text(a)))
