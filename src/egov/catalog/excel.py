"""The catalogue as an Excel workbook (openpyxl): two sheets, “Thủ tục” and “Thành phần”.

Export writes every published procedure; import reads the same layout, checks every row first and saves all
procedures in one transaction only when no row has an error. Re-importing an unchanged workbook changes
nothing (each procedure is compared with its published version).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font

from egov.catalog.models import OnlineLevel, Sector, TimeUnit
from egov.catalog.selectors import published
from egov.catalog.services import ensure_sectors, export_spec, normalise_spec, upsert_procedure
from egov.core.errors import DomainError
from egov.core.spreadsheets import append_row

PROCEDURE_SHEET, COMPONENT_SHEET = "Thủ tục", "Thành phần"
LEVEL_NAMES = {"province": "tỉnh", "district": "huyện", "commune": "xã"}
LEVEL_CODES = {v: k for k, v in LEVEL_NAMES.items()}
UNIT_NAMES = {TimeUnit.WORKING_DAYS.value: "ngày làm việc", TimeUnit.WORKING_HOURS.value: "giờ làm việc"}
ONLINE_NAMES = {level.value: level.label for level in OnlineLevel}
PROCEDURE_COLUMNS = [
    ("national_code", "Mã thủ tục"), ("name", "Tên thủ tục"), ("sector", "Mã lĩnh vực"),
    ("sector_name", "Tên lĩnh vực"), ("levels", "Cấp thực hiện"), ("receiving_agency", "Cơ quan tiếp nhận"),
    ("deciding_agency", "Cơ quan quyết định"), ("processing_time", "Thời hạn giải quyết"),
    ("processing_time_unit", "Đơn vị thời hạn"), ("processing_time_note", "Ghi chú thời hạn"),
    ("fee_amount", "Lệ phí (đồng)"), ("fee_note", "Phí, lệ phí"), ("steps", "Trình tự thực hiện"),
    ("conditions", "Yêu cầu, điều kiện"), ("legal_basis", "Căn cứ pháp lý"), ("result", "Kết quả"),
    ("online_level", "Mức độ trực tuyến"), ("published_on", "Ngày công bố"), ("effective_from", "Ngày hiệu lực"),
    ("form", "Biểu mẫu điện tử (JSON)"), ("deciding_level", "Cấp giải quyết (trống: cấp tiếp nhận)"),
    ("deciding_organ", "Mã cơ quan giải quyết"), ("deciding_office", "Phòng chuyên môn giải quyết"),
    ("name_en", "Tên thủ tục (tiếng Anh)"),
]  # fmt: skip
COMPONENT_COLUMNS = [
    ("national_code", "Mã thủ tục"), ("key", "Mã ô tải lên"), ("name", "Tên giấy tờ"), ("originals", "Bản chính"),
    ("certified_copies", "Bản sao chứng thực"), ("photocopies", "Bản photo"), ("required", "Bắt buộc"),
    ("condition", "Điều kiện"), ("show_if", "Điều kiện hiển thị (JSON)"),
]  # fmt: skip


@dataclass
class CatalogueImport:
    created: int = 0
    revised: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)


def export_workbook(path: Path) -> int:
    versions = (
        published().select_related("procedure", "sector", "deciding_level", "deciding_organ")
        .prefetch_related("levels", "components")
        .order_by("procedure__national_code")
    )  # fmt: skip
    book = Workbook()
    procedures: Any = book.active
    procedures.title = PROCEDURE_SHEET
    components: Any = book.create_sheet(COMPONENT_SHEET)
    procedures.append([label for _, label in PROCEDURE_COLUMNS])
    components.append([label for _, label in COMPONENT_COLUMNS])
    count = 0
    for version in versions:
        spec = export_spec(version)
        row = {
            **spec,
            "sector_name": version.sector.name,
            "levels": ", ".join(LEVEL_NAMES[code] for code in spec["levels"]),
            "deciding_level": LEVEL_NAMES.get(spec["deciding_level"], ""),
            "processing_time": float(spec["processing_time"]),
            "processing_time_unit": UNIT_NAMES[spec["processing_time_unit"]],
            "online_level": ONLINE_NAMES[spec["online_level"]],
            "published_on": spec["published_on"].isoformat() if spec["published_on"] else "",
            "effective_from": spec["effective_from"].isoformat() if spec["effective_from"] else "",
            "form": json.dumps(spec["form"], ensure_ascii=False),
        }
        append_row(procedures, [row[key] for key, _ in PROCEDURE_COLUMNS])
        for component in spec["components"]:
            append_row(components, [
                spec["national_code"], component["key"], component["name"], component["originals"],
                component["certified_copies"], component["photocopies"], "Có" if component["required"] else "Không",
                component["condition"], json.dumps(component["show_if"], ensure_ascii=False) if component["show_if"] else "",
            ])  # fmt: skip
        count += 1
    for sheet in (procedures, components):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "A2"
    book.save(path)
    return count


def _rows(sheet: Any, columns: list[tuple[str, str]]) -> list[tuple[int, dict[str, Any]]]:
    rows = sheet.iter_rows(values_only=True)
    header = [str(h or "").strip() for h in next(rows, [])]
    by_label = {label: key for key, label in columns}
    keys = [by_label.get(h) for h in header]
    missing = [label for key, label in columns if key not in keys]
    if missing:
        raise DomainError(f"Trang “{sheet.title}” thiếu cột: {', '.join(missing)}.")
    out = []
    for number, values in enumerate(rows, start=2):
        if values is None or all(v in (None, "") for v in values):
            continue
        out.append((number, {k: v for k, v in zip(keys, values, strict=False) if k}))
    return out


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()[:10]
    return str(value).strip()


def _json(value: Any, what: str, problems: list[str]) -> Any:
    text = _text(value)
    if not text:
        return {}
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        problems.append(f"{what} không phải JSON hợp lệ (dòng {exc.lineno}, cột {exc.colno})")
        return {}


def read_workbook(path: Path) -> tuple[list[dict[str, str]], list[tuple[int, dict[str, Any]]], list[str]]:
    """Specs with their row numbers, the sectors they use, and row errors; nothing is saved."""
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise DomainError(f"Không mở được tệp Excel “{path.name}”: tệp hỏng hoặc sai định dạng.") from exc
    try:
        if PROCEDURE_SHEET not in book.sheetnames or COMPONENT_SHEET not in book.sheetnames:
            raise DomainError(f"Tệp phải có hai trang “{PROCEDURE_SHEET}” và “{COMPONENT_SHEET}”.")
        procedure_rows = _rows(book[PROCEDURE_SHEET], PROCEDURE_COLUMNS)
        component_rows = _rows(book[COMPONENT_SHEET], COMPONENT_COLUMNS)
    finally:
        book.close()
    errors: list[str] = []
    components: dict[str, list[dict[str, Any]]] = {}
    for number, row in component_rows:
        problems: list[str] = []
        item = {
            "key": _text(row.get("key")), "name": _text(row.get("name")),
            "originals": int(float(_text(row.get("originals")) or 0)),
            "certified_copies": int(float(_text(row.get("certified_copies")) or 0)),
            "photocopies": int(float(_text(row.get("photocopies")) or 0)),
            "required": _text(row.get("required")).lower() in {"có", "co", "x", "1", "true"},
            "condition": _text(row.get("condition")),
            "show_if": _json(row.get("show_if"), "điều kiện hiển thị", problems),
        }  # fmt: skip
        if problems:
            errors.append(f"{COMPONENT_SHEET} dòng {number}: " + "; ".join(problems) + ".")
        components.setdefault(_text(row.get("national_code")), []).append(item)
    sectors: dict[str, str] = {}
    specs: list[tuple[int, dict[str, Any]]] = []
    seen: dict[str, int] = {}
    for number, row in procedure_rows:
        problems = []
        code = _text(row.get("national_code"))
        if code in seen:
            errors.append(f"{PROCEDURE_SHEET} dòng {number}: mã thủ tục {code} lặp lại (dòng {seen[code]}).")
            continue
        seen[code] = number
        levels = [
            LEVEL_CODES.get(part.strip().lower(), part.strip())
            for part in _text(row.get("levels")).split(",")
        ]
        unit = {v: k for k, v in UNIT_NAMES.items()}.get(_text(row.get("processing_time_unit")).lower(), "?")
        online = {v.lower(): k for k, v in ONLINE_NAMES.items()}.get(
            _text(row.get("online_level")).lower(), "?"
        )
        spec: dict[str, Any] = {
            "national_code": code,
            **{
                key: _text(row.get(key))
                for key in (
                    "name",
                    "name_en",
                    "sector",
                    "receiving_agency",
                    "deciding_agency",
                    "deciding_organ",
                    "deciding_office",
                    "processing_time_note",
                    "fee_note",
                    "steps",
                    "conditions",
                    "legal_basis",
                    "result",
                    "published_on",
                    "effective_from",
                )
            },
            "levels": [level for level in levels if level],
            "deciding_level": LEVEL_CODES.get(
                _text(row.get("deciding_level")).lower(), _text(row.get("deciding_level"))
            ),
            "processing_time": _text(row.get("processing_time")),
            "processing_time_unit": unit,
            "fee_amount": _text(row.get("fee_amount")) or "0",
            "online_level": online,
            "components": components.get(code, []),
            "form": _json(row.get("form"), "biểu mẫu", problems) or {"steps": []},
        }
        if spec["sector"]:
            sectors.setdefault(spec["sector"], _text(row.get("sector_name")) or spec["sector"])
        if problems:
            errors.append(f"{PROCEDURE_SHEET} dòng {number} ({code}): " + "; ".join(problems) + ".")
            continue
        specs.append((number, spec))
    for code in sorted(set(components) - set(seen)):
        errors.append(f"{COMPONENT_SHEET}: có thành phần của mã thủ tục {code} nhưng không có thủ tục đó.")
    return [{"code": c, "name": n} for c, n in sectors.items()], specs, errors


def import_workbook(
    path: Path, *, actor: Any, progress: Callable[[int], None] | None = None
) -> CatalogueImport:
    sector_list, specs, errors = read_workbook(path)
    report = CatalogueImport(errors=errors)
    known = {s.code: s for s in Sector.objects.all()}
    probe = {
        **known,
        **{s["code"]: Sector(code=s["code"], name=s["name"]) for s in sector_list if s["code"] not in known},
    }
    for number, spec in specs:
        try:
            normalise_spec(spec, sectors=probe)
        except DomainError as exc:
            report.errors.append(
                f"{PROCEDURE_SHEET} dòng {number} ({spec['national_code']}): " + "; ".join(exc.messages)
            )
    if report.errors:
        return report
    with transaction.atomic():
        sectors = ensure_sectors(actor=actor, sectors=sector_list)
        for _number, spec in specs:
            _version, outcome = upsert_procedure(actor=actor, spec=spec, sectors=sectors)
            setattr(report, outcome, getattr(report, outcome) + 1)
            if progress:
                progress(1)
    return report
