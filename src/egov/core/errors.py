"""Errors that services raise and every channel (page, API, command) shows to the user as they are."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError


class DomainError(ValidationError):
    """A rule of the domain refused the action; the message is Vietnamese and meant for the user."""


class ScopeDenied(PermissionDenied):
    """The acting account may not act on this object (outside its agency or its supervised tree)."""

    def __init__(self, message: str = "Tài khoản của bạn không có quyền thực hiện thao tác này.") -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class Conflict(DomainError):
    """Someone else changed the object since the actor read it (409 on the API, code ``conflict``)."""

    code = "conflict"

    def __init__(self, message: str) -> None:
        super().__init__(message, code="conflict")
