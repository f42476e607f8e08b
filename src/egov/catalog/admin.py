"""Catalogue administration. A published version is never edited in place: saving the change form makes the
next version (``revise_procedure``). Form definitions are edited as JSON, checked on save, and previewed."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from egov.catalog import formdef
from egov.catalog.models import Component, Procedure, ProcedureQuestion, ProcedureVersion, SearchTerm, Sector
from egov.catalog.selectors import forget_cached_catalogue
from egov.catalog.services import export_spec, revise_procedure
from egov.catalog.web_forms import bound_fields
from egov.core.errors import DomainError

EDITABLE = (
    "name", "name_en", "receiving_agency", "deciding_agency", "deciding_level", "deciding_organ", "deciding_office",
    "processing_time", "processing_time_unit",
    "processing_time_note", "fee_amount", "fee_note", "steps", "conditions", "legal_basis", "result",
    "online_level", "published_on", "effective_from",
)  # fmt: skip


def _forget_search_terms() -> None:
    forget_cached_catalogue()  # this process sees the change at once, the others within two seconds
    transaction.on_commit(forget_cached_catalogue)


@admin.register(SearchTerm)
class SearchTermAdmin(admin.ModelAdmin):
    """The province's own search vocabulary, on top of the platform's file: this process uses a change at
    once, the others within two seconds."""

    list_display = ["said", "means", "updated_at"]
    search_fields = ["said", "means"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        _forget_search_terms()

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        _forget_search_terms()

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        super().delete_queryset(request, queryset)
        _forget_search_terms()


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


class VersionInline(admin.TabularInline):
    model = ProcedureVersion
    extra = 0
    can_delete = False
    fields = readonly_fields = ("number", "name", "status", "published_on", "created_at")
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class QuestionInline(admin.StackedInline):
    """Frequently asked questions shown on the procedure's page; edited here, kept across versions."""

    model = ProcedureQuestion
    extra = 1
    fields = ["position", "question", "answer", "question_en", "answer_en"]


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ["national_code", "created_at"]
    search_fields = ["national_code", "versions__name"]
    inlines = [VersionInline, QuestionInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class ComponentInline(admin.TabularInline):
    """Components belong to the version's published content (changed through a new version); only the blank
    template file a citizen downloads can be attached here."""

    model = Component
    extra = 0
    can_delete = False
    readonly_fields = (
        "order", "key", "name", "originals", "certified_copies", "photocopies", "required", "condition", "show_if",
    )  # fmt: skip
    fields = (*readonly_fields, "template")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class FormDefinitionField(forms.CharField):
    widget = forms.Textarea(
        attrs={"rows": 24, "cols": 100, "spellcheck": "false", "style": "font-family: monospace"}
    )

    def prepare_value(self, value: Any) -> str:
        return (
            value
            if isinstance(value, str)
            else json.dumps(value or {"steps": []}, ensure_ascii=False, indent=2)
        )

    def to_python(self, value: Any) -> Any:
        try:
            parsed = json.loads(value or "{}")
        except json.JSONDecodeError as exc:
            raise ValidationError(f"Không phải JSON hợp lệ (dòng {exc.lineno}, cột {exc.colno}).") from exc
        try:
            formdef.validate_definition(parsed)
        except DomainError as exc:
            raise ValidationError(exc.messages) from exc
        return parsed


class VersionForm(forms.ModelForm):
    form_definition = FormDefinitionField(label="Biểu mẫu điện tử (JSON)", required=False)

    class Meta:
        model = ProcedureVersion
        fields = [*EDITABLE, "form_definition"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        level = cleaned.get("deciding_level")
        if level is not None and self.instance.pk is not None:
            below = [lv.name.lower() for lv in self.instance.levels.all() if lv.rank < level.rank]
            if below:
                self.add_error(
                    "deciding_level",
                    f"Cấp giải quyết phải là cấp thực hiện thủ tục hoặc cấp trên; thủ tục còn thực hiện ở "
                    f"{', '.join(below)}.",
                )
        return cleaned


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(admin.ModelAdmin):
    form = VersionForm
    list_display = ["name", "code_display", "number", "status", "sector", "online_level", "published_on"]
    list_filter = ["status", "online_level", "sector", "levels", "deciding_level"]
    search_fields = ["name", "procedure__national_code", "search_text"]
    list_select_related = ["procedure", "sector"]
    readonly_fields = ["procedure", "number", "status", "sector", "preview_link"]
    autocomplete_fields = ["deciding_organ"]
    inlines = [ComponentInline]

    @admin.display(description="mã thủ tục", ordering="procedure__national_code")
    def code_display(self, obj: ProcedureVersion) -> str:
        return obj.procedure.national_code

    @admin.display(description="xem trước biểu mẫu")
    def preview_link(self, obj: ProcedureVersion) -> str:
        if obj.pk is None:
            return "—"
        url = reverse("admin:catalog_procedureversion_preview", args=[obj.pk])
        return format_html('<a href="{}">Xem biểu mẫu như người dân thấy</a>', url)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["procedure", "number", "status", "sector", "preview_link", *EDITABLE, "form_definition"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or obj.status == "published")

    def save_model(self, request: HttpRequest, obj: ProcedureVersion, form: Any, change: bool) -> None:
        original = ProcedureVersion.objects.get(pk=obj.pk)
        current = export_spec(original)
        changes = {key: form.cleaned_data[key] for key in form.changed_data if key in EDITABLE}
        if "form_definition" in form.changed_data:
            changes["form"] = form.cleaned_data["form_definition"]
        for key in ("published_on", "effective_from"):
            if key in changes and changes[key] is not None:
                changes[key] = changes[key].isoformat()
        for key in ("deciding_level", "deciding_organ"):  # the spec names them by code
            if key in changes:
                changes[key] = changes[key].code if changes[key] is not None else ""
        if not changes or all(current.get(k) == v for k, v in changes.items()):
            obj.pk = original.pk
            return
        new = revise_procedure(actor=request.user, version=original, **changes)
        obj.pk = new.pk
        messages.info(
            request,
            f"Đã tạo phiên bản {new.number}; phiên bản {original.number} được giữ cho các hồ sơ đã nộp.",
        )

    def response_change(self, request: HttpRequest, obj: ProcedureVersion) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:catalog_procedureversion_change", args=[obj.pk]))

    def get_urls(self) -> list[Any]:
        preview = self.admin_site.admin_view(self.preview)
        return [
            path("<int:pk>/preview/", preview, name="catalog_procedureversion_preview"),
            *super().get_urls(),
        ]

    def preview(self, request: HttpRequest, pk: int) -> HttpResponse:
        version = get_object_or_404(ProcedureVersion.objects.prefetch_related("components"), pk=pk)
        steps = [
            {"title": step["title"],
             "fields": bound_fields(list(step.get("fields", [])), {}, {}, extra_rows={})}
            for step in formdef.steps(version.form_definition)
        ]  # fmt: skip
        context = {
            **self.admin_site.each_context(request),
            "version": version,
            "steps": steps,
            "title": f"Xem trước: {version.name}",
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "catalog/admin_preview.html", context)
