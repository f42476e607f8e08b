"""Paper dossiers brought to the desk or received by post, entered by the receiving officer."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from egov.accounts.models import User
from egov.accounts.roles import Role
from egov.accounts.scopes import ensure_role
from egov.agencies.models import Agency
from egov.catalog.models import ProcedureVersion
from egov.core.errors import DomainError
from egov.dossiers.models import Dossier, StoredFile
from egov.dossiers.services import discard_files, store_uploads, submit_dossier
from egov.dossiers.statuses import Channel

INTAKE_CHANNELS = (Channel.IN_PERSON, Channel.POST)


def intake_paper_dossier(
    *,
    officer: User,
    version: ProcedureVersion,
    agency: Agency,
    channel: Channel,
    applicant: dict[str, str],
    raw: dict[str, Any],
    uploads: dict[str, list[Any]],
    idempotency_key: str = "",
) -> tuple[Dossier, bool]:
    """A dossier brought to the desk (channel 1) or received by post (channel 3): the receiving officer enters
    the applicant, the form and the scanned papers; the same validation as online applies. The dossier is
    then “Mới đăng ký” at this desk, to be received (form 01), asked to complete (form 02) or refused (03)."""

    ensure_role(officer, agency, Role.RECEIVING_OFFICER)
    if channel not in INTAKE_CHANNELS:
        raise DomainError("Kênh tiếp nhận tại quầy phải là trực tiếp hoặc bưu chính.")
    snapshot = {
        "applicant_name": " ".join(str(applicant.get("name", "")).split())[:200],
        "applicant_id_number": str(applicant.get("id_number", "")).strip()[:20],
        "applicant_phone": str(applicant.get("phone", "")).strip()[:20],
        "applicant_email": str(applicant.get("email", "")).strip()[:254],
        "applicant_address": " ".join(str(applicant.get("address", "")).split())[:400],
    }
    errors: dict[str, list[str]] = {}
    if len(snapshot["applicant_name"]) < 2:
        errors["applicant.name"] = ["Hãy nhập họ tên người nộp (hoặc tên tổ chức)."]
    if snapshot["applicant_id_number"] and not snapshot["applicant_id_number"].isdigit():
        errors["applicant.id_number"] = ["Số giấy tờ tùy thân chỉ gồm chữ số."]
    if snapshot["applicant_email"]:
        from django.core.validators import validate_email

        try:
            validate_email(snapshot["applicant_email"])
        except ValidationError:
            errors["applicant.email"] = ["Địa chỉ thư điện tử không hợp lệ."]
    if errors:
        raise ValidationError(errors)
    key = f"desk:{idempotency_key}"[:80] if idempotency_key else ""
    if key:
        existing = Dossier.objects.filter(
            applicant=None, receiving_agency=agency, idempotency_key=key
        ).first()
        if existing is not None:
            return existing, False
    stored: list[StoredFile] = []
    try:
        stored = store_uploads(owner=officer, version=version, uploads=uploads, into=stored)
        dossier, created = submit_dossier(
            applicant=None,
            version=version,
            agency=agency,
            raw=raw,
            files=stored,
            idempotency_key=key,
            key_checked=True,
            channel=channel,
            officer=officer,
            snapshot=snapshot,
        )
    except Exception:
        discard_files(stored)
        raise
    return dossier, created
