from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "egov.dossiers"
    verbose_name = "Hồ sơ thủ tục hành chính"

    def ready(self) -> None:
        from egov.dossiers import task_reclaim

        task_reclaim.connect()
