"""Each message as a text file in ``EGOV_SMS_FILE_PATH`` (the demo: ``var/sms/``), like Django's file e-mail
backend: nothing leaves the machine, and the messages survive a restart."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from egov.core.sms.base import SmsBackend, SmsDeliveryError, SmsMessage


class FileBackend(SmsBackend):
    name = "file"

    def send(self, message: SmsMessage) -> None:
        folder = Path(settings.EGOV_SMS_FILE_PATH)
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S-%f")
        reference = re.sub(r"[^A-Za-z0-9_.-]", "-", message.reference or "sms")[:60]
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{stamp}-{reference}.txt"
            path.write_text(
                f"Đến: {message.to}\nMã: {message.reference}\n\n{message.body}\n", encoding="utf-8"
            )
        except OSError as exc:
            raise SmsDeliveryError(f"không ghi được tin nhắn vào {folder}: {exc}") from exc
