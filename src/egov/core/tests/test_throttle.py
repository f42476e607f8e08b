"""Rate limits on the public look-up, per client; who the client is behind a reverse proxy."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.test import Client, RequestFactory

from egov.core.throttle import client_address, client_ip

GUESSES = [f"000.22.44.H10-181203-{n:04d}" for n in range(1, 101)]


@pytest.fixture(autouse=True)
def _clock_stands_still(time_machine: Any) -> None:
    """Counting windows are a minute long: a test must not straddle the end of one."""
    time_machine.move_to(time.time(), tick=False)


def test_guessing_codes_on_the_look_up_page_is_stopped_per_client(db: None) -> None:
    guesser = Client(REMOTE_ADDR="203.0.113.7")
    answers = [guesser.get("/tra-cuu-ho-so/", {"ma": code}) for code in GUESSES]
    answered = [r for r in answers if r.status_code != 429]
    assert len(answered) == 30  # EGOV_RATE_LIMITS lookup=30/m: 30 of 100 guesses, the rest refused
    refused = answers[-1]
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    page = refused.content.decode()
    assert "Quá nhiều yêu cầu" in page and "tra cứu quá nhiều mã hồ sơ" in page and "phút" in page
    # Someone else looks their dossier up as usual; the empty form is never limited.
    assert Client(REMOTE_ADDR="203.0.113.8").get("/tra-cuu-ho-so/", {"ma": GUESSES[0]}).status_code == 404
    assert guesser.get("/tra-cuu-ho-so/").status_code == 200


def test_guessing_codes_through_the_api_is_stopped_with_json_in_vietnamese(db: None) -> None:
    guesser = Client(REMOTE_ADDR="203.0.113.9")
    answers = [guesser.get(f"/api/v1/lookup/{code}") for code in GUESSES[:40]]
    assert [r.status_code for r in answers].count(404) == 30
    refused = answers[-1]
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "quá nhiều yêu cầu" in refused.json()["detail"]
    # The page and the API share one budget per client.
    assert guesser.get("/tra-cuu-ho-so/", {"ma": GUESSES[0]}).status_code == 429


def test_the_look_up_limit_is_a_setting(db: None, settings: Any) -> None:
    settings.EGOV_RATE_LIMITS = {**settings.EGOV_RATE_LIMITS, "lookup": "off"}
    guesser = Client(REMOTE_ADDR="203.0.113.10")
    assert {guesser.get(f"/api/v1/lookup/{code}").status_code for code in GUESSES[:40]} == {404}


@pytest.fixture
def behind_proxy(settings: Any) -> None:
    settings.EGOV_CLIENT_IP_HEADER = "X-Forwarded-For"
    settings.EGOV_TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]


def _request(remote: str, forwarded: str | None = None) -> Any:
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_a_configured_header_the_connection_is_the_client(settings: Any) -> None:
    settings.EGOV_CLIENT_IP_HEADER = ""
    assert client_ip(_request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_behind_a_trusted_proxy_the_client_is_the_address_it_wrote(behind_proxy: None) -> None:
    assert client_ip(_request("127.0.0.1", "198.51.100.1")) == "198.51.100.1"
    # A client cannot pose as someone else by sending the header itself: the proxy appends the real address.
    assert client_ip(_request("127.0.0.1", "1.2.3.4, 198.51.100.1")) == "198.51.100.1"
    # Through two trusted proxies (10.1.2.3 then 127.0.0.1), the first untrusted address from the right.
    assert client_ip(_request("127.0.0.1", "1.2.3.4, 198.51.100.1, 10.1.2.3")) == "198.51.100.1"
    assert client_ip(_request("127.0.0.1", "2001:db8::5")) == "2001:db8::5"
    assert client_ip(_request("127.0.0.1", "not an address")) == "127.0.0.1"


def test_the_header_is_ignored_on_connections_that_do_not_come_from_the_proxy(behind_proxy: None) -> None:
    assert client_ip(_request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"
    assert client_address(_request("")) is None and client_ip(_request("")) == "0.0.0.0"  # noqa: S104


def test_behind_the_proxy_each_client_has_its_own_look_up_budget(db: None, behind_proxy: None) -> None:
    proxy = Client(REMOTE_ADDR="127.0.0.1")
    first = [
        proxy.get("/tra-cuu-ho-so/", {"ma": c}, HTTP_X_FORWARDED_FOR="198.51.100.1") for c in GUESSES[:31]
    ]
    assert first[-1].status_code == 429
    other = proxy.get("/tra-cuu-ho-so/", {"ma": GUESSES[0]}, HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert other.status_code == 404
    forged = proxy.get("/tra-cuu-ho-so/", {"ma": GUESSES[0]}, HTTP_X_FORWARDED_FOR="9.9.9.9, 198.51.100.1")
    assert forged.status_code == 429
