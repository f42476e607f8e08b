"""``manage.py generate_dossiers``: a synthetic year of the province's dossiers (see egov.demo.synthetic)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from tqdm import tqdm

from egov.core.errors import DomainError
from egov.demo import synthetic


class Command(BaseCommand):
    help = (
        "Tạo hồ sơ giả lập cho một năm của tỉnh (mặc định 1.000.000 hồ sơ năm 2019) với diễn biến và các bước "
        "xử lý, để đo hiệu năng và thử nghiệm. Chạy lại thì thêm tiếp; --replace để xóa hồ sơ giả lập cũ trước. "
        "Không dùng trên cơ sở dữ liệu thật."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--count", type=int, default=1_000_000, help="Số hồ sơ cần tạo (mặc định 1.000.000)."
        )
        parser.add_argument("--year", type=int, default=2019, help="Năm nộp hồ sơ (mặc định 2019).")
        parser.add_argument(
            "--seed", type=int, default=None, help="Hạt giống ngẫu nhiên (mặc định: theo năm)."
        )
        parser.add_argument(
            "--open-share",
            type=float,
            default=0.0,
            help="Tỷ lệ hồ sơ buộc còn đang giải quyết (0–1), để đo danh sách việc và quét hạn khi tồn đọng lớn.",
        )
        parser.add_argument("--batch", type=int, default=synthetic.BATCH, help="Số hồ sơ mỗi lần ghi.")
        parser.add_argument(
            "--replace", action="store_true", help="Xóa mọi hồ sơ giả lập đã tạo trước khi tạo mới."
        )
        parser.add_argument(
            "--rebuild-indexes",
            action="store_true",
            help="PostgreSQL: bỏ các chỉ mục phụ của hồ sơ, diễn biến, bước xử lý rồi tạo lại sau khi nạp "
            "(nhanh hơn nhiều khi tạo hàng triệu hồ sơ; chỉ dùng khi không ai đang dùng cơ sở dữ liệu).",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="PostgreSQL: số tiến trình tạo song song, mỗi tiến trình một phần các ngày trong năm "
            f"(mặc định: mỗi lõi CPU một tiến trình khi từ {synthetic.PARALLEL_FROM:,} hồ sơ; 1 nếu ít hơn).".replace(
                ",", "."
            ),
        )
        parser.add_argument("--no-progress", action="store_true", help="Không hiện thanh tiến độ.")
        parser.add_argument(
            "--unless-present",
            action="store_true",
            help="Không làm gì nếu đã có hồ sơ giả lập (cho make demo chạy lại nhiều lần).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        count, year = options["count"], options["year"]
        seed = options["seed"] if options["seed"] is not None else year
        if options["unless_present"] and synthetic.generated_exists():
            self.stdout.write("Đã có hồ sơ giả lập: không tạo thêm.")
            return
        if options["replace"]:
            removed = synthetic.delete_generated()
            self.stdout.write(f"Đã xóa {removed:,} hồ sơ giả lập cũ.".replace(",", "."))
        if connection.vendor != "postgresql":
            self.stdout.write("Không phải PostgreSQL: ghi bằng INSERT theo lô, chậm hơn nhiều so với COPY.")
        bar = tqdm(total=count, unit=" hồ sơ", disable=options["no_progress"], smoothing=0.1, file=sys.stderr)
        try:
            report = synthetic.generate(
                count=count,
                year=year,
                seed=seed,
                open_share=options["open_share"],
                batch_size=options["batch"],
                rebuild_indexes=options["rebuild_indexes"],
                workers=options["workers"],
                progress=bar.update,
            )
        except DomainError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        finally:
            bar.close()

        def vn(number: float) -> str:
            return f"{number:,.0f}".replace(",", ".")

        statuses = "; ".join(f"{name} {vn(number)}" for name, number in sorted(report.statuses.items()))
        self.stdout.write(
            f"Đã tạo {vn(report.dossiers)} hồ sơ, {vn(report.events)} diễn biến, {vn(report.steps)} bước xử lý "
            f"trong {report.seconds:.1f} s: {vn(report.rate)} hồ sơ/giây."
        )
        self.stdout.write(f"Trạng thái: {statuses}.")
