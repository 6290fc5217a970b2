"""SQL building blocks shared by the store's parts: ``INSERT … ON CONFLICT`` where the dialect has
it (SQLite, PostgreSQL) with a plain fallback elsewhere, ``IN (…)`` lists cut to a safe size, and
rows turned into records.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import fields
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

# Dialects with INSERT … ON CONFLICT, which SQLAlchemy builds for each.
UPSERT_DIALECTS = frozenset({"sqlite", "postgresql"})

# Values per IN (…) list: well under SQLite's bound-parameter limit (999 before 3.32).
IN_CHUNK = 500

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)
R = TypeVar("R", bound="DataclassInstance")


def chunked(items: Sequence[T], size: int = IN_CHUNK) -> Iterator[list[T]]:
    """``items`` in lists of at most ``size``, in order (one query each)."""
    for i in range(0, len(items), size):
        yield list(items[i : i + size])


def grouped_rows(
    conn: Connection, query: sa.Select[Any], column: sa.Column[Any], keys: Iterable[K]
) -> dict[K, list[Any]]:
    """The rows of ``query`` whose ``column`` is one of ``keys``, grouped by it, each group in the
    query's order; keys without rows are left out. One query per ``IN_CHUNK`` keys.
    """
    out: dict[K, list[Any]] = {}
    for chunk in chunked(list(keys)):
        for row in conn.execute(query.where(column.in_(chunk))).all():
            out.setdefault(getattr(row, column.key), []).append(row)
    return out


def record_from_row(cls: type[R], row: Any, **converted: Any) -> R:
    """A ``cls`` dataclass from the row's columns of the same names; ``converted`` gives the fields
    stored otherwise (JSON text, ISO 8601 times).

        record_from_row(StoredPoster, row, rendered_at=parse_ts(row.rendered_at), warnings=...)
    """
    return cls(**{
        f.name: converted[f.name] if f.name in converted else getattr(row, f.name)
        for f in fields(cls)
    })


def dialect_insert(conn: Connection, table: sa.Table) -> Any:
    """The dialect's INSERT with ``on_conflict_do_*``, or None if it has no ON CONFLICT."""
    name = conn.dialect.name
    if name not in UPSERT_DIALECTS:
        return None
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


def insert_if_absent(
    conn: Connection, table: sa.Table, values: dict[str, Any], *, key: list[str]
) -> bool:
    """INSERT … ON CONFLICT DO NOTHING: True if the row was inserted. False, having done nothing,
    if it exists or the dialect has no ON CONFLICT (the caller then checks and inserts itself)."""
    insert = dialect_insert(conn, table)
    if insert is None:
        return False
    statement = insert.values(**values).on_conflict_do_nothing(index_elements=key)
    # RETURNING, not rowcount: psycopg reports no reliable rowcount for ON CONFLICT DO NOTHING.
    return conn.execute(statement.returning(table.c[key[0]])).first() is not None


def upsert(
    conn: Connection, table: sa.Table, values: dict[str, Any], *, key: list[str],
    update: dict[str, Any],
) -> None:
    """Insert ``values``, or if a row with the same ``key`` columns exists, set ``update`` on it.

    One ``INSERT … ON CONFLICT DO UPDATE`` where the dialect has it; elsewhere a look, then an
    INSERT or an UPDATE (``update`` may hold SQL expressions such as ``table.c.n + 1`` either way).
    """
    insert = dialect_insert(conn, table)
    if insert is not None:
        conn.execute(insert.values(**values).on_conflict_do_update(index_elements=key, set_=update))
        return
    where = sa.and_(*(table.c[k] == values[k] for k in key))
    if conn.execute(sa.select(table.c[key[0]]).where(where)).first() is None:
        conn.execute(table.insert().values(**values))
    else:
        conn.execute(table.update().where(where).values(**update))
