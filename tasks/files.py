"""Writing output files safely: atomically, and only when their content changes.

A reader (a feed reader, a web server, a crashed run's successor) sees either the old file or the new
one, never half of one: the bytes go to a temporary file in the same folder, are flushed to disk, and
the temporary file is renamed over the target (atomic on POSIX). A file whose bytes are unchanged is
not touched, so its mtime, and so its ETag and Last-Modified when served, stay put.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

TEMP_PREFIX = ".tmp-"
REPLACE_ATTEMPTS = 3  # a concurrent sweep of temporaries is retried (issue 8)


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` atomically unless it already holds exactly that; True if written."""
    path = Path(path)
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    for attempt in range(1, REPLACE_ATTEMPTS + 1):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=path.suffix, dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as tmp:
                tmp.write(data)
                tmp.flush()
                os.fsync(tmp.fileno())
            os.chmod(tmp_name, 0o644)
            os.replace(tmp_name, path)
            return True
        except FileNotFoundError:
            # Another process swept our temporary file as a crashed run's leftover
            # (remove_stale_temporaries) between mkstemp and replace: write it again.
            Path(tmp_name).unlink(missing_ok=True)
            if attempt == REPLACE_ATTEMPTS:
                raise
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
    raise AssertionError("unreachable")  # the loop returns or raises


def remove_stale_temporaries(folder: Path) -> int:
    """Delete temporary files a killed run left behind; returns how many."""
    removed = 0
    if not folder.exists():
        return 0
    for tmp in folder.rglob(f"{TEMP_PREFIX}*"):
        tmp.unlink(missing_ok=True)
        removed += 1
    return removed
