"""Stored files that no row references: what a request wrote before it died without committing.

Uploads, results and issued forms are written to the file storage first and their row is committed after; a
process killed in between leaves a file nobody points to. :func:`sweep_orphan_files` walks the folders the
dossier file fields write to (``dossiers/``, ``results/``, ``forms/``; by default only the months a fresh
orphan can be in) and deletes the files older than the grace period (``EGOV_ORPHAN_FILE_GRACE_HOURS``) that no
row references. A file is referenced if any file field of any installed model, or a path column of the signing
app, names it — so a file a row points to is never touched, whichever app the row belongs to. The look-ups go
by batches through the indexes on the file columns: memory does not grow with the number of files.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.core.files.storage import Storage, default_storage
from django.db import models
from django.utils import timezone

logger = logging.getLogger(__name__)

# The top folders of the dossier file fields' ``upload_to`` (models.dossier_file_path, result_file_path,
# issued_form_path): files under them are dated ``<folder>/YYYY/MM/…`` by the time they were written.
SWEPT_FOLDERS = ("dossiers", "results", "forms")
# Columns that hold storage paths without being file fields.
PATH_COLUMNS = (
    ("signing", "SignatureRequest", "original_path"),
    ("signing", "SignatureRequest", "current_path"),
    ("signing", "SignatureRecord", "output_path"),
)
LOOKUP_BATCH = 500
LISTED_AT_MOST = 20  # names kept in the result (dry runs print them)


@dataclass
class OrphanSweepResult:
    examined: int = 0
    deleted: int = 0
    bytes: int = 0
    examples: list[str] = field(default_factory=list)


def grace() -> dt.timedelta:
    return dt.timedelta(hours=int(settings.EGOV_ORPHAN_FILE_GRACE_HOURS))


def referencing_columns() -> list[tuple[type[models.Model], str]]:
    """Every (model, column) that may hold a storage path."""
    columns = [
        (model, f.name)
        for model in apps.get_models()
        if not model._meta.proxy
        for f in model._meta.get_fields()
        if isinstance(f, models.FileField) and f.concrete
    ]
    for app_label, model_name, column in PATH_COLUMNS:
        if apps.is_installed(f"egov.{app_label}"):
            columns.append((apps.get_model(app_label, model_name), column))
    return columns


def sweep_orphan_files(
    *,
    dry_run: bool = False,
    older_than: dt.timedelta | None = None,
    all_months: bool = False,
    now: dt.datetime | None = None,
    storage: Storage | None = None,
) -> OrphanSweepResult:
    """Delete (or with ``dry_run`` only count) unreferenced files older than ``older_than`` (the grace period
    by default). ``all_months``: walk every month, not only the recent ones (see :func:`_recent_months`)."""
    storage = storage or default_storage
    now = now or timezone.now()
    cutoff = now - (grace() if older_than is None else older_than)
    columns = referencing_columns()
    result = OrphanSweepResult()
    batch: list[tuple[str, int]] = []
    for name in _candidates(storage, months=None if all_months else _recent_months(now, cutoff)):
        try:
            if storage.get_modified_time(name) >= cutoff:
                continue
            size = storage.size(name)
        except (FileNotFoundError, OSError):  # deleted meanwhile
            continue
        result.examined += 1
        batch.append((name, size))
        if len(batch) >= LOOKUP_BATCH:
            _settle(storage, batch, columns, dry_run, result)
            batch = []
    if batch:
        _settle(storage, batch, columns, dry_run, result)
    if result.deleted:
        logger.info(
            "orphan files swept",
            extra={"deleted": result.deleted, "bytes": result.bytes, "dry_run": dry_run},
        )
    return result


def _recent_months(now: dt.datetime, cutoff: dt.datetime) -> list[str]:
    """``YYYY/MM`` folders (in UTC, as ``upload_to`` names them) from the month before the cutoff's to now: a
    request that died left its files under the month it ran in, and only files older than the cutoff go."""
    first = (cutoff.astimezone(dt.UTC).replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    last = now.astimezone(dt.UTC)
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}/{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _candidates(storage: Storage, *, months: list[str] | None) -> Iterator[str]:
    for folder in SWEPT_FOLDERS:
        if months is None:
            yield from _walk(storage, folder)
        else:
            for month in months:
                yield from _walk(storage, f"{folder}/{month}")


def _walk(storage: Storage, folder: str) -> Iterator[str]:
    try:
        directories, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in sorted(files):
        yield f"{folder}/{name}"
    for directory in sorted(directories):
        yield from _walk(storage, f"{folder}/{directory}")


def _settle(
    storage: Storage,
    batch: list[tuple[str, int]],
    columns: list[tuple[type[models.Model], str]],
    dry_run: bool,
    result: OrphanSweepResult,
) -> None:
    names = [name for name, _ in batch]
    referenced: set[str] = set()
    for model, column in columns:
        referenced.update(
            model._base_manager.filter(**{f"{column}__in": names}).values_list(column, flat=True)
        )
    for name, size in batch:
        if name in referenced:
            continue
        if len(result.examples) < LISTED_AT_MOST:
            result.examples.append(name)
        result.deleted += 1
        result.bytes += size
        if not dry_run:
            storage.delete(name)
            _drop_empty_folder(storage, name)


def _drop_empty_folder(storage: Storage, name: str) -> None:
    """Local storage keeps the file's own ``<uuid>/`` folder; remove it once empty (object stores have none)."""
    try:
        folder = os.path.dirname(storage.path(name))
    except NotImplementedError:
        return
    with contextlib.suppress(OSError):  # not empty, or already gone
        os.rmdir(folder)
