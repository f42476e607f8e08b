from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from egov.accounts import services
from egov.accounts.backends import canonical_identifier, find_account


class Command(BaseCommand):
    help = (
        "Cấp đường dẫn dùng một lần để một cán bộ (hoặc quản trị hệ thống đầu tiên) thiết lập ứng dụng xác thực "
        "hai lớp; in đường dẫn ra một lần và gửi tới thư điện tử của tài khoản."
    )

    def add_arguments(self, parser):
        parser.add_argument("account", help="Thư điện tử hoặc số điện thoại của tài khoản")

    def handle(self, *args, account: str, **options):
        user = find_account(canonical_identifier(account))
        if user is None:
            raise CommandError(f"Không tìm thấy tài khoản “{account}”.")
        try:
            link, address, mailed = services.issue_enrolment_link(actor=None, officer=user)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(address)
        self.stderr.write(
            f"Hết hạn lúc {timezone.localtime(link.expires_at):%H:%M %d/%m/%Y}. "
            + (f"Đã gửi tới {user.email}." if mailed else "Chưa gửi được thư: hãy trao đường dẫn trực tiếp.")
        )
