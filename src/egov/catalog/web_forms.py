"""Turning a form definition into HTML inputs and posted inputs back into raw values for the validator.

Naming of inputs: ``key`` for simple fields, ``key`` (repeated) for multiple choice, ``key__unit`` and
``key__line`` for an address, ``key__<row>__<member>`` for a repeating group with ``key__rows`` rows.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.http import QueryDict

from egov.catalog import formdef, lists
from egov.units.forms import picker_context

GROUP_SEPARATOR = "__"


def raw_from_post(specs: list[dict[str, Any]], post: QueryDict) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    for spec in specs:
        key = spec["key"]
        if spec["type"] == "group":
            rows = _row_count(post, key)
            raw[key] = [
                _item_from_post(spec, post, f"{key}{GROUP_SEPARATOR}{i}{GROUP_SEPARATOR}")
                for i in range(rows)
            ]
        else:
            raw[key] = _value_from_post(spec, post, key)
    return raw


def _row_count(post: QueryDict, key: str) -> int:
    try:
        return max(0, min(int(post.get(f"{key}{GROUP_SEPARATOR}rows", "0")), 50))
    except ValueError:
        return 0


def _item_from_post(spec: dict[str, Any], post: QueryDict, prefix: str) -> dict[str, Any]:
    return {
        member["key"]: _value_from_post(member, post, prefix + member["key"]) for member in spec["fields"]
    }


def _value_from_post(spec: dict[str, Any], post: QueryDict, name: str) -> Any:
    if spec["type"] == "multichoice":
        return post.getlist(name)
    if spec["type"] == "address":
        return {
            "province": post.get(f"{name}{GROUP_SEPARATOR}province", ""),
            "unit": post.get(f"{name}{GROUP_SEPARATOR}unit", ""),
            "line": post.get(f"{name}{GROUP_SEPARATOR}line", ""),
        }
    return post.get(name, "")


def _input_value(spec: dict[str, Any], value: Any) -> Any:
    """A stored value as an input shows it (dates as dd/mm/yyyy, yes/no as "yes"/"no")."""
    if value is None:
        return [] if spec["type"] == "multichoice" else ""
    if spec["type"] == "date" and isinstance(value, str) and len(value) == 10 and value[4] == "-":
        try:
            return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    if spec["type"] == "yes_no" and isinstance(value, bool):
        return "yes" if value else "no"
    return value


def _address_picker(name: str, id: str, value: Any, errors: list[str]) -> dict[str, Any]:
    """The shared address picker (egov.units.forms) for an address field: province, commune, street line."""
    value = value if isinstance(value, dict) else {}
    return picker_context(
        name=name,
        id=id,
        unit=str(value.get("unit") or ""),
        line=str(value.get("line") or ""),
        province=str(value.get("province") or ""),
        errors=errors,
    )


def bound_fields(
    specs: list[dict[str, Any]],
    values: dict[str, Any],
    errors: dict[str, list[str]],
    *,
    extra_rows: dict[str, int],
    rules: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """What the template needs to draw each field: name, label, value, options, errors, rows of a group;
    ``rules``, the form's cross-field rules, put their message beside the field they constrain."""
    rule_notes: dict[str, list[str]] = {}
    for cross in rules or []:
        rule_notes.setdefault(cross["then"]["field"], []).append(str(cross["message"]))
    labels = {s["key"]: s["label"] for s in specs}
    out = []
    for spec in specs:
        key = spec["key"]
        item: dict[str, Any] = {
            "spec": spec, "name": key, "id": f"f-{key}", "label": spec["label"], "type": spec["type"],
            "required": spec.get("required", False), "help": spec.get("help", ""), "errors": errors.get(key, []),
            "options": lists.options(spec), "rule_notes": rule_notes.get(key, []),
        }  # fmt: skip
        rule = spec.get("show_if")
        if rule:
            item["show_if"] = json.dumps(rule, ensure_ascii=False)
            expected = rule.get("equals", rule.get("in"))
            item["show_if_text"] = (
                f"Chỉ điền khi “{labels.get(rule['field'], rule['field'])}” là {_describe(expected)}."
            )
        if spec["type"] == "group":
            rows = values.get(key) or []
            if not isinstance(rows, list):
                rows = []
            total = max(
                len(rows) + extra_rows.get(key, 0),
                int(spec.get("min_items", 1 if spec.get("required") else 0)),
                1,
            )
            maximum = int(spec.get("max_items", 20))
            total = min(total, max(maximum, len(rows)))
            item["can_add"] = total < maximum
            item["rows_total"] = total
            item["item_label"] = spec.get("item_label", "Mục")
            item["rows"] = []
            for index in range(total):
                row_values = rows[index] if index < len(rows) and isinstance(rows[index], dict) else {}
                members = []
                for member in spec["fields"]:
                    path = f"{key}.{index}.{member['key']}"
                    name = f"{key}{GROUP_SEPARATOR}{index}{GROUP_SEPARATOR}{member['key']}"
                    members.append({
                        "spec": member, "name": name, "id": f"f-{name}", "label": member["label"],
                        "type": member["type"], "required": member.get("required", False),
                        "help": member.get("help", ""), "errors": errors.get(path, []),
                        "options": lists.options(member),
                        "value": _input_value(member, row_values.get(member["key"])),
                    })  # fmt: skip
                    if member["type"] == "address":
                        members[-1]["picker"] = _address_picker(
                            name, f"f-{name}", row_values.get(member["key"]), errors.get(path, [])
                        )
                item["rows"].append({"index": index, "number": index + 1, "fields": members})
        else:
            item["value"] = _input_value(spec, values.get(key))
            if spec["type"] == "address":
                item["picker"] = _address_picker(key, item["id"], values.get(key), item["errors"])
        out.append(item)
    return out


def _describe(expected: Any) -> str:
    if expected is True:
        return "“Có”"
    if expected is False:
        return "“Không”"
    if isinstance(expected, list):
        return " hoặc ".join(f"“{e}”" for e in expected)
    return f"“{expected}”"


def display_value(spec: dict[str, Any], value: Any) -> str:
    """How a cleaned value reads on the review page and to officers."""
    if value is None or value == "" or value == []:
        return "—"
    kind = spec["type"]
    options = {str(o[0]): o[1] for o in lists.options(spec)} if kind in {"choice", "multichoice"} else {}
    if kind == "choice":
        return str(options.get(str(value), value))
    if kind == "multichoice":
        return ", ".join(str(options.get(str(v), v)) for v in value)
    if kind == "yes_no":
        return "Có" if value else "Không"
    if kind == "date":
        try:
            return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
        except (TypeError, ValueError):
            return str(value)
    if kind == "money":
        return f"{int(value):,}".replace(",", ".") + " đồng"
    if kind == "address":
        return str(value.get("full", "")) if isinstance(value, dict) else str(value)
    return str(value)


def review_rows(definition: dict[str, Any], values: dict[str, Any]) -> list[dict[str, Any]]:
    """Steps → answered fields (visible ones only), groups expanded, for the review page and the detail page."""
    out = []
    for step in formdef.steps(definition):
        rows = []
        for spec in step.get("fields", []):
            if not formdef.is_visible(spec, values) or spec["key"] not in values:
                continue
            if spec["type"] == "group":
                items = [
                    [
                        (m["label"], display_value(m, item.get(m["key"])))
                        for m in spec["fields"]
                        if m["key"] in item
                    ]
                    for item in values[spec["key"]]
                ]
                rows.append(
                    {"label": spec["label"], "entries": items, "item_label": spec.get("item_label", "Mục")}
                )
            else:
                rows.append({"label": spec["label"], "value": display_value(spec, values[spec["key"]])})
        out.append({"title": step["title"], "rows": rows})
    return out
