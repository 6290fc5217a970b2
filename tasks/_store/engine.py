"""Connections: an engine per database URL, and the store's transactions on it.

On SQLite the store's own transactions begin with ``BEGIN IMMEDIATE`` (see ``create_engine``), so
several workers writing at once wait their turn for the busy timeout instead of failing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from tasks.errors import StoreError

IMMEDIATE = "publicity_immediate"  # execution option: begin SQLite's transaction with the write lock
SQLITE_BUSY_TIMEOUT = 30  # seconds a writer waits for another's lock
SQLITE_MEMORY_URL = "sqlite:///:memory:"


def create_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite files get WAL and a busy timeout so readers never block writers.

    On SQLite the store's own transactions begin with ``BEGIN IMMEDIATE``: a deferred transaction
    that reads and then writes fails at once ("database is locked") when another connection wrote
    in between, whatever the busy timeout; one that takes the lock first waits its turn. Other
    readers (``engine.connect()``) keep a plain ``BEGIN``.
    """
    if url.startswith("sqlite:///") and url != SQLITE_MEMORY_URL:
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    try:
        if url.startswith("sqlite"):
            engine = sa.create_engine(
                url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT}
            )

            @event.listens_for(engine, "connect")
            def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
                # The driver's own implicit BEGIN is off: _sqlite_begin below says BEGIN.
                dbapi_conn.isolation_level = None
                cursor = dbapi_conn.cursor()
                if url != SQLITE_MEMORY_URL:
                    cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
                cursor.execute("PRAGMA foreign_keys=ON")
                cursor.close()

            @event.listens_for(engine, "begin")
            def _sqlite_begin(conn: Connection) -> None:
                immediate = conn.get_execution_options().get(IMMEDIATE)
                conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

            return engine
        return sa.create_engine(url, pool_pre_ping=True)
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise StoreError(f"Cannot open database {url!r}: {exc}") from exc


@contextmanager
def begin(engine: Engine) -> Iterator[Connection]:
    """One transaction; on SQLite it holds the write lock from its start (see ``create_engine``).

    SQLAlchemy's errors leave as ``StoreError``, the cause kept.
    """
    try:
        with engine.connect() as conn:
            conn.execution_options(**{IMMEDIATE: True})
            with conn.begin():
                yield conn
    except SQLAlchemyError as exc:
        raise StoreError(f"Database error on {engine.url!r}: {exc}") from exc
