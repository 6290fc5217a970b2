"""Page identity: canonical URLs, the CMS's ``post_NNNNNNN`` ids, and which links lead anywhere."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit, urlunsplit

from bs4 import Tag

from tasks._parse.text import ZERO_WIDTH_RE

POST_ID_RE = re.compile(r"/m?(post_\d+)\.s?html?$", re.IGNORECASE)
MOBILE_POST_RE = re.compile(r"/mpost_(\d+)(\.s?html?)$", re.IGNORECASE)
SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "vbscript:", "about:")
DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str, *, base: str | None = None) -> str:
    """The identity of a page: absolute, no fragment, lower-case host, no default port, the
    desktop ``post_`` form of a mobile ``mpost_`` page. The scheme and query are kept as given.

    >>> canonical_url("content/mpost_4960402.html#top", base="https://drc.gd.gov.cn/ywtz/")
    'https://drc.gd.gov.cn/ywtz/content/post_4960402.html'
    """
    url = ZERO_WIDTH_RE.sub("", url).strip()
    if base:
        url = urljoin(base, url)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    netloc = host
    try:
        port = parts.port
    except ValueError:  # a port that is not a number: keep the text as it came
        port = None
        netloc = parts.netloc.lower()
    if port is not None and DEFAULT_PORTS.get(scheme) != port:
        netloc = f"{host}:{port}"
    if parts.username:  # never expected on the portal; keep it rather than silently change identity
        netloc = parts.netloc.rsplit("@", 1)[0] + "@" + netloc
    path = MOBILE_POST_RE.sub(r"/post_\1\2", parts.path) or ("/" if netloc else "")
    return urlunsplit((scheme, netloc, path, parts.query, ""))


def post_id(url: str) -> str | None:
    """The CMS's article id, ``post_NNNNNNN``, from an article URL (mobile ``mpost_`` too)."""
    match = POST_ID_RE.search(urlsplit(url.strip()).path)
    return match.group(1).lower() if match else None


def usable_href(link: Tag) -> bool:
    """Whether a link goes to a page or file: not empty, not ``#…``, not ``javascript:`` and kin."""
    href = str(link.get("href", "")).strip()
    return bool(href) and not href.startswith("#") and not href.lower().startswith(SKIP_SCHEMES)
