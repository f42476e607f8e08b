from django.core.management.base import BaseCommand, CommandError

from egov.accounts.models import ApiToken
from egov.accounts.tokens import revoke_token


class Command(BaseCommand):
    help = "Thu hồi một khóa API theo tiền tố (8 ký tự sau “egov_”); mọi tiến trình từ chối khóa đó ngay."

    def add_arguments(self, parser):
        parser.add_argument("prefix", help="8 ký tự đầu của khóa, sau “egov_”")

    def handle(self, *args, prefix: str, **options):
        prefix = prefix.removeprefix("egov_")[:8]
        found = list(ApiToken.objects.select_related("user").filter(prefix=prefix))
        if not found:
            raise CommandError(f"Không có khóa API nào có tiền tố “{prefix}”.")
        if len(found) > 1:
            raise CommandError(f"Có {len(found)} khóa cùng tiền tố “{prefix}”: thu hồi trong trang quản trị.")
        token = found[0]
        if revoke_token(token=token):
            self.stdout.write(f"Đã thu hồi khóa “{token.name}” của {token.user.username}.")
        else:
            self.stdout.write(f"Khóa “{token.name}” đã bị thu hồi trước đó.")
