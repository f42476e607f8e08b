"""Administration: trusted roots (upload a PEM/DER), signing certificates, signature and seal images (upload a
PNG), requests and the record of signatures (read-only)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from egov.signing import models, services


class TrustedRootForm(forms.ModelForm):
    upload = forms.FileField(label="Tệp chứng thư gốc (PEM hoặc DER)", required=False)

    class Meta:
        model = models.TrustedRoot
        fields = ["name", "is_active"]


@admin.register(models.TrustedRoot)
class TrustedRootAdmin(admin.ModelAdmin):
    form = TrustedRootForm
    list_display = ["name", "subject", "not_after", "is_active"]
    readonly_fields = ["fingerprint", "subject", "not_after", "added_at", "added_by"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        upload = form.cleaned_data.get("upload")
        if upload is not None:
            [root] = services.add_trusted_root(data=upload.read(), name=obj.name, actor=request.user)  # type: ignore[arg-type]
            obj.pk = root.pk
            obj.__dict__.update(root.__dict__)
            if not obj.is_active:
                models.TrustedRoot.objects.filter(pk=root.pk).update(is_active=False)
        elif change:
            super().save_model(request, obj, form, change)


class SignatureImageForm(forms.ModelForm):
    upload = forms.FileField(
        label="Ảnh PNG (chữ ký màu xanh hoặc con dấu màu đỏ, nền trong suốt)", required=False
    )

    class Meta:
        model = models.SignatureImage
        fields = ["user", "agency", "position"]


@admin.register(models.SignatureImage)
class SignatureImageAdmin(admin.ModelAdmin):
    form = SignatureImageForm
    list_display = ["__str__", "position", "updated_at"]
    autocomplete_fields = ["user", "agency"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        upload = form.cleaned_data.get("upload")
        png = upload.read() if upload is not None else bytes(obj.png or b"")
        saved = services.set_signature_image(
            png=png,
            user=obj.user,
            agency=obj.agency if obj.user is None else None,
            position=obj.position,
            actor=request.user,  # type: ignore[arg-type]
        )
        obj.pk = saved.pk


@admin.register(models.SigningCertificate)
class SigningCertificateAdmin(admin.ModelAdmin):
    list_display = ["subject", "purpose", "agency", "user", "backend", "not_after", "is_active"]
    list_filter = ["purpose", "backend", "is_active"]
    search_fields = ["subject", "fingerprint", "serial_number"]
    readonly_fields = [
        "subject",
        "issuer",
        "serial_number",
        "fingerprint",
        "not_before",
        "not_after",
        "registered_at",
    ]
    autocomplete_fields = ["user", "agency"]


@admin.register(models.SignatureRequest)
class SignatureRequestAdmin(admin.ModelAdmin):
    list_display = ["title", "number_notation", "agency", "status", "created_at", "released_at"]
    list_filter = ["status"]
    search_fields = ["title", "number_notation", "source_id"]
    readonly_fields = ["original_sha256", "current_sha256", "original_path", "current_path"]


@admin.register(models.SignatureRecord)
class SignatureRecordAdmin(admin.ModelAdmin):
    list_display = ["signed_at", "purpose", "certificate", "actor", "level", "output_sha256"]
    list_filter = ["purpose", "level"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


admin.site.register(models.TimeStampingUnit)
admin.site.register(models.CertificateAuthority)
