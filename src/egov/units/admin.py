"""Units are history: the admin creates them and shows them; merges, splits and renames are reorganisations."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from egov.units import services
from egov.units.models import (
    AdministrativeLevel,
    AdministrativeUnit,
    Reorganisation,
    UnitKind,
    UnitSuccession,
)


@admin.register(AdministrativeLevel)
class AdministrativeLevelAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "rank", "code_length", "valid_from", "valid_to"]


@admin.register(UnitKind)
class UnitKindAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "level"]
    list_select_related = ["level"]


class PredecessorInline(admin.TabularInline):
    model = UnitSuccession
    fk_name = "successor"
    extra = 0
    can_delete = False
    readonly_fields = fields = ("predecessor", "kind", "primary", "reorganisation")
    verbose_name = "đơn vị tiền thân"
    verbose_name_plural = "đơn vị tiền thân"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "valid_from", "valid_to"]
    list_filter = ["kind__level", "kind", ("valid_to", admin.EmptyFieldListFilter)]
    search_fields = ["code", "name"]
    list_select_related = ["kind", "kind__level", "parent"]
    autocomplete_fields = ["parent"]
    inlines = [PredecessorInline]
    fields = ["code", "name", "kind", "parent", "valid_from", "valid_to", "source"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return ["valid_to"]
        return ["code", "name", "kind", "parent", "valid_from", "valid_to"]

    def save_model(self, request: HttpRequest, obj: AdministrativeUnit, form: Any, change: bool) -> None:
        if change:
            obj.save(update_fields=["source"])
            return
        created = services.create_unit(
            actor=request.user,
            code=obj.code,
            name=obj.name,
            kind=obj.kind,
            parent=obj.parent,
            valid_from=obj.valid_from,
            source=obj.source,
        )
        obj.pk, obj.path = created.pk, created.path

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Reorganisation)
class ReorganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "effective_date", "legal_basis", "applied_at"]
    readonly_fields = ["name", "key", "legal_basis", "effective_date", "applied_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
