"""Posters: one row per (release, event, format), pointing at the PNG under OUT/public, with the
hash of what was drawn (``input_key``) so an unchanged poster is not drawn again.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from tasks._store.schema import posters_table
from tasks._store.sql import grouped_rows, record_from_row, upsert
from tasks._store.times import now, parse_ts, ts

KEY = ["release_url", "event_seq", "format"]  # the table's primary key


@dataclass(frozen=True, slots=True)
class StoredPoster:
    release_url: str
    event_seq: int
    format: str
    template: str
    path: str  # relative to OUT/public, e.g. "posters/1000001-0-portrait.png"
    sha256: str
    size_bytes: int
    width: int
    height: int
    input_key: str
    warnings: tuple[str, ...] = ()
    rendered_at: datetime | None = None


def save_poster(conn: Connection, poster: StoredPoster) -> None:
    """Insert the poster, or replace what is stored for its (release, event, format)."""
    values = {
        "template": poster.template,
        "path": poster.path,
        "sha256": poster.sha256,
        "size_bytes": poster.size_bytes,
        "width": poster.width,
        "height": poster.height,
        "input_key": poster.input_key,
        "warnings": json.dumps(list(poster.warnings), ensure_ascii=False),
        "rendered_at": ts(poster.rendered_at or now()),
    }
    ident = {k: getattr(poster, k) for k in KEY}
    upsert(conn, posters_table, {**ident, **values}, key=KEY, update=values)


def posters_for(conn: Connection, release_urls: Sequence[str]) -> dict[str, tuple[StoredPoster, ...]]:
    """Posters per release, ordered by event then format."""
    query = sa.select(posters_table).order_by(*(posters_table.c[k] for k in KEY))
    grouped = grouped_rows(conn, query, posters_table.c.release_url, release_urls)
    return {url: tuple(_stored_poster(r) for r in rows) for url, rows in grouped.items()}


def all_posters(conn: Connection) -> list[StoredPoster]:
    return [_stored_poster(r) for r in conn.execute(sa.select(posters_table)).all()]


def prune_posters(conn: Connection, keep_events: dict[str, int]) -> list[str]:
    """Forget posters of events that no longer exist, {release url: events kept}; returns their
    paths (files to remove)."""
    paths: list[str] = []
    for url, keep in keep_events.items():
        where = (posters_table.c.release_url == url) & (posters_table.c.event_seq >= keep)
        found = list(conn.execute(sa.select(posters_table.c.path).where(where)).scalars())
        if found:
            conn.execute(posters_table.delete().where(where))
            paths += found
    return paths


def _stored_poster(row: Any) -> StoredPoster:
    return record_from_row(
        StoredPoster, row,
        warnings=tuple(json.loads(row.warnings or "[]")),
        rendered_at=parse_ts(row.rendered_at),
    )
