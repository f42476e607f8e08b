"""What other apps do when a reorganisation is applied, inside the same transaction.

Agencies sit below the apps that hold records pointing at them (the catalogue, dossiers). Those apps register
a hook here in their ``AppConfig.ready``; :func:`egov.agencies.services.apply_reorganisation` calls every hook
after units and agencies have been reorganised and before it commits, so a hook that raises
:class:`~egov.core.errors.DomainError` refuses the whole plan and nothing is saved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from egov.agencies.models import Agency
from egov.units.models import Reorganisation


@dataclass(frozen=True)
class Reorganised:
    """What a hook is told: the reorganisation, each ended agency's primary successor (by the ended agency's
    id), the sections of the plan that units and agencies do not read (e.g. ``procedures``), and who applies
    it (None: the system)."""

    reorganisation: Reorganisation
    successor_of: dict[int, Agency]
    sections: dict[str, Any] = field(default_factory=dict)
    actor: Any = None


Hook = Callable[[Reorganised], list[str]]
_hooks: list[Hook] = []


def on_reorganised(hook: Hook) -> None:
    """Register ``hook(event) -> notes``; the notes are shown to whoever applies the plan."""
    if hook not in _hooks:
        _hooks.append(hook)


def run_hooks(event: Reorganised) -> list[str]:
    notes: list[str] = []
    for hook in _hooks:
        notes += hook(event)
    return notes
