from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "egov.portal"
    verbose_name = "Cổng thông tin"

    def ready(self) -> None:
        from egov.agencies.reorganisation_hooks import on_reorganised
        from egov.portal.context_processors import forget_site_profile_after

        on_reorganised(forget_site_profile_after)
