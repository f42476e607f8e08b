from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand

from egov.dossiers.orphan_files import grace, sweep_orphan_files


class Command(BaseCommand):
    help = (
        "Xóa các tệp trong kho (giấy tờ, kết quả, phiếu đã ban hành) không còn bản ghi nào trỏ tới và cũ hơn "
        "thời gian chờ (mặc định EGOV_ORPHAN_FILE_GRACE_HOURS giờ): tệp do yêu cầu bị ngắt trước khi lưu để lại. "
        "--dry-run để chỉ liệt kê."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Chỉ liệt kê, không xóa.")
        parser.add_argument(
            "--grace-hours",
            type=float,
            default=None,
            help="Chỉ xét tệp cũ hơn N giờ (mặc định theo cấu hình).",
        )
        parser.add_argument(
            "--all-months",
            action="store_true",
            help="Duyệt mọi tháng (mặc định chỉ các tháng gần đây, nơi tệp mồ côi mới có thể nằm).",
        )

    def handle(
        self, *args: Any, dry_run: bool, grace_hours: float | None, all_months: bool, **options: Any
    ) -> None:
        older_than = grace() if grace_hours is None else dt.timedelta(hours=grace_hours)
        result = sweep_orphan_files(dry_run=dry_run, older_than=older_than, all_months=all_months)
        for name in result.examples:
            self.stdout.write(f"  {name}")
        if len(result.examples) < result.deleted:
            self.stdout.write(f"  … và {result.deleted - len(result.examples)} tệp khác")
        verb = "Sẽ xóa" if dry_run else "Đã xóa"
        self.stdout.write(
            f"{verb} {result.deleted} tệp mồ côi ({result.bytes / 1_000_000:.1f} MB) trong {result.examined} tệp "
            f"cũ hơn {older_than.total_seconds() / 3600:g} giờ đã xét."
        )
