"""An article's body box: finding it, cutting it to the release, and reading its text.

The profile's ``selectors.body`` first; failing that (``ParseMethod.FALLBACK``) the element with
the most Chinese text, counted in its ``<p>`` children and its own strings (a content picture
counts as a line), that is not navigation and not the title or info line alone, does not come
before the title, and sits in the title's column (a closer common ancestor with the title beats
more text beside it). Paragraphs written as ``<div>``s are taken together, and so are the parts of
a body split into same-class boxes by a video player or a picture box. The title and the info
line count for nothing, and a labelled summary box (【摘要】, 导读：) is never the body.
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
LATIN_LETTER_RE = re.compile(r"[A-Za-z]")
# A body in another language (the English portal's copy of a release): Latin letters outnumber
# Chinese characters tenfold (an English word is ~5 letters, a Chinese word ~2 characters).
MIN_FOREIGN_LETTERS = 40
MAX_FOREIGN_RATIO = 10
NEVER_BODY_TAGS = frozenset({"body", "html", "[document]", "head", "title"})
IMAGE_WEIGHT_CJK = 20  # what one content picture counts for, in characters of Chinese text
BLOCK_TAG_LIST = sorted(BLOCK_TAGS)
PAGE_LINE_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6", "div")  # a title element a body box loses
HEADING_TAGS = ["h1", "h2", "h3", "h4", "h5", "h6"]
LAYOUT_TAGS = ["div", "section", "article", "center", "font"]
PARAGRAPH_LIKE_TAGS = ("div", "section", "article", "center")
# An editor's summary box set between the title and the body ("【摘要】…", "导读：…"): it repeats
# the release in brief and is no body, however close to the title it sits.
SUMMARY_LABEL_RE = re.compile(
    r"^[【\[(（]?\s*(?:内容)?(?:摘\s*要|导\s*读|提\s*要|核心提示)\s*[】\])）]?\s*[:：]?"
)
MAX_SUMMARY_CHARS = 300
# A body pasted from the WeChat editor is a run of <section> blocks, one or two paragraphs each.
MIN_FRAGMENTS = 3
TEXT_BLOCK_BREAKERS = sorted(BLOCK_TAGS - {"p", "div", "section", "center"})


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

    # The title and the info line count for nothing: a box holding only them (a header box
    # "<div><h2>title</h2><p>info line</p></div>") is no body, however close to the title.
    page_lines = {id(n) for e in exclude if e is not None for n in (e, *e.descendants)}
    for paragraph in soup.find_all("p"):
        if id(paragraph) not in page_lines:
            add(paragraph.parent, len(CJK_RE.findall(paragraph.get_text())))
    for string in soup.find_all(string=True):
        if (
            not isinstance(string, SKIP_TEXT_TYPES)
            and string.parent
            and string.parent.name != "p"
            and id(string) not in page_lines
        ):
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
        if _is_summary(element):
            continue
        qualified.append((element, score))
    if not qualified:
        return None, ParseMethod.FALLBACK
    # The body sits in the title's column: a box that shares a closer ancestor with the title
    # beats a longer one in a column beside it (a right-hand "最新动态" box), then the most text.
    heights = _ancestor_heights(after) if after is not None else {}
    best, _ = max(qualified, key=lambda pair: (-_column_height(pair[0], heights), pair[1]))
    body = _paragraph_parent(best, exclude=exclude)
    return _with_continuations(body), ParseMethod.FALLBACK


def _is_summary(element: Tag) -> bool:
    """A short box that starts with a summary label (【摘要】, 导读：)."""
    text = clean_text(element.get_text(" "))
    return len(text) <= MAX_SUMMARY_CHARS and bool(SUMMARY_LABEL_RE.match(text))


def _with_continuations(body: Tag) -> Tag:
    """A body written in several boxes of the same kind (``<div class="article-text">`` before
    and after a video player or a picture box) as one: the run of siblings from the first such
    box to the last is wrapped, in place, in one new box. Alone, the longest part would pass for
    the whole body (the first or last paragraphs silently lost)."""
    parent = body.parent
    classes = body.get("class")
    if parent is None or not classes or body.name not in PARAGRAPH_LIKE_TAGS:
        return body
    siblings = [c for c in parent.children if isinstance(c, Tag)]
    same = [
        i for i, c in enumerate(siblings)
        if c.name == body.name and c.get("class") == classes and _has_content(c)
    ]  # fmt: skip
    if len(same) < 2:
        return body
    run = siblings[same[0] : same[-1] + 1]
    parts = {id(siblings[i]) for i in same}
    for between in (c for c in run if id(c) not in parts):
        if not_content(between) or between.name in HEADING_TAGS or between.find(HEADING_TAGS):
            return body  # a heading or navigation between the parts: other sections, not one body
    wrapper = Tag(name="div")
    run[0].insert_before(wrapper)
    for element in run:
        wrapper.append(element.extract())
    return wrapper


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
    whose element children are all such paragraphs is the body, not its longest paragraph.

    So do the blocks of a WeChat-editor paste (``<section style=…>`` wrappers of different
    classes, each around a ``<p>`` or two): when no block holds most of the text and every
    sibling is such a block, their parent is the body."""
    parent = element.parent
    if (
        parent is not None
        and element.name in PARAGRAPH_LIKE_TAGS
        and element.find(BLOCK_TAG_LIST) is not None
    ):
        return _fragment_parent(element, parent=parent, exclude=exclude)
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


def _is_text_block(element: Tag) -> bool:
    """A box that holds only paragraphs, however nested (``<section><section><p>…``): no
    heading, list, table or navigation."""
    if element.name not in (*PARAGRAPH_LIKE_TAGS, "p") or not_content(element):
        return False
    return element.find(TEXT_BLOCK_BREAKERS) is None


def _fragment_parent(element: Tag, *, parent: Tag, exclude: tuple[Tag | None, ...]) -> Tag:
    # Editors wrap a block in wrappers of its own (<section><section><p>): climb them first.
    node = element
    while (
        parent.name in PARAGRAPH_LIKE_TAGS
        and parent.parent is not None
        and len([c for c in parent.children if isinstance(c, Tag) and c.name != "br"]) == 1
        and not any(e is not None and e is parent for e in exclude)
    ):
        node, parent = parent, parent.parent
    if node is not element and _fragment_parent_of(node, parent=parent, exclude=exclude) is node:
        return element  # the wrappers lead to no run of blocks: the scored box stays the body
    return _fragment_parent_of(node, parent=parent, exclude=exclude)


def _fragment_parent_of(element: Tag, *, parent: Tag, exclude: tuple[Tag | None, ...]) -> Tag:
    if (
        parent.name in NEVER_BODY_TAGS
        or not_content(parent)
        or any(e is not None and (e is parent or is_inside(e, parent)) for e in exclude)
        or not _is_text_block(element)
    ):
        return element
    siblings = [c for c in parent.children if isinstance(c, Tag) and c.name != "br"]
    if len(siblings) < MIN_FRAGMENTS or not all(_is_text_block(c) for c in siblings):
        return element
    total = len(CJK_RE.findall(parent.get_text()))
    own = len(CJK_RE.findall(element.get_text()))
    # One block with most of the text is the body itself (a share bar beside it is not body).
    return parent if 2 * own < total else element


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


def is_foreign_text(text: str) -> bool:
    """Whether ``text`` is written in a language other than Chinese (English, say): the product
    reads Chinese releases, and a foreign-language page is a copy of one, not a release of its own.
    """
    letters = len(LATIN_LETTER_RE.findall(text))
    if letters < MIN_FOREIGN_LETTERS:
        return False
    return letters > MAX_FOREIGN_RATIO * len(CJK_RE.findall(text))


def _has_content(element: Tag) -> bool:
    return bool(clean_text(element.get_text(" "))) or element.find("img", src=True) is not None
