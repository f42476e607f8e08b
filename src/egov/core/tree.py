"""Materialised-path maintenance for tree-shaped reference data (units, agencies)."""

from __future__ import annotations

from django.db.models import Model, Value
from django.db.models.functions import Concat, Substr

from egov.core.errors import DomainError


def ensure_no_cycle(*, node: Model, new_parent: Model | None, label: str) -> None:
    """Refuse to put a node under itself or under one of its descendants."""
    if new_parent is None or node.pk is None:
        return
    if new_parent.pk == node.pk or f"/{node.pk}/" in new_parent.path:  # type: ignore[attr-defined]
        raise DomainError(f"Không thể đặt {label} “{node}” trực thuộc chính nó hoặc một cấp dưới của nó.")


def place_under(*, node: Model, parent: Model | None) -> None:
    """Set ``node.parent`` and its path; rewrite the paths of its whole subtree in one UPDATE."""
    ensure_no_cycle(node=node, new_parent=parent, label=str(node._meta.verbose_name))
    model = type(node)
    old_path = node.path  # type: ignore[attr-defined]
    node.parent = parent  # type: ignore[attr-defined]
    if node.pk is None:
        node.save()
    new_path = f"{parent.path if parent else '/'}{node.pk}/"  # type: ignore[attr-defined]
    if new_path == old_path:
        return
    model.objects.filter(pk=node.pk).update(path=new_path, parent=parent)  # type: ignore[attr-defined]
    node.path = new_path  # type: ignore[attr-defined]
    if old_path:
        model.objects.filter(path__startswith=old_path).exclude(pk=node.pk).update(  # type: ignore[attr-defined]
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1))
        )
