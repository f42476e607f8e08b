"""API tokens as an operator handles them from the command line."""

from __future__ import annotations

import secrets

import pytest
from django.core.management import call_command

from egov.accounts.models import ApiToken, User
from egov.accounts.tokens import issue_token, user_for_token

pytestmark = pytest.mark.django_db


def test_a_token_prefix_never_starts_like_a_command_line_option(monkeypatch: pytest.MonkeyPatch) -> None:
    drawn = iter(["-leadingdash" + "x" * 31, "_leadingline" + "y" * 31, "Abcdefgh" + "z" * 35])
    monkeypatch.setattr(secrets, "token_urlsafe", lambda n: next(drawn))
    user = User.objects.create_user(username="ung-dung", password="x" * 12)
    token = issue_token(user=user, name="Ứng dụng")
    assert token.startswith("egov_Abcdefgh")
    assert ApiToken.objects.get(user=user).prefix == "Abcdefgh"


def test_the_operator_revokes_by_prefix_with_or_without_egov() -> None:
    user = User.objects.create_user(username="ung-dung-2", password="x" * 12)
    first = issue_token(user=user, name="Một")
    second = issue_token(user=user, name="Hai")
    call_command("revoke_api_token", first[5:13])
    call_command("revoke_api_token", second[:13])
    assert user_for_token(first) is None
    assert user_for_token(second) is None
