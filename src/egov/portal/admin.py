from django.contrib import admin

from egov.portal.models import HelpQuestion, SiteProfile, VisitorDay


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


@admin.register(HelpQuestion)
class HelpQuestionAdmin(admin.ModelAdmin):
    list_display = ["question", "topic", "position", "is_published"]
    list_filter = ["topic", "is_published"]
    list_editable = ["position", "is_published"]
    search_fields = ["question", "answer"]
    fields = ["topic", "position", "question", "answer", "question_en", "answer_en", "is_published"]
