"""Bytes to text: BOM, then the Content-Type charset, then ``<meta charset>``, then detection.

GB2312/GBK are decoded as GB18030, a superset, so rare characters in personal and place names
survive; a declared encoding is used only if the bytes fit it.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

META_SNIFF_BYTES = 4096  # <meta charset> is looked for in this many bytes (WHATWG: 1024; CMS heads are long)
# Decode with a superset: GB18030 contains every GB2312 and GBK character and those that GBK lacks
# (CJK extension B, used in personal and place names); Big5-HKSCS likewise extends Big5.
ENCODING_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "big5": "big5hkscs"}
ENCODING_ALIASES = {"x-gbk": "gbk", "gb_2312-80": "gb2312", "x-gb2312": "gb2312", "x-gb18030": "gb18030"}
# Java servers send "charset=ISO-8859-1" by default while the page itself declares GBK or UTF-8.
WESTERN_SINGLE_BYTE = frozenset({"iso8859-1", "cp1252", "ascii"})

_META_CHARSET = re.compile(rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([a-z0-9_:.\-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml\b[^>]*?encoding\s*=\s*["']([a-z0-9_:.\-]+)""", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode_body(content: bytes, *, content_type: str | None = None) -> tuple[str, str]:
    """Decode a page to text; return ``(text, encoding used)``.

    Order: a byte-order mark; the Content-Type charset; ``<meta charset>`` / http-equiv / the XML
    declaration in the first 4 KB; then detection (strict UTF-8, then charset-normalizer, then
    GB18030). A declared encoding is used only if the bytes fit it (a stray bad byte is tolerated):
    a page whose header says UTF-8 but which is GBK falls through to its meta tag or detection.
    GB2312/GBK decode as GB18030. Never raises: as a last resort, undecodable bytes become U+FFFD.

        >>> decode_body("新闻".encode("gbk"), content_type="text/html; charset=GB2312")
        ('新闻', 'gb18030')
    """
    if not content:
        return "", _codec(_charset_from_content_type(content_type)) or "utf-8"
    for bom, name in _BOMS:
        if content.startswith(bom):
            return content[len(bom) :].decode(name, errors="replace"), name
    header = _codec(_charset_from_content_type(content_type))
    meta = _codec(sniff_meta_charset(content))
    # A Western single-byte header is a server default more often than a fact (Java servers send
    # ISO-8859-1 for GBK pages), and any bytes "fit" it: it comes after the page's own declaration
    # and after detection.
    weak = header if header in WESTERN_SINGLE_BYTE and not content.isascii() else None
    declared = [meta] if weak else [header, meta]
    valid_utf8 = _strict_utf8(content)
    for name in dict.fromkeys(d for d in declared if d):
        if name != "utf-8" and valid_utf8 is not None and not valid_utf8.isascii():
            # Bytes that are valid UTF-8 with non-ASCII text are UTF-8 whatever the label says (a GBK
            # page is practically never valid UTF-8); templates keep stale "gb2312" meta tags.
            return valid_utf8, "utf-8"
        text = _decode_if_fits(content, name)
        if text is not None:
            return text, name
    if valid_utf8 is not None:
        return valid_utf8, "utf-8"
    best = charset_normalizer.from_bytes(content).best()
    detected = _codec(best.encoding) if best is not None else None
    name = detected or next((d for d in [*declared, weak] if d), None) or "gb18030"
    return content.decode(name, errors="replace"), name


def sniff_meta_charset(content: bytes) -> str | None:
    """The charset a page declares in its first ``META_SNIFF_BYTES`` bytes, as written, or None."""
    head = content[:META_SNIFF_BYTES]
    match = _XML_ENCODING.search(head) or _META_CHARSET.search(head)
    return match.group(1).decode("ascii", errors="replace") if match else None


def _charset_from_content_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    for param in content_type.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def _codec(label: str | None) -> str | None:
    """Python's codec for a charset label, superset-mapped; None for unknown labels."""
    if not label:
        return None
    name = label.strip().strip("\"'").lower()
    name = ENCODING_ALIASES.get(name, name)
    try:
        name = codecs.lookup(name).name
    except LookupError:
        return None
    return ENCODING_SUPERSETS.get(name, name)


def _strict_utf8(content: bytes) -> str | None:
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _decode_if_fits(content: bytes, codec: str) -> str | None:
    """Decode if the bytes fit the codec; a handful of bad bytes (a cut character) is tolerated."""
    try:
        return content.decode(codec)
    except UnicodeDecodeError:
        pass
    except LookupError:
        return None
    text = content.decode(codec, errors="replace")
    return text if text.count("\ufffd") <= max(2, len(text) // 2000) else None
