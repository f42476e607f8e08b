"""A gateway reached over HTTPS: each message is one POST of JSON ``{"to", "text", "reference"}`` (and the
sender name) to ``EGOV_SMS_HTTP_URL``, with ``Authorization: Bearer EGOV_SMS_HTTP_TOKEN`` when set. Any 2xx
answer is taken as accepted; anything else, or no answer within ``EGOV_SMS_HTTP_TIMEOUT`` seconds, is a
failure the outbox retries. Gateways with another request shape get a backend of their own next to this one."""

from __future__ import annotations

import httpx
from django.conf import settings

from egov.core.sms.base import SmsBackend, SmsDeliveryError, SmsMessage


class HttpBackend(SmsBackend):
    name = "http"

    def send(self, message: SmsMessage) -> None:
        url = settings.EGOV_SMS_HTTP_URL
        if not url:
            raise SmsDeliveryError("EGOV_SMS_HTTP_URL chưa được đặt")
        headers = {"Idempotency-Key": message.reference} if message.reference else {}
        if settings.EGOV_SMS_HTTP_TOKEN:
            headers["Authorization"] = f"Bearer {settings.EGOV_SMS_HTTP_TOKEN}"
        payload = {
            "to": message.to,
            "text": message.body,
            "reference": message.reference,
            "sender": settings.EGOV_SMS_SENDER,
        }
        try:
            response = httpx.post(
                url, json=payload, headers=headers, timeout=float(settings.EGOV_SMS_HTTP_TIMEOUT)
            )
        except httpx.HTTPError as exc:
            raise SmsDeliveryError(f"{type(exc).__name__}: {exc}") from exc
        if not response.is_success:
            raise SmsDeliveryError(f"HTTP {response.status_code}: {response.text[:200]}")
