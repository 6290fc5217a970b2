"""CSS selector lists from site profiles, matched in priority order.

A profile names each element as a comma-separated list ("div.TRS_Editor, div.article-content,
#zoom"); the first selector that matches wins, so matches come out selector by selector. Plain
``tag.class#id`` parts are matched in Python; anything else goes to soupsieve.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

import soupsieve
from bs4 import BeautifulSoup, Tag
from soupsieve import SelectorSyntaxError

from tasks.errors import SettingsError

_SIMPLE_SELECTOR_RE = re.compile(
    r"(?P<tag>[A-Za-z][A-Za-z0-9-]*|\*)?(?P<rest>(?:[.#][A-Za-z_][A-Za-z0-9_-]*)*)"
)
_SIMPLE_TOKEN_RE = re.compile(r"[.#][A-Za-z0-9_-]+")
SimpleSelector = tuple[str | None, frozenset[str], str | None]  # tag, classes, id


def select_in_order(soup: BeautifulSoup | Tag, selectors: str) -> Iterator[Tag]:
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
    matched = list(compiled_selector(", ".join(parts)).select(soup))
    if len(parts) == 1:
        yield from matched
        return
    for part in parts:
        pattern = compiled_selector(part)
        for element in matched:
            if pattern.match(element):
                yield element


@functools.lru_cache(maxsize=256)
def compiled_selector(selector: str) -> soupsieve.SoupSieve:
    """The selector compiled once; an invalid one is the profile's fault: ``SettingsError``."""
    try:
        return soupsieve.compile(selector)
    except (SelectorSyntaxError, ValueError, NotImplementedError) as exc:
        raise SettingsError(
            f"Invalid CSS selector in the site profile: {selector!r}: {exc}"
        ) from exc


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
