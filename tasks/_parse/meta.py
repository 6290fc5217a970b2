"""What a page's ``<head>`` says: the government meta tags, the ``<base>`` URL, the keywords."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup

from tasks._parse.text import plain_text

META_KEYWORDS_SPLIT_RE = re.compile(r"[,，;；、|\s]+")


def meta_tags(soup: BeautifulSoup) -> dict[str, str]:
    """``<meta name=… content=…>`` as a dict, names lower-case, the first of each name kept."""
    found: dict[str, str] = {}
    # The CMS writes its meta tags in <head>; a page whose parse put none there is searched whole.
    head = soup.head
    tags = head.find_all("meta") if head is not None else []
    if not any(str(t.get("name") or "").lower() == "articletitle" for t in tags):
        tags = soup.find_all("meta")
    for tag in tags:
        name = str(tag.get("name") or "").strip().lower()
        content = str(tag.get("content") or "").strip()
        if name and content and name not in found:
            found[name] = content
    return found


def base_url(soup: BeautifulSoup, url: str) -> str:
    """What relative links resolve against: an http(s) ``<base href>``, else the page's URL."""
    base = (soup.head or soup).find("base", href=True)
    if base is not None:
        joined = urljoin(url, str(base["href"]).strip())
        if urlsplit(joined).scheme in ("http", "https"):
            return joined
    return url


def keywords(raw: str) -> tuple[str, ...]:
    """The Keywords meta content split at any separator, in order, without repeats."""
    seen: dict[str, None] = {}
    for word in META_KEYWORDS_SPLIT_RE.split(plain_text(raw)):
        if word:
            seen.setdefault(word, None)
    return tuple(seen)
