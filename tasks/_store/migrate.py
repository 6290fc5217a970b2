"""Creating and upgrading the schema: ``meta.schema_version`` says which version a database has;
each step in ``MIGRATIONS`` upgrades it by one, and a database newer than the code is refused.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from tasks._store.schema import SCHEMA_VERSION, meta_table, metadata
from tasks.errors import StoreError

VERSION_KEY = "schema_version"  # the row of ``meta`` that holds it

# Each entry upgrades the schema from version i+1 to i+2 (index 0: 1 -> 2). Version 1 is create_all.
MIGRATIONS: list[list[str]] = []


def read_version(conn: Connection) -> int:
    """The database's schema version; 0 for one not created yet."""
    row = conn.execute(sa.select(meta_table.c.value).where(meta_table.c.key == VERSION_KEY)).first()
    return int(row.value) if row else 0


def create_or_upgrade(conn: Connection, *, url: str) -> None:
    """Create missing tables, then stamp a new database or run the steps an older one lacks.

    ``url`` only names the database in the error for one newer than this code.
    """
    metadata.create_all(conn)
    version = read_version(conn)
    if version == 0:
        conn.execute(meta_table.insert().values(key=VERSION_KEY, value=str(SCHEMA_VERSION)))
    elif version > SCHEMA_VERSION:
        raise StoreError(
            f"The database {url!r} has schema version {version}, newer than this code's "
            f"{SCHEMA_VERSION}: upgrade the code."
        )
    else:
        for step in MIGRATIONS[version - 1 :]:
            for statement in step:
                conn.execute(sa.text(statement))
        conn.execute(
            meta_table.update()
            .where(meta_table.c.key == VERSION_KEY)
            .values(value=str(SCHEMA_VERSION))
        )
