from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo and synthetic data: the demo province (load_demo) and a synthetic year of dossiers."""

    name = "egov.demo"
    verbose_name = "Dữ liệu mẫu"
