"""Drafts and their review (issue 6): a draft is one version of one platform's text for one
release; versions of a (release, platform) are numbered from 1 and never deleted. ``draft_history``
records every change: who, when, the action, from and to, the note, what changed.

The records are tasks/review.py's ``Draft``/``HistoryEntry``; its pure functions decide, these
apply. They are imported where used, which keeps ``import tasks.store`` light.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import date
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from tasks._store.releases import lock_release
from tasks._store.schema import draft_history_table, drafts_table
from tasks._store.sql import chunked, grouped_rows
from tasks._store.times import parse_ts, ts
from tasks.errors import StoreError

if TYPE_CHECKING:
    from tasks.review import Draft, HistoryEntry, NewDraft, Transition


def add_draft(conn: Connection, new: NewDraft, *, transitions: Sequence[Transition] = ()) -> Draft:
    """Store a new version (numbered after the group's last) with its creation in the history,
    and apply ``transitions`` (the old versions it supersedes or replaces) in the same transaction.
    """
    from tasks.review import Action, HistoryEntry

    lock_release(conn, new.release_url)  # concurrent versions of one draft wait in turn
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
            created=ts(new.created),
            created_by=new.created_by,
            updated=ts(new.created),
        )
    )
    draft_id = int(result.inserted_primary_key[0])
    _insert_history(conn, HistoryEntry(
        draft_id=draft_id, at=new.created, actor=new.created_by, action=Action.CREATE,
        from_state=None, to_state=new.state, note=new.note, changes=new.changes,
    ))
    return _read_draft(conn, draft_id)


def apply_transition(conn: Connection, transition: Transition) -> Draft:
    """Change a draft's state, only if it is still in ``transition.expected`` (else StoreError:
    someone decided meanwhile, and nothing is overwritten)."""
    _apply_transition(conn, transition)
    return _read_draft(conn, transition.draft_id)


def get_draft(conn: Connection, draft_id: int) -> Draft | None:
    row = conn.execute(sa.select(drafts_table).where(drafts_table.c.id == draft_id)).first()
    return _draft(row) if row is not None else None


def list_drafts(
    conn: Connection,
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
    if release_urls is None:
        rows = conn.execute(query).all()
    else:
        rows = []
        for chunk in chunked(list(release_urls)):
            rows += conn.execute(query.where(drafts_table.c.release_url.in_(chunk))).all()
    return [_draft(r) for r in rows]


def latest_drafts(conn: Connection, release_urls: Sequence[str]) -> dict[tuple[str, str], Draft]:
    """The last version of each (release, platform) of these releases."""
    out: dict[tuple[str, str], Draft] = {}
    for draft in list_drafts(conn, release_urls=release_urls):
        key = (draft.release_url, draft.platform)
        if key not in out or draft.version > out[key].version:
            out[key] = draft
    return out


def draft_history(conn: Connection, draft_ids: Sequence[int]) -> dict[int, list[HistoryEntry]]:
    """History entries per draft, oldest first."""
    query = sa.select(draft_history_table).order_by(draft_history_table.c.id)
    grouped = grouped_rows(conn, query, draft_history_table.c.draft_id, draft_ids)
    return {draft_id: [_history(r) for r in rows] for draft_id, rows in grouped.items()}


def draft_versions(conn: Connection, release_url: str, platform: str) -> list[Draft]:
    """Every version of one release's draft for one platform, oldest first."""
    rows = conn.execute(
        sa.select(drafts_table)
        .where(drafts_table.c.release_url == release_url)
        .where(drafts_table.c.platform == platform)
        .order_by(drafts_table.c.version)
    ).all()
    return [_draft(r) for r in rows]


def _apply_transition(conn: Connection, transition: Transition) -> None:
    entry = transition.entry
    result = conn.execute(
        drafts_table.update()
        .where(drafts_table.c.id == transition.draft_id)
        .where(drafts_table.c.state == transition.expected.value)
        .values(state=entry.to_state.value, updated=ts(entry.at))
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
            at=ts(entry.at),
            actor=entry.actor,
            action=entry.action.value,
            from_state=entry.from_state.value if entry.from_state else None,
            to_state=entry.to_state.value,
            note=entry.note,
            changes=entry.changes,
        )
    )


def _read_draft(conn: Connection, draft_id: int) -> Draft:
    """The draft just written (``.one()``: a missing row is an error, a StoreError once out)."""
    return _draft(conn.execute(sa.select(drafts_table).where(drafts_table.c.id == draft_id)).one())


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
        created=parse_ts(row.created),
        created_by=row.created_by,
        release_title=row.release_title,
        events_end=date.fromisoformat(row.events_end) if row.events_end else None,
        input_key=row.input_key,
        source_key=row.source_key,
        parent_id=row.parent_id,
        updated=parse_ts(row.updated),
    )


def _history(row: Any) -> HistoryEntry:
    from tasks.review import Action, DraftState, HistoryEntry

    return HistoryEntry(
        draft_id=row.draft_id,
        at=parse_ts(row.at),
        actor=row.actor,
        action=Action(row.action),
        from_state=DraftState(row.from_state) if row.from_state else None,
        to_state=DraftState(row.to_state),
        note=row.note,
        changes=row.changes,
    )
