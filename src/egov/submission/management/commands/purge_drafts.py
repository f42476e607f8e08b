from django.core.management.base import BaseCommand

from egov.submission.services import purge_stale_drafts


class Command(BaseCommand):
    help = "Xóa hồ sơ đang soạn không được sửa trong N ngày (mặc định 30) và các tệp đã tải lên của chúng."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30)

    def handle(self, *args, days: int, **options):
        self.stdout.write(f"Đã xóa {purge_stale_drafts(days=days)} hồ sơ đang soạn cũ hơn {days} ngày.")
