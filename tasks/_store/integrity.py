"""Consistency checks over the store, for tests and ``publicity status``: an empty list means
consistent."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from tasks._store.schema import events_table, releases_table


def integrity_problems(conn: Connection) -> list[str]:
    """Consistency checks for tests and `publicity status`: empty means consistent."""
    problems: list[str] = []
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
