"""Catalogue search relevance and latency over the demo catalogue, measured in one run.

Creates its own database (``egov_bench_search_relevance`` on the server in ``BENCH_PG_URL``, default
``postgres://postgres@127.0.0.1:5432``), migrates it and loads the demo, then runs ``search()`` for every query
of the relevance set (``src/egov/catalog/tests/search_relevance.json``: citizens' wording, with and without
diacritics, typos, colloquial names, extra words), each with the procedure(s) the citizen looks for. Prints
hit@1 and MRR, the queries whose intended procedure is not first, and the search's p50/p95 latency over the
same queries. Goal: MRR ≥ 0.9 with p95 < 30 ms. The database is dropped at the end.
"""

from __future__ import annotations

import time

import scratch

DB_NAME = "egov_bench_search_relevance"
workdir = scratch.use(DB_NAME)

ROUNDS = 20  # x the relevance set's queries
TARGET_MRR = 0.9
TARGET_P95_MS = 30.0


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def run() -> None:
    from django.core.management import call_command

    from egov.catalog.models import ProcedureVersion
    from egov.catalog.selectors import Filters, published, search
    from egov.catalog.tests.relevance import judgements, score

    call_command("migrate", verbosity=0)
    call_command("load_demo", quiet=True)
    total = published().count()
    judged = judgements()
    filters = Filters()

    def codes(query: str) -> list[str]:
        return [v.procedure.national_code for v in search(query, filters)]

    scores = score(codes, judged)
    samples: list[float] = []
    for _ in range(ROUNDS):
        for judgement in judged:
            started = time.perf_counter()
            search(judgement.query, filters)
            samples.append((time.perf_counter() - started) * 1000)

    # The same number of trivial queries, interleaved, to tell the search's cost from the machine's load.
    pk = published().order_by("pk").values_list("pk", flat=True)[total // 2]
    trivial: list[float] = []
    for _ in range(len(samples)):
        started = time.perf_counter()
        ProcedureVersion.objects.filter(pk=pk).first()
        trivial.append((time.perf_counter() - started) * 1000)

    print(f"PostgreSQL, demo catalogue: {total} published procedures, {len(judged)} citizen queries")
    print(f"hit@1 {scores.hit_at_1:.3f}   MRR {scores.mrr:.3f}   (goal MRR ≥ {TARGET_MRR})")
    for query, rank in scores.misses():
        print(f"  “{query}”: intended procedure {'not found' if rank is None else f'at rank {rank}'}")
    p50, p95 = percentile(samples, 50), percentile(samples, 95)
    print(f"search() over {len(samples)} searches: p50 {p50:.2f} ms  p95 {p95:.2f} ms  (goal p95 < 30 ms)")
    t50, t95 = percentile(trivial, 50), percentile(trivial, 95)
    print(
        f"pk lookup (trivial): p50 {t50:.2f} ms  p95 {t95:.2f} ms; search p95 / trivial p95 {p95 / t95:.1f}×"
    )
    ok = scores.mrr >= TARGET_MRR and p95 < TARGET_P95_MS
    print(f"verdict: {'ok' if ok else 'MISSED'}")


def main() -> None:
    with scratch.databases(workdir, DB_NAME):
        run()


if __name__ == "__main__":
    main()
