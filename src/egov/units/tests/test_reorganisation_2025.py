"""The 2025 reorganisation applied to the 2018 demo data: history kept, today's units correct."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from egov.accounts.models import StaffAssignment
from egov.agencies.models import Agency
from egov.agencies.reorganisation_plans import load_plan
from egov.agencies.selectors import current_successor
from egov.agencies.services import AgencyChange, apply_reorganisation
from egov.core.errors import DomainError
from egov.units.models import AdministrativeLevel, AdministrativeUnit, Reorganisation
from egov.units.selectors import history_of, province, roll_up, units_valid_on
from egov.units.services import COUNTRY_SOURCE, UnitChange

PLAN = Path(__file__).resolve().parents[1] / "data" / "reorganisations" / "2025-binh-phuoc-dong-nai.json"
BEFORE, AFTER = dt.date(2019, 3, 15), dt.date(2025, 8, 1)


@pytest.fixture
def reorganised(demo: None) -> None:
    out = io.StringIO()
    call_command("apply_reorganisation", str(PLAN), stdout=out)
    assert "Đã áp dụng" in out.getvalue()


def test_what_was_filed_in_2019_keeps_its_2019_names(reorganised: None) -> None:
    loc_ninh = AdministrativeUnit.objects.get(code="692")
    assert loc_ninh.name == "Huyện Lộc Ninh"
    assert loc_ninh.valid_to == dt.date(2025, 6, 30)
    assert loc_ninh.was_valid_on(BEFORE) and not loc_ninh.was_valid_on(AFTER)
    agency = Agency.objects.get(name="Ủy ban nhân dân huyện Lộc Ninh")
    assert agency.valid_to == dt.date(2025, 6, 30)
    assert agency.unit == loc_ninh
    # A record pointing at the old agency row still reads the old name.
    assert str(Agency.objects.get(pk=agency.pk)) == "Ủy ban nhân dân huyện Lộc Ninh"


def test_the_2019_view_and_the_2025_view_of_the_same_data(reorganised: None) -> None:
    # This province's own data (the rest of the country, loaded for addresses, is valid on its own dates).
    in_2019 = units_valid_on(BEFORE).exclude(source=COUNTRY_SOURCE)
    assert in_2019.filter(kind__level__code="district").count() == 11
    assert in_2019.get(code="70").name == "Tỉnh Bình Phước"
    assert not in_2019.filter(code="75").exists()

    in_2025 = units_valid_on(AFTER).exclude(source=COUNTRY_SOURCE)
    assert not in_2025.filter(kind__level__code="district").exists()
    dong_nai = in_2025.get(code="75")
    assert dong_nai.name == "Tỉnh Đồng Nai"
    communes = in_2025.filter(parent=dong_nai)
    assert communes.count() == in_2025.exclude(pk=dong_nai.pk).count()  # two tiers: every commune under 75
    assert communes.get(code="25270").name == "Xã Lộc Ninh"  # the former Thị trấn Lộc Ninh
    assert AdministrativeLevel.objects.get(code="district").valid_to == dt.date(2025, 6, 30)


def test_merges_are_linked_and_the_old_code_is_found_through_history(reorganised: None) -> None:
    phuoc_long = AdministrativeUnit.objects.current().get(code="25217")
    assert phuoc_long.name == "Phường Phước Long"
    links = {link.predecessor.name: link.kind for link in history_of(phuoc_long)}
    # Two wards merged; the abolished district's territory and records passed to the new ward too.
    assert links == {"Phường Thác Mơ": "merge", "Phường Long Thủy": "merge", "Thị xã Phước Long": "abolish"}
    # The installation is configured with code 70; it now serves Đồng Nai without a code change.
    assert province("70").name == "Tỉnh Đồng Nai"  # type: ignore[union-attr]


def test_reports_roll_old_units_up_into_todays(reorganised: None) -> None:
    old = {u.code: u.pk for u in AdministrativeUnit.objects.filter(valid_to__isnull=False)}
    totals = roll_up({old["692"]: 7, old["25270"]: 5, old["25216"]: 2, old["25217"]: 3})
    by_name = {unit.name: value for unit, value in totals.items()}
    # Huyện Lộc Ninh's records go to its primary successor, the commune of the former district town.
    assert by_name == {"Xã Lộc Ninh": 12, "Phường Phước Long": 5}


def test_agencies_move_with_their_successors_and_officers_follow(reorganised: None) -> None:
    old_centre = Agency.objects.get(code="000.00.30.H10")
    assert current_successor(old_centre).name == "Trung tâm Phục vụ hành chính công tỉnh Đồng Nai"
    old_justice = Agency.objects.get(code="000.00.02.H10")
    assert current_successor(old_justice).name == "Sở Tư pháp tỉnh Đồng Nai"
    officer = StaffAssignment.objects.get(user__email="motcua.loctan@binhphuoc.demo")
    assert officer.agency.name == "Ủy ban nhân dân xã Lộc Tấn" and officer.agency.valid_to is None
    assert not Agency.objects.current().filter(unit__valid_to__isnull=False).exists()


def test_applying_twice_changes_nothing(reorganised: None) -> None:
    count = AdministrativeUnit.objects.count()
    out = io.StringIO()
    call_command("apply_reorganisation", str(PLAN), stdout=out)
    assert "đã được áp dụng trước đây" in out.getvalue()
    assert AdministrativeUnit.objects.count() == count
    with pytest.raises(DomainError, match="đã được áp dụng"):
        apply_reorganisation(actor=None, **load_plan(PLAN))


def test_an_incomplete_plan_is_refused_whole(demo: None) -> None:
    """A plan that merges one commune but forgets its district's other units leaves nothing half-saved."""
    units_before = list(AdministrativeUnit.objects.values_list("pk", "valid_to"))
    with pytest.raises(DomainError, match="chưa nêu đơn vị kế thừa"):
        apply_reorganisation(
            actor=None,
            key="thu",
            name="Thử",
            legal_basis="",
            effective_date=dt.date(2025, 7, 1),
            units=[
                UnitChange(code="75", name="Tỉnh Đồng Nai", kind="tinh", parent=None, predecessors=("70",))
            ],
            agencies=[],
            end_levels=["district"],
        )
    assert list(AdministrativeUnit.objects.values_list("pk", "valid_to")) == units_before
    assert not Reorganisation.objects.exists()


def test_a_plan_that_strands_agencies_is_refused(demo: None) -> None:
    with pytest.raises(DomainError, match="chưa nêu cơ quan mới"):
        apply_reorganisation(
            actor=None,
            key="doi-ten-xa",
            name="Đổi tên xã",
            legal_basis="",
            effective_date=dt.date(2024, 1, 1),
            units=[
                UnitChange(
                    code="25279", name="Xã Lộc Tấn Mới", kind="xa", parent="692", predecessors=("25279",)
                )
            ],
            agencies=[
                AgencyChange(
                    code="000.99.44.H10", name="X", kind="ubnd", unit="25279", parent=None, predecessors=()
                )
            ],
        )
    assert AdministrativeUnit.objects.current().get(code="25279").name == "Xã Lộc Tấn"


def test_a_rename_is_a_new_row_linked_to_the_old_one(demo: None) -> None:
    result = apply_reorganisation(
        actor=None,
        key="nang-cap-dong-xoai",
        name="Thành lập thành phố Đồng Xoài",
        legal_basis="NQ 10/NQ-CP",
        effective_date=dt.date(2018, 12, 1),
        units=[
            UnitChange(
                code="689", name="Thành phố Đồng Xoài", kind="thanh-pho", parent="70", predecessors=("689",)
            )
        ]
        + [
            UnitChange(code=c.code, name=c.name, kind=c.kind.code, parent="689", predecessors=(c.code,))
            for c in AdministrativeUnit.objects.current().filter(parent__code="689")
        ],
        agencies=[
            AgencyChange(
                code=a.code,
                name=a.name.replace("thị xã", "thành phố"),
                kind=a.kind.code,
                unit=a.unit.code,
                parent=a.parent.code if a.parent else None,
                predecessors=(a.code,),
                has_one_stop_desk=a.has_one_stop_desk,
            )
            for a in Agency.objects.current()
            .filter(unit__path__contains=f"/{AdministrativeUnit.objects.get(code='689').pk}/")
            .order_by("path")
        ],
    )
    assert result.units == 4
    old, new = AdministrativeUnit.objects.filter(code="689").order_by("valid_from")
    assert (old.name, new.name) == ("Thị xã Đồng Xoài", "Thành phố Đồng Xoài")
    assert history_of(new)[0].kind == "rename"
    assert Agency.objects.current().get(code="000.00.41.H10").name == "Ủy ban nhân dân thành phố Đồng Xoài"


def test_the_portal_shows_the_merged_province(reorganised: None, client: Client) -> None:
    page = client.get("/").content.decode()
    assert "tỉnh Đồng Nai" in page
    assert "Trung tâm Phục vụ hành chính công tỉnh Đồng Nai" in page


def test_a_split_links_one_unit_to_several_and_rolls_up_to_the_first(demo: None) -> None:
    old = AdministrativeUnit.objects.current().get(code="25279")  # Xã Lộc Tấn
    apply_reorganisation(
        actor=None,
        key="chia-loc-tan",
        name="Chia xã Lộc Tấn",
        legal_basis="",
        effective_date=dt.date(2024, 1, 1),
        units=[
            UnitChange(code="25279", name="Xã Lộc Tấn", kind="xa", parent="692", predecessors=("25279",)),
            UnitChange(code="25299", name="Xã Lộc Tấn Tây", kind="xa", parent="692", predecessors=("25279",)),
        ],
        agencies=[
            AgencyChange(
                code="000.22.44.H10",
                name="Ủy ban nhân dân xã Lộc Tấn",
                kind="ubnd",
                unit="25279",
                parent="000.00.44.H10",
                predecessors=("000.22.44.H10",),
                has_one_stop_desk=True,
            ),
            AgencyChange(
                code="000.29.44.H10",
                name="Ủy ban nhân dân xã Lộc Tấn Tây",
                kind="ubnd",
                unit="25299",
                parent="000.00.44.H10",
                predecessors=(),
                has_one_stop_desk=True,
            ),
        ],
    )
    links = {
        link.successor.name: (link.kind, link.primary)
        for link in old.successor_links.select_related("successor")
    }
    assert links == {"Xã Lộc Tấn": ("split", True), "Xã Lộc Tấn Tây": ("split", False)}
    rolled = roll_up({old.pk: 9})
    assert {u.name: v for u, v in rolled.items()} == {"Xã Lộc Tấn": 9}
