"""A list page's pager: which URL comes next and how many pages the list has.

A pager the server wrote (links: 下一页, 尾页, ``class="next"``) is trusted as it stands; failing
that, the count comes from the script that writes the pager (``createPageHTML``) or from a page
total in a script variable or in "共 N 页", and the next page is ``index_N.html`` beside this one.
The pager box is the profile's selector or a usual pager class, else the box around a link only
a pager shows (下一页, 尾页) or around "共 N 页": a pager under an unknown class is still read.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from bs4 import BeautifulSoup, Tag

from tasks._parse.css import select_in_order
from tasks._parse.text import clean_text
from tasks._parse.urls import canonical_url, usable_href

if TYPE_CHECKING:  # settings pulls in pydantic-settings; parsing only needs the profile's fields
    from tasks.settings import Selectors

# Pager containers beyond the profile's selectors: 广州 writes div.pagediv#page_div (rsj.gz.gov.cn).
PAGER_FALLBACK = "div.pages, div.page, div#pages, div.pagediv, #page_div, .pagination, .pager"
NEXT_TEXTS = frozenset({"下一页", "下页", "后一页", "下一頁", ">", "›", "»", "next", "next›"})
LAST_TEXTS = frozenset({"尾页", "末页", "最后一页"})
PAGER_TEXTS = NEXT_TEXTS | LAST_TEXTS | {"第一页", "首页", "上一页"}
PAGER_LINK_CLASSES = frozenset({"first", "next", "last", "current", "normal", "prev"})
CURRENT_PAGE_CLASSES = frozenset({"current", "cur", "curr", "active", "on", "selected"})
PAGE_TOTAL_RE = re.compile(r"共\s*(\d+)\s*页")
# Link texts that only a pager shows (a site's "首页" is also its home link: not one of them).
PAGER_ONLY_TEXTS = (
    frozenset({"下一页", "下页", "后一页", "下一頁", "上一页", "上页", "前一页"}) | LAST_TEXTS
)
# Climbing from a pager link to its box passes these; the first other element is the box.
PAGER_INLINE_TAGS = frozenset({"a", "span", "font", "b", "strong", "em", "i", "li", "label"})
MAX_PAGER_CHARS = 300  # a box with more text is a layout column, not a pager
PAGE_FILE_RE = re.compile(r"^(?P<stem>[A-Za-z][\w-]*?)(?:_(?P<n>\d+))?\.(?P<ext>s?html?)$")
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


def find_pager(soup: BeautifulSoup, selectors: Selectors) -> Tag | None:
    """The pager box: the profile's ``selectors.pager`` first, then the usual pager classes."""
    candidates = list(select_in_order(soup, f"{selectors.pager}, {PAGER_FALLBACK}"))
    for candidate in candidates:  # one that looks like a pager wins over a layout box named "page"
        if any(_is_pager_link(a) for a in candidate.find_all("a")):
            return candidate
    # A pager under a class no list names (div.fenye, td.pagenav): found by what it says.
    by_text = _pager_by_text(soup)
    if by_text is not None:
        return by_text
    return candidates[0] if candidates else None


def _pager_by_text(soup: BeautifulSoup) -> Tag | None:
    """The box around the first link that only a pager shows (下一页, 尾页 …), else around the
    text "共 N 页" (a one-page list shows no links)."""
    marks = [a for a in soup.find_all("a") if clean_text(a.get_text(" ")) in PAGER_ONLY_TEXTS]
    marks.extend(s.parent for s in soup.find_all(string=PAGE_TOTAL_RE) if s.parent is not None)
    for mark in marks:
        box = mark if mark.name != "a" else mark.parent
        while box is not None and box.name in PAGER_INLINE_TAGS and box.name != "[document]":
            box = box.parent
        if box is None or box.name in ("body", "html", "[document]"):
            continue
        if len(clean_text(box.get_text(" "))) <= MAX_PAGER_CHARS:
            return box
    return None


def next_page(
    soup: BeautifulSoup, *, pager: Tag | None, page_url: str
) -> tuple[str | None, int | None]:
    """``(next page URL or None on the last page, page count or None if unknown)``."""
    current = _page_number(page_url)
    page_count: int | None = None
    if pager is not None:
        static_links = [a for a in pager.find_all("a", href=True) if usable_href(a)]
        page_count = _pager_count(pager, page_url=page_url)
        if current is None:
            current = _pager_current(pager)
        if static_links:
            # The server wrote the pager: trust it. No usable "next" means the last page.
            for link in static_links:
                classes = {c.lower() for c in link.get("class") or []}
                text = clean_text(link.get_text(" ")).lower()
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


def _is_pager_link(link: Tag) -> bool:
    classes = {c.lower() for c in link.get("class") or []}
    text = clean_text(link.get_text(" ")).lower()
    return bool(classes & PAGER_LINK_CLASSES) or text in PAGER_TEXTS


def _pager_count(pager: Tag, *, page_url: str) -> int | None:
    # "共 N 页" states the count; a 尾页 link's file number depends on the site's numbering
    # (TRS's last of 4 pages is index_3.html), so it is only the fallback.
    total = PAGE_TOTAL_RE.search(pager.get_text(" "))
    if total:
        return int(total.group(1))
    for link in pager.find_all("a", href=True):
        classes = {c.lower() for c in link.get("class") or []}
        text = clean_text(link.get_text(" "))
        if "last" in classes or text in LAST_TEXTS:
            number = _page_number(canonical_url(str(link["href"]), base=page_url))
            if number:
                return number
    return None


def _pager_current(pager: Tag) -> int | None:
    for element in pager.find_all(True):
        classes = {c.lower() for c in element.get("class") or []}
        text = clean_text(element.get_text(" "))
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
    tn, pn = _page_rank(target), _page_rank(page_url)
    return same_dir and tn is not None and pn is not None and tn <= pn


def _page_rank(url: str) -> int | None:
    """For ordering sibling pages: 0 for the unnumbered first page (``index.html``), N for
    ``index_N.html``. TRS numbers its second page ``index_1.html``, so the first page must
    rank below every numbered one, not equal to ``_1``."""
    path = urlsplit(url).path
    if path.endswith("/"):
        return 0
    match = PAGE_FILE_RE.match(path.rsplit("/", 1)[-1])
    if not match:
        return None
    return int(match["n"]) if match["n"] else 0


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
