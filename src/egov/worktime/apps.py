from django.apps import AppConfig


class WorktimeConfig(AppConfig):
    name = "egov.worktime"
    verbose_name = "Lịch làm việc"
