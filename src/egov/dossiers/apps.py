from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "egov.dossiers"
    verbose_name = "Hồ sơ thủ tục hành chính"

    def ready(self) -> None:
        # Importing these registers their lifecycle hooks (what leaving a state cancels; forms an act issues).
        from egov.agencies.reorganisation_hooks import on_reorganised
        from egov.onestop.forms import issued as issued_forms
        from egov.onestop import processing  # noqa: F401
        from egov.onestop.processing import release_signed_result
        from egov.onestop.reorganisation import follow_reorganisation
        from egov.onestop.results import RESULT_SOURCE
        from egov.signing.services import on_released

        on_released(RESULT_SOURCE, release_signed_result)
        on_reorganised(follow_reorganisation)

        from egov.dossiers import task_reclaim

        task_reclaim.connect()
