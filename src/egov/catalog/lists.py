"""Reference lists a form field may take its choices from (``"options_from"`` in a form definition).

- ``ethnicities``: the 54 ethnic groups of Viet Nam, as the General Statistics Office lists them
  (``data/ethnicities.json``);
- ``countries``: countries and territories in Vietnamese, from pycountry (ISO 3166-1 with its Vietnamese
  translation), Việt Nam first and the rest in Vietnamese alphabetical order; where civil-status papers name a
  neighbour or a frequent partner otherwise (“Hàn Quốc”, not “Cộng hoà Nam Hàn”), ``data/country-names.json``
  gives that name.

A choice from a list stores the Vietnamese name itself (what the result document prints), so a value reads
the same on every page and in every export.
"""

from __future__ import annotations

import gettext
import json
from functools import cache
from pathlib import Path
from typing import Any

import pycountry

from egov.core.text import fold

DATA = Path(__file__).resolve().parent / "data"
VIET_NAM = "Việt Nam"


@cache
def ethnicities() -> tuple[tuple[str, str], ...]:
    """(name, name) of the 54 groups, in the official order (Kinh first)."""
    data = json.loads((DATA / "ethnicities.json").read_text(encoding="utf-8"))
    return tuple((entry["name"], entry["name"]) for entry in data["ethnicities"])


def _vietnamese_sort_key(name: str) -> tuple[str, str]:
    # Folding puts “Đ” with “D” and accented letters with their base letter, which is how people look
    # a name up in a list; the name itself breaks ties.
    return (fold(name), name)


@cache
def countries() -> tuple[tuple[str, str], ...]:
    """(name, name) of every ISO 3166-1 country in Vietnamese, Việt Nam first."""
    translation = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["vi"], fallback=True)
    usage = json.loads((DATA / "country-names.json").read_text(encoding="utf-8"))["names"]
    names = {
        usage.get(country.alpha_2) or translation.gettext(country.name) for country in pycountry.countries
    }
    names.discard(VIET_NAM)
    rest = sorted(names, key=_vietnamese_sort_key)
    return ((VIET_NAM, VIET_NAM), *((name, name) for name in rest))


LISTS = {"ethnicities": ethnicities, "countries": countries}
LIST_LABELS = {"ethnicities": "Dân tộc (54 dân tộc)", "countries": "Quốc gia, quốc tịch"}


def options(spec: dict[str, Any]) -> list[tuple[str, str]] | list[list[str]]:
    """The choices of a choice field: its own ``options`` or those of the list it names."""
    source = spec.get("options_from")
    if source:
        return list(LISTS[source]())
    return list(spec.get("options") or [])


def expanded(definition: dict[str, Any]) -> dict[str, Any]:
    """A copy of a form definition with each list field's ``options`` written out (for API clients, which
    draw the form themselves)."""

    def field(spec: dict[str, Any]) -> dict[str, Any]:
        out = dict(spec)
        if spec.get("options_from"):
            out["options"] = [list(option) for option in options(spec)]
        if spec.get("fields"):
            out["fields"] = [field(member) for member in spec["fields"]]
        return out

    steps = [
        {**step, "fields": [field(f) for f in step.get("fields", [])]} for step in definition.get("steps", [])
    ]
    return {**definition, "steps": steps}
