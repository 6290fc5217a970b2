"""The store: the single source of truth (SQLite by default, any SQLAlchemy URL such as PostgreSQL).

Every output (feeds, posters, drafts, review board) is derived from what is here and can be rebuilt.
SQLAlchemy Core only, no ORM.

    store = open_store("sqlite:///out/publicity.db")
    outcome = store.upsert_release(release)          # "new" | "updated" | "unchanged"
    store.replace_events(release.url, events)

``Store`` is the one object callers hold. Each of its methods is one transaction around a function
of ``tasks/_store/`` that takes the connection (``store.get_release(url)`` runs
``releases.get_release(conn, url)``), so a function can also run inside another's transaction.
One module a topic:

    schema       the tables, declared once         migrate     create, version and upgrade them
    engine       engines and transactions           sql         ON CONFLICT upserts, IN (…) chunks
    times        times as ISO 8601 text (+08:00)    releases    releases, by canonical URL
    events       a release's events                 posters     rendered posters
    fetch_state  validators, errors, attempts       runs        flow runs and their summaries
    drafts       drafts and their review history    integrity   consistency checks

Times are stored as ISO 8601 text in Asia/Shanghai (``+08:00``), so they sort as text and keep their
zone on every backend; dates of all-day events are stored as ``YYYY-MM-DD``.

Several workers may write at once (a poll and a backfill overlapping, flows on several machines with
PostgreSQL): a row is created with ``INSERT … ON CONFLICT`` (SQLite and PostgreSQL), a release being
changed is locked (``SELECT … FOR UPDATE``) before its events are replaced, failures are counted in
SQL (``attempts + 1``), and on SQLite a transaction takes the write lock when it begins
(``BEGIN IMMEDIATE``), so a second writer waits for the busy timeout instead of failing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import date
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy.engine import Connection, Engine

from tasks._store import drafts as _drafts
from tasks._store import events as _events
from tasks._store import fetch_state as _fetches
from tasks._store import integrity as _integrity
from tasks._store import posters as _posters
from tasks._store import releases as _releases
from tasks._store import runs as _runs
from tasks._store.engine import begin as _begin_transaction
from tasks._store.engine import create_engine
from tasks._store.events import event_from_row
from tasks._store.events import replace_events as _replace_events  # see __all__
from tasks._store.fetch_state import FetchState
from tasks._store.migrate import create_or_upgrade as _create_or_upgrade
from tasks._store.migrate import read_version as _read_version
from tasks._store.posters import StoredPoster
from tasks._store.releases import StoredRelease, UpsertOutcome
from tasks._store.releases import release_row as _release_row  # see __all__
from tasks._store.runs import RunRecord
from tasks._store.schema import (
    SCHEMA_VERSION,
    draft_history_table,
    drafts_table,
    events_table,
    fetch_state_table,
    meta_table,
    metadata,
    posters_table,
    releases_table,
    runs_table,
)
from tasks._store.times import now
from tasks.models import Event

# Also importable, under their old private names: ``_release_row`` and ``_replace_events``
# (benchmarks/feeds.py builds a large store with them directly).
__all__ = [
    "SCHEMA_VERSION",
    "FetchState",
    "RunRecord",
    "Store",
    "StoredPoster",
    "StoredRelease",
    "UpsertOutcome",
    "create_engine",
    "draft_history_table",
    "event_from_row",
    "drafts_table",
    "events_table",
    "fetch_state_table",
    "meta_table",
    "metadata",
    "now",
    "open_store",
    "posters_table",
    "releases_table",
    "runs_table",
]

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _in_transaction(
    fn: Callable[Concatenate[Connection, _P], _R],
) -> Callable[Concatenate[Store, _P], _R]:
    """``fn(conn, ...)`` as a ``Store`` method ``store.fn(...)`` that runs it in one transaction.

    The method keeps ``fn``'s name, docstring and signature (less ``conn``), for ``help()`` and
    for type checkers (``Concatenate``), so each signature is written once, next to its body.
    """

    @functools.wraps(fn)
    def method(self: Store, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        with self._begin() as conn:
            return fn(conn, *args, **kwargs)

    return method


class Store:
    """Typed access to the database. Create with ``open_store``; safe to share between threads."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _begin(self) -> AbstractContextManager[Connection]:
        """One transaction; on SQLite it holds the write lock from its start (see create_engine)."""
        return _begin_transaction(self.engine)

    # ---- releases and their events (tasks/_store/releases.py, events.py) ------------------------
    upsert_release = _in_transaction(_releases.upsert_release)
    mark_checked = _in_transaction(_releases.mark_checked)
    known_urls = _in_transaction(_releases.known_urls)
    release_count = _in_transaction(_releases.release_count)
    get_release = _in_transaction(_releases.get_release)
    get_releases = _in_transaction(_releases.get_releases)
    release_urls_with_events = _in_transaction(_releases.release_urls_with_events)
    latest_releases = _in_transaction(_releases.latest_releases)
    releases_due_for_recheck = _in_transaction(_releases.releases_due_for_recheck)
    events_for = _in_transaction(_events.events_for)
    event_count = _in_transaction(_events.event_count)

    def replace_events(self, release_url: str, events: Sequence[Event]) -> None:
        """Replace a stored release's events, the release locked meanwhile (concurrent writers)."""
        with self._begin() as conn:
            _releases.lock_release(conn, release_url)
            _events.replace_events(conn, release_url, events)

    # ---- posters (tasks/_store/posters.py) -------------------------------------------------------
    save_poster = _in_transaction(_posters.save_poster)
    posters_for = _in_transaction(_posters.posters_for)
    all_posters = _in_transaction(_posters.all_posters)
    prune_posters = _in_transaction(_posters.prune_posters)

    def delete_posters(self, release_url: str, *, keep_events: int) -> list[str]:
        """Forget posters of events that no longer exist; returns their paths (files to remove)."""
        return self.prune_posters({release_url: keep_events})

    # ---- fetch state (tasks/_store/fetch_state.py) -----------------------------------------------
    get_fetch_state = _in_transaction(_fetches.get_fetch_state)
    fetch_states = _in_transaction(_fetches.fetch_states)
    record_fetch_success = _in_transaction(_fetches.record_fetch_success)
    record_fetch_failure = _in_transaction(_fetches.record_fetch_failure)
    settle_listed = _in_transaction(_fetches.settle_listed)
    forget_validators = _in_transaction(_fetches.forget_validators)
    failed_articles = _in_transaction(_fetches.failed_articles)
    failures = _in_transaction(_fetches.failures)

    def record_listed(self, items: Sequence[tuple[str, str | None, date | None]], *, reason: str) -> None:
        """Articles a list page lists that have no fetch state yet, recorded as owed in one
        transaction (see ``tasks._store.fetch_state.record_listed``, issue 8)."""
        if not items:  # no transaction, so no write lock taken, for nothing
            return
        with self._begin() as conn:
            _fetches.record_listed(conn, items, reason=reason)

    # ---- runs and health (tasks/_store/runs.py, migrate.py, integrity.py) ------------------------
    start_run = _in_transaction(_runs.start_run)
    finish_run = _in_transaction(_runs.finish_run)
    recent_runs = _in_transaction(_runs.recent_runs)
    schema_version = _in_transaction(_read_version)
    integrity_problems = _in_transaction(_integrity.integrity_problems)

    # ---- drafts and their review, issue 6 (tasks/_store/drafts.py) -------------------------------
    # Records are tasks/review.py's Draft/HistoryEntry; its pure functions decide, these apply.
    add_draft = _in_transaction(_drafts.add_draft)
    apply_transition = _in_transaction(_drafts.apply_transition)
    get_draft = _in_transaction(_drafts.get_draft)
    list_drafts = _in_transaction(_drafts.list_drafts)
    latest_drafts = _in_transaction(_drafts.latest_drafts)
    draft_history = _in_transaction(_drafts.draft_history)
    draft_versions = _in_transaction(_drafts.draft_versions)


def open_store(url: str) -> Store:
    """Open (and create or upgrade) the store at ``url``."""
    store = Store(create_engine(url))
    with store._begin() as conn:
        _create_or_upgrade(conn, url=url)
    return store
