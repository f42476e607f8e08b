"""Every operation of /api/v1, fuzzed from the API's own OpenAPI document with Schemathesis (Hypothesis):
values that fit the schema and values that do not, sent through the real WSGI application with a citizen's
and an officer's token, on a dossier that exists and on codes that do not. The answer is never a 5xx.

Bounded and derandomised (the same examples every run) so that it takes well under a minute."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from egov.accounts.models import User
from egov.accounts.tokens import issue_token
from egov.api import api
from egov.submission.tests.test_submission import submit
from egov.wsgi import application

SCHEMA = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1/"))
EXAMPLES = 12  # per operation, generation mode and path: about 600 requests in all


@contextmanager
def one_connection() -> Iterator[None]:
    """Keep the test's database connection (and its transaction) across requests, as Django's test client
    does: the WSGI handler would otherwise close it at the end of each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_no_input_makes_the_api_answer_5xx(marriage: Any, subtests: Any) -> None:
    # One demo province for all operations (three seconds to build): each operation is a subtest.
    dossier, _ = submit(marriage)
    tokens = {
        officer: issue_token(user=User.objects.get(email=email), name="Thử nghiệm mờ")
        for officer, email in ((True, "motcua.loctan@binhphuoc.demo"), (False, "nguyenvanan@binhphuoc.demo"))
    }
    for result in SCHEMA.get_all_operations():
        operation = result.ok()
        with subtests.test(f"{operation.method.upper()} {operation.path}"):
            headers = {"Authorization": f"Bearer {tokens[operation.path.startswith('/api/v1/officer')]}"}
            known = {"code": dossier.code} if "{code}" in operation.path else {}
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                for path_parameters in ({}, known) if known else ({},):
                    fuzz(
                        operation.as_strategy(generation_mode=mode, path_parameters=path_parameters), headers
                    )


def fuzz(strategy: Any, headers: dict[str, str]) -> None:
    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    def never_5xx(case: Any) -> None:
        response = case.call(app=application, headers=headers)
        assert response.status_code < 500, (case.as_curl_command(), response.text[:2000])

    # Unsatisfiable: no value breaks this schema (a free-text path parameter), so nothing negative to send.
    with one_connection(), suppress(Unsatisfiable):
        never_5xx()
