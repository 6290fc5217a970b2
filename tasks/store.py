"""The store: the single source of truth (SQLite by default, any SQLAlchemy URL such as PostgreSQL).

Every output (feeds, posters, drafts, review board) is derived from what is here and can be rebuilt.
SQLAlchemy Core only, no ORM: tables are declared once below, the schema is created and versioned by
``open_store`` (``meta.schema_version``; each step in ``_MIGRATIONS`` upgrades by one).

    store = open_store("sqlite:///out/publicity.db")
    outcome = store.upsert_release(release)          # "new" | "updated" | "unchanged"
    store.replace_events(release.url, events)

Times are stored as ISO 8601 text in Asia/Shanghai (``+08:00``), so they sort as text and keep their
zone on every backend; dates of all-day events are stored as ``YYYY-MM-DD``.

Several workers may write at once (a poll and a backfill overlapping, flows on several machines with
PostgreSQL): a row is created with ``INSERT … ON CONFLICT`` (SQLite and PostgreSQL), a release being
changed is locked (``SELECT … FOR UPDATE``) before its events are replaced, failures are counted in
SQL (``attempts + 1``), and on SQLite a transaction takes the write lock when it begins
(``BEGIN IMMEDIATE``), so a second writer waits for the busy timeout instead of failing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from tasks.errors import StoreError
from tasks.models import (
    SHANGHAI,
    Attachment,
    Event,
    Image,
    ParseMethod,
    Release,
    TimeOfDay,
)

if TYPE_CHECKING:  # drafts and review records; imported lazily where used (keeps this import light)
    from tasks.review import Draft, HistoryEntry, NewDraft, Transition

SCHEMA_VERSION = 1

UpsertOutcome = Literal["new", "updated", "unchanged"]

metadata = sa.MetaData()

meta_table = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

releases_table = sa.Table(
    "releases",
    metadata,
    sa.Column("url", sa.String(1024), primary_key=True),
    sa.Column("post_id", sa.String(64)),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("published", sa.String(40), nullable=False, index=True),
    sa.Column("source", sa.Text),
    sa.Column("column_name", sa.Text),
    sa.Column("site_name", sa.Text),
    sa.Column("keywords", sa.Text, nullable=False, default="[]"),
    sa.Column("description", sa.Text),
    sa.Column("body_text", sa.Text, nullable=False),
    sa.Column("body_html", sa.Text, nullable=False),
    sa.Column("images", sa.Text, nullable=False, default="[]"),
    sa.Column("attachments", sa.Text, nullable=False, default="[]"),
    sa.Column("method", sa.String(16), nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("first_seen", sa.String(40), nullable=False),
    sa.Column("updated", sa.String(40), nullable=False),  # last change of content
    sa.Column("last_checked", sa.String(40), nullable=False),
    sa.Column("listed_in", sa.String(1024)),  # the list page URL it was found on
)

events_table = sa.Table(
    "events",
    metadata,
    sa.Column("release_url", sa.String(1024), nullable=False, index=True),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("start", sa.String(40), nullable=False),
    sa.Column("end", sa.String(40)),
    sa.Column("time_of_day", sa.String(16)),
    sa.Column("venue", sa.Text),
    sa.Column("sentence", sa.Text, nullable=False),
    sa.Column("online", sa.Text),
    sa.PrimaryKeyConstraint("release_url", "seq"),
)

fetch_state_table = sa.Table(
    "fetch_state",
    metadata,
    sa.Column("url", sa.String(1024), primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),  # "list" | "article"
    sa.Column("etag", sa.Text),
    sa.Column("last_modified", sa.Text),
    sa.Column("status", sa.Integer),
    sa.Column("last_error", sa.Text),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),  # failures since last success
    sa.Column("last_attempt", sa.String(40)),
    sa.Column("last_success", sa.String(40)),
    sa.Column("listed_title", sa.Text),
    sa.Column("listed_date", sa.String(10)),
)

posters_table = sa.Table(
    "posters",
    metadata,
    sa.Column("release_url", sa.String(1024), nullable=False, index=True),
    sa.Column("event_seq", sa.Integer, nullable=False),
    sa.Column("format", sa.String(32), nullable=False),
    sa.Column("template", sa.String(64), nullable=False),
    sa.Column("path", sa.String(512), nullable=False),  # relative to OUT/public
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("size_bytes", sa.Integer, nullable=False),
    sa.Column("width", sa.Integer, nullable=False),
    sa.Column("height", sa.Integer, nullable=False),
    sa.Column("input_key", sa.String(64), nullable=False),  # hash of what was drawn: skip if same
    sa.Column("warnings", sa.Text, nullable=False, default="[]"),
    sa.Column("rendered_at", sa.String(40), nullable=False),
    sa.PrimaryKeyConstraint("release_url", "event_seq", "format"),
)

runs_table = sa.Table(
    "runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("flow", sa.String(32), nullable=False),
    sa.Column("started", sa.String(40), nullable=False),
    sa.Column("finished", sa.String(40)),
    sa.Column("state", sa.String(16), nullable=False),  # running | completed | failed
    sa.Column("source", sa.Text),
    sa.Column("summary", sa.Text),  # JSON: counts and failures
    sa.Column("error", sa.Text),
)

# ---- drafts and their review (issue 6) ---------------------------------------------------------
# Added tables only (created by create_all on open). A draft is one version of one platform's text
# for one release; versions of a (release, platform) are numbered from 1 and never deleted.
# draft_history records every change: who, when, the action, from and to, the note, what changed.

drafts_table = sa.Table(
    "drafts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("release_url", sa.String(1024), nullable=False, index=True),
    sa.Column("platform", sa.String(32), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("state", sa.String(16), nullable=False, index=True),
    sa.Column("title", sa.Text),
    sa.Column("digest", sa.Text),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("images", sa.Text, nullable=False, default="[]"),  # JSON: PosterRef fields
    sa.Column("notes", sa.Text, nullable=False, default="[]"),
    sa.Column("invalid_reason", sa.Text),
    sa.Column("release_title", sa.Text, nullable=False),
    sa.Column("events_end", sa.String(10)),  # YYYY-MM-DD, the last day of the events
    sa.Column("input_key", sa.String(64), nullable=False, default=""),
    sa.Column("source_key", sa.String(64), nullable=False, default=""),
    sa.Column("parent_id", sa.Integer),
    sa.Column("created", sa.String(40), nullable=False),
    sa.Column("created_by", sa.String(128), nullable=False),
    sa.Column("updated", sa.String(40), nullable=False),
    sa.UniqueConstraint("release_url", "platform", "version", name="uq_drafts_version"),
)

draft_history_table = sa.Table(
    "draft_history",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("draft_id", sa.Integer, nullable=False, index=True),
    sa.Column("at", sa.String(40), nullable=False),
    sa.Column("actor", sa.String(128), nullable=False),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("from_state", sa.String(16)),
    sa.Column("to_state", sa.String(16), nullable=False),
    sa.Column("note", sa.Text),
    sa.Column("changes", sa.Text),
)

# Dialects with INSERT … ON CONFLICT, which SQLAlchemy builds for each.
_UPSERT_DIALECTS = frozenset({"sqlite", "postgresql"})

# Each entry upgrades the schema from version i+1 to i+2 (index 0: 1 -> 2). Version 1 is create_all.
_MIGRATIONS: list[list[str]] = []


def now() -> datetime:
    return datetime.now(SHANGHAI).replace(microsecond=0)


def _ts(value: datetime) -> str:
    if value.tzinfo is None:
        raise StoreError(f"Naive datetime {value!r}: times must be timezone-aware")
    return value.astimezone(SHANGHAI).isoformat()


def _parse_ts(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(SHANGHAI)


def _when_to_text(value: date | datetime) -> str:
    if isinstance(value, datetime):
        return _ts(value)
    return value.isoformat()


def _when_from_text(text: str) -> date | datetime:
    if len(text) == 10:
        return date.fromisoformat(text)
    return _parse_ts(text)


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


@dataclass(frozen=True, slots=True)
class StoredRelease:
    release: Release
    first_seen: datetime
    updated: datetime
    last_checked: datetime
    events: tuple[Event, ...] = ()


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


@dataclass(frozen=True, slots=True)
class RunRecord:
    id: int
    flow: str
    started: datetime
    finished: datetime | None
    state: str
    source: str | None
    summary: dict[str, Any]
    error: str | None


class Store:
    """Typed access to the database. Create with ``open_store``; safe to share between threads."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def _begin(self) -> Iterator[Connection]:
        """One transaction; on SQLite it holds the write lock from its start (see create_engine)."""
        try:
            with self.engine.connect() as conn:
                conn.execution_options(**{_IMMEDIATE: True})
                with conn.begin():
                    yield conn
        except SQLAlchemyError as exc:
            raise StoreError(f"Database error on {self.engine.url!r}: {exc}") from exc

    # ---- releases -----------------------------------------------------------------------------

    def upsert_release(
        self,
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
        row = _release_row(release)
        with self._begin() as conn:
            outcome = self._upsert_release(conn, release, row, listed_in=listed_in, at=at)
            if events is not None and outcome != "unchanged":
                _replace_events(conn, release.url, events)
            return outcome

    def _upsert_release(
        self,
        conn: Connection,
        release: Release,
        row: dict[str, Any],
        *,
        listed_in: str | None,
        at: datetime,
    ) -> UpsertOutcome:
        stamp = _ts(at)
        new_row = {
            **row, "first_seen": stamp, "updated": stamp, "last_checked": stamp,
            "listed_in": listed_in,
        }
        if _insert_if_absent(conn, releases_table, new_row, key=["url"]):
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
                .values(last_checked=_ts(at))
            )
            return "unchanged"
        conn.execute(
            releases_table.update()
            .where(releases_table.c.url == release.url)
            .values(**row, updated=_ts(at), last_checked=_ts(at))
        )
        return "updated"

    def mark_checked(self, url: str, *, at: datetime | None = None) -> None:
        with self._begin() as conn:
            conn.execute(
                releases_table.update()
                .where(releases_table.c.url == url)
                .values(last_checked=_ts(at or now()))
            )

    def known_urls(self, urls: Iterable[str]) -> set[str]:
        wanted = list(dict.fromkeys(urls))
        found: set[str] = set()
        with self._begin() as conn:
            for i in range(0, len(wanted), 500):
                chunk = wanted[i : i + 500]
                found.update(
                    conn.execute(
                        sa.select(releases_table.c.url).where(releases_table.c.url.in_(chunk))
                    ).scalars()
                )
        return found

    def release_count(self) -> int:
        with self._begin() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(releases_table)).scalar_one())

    def get_release(self, url: str) -> StoredRelease | None:
        with self._begin() as conn:
            row = conn.execute(sa.select(releases_table).where(releases_table.c.url == url)).first()
            if row is None:
                return None
            events = self._events_for(conn, [url]).get(url, ())
        return _stored_release(row, events)

    def get_releases(self, urls: Sequence[str]) -> list[StoredRelease]:
        """The stored ones of ``urls``, with their events, in the order given (one query per 500)."""
        wanted = list(dict.fromkeys(urls))
        found: dict[str, StoredRelease] = {}
        with self._begin() as conn:
            for i in range(0, len(wanted), 500):
                chunk = wanted[i : i + 500]
                rows = conn.execute(
                    sa.select(releases_table).where(releases_table.c.url.in_(chunk))
                ).all()
                events = self._events_for(conn, [r.url for r in rows])
                found.update({r.url: _stored_release(r, events.get(r.url, ())) for r in rows})
        return [found[u] for u in wanted if u in found]

    def release_urls_with_events(self) -> list[str]:
        """URLs of the releases that have events, newest first (what posters are drawn for)."""
        has_events = sa.exists().where(events_table.c.release_url == releases_table.c.url)
        with self._begin() as conn:
            return list(
                conn.execute(
                    sa.select(releases_table.c.url)
                    .where(has_events)
                    .order_by(releases_table.c.published.desc(), releases_table.c.url.desc())
                ).scalars()
            )

    def latest_releases(self, limit: int | None = None) -> list[StoredRelease]:
        """Newest first by publication time, then URL (a stable order for feeds)."""
        query = sa.select(releases_table).order_by(
            releases_table.c.published.desc(), releases_table.c.url.desc()
        )
        if limit is not None:
            query = query.limit(limit)
        with self._begin() as conn:
            rows = conn.execute(query).all()
            events = self._events_for(conn, [r.url for r in rows])
        return [_stored_release(r, events.get(r.url, ())) for r in rows]

    def releases_due_for_recheck(self, *, checked_before: datetime, published_after: datetime) -> list[str]:
        """Recent releases last checked at or before ``checked_before``: candidates for an edit check."""
        with self._begin() as conn:
            return list(
                conn.execute(
                    sa.select(releases_table.c.url)
                    .where(releases_table.c.last_checked <= _ts(checked_before))
                    .where(releases_table.c.published >= _ts(published_after))
                    .order_by(releases_table.c.published.desc())
                ).scalars()
            )

    # ---- events -------------------------------------------------------------------------------

    def replace_events(self, release_url: str, events: Sequence[Event]) -> None:
        with self._begin() as conn:
            _lock_release(conn, release_url)
            _replace_events(conn, release_url, events)

    def events_for(self, release_url: str) -> tuple[Event, ...]:
        with self._begin() as conn:
            return self._events_for(conn, [release_url]).get(release_url, ())

    def event_count(self) -> int:
        with self._begin() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(events_table)).scalar_one())

    @staticmethod
    def _events_for(conn: Connection, urls: Sequence[str]) -> dict[str, tuple[Event, ...]]:
        out: dict[str, list[Event]] = {}
        for i in range(0, len(urls), 500):
            chunk = list(urls[i : i + 500])
            rows = conn.execute(
                sa.select(events_table)
                .where(events_table.c.release_url.in_(chunk))
                .order_by(events_table.c.release_url, events_table.c.seq)
            ).all()
            for r in rows:
                out.setdefault(r.release_url, []).append(
                    Event(
                        name=r.name,
                        start=_when_from_text(r.start),
                        end=_when_from_text(r.end) if r.end else None,
                        time_of_day=TimeOfDay(r.time_of_day) if r.time_of_day else None,
                        venue=r.venue,
                        sentence=r.sentence,
                        online=r.online,
                    )
                )
        return {k: tuple(v) for k, v in out.items()}

    # ---- posters ------------------------------------------------------------------------------

    def save_poster(self, poster: StoredPoster) -> None:
        values = {
            "template": poster.template,
            "path": poster.path,
            "sha256": poster.sha256,
            "size_bytes": poster.size_bytes,
            "width": poster.width,
            "height": poster.height,
            "input_key": poster.input_key,
            "warnings": json.dumps(list(poster.warnings), ensure_ascii=False),
            "rendered_at": _ts(poster.rendered_at or now()),
        }
        key = (
            (posters_table.c.release_url == poster.release_url)
            & (posters_table.c.event_seq == poster.event_seq)
            & (posters_table.c.format == poster.format)
        )
        ident = {
            "release_url": poster.release_url, "event_seq": poster.event_seq, "format": poster.format
        }
        with self._begin() as conn:
            if _upsert(conn, posters_table, {**ident, **values}, key=list(ident), update=values):
                return
            if conn.execute(sa.select(posters_table.c.path).where(key)).first() is None:
                conn.execute(
                    posters_table.insert().values(
                        release_url=poster.release_url,
                        event_seq=poster.event_seq,
                        format=poster.format,
                        **values,
                    )
                )
            else:
                conn.execute(posters_table.update().where(key).values(**values))

    def posters_for(self, release_urls: Sequence[str]) -> dict[str, tuple[StoredPoster, ...]]:
        """Posters per release, ordered by event then format."""
        out: dict[str, list[StoredPoster]] = {}
        with self._begin() as conn:
            for i in range(0, len(release_urls), 500):
                rows = conn.execute(
                    sa.select(posters_table)
                    .where(posters_table.c.release_url.in_(list(release_urls[i : i + 500])))
                    .order_by(posters_table.c.release_url, posters_table.c.event_seq,
                              posters_table.c.format)
                ).all()
                for r in rows:
                    out.setdefault(r.release_url, []).append(_stored_poster(r))
        return {k: tuple(v) for k, v in out.items()}

    def all_posters(self) -> list[StoredPoster]:
        with self._begin() as conn:
            rows = conn.execute(sa.select(posters_table)).all()
        return [_stored_poster(r) for r in rows]

    def prune_posters(self, keep_events: dict[str, int]) -> list[str]:
        """``delete_posters`` for many releases in one transaction: {release url: events kept}."""
        paths: list[str] = []
        with self._begin() as conn:
            for url, keep in keep_events.items():
                where = (posters_table.c.release_url == url) & (posters_table.c.event_seq >= keep)
                found = list(conn.execute(sa.select(posters_table.c.path).where(where)).scalars())
                if found:
                    conn.execute(posters_table.delete().where(where))
                    paths += found
        return paths

    def delete_posters(self, release_url: str, *, keep_events: int) -> list[str]:
        """Forget posters of events that no longer exist; returns their paths (files to remove)."""
        where = (posters_table.c.release_url == release_url) & (
            posters_table.c.event_seq >= keep_events
        )
        with self._begin() as conn:
            paths = list(conn.execute(sa.select(posters_table.c.path).where(where)).scalars())
            conn.execute(posters_table.delete().where(where))
        return paths

    # ---- fetch state ----------------------------------------------------------------------------

    def get_fetch_state(self, url: str) -> FetchState | None:
        with self._begin() as conn:
            row = conn.execute(
                sa.select(fetch_state_table).where(fetch_state_table.c.url == url)
            ).first()
        return _fetch_state(row) if row is not None else None

    def fetch_states(self, urls: Iterable[str]) -> dict[str, FetchState]:
        wanted = list(dict.fromkeys(urls))
        out: dict[str, FetchState] = {}
        with self._begin() as conn:
            for i in range(0, len(wanted), 500):
                rows = conn.execute(
                    sa.select(fetch_state_table).where(
                        fetch_state_table.c.url.in_(wanted[i : i + 500])
                    )
                ).all()
                out.update({r.url: _fetch_state(r) for r in rows})
        return out

    def record_fetch_success(
        self,
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
        at_text = _ts(at or now())
        values: dict[str, Any] = {
            "kind": kind,
            "status": status,
            "last_error": None,
            "attempts": 0,
            "last_attempt": at_text,
            "last_success": at_text,
        }
        if status != 304:  # a 304 carries no new body: keep the validators we have
            values.update(etag=etag, last_modified=last_modified)
        if listed_title is not None:
            values["listed_title"] = listed_title
        if listed_date is not None:
            values["listed_date"] = listed_date.isoformat()
        self._upsert_fetch_state(url, values)

    def record_fetch_failure(
        self,
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
            "last_attempt": _ts(at or now()),
        }
        if listed_title is not None:
            values["listed_title"] = listed_title
        if listed_date is not None:
            values["listed_date"] = listed_date.isoformat()
        self._upsert_fetch_state(url, values, count_attempt=True)

    def record_listed(self, items: Sequence[tuple[str, str | None, date | None]], *, reason: str) -> None:
        """Articles a list page lists, (url, title, date), that have no fetch state yet: recorded
        as owed (``last_error=reason``, no attempt counted) in one transaction.

        Added for crash safety (issue 8): the walk stores a list page's validators before its
        articles are fetched; a run killed in between got a 304 for the page next time and never
        fetched them. Owed articles come back from ``failed_articles`` until one is stored.
        """
        if not items:
            return
        listed = {url: (title, day) for url, title, day in items}
        urls = list(listed)
        with self._begin() as conn:
            have = set(
                conn.execute(
                    sa.select(fetch_state_table.c.url).where(fetch_state_table.c.url.in_(urls))
                ).scalars()
            )
            rows = [
                {"url": url, "kind": "article", "last_error": reason, "attempts": 0,
                 "listed_title": title, "listed_date": day.isoformat() if day else None}
                for url, (title, day) in listed.items()
                if url not in have
            ]
            if rows:  # another worker may record the same ones meanwhile: theirs stand
                insert = _dialect_insert(conn, fetch_state_table)
                statement = (
                    insert.on_conflict_do_nothing(index_elements=["url"])
                    if insert is not None else fetch_state_table.insert()
                )
                conn.execute(statement, rows)

    def settle_listed(self, *, reason: str) -> int:
        """Clear the ``record_listed`` note of articles that are stored after all (a run killed
        between storing a release and recording its fetch); returns how many."""
        with self._begin() as conn:
            result = conn.execute(
                fetch_state_table.update()
                .where(fetch_state_table.c.last_error == reason)
                .where(sa.exists().where(releases_table.c.url == fetch_state_table.c.url))
                .values(last_error=None)
            )
        return result.rowcount or 0

    def forget_validators(self, url: str) -> None:
        """Drop ETag/Last-Modified so the next GET is unconditional (e.g. after a parse failure)."""
        with self._begin() as conn:
            conn.execute(
                fetch_state_table.update()
                .where(fetch_state_table.c.url == url)
                .values(etag=None, last_modified=None)
            )

    def failed_articles(self) -> list[FetchState]:
        """Articles whose last attempt failed and that are not stored: retried on the next run."""
        with self._begin() as conn:
            rows = conn.execute(
                sa.select(fetch_state_table)
                .where(fetch_state_table.c.kind == "article")
                .where(fetch_state_table.c.last_error.is_not(None))
                .where(
                    ~sa.exists().where(releases_table.c.url == fetch_state_table.c.url)
                )
                .order_by(fetch_state_table.c.url)
            ).all()
        return [_fetch_state(r) for r in rows]

    def failures(self) -> list[FetchState]:
        with self._begin() as conn:
            rows = conn.execute(
                sa.select(fetch_state_table)
                .where(fetch_state_table.c.last_error.is_not(None))
                .order_by(fetch_state_table.c.last_attempt.desc())
            ).all()
        return [_fetch_state(r) for r in rows]

    def _upsert_fetch_state(
        self, url: str, values: dict[str, Any], *, count_attempt: bool = False
    ) -> None:
        first = {"url": url, "attempts": 1 if count_attempt else 0, **values}
        update: dict[str, Any] = dict(values)
        if count_attempt:  # counted in SQL: concurrent failures all count
            update["attempts"] = fetch_state_table.c.attempts + 1
        with self._begin() as conn:
            if _upsert(conn, fetch_state_table, first, key=["url"], update=update):
                return
            existing = conn.execute(
                sa.select(fetch_state_table.c.attempts).where(fetch_state_table.c.url == url)
            ).first()
            if existing is None:
                conn.execute(
                    fetch_state_table.insert().values(
                        url=url, **{"attempts": 1 if count_attempt else 0, **values}
                    )
                )
            else:
                if count_attempt:
                    values = {**values, "attempts": (existing.attempts or 0) + 1}
                conn.execute(
                    fetch_state_table.update().where(fetch_state_table.c.url == url).values(**values)
                )

    # ---- runs ---------------------------------------------------------------------------------

    def start_run(self, flow: str, *, source: str | None) -> int:
        with self._begin() as conn:
            result = conn.execute(
                runs_table.insert().values(
                    flow=flow, started=_ts(now()), state="running", source=source
                )
            )
            return int(result.inserted_primary_key[0])

    def finish_run(
        self, run_id: int, *, state: str, summary: dict[str, Any], error: str | None = None
    ) -> None:
        with self._begin() as conn:
            conn.execute(
                runs_table.update()
                .where(runs_table.c.id == run_id)
                .values(
                    finished=_ts(now()),
                    state=state,
                    summary=json.dumps(summary, ensure_ascii=False, default=str),
                    error=error,
                )
            )

    def recent_runs(self, limit: int = 10) -> list[RunRecord]:
        with self._begin() as conn:
            rows = conn.execute(
                sa.select(runs_table).order_by(runs_table.c.id.desc()).limit(limit)
            ).all()
        return [
            RunRecord(
                id=r.id,
                flow=r.flow,
                started=_parse_ts(r.started),
                finished=_parse_ts(r.finished) if r.finished else None,
                state=r.state,
                source=r.source,
                summary=json.loads(r.summary) if r.summary else {},
                error=r.error,
            )
            for r in rows
        ]

    def schema_version(self) -> int:
        with self._begin() as conn:
            return _read_version(conn)

    def integrity_problems(self) -> list[str]:
        """Consistency checks for tests and `publicity status`: empty means consistent."""
        problems: list[str] = []
        with self._begin() as conn:
            orphans = conn.execute(
                sa.select(sa.func.count())
                .select_from(events_table)
                .where(~sa.exists().where(releases_table.c.url == events_table.c.release_url))
            ).scalar_one()
            if orphans:
                problems.append(f"{orphans} events belong to no release")
            empty = conn.execute(
                sa.select(sa.func.count())
                .select_from(releases_table)
                .where((releases_table.c.title == "") | (releases_table.c.body_text == ""))
            ).scalar_one()
            if empty:
                problems.append(f"{empty} releases have an empty title or body")
        return problems

    # ---- drafts and their review (issue 6) ----------------------------------------------------
    # Records are tasks/review.py's Draft/HistoryEntry; its pure functions decide, these apply.

    def add_draft(
        self, new: NewDraft, *, transitions: Sequence[Transition] = ()
    ) -> Draft:
        """Store a new version (numbered after the group's last) with its creation in the history,
        and apply ``transitions`` (the old versions it supersedes or replaces) in one transaction.
        """
        from tasks.review import Action, HistoryEntry

        with self._begin() as conn:
            _lock_release(conn, new.release_url)  # concurrent versions of one draft wait in turn
            for t in transitions:
                _apply_transition(conn, t)
            last = conn.execute(
                sa.select(sa.func.max(drafts_table.c.version))
                .where(drafts_table.c.release_url == new.release_url)
                .where(drafts_table.c.platform == new.platform)
            ).scalar_one()
            content = new.content
            result = conn.execute(
                drafts_table.insert().values(
                    release_url=new.release_url,
                    platform=new.platform,
                    version=(last or 0) + 1,
                    state=new.state.value,
                    title=content.title,
                    digest=content.digest,
                    body=content.body,
                    images=json.dumps([asdict(i) for i in content.images], ensure_ascii=False),
                    notes=json.dumps(list(content.notes), ensure_ascii=False),
                    invalid_reason=content.invalid,
                    release_title=new.release_title,
                    events_end=new.events_end.isoformat() if new.events_end else None,
                    input_key=new.input_key,
                    source_key=new.source_key,
                    parent_id=new.parent_id,
                    created=_ts(new.created),
                    created_by=new.created_by,
                    updated=_ts(new.created),
                )
            )
            draft_id = int(result.inserted_primary_key[0])
            _insert_history(conn, HistoryEntry(
                draft_id=draft_id, at=new.created, actor=new.created_by, action=Action.CREATE,
                from_state=None, to_state=new.state, note=new.note, changes=new.changes,
            ))
            row = conn.execute(sa.select(drafts_table).where(drafts_table.c.id == draft_id)).one()
        return _draft(row)

    def apply_transition(self, transition: Transition) -> Draft:
        """Change a draft's state, only if it is still in ``transition.expected`` (else StoreError:
        someone decided meanwhile, and nothing is overwritten)."""
        with self._begin() as conn:
            _apply_transition(conn, transition)
            row = conn.execute(
                sa.select(drafts_table).where(drafts_table.c.id == transition.draft_id)
            ).one()
        return _draft(row)

    def get_draft(self, draft_id: int) -> Draft | None:
        with self._begin() as conn:
            row = conn.execute(sa.select(drafts_table).where(drafts_table.c.id == draft_id)).first()
        return _draft(row) if row is not None else None

    def list_drafts(
        self,
        *,
        states: Iterable[str] | None = None,
        release_urls: Sequence[str] | None = None,
        platform: str | None = None,
        events_before: date | None = None,
    ) -> list[Draft]:
        """Drafts, newest release first, then platform and version.

        ``events_before``: only drafts whose events all ended before that day (for expiry).
        """
        query = sa.select(drafts_table)
        if states is not None:
            query = query.where(drafts_table.c.state.in_([str(getattr(s, "value", s)) for s in states]))
        if platform is not None:
            query = query.where(drafts_table.c.platform == platform)
        if events_before is not None:
            query = query.where(drafts_table.c.events_end < events_before.isoformat())
        query = query.order_by(
            drafts_table.c.created.desc(), drafts_table.c.release_url, drafts_table.c.platform,
            drafts_table.c.version,
        )
        with self._begin() as conn:
            if release_urls is None:
                rows = conn.execute(query).all()
            else:
                rows = []
                urls = list(release_urls)
                for i in range(0, len(urls), 500):
                    rows += conn.execute(
                        query.where(drafts_table.c.release_url.in_(urls[i : i + 500]))
                    ).all()
        return [_draft(r) for r in rows]

    def latest_drafts(self, release_urls: Sequence[str]) -> dict[tuple[str, str], Draft]:
        """The last version of each (release, platform) of these releases."""
        out: dict[tuple[str, str], Draft] = {}
        for draft in self.list_drafts(release_urls=release_urls):
            key = (draft.release_url, draft.platform)
            if key not in out or draft.version > out[key].version:
                out[key] = draft
        return out

    def draft_history(self, draft_ids: Sequence[int]) -> dict[int, list[HistoryEntry]]:
        """History entries per draft, oldest first."""
        out: dict[int, list[HistoryEntry]] = {}
        ids = list(draft_ids)
        with self._begin() as conn:
            for i in range(0, len(ids), 500):
                rows = conn.execute(
                    sa.select(draft_history_table)
                    .where(draft_history_table.c.draft_id.in_(ids[i : i + 500]))
                    .order_by(draft_history_table.c.id)
                ).all()
                for r in rows:
                    out.setdefault(r.draft_id, []).append(_history(r))
        return out

    def draft_versions(self, release_url: str, platform: str) -> list[Draft]:
        """Every version of one release's draft for one platform, oldest first."""
        with self._begin() as conn:
            rows = conn.execute(
                sa.select(drafts_table)
                .where(drafts_table.c.release_url == release_url)
                .where(drafts_table.c.platform == platform)
                .order_by(drafts_table.c.version)
            ).all()
        return [_draft(r) for r in rows]


# ---- drafts and their review (issue 6): row mapping ---------------------------------------------


def _apply_transition(conn: Connection, transition: Transition) -> None:
    entry = transition.entry
    result = conn.execute(
        drafts_table.update()
        .where(drafts_table.c.id == transition.draft_id)
        .where(drafts_table.c.state == transition.expected.value)
        .values(state=entry.to_state.value, updated=_ts(entry.at))
    )
    if result.rowcount != 1:
        current = conn.execute(
            sa.select(drafts_table.c.state).where(drafts_table.c.id == transition.draft_id)
        ).scalar_one_or_none()
        raise StoreError(
            f"Draft #{transition.draft_id} is {current or 'missing'}, not "
            f"{transition.expected.value}: it changed meanwhile, nothing was overwritten"
        )
    _insert_history(conn, entry)


def _insert_history(conn: Connection, entry: HistoryEntry) -> None:
    conn.execute(
        draft_history_table.insert().values(
            draft_id=entry.draft_id,
            at=_ts(entry.at),
            actor=entry.actor,
            action=entry.action.value,
            from_state=entry.from_state.value if entry.from_state else None,
            to_state=entry.to_state.value,
            note=entry.note,
            changes=entry.changes,
        )
    )


def _draft(row: Any) -> Draft:
    from tasks.drafts import DraftContent, PosterRef
    from tasks.review import Draft, DraftState

    return Draft(
        id=row.id,
        release_url=row.release_url,
        platform=row.platform,
        version=row.version,
        state=DraftState(row.state),
        content=DraftContent(
            platform=row.platform,
            body=row.body,
            title=row.title,
            digest=row.digest,
            images=tuple(PosterRef(**i) for i in json.loads(row.images or "[]")),
            notes=tuple(json.loads(row.notes or "[]")),
            invalid=row.invalid_reason,
        ),
        created=_parse_ts(row.created),
        created_by=row.created_by,
        release_title=row.release_title,
        events_end=date.fromisoformat(row.events_end) if row.events_end else None,
        input_key=row.input_key,
        source_key=row.source_key,
        parent_id=row.parent_id,
        updated=_parse_ts(row.updated),
    )


def _history(row: Any) -> HistoryEntry:
    from tasks.review import Action, DraftState, HistoryEntry

    return HistoryEntry(
        draft_id=row.draft_id,
        at=_parse_ts(row.at),
        actor=row.actor,
        action=Action(row.action),
        from_state=DraftState(row.from_state) if row.from_state else None,
        to_state=DraftState(row.to_state),
        note=row.note,
        changes=row.changes,
    )


def _insert_if_absent(
    conn: Connection, table: sa.Table, values: dict[str, Any], *, key: list[str]
) -> bool:
    """INSERT … ON CONFLICT DO NOTHING: True if the row was inserted. False, having done nothing,
    if it exists or the dialect has no ON CONFLICT (the caller then checks and inserts itself)."""
    insert = _dialect_insert(conn, table)
    if insert is None:
        return False
    statement = insert.values(**values).on_conflict_do_nothing(index_elements=key)
    # RETURNING, not rowcount: psycopg reports no reliable rowcount for ON CONFLICT DO NOTHING.
    return conn.execute(statement.returning(table.c[key[0]])).first() is not None


def _upsert(
    conn: Connection, table: sa.Table, values: dict[str, Any], *, key: list[str],
    update: dict[str, Any],
) -> bool:
    """INSERT … ON CONFLICT DO UPDATE in one statement; False if the dialect cannot (nothing done)."""
    insert = _dialect_insert(conn, table)
    if insert is None:
        return False
    conn.execute(insert.values(**values).on_conflict_do_update(index_elements=key, set_=update))
    return True


def _dialect_insert(conn: Connection, table: sa.Table) -> Any:
    name = conn.dialect.name
    if name not in _UPSERT_DIALECTS:
        return None
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


def _lock_release(conn: Connection, release_url: str) -> None:
    """Hold the release's row until commit (PostgreSQL; SQLite's BEGIN IMMEDIATE locks it all)."""
    conn.execute(
        sa.select(releases_table.c.url).where(releases_table.c.url == release_url).with_for_update()
    )


def _replace_events(conn: Connection, release_url: str, events: Sequence[Event]) -> None:
    conn.execute(events_table.delete().where(events_table.c.release_url == release_url))
    if events:
        conn.execute(
            events_table.insert(),
            [
                {
                    "release_url": release_url,
                    "seq": seq,
                    "name": e.name,
                    "start": _when_to_text(e.start),
                    "end": _when_to_text(e.end) if e.end is not None else None,
                    "time_of_day": e.time_of_day.value if e.time_of_day else None,
                    "venue": e.venue,
                    "sentence": e.sentence,
                    "online": e.online,
                }
                for seq, e in enumerate(events)
            ],
        )


def _release_row(release: Release) -> dict[str, Any]:
    return {
        "url": release.url,
        "post_id": release.post_id,
        "title": release.title,
        "published": _ts(release.published),
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


def _stored_release(row: Any, events: tuple[Event, ...]) -> StoredRelease:
    release = Release(
        url=row.url,
        post_id=row.post_id,
        title=row.title,
        published=_parse_ts(row.published),
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
        first_seen=_parse_ts(row.first_seen),
        updated=_parse_ts(row.updated),
        last_checked=_parse_ts(row.last_checked),
        events=events,
    )


def _stored_poster(row: Any) -> StoredPoster:
    return StoredPoster(
        release_url=row.release_url,
        event_seq=row.event_seq,
        format=row.format,
        template=row.template,
        path=row.path,
        sha256=row.sha256,
        size_bytes=row.size_bytes,
        width=row.width,
        height=row.height,
        input_key=row.input_key,
        warnings=tuple(json.loads(row.warnings or "[]")),
        rendered_at=_parse_ts(row.rendered_at),
    )


def _fetch_state(row: Any) -> FetchState:
    return FetchState(
        url=row.url,
        kind=row.kind,
        etag=row.etag,
        last_modified=row.last_modified,
        status=row.status,
        last_error=row.last_error,
        attempts=row.attempts or 0,
        last_attempt=_parse_ts(row.last_attempt) if row.last_attempt else None,
        last_success=_parse_ts(row.last_success) if row.last_success else None,
        listed_title=row.listed_title,
        listed_date=date.fromisoformat(row.listed_date) if row.listed_date else None,
    )


def _read_version(conn: Connection) -> int:
    row = conn.execute(
        sa.select(meta_table.c.value).where(meta_table.c.key == "schema_version")
    ).first()
    return int(row.value) if row else 0


_IMMEDIATE = "publicity_immediate"  # execution option: begin SQLite's transaction with the write lock


def create_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite files get WAL and a busy timeout so readers never block writers.

    On SQLite the store's own transactions begin with ``BEGIN IMMEDIATE``: a deferred transaction
    that reads and then writes fails at once ("database is locked") when another connection wrote
    in between, whatever the busy timeout; one that takes the lock first waits its turn. Other
    readers (``engine.connect()``) keep a plain ``BEGIN``.
    """
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    try:
        if url.startswith("sqlite"):
            engine = sa.create_engine(
                url, connect_args={"check_same_thread": False, "timeout": 30}
            )

            @sa.event.listens_for(engine, "connect")
            def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
                # The driver's own implicit BEGIN is off: _sqlite_begin below says BEGIN.
                dbapi_conn.isolation_level = None
                cursor = dbapi_conn.cursor()
                if url != "sqlite:///:memory:":
                    cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
                cursor.execute("PRAGMA foreign_keys=ON")
                cursor.close()

            @sa.event.listens_for(engine, "begin")
            def _sqlite_begin(conn: Connection) -> None:
                immediate = conn.get_execution_options().get(_IMMEDIATE)
                conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

            return engine
        return sa.create_engine(url, pool_pre_ping=True)
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise StoreError(f"Cannot open database {url!r}: {exc}") from exc


def open_store(url: str) -> Store:
    """Open (and create or upgrade) the store at ``url``."""
    engine = create_engine(url)
    store = Store(engine)
    with store._begin() as conn:
        metadata.create_all(conn)
        version = _read_version(conn)
        if version == 0:
            conn.execute(meta_table.insert().values(key="schema_version", value=str(SCHEMA_VERSION)))
        elif version > SCHEMA_VERSION:
            raise StoreError(
                f"The database {url!r} has schema version {version}, newer than this code's "
                f"{SCHEMA_VERSION}: upgrade the code."
            )
        else:
            for step in _MIGRATIONS[version - 1 :]:
                for statement in step:
                    conn.execute(sa.text(statement))
            conn.execute(
                meta_table.update()
                .where(meta_table.c.key == "schema_version")
                .values(value=str(SCHEMA_VERSION))
            )
    return store
