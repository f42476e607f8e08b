from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "egov.dossiers"
    verbose_name = "Hồ sơ thủ tục hành chính"

    def ready(self) -> None:
        # Importing these registers their lifecycle hooks (what leaving a state cancels; forms an act issues).
        from egov.agencies.reorganisation_hooks import on_reorganised
        from egov.dossiers import issued_forms, processing  # noqa: F401
        from egov.dossiers.processing import release_signed_result
        from egov.dossiers.reorganisation import follow_reorganisation
        from egov.dossiers.results import RESULT_SOURCE
        from egov.signing.services import on_released

        on_released(RESULT_SOURCE, release_signed_result)
        on_reorganised(follow_reorganisation)

        from egov.dossiers import task_reclaim

        task_reclaim.connect()
