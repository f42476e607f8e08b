"""Reads of the catalogue: browsing and diacritics-insensitive, typo-tolerant search.

Stored text and queries are normalised by :func:`egov.catalog.search_text.search_key`. On PostgreSQL the
ranking is done by the database with ``pg_trgm`` (word similarity over a trigram-indexed column) and the query
is also passed through ``unaccent``; on SQLite the same ranking is computed in Python over the (small) set of
published procedures. Both rank whole-phrase matches first, then by how many query words match (allowing one
typo per word), then by trigram similarity.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet

from egov.agencies.models import Agency
from egov.catalog.models import Component, OnlineLevel, ProcedureVersion, Sector, VersionStatus
from egov.catalog.search_text import search_key

MIN_WORD_SHARE = 2 / 3  # a result must match two thirds of the query's words, unless it has the whole phrase


def published() -> QuerySet[ProcedureVersion]:
    return ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED)


@dataclass(frozen=True)
class Filters:
    sector: str = ""
    level: str = ""
    online: str = ""
    agency: str = ""

    def apply(self, queryset: QuerySet[ProcedureVersion]) -> QuerySet[ProcedureVersion]:
        if self.sector:
            queryset = queryset.filter(sector__code=self.sector)
        if self.level:
            queryset = queryset.filter(levels__code=self.level)
        if self.agency:
            # A one-stop desk receives the procedures of its own level (the provincial centre: province level).
            level = (
                Agency.objects.current()
                .filter(code=self.agency.upper(), has_one_stop_desk=True)
                .values_list("unit__kind__level__code", flat=True)
                .first()
            )
            queryset = queryset.filter(levels__code=level) if level else queryset.none()
        if self.online == "online":
            queryset = queryset.exclude(online_level=OnlineLevel.NONE)
        elif self.online in OnlineLevel.values:
            queryset = queryset.filter(online_level=self.online)
        return queryset


def _list_queryset(ids: Iterable[int] | None = None) -> QuerySet[ProcedureVersion]:
    queryset = published().select_related("procedure", "sector").prefetch_related("levels")
    return queryset.filter(pk__in=list(ids)) if ids is not None else queryset


def browse(filters: Filters) -> QuerySet[ProcedureVersion]:
    return filters.apply(_list_queryset()).distinct().order_by("sector__name", "name")


def search(query: str, filters: Filters, *, limit: int = 50) -> list[ProcedureVersion]:
    """Published procedures matching ``query``, best first. Three queries whatever the catalogue size."""
    key = search_key(query)[:200]
    if not key:
        return list(browse(filters)[:limit])
    candidates = filters.apply(published()).distinct()
    if connection.vendor == "postgresql":
        ranked_ids = _rank_postgresql(key, candidates, limit)
    else:
        ranked_ids = _rank_python(key, candidates.values_list("pk", "search_text"), limit)
    by_id = {v.pk: v for v in _list_queryset(ranked_ids)}
    return [by_id[pk] for pk in ranked_ids if pk in by_id]


def _rank_postgresql(key: str, candidates: QuerySet[ProcedureVersion], limit: int) -> list[int]:
    """The same ranking as :func:`_rank_python`, computed by PostgreSQL with pg_trgm."""
    subquery, params = candidates.order_by().values("pk").query.sql_with_params()
    words = key.split()
    matched = " + ".join(
        ["(CASE WHEN word_similarity(%s, v.search_text) >= 0.5 THEN 1 ELSE 0 END)"] * len(words)
    )
    statement = f"""
        SELECT id FROM (
            SELECT v.id, v.name,
                   v.search_text LIKE %s AS phrase,
                   ({matched}) AS matched,
                   word_similarity(unaccent(%s), v.search_text) AS word_score,
                   similarity(unaccent(%s), v.search_text) AS score
            FROM catalog_procedureversion v
            WHERE v.id IN ({subquery})
        ) ranked
        WHERE phrase OR matched * 3 >= %s * 2
        ORDER BY phrase DESC, matched DESC, word_score DESC, score DESC, name
        LIMIT %s
    """  # noqa: S608 (only placeholders are interpolated)
    with connection.cursor() as cursor:
        cursor.execute(statement, [f"%{key}%", *words, key, key, *params, len(words), limit])
        return [row[0] for row in cursor.fetchall()]


def _trigrams(text: str) -> set[str]:
    padded = f"  {text} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def _similar_word(word: str, words: list[str]) -> bool:
    """True when ``word`` is among ``words`` or a likely typo of one of them. Vietnamese syllables are short
    and many differ by one letter (“sinh”, “kinh”), so: two swapped letters are accepted from four letters on,
    any single edit only from five."""
    if word in words:
        return True
    if len(word) < 4:
        return len(word) == 2 and any(w.startswith(word) for w in words)
    if any(len(w) == len(word) and _swapped(word, w) for w in words):
        return True
    return len(word) >= 5 and any(abs(len(w) - len(word)) <= 1 and _one_edit(word, w) for w in words)


def _swapped(a: str, b: str) -> bool:
    diffs = [i for i in range(len(a)) if a[i] != b[i]]
    return (
        len(diffs) == 2
        and diffs[1] == diffs[0] + 1
        and a[diffs[0]] == b[diffs[1]]
        and a[diffs[1]] == b[diffs[0]]
    )


def _one_edit(a: str, b: str) -> bool:
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diffs) == 1 or (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and a[diffs[0]] == b[diffs[1]]
            and a[diffs[1]] == b[diffs[0]]
        )
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def _rank_python(key: str, rows: Iterable[tuple[int, str]], limit: int) -> list[int]:
    query_words = key.split()
    query_grams = _trigrams(key)
    scored: list[tuple[Any, ...]] = []
    for pk, text in rows:
        words = text.split()
        matched = sum(1 for w in query_words if _similar_word(w, words))
        phrase = key in text
        if not phrase and matched < MIN_WORD_SHARE * len(query_words):
            continue
        grams = _trigrams(text)
        similarity = len(query_grams & grams) / len(query_grams | grams)
        scored.append((not phrase, -matched, -similarity, text, pk))
    scored.sort()
    return [row[-1] for row in scored[:limit]]


def procedure_detail(national_code: str) -> ProcedureVersion | None:
    return (
        published()
        .filter(procedure__national_code=national_code)
        .select_related("procedure", "sector")
        .prefetch_related(
            "levels", Prefetch("components", queryset=Component.objects.order_by("order", "id"))
        )
        .first()
    )


def version_for_dossier(version_id: int) -> ProcedureVersion:
    return (
        ProcedureVersion.objects.select_related("procedure", "sector")
        .prefetch_related("levels", "components")
        .get(pk=version_id)
    )


def sectors_with_counts() -> QuerySet[Sector]:
    return (
        Sector.objects.annotate(count=Count("versions", filter=Q(versions__status=VersionStatus.PUBLISHED)))
        .filter(count__gt=0)
        .order_by("name")
    )
