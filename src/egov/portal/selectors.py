"""Reads for the portal's own pages: help, contact, the citizen's data page."""

from __future__ import annotations

from typing import Any

from django.db.models import prefetch_related_objects
from django.utils.translation import get_language

from egov.accounts.models import Consent, User
from egov.agencies.models import Agency
from egov.agencies.opening_hours import describe, periods_of
from egov.agencies.selectors import desks_by_area
from egov.portal.models import HelpQuestion, HelpTopic
from egov.units.selectors import home_province


def in_language(question: Any) -> tuple[str, str]:
    """A question and its answer in the visitor's language: English when chosen and written, else Vietnamese."""
    if get_language() == "en" and question.question_en and question.answer_en:
        return question.question_en, question.answer_en
    return question.question, question.answer


def help_topics() -> list[dict[str, Any]]:
    """The general help, topic by topic in the order of ``HelpTopic``; topics without a question are left out.
    One query."""
    by_topic: dict[str, list[dict[str, Any]]] = {}
    for item in HelpQuestion.objects.filter(is_published=True).order_by("position", "id"):
        question, answer = in_language(item)
        by_topic.setdefault(item.topic, []).append(
            {"id": f"cau-hoi-{item.pk}", "question": question, "paragraphs": paragraphs(answer)}
        )
    return [
        {"code": topic.value, "label": topic.label, "questions": by_topic[topic.value]}
        for topic in HelpTopic
        if topic.value in by_topic
    ]


def paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]


def desks_with_hours() -> list[tuple[str, list[Agency]]]:
    """The one-stop desks by area (as on the home page), each with ``hours``: its opening hours as lines.
    Two queries."""
    unit = home_province()
    groups = desks_by_area(unit) if unit else []
    desks = [desk for _area, members in groups for desk in members]
    prefetch_related_objects(desks, "opening_hours")
    for desk in desks:
        desk.hours = describe(periods_of(desk.opening_hours.all()))  # type: ignore[attr-defined]
    return groups


def consents_of(user: User) -> list[Consent]:
    return list(Consent.objects.filter(user=user).order_by("-given_at", "-id"))
