"""Password rules with messages in Vietnamese (Django's own Vietnamese catalogue lacks the length message)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import MinimumLengthValidator as DjangoMinimumLength
from django.core.exceptions import ValidationError


class MinimumLengthValidator(DjangoMinimumLength):
    def validate(self, password: str, user: Any = None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(
                "Mật khẩu quá ngắn: cần ít nhất %(min_length)d ký tự.",
                code="password_too_short",
                params={"min_length": self.min_length},
            )

    def get_help_text(self) -> str:
        return f"Mật khẩu cần ít nhất {self.min_length} ký tự."
