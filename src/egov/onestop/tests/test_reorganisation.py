"""Dossiers in progress on 1 July 2025 follow the reorganisation: the 2025 plan applied to the demo database
with open dossiers at several stages, then checked as the officers and the citizen see them, through the real
pages and the officer API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from egov.accounts.models import User
from egov.accounts.tokens import issue_token
from egov.agencies.models import Agency
from egov.agencies.reorganisation_plans import load_plan
from egov.agencies.services import apply_reorganisation
from egov.core.errors import DomainError
from egov.dossiers.models import Consultation, Dossier, DossierEvent, DossierStep
from egov.dossiers.statuses import DossierStatus
from egov.onestop import processing, receiving
from egov.signing.models import SignatureRequest
from egov.submission.tests.test_submission import signed_in, submit

PLAN = (
    Path(__file__).resolve().parents[2]
    / "units"
    / "data"
    / "reorganisations"
    / "2025-binh-phuoc-dong-nai.json"
)
LOC_TAN, LOC_TAN_2025 = "000.22.44.H10", "000.12.60.H19"
LOC_NINH_DISTRICT, LOC_NINH_2025 = "000.00.44.H10", "000.11.60.H19"
JUSTICE_DISTRICT, JUSTICE_2025 = "000.02.44.H10", "000.00.02.H19"
LABOUR_DISTRICT, HOME_AFFAIRS_2025 = "000.05.44.H10", "000.00.01.H19"


def person(email: str) -> User:
    return User.objects.get(email=email)


def agency(code: str) -> Agency:
    return Agency.objects.get(code=code)


def act(function: Any, dossier: Dossier, **kwargs: Any) -> Any:
    dossier.refresh_from_db()
    return function(dossier=dossier, expected_version=dossier.version, **kwargs)


@pytest.fixture
def procedures(marriage: Any) -> dict[str, Any]:
    """Test procedures beside the commune one (``marriage``, 9.000001): one decided by the district and filed at
    a commune desk, one carried out only at the district (the plan below re-publishes it at the commune)."""
    from egov.catalog.services import ensure_sectors, upsert_procedure
    from egov.catalog.tests.factories import SECTOR, marriage_spec

    sectors = ensure_sectors(actor=None, sectors=[SECTOR])
    district, _ = upsert_procedure(
        actor=None,
        spec=marriage_spec(
            national_code="9.000003",
            name="Thủ tục thử xã tiếp nhận, huyện giải quyết",
            levels=["commune", "district"],
            deciding_agency="Phòng Tư pháp cấp huyện",
            deciding_level="district",
            deciding_office="Phòng Tư pháp",
        ),
        sectors=sectors,
    )
    district_only, _ = upsert_procedure(
        actor=None,
        spec=marriage_spec(
            national_code="9.000004",
            name="Thủ tục thử chỉ cấp huyện",
            levels=["district"],
            receiving_agency="Bộ phận một cửa của Ủy ban nhân dân cấp huyện",
            deciding_agency="Ủy ban nhân dân cấp huyện",
            deciding_level="district",
        ),
        sectors=sectors,
    )
    return {"commune": marriage, "district": district, "district_only": district_only}


def reorganise() -> None:
    """The shipped 2025 plan, with the test's district-only procedure re-published at the commune level the
    way the plan re-publishes the demo's (its ``procedures`` section)."""
    arguments = load_plan(PLAN)
    arguments["sections"]["procedures"].append(
        {
            "national_code": "9.000004",
            "levels": ["commune"],
            "receiving_agency": "Bộ phận Một cửa của Ủy ban nhân dân cấp xã",
            "deciding_agency": "Ủy ban nhân dân cấp xã",
            "deciding_level": "commune",
        }
    )
    apply_reorganisation(actor=None, **arguments)


@pytest.fixture
def before(procedures: dict[str, Any]) -> dict[str, Dossier]:
    """Open dossiers at several stages and a closed one, all before the reorganisation."""
    desk, specialist = person("motcua.loctan@binhphuoc.demo"), person("congchuc.loctan@binhphuoc.demo")
    chairman, clerk = person("chutich.loctan@binhphuoc.demo"), person("vanthu.loctan@binhphuoc.demo")
    dossiers: dict[str, Dossier] = {}

    # New at the district desk of Lộc Ninh, not received yet.
    dossiers["new"], _ = submit(procedures["district_only"], agency=agency(LOC_NINH_DISTRICT))

    # Received at Lộc Tấn, now with the district's justice office (first step of the district process).
    dossiers["district"], _ = submit(procedures["district"])
    act(receiving.receive, dossiers["district"], officer=desk)

    # At Lộc Tấn's specialist, waiting for the opinion of the district's labour office.
    dossiers["consulting"], _ = submit(procedures["commune"])
    act(receiving.receive, dossiers["consulting"], officer=desk)
    act(
        processing.request_consultation,
        dossiers["consulting"],
        officer=specialist,
        agencies=[agency(LABOUR_DISTRICT)],
        question="Đề nghị cho ý kiến về hoàn cảnh gia đình.",
        days=3,
    )

    # Approved by the chairman; the result waits for his digital signature.
    dossiers["signing"], _ = submit(procedures["commune"])
    act(receiving.receive, dossiers["signing"], officer=desk)
    act(processing.forward, dossiers["signing"], officer=specialist)
    act(processing.forward, dossiers["signing"], officer=chairman)
    assert (
        act(processing.issue_result, dossiers["signing"], officer=clerk, document_number="7/GCN-UBND") is None
    )

    # Closed before: refused at the district desk.
    dossiers["closed"], _ = submit(procedures["district_only"], agency=agency(LOC_NINH_DISTRICT))
    act(
        receiving.refuse,
        dossiers["closed"],
        officer=person("motcua.locninh@binhphuoc.demo"),
        reason="Không thuộc thẩm quyền giải quyết của huyện.",
    )
    for dossier in dossiers.values():
        dossier.refresh_from_db()
    return dossiers


def api(email: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user=person(email), name='Phần mềm một cửa')}")


def in_tab(client: Client, tab: str, code: str) -> bool:
    return code in client.get("/can-bo/ho-so/", {"tab": tab}).content.decode()


def test_open_dossiers_follow_the_successor_agencies(
    before: dict[str, Dossier], officer_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    old_versions = {key: d.version for key, d in before.items()}
    with django_capture_on_commit_callbacks(execute=True):
        reorganise()
    for dossier in before.values():
        dossier.refresh_from_db()
    new, district, consulting, signing, closed = (
        before[k] for k in ("new", "district", "consulting", "signing", "closed")
    )

    # New at the desk: it is at the successor's desk, in its officer's list, and the desk can receive it.
    assert new.receiving_agency.code == LOC_NINH_2025
    district_desk = officer_client("motcua.locninh@binhphuoc.demo")
    assert in_tab(district_desk, "moi", new.code)
    listing = api("motcua.locninh@binhphuoc.demo").get("/api/v1/officer/dossiers", {"tab": "moi"}).json()
    assert new.code in [item["code"] for item in listing["items"]]
    page = district_desk.get(f"/can-bo/ho-so/{new.code}/")
    assert page.status_code == 200 and "Ủy ban nhân dân xã Lộc Ninh" in page.content.decode()
    received = district_desk.post(
        f"/can-bo/ho-so/{new.code}/quyet-dinh/", {"decision": "receive", "version": new.version}, follow=True
    )
    messages = [m for m in received.content.decode().split("\n") if "message" in m]
    assert any("Đã tiếp nhận hồ sơ" in m for m in messages), messages
    new.refresh_from_db()
    assert new.status in (DossierStatus.RECEIVED, DossierStatus.PROCESSING)
    assert (
        new.current_agency is not None and new.current_agency.code == LOC_NINH_2025
    )  # the commune decides now
    receipt = district_desk.get(f"/can-bo/ho-so/{new.code}/mau-01.pdf")
    assert receipt.status_code == 200

    # In a district step: the justice office's step is now the provincial department's, for the same head.
    assert district.current_agency.code == JUSTICE_2025
    assert district.receiving_agency.code == LOC_TAN_2025
    head = officer_client("truongphong.tuphap.locninh@binhphuoc.demo")
    assert in_tab(head, "cho-toi", district.code)
    page = head.get(f"/can-bo/ho-so/{district.code}/").content.decode()
    assert "Sở Tư pháp tỉnh Đồng Nai" in page
    later = DossierStep.objects.filter(dossier=district, started_at__isnull=True).select_related("agency")
    assert {step.agency.code for step in later} <= {JUSTICE_2025, LOC_NINH_2025, LOC_TAN_2025}
    moved = api("truongphong.tuphap.locninh@binhphuoc.demo").post(
        f"/api/v1/officer/dossiers/{district.code}/forward",
        {"version": district.version, "assignee": person("chuyenvien.locninh@binhphuoc.demo").pk},
        content_type="application/json",
    )
    assert moved.status_code == 200, moved.content

    # Waiting for a consultation: the question is now the successor's, who can open the dossier and answer.
    consultation = Consultation.objects.get(dossier=consulting)
    assert consultation.agency.code == HOME_AFFAIRS_2025 and consultation.answered_at is None
    assert consulting.current_agency.code == LOC_TAN_2025
    assert in_tab(officer_client("congchuc.loctan@binhphuoc.demo"), "cho-toi", consulting.code)
    labour = officer_client("chuyenvien.ldtbxh.locninh@binhphuoc.demo")
    page = labour.get(f"/can-bo/ho-so/{consulting.code}/")
    assert page.status_code == 200 and "Gửi ý kiến" in page.content.decode()
    answered = labour.post(
        f"/can-bo/ho-so/{consulting.code}/quyet-dinh/",
        {
            "decision": "answer",
            "version": consulting.version,
            "consultation": consultation.pk,
            "answer": "Thống nhất.",
            "agrees": "1",
        },
        follow=True,
    )
    assert "Đã gửi ý kiến" in answered.content.decode()
    assert Consultation.objects.get(pk=consultation.pk).answered_by == person(
        "chuyenvien.ldtbxh.locninh@binhphuoc.demo"
    )

    # Waiting for signature: the request under the old agency's name is cancelled; the successor's clerk
    # enters the result again and the chairman (who approved, now the successor's) signs it.
    old_request = SignatureRequest.objects.get(source_id=str(signing.pk))
    assert old_request.status == SignatureRequest.Status.CANCELLED
    assert signing.current_agency.code == LOC_TAN_2025 and signing.current_step.kind == "issue"
    from egov.signing.demo import ensure_demo_pki

    ensure_demo_pki()  # as `make demo-2025` does: certificates for the agencies the officers now work in
    clerk = officer_client("vanthu.loctan@binhphuoc.demo")
    assert in_tab(clerk, "cho-toi", signing.code)
    page = clerk.get(f"/can-bo/ho-so/{signing.code}/").content.decode()
    assert "Phát hành kết quả" in page
    signing.refresh_from_db()
    issued = clerk.post(
        f"/can-bo/ho-so/{signing.code}/quyet-dinh/",
        {"decision": "issue", "version": signing.version, "document_number": "7/GCN-UBND"},
        follow=True,
    )
    assert "chờ lãnh đạo ký số" in issued.content.decode()
    request = SignatureRequest.objects.exclude(pk=old_request.pk).get(source_id=str(signing.pk))
    assert request.agency.code == LOC_TAN_2025 and request.leader == person("chutich.loctan@binhphuoc.demo")

    # Each moved dossier says so in its history, by the system, naming the old and the new agency.
    for key in ("new", "district", "consulting", "signing"):
        event = DossierEvent.objects.get(dossier=before[key], action="reorganised")
        assert event.actor is None and event.from_status == event.to_status
        assert Dossier.objects.get(pk=before[key].pk).version > old_versions[key]
    note = DossierEvent.objects.get(dossier=new, action="reorganised").note
    assert "Ủy ban nhân dân huyện Lộc Ninh sang Ủy ban nhân dân xã Lộc Ninh" in note
    note = DossierEvent.objects.get(dossier=district, action="reorganised").note
    assert "Phòng Tư pháp huyện Lộc Ninh sang Sở Tư pháp tỉnh Đồng Nai" in note
    note = DossierEvent.objects.get(dossier=signing, action="reorganised").note
    assert "(huyện Lộc Ninh, tỉnh Bình Phước) sang Ủy ban nhân dân xã Lộc Tấn (tỉnh Đồng Nai)" in note
    assert "phát hành lại" in note

    # What was finished stays with the agency that did it.
    done = DossierStep.objects.filter(dossier=signing, finished_at__isnull=False).select_related("agency")
    assert {step.agency.code for step in done} == {LOC_TAN}

    # The citizen sees the same: still being processed, and by whom now.
    citizen = signed_in()
    page = citizen.get(f"/ho-so-cua-toi/{district.code}/").content.decode()
    assert district.get_status_display() in page and "Sở Tư pháp tỉnh Đồng Nai" in page

    # A dossier closed before the reorganisation is untouched and keeps the old names.
    assert closed.status == DossierStatus.REFUSED and closed.version == old_versions["closed"]
    assert closed.receiving_agency.code == LOC_NINH_DISTRICT
    assert closed.receiving_agency.name == "Ủy ban nhân dân huyện Lộc Ninh"
    assert not DossierEvent.objects.filter(dossier=closed, action="reorganised").exists()
    page = citizen.get(f"/ho-so-cua-toi/{closed.code}/").content.decode()
    assert "Ủy ban nhân dân huyện Lộc Ninh" in page


def test_the_control_sheet_issued_after_the_move_names_the_successor(
    before: dict[str, Dossier], officer_client: Any, tmp_path: Path
) -> None:
    from egov.onestop.tests.test_joint_processing import pdf_text

    reorganise()
    dossier = before["district"]
    head = officer_client("truongphong.tuphap.locninh@binhphuoc.demo")
    sheet = head.get(f"/can-bo/ho-so/{dossier.code}/mau-05.pdf")
    assert sheet.status_code == 200
    text = pdf_text(sheet.content, tmp_path, "05-sau-sap-xep")
    assert "Sở Tư pháp tỉnh Đồng Nai" in text  # the open step, now the department's
    assert "Phòng Tư pháp huyện Lộc Ninh" not in text


def test_a_plan_that_leaves_an_open_dossier_at_a_desk_without_successor_desk_is_refused(
    before: dict[str, Dossier],
) -> None:
    """The plan's successors decide where open work goes; a desk whose successor has no one-stop desk would
    strand the dossiers it received, so nothing is saved."""
    arguments = load_plan(PLAN)
    arguments["agencies"] = [
        type(change)(**{**change.__dict__, "has_one_stop_desk": False})
        if change.code == LOC_TAN_2025
        else change
        for change in arguments["agencies"]
    ]
    with pytest.raises(DomainError, match="không có bộ phận một cửa"):
        apply_reorganisation(actor=None, **arguments)
    dossier = before["consulting"]
    dossier.refresh_from_db()
    assert dossier.receiving_agency.code == LOC_TAN and agency(LOC_TAN).valid_to is None
    assert not DossierEvent.objects.filter(action="reorganised").exists()
