"""Loading the demo catalogue (``data/demo-catalogue.json``) through the same service as the Excel import."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction

from egov.catalog.services import ensure_sectors, upsert_procedure

DEMO_FILE = Path(__file__).resolve().parent / "data" / "demo-catalogue.json"


def load_demo_catalogue(path: Path = DEMO_FILE) -> dict[str, int]:
    counts = {"created": 0, "revised": 0, "unchanged": 0}
    if not path.exists():
        return counts
    data = json.loads(path.read_text(encoding="utf-8"))
    with transaction.atomic():
        sectors = ensure_sectors(actor=None, sectors=data["sectors"])
        for spec in data["procedures"]:
            _version, outcome = upsert_procedure(actor=None, spec=spec, sectors=sectors)
            counts[outcome] += 1
    return counts
