"""Absolute links to the site, from the one configured address (``EGOV_SITE_URL``).

A request's own host is not used: behind a reverse proxy it is the proxy's view (an internal address and
port), and e-mails, PDFs and QR codes are read long after the request, far from it."""

from __future__ import annotations

from django.conf import settings


def site_url(path: str = "/") -> str:
    """``path`` (as from ``reverse()``) on the site's public address, e.g. ``https://dichvucong.example.vn/…``."""
    return settings.EGOV_SITE_URL + (path if path.startswith("/") else f"/{path}")
