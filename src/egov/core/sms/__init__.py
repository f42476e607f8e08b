"""Text messages (SMS) through a pluggable gateway: one interface (:mod:`.base`), backends by name
(:mod:`.registry`, chosen by ``EGOV_SMS_BACKEND`` like Django's ``EMAIL_BACKEND``), implementations in
``contrib/``: ``file`` writes each message to a folder (the demo, tests), ``http`` posts it to a gateway."""

from egov.core.sms.base import SmsBackend, SmsDeliveryError, SmsMessage
from egov.core.sms.registry import get_backend, sms_enabled

__all__ = ["SmsBackend", "SmsDeliveryError", "SmsMessage", "get_backend", "sms_enabled"]
