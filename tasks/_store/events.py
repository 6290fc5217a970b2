"""A release's events: numbered from 0 in the order extraction found them, replaced as a whole.

Callers that replace a stored release's events lock the release first
(``tasks._store.releases.lock_release``) so concurrent writers do not interleave.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from tasks._store.schema import events_table
from tasks._store.sql import grouped_rows
from tasks._store.times import when_from_text, when_to_text
from tasks.models import Event, TimeOfDay


def replace_events(conn: Connection, release_url: str, events: Sequence[Event]) -> None:
    conn.execute(events_table.delete().where(events_table.c.release_url == release_url))
    if events:
        conn.execute(
            events_table.insert(),
            [
                {
                    "release_url": release_url,
                    "seq": seq,
                    "name": e.name,
                    "start": when_to_text(e.start),
                    "end": when_to_text(e.end) if e.end is not None else None,
                    "time_of_day": e.time_of_day.value if e.time_of_day else None,
                    "venue": e.venue,
                    "sentence": e.sentence,
                    "online": e.online,
                }
                for seq, e in enumerate(events)
            ],
        )


def events_for(conn: Connection, release_url: str) -> tuple[Event, ...]:
    """One release's events, in order."""
    return events_by_release(conn, [release_url]).get(release_url, ())


def events_by_release(conn: Connection, urls: Sequence[str]) -> dict[str, tuple[Event, ...]]:
    """Events per release URL, in order; releases without events are left out."""
    query = sa.select(events_table).order_by(events_table.c.release_url, events_table.c.seq)
    grouped = grouped_rows(conn, query, events_table.c.release_url, urls)
    return {url: tuple(event_from_row(r) for r in rows) for url, rows in grouped.items()}


def event_count(conn: Connection) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(events_table)).scalar_one())


def event_from_row(row: Any) -> Event:
    """An ``events`` row (or a joined row with its columns) as an Event."""
    return Event(
        name=row.name,
        start=when_from_text(row.start),
        end=when_from_text(row.end) if row.end else None,
        time_of_day=TimeOfDay(row.time_of_day) if row.time_of_day else None,
        venue=row.venue,
        sentence=row.sentence,
        online=row.online,
    )
