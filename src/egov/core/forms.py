"""Form helpers shared by every HTML form: accessible error and help-text wiring."""

from __future__ import annotations

from typing import Any


class AccessibleFormMixin:
    """Links each input to its help text and error messages (``aria-describedby``) and marks invalid inputs
    (``aria-invalid``), so screen readers announce what the sighted user sees next to the field."""

    fields: dict[str, Any]
    errors: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"id_{name}-help"

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)  # type: ignore[misc]
        for name in self.errors:
            target = self.fields.get(name)
            if target is None:
                continue
            described = [f"id_{name}-help"] if target.help_text else []
            target.widget.attrs["aria-invalid"] = "true"
            target.widget.attrs["aria-describedby"] = " ".join([*described, f"id_{name}-error"])
