from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "egov.units"
    verbose_name = "Đơn vị hành chính"
