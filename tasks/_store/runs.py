"""Flow runs: one row per poll/backfill/rebuild run, with its state and summary (counts, failures),
for ``publicity status`` and the run report.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from tasks._store.schema import runs_table
from tasks._store.sql import record_from_row
from tasks._store.times import now, parse_ts, ts


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


def start_run(conn: Connection, flow: str, *, source: str | None) -> int:
    """Record a run as ``running``; returns its id."""
    result = conn.execute(
        runs_table.insert().values(flow=flow, started=ts(now()), state="running", source=source)
    )
    return int(result.inserted_primary_key[0])


def finish_run(
    conn: Connection, run_id: int, *, state: str, summary: dict[str, Any], error: str | None = None
) -> None:
    conn.execute(
        runs_table.update()
        .where(runs_table.c.id == run_id)
        .values(
            finished=ts(now()),
            state=state,
            summary=json.dumps(summary, ensure_ascii=False, default=str),
            error=error,
        )
    )


def recent_runs(conn: Connection, limit: int = 10) -> list[RunRecord]:
    """The last ``limit`` runs, newest first."""
    rows = conn.execute(sa.select(runs_table).order_by(runs_table.c.id.desc()).limit(limit)).all()
    return [
        record_from_row(
            RunRecord, r,
            started=parse_ts(r.started),
            finished=parse_ts(r.finished) if r.finished else None,
            summary=json.loads(r.summary) if r.summary else {},
        )
        for r in rows
    ]
