"""Reading tabular files (CSV or Excel) into rows of strings keyed by normalised column names."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from openpyxl import load_workbook

from egov.core.errors import DomainError
from egov.core.text import fold


def read_rows(path: Path, *, aliases: dict[str, str]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield ``(row number as a spreadsheet shows it, row)``; header names are matched through ``aliases``
    (keys folded: lower case, no diacritics, single spaces)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        raw_rows = _csv_rows(path)
    elif suffix in {".xlsx", ".xlsm"}:
        raw_rows = _xlsx_rows(path)
    else:
        raise DomainError(f"Không đọc được tệp “{path.name}”: chỉ nhận tệp .csv hoặc .xlsx.")
    try:
        header = next(raw_rows)
    except StopIteration:
        raise DomainError(f"Tệp “{path.name}” không có dữ liệu.") from None
    columns = [aliases.get(fold(name)) for name in header]
    for number, values in enumerate(raw_rows, start=2):
        if not any(v.strip() for v in values):
            continue
        yield number, {col: val.strip() for col, val in zip(columns, values, strict=False) if col}


def _csv_rows(path: Path) -> Iterator[list[str]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            yield from csv.reader(handle)
    except UnicodeDecodeError as exc:
        raise DomainError(f"Tệp “{path.name}” phải được lưu với bảng mã UTF-8.") from exc


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise DomainError(f"Không mở được tệp Excel “{path.name}”: tệp hỏng hoặc sai định dạng.") from exc
    try:
        for row in workbook.active.iter_rows(values_only=True):  # type: ignore[union-attr]
            yield ["" if v is None else _cell_text(v) for v in row]
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return str(value.isoformat())[:10]
    return str(value)
