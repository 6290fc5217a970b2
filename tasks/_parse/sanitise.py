"""Release HTML reduced to a safe tag set (nh3) with absolute URLs, for feeds and review pages."""

from __future__ import annotations

import re
from typing import Literal

import nh3

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
