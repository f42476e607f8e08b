from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from egov.dossiers.deadlines import sweep_deadlines


class Command(BaseCommand):
    help = (
        "Đánh dấu hồ sơ sắp đến hạn, quá hạn và gửi thư tổng hợp cho cơ quan (mỗi ngày một lần). "
        "Chạy định kỳ, ví dụ 15 phút một lần; --every N để tự lặp."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--every", type=int, default=0, help="Lặp lại sau mỗi N giây (0: chạy một lần).")

    def handle(self, *args: Any, every: int, **options: Any) -> None:
        while True:
            started = time.perf_counter()
            result = sweep_deadlines()
            self.stdout.write(
                f"Quá hạn mới: {result.overdue}; sắp đến hạn mới: {result.due_soon}; trở lại trong hạn: "
                f"{result.on_track}; thư tổng hợp: {result.digests} ({time.perf_counter() - started:.1f} s)."
            )
            if every <= 0:
                return
            time.sleep(every)
