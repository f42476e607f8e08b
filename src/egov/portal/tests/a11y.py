"""An accessibility check for browser tests: axe-core (through axe-playwright-python) on the page as shown,
WCAG 2.1 A and AA rules; a serious or critical violation fails the test with axe's own report."""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe

_axe = Axe()
RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
BLOCKING = ("serious", "critical")


def violations(page: Any) -> list[dict[str, Any]]:
    """The serious and critical violations of the page as it is now."""
    found = _axe.run(page, options={**RULES, "resultTypes": ["violations"]}).response["violations"]
    return [v for v in found if v.get("impact") in BLOCKING]


def assert_accessible(page: Any) -> None:
    found = violations(page)
    report = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(", ".join(n["target"]) for n in v["nodes"][:5])
        for v in found
    )
    assert not found, f"{page.url}: {len(found)} lỗi tiếp cận nghiêm trọng\n{report}"
