from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from egov.agencies.reorganisation_plans import load_plan
from egov.agencies.services import apply_reorganisation
from egov.core.errors import DomainError
from egov.units.models import Reorganisation


class Command(BaseCommand):
    help = (
        "Áp dụng một phương án sắp xếp đơn vị hành chính và cơ quan (tệp JSON), giữ nguyên lịch sử: "
        "đơn vị, cơ quan cũ hết hiệu lực từ ngày trước ngày hiệu lực, đơn vị mới được liên kết kế thừa."
    )

    def add_arguments(self, parser):
        parser.add_argument("plan")

    def handle(self, *args, plan: str, **options):
        try:
            arguments = load_plan(Path(plan))
            if Reorganisation.objects.filter(key=arguments["key"]).exists():
                self.stdout.write(
                    f"Phương án “{arguments['name']}” đã được áp dụng trước đây; không làm gì thêm."
                )
                return
            result = apply_reorganisation(actor=None, **arguments)
        except DomainError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        for note in result.notes:
            self.stdout.write(f"Lưu ý: {note}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã áp dụng “{result.reorganisation.name}”: {result.units} đơn vị và {result.agencies} cơ quan mới "
                f"có hiệu lực từ {result.reorganisation.effective_date:%d/%m/%Y}."
            )
        )
