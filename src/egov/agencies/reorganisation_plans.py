"""Reading a reorganisation plan (JSON) into the service's arguments."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from egov.agencies.services import AgencyAbolition, AgencyChange
from egov.core.errors import DomainError
from egov.units.services import UnitAbolition, UnitChange


def load_plan(path: Path) -> dict[str, Any]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return {
            "key": raw["key"],
            "name": raw["name"],
            "legal_basis": raw.get("legal_basis", ""),
            "effective_date": dt.date.fromisoformat(raw["effective_date"]),
            "end_levels": list(raw.get("end_levels", [])),
            "units": [
                UnitChange(
                    code=u["code"],
                    name=u["name"],
                    kind=u["kind"],
                    parent=u.get("parent"),
                    predecessors=tuple(u.get("predecessors", [])),
                )
                for u in raw.get("units", [])
            ],
            "agencies": [
                AgencyChange(
                    code=a["code"],
                    name=a["name"],
                    kind=a["kind"],
                    unit=a["unit"],
                    parent=a.get("parent"),
                    predecessors=tuple(a.get("predecessors", [])),
                    has_one_stop_desk=bool(a.get("has_one_stop_desk", False)),
                )
                for a in raw.get("agencies", [])
            ],
            "abolished_units": [
                UnitAbolition(code=u["code"], successors=tuple(u["successors"]))
                for u in raw.get("abolished_units", [])
            ],
            "abolished": [
                AgencyAbolition(code=a["code"], successors=tuple(a["successors"]))
                for a in raw.get("abolished_agencies", [])
            ],
        }
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DomainError(f"Tệp phương án “{path.name}” không hợp lệ: {exc}") from exc
