from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "egov.agencies"
    verbose_name = "Cơ quan, đơn vị"
