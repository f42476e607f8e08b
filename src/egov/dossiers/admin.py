"""Dossiers are read here, never edited: their state changes only through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from egov.dossiers import outbox
from egov.dossiers.models import Dossier, DossierEvent, Notification, StoredFile, TaskWorker
from egov.dossiers.tasks import OUTBOXES


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


class OutboxAdmin(admin.ModelAdmin):
    """E-mails owed (outbox rows): which are sent, waiting, or given up after their last attempt, and why."""

    list_filter = ["status"]
    actions = ["send_again"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Gửi lại các thư đã chọn (chưa gửi được)")
    def send_again(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        task = dict(OUTBOXES)[self.model]
        count = outbox.send_again(self.model, queryset.values_list("pk", flat=True), task=task)
        self.message_user(request, f"Đã đưa {count} thư vào hàng đợi gửi lại.")


@admin.register(Notification)
class NotificationAdmin(OutboxAdmin):
    list_display = [
        "dossier",
        "kind",
        "occasion",
        "recipient",
        "status",
        "created_at",
        "sent_at",
        "attempts",
        "last_error",
    ]
    list_filter = ["status", "kind"]
    list_select_related = ["dossier"]


@admin.register(TaskWorker)
class TaskWorkerAdmin(admin.ModelAdmin):
    """Task worker processes as last seen: one silent for EGOV_TASK_WORKER_STALE_SECONDS has its tasks taken back."""

    list_display = ["worker_id", "host", "pid", "seen_at"]
    ordering = ["-seen_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
