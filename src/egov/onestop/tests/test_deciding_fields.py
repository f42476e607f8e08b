"""Where a dossier goes after the desk is read from the catalogue's structured fields (deciding level, organ,
office), never from the procedure's published wording: a procedure whose wording says one thing and whose
fields say another follows the fields."""

from __future__ import annotations

from typing import Any

import pytest

from egov.agencies.models import Agency
from egov.catalog.models import ProcedureVersion
from egov.catalog.selectors import procedure_detail
from egov.dossiers.models import Dossier
from egov.onestop.processes import PlannedStep, plan, process_for
from egov.worktime.calendar import current_calendar

LOC_TAN, LOC_NINH, PROVINCE_DESK = "000.22.44.H10", "000.00.44.H10", "000.00.30.H10"
LOC_NINH_JUSTICE, PROVINCE_JUSTICE = "000.02.44.H10", "000.00.02.H10"


def version_with(**changes: Any) -> ProcedureVersion:
    from egov.catalog.services import ensure_sectors, upsert_procedure
    from egov.catalog.tests.factories import SECTOR, marriage_spec

    version, _ = upsert_procedure(
        actor=None, spec=marriage_spec(**changes), sectors=ensure_sectors(actor=None, sectors=[SECTOR])
    )
    return version


def steps_at(version: ProcedureVersion, desk_code: str) -> list[PlannedStep]:
    desk = Agency.objects.current().get(code=desk_code)
    return plan(Dossier(procedure_version=version, receiving_agency=desk), current_calendar())


def where(steps: list[PlannedStep]) -> list[tuple[str, str]]:
    return [(step.kind, step.agency.code) for step in steps]


@pytest.mark.django_db
def test_the_wording_names_a_department_but_the_fields_say_the_commune(demo: None) -> None:
    version = version_with(
        national_code="9.000011", deciding_agency="Giám đốc Sở Tư pháp", deciding_level="commune"
    )
    desk = Agency.objects.get(code=LOC_TAN)
    assert process_for(Dossier(procedure_version=version, receiving_agency=desk)).code == "mac-dinh-cap-xa"
    assert where(steps_at(version, LOC_TAN)) == [
        ("appraise", LOC_TAN), ("approve", LOC_TAN), ("issue", LOC_TAN), ("return", LOC_TAN),
    ]  # fmt: skip


@pytest.mark.django_db
def test_the_wording_says_the_commune_but_the_fields_send_it_to_the_district_justice_office(
    demo: None,
) -> None:
    version = version_with(
        national_code="9.000012",
        levels=["commune", "district"],
        deciding_agency="Ủy ban nhân dân cấp xã",
        deciding_level="district",
        deciding_office="Phòng Tư pháp",
    )
    assert where(steps_at(version, LOC_TAN)) == [
        ("assign", LOC_NINH_JUSTICE), ("appraise", LOC_NINH_JUSTICE), ("review", LOC_NINH_JUSTICE),
        ("approve", LOC_NINH), ("issue", LOC_NINH), ("return", LOC_TAN),
    ]  # fmt: skip


@pytest.mark.django_db
def test_the_wording_says_the_commune_but_the_fields_name_the_provincial_department(demo: None) -> None:
    version = version_with(
        national_code="9.000013",
        levels=["province"],
        deciding_agency="Ủy ban nhân dân cấp xã",
        deciding_level="province",
        deciding_organ=PROVINCE_JUSTICE,
    )
    steps = steps_at(version, PROVINCE_DESK)
    assert {agency for kind, agency in where(steps) if kind != "return"} == {PROVINCE_JUSTICE}
    assert where(steps)[-1] == ("return", PROVINCE_DESK)


@pytest.mark.django_db
def test_a_procedure_each_level_carries_out_is_decided_where_it_is_received(demo: None) -> None:
    """Chứng thực (2.000815): the commune's committee at a commune desk, the district's justice office at the
    district's desk — one catalogue entry, no deciding level."""
    version = procedure_detail("2.000815")
    assert version is not None and version.deciding_level is None
    assert {agency for kind, agency in where(steps_at(version, LOC_TAN))} == {LOC_TAN}
    at_district = where(steps_at(version, LOC_NINH))
    assert at_district[0] == ("assign", LOC_NINH_JUSTICE) and ("approve", LOC_NINH) in at_district


@pytest.mark.django_db
def test_a_district_chairmans_decision_goes_to_the_district_committee(demo: None) -> None:
    """“Chủ tịch Ủy ban nhân dân cấp huyện” (2.002175): the old reading of the wording sent it to a commune's
    committee under the district (its name also starts “Ủy ban nhân dân”); the fields send it to the district."""
    version = procedure_detail("2.002175")
    assert version is not None and version.deciding_level is not None
    assert version.deciding_level.code == "district" and version.deciding_organ is None
    assert {agency for _kind, agency in where(steps_at(version, LOC_NINH))} == {LOC_NINH}


@pytest.mark.django_db
def test_a_catalogue_spec_is_refused_when_its_deciding_fields_cannot_be_followed(demo: None) -> None:
    from egov.core.errors import DomainError

    with pytest.raises(DomainError) as refused:
        version_with(
            national_code="9.000014",
            levels=["province"],
            deciding_level="commune",
            deciding_organ="000.99.99.H10",
        )
    messages = " ".join(refused.value.messages)
    assert "cấp giải quyết phải là cấp thực hiện thủ tục hoặc cấp trên" in messages
    assert "cơ quan giải quyết mã “000.99.99.H10” chưa có trong danh mục cơ quan" in messages
