"""The catalogue search's relevance set (``search_relevance.json``) and how it is scored: hit@1 and MRR.

Shared by the quality test (``test_search_relevance.py``) and ``bench/bench_search_relevance.py``."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

RELEVANCE_SET = Path(__file__).with_name("search_relevance.json")


@dataclass(frozen=True)
class Judgement:
    query: str
    relevant: frozenset[str]  # national codes of the procedures the citizen looks for


@dataclass(frozen=True)
class Scores:
    hit_at_1: float
    mrr: float
    ranks: dict[str, int | None]  # query → rank of its first relevant procedure (1-based), None: not found

    def misses(self) -> list[tuple[str, int | None]]:
        return [(query, rank) for query, rank in self.ranks.items() if rank != 1]


def judgements() -> list[Judgement]:
    rows = json.loads(RELEVANCE_SET.read_text(encoding="utf-8"))["queries"]
    return [Judgement(row["query"], frozenset(row["relevant"])) for row in rows]


def score(ranked_codes: Callable[[str], list[str]], judged: list[Judgement] | None = None) -> Scores:
    """Scores of a search given as ``query → national codes, best first``."""
    judged = judged if judged is not None else judgements()
    ranks: dict[str, int | None] = {}
    for judgement in judged:
        codes = ranked_codes(judgement.query)
        ranks[judgement.query] = next(
            (n for n, code in enumerate(codes, start=1) if code in judgement.relevant), None
        )
    hits = sum(1 for rank in ranks.values() if rank == 1)
    reciprocal = sum(1 / rank for rank in ranks.values() if rank)
    return Scores(hit_at_1=hits / len(judged), mrr=reciprocal / len(judged), ranks=ranks)
