"""Who may administer an agency's own data (contact details, departments, sub-agencies).

Agencies sit below accounts, where roles live: the accounts app registers the check in its ``AppConfig.ready``
(:func:`egov.accounts.scopes.ensure_can_administer`). Until one is registered only the system itself (``None``)
and superusers pass — a missing registration refuses rather than lets through."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from egov.core.errors import ScopeDenied

AdministerCheck = Callable[[Any, Any], None]
_check: list[AdministerCheck] = []


def register_administer_check(check: AdministerCheck) -> None:
    _check[:] = [check]


def ensure_can_administer(actor: Any, agency: Any) -> None:
    """Raise ScopeDenied unless ``actor`` may administer ``agency``."""
    if _check:
        _check[0](actor, agency)
        return
    if actor is None or getattr(actor, "is_superuser", False):
        return
    raise ScopeDenied(f"Chỉ quản trị của {agency.name} được quản lý thông tin cơ quan.")
