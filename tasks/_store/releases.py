"""Releases: one row per canonical URL, inserted when new, updated in place when its content hash
changes (an edit keeps the URL, so the item keeps its GUID), else only marked as checked.

    outcome = upsert_release(conn, release, events=events)   # "new" | "updated" | "unchanged"
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from tasks._store.events import events_by_release, events_for, replace_events
from tasks._store.schema import events_table, releases_table
from tasks._store.sql import chunked, insert_if_absent
from tasks._store.times import now, parse_ts, ts
from tasks.models import Attachment, Event, Image, ParseMethod, Release

UpsertOutcome = Literal["new", "updated", "unchanged"]

# Newest first by publication time, then URL (a stable order for feeds).
NEWEST_FIRST = (releases_table.c.published.desc(), releases_table.c.url.desc())


@dataclass(frozen=True, slots=True)
class StoredRelease:
    release: Release
    first_seen: datetime
    updated: datetime
    last_checked: datetime
    events: tuple[Event, ...] = ()


def upsert_release(
    conn: Connection,
    release: Release,
    *,
    events: Sequence[Event] | None = None,
    listed_in: str | None = None,
    at: datetime | None = None,
) -> UpsertOutcome:
    """Insert a new release, update an edited one in place (same URL), or just mark it checked.

    ``events``, when given, replace the release's events in the same transaction when the
    release is new or edited, so a crash never leaves a release without its events.
    """
    at = at or now()
    row = release_row(release)
    outcome = _write_release(conn, release, row, listed_in=listed_in, at=at)
    if events is not None and outcome != "unchanged":
        replace_events(conn, release.url, events)
    return outcome


def _write_release(
    conn: Connection,
    release: Release,
    row: dict[str, Any],
    *,
    listed_in: str | None,
    at: datetime,
) -> UpsertOutcome:
    stamp = ts(at)
    new_row = {
        **row, "first_seen": stamp, "updated": stamp, "last_checked": stamp,
        "listed_in": listed_in,
    }
    if insert_if_absent(conn, releases_table, new_row, key=["url"]):
        return "new"
    # Locked until commit, so a concurrent writer of the same release waits and then sees ours.
    existing = conn.execute(
        sa.select(releases_table.c.content_hash)
        .where(releases_table.c.url == release.url)
        .with_for_update()
    ).first()
    if existing is None:  # a dialect without ON CONFLICT: nothing was inserted above
        conn.execute(releases_table.insert().values(**new_row))
        return "new"
    if existing.content_hash == release.content_hash:
        conn.execute(
            releases_table.update()
            .where(releases_table.c.url == release.url)
            .values(last_checked=stamp)
        )
        return "unchanged"
    conn.execute(
        releases_table.update()
        .where(releases_table.c.url == release.url)
        .values(**row, updated=stamp, last_checked=stamp)
    )
    return "updated"


def lock_release(conn: Connection, release_url: str) -> None:
    """Hold the release's row until commit (PostgreSQL; SQLite's BEGIN IMMEDIATE locks it all)."""
    conn.execute(
        sa.select(releases_table.c.url).where(releases_table.c.url == release_url).with_for_update()
    )


def mark_checked(conn: Connection, url: str, *, at: datetime | None = None) -> None:
    conn.execute(
        releases_table.update()
        .where(releases_table.c.url == url)
        .values(last_checked=ts(at or now()))
    )


def known_urls(conn: Connection, urls: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for chunk in chunked(list(dict.fromkeys(urls))):
        found.update(
            conn.execute(
                sa.select(releases_table.c.url).where(releases_table.c.url.in_(chunk))
            ).scalars()
        )
    return found


def release_count(conn: Connection) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(releases_table)).scalar_one())


def get_release(conn: Connection, url: str) -> StoredRelease | None:
    row = conn.execute(sa.select(releases_table).where(releases_table.c.url == url)).first()
    if row is None:
        return None
    return stored_release(row, events_for(conn, url))


def get_releases(conn: Connection, urls: Sequence[str]) -> list[StoredRelease]:
    """The stored ones of ``urls``, with their events, in the order given (one query per 500)."""
    wanted = list(dict.fromkeys(urls))
    found: dict[str, StoredRelease] = {}
    for chunk in chunked(wanted):
        rows = conn.execute(sa.select(releases_table).where(releases_table.c.url.in_(chunk))).all()
        found.update({s.release.url: s for s in _with_events(conn, rows)})
    return [found[u] for u in wanted if u in found]


def release_urls_with_events(conn: Connection) -> list[str]:
    """URLs of the releases that have events, newest first (what posters are drawn for)."""
    has_events = sa.exists().where(events_table.c.release_url == releases_table.c.url)
    return list(
        conn.execute(
            sa.select(releases_table.c.url).where(has_events).order_by(*NEWEST_FIRST)
        ).scalars()
    )


def latest_releases(conn: Connection, limit: int | None = None) -> list[StoredRelease]:
    """Newest first by publication time, then URL (a stable order for feeds)."""
    query = sa.select(releases_table).order_by(*NEWEST_FIRST)
    if limit is not None:
        query = query.limit(limit)
    return _with_events(conn, conn.execute(query).all())


def releases_due_for_recheck(
    conn: Connection, *, checked_before: datetime, published_after: datetime
) -> list[str]:
    """Recent releases last checked at or before ``checked_before``: candidates for an edit check."""
    return list(
        conn.execute(
            sa.select(releases_table.c.url)
            .where(releases_table.c.last_checked <= ts(checked_before))
            .where(releases_table.c.published >= ts(published_after))
            .order_by(releases_table.c.published.desc())
        ).scalars()
    )


def _with_events(conn: Connection, rows: Sequence[Any]) -> list[StoredRelease]:
    events = events_by_release(conn, [r.url for r in rows])
    return [stored_release(r, events.get(r.url, ())) for r in rows]


def release_row(release: Release) -> dict[str, Any]:
    """The ``releases`` columns a Release fills (the caller adds the seen/checked times)."""
    return {
        "url": release.url,
        "post_id": release.post_id,
        "title": release.title,
        "published": ts(release.published),
        "source": release.source,
        "column_name": release.column,
        "site_name": release.site_name,
        "keywords": json.dumps(list(release.keywords), ensure_ascii=False),
        "description": release.description,
        "body_text": release.text,
        "body_html": release.html,
        "images": json.dumps([[i.url, i.alt] for i in release.images], ensure_ascii=False),
        "attachments": json.dumps(
            [[a.url, a.name] for a in release.attachments], ensure_ascii=False
        ),
        "method": release.method.value,
        "content_hash": release.content_hash,
    }


def stored_release(row: Any, events: tuple[Event, ...]) -> StoredRelease:
    release = Release(
        url=row.url,
        post_id=row.post_id,
        title=row.title,
        published=parse_ts(row.published),
        text=row.body_text,
        html=row.body_html,
        source=row.source,
        column=row.column_name,
        site_name=row.site_name,
        keywords=tuple(json.loads(row.keywords or "[]")),
        description=row.description,
        images=tuple(Image(url=u, alt=a) for u, a in json.loads(row.images or "[]")),
        attachments=tuple(
            Attachment(url=u, name=n) for u, n in json.loads(row.attachments or "[]")
        ),
        method=ParseMethod(row.method),
    )
    return StoredRelease(
        release=release,
        first_seen=parse_ts(row.first_seen),
        updated=parse_ts(row.updated),
        last_checked=parse_ts(row.last_checked),
        events=events,
    )
