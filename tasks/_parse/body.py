"""An article's body box: finding it, cutting it to the release, and reading its text.

The profile's ``selectors.body`` first; failing that (``ParseMethod.FALLBACK``) the element with
the most Chinese text, counted in its ``<p>`` children and its own strings (a content picture
counts as a line), that is not navigation and not the title or info line alone, does not come
before the title, and sits in the title's column (a closer common ancestor with the title beats
more text beside it). Paragraphs written as ``<div>``s are taken together.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bs4 import BeautifulSoup, Tag

from tasks._parse.chrome import CHROME_INLINE_RE, is_chrome_text, not_content
from tasks._parse.info_line import is_labelled_info_line
from tasks._parse.media import ICON_SRC_RE, MIN_IMAGE_SIDE
from tasks._parse.css import select_in_order
from tasks._parse.soup import is_inside
from tasks._parse.text import BLOCK_TAGS, SKIP_TEXT_TYPES, clean_text, text_lines
from tasks.models import ParseMethod

if TYPE_CHECKING:  # settings pulls in pydantic-settings; parsing only needs the profile's fields
    from tasks.settings import Selectors

CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
MIN_FALLBACK_CJK = 20  # characters of Chinese text for a generic body candidate
NEVER_BODY_TAGS = frozenset({"body", "html", "[document]", "head", "title"})
IMAGE_WEIGHT_CJK = 20  # what one content picture counts for, in characters of Chinese text
BLOCK_TAG_LIST = sorted(BLOCK_TAGS)
PAGE_LINE_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6", "div")  # a title element a body box loses
LAYOUT_TAGS = ["div", "section", "article", "center", "font"]
PARAGRAPH_LIKE_TAGS = ("div", "section", "article", "center")


def find_body(
    soup: BeautifulSoup,
    selectors: Selectors,
    *,
    exclude: tuple[Tag | None, ...],
    after: Tag | None = None,
) -> tuple[Tag | None, ParseMethod]:
    """The body box and how it was found; ``(None, FALLBACK)`` when nothing qualifies.

    ``after`` is the title element: a fallback candidate before it in the page (a left column,
    a banner) is not the body, unless it holds the title (a broad box)."""
    for element in select_in_order(soup, selectors.body):
        if _has_content(element) and not not_content(element):
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
    # A picture weighs like a line of text, so an image release ("一图读懂": one picture, one
    # caption) has a body; it counts where its paragraph counts.
    for img in soup.find_all("img"):
        if _is_picture(img):
            holder = img.find_parent("p")
            add(holder.parent if holder is not None else img.parent, IMAGE_WEIGHT_CJK)
    # The body follows the title: a box before it (a left column, a banner) is not the body.
    order = {id(e): i for i, e in enumerate(soup.find_all(True))} if after is not None else {}
    after_at = order.get(id(after), -1)
    qualified: list[tuple[Tag, int]] = []
    for element, score in scores.values():
        if score < MIN_FALLBACK_CJK:
            continue
        if element.name in NEVER_BODY_TAGS or not_content(element):
            continue
        if any(e is not None and (e is element or is_inside(element, e)) for e in exclude):
            continue  # the title or the info line alone is not a body
        if order.get(id(element), after_at) < after_at and not is_inside(after, element):
            continue
        qualified.append((element, score))
    if not qualified:
        return None, ParseMethod.FALLBACK
    # The body sits in the title's column: a box that shares a closer ancestor with the title
    # beats a longer one in a column beside it (a right-hand "最新动态" box), then the most text.
    heights = _ancestor_heights(after) if after is not None else {}
    best, _ = max(qualified, key=lambda pair: (-_column_height(pair[0], heights), pair[1]))
    return _paragraph_parent(best, exclude=exclude), ParseMethod.FALLBACK


def _ancestor_heights(element: Tag) -> dict[int, int]:
    """Levels from ``element`` up to each of its ancestors (itself 0)."""
    return {id(node): level for level, node in enumerate((element, *element.parents))}


def _column_height(element: Tag, heights: dict[int, int]) -> int:
    """How far above the title its lowest common ancestor with ``element`` is (0 without one)."""
    if not heights:
        return 0
    for node in (element, *element.parents):
        if id(node) in heights:
            return heights[id(node)]
    return len(heights)


def _paragraph_parent(element: Tag, *, exclude: tuple[Tag | None, ...]) -> Tag:
    """Paragraphs written as ``<div>``s (UEditor, hand-made pages) score one by one: the box
    whose element children are all such paragraphs is the body, not its longest paragraph."""
    parent = element.parent
    if (
        element.name not in PARAGRAPH_LIKE_TAGS
        or element.find(BLOCK_TAG_LIST) is not None
        or parent is None
        or parent.name in NEVER_BODY_TAGS
        or not_content(parent)
        or any(e is not None and e is parent for e in exclude)
    ):
        return element
    siblings = [c for c in parent.children if isinstance(c, Tag) and c.name != "br"]
    paragraphs = [
        c for c in siblings
        if c.name in (*PARAGRAPH_LIKE_TAGS, "p") and c.find(BLOCK_TAG_LIST) is None
    ]  # fmt: skip
    if len(paragraphs) >= 2 and len(paragraphs) == len(siblings):
        return parent
    return element


def _is_picture(img: Tag) -> bool:
    """A content picture, not an icon, spacer, logo or banner (by its address and size)."""
    src = str(img.get("src") or img.get("data-src") or img.get("oldsrc") or "")
    if not src or src.startswith(("data:", "javascript:")) or ICON_SRC_RE.search(src):
        return False
    for attribute in ("width", "height"):
        value = re.match(r"\s*(\d+)", str(img.get(attribute) or ""))
        if value and int(value.group(1)) < MIN_IMAGE_SIDE:
            return False
    return True


def article_scope(body: Tag, title_element: Tag | None) -> Tag:
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


def strip_page_lines(body: Tag, *, title_element: Tag | None, info_line: Tag | None) -> None:
    """A body box that also holds the title heading or the info line (a broad "div.content")
    loses them: they are the page's, not the release's, text."""
    if info_line is not None and is_inside(info_line, body):
        # Only a line that says what it is: a body paragraph that merely holds a date stays.
        if is_labelled_info_line(clean_text(info_line.get_text(" "))):
            info_line.decompose()
    if (
        title_element is not None
        and not title_element.decomposed
        and is_inside(title_element, body)
        and title_element.name in PAGE_LINE_TAGS
    ):
        title_element.decompose()


def prepare_for_html(body: Tag) -> None:
    """Keep paragraph structure through the sanitiser: a ``<div>`` holding only inline content
    becomes a ``<p>``; other layout boxes are unwrapped (nh3 keeps their text)."""
    for div in list(body.find_all(LAYOUT_TAGS)):
        if div.decomposed:
            continue
        if div.name in PARAGRAPH_LIKE_TAGS and not div.find(BLOCK_TAG_LIST):
            div.name = "p"
            div.attrs = {}


def html_to_text(element: Tag) -> str:
    """The visible text of ``element``: one line per block, whitespace normalised, no chrome."""
    lines = []
    for line in text_lines(element):
        line = CHROME_INLINE_RE.sub("", line).strip()
        if line and not is_chrome_text(line):
            lines.append(line)
    return "\n".join(lines)


def _has_content(element: Tag) -> bool:
    return bool(clean_text(element.get_text(" "))) or element.find("img", src=True) is not None
