from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from egov.agencies import services
from egov.agencies.models import Agency, AgencyKind, Department, OpeningHours


@admin.register(AgencyKind)
class AgencyKindAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]


class DepartmentInline(admin.TabularInline):
    model = Department
    extra = 0
    fields = ["name", "code", "is_active"]


class OpeningHoursInline(admin.TabularInline):
    """When the one-stop desk receives the public: one row per period (a morning, an afternoon) and day."""

    model = OpeningHours
    extra = 0
    fields = ["weekday", "opens", "closes"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "unit", "has_one_stop_desk", "valid_from", "valid_to"]
    list_filter = ["kind", "has_one_stop_desk", ("valid_to", admin.EmptyFieldListFilter)]
    search_fields = ["code", "name", "short_name"]
    list_select_related = ["kind", "unit"]
    autocomplete_fields = ["unit", "parent"]
    inlines = [DepartmentInline, OpeningHoursInline]
    fields = [
        "code",
        "name",
        "short_name",
        "kind",
        "unit",
        "parent",
        "has_one_stop_desk",
        "address",
        "phone",
        "email",
        "website",
        "valid_from",
        "valid_to",
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return ["valid_to"]
        return ["code", "name", "kind", "unit", "parent", "valid_from", "valid_to"]

    def save_model(self, request: HttpRequest, obj: Agency, form: Any, change: bool) -> None:
        contact = {
            f: form.cleaned_data.get(f) or "" for f in ("short_name", "address", "phone", "email", "website")
        }
        contact["has_one_stop_desk"] = bool(form.cleaned_data.get("has_one_stop_desk"))
        try:
            if change:
                services.update_agency_contact(
                    actor=request.user, agency=Agency.objects.get(pk=obj.pk), **contact
                )
                obj.refresh_from_db()
            else:
                created = services.create_agency(
                    actor=request.user,
                    code=obj.code,
                    name=obj.name,
                    kind=obj.kind,
                    unit=obj.unit,
                    parent=obj.parent,
                    valid_from=obj.valid_from,
                    **contact,
                )
                obj.pk, obj.path = created.pk, created.path
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            raise

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """New departments go through the service (checks and audit); edits of existing ones are saved."""
        instances = formset.save(commit=False)
        for department in instances:
            if department.pk is None:
                services.add_department(
                    actor=request.user, agency=form.instance, name=department.name, code=department.code
                )
            else:
                department.save()
        for removed in formset.deleted_objects:
            removed.is_active = False
            removed.save(update_fields=["is_active"])

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
