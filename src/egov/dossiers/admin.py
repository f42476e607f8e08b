"""Dossiers are read here, never edited: their state changes only through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from egov.dossiers.models import Dossier, DossierEvent, Notification, StoredFile


class EventInline(admin.TabularInline):
    model = DossierEvent
    extra = 0
    can_delete = False
    fields = readonly_fields = ("at", "action", "from_status", "to_status", "actor", "actor_agency", "note")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class FileInline(admin.TabularInline):
    model = StoredFile
    fk_name = "dossier"
    extra = 0
    can_delete = False
    fields = readonly_fields = ("slot", "original_name", "content_type", "size", "sha256", "uploaded_at")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Dossier)
class DossierAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "procedure_version",
        "receiving_agency",
        "applicant_name",
        "status",
        "channel",
        "submitted_at",
    ]
    list_filter = ["status", "channel"]
    search_fields = ["code", "applicant_name", "applicant_id_number"]
    list_select_related = ["procedure_version", "receiving_agency"]
    date_hierarchy = "submitted_at"
    inlines = [EventInline, FileInline]
    exclude = ["form_data"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["dossier", "kind", "recipient", "created_at", "sent_at", "attempts", "last_error"]
    list_filter = ["kind"]
    list_select_related = ["dossier"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
