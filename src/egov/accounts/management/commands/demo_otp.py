from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "In mã xác thực hai lớp hiện tại của một tài khoản (chỉ dùng cho bản trình diễn, không chạy ở production)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        if settings.PRODUCTION:
            raise CommandError("Lệnh này chỉ dùng cho bản trình diễn.")
        device = TOTPDevice.objects.filter(user__username=username.strip().lower(), confirmed=True).first()
        if device is None:
            raise CommandError(f"Tài khoản “{username}” chưa có thiết bị xác thực hai lớp.")
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
        self.stdout.write(f"{code:0{device.digits}d}")
