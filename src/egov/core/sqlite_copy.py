"""Copy a SQLite database while other processes use it.

Copying the file (``cp``) is not a copy of the database: in WAL mode (how the platform opens SQLite) the
transactions committed since the last checkpoint live in ``…-wal`` beside it, and a writer may be halfway
through a checkpoint. The SQLite online backup API reads the database as one snapshot, through SQLite's own
locking, with what the WAL holds; the copy is written beside the target and renamed into place, so nobody
ever opens half a copy.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path

from egov.core.errors import DomainError

SIDE_FILES = ("-wal", "-shm", "-journal")


def copy_sqlite(*, source: Path, target: Path, busy_seconds: float = 60) -> int:
    """Copy ``source`` to ``target`` consistently, even while the source is being written. Returns the size in
    bytes. Waits up to ``busy_seconds`` for a writer holding the database."""
    if not source.is_file():
        raise DomainError(f"Không tìm thấy tệp cơ sở dữ liệu “{source}”.")
    if source.resolve() == target.resolve():
        raise DomainError("Tệp đích phải khác tệp cơ sở dữ liệu nguồn.")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    for path in (partial, *(Path(f"{partial}{suffix}") for suffix in SIDE_FILES)):
        path.unlink(missing_ok=True)
    try:
        with (
            closing(sqlite3.connect(source, timeout=busy_seconds)) as reader,
            closing(sqlite3.connect(partial)) as writer,
        ):
            reader.backup(writer)  # one step: the whole database from one read snapshot
        with closing(sqlite3.connect(partial)) as check:
            verdict = check.execute("PRAGMA integrity_check").fetchone()[0]
        if verdict != "ok":
            raise DomainError(f"Bản sao cơ sở dữ liệu không toàn vẹn: {verdict}")
    except (sqlite3.Error, DomainError) as exc:
        partial.unlink(missing_ok=True)
        if isinstance(exc, DomainError):
            raise
        raise DomainError(f"Không sao chép được cơ sở dữ liệu “{source.name}”: {exc}") from exc
    # Files beside an older target belong to it: left there, SQLite would apply them to the new copy.
    for suffix in SIDE_FILES:
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.replace(partial, target)
    return target.stat().st_size
