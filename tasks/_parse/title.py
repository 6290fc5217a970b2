"""An article's title as the page shows it: the visible heading, or the ``<title>`` less its
site name ("广东省发展和改革委员会 - X", "X-中国东莞政府门户网站" → X). A ``<title>`` that names
only the site ("云浮市人民政府网") is no title: the heading right above the info line is."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from bs4 import BeautifulSoup, Tag

from tasks._parse.breadcrumb import BREADCRUMB_LABEL_RE, column_names, find_breadcrumb
from tasks._parse.chrome import not_content
from tasks._parse.css import select_in_order
from tasks._parse.text import BLOCK_TAGS, element_text, text_lines

if TYPE_CHECKING:  # settings pulls in pydantic-settings; parsing only needs the profile's fields
    from tasks.settings import Selectors

MAX_TITLE_CHARS = 300
CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
MIN_REPEATED_TITLE_CHARS = 4  # a heading found only because the <title> repeats it
HEADING_BLOCKS = sorted(BLOCK_TAGS - {"p"})
# Where a title the <title> repeats is looked for: headings first, then any small box.
TITLE_TAG_GROUPS = (
    ["h1", "h2", "h3", "h4", "h5", "h6", "strong", "b"],
    ["div", "p", "td", "span"],
)
TITLE_SEPARATOR = r"\s*[-_|｜—–]+\s*"
# A site name has no digits or spaces: "…｜湛江市2024年…发布会 湛江市人民政府门户网站" is a title.
_SITE_NAME = (
    r"[^-_|｜—–\d\s]{2,30}?(?:门户网站|网站|政府网|人民政府|政府|网|委员会|办公室|局|厅|法院)"
)
SITE_SUFFIX_RE = re.compile(rf"{TITLE_SEPARATOR}{_SITE_NAME}\s*$")
SITE_PREFIX_RE = re.compile(rf"^\s*{_SITE_NAME}{TITLE_SEPARATOR}")
SITE_ONLY_RE = re.compile(rf"^\s*{_SITE_NAME}\s*$")
# A visible title without a profile selector: a heading tag, or a box whose class or id says
# title (xl_title, detail-tit, td.bt, biaoti), sitting just before the info line.
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
TITLE_TOKEN_RE = re.compile(
    r"(?:^|[\s_-])(?:title|tit|bt|biaoti|headline|heading)(?:$|[\s_-]|\d)", re.IGNORECASE
)
MIN_HEADING_CHARS = 4
MAX_HEADING_CHARS = 150
MAX_HEADING_LOOKBACK = 12  # elements looked at before the info line


def page_title(soup: BeautifulSoup) -> str:
    """The text of the ``<title>`` element, or ""."""
    element = soup.find("title")
    return element_text(element) if element is not None else ""


def title_element(
    soup: BeautifulSoup, selectors: Selectors, *, page_title: str, site_names: Iterable[str | None]
) -> Tag | None:
    """The visible title: a profile-selected element, preferring one the <title> repeats (the
    <title> less its site name, so a logo's <h1>中国东莞政府门户网站</h1> is not the title).

    One the <title> does not repeat is taken only if it is not in navigation or a sidebar and
    does not name a column of the breadcrumb (a left column's <h1>新闻中心</h1>)."""
    names = {n for n in site_names if n}
    page_title = title_from_page_title(page_title, site_names=names) if page_title else ""
    # A <title> that names only the site repeats no release title: a heading "in" it is the
    # site's banner, and no heading is taken for matching it.
    site_only = bool(page_title) and is_site_name_only(page_title, site_names=names)
    first_valid: Tag | None = None
    columns: frozenset[str] | None = None  # looked up only for a title the <title> does not repeat
    for element in select_in_order(soup, selectors.title):
        text = element_text(element)
        if not _valid_title(text) or text in names:
            continue
        if not page_title or (not site_only and text in page_title):
            return element
        if first_valid is None and not not_content(element):
            if columns is None:
                columns = column_names(find_breadcrumb(soup))
            if text not in columns:
                first_valid = element
    if page_title and not site_only:
        # Any heading the <title> repeats (drc.gd.gov.cn: <h4 class="wdtit">, with the <title>
        # "广东省发展和改革委员会 - <title>"); headings first, then any small box.
        for tag_names in TITLE_TAG_GROUPS:
            found = [
                e for e in soup.find_all(tag_names)
                if len(text := element_text(e)) >= MIN_REPEATED_TITLE_CHARS
                and _valid_title(text) and text not in names and text in page_title
                and not e.find(HEADING_BLOCKS)
            ]  # fmt: skip
            if found:
                return max(found, key=lambda e: len(element_text(e)))
    return first_valid


def heading_text(element: Tag) -> str:
    """A title element's text on one line. A <br> inside a heading is a line wrap chosen for
    the layout ("肇庆市召开2024年<br>鼎湖山…发布会"): between Chinese text it joins with
    nothing, elsewhere with a space."""
    lines = list(text_lines(element))
    if not lines:
        return ""
    joined = lines[0]
    for line in lines[1:]:
        gap = "" if CJK_RE.match(joined[-1]) or CJK_RE.match(line[0]) else " "
        joined += gap + line
    return joined


def title_from_page_title(page_title: str, *, site_names: Iterable[str | None]) -> str:
    """The <title> without its site name: "广东省发展和改革委员会 - X" or "X-中国东莞…" → X.

    Only a site name is cut off, so "2024-2025年度…" keeps its hyphen."""
    title = page_title
    for name in sorted({n for n in site_names if n}, key=len, reverse=True):
        # A name the page or profile states exactly may also be set off by spaces alone.
        sep = rf"(?:{TITLE_SEPARATOR}|\s+)"
        title = re.sub(rf"{sep}{re.escape(name)}\s*$", "", title)
        title = re.sub(rf"^\s*{re.escape(name)}{sep}", "", title)
    title = SITE_SUFFIX_RE.sub("", title)
    title = SITE_PREFIX_RE.sub("", title)
    return title.strip() or page_title


def is_site_name_only(title: str, *, site_names: Iterable[str | None] = ()) -> bool:
    """Whether a <title> names only the site ("云浮市人民政府网"): it is then no article title."""
    text = title.strip()
    return not text or text in {n for n in site_names if n} or bool(SITE_ONLY_RE.match(text))


def heading_before(
    info_line: Tag, *, site_names: Iterable[str | None], columns: frozenset[str] = frozenset()
) -> Tag | None:
    """The title box just before the info line, for pages whose title no selector names and the
    <title> does not repeat: the nearest preceding heading tag or title-classed box that does
    not name a column of the breadcrumb (``columns``)."""
    names = {n for n in site_names if n} | columns
    for element in info_line.find_all_previous(True, limit=MAX_HEADING_LOOKBACK):
        if any(parent is element for parent in info_line.parents):
            continue  # a box around the info line is not before it
        ident = " ".join([*(element.get("class") or []), str(element.get("id") or "")])
        if element.name not in HEADING_TAGS and not (ident and TITLE_TOKEN_RE.search(ident)):
            continue
        text = element_text(element)
        if (
            MIN_HEADING_CHARS <= len(text) <= MAX_HEADING_CHARS
            and _valid_title(text)
            and text not in names
            and not SITE_ONLY_RE.match(text)
            and not element.find(HEADING_BLOCKS)
            and not not_content(element)
        ):
            return _above_subtitle(element)
    return None


def _above_subtitle(heading: Tag) -> Tag:
    """The main heading when ``heading`` is a subtitle: an <h2> right after an <h1> (a lower
    heading directly under a higher one) is the subtitle, the higher one the title."""
    if heading.name not in HEADING_TAGS:
        return heading
    above = heading.find_previous_sibling(True)
    if (
        above is not None
        and above.name in HEADING_TAGS
        and above.name < heading.name  # "h1" < "h2": a higher rank
        and MIN_HEADING_CHARS <= len(text := element_text(above)) <= MAX_HEADING_CHARS
        and _valid_title(text)
        and not SITE_ONLY_RE.match(text)
    ):
        return above
    return heading


def _valid_title(text: str) -> bool:
    return 2 <= len(text) <= MAX_TITLE_CHARS and not BREADCRUMB_LABEL_RE.match(text)
