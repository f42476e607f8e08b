"""A quality floor for the catalogue search: on the relevance set (citizens' wording, ``search_relevance.json``)
the intended procedure comes first often enough that relevance cannot silently regress. Not a timed test: the
latency is measured by ``bench/bench_search_relevance.py``."""

from __future__ import annotations

import json

from egov.catalog.search_text import VOCABULARY_FILE
from egov.catalog.selectors import Filters, search
from egov.catalog.tests.relevance import judgements, score

MRR_FLOOR = 0.9
HIT_AT_1_FLOOR = 0.9


def test_citizens_queries_find_the_intended_procedure(demo: None) -> None:
    judged = judgements()
    assert len(judged) >= 50
    scores = score(lambda q: [v.procedure.national_code for v in search(q, Filters())], judged)
    misses = "; ".join(f"“{q}”: {rank or 'không thấy'}" for q, rank in scores.misses())
    assert scores.mrr >= MRR_FLOOR, f"MRR {scores.mrr:.3f} < {MRR_FLOOR} ({misses})"
    assert scores.hit_at_1 >= HIT_AT_1_FLOOR, f"hit@1 {scores.hit_at_1:.3f} < {HIT_AT_1_FLOOR} ({misses})"


def test_the_relevance_set_names_procedures_of_the_demo_catalogue(demo: None) -> None:
    codes = {v.procedure.national_code for v in search("", Filters(), limit=1000)}
    assert all(j.relevant <= codes for j in judgements()), [
        j.query for j in judgements() if j.relevant - codes
    ]


def test_every_catalogue_wording_of_the_vocabulary_finds_procedures(demo: None) -> None:
    """A synonym pointing at words the catalogue does not use would silently find nothing."""
    entries = json.loads(VOCABULARY_FILE.read_text(encoding="utf-8"))["synonyms"]
    assert [e["means"] for e in entries if not search(e["means"], Filters())] == []
