"""An article's body box: finding it, cutting it to the release, and reading its text.

The profile's ``selectors.body`` first; failing that (``ParseMethod.FALLBACK``) the element with
the most Chinese text, counted in its ``<p>`` children and its own strings, that is not navigation
and not the title or info line alone.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bs4 import BeautifulSoup, Tag

from tasks._parse.chrome import CHROME_INLINE_RE, is_chrome_text, not_content
from tasks._parse.info_line import is_labelled_info_line
from tasks._parse.css import select_in_order
from tasks._parse.soup import is_inside
from tasks._parse.text import BLOCK_TAGS, SKIP_TEXT_TYPES, clean_text, text_lines
from tasks.models import ParseMethod

if TYPE_CHECKING:  # settings pulls in pydantic-settings; parsing only needs the profile's fields
    from tasks.settings import Selectors

CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
MIN_FALLBACK_CJK = 20  # characters of Chinese text for a generic body candidate
BLOCK_TAG_LIST = sorted(BLOCK_TAGS)
PAGE_LINE_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6", "div")  # a title element a body box loses
LAYOUT_TAGS = ["div", "section", "article", "center", "font"]
PARAGRAPH_LIKE_TAGS = ("div", "section", "article", "center")


def find_body(
    soup: BeautifulSoup, selectors: Selectors, *, exclude: tuple[Tag | None, ...]
) -> tuple[Tag | None, ParseMethod]:
    """The body box and how it was found; ``(None, FALLBACK)`` when nothing qualifies."""
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
    ranked = sorted(scores.values(), key=lambda pair: pair[1], reverse=True)
    for element, score in ranked:
        if score < MIN_FALLBACK_CJK:
            break
        if element.name in ("body", "html", "[document]") or not_content(element):
            continue
        if any(e is not None and (e is element or is_inside(element, e)) for e in exclude):
            continue  # the title or the info line alone is not a body
        return element, ParseMethod.FALLBACK
    return None, ParseMethod.FALLBACK


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
