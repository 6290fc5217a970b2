"""Where `publicity extract` gets a release's text: a URL, a saved article page, or a text file.

No Prefect here: extracting from one release must answer in well under a second.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from tasks.errors import ExtractError
from tasks.extract import extract_events
from tasks.models import Event


def events_from_source(source: str, *, published: datetime | None) -> list[Event]:
    """Events of the release at ``source``; ``published`` overrides the page's own time."""
    scheme = urlsplit(source).scheme
    if scheme in ("http", "https"):
        return _from_url(source, published=published)
    path = Path(source)
    if not path.exists():
        raise ExtractError(f"No such file: {source!r} (expected a URL, an .html or a .txt file)")
    if path.suffix.lower() in (".html", ".htm"):
        raw = path.read_bytes()
        text = _decode_html(raw, source=source)
        return _from_html(text, url=path.resolve().as_uri(), published=published)
    if path.suffix.lower() == ".txt":
        if published is None:
            raise ExtractError("A .txt source needs --published (its publication time, ISO 8601)")
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            text = path.read_bytes().decode("gb18030", errors="strict")
        return extract_events(text, published=published)
    raise ExtractError(f"Unsupported source {source!r}: give a URL, an .html or a .txt file")


def _decode_html(raw: bytes, *, source: str) -> str:
    from tasks.site import decode_body

    text, _encoding = decode_body(raw, content_type=None)
    return text


def _from_html(html: str, *, url: str, published: datetime | None) -> list[Event]:
    from tasks.parse import parse_article
    from tasks.settings import load_profile, load_settings

    profile = load_profile(load_settings().site)
    release = parse_article(html, url=url, profile=profile)
    return extract_events(release.text, published=published or release.published)


def _from_url(url: str, *, published: datetime | None) -> list[Event]:
    from flows.runtime import make_fetcher, resolve_profile
    from tasks.settings import load_settings

    settings = load_settings()
    profile = resolve_profile(settings, source=url)
    with make_fetcher(settings, profile) as fetcher:
        result = fetcher.fetch(url)
    return _from_html(result.text, url=result.final_url, published=published)
