"""Create the demo PKI (root → intermediate → officials' and agencies' certificates, TSA, CRLs)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from egov.signing.demo import DEMO_PIN, ensure_demo_pki


class Command(BaseCommand):
    help = (
        "Tạo hạ tầng khóa công khai thử nghiệm: CA gốc, CA trung gian, chứng thư số cho từng lãnh đạo và "
        "cơ quan, dịch vụ dấu thời gian, danh sách thu hồi. Chạy lại an toàn."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--all-desks", action="store_true", help="Cấp chứng thư cho mọi cơ quan có bộ phận một cửa."
        )

    def handle(self, *args: Any, all_desks: bool = False, **options: Any) -> None:
        counts = ensure_demo_pki(all_desks=all_desks)
        self.stdout.write(
            self.style.SUCCESS(
                f"PKI thử nghiệm sẵn sàng: thêm {counts['officials']} chứng thư lãnh đạo, "
                f"{counts['agencies']} chứng thư cơ quan. Mã PIN ký của lãnh đạo: {DEMO_PIN}."
            )
        )
