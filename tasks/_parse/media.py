"""A release's pictures and attached files, with absolute URLs; icons and tracking pixels left out."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from bs4 import Tag

from tasks._parse.text import element_text, plain_text
from tasks._parse.urls import SKIP_SCHEMES, canonical_url, usable_href
from tasks.models import Attachment, Image

ATTACHMENT_EXTS = (
    ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".zip", ".rar", ".7z", ".wps", ".ofd", ".et",
    ".ppt", ".pptx", ".txt", ".csv",
)  # fmt: skip
IMAGE_EXTS = (".jpg", ".jpeg", ".png", ".gif", ".bmp", ".webp", ".svg", ".tif", ".tiff")
# Lazy-loading scripts keep the real address in data-src / data-original; old CMS pages in oldsrc.
IMAGE_SRC_ATTRIBUTES = ("src", "data-src", "data-original", "oldsrc")
# Icons, spacers and counters that are not pictures of the release.
ICON_SRC_RE = re.compile(
    r"(?:^|[/_-])(?:icon|ico|spacer|blank|pixel|1x1|clear|dot|share|print|qrcode|ewm|logo)"
    r"(?:[_-][\w-]*)?\d*\.\w+$|/(?:icons?|ico)/|[?&](?:stat|track)",
    re.IGNORECASE,
)
MIN_IMAGE_SIDE = 24  # px; smaller declared sizes are icons or tracking pixels


def attachments(scope: Tag, *, base: str) -> list[Attachment]:
    """Links to files (by extension, or under ``/attachment/``) in ``scope``, first of each URL kept."""
    found: dict[str, Attachment] = {}
    for link in scope.find_all("a", href=True):
        if not usable_href(link):
            continue
        url = canonical_url(str(link["href"]), base=base)
        parts = urlsplit(url)
        path = unquote(parts.path).lower()
        if parts.scheme not in ("http", "https"):
            continue
        is_file = path.endswith(ATTACHMENT_EXTS)
        under_attachment = "/attachment/" in path and not path.endswith(IMAGE_EXTS)
        if not (is_file or under_attachment) or url in found:
            continue
        name = (
            element_text(link)
            or plain_text(str(link.get("title") or ""))
            or unquote(parts.path.rsplit("/", 1)[-1])
        )
        found[url] = Attachment(url=url, name=name)
    return list(found.values())


def take_images(body: Tag, *, base: str) -> list[Image]:
    """The body's pictures. Rewrites each kept ``<img src>`` to its absolute URL and removes the
    rest (icons, tracking pixels, ``data:`` and script URLs) from ``body``."""
    found: dict[str, Image] = {}
    for img in list(body.find_all("img")):
        src = ""
        for attribute in IMAGE_SRC_ATTRIBUTES:
            value = str(img.get(attribute) or "").strip()
            if value and not value.lower().startswith(SKIP_SCHEMES):
                src = value
                break
        url = canonical_url(src, base=base) if src else ""
        if not url or urlsplit(url).scheme not in ("http", "https") or _is_icon(img, url):
            img.decompose()  # tracking pixels, icons, data: and script URLs stay out of the HTML
            continue
        img["src"] = url
        if url not in found:
            alt = plain_text(str(img.get("alt") or "")) or plain_text(str(img.get("title") or ""))
            found[url] = Image(url=url, alt=alt)
    return list(found.values())


def _is_icon(img: Tag, url: str) -> bool:
    for attribute in ("width", "height"):
        value = re.match(r"\s*(\d+)", str(img.get(attribute) or ""))
        if value and int(value.group(1)) < MIN_IMAGE_SIDE:
            return True
    parts = urlsplit(url)
    return bool(ICON_SRC_RE.search(parts.path + ("?" + parts.query if parts.query else "")))
