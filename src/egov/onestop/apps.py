from django.apps import AppConfig


class OnestopConfig(AppConfig):
    """The one-stop back office (một cửa): receiving, processing across agencies, forms, the register."""

    name = "egov.onestop"
    verbose_name = "Một cửa: tiếp nhận và giải quyết hồ sơ"

    def ready(self) -> None:
        # Importing these registers their lifecycle hooks: what leaving a state cancels (processing), the
        # forms an act issues (forms.issued), the e-mails about consultations (notices), the
        # workbench on the officer's start page.
        from egov.accounts.desk import add_panel
        from egov.agencies.reorganisation_hooks import on_reorganised
        from egov.dossiers.tasks import register_outbox
        from egov.onestop import notices
        from egov.onestop.forms import issued  # noqa: F401
        from egov.onestop.models import DeadlineDigest
        from egov.onestop.processing import (
            lock_dossier_before_signing,
            record_result_signature,
            release_signed_result,
        )
        from egov.onestop.reorganisation import follow_reorganisation
        from egov.onestop.results import RESULT_SOURCE
        from egov.onestop.tasks import send_deadline_digest
        from egov.onestop.views import workbench_panel
        from egov.signing.services import on_released, on_signed, on_signing

        on_signing(RESULT_SOURCE, lock_dossier_before_signing)
        on_signed(RESULT_SOURCE, record_result_signature)
        on_released(RESULT_SOURCE, release_signed_result)
        on_reorganised(follow_reorganisation)
        register_outbox(DeadlineDigest, send_deadline_digest)
        notices.register()
        add_panel(workbench_panel)
