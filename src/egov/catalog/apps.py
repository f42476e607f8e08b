from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "egov.catalog"
    verbose_name = "Thủ tục hành chính"

    def ready(self) -> None:
        from egov.agencies.reorganisation_hooks import on_reorganised
        from egov.catalog.reorganisation import follow_reorganisation

        on_reorganised(follow_reorganisation)
