"""Cost of the visitor counters on page views, as ratios measured in one run.

Serves the home page in-process (Django test client, SQLite file with the demo data) three ways:
without the counter middleware, with it for a returning visitor, and with it for a new visitor on every
view (the worst case: one counter increment and one presence row per view). Prints median times and
ratios to the page without counters. Target: a returning visitor costs ≤ 1.05× and a new one ≤ 1.5×.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
workdir = tempfile.mkdtemp(prefix="egov-bench-")
os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
os.environ["EGOV_VAR_DIR"] = workdir
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.settings")
os.environ["EGOV_LOG_LEVEL"] = "WARNING"

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

ROUNDS = 400


def timed(*, new_visitor: bool, rounds: int = ROUNDS) -> float:
    """Median time of one home-page view; a new visitor (no cookie) each time if ``new_visitor``."""
    cache.clear()
    samples = []
    client = Client()
    client.get("/")  # warm caches and the visitor cookie
    for _ in range(rounds):
        if new_visitor:
            client = Client()
        started = time.perf_counter()
        response = client.get("/")
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200
    return statistics.median(samples)


def main() -> None:
    setup_test_environment()
    call_command("migrate", verbosity=0)
    call_command("load_demo", quiet=True)
    from django.conf import settings

    without = [m for m in settings.MIDDLEWARE if not m.endswith("VisitorCounterMiddleware")]
    with override_settings(MIDDLEWARE=without, ALLOWED_HOSTS=["testserver"]):
        base = timed(new_visitor=False)
    with override_settings(ALLOWED_HOSTS=["testserver"]):
        returning = timed(new_visitor=False)
        new = timed(new_visitor=True)
    print(f"home page, no counters       {base * 1000:7.2f} ms  1.00×")
    print(
        f"home page, returning visitor {returning * 1000:7.2f} ms  {returning / base:.2f}×  (target ≤ 1.05×)"
    )
    print(f"home page, new visitor       {new * 1000:7.2f} ms  {new / base:.2f}×  (target ≤ 1.5×)")


if __name__ == "__main__":
    main()
