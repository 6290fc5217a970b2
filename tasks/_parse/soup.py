"""The parse tree: building it from decoded HTML at one boundary, and asking where a node sits."""

from __future__ import annotations

import re
import warnings

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, Tag

from tasks.errors import ParseError

# Pages are always passed as markup, never as file names; a short page that looks like a path
# (a fuzzed or broken one) is still markup, so the warning is noise.
warnings.filterwarnings("ignore", category=MarkupResemblesLocatorWarning, module="bs4")

PARSER = "lxml"
XML_PROLOG_RE = re.compile(r"<\?xml[^>]*>", re.IGNORECASE)


def make_soup(html: str, *, url: str) -> BeautifulSoup:
    """Parse decoded HTML; anything but a ``str``, or a parser failure, is a ``ParseError``."""
    if not isinstance(html, str):
        raise ParseError(
            f"Expected decoded HTML (str) for {url}, got {type(html).__name__}.", url=url
        )
    # An XHTML page's "<?xml …?>" prolog means nothing to the HTML parser (bs4 would warn).
    html = XML_PROLOG_RE.sub("", html)
    try:
        return BeautifulSoup(html, PARSER)
    except Exception as exc:  # lxml/bs4 failures on hostile input: one boundary, cause kept
        raise ParseError(f"HTML of {url} could not be parsed: {exc}", url=url) from exc


def is_inside(node: object, ancestor: Tag) -> bool:
    """Whether ``ancestor`` is one of ``node``'s parents (a node is not inside itself)."""
    return any(parent is ancestor for parent in getattr(node, "parents", ()))
