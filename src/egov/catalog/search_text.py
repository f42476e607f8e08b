"""How catalogue text and citizens' queries are normalised and understood for search.

Normalised text is lower case, without diacritics, đ → d, y → i (Vietnamese writes “kí/ký”, “lí/lý” both ways),
single spaces; the same function runs on stored text and on queries. A query is then read with the search
vocabulary (``data/search-vocabulary.json``, loaded once per process, plus the province's own terms kept in the
admin): colloquial names are replaced by the
catalogue's wording (“công chứng” → “chứng thực”, “sổ đỏ” → “giấy chứng nhận quyền sử dụng đất”), and the words
of everyday phrasing (“làm”, “cho con”, “thủ tục … như thế nào”) are marked as not required.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from egov.core.text import fold

VOCABULARY_FILE = Path(__file__).with_name("data") / "search-vocabulary.json"
_WORD = re.compile(r"\w+(?:[.,]\d+)*")  # words, and numbers such as national codes (1.001193) or 3.000


def search_key(text: str) -> str:
    return fold(text).replace("y", "i")


def search_words(text: str) -> list[str]:
    """The normalised words of ``text``, punctuation left out (“cha, mẹ, con” → cha me con)."""
    return [search_key(word) for word in _WORD.findall(unicodedata.normalize("NFC", text))]


@dataclass(frozen=True)
class Reading:
    """One way to read a query: its normalised words, which of them everyday phrasing makes optional, and
    the query as shown back to the citizen (the catalogue's wording where a colloquial name was replaced)."""

    words: tuple[str, ...]
    optional: frozenset[int]  # positions in ``words``
    shown: str

    @property
    def required(self) -> list[str]:
        required = [w for n, w in enumerate(self.words) if n not in self.optional]
        return required or list(self.words)  # a query of everyday words only (“con”) is taken as typed

    @property
    def extra(self) -> list[str]:
        return (
            [w for n, w in enumerate(self.words) if n in self.optional]
            if self.required != list(self.words)
            else []
        )


@dataclass(frozen=True)
class Vocabulary:
    stop_phrases: frozenset[tuple[str, ...]]
    synonyms: dict[tuple[str, ...], tuple[tuple[str, ...], str]]  # said → (catalogue words, as written)
    longest: int

    @classmethod
    def from_data(cls, data: dict[str, object]) -> Vocabulary:
        stop = frozenset(tuple(search_words(phrase)) for phrase in data.get("stop_words", []))  # type: ignore[attr-defined]
        synonyms: dict[tuple[str, ...], tuple[tuple[str, ...], str]] = {}
        for entry in data.get("synonyms", []):  # type: ignore[attr-defined]
            means = entry["means"]
            for said in entry["say"]:
                synonyms[tuple(search_words(said))] = (tuple(search_words(means)), means)
        longest = max((len(p) for p in [*stop, *synonyms]), default=1)
        return cls(stop_phrases=stop - {()}, synonyms=synonyms, longest=longest)

    def with_terms(self, terms: Iterable[tuple[str, str]]) -> Vocabulary:
        """This vocabulary with the province's own terms (said, means; ``means`` empty: everyday phrasing),
        each replacing what the platform's file says of the same words."""
        stop, synonyms = set(self.stop_phrases), dict(self.synonyms)
        for said, means in terms:
            words = tuple(search_words(said))
            if not words:
                continue
            stop.discard(words)
            synonyms.pop(words, None)
            if means.strip():
                synonyms[words] = (tuple(search_words(means)), means.strip())
            else:
                stop.add(words)
        longest = max((len(p) for p in [*stop, *synonyms]), default=1)
        return Vocabulary(stop_phrases=frozenset(stop), synonyms=synonyms, longest=longest)

    def readings(self, query: str) -> list[Reading]:
        """The query in the catalogue's wording (when a colloquial name was found), then as typed."""
        typed = [(search_key(w), w) for w in _WORD.findall(unicodedata.normalize("NFC", query))]
        as_typed = self._reading([(key, shown, False) for key, shown in typed])
        rewritten: list[tuple[str, str, bool]] = []
        changed = False
        at = 0
        while at < len(typed):
            for size in range(min(self.longest, len(typed) - at), 0, -1):
                said = tuple(key for key, _ in typed[at : at + size])
                if said in self.synonyms:
                    words, written = self.synonyms[said]
                    changed = changed or words != said
                    rewritten += [(w, written if n == 0 else "", True) for n, w in enumerate(words)]
                    at += size
                    break
            else:
                rewritten.append((typed[at][0], typed[at][1], False))
                at += 1
        return [self._reading(rewritten), as_typed] if changed else [as_typed]

    def _reading(self, words: list[tuple[str, str, bool]]) -> Reading:
        """``words``: (normalised, shown, from the catalogue's wording); catalogue words are never optional."""
        optional: set[int] = set()
        at = 0
        while at < len(words):
            for size in range(min(self.longest, len(words) - at), 0, -1):
                span = words[at : at + size]
                if (
                    not any(fixed for _, _, fixed in span)
                    and tuple(w for w, _, _ in span) in self.stop_phrases
                ):
                    optional.update(range(at, at + size))
                    at += size
                    break
            else:
                at += 1
        shown = " ".join(s for _, s, _ in words if s)
        return Reading(tuple(w for w, _, _ in words), frozenset(optional), shown)


@functools.cache
def vocabulary() -> Vocabulary:
    """The platform's vocabulary, from its data file (read once per process); the catalogue's selectors add
    the province's own terms (``SearchTerm``)."""
    return Vocabulary.from_data(json.loads(VOCABULARY_FILE.read_text(encoding="utf-8")))
