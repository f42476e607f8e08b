"""How catalogue text is normalised for search: lower case, no diacritics, đ → d, and y → i (Vietnamese
writes “kí/ký”, “lí/lý” both ways), single spaces. The same function runs on stored text and on queries."""

from __future__ import annotations

from egov.core.text import fold


def search_key(text: str) -> str:
    return fold(text).replace("y", "i")
