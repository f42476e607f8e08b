"""The address picker, for Django forms and for the online forms drawn from form definitions.

Province first, then the commune (grouped by district where the day's structure has districts), then the
street line. With JavaScript, htmx fetches the chosen province's communes from ``units:commune_options``;
without it, the "Chọn" button posts the form and the view draws it again with that province's communes.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.urls import reverse

from egov.units.models import AdministrativeUnit
from egov.units.selectors import commune_choices, home_province, province_code_of, provinces_on

PICK_ACTION = "pick:"


def default_province_code() -> str:
    home = home_province()
    return home.code if home is not None else settings.EGOV_PROVINCE_CODE


def picker_context(
    *, name: str, id: str, unit: str = "", line: str = "", province: str = "", errors: Any = ()
) -> dict[str, Any]:
    """What ``units/address_picker.html`` draws. The province shown: the one chosen, else the saved
    commune's, else this installation's."""
    province = province or province_code_of(unit) or default_province_code()
    return {
        "name": name,
        "id": id,
        "unit": unit,
        "line": line,
        "province": province,
        "provinces": provinces_on(),
        "groups": commune_choices(province),
        "errors": list(errors),
        "endpoint": reverse("units:commune_options"),
    }


class ProvinceSelect(forms.Select):
    """The province <select>: htmx swaps the commune list on change; a "Chọn" button for browsers without
    JavaScript (hidden when scripts run)."""

    template_name = "units/widgets/province_select.html"

    def __init__(self, *, target: str, action: str, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"hx-trigger": "change", "hx-swap": "innerHTML", **(attrs or {})})
        self.target = target
        self.action = action

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        attrs = {
            **(attrs or {}),
            "hx-get": reverse("units:commune_options"),
            "hx-target": f"#{self.target}",
            "autocomplete": "address-level1",
        }
        context = super().get_context(name, value, attrs)
        context["pick_action"] = self.action
        return context


class CommuneChoiceField(forms.ModelChoiceField):
    """A commune by its GSO code, among the communes valid today of the province chosen beside it."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "error_messages",
            {
                "invalid_choice": "Hãy chọn xã, phường, thị trấn trong danh sách.",
                "required": "Hãy chọn xã, phường, thị trấn nơi cư trú.",
            },
        )
        kwargs.setdefault("widget", forms.Select(attrs={"autocomplete": "address-level2"}))
        super().__init__(queryset=AdministrativeUnit.objects.current(), to_field_name="code", **kwargs)

    def show_province(self, province_code: str) -> None:
        self.choices = [("", "— Chọn xã, phường, thị trấn —"), *commune_choices(province_code)]


class AddressFormMixin:
    """``<prefix>_province``, ``<prefix>_unit`` and ``<prefix>_line`` fields (``address`` by default), with the
    commune list of the province posted, or of the saved commune's, or this installation's."""

    fields: dict[str, Any]
    data: Any
    initial: Any
    address_prefix = "address"
    address_required = True

    def add_address_fields(self, *, unit_label: str = "Xã, phường, thị trấn") -> None:
        prefix = self.address_prefix
        unit_name = f"{prefix}_unit"
        province = self.fields.get(f"{prefix}_province")
        if province is None:
            return
        source = self.data if self.data else self.initial
        unit_code = str(source.get(unit_name, "") or "")
        chosen = str(source.get(f"{prefix}_province", "") or "") or province_code_of(unit_code)
        chosen = chosen or default_province_code()
        province.choices = [("", "— Chọn tỉnh, thành phố —"), *provinces_on()]
        province.initial = chosen
        if not self.data:
            self.initial = {**self.initial, f"{prefix}_province": chosen}
        unit = self.fields[unit_name]
        assert isinstance(unit, CommuneChoiceField)
        unit.label = unit_label
        unit.show_province(chosen)


def province_field(*, target: str, action: str) -> forms.ChoiceField:
    """The province beside a commune: only a way to reach the commune (which says the province), so optional."""
    return forms.ChoiceField(
        label="Tỉnh, thành phố",
        required=False,
        error_messages={"invalid_choice": "Hãy chọn tỉnh, thành phố trong danh sách."},
        widget=ProvinceSelect(target=target, action=action),
    )
