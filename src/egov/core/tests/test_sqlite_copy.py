"""`make demo-2025` copies the demo's SQLite database while the demo may be writing to it: the copy is the
database as of one moment, with what the WAL holds, never half a transaction."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

BATCH = 50

# Opens the database the way the platform does (WAL, no automatic checkpoint, so the main file lags), commits
# BATCH rows at a time for as long as it lives, and says how many rows it has committed so far.
WRITER = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
size = int(sys.argv[2])
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA wal_autocheckpoint=0")
db.execute("CREATE TABLE IF NOT EXISTS demo (batch INTEGER, filler TEXT)")
batch = 0
while True:
    db.execute("BEGIN IMMEDIATE")
    db.executemany("INSERT INTO demo VALUES (?, ?)", [(batch, "x" * 200)] * size)
    db.execute("COMMIT")
    batch += 1
    print(batch * size, flush=True)
"""


def start_writer(path: Path) -> subprocess.Popen[str]:
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), str(BATCH)],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert writer.stdout is not None
    for line in writer.stdout:
        if int(line) >= 20 * BATCH:
            return writer
    raise AssertionError("the writer stopped")


def rows_and_integrity(path: Path) -> tuple[int, str]:
    with closing(sqlite3.connect(path)) as db:
        try:
            count = db.execute("SELECT count(*) FROM demo").fetchone()[0]
        except sqlite3.DatabaseError:
            count = -1
        return count, db.execute("PRAGMA integrity_check").fetchone()[0]


@pytest.mark.parametrize("writer_killed", [False, True], ids=["writer-running", "writer-killed"])
def test_the_copy_is_consistent_while_a_process_writes(tmp_path: Path, writer_killed: bool) -> None:
    source, target = tmp_path / "egov.sqlite3", tmp_path / "copy" / "egov-2025.sqlite3"
    writer = start_writer(source)
    try:
        assert writer.stdout is not None
        committed_before = int(writer.stdout.readline())
        if writer_killed:
            os.killpg(writer.pid, signal.SIGKILL)  # dies with its WAL never checkpointed
            writer.wait()
        call_command("copy_database", str(target), source=str(source))
        count, integrity = rows_and_integrity(target)
    finally:
        if writer.poll() is None:
            os.killpg(writer.pid, signal.SIGKILL)
            writer.wait()
    assert integrity == "ok"
    assert count >= committed_before  # nothing committed before the copy is missing (it lives in the WAL)
    assert count % BATCH == 0  # and no half transaction
    assert not target.with_name(target.name + ".partial").exists()


def test_an_older_copy_and_its_side_files_are_replaced(tmp_path: Path) -> None:
    source, target = tmp_path / "egov.sqlite3", tmp_path / "egov-2025.sqlite3"
    with closing(sqlite3.connect(source)) as db:
        db.execute("CREATE TABLE demo (batch INTEGER, filler TEXT)")
        db.execute("INSERT INTO demo VALUES (1, 'a')")
        db.commit()
    target.write_bytes(b"an older copy")
    Path(f"{target}-wal").write_bytes(b"its write-ahead log")
    call_command("copy_database", str(target), source=str(source))
    assert rows_and_integrity(target) == (1, "ok")
    assert not Path(f"{target}-wal").exists()


def test_bad_sources_are_refused_in_vietnamese(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Không tìm thấy tệp cơ sở dữ liệu"):
        call_command("copy_database", str(tmp_path / "b.sqlite3"), source=str(tmp_path / "none.sqlite3"))
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"not a database" * 100)
    with pytest.raises(CommandError, match="Không sao chép được"):
        call_command("copy_database", str(tmp_path / "c.sqlite3"), source=str(garbage))
    started = time.monotonic()
    with pytest.raises(CommandError, match="phải khác"):
        call_command("copy_database", str(garbage), source=str(garbage))
    assert time.monotonic() - started < 5
