"""A dossier's code: ``‹agency code›-YYMMDD-NNNN``, numbered per receiving agency and per local day of filing.

The format and the day it is counted on, in one place: :func:`egov.dossiers.services.next_dossier_code` takes
the next number from the agency's daily counter, the synthetic year (:mod:`egov.demo.synthetic`) numbers its
own days the same way and advances the counters after it."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def code_day(submitted_at: dt.datetime) -> dt.date:
    """The day a dossier's number is counted on: the local date it was filed."""
    return timezone.localdate(submitted_at)


def dossier_code(agency_code: str, day: dt.date, number: int) -> str:
    """Past 9,999 dossiers in one day the number simply grows to five digits (``…-9999``, ``…-10000``)."""
    return f"{agency_code}-{day:%y%m%d}-{number:04d}"
