"""List pages (``index.html``, ``index_2.html`` …): the release links and the next page.

Items are the rows (``<li>``, ``<tr>``, ``<dd>``; failing those, four or more small ``<div>`` /
``<p>`` boxes) of one container. The profile's ``selectors.list_item`` proposes rows (an empty
selector proposes none); otherwise every container competes. A container wins by dated rows
first, then by how close the pager follows it (a sidebar of "latest news" can outnumber a
column's last page), then by its number of dated and article-linking rows.

A container's rows that link under the list page's own directory (``…/xwfbh/index.html`` →
``…/xwfbh/content/post_….html``) count before the number of dated rows: a dated 图片新闻
carousel of another column does not outweigh the column's own short last page. Box rows fewer
than four are a list only right above the pager, each dated and linked.

A row's date is a full date (2024-12-12, 2024/12/12, 2024年12月12日) in a date element or in a
short text of its own; a date inside a sentence (an item's summary: "将于2024年12月20日起…") is
not the row's date. A month and day alone ("[12-12]") is completed only by the year of a date in
the item's URL that agrees with it (TRS ``t20241212_…``, Hanweb ``/art/2024/12/12/``), or by
a month header row above it ("2024年12月") whose month agrees, never guessed. A box row may be
the link itself (``<a class="card"><div class="title">…</div><div class="date">…</div></a>``). A title loses a pin label ("[置顶]") and a date that sits inside the link.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Tag

from tasks._parse.chrome import not_content
from tasks._parse.dates import parse_date
from tasks._parse.pager import find_pager, next_page
from tasks._parse.css import compiled_selector
from tasks._parse.soup import is_inside, make_soup
from tasks._parse.text import SKIP_TEXT_TYPES, clean_text, element_text, plain_text
from tasks._parse.urls import canonical_url, usable_href
from tasks.errors import LayoutNotRecognised
from tasks.models import ListItem, ListPage

if TYPE_CHECKING:  # settings pulls in pydantic-settings; parsing only needs the profile's fields
    from tasks.settings import Selectors, SiteProfile

ARTICLE_HREF_RE = re.compile(
    r"/m?post_\d+\.s?html?|/content/|/t\d{8}_\d+\.s?html?|/art/\d{4}/\d{1,2}/\d{1,2}/",
    re.IGNORECASE,
)
MIN_UNDATED_ARTICLES = 3  # rows linking article pages that make an undated list a list
LIST_DATE_CLASS_RE = re.compile(r"time|date|rq", re.IGNORECASE)
ROW_TAGS = ["li", "tr", "dd"]
# Rows some templates write as boxes (<div class="item">, <p>): used only where a container has
# no <li>/<tr>/<dd> rows, and only boxes small enough to be one item (a layout column is not).
# A row may also be the link itself: <a class="card"><div class="title">…</div><div class="date">.
BOX_ROW_TAGS = ["div", "p", "dt", "a"]
MAX_BOX_ROW_LINKS = 3
# Boxes are weaker evidence than <li>/<tr> (every layout uses divs): a few boxes that each hold a
# link and a date may be a teaser block, so box rows need this many (a short last page of such a
# list is refused, LayoutNotRecognised, rather than guessed).
MIN_BOX_ROWS = 4
MAX_BOX_ROW_CHARS = 300
MAX_LIST_LEVELS_UP = 3  # an article body that is one item of a list: its list is this close
MAX_BOX_PAGER_DISTANCE = 2  # levels up from a short box list to the pager's box
# A text piece outside the link is read for the row's date unless it is a sentence (an item's
# summary): a piece this short is a date, maybe labelled ("发布日期：2024-12-12"), never a sentence.
MAX_PLAIN_DATE_PIECE_CHARS = 16
SENTENCE_MARK_RE = re.compile(r"[，。；！？,;!?]")
CONTAINER_TAGS = ["ul", "ol", "tbody", "table", "div", "dl"]
# "[12-12]", "12-12", "12/12", "12月12日": a date without its year; the year must come from the
# item's URL (TRS ".../202412/t20241212_1.html", Hanweb ".../art/2024/12/12/..."), never a guess.
SHORT_DATE_RE = re.compile(
    r"(?<![\d-])(?P<m>\d{1,2})\s*(?:[-/.]|月)\s*(?P<d>\d{1,2})(?![\d-])\s*日?"
)
URL_DATE_RES = (
    re.compile(r"/t(?P<y>(?:19|20)\d{2})(?P<m>\d{2})(?P<d>\d{2})_\d+"),
    re.compile(r"/(?P<y>(?:19|20)\d{2})[-/]?(?P<m>\d{1,2})[-/](?P<d>\d{1,2})/"),
    re.compile(r"/(?P<y>(?:19|20)\d{2})(?P<m>\d{2})/"),
)
# A header row that names only a month ("2024年12月", "2024-12") gives the year to the rows under
# it whose dates are "12-12"; only a row whose month agrees takes it.
MONTH_HEADER_RE = re.compile(
    r"^\s*(?P<y>(?:19|20)\d{2})\s*(?:年|[-/.])\s*(?P<m>\d{1,2})\s*月?\s*$"
)
# A date the link text ends with ("…发布会 2024-12-12", "…发布会[2024-12-12]"): not the title.
TRAILING_DATE_RE = re.compile(
    r"\s*[\[(（【]?\s*(?:19|20)\d{2}\s*(?:[-/.]|年)\s*\d{1,2}\s*(?:[-/.]|月)\s*\d{1,2}\s*日?"
    r"\s*[\])）】]?\s*$"
)
# A pinned item's label in front of its title: "[置顶]", "【置顶】", "置顶", "[顶]".
PIN_LABEL_RE = re.compile(
    r"^\s*(?:[\[【(（]\s*(?:置顶|置頂|顶|top)\s*[\]】)）]|置顶|置頂)\s*", re.IGNORECASE
)


def parse_list_page(html: str, *, url: str, profile: SiteProfile) -> ListPage:
    """Release links and the next page of one list page (``index.html``, ``index_2.html`` …).

    Items are the ``<li>`` children of the list container chosen by the profile's
    ``selectors.list_item`` (failing that: the element with the most ``<li>`` children that each
    hold a link and a date). Links are absolute and canonical, de-duplicated (first kept);
    links to hosts off the profile's allow-list are kept with ``off_site=True``.

    Raises ``LayoutNotRecognised`` (with the URL) when the page has no such list.
    """
    soup = make_soup(html, url=url)
    page_url = canonical_url(url)
    selectors = profile.selectors
    pager = find_pager(soup, selectors)
    rows = _find_list_rows(soup, selectors, pager=pager, page_url=page_url)
    if not rows:
        raise LayoutNotRecognised(
            f"No release list on {url}: looked for list items {selectors.list_item!r} and, "
            "failing that, an element whose <li> children each hold a link and a date "
            "(YYYY-MM-DD).",
            url=url,
        )
    items: list[ListItem] = []
    seen: set[str] = set()
    month: tuple[int, int] | None = None  # the year and month of the last month header row
    for row in rows:
        item = _list_item(row, page_url=page_url, profile=profile, month=month)
        if item is None:
            header = MONTH_HEADER_RE.match(clean_text(row.get_text(" ")))
            if header is not None and _row_link(row) is None:
                month = (int(header["y"]), int(header["m"]))
            continue
        if item.url in seen:
            continue
        seen.add(item.url)
        items.append(item)
    if not items:
        raise LayoutNotRecognised(
            f"No release links on {url}: the list matched but none of its items holds an "
            "http(s) link.",
            url=url,
        )
    next_url, page_count = next_page(soup, pager=pager, page_url=page_url)
    return ListPage(url=page_url, items=tuple(items), next_url=next_url, page_count=page_count)


def holds_release_list(box: Tag) -> bool:
    """Whether ``box`` (an article page's body) is, or sits in, a list of releases: three or more
    rows that each link an article page and carry a date, holding at least half of the text. A
    list page whose items have summaries has enough Chinese text to pass for a body (or its first
    item does); a release that ends with a short "related" list holds no such list."""
    # The body may be one item of a list (the first item's summary): its list is a few levels up.
    list_box: Tag | None = None
    node = box
    for _ in range(MAX_LIST_LEVELS_UP):
        parent = node.parent
        if parent is None or parent.name in ("body", "html", "[document]"):
            break
        if _has_row_siblings(node):
            list_box = parent
            break
        node = parent
    # Most bodies link no article page at all: a quick look before any row is read.
    scope = list_box or box
    found = scope.find_all("a", href=ARTICLE_HREF_RE, limit=MIN_UNDATED_ARTICLES)
    if len(found) < MIN_UNDATED_ARTICLES:
        return False
    total = len(clean_text(box.get_text(" ")))
    above = (list_box,) if list_box is not None else ()
    for container in (*above, box, *box.find_all(CONTAINER_TAGS)):
        rows = _rows_of(container)
        if len(rows) < MIN_UNDATED_ARTICLES:
            continue
        listed = [
            row for row in rows
            if (link := _row_link(row)) is not None
            and ARTICLE_HREF_RE.search(str(link["href"])) and _row_date(row)
        ]  # fmt: skip
        if len(listed) < MIN_UNDATED_ARTICLES:
            continue
        whole = len(clean_text(container.get_text(" "))) if container is list_box else total
        if 2 * sum(len(clean_text(row.get_text(" "))) for row in listed) >= whole:
            return True
    return False


def _has_row_siblings(node: Tag) -> bool:
    """Whether ``node`` is one of several alike siblings (same tag and class): a list's row."""
    parent = node.parent
    if parent is None:
        return False
    name, classes = node.name, node.get("class")
    alike = 0
    for sibling in parent.children:
        if isinstance(sibling, Tag) and sibling.name == name and sibling.get("class") == classes:
            alike += 1
            if alike >= MIN_UNDATED_ARTICLES:
                return True
    return False


def _find_list_rows(
    soup: BeautifulSoup, selectors: Selectors, *, pager: Tag | None, page_url: str
) -> list[Tag]:
    # Rows the profile's selectors match, grouped by their container; the containers compete.
    groups: dict[int, tuple[Tag, list[Tag]]] = {}
    # An empty selector is a profile that names no list items: only the generic search runs.
    matched = (
        compiled_selector(selectors.list_item).select(soup) if selectors.list_item.strip() else []
    )
    for row in matched:
        if row.parent is not None:
            groups.setdefault(id(row.parent), (row.parent, []))[1].append(row)
    best = _best_group(groups.values(), pager=pager, page_url=page_url)
    if best:
        # Take every row of the winning container, not only those the selector matched: an item
        # without a date (a pinned notice, say) is still an item.
        container, _ = best
        return _rows_of(container) or best[1]
    generic: list[tuple[Tag, list[Tag]]] = []
    for container in soup.find_all(CONTAINER_TAGS):
        rows = _rows_of(container, pager=pager)
        if rows:
            generic.append((container, rows))
    best = _best_group(generic, pager=pager, page_url=page_url)
    return best[1] if best else []


def _rows_of(container: Tag, *, pager: Tag | None = None) -> list[Tag]:
    rows = container.find_all(ROW_TAGS, recursive=False)
    if rows:
        return rows
    boxes = [
        box
        for box in container.find_all(BOX_ROW_TAGS, recursive=False)
        if len(box.find_all("a", href=True, limit=MAX_BOX_ROW_LINKS + 1)) <= MAX_BOX_ROW_LINKS
        and len(box.get_text()) <= MAX_BOX_ROW_CHARS
    ]
    if len(boxes) >= MIN_BOX_ROWS:
        return boxes
    # A short last page (1-3 boxes) of a box list: only right above the pager, and only if every
    # box is an item (a link and a date); a teaser block elsewhere stays no list.
    if boxes and pager is not None and not is_inside(pager, container):
        distance = _pager_distance(container, pager, levels=MAX_BOX_PAGER_DISTANCE)
        if distance is not None and all(_row_link(b) and _row_date(b) for b in boxes):
            return boxes
    return []


def _best_group(
    groups: Iterable[tuple[Tag, list[Tag]]], *, pager: Tag | None, page_url: str = ""
) -> tuple[Tag, list[Tag]] | None:
    best: tuple[tuple[int, ...], tuple[Tag, list[Tag]]] | None = None
    directory = _directory(page_url)
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
            articles < MIN_UNDATED_ARTICLES or distance is None or not_content(container)
        ):
            continue  # undated links count only as the list right above the pager
        # Items of this column live under its directory; a carousel of another column does not.
        own = sum(
            1 for link in links
            if link is not None and directory
            and canonical_url(str(link["href"]), base=page_url).startswith(directory)
        )  # fmt: skip
        score = (int(dated > 0), -(distance or 99), own, dated, articles, len(rows))
        if best is None or score > best[0]:
            best = (score, (container, rows))
    return best[1] if best else None


def _directory(page_url: str) -> str:
    """The list page's directory ("https://host/xw/xwfbh/"), or "" for a site's root."""
    parts = urlsplit(page_url)
    path = parts.path.rsplit("/", 1)[0] + "/"
    return f"{parts.scheme}://{parts.netloc}{path}" if path != "/" else ""


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
    links = [row] if row.name == "a" and row.get("href") else row.find_all("a", href=True)
    for link in links:
        if not usable_href(link):
            continue
        if clean_text(link.get_text(" ")) or clean_text(str(link.get("title") or "")):
            return link
    return None


def _row_date(row: Tag, *, month: tuple[int, int] | None = None) -> date | None:
    # A date element first (span.time, span.pubDate, em.date …), then any text outside the link:
    # the title itself may carry a date that is not the publication date.
    date_elements = row.find_all(class_=LIST_DATE_CLASS_RE)
    for element in date_elements:
        found = parse_date(element.get_text(" ")) or parse_date(str(element.get("aria-label", "")))
        if found:
            return found
    link = _row_link(row)
    outside = " ".join(
        str(s)
        for s in row.find_all(string=True)
        if not isinstance(s, SKIP_TEXT_TYPES)
        and (link is None or not is_inside(s, link))
        and not _is_sentence(str(s))
    )
    found = parse_date(outside)
    if found is not None or link is None:
        return found
    return _short_date(outside, href=str(link["href"]), month=month)


def _is_sentence(piece: str) -> bool:
    """A summary's sentence, whose dates are the events', not the row's: sentence punctuation
    or a long text around the date."""
    text = clean_text(piece)
    if len(text) <= MAX_PLAIN_DATE_PIECE_CHARS:
        return False
    return bool(SENTENCE_MARK_RE.search(text)) or len(text) > MAX_BOX_ROW_CHARS // 4


def _short_date(
    text: str, *, href: str, month: tuple[int, int] | None = None
) -> date | None:
    """A month-day date ("[12-12]") completed by the year its item's URL carries, or else by a
    month header row above it (``month``: "2024年12月") whose month agrees; None when neither
    gives the year (the year is never guessed)."""
    match = SHORT_DATE_RE.search(text)
    if match is None:
        return None
    header = month
    month, day = int(match["m"]), int(match["d"])
    if header is not None and header[1] == month and not any(p.search(href) for p in URL_DATE_RES):
        try:
            return date(header[0], month, day)
        except ValueError:
            return None
    for pattern in URL_DATE_RES:
        found = pattern.search(href)
        if found is None:
            continue
        url_day = int(found["d"]) if "d" in found.groupdict() else day
        if int(found["m"]) != month or url_day != day:
            return None
        try:
            return date(int(found["y"]), month, day)
        except ValueError:
            return None
    return None


def _link_title(link: Tag) -> str:
    """The link's text less a date it also shows (rows where the whole item is the link:
    ``<a><span class="title">…</span><span class="date">2024-12-12</span></a>``)."""
    dated = [
        e
        for e in link.find_all(class_=LIST_DATE_CLASS_RE)
        if parse_date(e.get_text(" ")) is not None
    ]
    if not dated:
        return TRAILING_DATE_RE.sub("", element_text(link)).strip() or element_text(link)
    parts = [
        str(s)
        for s in link.find_all(string=True)
        if not isinstance(s, SKIP_TEXT_TYPES) and not any(is_inside(s, e) for e in dated)
    ]
    return clean_text("".join(parts)) or element_text(link)


def _list_item(
    row: Tag, *, page_url: str, profile: SiteProfile, month: tuple[int, int] | None = None
) -> ListItem | None:
    link = _row_link(row)
    if link is None:
        return None
    url = canonical_url(str(link["href"]), base=page_url)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    title = plain_text(str(link.get("title") or "")) or _link_title(link)
    title = PIN_LABEL_RE.sub("", title).strip()
    if not title:
        return None
    return ListItem(
        url=url,
        title=title,
        published=_row_date(row, month=month),
        off_site=not profile.host_allowed(parts.hostname),
    )
