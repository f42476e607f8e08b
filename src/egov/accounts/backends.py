"""Sign-in with an e-mail address or a phone number (any common way of writing it)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest

from egov.accounts.models import User
from egov.core.identifiers import looks_like_email, normalize_phone


def canonical_identifier(raw: str) -> str:
    value = str(raw or "").strip()
    if looks_like_email(value):
        return value.lower()
    try:
        return normalize_phone(value)
    except ValidationError:
        return value


def find_account(identifier: str) -> User | None:
    return User.objects.filter(Q(username=identifier) | Q(email=identifier) | Q(phone=identifier)).first()


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    """Lock-outs count per account, however the identifier was typed (e-mail or any spelling of the phone)."""
    raw = (credentials or {}).get("username") or (
        request.POST.get("username", "") if request is not None else ""
    )
    identifier = canonical_identifier(raw)
    account = find_account(identifier) if identifier else None
    return account.username if account is not None else identifier


class EmailOrPhoneBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not username or not password:
            return None
        identifier = canonical_identifier(username)
        user = find_account(identifier)
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle for unknown accounts
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
