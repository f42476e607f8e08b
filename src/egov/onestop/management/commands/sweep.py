"""``manage.py sweep``: every periodic sweep in order, one copy at a time (``egov.onestop.sweeps``)."""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from egov.onestop.sweeps import PeriodicSweepResult, run_periodic_sweeps

STEP_NAMES = {
    "deadlines": "hạn xử lý",
    "outbox": "thư chưa gửi",
    "reclaimed_tasks": "tác vụ bị bỏ dở",
    "files": "tệp mồ côi",
}


class Command(BaseCommand):
    help = (
        "Chạy các lượt quét định kỳ theo thứ tự: hạn xử lý (và thư tổng hợp), thư chưa gửi được, tác vụ nền "
        "bị bỏ dở khi tiến trình chết, tệp không còn bản ghi nào trỏ tới. Mỗi lúc chỉ một bản chạy; "
        "--every N để tự lặp sau mỗi N giây."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--every", type=int, default=0, help="Lặp lại sau mỗi N giây (0: chạy một lần).")
        parser.add_argument(
            "--files-every",
            type=int,
            default=3600,
            help="Khi lặp: quét tệp mồ côi nhiều nhất mỗi N giây một lần (mặc định 3600), vì phải duyệt kho tệp.",
        )
        parser.add_argument("--skip-files", action="store_true", help="Không quét tệp mồ côi.")

    def handle(self, *args: Any, every: int, files_every: int, skip_files: bool, **options: Any) -> None:
        files_due = 0.0
        while True:
            started = time.monotonic()
            with_files = not skip_files and started >= files_due
            result = run_periodic_sweeps(files=with_files)
            if result is None:
                self.stdout.write("Một lượt quét khác đang chạy (tiến trình khác giữ khóa); lượt này bỏ qua.")
            else:
                if with_files:
                    files_due = started + files_every
                self.stdout.write(f"{self._describe(result)} ({time.monotonic() - started:.1f} s).")
                if result.failed and every <= 0:
                    failed = ", ".join(STEP_NAMES[name] for name in result.failed)
                    self.stderr.write(f"Lượt quét lỗi ở bước: {failed} (xem nhật ký).")
                    sys.exit(1)
            if every <= 0:
                return
            close_old_connections()
            time.sleep(every)

    @staticmethod
    def _describe(result: PeriodicSweepResult) -> str:
        parts = []
        if result.deadlines is not None:
            d = result.deadlines
            parts.append(
                f"Quá hạn mới: {d.overdue}; sắp đến hạn mới: {d.due_soon}; trở lại trong hạn: {d.on_track}; "
                f"thư tổng hợp: {d.digests}"
            )
        if result.outbox is not None:
            parts.append(f"thư gửi lại: {result.outbox.requeued}; thư ngừng thử: {result.outbox.given_up}")
        if result.reclaimed_tasks is not None:
            parts.append(f"tác vụ lấy lại: {result.reclaimed_tasks}")
        if result.files is not None:
            parts.append(f"tệp mồ côi đã xóa: {result.files.deleted}")
        return "; ".join(parts)
