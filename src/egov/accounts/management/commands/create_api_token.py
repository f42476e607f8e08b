from django.core.management.base import BaseCommand, CommandError

from egov.accounts.backends import canonical_identifier, find_account
from egov.accounts.tokens import issue_token


class Command(BaseCommand):
    help = "Tạo khóa API cho một tài khoản (in ra một lần duy nhất; chỉ lưu mã băm)."

    def add_arguments(self, parser):
        parser.add_argument("account", help="Thư điện tử hoặc số điện thoại của tài khoản")
        parser.add_argument("name", help="Tên ứng dụng dùng khóa")

    def handle(self, *args, account: str, name: str, **options):
        user = find_account(canonical_identifier(account))
        if user is None:
            raise CommandError(f"Không tìm thấy tài khoản “{account}”.")
        self.stdout.write(issue_token(user=user, name=name))
