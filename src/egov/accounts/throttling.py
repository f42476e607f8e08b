"""Limits on signing in that stop guessing without letting anyone lock a person out of their own desk.

- django-axes locks an account only on the client that failed (username + address, settings.AXES_*).
- Failures per client over all accounts are limited (``sign_in_ip``): one address cannot try many accounts.
- Failures per account over all clients are limited (``sign_in_account``) — but only for browsers that never
  signed in to that account: the officer's own browser carries a signed "known browser" cookie and keeps
  signing in while someone elsewhere guesses (device cookies, as OWASP recommends). A new browser passes
  again once its owner resets the password by e-mail, which proves the mailbox.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

from egov.core.throttle import account_key, check, client_ip, first_wait, hit

KNOWN_COOKIE = "egov_known"
KNOWN_SECONDS = 180 * 24 * 3600
KNOWN_KEPT = 10  # accounts remembered per browser (a shared desk computer)
_SALT = "egov.accounts.known-browser"


def _known(request: HttpRequest) -> list[str]:
    raw = request.COOKIES.get(KNOWN_COOKIE)
    if not raw:
        return []
    try:
        value = signing.loads(raw, salt=_SALT, max_age=KNOWN_SECONDS)
    except signing.BadSignature:
        return []
    return [str(item) for item in value] if isinstance(value, list) else []


def _key(username: str) -> str:
    return account_key(username)[:16]


def is_known_browser(request: HttpRequest, username: str) -> bool:
    return _key(username) in _known(request)


def remember_browser(request: HttpRequest, response: HttpResponse, username: str) -> None:
    """After a full sign-in (or a password reset by e-mail): this browser is known to this account."""
    key = _key(username)
    others = [k for k in _known(request) if k != key]
    keys = [*others[-(KNOWN_KEPT - 1) :], key]
    response.set_cookie(
        KNOWN_COOKIE,
        signing.dumps(keys, salt=_SALT),
        max_age=KNOWN_SECONDS,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def sign_in_wait(request: HttpRequest, username: str) -> tuple[int | None, str]:
    """Seconds to wait before this client may try ``username`` again (None: go ahead), and why."""
    by_client = check(request, "sign_in_ip", client_ip(request))
    if by_client:
        return by_client, "client"
    if not is_known_browser(request, username):
        by_account = check(request, "sign_in_account", account_key(username))
        if by_account:
            return by_account, "account"
    return None, ""


def count_sign_in_failure(request: HttpRequest, username: str) -> None:
    hit(request, "sign_in_ip", client_ip(request))
    if not is_known_browser(request, username):
        hit(request, "sign_in_account", account_key(username))


def second_factor_wait(request: HttpRequest, user_pk: int) -> int | None:
    return first_wait(
        check(request, "second_factor_ip", client_ip(request)),
        check(request, "second_factor_account", str(user_pk)),
    )


def count_second_factor_failure(request: HttpRequest, user_pk: int) -> None:
    hit(request, "second_factor_ip", client_ip(request))
    hit(request, "second_factor_account", str(user_pk))
