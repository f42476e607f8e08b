"""The officer's start page (bàn làm việc) is this app's, but what waits for an officer is known to the apps
above it (the one-stop back office, later documents and meetings). Each registers a panel here in its
``AppConfig.ready``; the page shows the panels in the order they were registered, above the officer's roles."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.utils.safestring import SafeString

Panel = Callable[[HttpRequest], SafeString]
_panels: list[Panel] = []


def add_panel(panel: Panel) -> Panel:
    """Show ``panel(request)`` — HTML rendered from the app's own template — on every officer's start page."""
    if panel not in _panels:
        _panels.append(panel)
    return panel


def panels(request: HttpRequest) -> list[SafeString]:
    return [panel(request) for panel in _panels]
