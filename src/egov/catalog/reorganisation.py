"""Procedures follow a reorganisation: the plan's ``procedures`` section re-publishes a procedure at the level
that now carries it out (e.g. business household registration moved from the district to the commune level
in 2025). Each entry gives the procedure's ``national_code`` and the catalogue fields that change (``levels``,
``receiving_agency``, ``deciding_agency``, and who decides now: ``deciding_level``, ``deciding_organ``,
``deciding_office``); the result is a new published version effective from the reorganisation's date, and
dossiers filed before keep the version they were filed under. An entry that would leave the procedure decided
at an ended level is refused with the whole plan. A procedure left only at an ended level, or decided there,
stops taking dossiers (:func:`egov.catalog.selectors.filing_closed_reason`)."""

from __future__ import annotations

from typing import Any

from egov.agencies.reorganisation_hooks import Reorganised
from egov.catalog.models import ProcedureVersion, VersionStatus
from egov.catalog.services import revise_procedure
from egov.core.errors import DomainError
from egov.units.models import AdministrativeLevel


def follow_reorganisation(event: Reorganised) -> list[str]:
    entries = event.sections.get("procedures") or []
    if not isinstance(entries, list):
        raise DomainError("Mục “procedures” của phương án phải là một danh sách.")
    notes: list[str] = []
    revised = 0
    ended = dict(AdministrativeLevel.objects.filter(valid_to__isnull=False).values_list("code", "name"))
    for entry in entries:
        if not isinstance(entry, dict) or not str(entry.get("national_code") or "").strip():
            raise DomainError("Mỗi mục trong “procedures” cần có mã thủ tục (national_code).")
        changes: dict[str, Any] = {k: v for k, v in entry.items() if k not in ("national_code", "note")}
        code = str(entry["national_code"]).strip()
        version = (
            ProcedureVersion.objects.filter(procedure__national_code=code, status=VersionStatus.PUBLISHED)
            .select_related("procedure", "sector", "deciding_level", "deciding_organ")
            .prefetch_related("levels", "components")
            .first()
        )
        if version is None:
            notes.append(f"Thủ tục mã {code} không có trong danh mục, bỏ qua.")
            continue
        changes.setdefault("effective_from", event.reorganisation.effective_date.isoformat())
        try:
            new = revise_procedure(actor=event.actor, version=version, **changes)
        except DomainError as exc:
            raise DomainError(f"Thủ tục mã {code}: " + " ".join(exc.messages)) from exc
        still = sorted(
            {new.deciding_level_code(lv.code) for lv in new.levels.all() if lv.code not in ended}
            & set(ended),
            reverse=True,
        )
        if still:
            raise DomainError(
                f"Thủ tục mã {code}: sau sắp xếp vẫn do {ended[still[0]].lower()} (đã kết thúc) giải quyết; "
                "phương án cần nêu cấp giải quyết mới (deciding_level) và cơ quan giải quyết nếu có."
            )
        revised += 1
    if revised:
        notes.append(f"{revised} thủ tục được công bố lại theo cấp thực hiện mới.")
    return notes
