"""The one interface every SMS gateway implements."""

from __future__ import annotations

import abc
from dataclasses import dataclass


class SmsDeliveryError(OSError):
    """The gateway did not take the message (unreachable, refused, answered an error): the outbox tries again
    later. An ``OSError``, like a mail server's failure, so the outbox treats both alike."""


@dataclass(frozen=True)
class SmsMessage:
    to: str  # a Vietnamese mobile number as the applicant gave it (0912345678)
    body: str
    reference: str = ""  # the same for every attempt at one outbox row: a gateway can drop repeats by it


class SmsBackend(abc.ABC):
    name: str = ""

    @abc.abstractmethod
    def send(self, message: SmsMessage) -> None:
        """Hand ``message`` to the gateway; raise :class:`SmsDeliveryError` if it was not taken."""
