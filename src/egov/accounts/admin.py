from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.http import HttpRequest

from egov.accounts import services
from egov.accounts.models import CitizenProfile, Consent, OrganisationProfile, StaffAssignment, User
from egov.accounts.roles import Role
from egov.audit.models import AuditEntry
from egov.audit.services import record


class AssignmentInline(admin.TabularInline):
    model = StaffAssignment
    fk_name = "user"
    extra = 0
    can_delete = False
    readonly_fields = fields = ("agency", "department", "role", "granted_at", "granted_by")
    verbose_name_plural = "vai trò (cấp/thu hồi ở mục Vai trò cán bộ)"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "kind", "email", "phone", "is_active", "last_login"]
    list_filter = ["kind", "is_active", "is_superuser"]
    search_fields = ["username", "full_name", "email", "phone"]
    ordering = ["username"]
    inlines = [AssignmentInline]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Thông tin cá nhân", {"fields": ("full_name", "kind", "email", "phone")}),
        ("Quyền hệ thống", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("Thời gian", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "full_name", "kind", "email", "password1", "password2"),
            },
        ),
    )
    readonly_fields = ["last_login", "date_joined"]

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        """Changes to system permissions are audited like role changes."""
        flags = ("is_active", "is_staff", "is_superuser")
        before = dict(User.objects.filter(pk=obj.pk).values(*flags).first() or {}) if change else {}
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            changed = {
                flag: getattr(obj, flag) for flag in flags if before.get(flag, False) != getattr(obj, flag)
            }
            if changed:
                record(
                    action=AuditEntry.Action.UPDATED,
                    actor=request.user,
                    target=obj,
                    request=request,
                    data={"permissions": changed},
                )


@admin.register(StaffAssignment)
class StaffAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "agency", "department", "granted_at", "granted_by"]
    list_filter = ["role"]
    search_fields = ["user__full_name", "user__username", "agency__name", "agency__code"]
    list_select_related = ["user", "agency", "department", "granted_by"]
    autocomplete_fields = ["user", "agency"]
    fields = ["user", "agency", "department", "role"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["user", "agency", "department", "role"] if obj else []

    def save_model(self, request: HttpRequest, obj: StaffAssignment, form: Any, change: bool) -> None:
        if change:
            return
        created = services.grant_role(
            actor=request.user,
            user=obj.user,
            agency=obj.agency,
            role=Role(obj.role),
            department=obj.department,
        )
        obj.pk = created.pk

    def delete_model(self, request: HttpRequest, obj: StaffAssignment) -> None:
        services.revoke_role(actor=request.user, assignment=obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for assignment in queryset:
            services.revoke_role(actor=request.user, assignment=assignment)


@admin.register(CitizenProfile)
class CitizenProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "personal_id", "date_of_birth", "address_unit"]
    search_fields = ["user__full_name", "personal_id"]
    list_select_related = ["user", "address_unit"]
    raw_id_fields = ["user", "address_unit"]


@admin.register(OrganisationProfile)
class OrganisationProfileAdmin(admin.ModelAdmin):
    list_display = ["name", "tax_code", "representative", "user"]
    search_fields = ["name", "tax_code"]
    list_select_related = ["user"]
    raw_id_fields = ["user", "address_unit"]


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    """Consents are evidence: read here, never edited (NĐ 13/2023/NĐ-CP, Điều 11)."""

    list_display = ["user", "purpose", "notice_version", "given_at", "withdrawn_at"]
    list_filter = ["purpose", "notice_version"]
    search_fields = ["user__username", "user__full_name"]
    list_select_related = ["user"]
    readonly_fields = ["user", "purpose", "notice_version", "statement", "given_at", "withdrawn_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
