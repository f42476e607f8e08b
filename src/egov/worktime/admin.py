from django.contrib import admin

from egov.worktime.models import CalendarException


@admin.register(CalendarException)
class CalendarExceptionAdmin(admin.ModelAdmin):
    list_display = ["day", "kind", "name", "legal_basis"]
    list_filter = ["kind"]
    date_hierarchy = "day"
