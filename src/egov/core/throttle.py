"""Rate limits per client and per account, counted in the shared cache (django-ratelimit).

- :func:`client_ip` is the one answer to "who is the client": the connection's address, or — only when the
  connection comes from a trusted reverse proxy (``EGOV_TRUSTED_PROXIES``) — the address that proxy writes
  in ``EGOV_CLIENT_IP_HEADER``. django-axes, django-ratelimit and the audit log all use it.
- :func:`hit` counts one use of a limited action for one key (a client's address, an account) and says how
  long to wait when the limit is passed; :func:`check` only looks. Rates come from ``EGOV_RATE_LIMITS``.
- :func:`too_many` is the Vietnamese 429 page with ``Retry-After``.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
from functools import cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit.core import get_usage

FALLBACK_WAIT_SECONDS = 60  # when the cache cannot be read: the limit holds (fail closed) for a minute


@cache
def _trusted_networks(proxies: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _address(value: str) -> Any:
    try:
        return ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return None


def _is_trusted(address: Any) -> bool:
    networks = _trusted_networks(tuple(settings.EGOV_TRUSTED_PROXIES))
    return address is not None and any(address in network for network in networks)


def client_address(request: HttpRequest) -> str | None:
    """The client's address, None when unknown. Behind a proxy, the header is read only when the connection
    comes from one of ``EGOV_TRUSTED_PROXIES``; in a chain (``X-Forwarded-For: client, proxy1``) the
    rightmost address that is not a trusted proxy is the client — addresses further left were written by the
    client and can be forged."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    header = settings.EGOV_CLIENT_IP_HEADER
    if not header or not _is_trusted(_address(remote)):
        return remote or None
    raw = request.META.get("HTTP_" + header.upper().replace("-", "_"), "")
    chain = [address for address in (_address(part) for part in raw.split(",")) if address is not None]
    for address in reversed(chain):
        if not _is_trusted(address):
            return str(address)
    return str(chain[0]) if chain else remote or None


def client_ip(request: HttpRequest) -> str:
    """:func:`client_address` for counters (django-ratelimit, django-axes): never empty."""
    return client_address(request) or "0.0.0.0"  # noqa: S104 (a Unix-socket connection without a proxy header)


def account_key(identifier: str) -> str:
    """A counter key for an account or an address typed into a form (not stored in clear in the cache)."""
    return hashlib.sha256(identifier.strip().lower().encode()).hexdigest()[:32]


def _rate(name: str) -> str | None:
    rate = settings.EGOV_RATE_LIMITS.get(name)
    return None if not rate or rate == "off" else str(rate)


def _usage(request: HttpRequest, name: str, value: str, *, increment: bool) -> dict[str, Any] | None:
    rate = _rate(name)
    if rate is None:
        return None
    return get_usage(
        request, group=f"egov:{name}", key=lambda _group, _request: value, rate=rate, increment=increment
    )


def _wait(usage: dict[str, Any]) -> int:
    left = int(usage.get("time_left", -1))
    return left if left > 0 else FALLBACK_WAIT_SECONDS


def hit(request: HttpRequest, name: str, value: str) -> int | None:
    """Count one use of ``name`` (a key of ``EGOV_RATE_LIMITS``) by ``value``; the seconds to wait when this
    use is over the limit, else None."""
    usage = _usage(request, name, value, increment=True)
    if usage is None or not usage["should_limit"]:
        return None
    return _wait(usage)


def check(request: HttpRequest, name: str, value: str) -> int | None:
    """Like :func:`hit`, without counting: the seconds to wait when the limit is already used up."""
    usage = _usage(request, name, value, increment=False)
    if usage is None:
        return None
    if usage["limit"] and usage["count"] < usage["limit"]:
        return None
    return _wait(usage)


def first_wait(*waits: int | None) -> int | None:
    found = [wait for wait in waits if wait]
    return max(found) if found else None


def minutes(seconds: int) -> int:
    return max(1, math.ceil(seconds / 60))


def too_many(request: HttpRequest, seconds: int, *, what: str = "") -> HttpResponse:
    """The 429 page: what was limited, when to try again; ``Retry-After`` in seconds."""
    response = render(
        request,
        "core/too_many_requests.html",
        {"what": what, "minutes": minutes(seconds)},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response


def too_many_message(seconds: int) -> str:
    return f"Bạn đã gửi quá nhiều yêu cầu. Vui lòng thử lại sau {minutes(seconds)} phút."
