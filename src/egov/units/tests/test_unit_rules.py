import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from egov.accounts.models import User
from egov.core.errors import DomainError, ScopeDenied
from egov.core.tree import place_under
from egov.units.models import AdministrativeUnit, UnitKind
from egov.units.services import create_unit

DAY = dt.date(2018, 1, 1)


@pytest.fixture
def kinds(db: None) -> dict[str, UnitKind]:
    return {k.code: k for k in UnitKind.objects.select_related("level")}


def test_codes_follow_the_length_of_their_level(kinds: dict[str, UnitKind]) -> None:
    province = create_unit(
        actor=None, code="70", name="Tỉnh Bình Phước", kind=kinds["tinh"], parent=None, valid_from=DAY
    )
    with pytest.raises(ValidationError, match="phải gồm 3 chữ số"):
        create_unit(
            actor=None,
            code="6920",
            name="Huyện Lộc Ninh",
            kind=kinds["huyen"],
            parent=province,
            valid_from=DAY,
        )
    with pytest.raises(ValidationError, match="chỉ gồm chữ số"):
        create_unit(
            actor=None,
            code="69A",
            name="Huyện Lộc Ninh",
            kind=kinds["huyen"],
            parent=province,
            valid_from=DAY,
        )


def test_a_current_code_is_not_given_twice(kinds: dict[str, UnitKind]) -> None:
    create_unit(
        actor=None, code="70", name="Tỉnh Bình Phước", kind=kinds["tinh"], parent=None, valid_from=DAY
    )
    with pytest.raises(DomainError, match="đã được dùng cho “Tỉnh Bình Phước”"):
        create_unit(actor=None, code="70", name="Tỉnh Khác", kind=kinds["tinh"], parent=None, valid_from=DAY)
    assert AdministrativeUnit.objects.count() == 1


def test_a_parent_must_be_of_a_higher_level(kinds: dict[str, UnitKind]) -> None:
    province = create_unit(
        actor=None, code="70", name="Tỉnh Bình Phước", kind=kinds["tinh"], parent=None, valid_from=DAY
    )
    district = create_unit(
        actor=None, code="692", name="Huyện Lộc Ninh", kind=kinds["huyen"], parent=province, valid_from=DAY
    )
    commune = create_unit(
        actor=None, code="25279", name="Xã Lộc Tấn", kind=kinds["xa"], parent=district, valid_from=DAY
    )
    with pytest.raises(ValidationError, match="không thể là cấp trên"):
        create_unit(
            actor=None, code="25280", name="Xã Lộc Thạnh", kind=kinds["xa"], parent=commune, valid_from=DAY
        )
    assert commune.path == f"/{province.pk}/{district.pk}/{commune.pk}/"


def test_the_tree_refuses_cycles_and_moves_whole_subtrees(kinds: dict[str, UnitKind]) -> None:
    province = create_unit(
        actor=None, code="70", name="Tỉnh Bình Phước", kind=kinds["tinh"], parent=None, valid_from=DAY
    )
    district = create_unit(
        actor=None, code="692", name="Huyện Lộc Ninh", kind=kinds["huyen"], parent=province, valid_from=DAY
    )
    commune = create_unit(
        actor=None, code="25279", name="Xã Lộc Tấn", kind=kinds["xa"], parent=district, valid_from=DAY
    )
    with pytest.raises(DomainError, match="trực thuộc chính nó hoặc một cấp dưới"):
        place_under(node=province, parent=commune)
    with pytest.raises(DomainError):
        place_under(node=district, parent=district)
    other = create_unit(
        actor=None, code="75", name="Tỉnh Đồng Nai", kind=kinds["tinh"], parent=None, valid_from=DAY
    )
    place_under(node=district, parent=other)
    commune.refresh_from_db()
    assert commune.path == f"/{other.pk}/{district.pk}/{commune.pk}/"


def test_only_province_administrators_change_the_unit_list(kinds: dict[str, UnitKind]) -> None:
    officer = User.objects.create_user(
        username="cb@example.vn", email="cb@example.vn", full_name="Cán Bộ", kind=User.Kind.STAFF
    )
    with pytest.raises(ScopeDenied, match="quản trị hệ thống cấp tỉnh"):
        create_unit(
            actor=officer, code="70", name="Tỉnh Bình Phước", kind=kinds["tinh"], parent=None, valid_from=DAY
        )
