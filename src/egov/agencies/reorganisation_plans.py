"""Reading a reorganisation plan (JSON) into the service's arguments.

Units and agencies read ``units``, ``agencies``, ``abolished_units``, ``abolished_agencies`` and
``end_levels``; any other section (``procedures``: procedures re-published at another level) is handed to the
apps that registered a reorganisation hook (:mod:`egov.agencies.reorganisation_hooks`)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from egov.agencies.services import CONTACT_FIELDS, AgencyAbolition, AgencyChange
from egov.core.errors import DomainError
from egov.units.services import UnitAbolition, UnitChange

READ_HERE = {
    "key", "name", "legal_basis", "effective_date", "end_levels", "notes", "units", "agencies",
    "abolished_units", "abolished_agencies",
}  # fmt: skip


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
                    contact={k: str(a[k]) for k in CONTACT_FIELDS if k in a and k != "has_one_stop_desk"},
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
            "sections": {k: v for k, v in raw.items() if k not in READ_HERE},
        }
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DomainError(f"Tệp phương án “{path.name}” không hợp lệ: {exc}") from exc
