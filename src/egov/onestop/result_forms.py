"""Result documents that reproduce an official form (Giấy khai sinh, Trích lục khai tử, Giấy chứng nhận kết
hôn, …): each form is a folder ``templates/onestop/result_forms/<form>/`` with its layout (``form.html``) and
its fields as data (``fields.json``), so a ministry's new form is an edit of that folder only.

``fields.json`` names the procedure it serves, the form's title and legal basis, how the register entry is
written, who signs, and its ``lines`` in the order of the paper form. A line is ``{"heading": …}``,
``{"text": "… {source} …"}`` or ``{"fields": [FIELD, …]}`` (fields printed on one line); a FIELD is
``{"label", "value": SOURCE, "format"?}``. A SOURCE is a key of the online form (``tre_ho_ten``), a member of a
repeating group's row picked by one of its fields (``hai_ben[hb_ben=ben_nam].hb_ho_ten``), or a value of the
issuing itself: ``@number`` (Số — the register number the officer enters when issuing), ``@book`` (Quyển số —
one book per register, agency and year: ``register.book`` with ``{year}``), ``@place`` (the registering
agency), ``@date`` (the date of registration), ``@signer``, ``@declarant``, or one of the form's
``issue_fields`` the officer fills when issuing (``@personal_id``: the number the population database gives a
newborn). Formats: ``date`` (dd/mm/yyyy),
``date_words`` (“Ngày mười hai tháng năm năm …”), ``year``, ``money_words``, ``upper``; by default a value
reads as on the review page (a choice's label, an address in full).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError

from egov.catalog import formdef
from egov.catalog.web_forms import display_value
from egov.core.errors import DomainError
from egov.core.words import date_in_words, number_in_words

FORMS_DIR = Path(__file__).resolve().parent / "templates" / "onestop" / "result_forms"
GROUP_SOURCE = re.compile(
    r"^(?P<group>[a-z][a-z0-9_]*)\[(?P<by>[a-z][a-z0-9_]*)=(?P<value>[^\]]+)\]\.(?P<member>[a-z][a-z0-9_]*)$"
)
PLACEHOLDER = re.compile(r"\{(?P<source>[^{}|]+)(?:\|(?P<format>[a-z_]+))?\}")
BLANK = "…………………"


@dataclass(frozen=True)
class ResultForm:
    slug: str
    spec: dict[str, Any]

    @property
    def template_name(self) -> str:
        return f"onestop/result_forms/{self.slug}/form.html"

    @property
    def procedure(self) -> str:
        return str(self.spec["procedure"])


@cache
def all_forms() -> dict[str, ResultForm]:
    """Every result form, by the national code of the procedure it serves."""
    forms: dict[str, ResultForm] = {}
    for path in sorted(FORMS_DIR.glob("*/fields.json")):
        spec = json.loads(path.read_text(encoding="utf-8"))
        form = ResultForm(slug=path.parent.name, spec=spec)
        forms[form.procedure] = form
    return forms


def form_for(national_code: str) -> ResultForm | None:
    return all_forms().get(national_code)


def sources(form: ResultForm) -> list[str]:
    """Every source the form reads, in order (for the check that the online form collects them all)."""
    found: list[str] = []
    for line in [*form.spec["lines"], *form.spec.get("others", [])]:
        if "who" in line:
            found.append(line["value"])
        for field in line.get("fields", []):
            found.append(field["value"])
        for match in PLACEHOLDER.finditer(line.get("text", "")):
            found.append(match["source"].strip())
    return found


def _field_spec(definition: dict[str, Any], key: str) -> dict[str, Any] | None:
    for spec in formdef.top_fields(definition):
        if spec["key"] == key:
            return spec
    return None


def _formatted(spec: dict[str, Any] | None, value: Any, fmt: str) -> str:
    if value is None or value == "" or value == []:
        return ""
    if fmt in {"date", "date_words", "year"}:
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        if fmt == "date":
            return f"{day:%d/%m/%Y}"
        return date_in_words(day) if fmt == "date_words" else str(day.year)
    if fmt == "money_words":
        words = number_in_words(int(value))
        return f"{words[0].upper()}{words[1:]} đồng"
    text = display_value(spec, value) if spec is not None else str(value)
    return text.upper() if fmt == "upper" else text


def resolve(
    form: ResultForm, *, definition: dict[str, Any], values: dict[str, Any], issue: dict[str, Any]
) -> list[dict[str, Any]]:
    """The form's lines with every value written as it is printed (empty where nothing was declared)."""

    def value_of(source: str, fmt: str) -> str:
        source = source.strip()
        if source.startswith("@"):
            return _formatted(None, issue.get(source[1:]), fmt)
        match = GROUP_SOURCE.match(source)
        if match:
            group = _field_spec(definition, match["group"]) or {"fields": []}
            member = next((m for m in group["fields"] if m["key"] == match["member"]), None)
            rows = values.get(match["group"]) or []
            row: dict[str, Any] = next((r for r in rows if str(r.get(match["by"])) == match["value"]), {})
            return _formatted(member, row.get(match["member"]), fmt)
        return _formatted(_field_spec(definition, source), values.get(source), fmt)

    lines: list[dict[str, Any]] = []
    for other in form.spec.get("others", []):  # others who sign the paper form (the spouses)
        lines.append({"other": other["who"], "value": value_of(other["value"], "")})
    for line in form.spec["lines"]:
        if "heading" in line:
            lines.append({"heading": line["heading"]})
        elif "text" in line:
            text = PLACEHOLDER.sub(lambda m: value_of(m["source"], m["format"] or "") or BLANK, line["text"])
            lines.append({"text": text, "strong": bool(line.get("strong"))})
        else:
            lines.append(
                {
                    "fields": [
                        {
                            "label": field["label"],
                            "value": value_of(field["value"], field.get("format", "")),
                            "strong": bool(field.get("strong")),
                            "wide": bool(field.get("wide")),
                        }
                        for field in line["fields"]
                    ]
                }
            )
    return lines


ISSUE_INPUT_PREFIX = "ket_qua__"
"""Name of an issue field's input on the issuing form (``ket_qua__personal_id``)."""


def issue_fields(national_code: str) -> list[dict[str, Any]]:
    """What the officer fills in when issuing the result of this procedure (beyond number and title)."""
    form = form_for(national_code)
    return list(form.spec.get("issue_fields", [])) if form is not None else []


def clean_issue_values(national_code: str, given: dict[str, str]) -> dict[str, Any]:
    """The issue fields' values checked like the online form's (a Vietnamese DomainError when one is wrong)."""
    cleaned: dict[str, Any] = {}
    problems: list[str] = []
    for spec in issue_fields(national_code):
        try:
            value = formdef.clean_one(spec, given.get(spec["key"], ""))
        except ValidationError as exc:
            problems.extend(exc.messages)
            continue
        if value is not None:
            cleaned[spec["key"]] = value
    if problems:
        raise DomainError(problems)
    return cleaned


def book_of(form: ResultForm, issued_on: dt.date) -> str:
    """Quyển số: one register book per form, agency and year (``register.book`` in fields.json)."""
    register = form.spec.get("register") or {}
    return str(register.get("book", "01/{year}")).format(year=issued_on.year)
