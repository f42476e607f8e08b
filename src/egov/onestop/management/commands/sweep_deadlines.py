from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from egov.onestop.deadlines import sweep_deadlines
from egov.onestop.sweeps import exclusive


class Command(BaseCommand):
    help = (
        "Đánh dấu hồ sơ sắp đến hạn, quá hạn và gửi thư tổng hợp cho cơ quan (mỗi ngày một lần). "
        "Chỉ bước hạn xử lý của `manage.py sweep` (nên dùng lệnh đó); --every N để tự lặp."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--every", type=int, default=0, help="Lặp lại sau mỗi N giây (0: chạy một lần).")

    def handle(self, *args: Any, every: int, **options: Any) -> None:
        while True:
            started = time.perf_counter()
            with exclusive() as held:
                if not held:
                    self.stdout.write(
                        "Một lượt quét khác đang chạy (tiến trình khác giữ khóa); lượt này bỏ qua."
                    )
                else:
                    result = sweep_deadlines()
                    self.stdout.write(
                        f"Quá hạn mới: {result.overdue}; sắp đến hạn mới: {result.due_soon}; trở lại trong hạn: "
                        f"{result.on_track}; thư tổng hợp: {result.digests} "
                        f"({time.perf_counter() - started:.1f} s)."
                    )
            if every <= 0:
                return
            close_old_connections()
            time.sleep(every)
