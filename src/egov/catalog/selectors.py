"""Reads of the catalogue: browsing and diacritics-insensitive, typo-tolerant search.

Stored text and queries are normalised by :func:`egov.catalog.search_text.search_key` (no diacritics, đ → d,
y → i). Ranking uses an in-process inverted index (:class:`SearchIndex`), the same on SQLite and PostgreSQL:
whole-phrase matches first, then how many query words match (allowing a typo per word), then trigram
similarity. PostgreSQL keeps a ``pg_trgm`` index on the normalised column for substring search.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.utils.translation import get_language

from egov.agencies.models import Agency
from egov.agencies.selectors import current_successor
from egov.catalog import formdef
from egov.catalog.models import (
    Component,
    OnlineLevel,
    ProcedureQuestion,
    ProcedureVersion,
    SearchTerm,
    Sector,
    VersionStatus,
)
from egov.catalog.search_text import Reading, Vocabulary, search_words, vocabulary
from egov.units.selectors import ended_levels, home_province

MIN_WORD_SHARE = 2 / 3  # a result has two thirds of the weight of the required words the catalogue knows …
MIN_TYPED_SHARE = 1 / 2  # … and half of all the required words, unless it has the whole phrase
TYPO_WEIGHT = 0.8  # a word found only as a likely typo of a catalogue word counts this much


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
    """Published procedures matching ``query``, best first. A handful of queries whatever the catalogue size."""
    readings = _readings(query)
    if not readings:
        return list(browse(filters)[:limit])
    return _versions(_ranked(readings, filters, limit=limit))


def search_page(
    query: str, filters: Filters, *, offset: int, limit: int
) -> tuple[list[ProcedureVersion], int]:
    """One page of the published procedures matching ``query`` (best first) or, without a query, of the
    catalogue in its order; and how many there are in all. Searching, the count is the index's (no query)."""
    readings = _readings(query)
    if not readings:
        queryset = browse(filters)
        total = queryset.count()
        return (list(queryset[offset : offset + limit]) if offset < total else []), total
    ranked = _ranked(readings, filters, limit=None)
    page = ranked[offset : offset + limit]
    return (_versions(page) if page else []), len(ranked)


def understood_as(query: str) -> str | None:
    """The query in the catalogue's wording when the search replaced a colloquial name in it (“công chứng
    bản sao” → “chứng thực bản sao”), to show as “Kết quả cho …”; None when it searched the words as typed."""
    readings = _readings(query)
    return readings[0].shown if len(readings) > 1 else None


def _readings(query: str) -> list[Reading]:
    if not search_words(query[:200]):
        return []
    readings = _vocabulary().readings(query[:200])
    return readings if readings[-1].words else []


def _ranked(readings: list[Reading], filters: Filters, *, limit: int | None) -> list[int]:
    allowed = None
    if filters != Filters():
        allowed = set(filters.apply(published()).order_by().values_list("pk", flat=True))
    return _current_index().rank(readings, allowed=allowed, limit=limit)


def _versions(ranked_ids: list[int]) -> list[ProcedureVersion]:
    by_id = {v.pk: v for v in _list_queryset(ranked_ids)}
    return [by_id[pk] for pk in ranked_ids if pk in by_id]


class SearchIndex:
    """An in-memory inverted index of the published catalogue: normalised word → versions, plus each
    version's words and trigrams. Built once per process and rebuilt when the catalogue changes (any publish
    changes the count or the highest id of published versions, checked with one query at most every two
    seconds).

    Ranking, for each reading of the query (the catalogue's wording first, then as typed; the better one
    counts): the whole phrase first; then the share of the query's required words the procedure has (a typo
    of a word counts a little less; the words of everyday phrasing are not required but count when present);
    then the reading; then trigram similarity, which prefers the procedure whose name says the least besides.

    Why not rank in SQL on PostgreSQL: ranking 2,000 procedures with ``pg_trgm`` ``word_similarity`` per query
    word measured p95 283 ms on two cores (a sequential scan: the trigram index cannot serve a per-word
    similarity); this index answers in milliseconds on both databases (bench/bench_search.py).
    """

    def __init__(self, rows: Iterable[tuple[int, str]]) -> None:
        self.texts: dict[int, str] = {}
        self.grams: dict[int, set[str]] = {}
        self.words: dict[str, set[int]] = {}
        for pk, text in rows:
            words = search_words(text)
            self.texts[pk] = f" {' '.join(words)} "
            self.grams[pk] = _trigrams(" ".join(words))
            for word in set(words):
                self.words.setdefault(word, set()).add(pk)
        self._similar: dict[str, list[str]] = {}

    def similar_words(self, word: str) -> list[str]:
        """Words of the catalogue that ``word`` may stand for: itself, or a likely typo of them (cached)."""
        if word not in self._similar:
            self._similar[word] = [
                w for w in self.words if abs(len(w) - len(word)) <= 1 and _similar_word(word, [w])
            ]
        return self._similar[word]

    def rank(self, readings: list[Reading], *, allowed: set[int] | None, limit: int | None) -> list[int]:
        best: dict[int, tuple[Any, ...]] = {}
        for order, reading in enumerate(readings):
            for pk, key in self._scored(reading, order, allowed):
                if pk not in best or key < best[pk]:
                    best[pk] = key
        return sorted(best, key=best.__getitem__)[:limit]

    def _scored(
        self, reading: Reading, order: int, allowed: set[int] | None
    ) -> Iterable[tuple[int, tuple[Any, ...]]]:
        required, extra = reading.required, reading.extra
        matched: dict[int, float] = {}  # procedure → weight of the required words it has
        found: dict[int, int] = {}  # procedure → how many of them
        known = total = 0.0
        for word in dict.fromkeys(required):
            candidates = self.similar_words(word)
            exact = self.words.get(word, set())
            typos: set[int] = set().union(*(self.words[c] for c in candidates if c != word))
            # A rare word says more than a common one (“sinh” more than “đăng ký”); a word the catalogue
            # does not have weighs as much as its rarest.
            weight = required.count(word) * math.log(1 + len(self.texts) / max(1, len(exact | typos)))
            total += weight
            known += weight if candidates else 0.0
            for pk in exact | typos:
                matched[pk] = matched.get(pk, 0.0) + (weight if pk in exact else weight * TYPO_WEIGHT)
                found[pk] = found.get(pk, 0) + required.count(word)
        needed = MIN_WORD_SHARE * known
        phrase = f" {' '.join(required)} "
        typed = f" {' '.join(reading.words)} "
        query_grams = _trigrams(" ".join(reading.words))
        for pk, count in matched.items():
            if allowed is not None and pk not in allowed:
                continue
            text = self.texts[pk]
            whole = phrase in text or typed in text
            if not whole and (count < needed or found[pk] < MIN_TYPED_SHARE * len(required)):
                continue
            extras = sum(1 for word in extra if f" {word} " in text)
            grams = self.grams[pk]
            similarity = len(query_grams & grams) / len(query_grams | grams)
            share = round(count / total, 3)
            yield pk, (not whole, -share, order, -extras, -similarity, text)


_INDEX: dict[str, Any] = {"generation": None, "index": None}


GENERATION_SECONDS = 2.0


def _catalogue_generation() -> tuple[Any, ...]:
    """What identifies the published catalogue: its size and newest id. Read at most every two seconds per
    process, so a newly published procedure appears within two seconds everywhere."""
    now = time.monotonic()
    where = (connection.alias, connection.settings_dict.get("NAME"))
    if _GENERATION.get("where") != where or now - _GENERATION.get("at", -1e9) > GENERATION_SECONDS:
        state = published().aggregate(count=Count("pk"), last=Max("pk"))
        _GENERATION.update(where=where, at=now, value=(*where, state["count"], state["last"]))
    return _GENERATION["value"]


_GENERATION: dict[str, Any] = {}


def _current_index() -> SearchIndex:
    generation = _catalogue_generation()
    if _INDEX["generation"] != generation:
        _INDEX["index"] = SearchIndex(published().order_by().values_list("pk", "search_text"))
        _INDEX["generation"] = generation
    return _INDEX["index"]


def _vocabulary() -> Vocabulary:
    """The platform's search vocabulary with the province's own terms. Their state (count, last change) is
    read at most every two seconds per process, the terms themselves only when it changed."""
    now = time.monotonic()
    where = (connection.alias, connection.settings_dict.get("NAME"))
    if _TERMS.get("where") != where or now - _TERMS.get("at", -1e9) > GENERATION_SECONDS:
        state = SearchTerm.objects.aggregate(count=Count("pk"), last=Max("updated_at"))
        if _TERMS.get("where") != where or _TERMS.get("state") != state:
            terms = SearchTerm.objects.order_by("pk").values_list("said", "means")
            _TERMS["vocabulary"] = vocabulary().with_terms(terms) if state["count"] else vocabulary()
        _TERMS.update(where=where, at=now, state=state)
    return _TERMS["vocabulary"]


_TERMS: dict[str, Any] = {}


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


def procedure_detail(national_code: str) -> ProcedureVersion | None:
    """The published version of a procedure with its levels and components. Kept in memory per process until
    the published catalogue changes (checked with one query): the submission path reads it on every request."""
    generation = _catalogue_generation()
    key = (generation, national_code)
    if key not in _DETAILS:
        if len(_DETAILS) > 5000 or any(k[0] != generation for k in list(_DETAILS)[:1]):
            _DETAILS.clear()
        _DETAILS[key] = (
            published()
            .filter(procedure__national_code=national_code)
            .select_related("procedure", "sector", "deciding_level", "deciding_organ")
            .prefetch_related(
                "levels", Prefetch("components", queryset=Component.objects.order_by("order", "id"))
            )
            .first()
        )
    return _DETAILS[key]


_DETAILS: dict[tuple[Any, str], ProcedureVersion | None] = {}


def forget_cached_catalogue() -> None:
    _GENERATION.clear()
    _TERMS.clear()
    _DETAILS.clear()
    _INDEX.update(generation=None, index=None)


def sectors_with_counts() -> QuerySet[Sector]:
    return (
        Sector.objects.annotate(count=Count("versions", filter=Q(versions__status=VersionStatus.PUBLISHED)))
        .filter(count__gt=0)
        .order_by("name")
    )


def filing_closed_reason(version: ProcedureVersion) -> str | None:
    """Why no dossier of this version can be filed any more, or None. A procedure carried out only at levels
    that a reorganisation ended (the district level in 2025), or decided at such a level wherever it is
    received, has nowhere to go until the catalogue publishes it at another level (a reorganisation plan's
    ``procedures`` section does that)."""
    ended = ended_levels()
    levels = list(version.levels.all())
    if not levels or not ended:
        return None
    live = [level for level in levels if level.code not in ended]
    deciding = {version.deciding_level_code(level.code) for level in live}
    if live and deciding - set(ended):
        return None
    if live:
        code = sorted(deciding)[0]
        name, last_day = ended[code][0].lower(), ended[code][1]
        return (
            f"Thủ tục này do {name} giải quyết; {name} đã kết thúc từ ngày "
            f"{last_day + dt.timedelta(days=1):%d/%m/%Y} theo sắp xếp đơn vị hành chính và thủ tục chưa được "
            "công bố lại cho cơ quan có thẩm quyền mới, nên tạm thời chưa nhận hồ sơ. Vui lòng liên hệ Trung tâm "
            "Phục vụ hành chính công tỉnh hoặc Ủy ban nhân dân xã, phường để được hướng dẫn."
        )
    names = " và ".join(level.name.lower() for level in levels)
    last_day = max(ended[level.code][1] for level in levels)
    return (
        f"Thủ tục này được thực hiện ở {names}; {names} đã kết thúc từ ngày "
        f"{last_day + dt.timedelta(days=1):%d/%m/%Y} theo sắp xếp đơn vị hành chính và thủ tục chưa được công bố "
        "lại cho cơ quan có thẩm quyền mới, nên tạm thời chưa nhận hồ sơ. Vui lòng liên hệ Trung tâm Phục vụ "
        "hành chính công tỉnh hoặc Ủy ban nhân dân xã, phường để được hướng dẫn."
    )


def deciding_authority(version: ProcedureVersion) -> str:
    """Who decides the procedure, in words, from its structured fields (the page and the API): “Phòng Tư pháp
    thuộc Ủy ban nhân dân cấp huyện”, “Sở Y tế tỉnh Bình Phước”. A named agency a reorganisation ended is
    shown as the agency that took its work over."""
    office, level = version.deciding_office, version.deciding_level
    if version.deciding_organ is not None:
        organ = version.deciding_organ
        agency = (current_successor(organ) if organ.valid_to is not None else organ).name
    elif level is None:
        agency = "Ủy ban nhân dân cấp tiếp nhận hồ sơ"
        return f"{agency} ({office} nơi có phòng này)" if office else agency
    else:
        agency = f"Ủy ban nhân dân {level.name.lower()}"
    return f"{office} thuộc {agency}" if office else agency


def visible_components(version: ProcedureVersion, values: dict[str, Any]) -> list[Any]:
    """The papers (components) a dossier of ``version`` needs, given the applicant's answers (``show_if``)."""
    return [c for c in version.components.all() if formdef.is_visible({"show_if": c.show_if}, values)]


def desks_for(version: ProcedureVersion) -> QuerySet[Agency]:
    """One-stop desks of this province at the levels where the procedure is carried out."""
    home = home_province()
    levels = [level.code for level in version.levels.all()]
    queryset = Agency.objects.current().filter(has_one_stop_desk=True, unit__kind__level__code__in=levels)
    if home is not None:
        queryset = queryset.filter(unit__path__startswith=home.path)
    return queryset.select_related("unit").order_by("unit__path", "name")


def procedure_questions(procedure_id: int) -> list[dict[str, Any]]:
    """The procedure's frequently asked questions in the visitor's language (English when chosen and written),
    each answer in paragraphs. One query, not cached: an edit in the admin shows at once."""
    english = get_language() == "en"
    found = []
    for item in ProcedureQuestion.objects.filter(procedure_id=procedure_id).order_by("position", "id"):
        use_en = english and bool(item.question_en and item.answer_en)
        answer = item.answer_en if use_en else item.answer
        found.append(
            {
                "id": f"hoi-dap-{item.pk}",
                "question": item.question_en if use_en else item.question,
                "paragraphs": [
                    " ".join(p.split()) for p in answer.replace("\r\n", "\n").split("\n\n") if p.strip()
                ],
            }
        )
    return found
