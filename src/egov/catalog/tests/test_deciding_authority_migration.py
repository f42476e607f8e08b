"""Procedure versions stored before the catalogue had structured deciding fields get them from their published
wording, once, in a migration: the tests write rows with the models as they were, migrate, and read the fields
the one-stop back office now routes dossiers by."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("catalog", "0002_search_extensions"), ("agencies", "0002_reference_agency_kinds")]
SINCE = dt.date(2018, 1, 1)


def _province(old: Any) -> dict[str, Any]:
    """Province 70 with one district and one commune, their committees, a district office and two departments,
    as the historical models store them."""
    from egov.units.reference import ensure_levels_and_kinds

    Unit, Kind = old.get_model("units", "AdministrativeUnit"), old.get_model("units", "UnitKind")
    # The reference rows a data migration wrote may have been flushed by an earlier transactional test.
    ensure_levels_and_kinds(old.get_model("units", "AdministrativeLevel"), Kind)
    Agency, AgencyKind = old.get_model("agencies", "Agency"), old.get_model("agencies", "AgencyKind")
    province = Unit.objects.create(code="70", name="Tỉnh Bình Phước", kind=Kind.objects.get(code="tinh"),
                                   valid_from=SINCE)  # fmt: skip
    district = Unit.objects.create(code="692", name="Huyện Lộc Ninh", kind=Kind.objects.get(code="huyen"),
                                   parent=province, valid_from=SINCE)  # fmt: skip
    commune = Unit.objects.create(code="25279", name="Xã Lộc Tấn", kind=Kind.objects.get(code="xa"),
                                  parent=district, valid_from=SINCE)  # fmt: skip
    ubnd, so, phong = (
        AgencyKind.objects.get_or_create(code=c, defaults={"name": c})[0] for c in ("ubnd", "so", "phong")
    )

    def agency(code: str, name: str, kind: Any, unit: Any, parent: Any = None, short: str = "") -> Any:
        return Agency.objects.create(code=code, name=name, short_name=short, kind=kind, unit=unit, parent=parent,
                                     valid_from=SINCE)  # fmt: skip

    agencies: dict[str, Any] = {}
    agencies["province"] = agency(
        "000.00.00.H10", "Ủy ban nhân dân tỉnh Bình Phước", ubnd, province, short="UBND tỉnh"
    )
    agencies["justice"] = agency("000.00.02.H10", "Sở Tư pháp tỉnh Bình Phước", so, province, agencies["province"],
                                 short="Sở Tư pháp")  # fmt: skip
    agencies["health"] = agency("000.00.15.H10", "Sở Y tế tỉnh Bình Phước", so, province, agencies["province"],
                                short="Sở Y tế")  # fmt: skip
    agencies["district"] = agency("000.00.44.H10", "Ủy ban nhân dân huyện Lộc Ninh", ubnd, district,
                                  agencies["province"])  # fmt: skip
    agency("000.02.44.H10", "Phòng Tư pháp huyện Lộc Ninh", phong, district, agencies["district"])
    # The commune's committee sits under the district's: its name must not be read as a district office.
    agency("000.22.44.H10", "Ủy ban nhân dân xã Lộc Tấn", ubnd, commune, agencies["district"])
    return agencies


WORDINGS: list[tuple[str, str, list[str]]] = [
    ("9.100001", "Ủy ban nhân dân cấp xã", ["commune"]),
    ("9.100002", "Phòng Tư pháp cấp huyện", ["commune", "district"]),
    ("9.100003", "Ủy ban nhân dân cấp xã; Phòng Tư pháp cấp huyện", ["commune", "district"]),
    ("9.100004", "Giám đốc Sở Y tế", ["province"]),
    ("9.100005", "Ủy ban nhân dân tỉnh (Sở Tư pháp thẩm định, trình)", ["province"]),
    ("9.100006", "Chủ tịch Ủy ban nhân dân cấp huyện", ["commune", "district"]),
    ("9.100007", "Ủy ban nhân dân cấp huyện (Phòng Tư pháp tham mưu)", ["district"]),
]


@pytest.mark.django_db(transaction=True)
def test_stored_versions_get_the_deciding_fields_their_wording_gave() -> None:
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    try:
        agencies = _province(old)
        Level = old.get_model("units", "AdministrativeLevel")
        sector = old.get_model("catalog", "Sector").objects.create(code="G03-TP05", name="Hộ tịch")
        Procedure, Version = (
            old.get_model("catalog", "Procedure"),
            old.get_model("catalog", "ProcedureVersion"),
        )
        for code, wording, levels in WORDINGS:
            version = Version.objects.create(
                procedure=Procedure.objects.create(national_code=code), number=1, status="published",
                name=f"Thủ tục {code}", sector=sector, receiving_agency="Bộ phận một cửa", deciding_agency=wording,
                processing_time=5, legal_basis="Luật", result="Giấy",
            )  # fmt: skip
            version.levels.set(Level.objects.filter(code__in=levels))

        executor = MigrationExecutor(connection)
        executor.migrate(leaves)
        from egov.catalog.models import ProcedureVersion

        found = {
            v.procedure.national_code: (
                v.deciding_level.code if v.deciding_level else None,
                v.deciding_organ.code if v.deciding_organ else None,
                v.deciding_office,
            )
            for v in ProcedureVersion.objects.select_related("procedure", "deciding_level", "deciding_organ")
        }
        assert found == {
            "9.100001": ("commune", None, ""),
            "9.100002": ("district", None, "Phòng Tư pháp"),
            "9.100003": (None, None, "Phòng Tư pháp"),  # each level decides what its own desk receives
            "9.100004": ("province", agencies["health"].code, ""),
            "9.100005": ("province", None, ""),  # the province's committee, named first
            "9.100006": ("district", None, ""),  # the district's committee, not the commune's under it
            "9.100007": ("district", None, "Phòng Tư pháp"),
        }
    finally:
        MigrationExecutor(connection).migrate(leaves)
