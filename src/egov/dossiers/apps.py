from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "egov.dossiers"
    verbose_name = "Hồ sơ thủ tục hành chính"

    def ready(self) -> None:
        from egov.agencies.reorganisation_hooks import on_reorganised
        from egov.dossiers.processing import RESULT_SOURCE, release_signed_result
        from egov.dossiers.reorganisation import follow_reorganisation
        from egov.signing.services import on_released

        on_released(RESULT_SOURCE, release_signed_result)
        on_reorganised(follow_reorganisation)
