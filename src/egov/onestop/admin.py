from django.contrib import admin

from egov.dossiers.admin import OutboxAdmin
from egov.onestop.models import DeadlineDigest


@admin.register(DeadlineDigest)
class DeadlineDigestAdmin(OutboxAdmin):
    list_display = ["agency", "day", "overdue", "due_soon", "status", "sent_at", "attempts", "last_error"]
    list_select_related = ["agency"]
