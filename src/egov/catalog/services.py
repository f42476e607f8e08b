"""Every write to the procedure catalogue goes through here.

A procedure is described by a *spec*: a plain dict in the format of ``data/demo-catalogue.json`` (also what
the Excel import produces and the export writes). :func:`upsert_procedure` makes the catalogue say what the
spec says: a new procedure gets version 1; a changed one gets a new published version (the old one is kept,
superseded, for the dossiers filed under it); an unchanged one is left alone.

Who decides is given by ``deciding_level`` (a level code, or empty for the level of the receiving desk),
``deciding_organ`` (an organ code, or empty for the People's Committee of that level) and ``deciding_office``
(see :class:`~egov.catalog.models.ProcedureVersion`); ``deciding_agency`` is the published wording only.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction

from egov.agencies.models import Agency
from egov.audit.models import AuditEntry
from egov.audit.services import record
from egov.catalog.formdef import validate_definition
from egov.catalog.models import (
    Component,
    OnlineLevel,
    Procedure,
    ProcedureVersion,
    Sector,
    TimeUnit,
    VersionStatus,
)
from egov.catalog.search_text import search_key
from egov.catalog.selectors import forget_cached_catalogue
from egov.core.errors import DomainError
from egov.units.models import AdministrativeLevel
from egov.units.services import ensure_reference_data_admin

VERSION_FIELDS = (
    "name", "receiving_agency", "deciding_agency", "deciding_office", "processing_time", "processing_time_unit",
    "processing_time_note", "fee_amount", "fee_note", "steps", "conditions", "legal_basis", "result",
    "online_level", "published_on", "effective_from", "name_en",
)  # fmt: skip
COMPONENT_FIELDS = (
    "key",
    "name",
    "originals",
    "certified_copies",
    "photocopies",
    "required",
    "condition",
    "show_if",
)
LEVEL_CODES = ("province", "district", "commune")
REQUIRED_TEXT = {"national_code": "mã thủ tục", "name": "tên thủ tục", "sector": "lĩnh vực",
                 "receiving_agency": "cơ quan tiếp nhận", "deciding_agency": "cơ quan quyết định",
                 "legal_basis": "căn cứ pháp lý", "result": "kết quả thực hiện"}  # fmt: skip


def normalise_spec(spec: dict[str, Any], *, sectors: dict[str, Sector]) -> dict[str, Any]:
    """Check a spec and return it with typed values; raise DomainError listing every problem."""
    problems: list[str] = []
    for key, label in REQUIRED_TEXT.items():
        if not str(spec.get(key) or "").strip():
            problems.append(f"thiếu {label}")
    if spec.get("sector") and spec["sector"] not in sectors:
        problems.append(f"lĩnh vực mã “{spec['sector']}” chưa có trong danh mục")
    levels = spec.get("levels") or []
    if not levels or not set(levels) <= set(LEVEL_CODES):
        problems.append("cấp thực hiện phải gồm province, district hoặc commune")
    deciding_level = str(spec.get("deciding_level") or "").strip()
    if deciding_level and deciding_level not in LEVEL_CODES:
        problems.append("cấp giải quyết phải là province, district, commune hoặc để trống (cấp tiếp nhận)")
    elif deciding_level and any(
        LEVEL_CODES.index(deciding_level) > LEVEL_CODES.index(lv) for lv in levels if lv in LEVEL_CODES
    ):
        problems.append("cấp giải quyết phải là cấp thực hiện thủ tục hoặc cấp trên của mọi cấp thực hiện")
    organ_code = str(spec.get("deciding_organ") or "").strip()
    if organ_code and _organ(organ_code) is None:
        problems.append(f"cơ quan giải quyết mã “{organ_code}” chưa có trong danh mục cơ quan")
    try:
        time_value = Decimal(str(spec.get("processing_time", "")))
        if time_value <= 0:
            raise ValueError
    except (ArithmeticError, ValueError):
        problems.append("thời hạn giải quyết phải là số dương")
        time_value = Decimal(0)
    if spec.get("processing_time_unit", TimeUnit.WORKING_DAYS) not in TimeUnit.values:
        problems.append("đơn vị thời hạn phải là working_days hoặc working_hours")
    if spec.get("online_level", OnlineLevel.NONE) not in OnlineLevel.values:
        problems.append("mức độ trực tuyến phải là full, partial hoặc none")
    try:
        fee = int(spec.get("fee_amount") or 0)
        if fee < 0:
            raise ValueError
    except (TypeError, ValueError):
        problems.append("lệ phí phải là số nguyên không âm")
        fee = 0
    dates: dict[str, dt.date | None] = {}
    for key in ("published_on", "effective_from"):
        try:
            dates[key] = dt.date.fromisoformat(spec[key]) if spec.get(key) else None
        except (TypeError, ValueError):
            problems.append(f"ngày “{spec.get(key)}” phải có dạng YYYY-MM-DD")
            dates[key] = None
    components = spec.get("components") or []
    keys = [c.get("key") for c in components if isinstance(c, dict)]
    if len(keys) != len(components) or len(set(keys)) != len(keys) or not all(keys):
        problems.append("mỗi thành phần hồ sơ cần một mã ô tải lên riêng")
    try:
        validate_definition(spec.get("form") or {"steps": []})
    except DomainError as exc:
        problems.extend(exc.messages)
    if spec.get("online_level") in (OnlineLevel.FULL, OnlineLevel.PARTIAL) and not (
        spec.get("form") or {}
    ).get("steps"):
        problems.append("thủ tục trực tuyến phải có biểu mẫu điện tử")
    if problems:
        raise DomainError(problems)
    return {
        "national_code": str(spec["national_code"]).strip(),
        "sector": spec["sector"],
        "levels": sorted(set(levels)),
        **{key: spec.get(key) for key in VERSION_FIELDS},
        "name": " ".join(str(spec["name"]).split()),
        "name_en": " ".join(str(spec.get("name_en") or "").split()),
        "processing_time": time_value,
        "processing_time_unit": spec.get("processing_time_unit") or TimeUnit.WORKING_DAYS,
        "processing_time_note": spec.get("processing_time_note") or "",
        "fee_amount": fee,
        "fee_note": spec.get("fee_note") or "",
        "deciding_level": deciding_level,
        "deciding_organ": organ_code,
        "deciding_office": " ".join(str(spec.get("deciding_office") or "").split()),
        "steps": spec.get("steps") or "",
        "conditions": spec.get("conditions") or "",
        "online_level": spec.get("online_level") or OnlineLevel.NONE,
        **dates,
        "components": [
            {
                "key": str(c["key"]),
                "name": str(c.get("name", "")).strip(),
                "originals": int(c.get("originals") or 0),
                "certified_copies": int(c.get("certified_copies") or 0),
                "photocopies": int(c.get("photocopies") or 0),
                "required": bool(c.get("required", True)),
                "condition": str(c.get("condition") or ""),
                "show_if": c.get("show_if") or {},
            }
            for c in components
        ],
        "form": spec.get("form") or {"steps": []},
    }


def _organ(code: str) -> Agency | None:
    """The agency an organ code names (the latest row with that code: a reorganised one is followed to its
    successor when a dossier is routed)."""
    return Agency.objects.filter(code=code).order_by("-valid_from").first()


def export_spec(version: ProcedureVersion) -> dict[str, Any]:
    """The spec a version was made from (what the Excel export writes)."""
    return {
        "national_code": version.procedure.national_code,
        "sector": version.sector.code,
        "levels": sorted(level.code for level in version.levels.all()),
        **{key: getattr(version, key) for key in VERSION_FIELDS},
        "deciding_level": version.deciding_level.code if version.deciding_level is not None else "",
        "deciding_organ": version.deciding_organ.code if version.deciding_organ is not None else "",
        "components": [{key: getattr(c, key) for key in COMPONENT_FIELDS} for c in version.components.all()],
        "form": version.form_definition,
    }


def _comparable(spec: dict[str, Any]) -> dict[str, Any]:
    return {**spec, "processing_time": Decimal(str(spec["processing_time"])).normalize()}


def _create_version(
    *, procedure: Procedure, number: int, spec: dict[str, Any], sectors: dict[str, Sector]
) -> ProcedureVersion:
    sector = sectors[spec["sector"]]
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        number=number,
        status=VersionStatus.PUBLISHED,
        sector=sector,
        deciding_level=AdministrativeLevel.objects.get(code=spec["deciding_level"])
        if spec["deciding_level"]
        else None,
        deciding_organ=_organ(spec["deciding_organ"]) if spec["deciding_organ"] else None,
        form_definition=spec["form"],
        search_text=search_key(f"{spec['name']} {sector.name} {procedure.national_code}"),
        **{key: spec[key] for key in VERSION_FIELDS},
    )
    version.levels.set(AdministrativeLevel.objects.filter(code__in=spec["levels"]))
    Component.objects.bulk_create(
        [Component(version=version, order=index, **c) for index, c in enumerate(spec["components"])]
    )
    return version


def upsert_procedure(
    *, actor: Any, spec: dict[str, Any], sectors: dict[str, Sector] | None = None
) -> tuple[ProcedureVersion, str]:
    """Make the catalogue match ``spec``. Returns the current version and "created", "revised" or "unchanged"."""
    ensure_reference_data_admin(actor)
    sectors = sectors if sectors is not None else {s.code: s for s in Sector.objects.all()}
    clean = normalise_spec(spec, sectors=sectors)
    with transaction.atomic():
        procedure, created = Procedure.objects.get_or_create(national_code=clean["national_code"])
        current = (
            ProcedureVersion.objects.select_for_update(of=("self",))
            .filter(procedure=procedure, status=VersionStatus.PUBLISHED)
            .select_related("sector", "procedure", "deciding_level", "deciding_organ")
            .prefetch_related("levels", "components")
            .first()
        )
        if current is not None and _comparable(export_spec(current)) == _comparable(clean):
            return current, "unchanged"
        last = ProcedureVersion.objects.filter(procedure=procedure).order_by("-number").first()
        if current is not None:
            ProcedureVersion.objects.filter(pk=current.pk).update(status=VersionStatus.SUPERSEDED)
        version = _create_version(
            procedure=procedure, number=(last.number + 1) if last else 1, spec=clean, sectors=sectors
        )
        outcome = "created" if created or current is None else "revised"
        forget_cached_catalogue()  # this process sees the change at once, the others within two seconds
        transaction.on_commit(forget_cached_catalogue)
        record(
            action=AuditEntry.Action.CREATED if outcome == "created" else AuditEntry.Action.UPDATED,
            actor=actor,
            target=version,
            actor_label="" if actor else "hệ thống",
            data={"procedure": procedure.national_code, "version": version.number},
        )
    return version, outcome


def revise_procedure(*, actor: Any, version: ProcedureVersion, **changes: Any) -> ProcedureVersion:
    """Edit a published procedure: the result is a new published version; the old one stays as it was."""
    spec = export_spec(version)
    unknown = set(changes) - set(spec)
    if unknown:
        raise DomainError(f"Không thể sửa các mục: {', '.join(sorted(unknown))}.")
    spec.update(changes)
    spec["processing_time"] = str(spec["processing_time"])
    for key in ("published_on", "effective_from"):
        if isinstance(spec.get(key), dt.date):
            spec[key] = spec[key].isoformat()
    new_version, _outcome = upsert_procedure(actor=actor, spec=spec)
    return new_version


def ensure_sectors(*, actor: Any, sectors: list[dict[str, str]]) -> dict[str, Sector]:
    ensure_reference_data_admin(actor)
    known = {s.code: s for s in Sector.objects.all()}
    for item in sectors:
        code, name = str(item.get("code", "")).strip(), " ".join(str(item.get("name", "")).split())
        if not code or not name:
            raise DomainError("Lĩnh vực cần có mã và tên.")
        if code not in known:
            known[code] = Sector.objects.create(code=code, name=name)
    return known
