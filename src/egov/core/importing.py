"""Running a file import from a management command: progress bar on stderr, row errors in Vietnamese."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from egov.core.errors import DomainError
from egov.core.tables import read_rows


def run_import(
    command: BaseCommand,
    path: str,
    *,
    aliases: dict[str, str],
    service: Callable[..., Any],
    quiet: bool = False,
    **kwargs: Any,
) -> Any:
    file = Path(path)
    if not file.is_file():
        raise CommandError(f"Không tìm thấy tệp “{path}”.")
    try:
        rows = list(read_rows(file, aliases=aliases))
        stream: Any = command.stderr._out
        bar: Any = tqdm(total=len(rows), desc=f"Đọc {file.name}", unit=" dòng", disable=quiet, file=stream)
        with bar:
            report = service(rows=rows, progress=bar.update, **kwargs)
    except DomainError as exc:
        raise CommandError(" ".join(exc.messages)) from exc
    if report.errors:
        for number, message in report.errors:
            command.stderr.write(f"Dòng {number}: {message}")
        raise CommandError(f"Có {len(report.errors)} dòng lỗi; không có dữ liệu nào được lưu.")
    if not quiet:
        command.stdout.write(
            command.style.SUCCESS(f"{file.name}: thêm mới {report.created}, không đổi {report.unchanged}.")
        )
    return report
