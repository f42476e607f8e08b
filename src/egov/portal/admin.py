from django.contrib import admin

from egov.portal.models import SiteProfile, VisitorDay


@admin.register(SiteProfile)
class SiteProfileAdmin(admin.ModelAdmin):
    list_display = ["portal_name", "contact_agency"]
    raw_id_fields = ["contact_agency"]

    def has_add_permission(self, request):
        return not SiteProfile.objects.exists()


@admin.register(VisitorDay)
class VisitorDayAdmin(admin.ModelAdmin):
    list_display = ["day", "visits"]
    date_hierarchy = "day"
