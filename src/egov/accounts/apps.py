from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "egov.accounts"
    verbose_name = "Tài khoản và phân quyền"

    def ready(self) -> None:
        from egov.accounts.reorganisation import follow_reorganisation
        from egov.accounts.scopes import ensure_can_administer
        from egov.agencies.permissions import register_administer_check
        from egov.agencies.reorganisation_hooks import on_reorganised

        register_administer_check(ensure_can_administer)
        on_reorganised(follow_reorganisation)
