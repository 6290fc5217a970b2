"""What the crawler knows about each URL it fetches: the validators for the next conditional GET,
the last status and error, and failures counted since the last success (so a failed article is
retried and reported until it is stored).

Failures are counted in SQL (``attempts + 1``), so concurrent workers' failures all count.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from tasks._store.schema import fetch_state_table, releases_table
from tasks._store.sql import chunked, dialect_insert, record_from_row, upsert
from tasks._store.times import now, parse_ts, ts

NOT_MODIFIED = 304

# Articles that are stored: their fetch state is settled whatever it says.
_STORED = sa.exists().where(releases_table.c.url == fetch_state_table.c.url)


@dataclass(frozen=True, slots=True)
class FetchState:
    url: str
    kind: str
    etag: str | None
    last_modified: str | None
    status: int | None
    last_error: str | None
    attempts: int
    last_attempt: datetime | None
    last_success: datetime | None
    listed_title: str | None = None
    listed_date: date | None = None


def get_fetch_state(conn: Connection, url: str) -> FetchState | None:
    row = conn.execute(sa.select(fetch_state_table).where(fetch_state_table.c.url == url)).first()
    return _fetch_state(row) if row is not None else None


def fetch_states(conn: Connection, urls: Iterable[str]) -> dict[str, FetchState]:
    out: dict[str, FetchState] = {}
    for chunk in chunked(list(dict.fromkeys(urls))):
        rows = conn.execute(
            sa.select(fetch_state_table).where(fetch_state_table.c.url.in_(chunk))
        ).all()
        out.update({r.url: _fetch_state(r) for r in rows})
    return out


def record_fetch_success(
    conn: Connection,
    url: str,
    *,
    kind: str,
    status: int,
    etag: str | None,
    last_modified: str | None,
    listed_title: str | None = None,
    listed_date: date | None = None,
    at: datetime | None = None,
) -> None:
    """A good answer (200 or 304): keep the validators for the next conditional GET."""
    at_text = ts(at or now())
    values: dict[str, Any] = {
        "kind": kind,
        "status": status,
        "last_error": None,
        "attempts": 0,
        "last_attempt": at_text,
        "last_success": at_text,
    }
    if status != NOT_MODIFIED:  # a 304 carries no new body: keep the validators we have
        values.update(etag=etag, last_modified=last_modified)
    _upsert_fetch_state(conn, url, _with_listing(values, listed_title, listed_date))


def record_fetch_failure(
    conn: Connection,
    url: str,
    *,
    kind: str,
    reason: str,
    status: int | None = None,
    listed_title: str | None = None,
    listed_date: date | None = None,
    at: datetime | None = None,
) -> None:
    """A failure: kept with its reason and counted, so the next run retries and reports it."""
    values: dict[str, Any] = {
        "kind": kind,
        "status": status,
        "last_error": reason,
        "last_attempt": ts(at or now()),
    }
    _upsert_fetch_state(
        conn, url, _with_listing(values, listed_title, listed_date), count_attempt=True
    )


def record_listed(
    conn: Connection, items: Sequence[tuple[str, str | None, date | None]], *, reason: str
) -> None:
    """Articles a list page lists, (url, title, date), that have no fetch state yet: recorded
    as owed (``last_error=reason``, no attempt counted).

    Added for crash safety (issue 8): the walk stores a list page's validators before its
    articles are fetched; a run killed in between got a 304 for the page next time and never
    fetched them. Owed articles come back from ``failed_articles`` until one is stored.
    """
    listed = {url: (title, day) for url, title, day in items}
    have = {
        url
        for chunk in chunked(list(listed))
        for url in conn.execute(
            sa.select(fetch_state_table.c.url).where(fetch_state_table.c.url.in_(chunk))
        ).scalars()
    }
    rows = [
        {"url": url, "kind": "article", "last_error": reason, "attempts": 0,
         "listed_title": title, "listed_date": day.isoformat() if day else None}
        for url, (title, day) in listed.items()
        if url not in have
    ]
    if rows:  # another worker may record the same ones meanwhile: theirs stand
        insert = dialect_insert(conn, fetch_state_table)
        statement = (
            insert.on_conflict_do_nothing(index_elements=["url"])
            if insert is not None else fetch_state_table.insert()
        )
        conn.execute(statement, rows)


def settle_listed(conn: Connection, *, reason: str) -> int:
    """Clear the ``record_listed`` note of articles that are stored after all (a run killed
    between storing a release and recording its fetch); returns how many."""
    result = conn.execute(
        fetch_state_table.update()
        .where(fetch_state_table.c.last_error == reason)
        .where(_STORED)
        .values(last_error=None)
    )
    return result.rowcount or 0


def forget_validators(conn: Connection, url: str) -> None:
    """Drop ETag/Last-Modified so the next GET is unconditional (e.g. after a parse failure)."""
    conn.execute(
        fetch_state_table.update()
        .where(fetch_state_table.c.url == url)
        .values(etag=None, last_modified=None)
    )


def failed_articles(conn: Connection) -> list[FetchState]:
    """Articles whose last attempt failed and that are not stored: retried on the next run."""
    rows = conn.execute(
        sa.select(fetch_state_table)
        .where(fetch_state_table.c.kind == "article")
        .where(fetch_state_table.c.last_error.is_not(None))
        .where(~_STORED)
        .order_by(fetch_state_table.c.url)
    ).all()
    return [_fetch_state(r) for r in rows]


def failures(conn: Connection) -> list[FetchState]:
    """Every URL whose last attempt failed, the latest attempt first."""
    rows = conn.execute(
        sa.select(fetch_state_table)
        .where(fetch_state_table.c.last_error.is_not(None))
        .order_by(fetch_state_table.c.last_attempt.desc())
    ).all()
    return [_fetch_state(r) for r in rows]


def _with_listing(
    values: dict[str, Any], listed_title: str | None, listed_date: date | None
) -> dict[str, Any]:
    """``values`` plus what the list page said of the article, where it said something (a fetch
    that does not know keeps what an earlier walk recorded)."""
    if listed_title is not None:
        values["listed_title"] = listed_title
    if listed_date is not None:
        values["listed_date"] = listed_date.isoformat()
    return values


def _upsert_fetch_state(
    conn: Connection, url: str, values: dict[str, Any], *, count_attempt: bool = False
) -> None:
    first = {"url": url, "attempts": 1 if count_attempt else 0, **values}
    update: dict[str, Any] = dict(values)
    if count_attempt:  # counted in SQL: concurrent failures all count
        update["attempts"] = fetch_state_table.c.attempts + 1
    upsert(conn, fetch_state_table, first, key=["url"], update=update)


def _fetch_state(row: Any) -> FetchState:
    return record_from_row(
        FetchState, row,
        attempts=row.attempts or 0,
        last_attempt=parse_ts(row.last_attempt) if row.last_attempt else None,
        last_success=parse_ts(row.last_success) if row.last_success else None,
        listed_date=date.fromisoformat(row.listed_date) if row.listed_date else None,
    )
