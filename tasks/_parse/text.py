"""Visible text of parsed HTML: block-aware lines, whitespace folded, markup in attributes removed.

Chinese text has no spaces between words, so inline markup is joined without one; a block element
or ``<br>`` starts a new line, and table cells are joined by a space (tasks/extract.py reads a table
row as one line: 日期 活动 地点).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape as unescape_entities

from bs4 import Tag
from bs4.element import (
    Comment,
    Declaration,
    Doctype,
    NavigableString,
    ProcessingInstruction,
)

BLOCK_TAGS = frozenset(
    "address article aside blockquote center dd details div dl dt figcaption figure footer form "
    "h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody tfoot thead tr "
    "ul caption".split()
)
CELL_TAGS = frozenset({"td", "th"})
SKIP_TEXT_TYPES = (Comment, Declaration, Doctype, ProcessingInstruction)
SPACES_RE = re.compile(r"[ \t\r\f\v\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
ZERO_WIDTH_RE = re.compile(r"[\u200b-\u200d\u2060\ufeff]")
SCRIPT_BLOCK_RE = re.compile(
    r"<(script|style|noscript|template|title)\b.*?(?:</\1\s*>|$)", re.IGNORECASE | re.DOTALL
)
TAG_RE = re.compile(r"</?[A-Za-z!][^<>]*>|</?[A-Za-z!][^<>]*$")


def text_lines(element: Tag) -> Iterator[str]:
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
                line = clean_text("".join(parts))
                parts.clear()
                if line:
                    yield line
            continue
        if isinstance(node, Tag):
            if node.name == "br":
                line = clean_text("".join(parts))
                parts.clear()
                if line:
                    yield line
                continue
            if node.name in BLOCK_TAGS:
                line = clean_text("".join(parts))
                parts.clear()
                if line:
                    yield line
                stack.append((True, node))
            elif node.name in CELL_TAGS:
                stack.append((True, node))
            stack.extend((False, c) for c in reversed(node.contents))
        elif isinstance(node, NavigableString) and not isinstance(node, SKIP_TEXT_TYPES):
            parts.append(str(node))
    line = clean_text("".join(parts))
    if line:
        yield line


def clean_text(text: str) -> str:
    """``text`` on one line: zero-width characters gone, every run of white space one space."""
    text = ZERO_WIDTH_RE.sub("", text)
    return SPACES_RE.sub(" ", " ".join(text.split())).strip()


def element_text(element: Tag) -> str:
    """An element's text as one line: inline markup joined without spaces (Chinese has none),
    blocks and <br> separated by one."""
    return " ".join(text_lines(element))


def plain_text(text: str) -> str:
    """Text that may carry markup or entities (meta content, title attributes) as plain text."""
    if not text:
        return ""
    if "<" in text or "&" in text:
        text = SCRIPT_BLOCK_RE.sub("", text)
        text = unescape_entities(TAG_RE.sub("", text))
        text = SCRIPT_BLOCK_RE.sub("", text)  # markup that was entity-escaped once
        text = TAG_RE.sub("", text)
    return clean_text(text)
