"""Hostile input found by fuzzing the running app, sent to the real endpoints: every case is answered with a
Vietnamese 4xx (JSON on the API, a page on the portal), never a 500, and nothing in the database changes."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from conftest import pdf_upload, sign_in_officer
from egov.accounts.models import User
from egov.accounts.tokens import issue_token
from egov.catalog.tests.factories import valid_answers
from egov.dossiers.models import Dossier, Draft
from egov.onestop import receiving
from egov.submission import services as submission_services
from egov.submission.tests.test_submission import submit

DEEP = "[" * 100_000 + "]" * 100_000
TEN_MB = 10 * 1024 * 1024
BIG = 10**30

NUL = "ký tự NUL"
SURROGATE = "ký tự Unicode không hợp lệ"
TOO_DEEP = "lồng nhau quá sâu"
TOO_LARGE = "quá lớn"
TRUNCATED = "bị cắt ngang"


@dataclass
class World:
    dossier: Dossier  # new, waiting at the desk of UBND xã Lộc Tấn
    processing: Dossier  # received, at the commune specialist's step
    draft: Draft  # the citizen's draft, on the upload step
    files_step: int
    citizen_api: Client
    desk_api: Client
    specialist_api: Client
    citizen_page: Client
    desk_page: Client
    specialist_page: Client
    chairman_page: Client


@pytest.fixture
def world(marriage: Any) -> World:
    citizen = User.objects.get(email="nguyenvanan@binhphuoc.demo")
    desk = User.objects.get(email="motcua.loctan@binhphuoc.demo")
    specialist = User.objects.get(email="congchuc.loctan@binhphuoc.demo")
    dossier, _ = submit(marriage)
    processing, _ = submit(marriage)
    processing = receiving.receive(dossier=processing, officer=desk, expected_version=processing.version)
    draft = submission_services.start_draft(user=citizen, version=marriage)
    files_step = len(marriage.form_definition["steps"]) + 1
    Draft.objects.filter(pk=draft.pk).update(step=files_step)
    citizen_page = Client()
    citizen_page.force_login(citizen)

    def bearer(user: User) -> Client:
        return Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user=user, name='Thử dữ liệu xấu')}")

    return World(
        dossier=dossier,
        processing=processing,
        draft=draft,
        files_step=files_step,
        citizen_api=bearer(citizen),
        desk_api=bearer(desk),
        specialist_api=bearer(specialist),
        citizen_page=citizen_page,
        desk_page=sign_in_officer(Client(), desk.email),
        specialist_page=sign_in_officer(Client(), specialist.email),
        chairman_page=sign_in_officer(Client(), "chutich.loctan@binhphuoc.demo"),
    )


def snapshot() -> dict[str, Any]:
    """Every row the platform's own apps hold (counts), and what a hostile request could have altered in
    place: dossiers' versions and statuses, drafts' answers."""
    counts = {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label not in ("portal", "sessions", "axes", "admin")
        and not model._meta.proxy
        and model._meta.managed
    }
    return {
        "counts": counts,
        "dossiers": list(Dossier.objects.order_by("pk").values_list("code", "version", "status", "due_at")),
        "drafts": list(Draft.objects.order_by("pk").values_list("pk", "step", "data", "receiving_agency")),
    }


def json_post(client: Client, url: str, body: str | bytes, content_type: str = "application/json") -> Any:
    return client.generic("POST", url, body, content_type=content_type)


def action(
    w: World,
    name: str,
    body: dict[str, Any] | str,
    *,
    on: str = "dossier",
    who: str = "desk",
    old: bool = False,
) -> Any:
    """An officer action through its typed operation (``/dossiers/{code}/send-back``), or with ``old`` through
    the deprecated generic one (``/dossiers/{code}/actions/send_back``)."""
    dossier = w.dossier if on == "dossier" else w.processing
    client = w.desk_api if who == "desk" else w.specialist_api
    if isinstance(body, dict):
        body = json.dumps({"version": dossier.version, **body})
    path = f"actions/{name}" if old else name.replace("_", "-")
    return json_post(client, f"/api/v1/officer/dossiers/{dossier.code}/{path}", body)


def withdraw(w: World, body: str) -> Any:
    return json_post(w.citizen_api, f"/api/v1/dossiers/{w.dossier.code}/withdraw", body)


def submission(w: World, **changes: Any) -> Any:
    data = {
        "procedure": "9.000001",
        "agency": "000.22.44.H10",
        "data": json.dumps(valid_answers()),
        "to-khai": pdf_upload(),
        **changes,
    }
    return w.citizen_api.post("/api/v1/dossiers", data)


def truncated(fields: dict[str, Any]) -> bytes:
    """A multipart body cut off before its closing boundary, as a dropped connection leaves it."""
    whole = encode_multipart(BOUNDARY, fields)
    return whole[: whole.rindex(f"--{BOUNDARY}--".encode())]


def desk_decide(w: World, decision: str, *, on: str = "dossier", who: str = "desk", **fields: Any) -> Any:
    dossier = w.dossier if on == "dossier" else w.processing
    client = w.desk_page if who == "desk" else w.specialist_page
    return client.post(
        f"/can-bo/ho-so/{dossier.code}/quyet-dinh/",
        {"decision": decision, "version": dossier.version, **fields},
        follow=True,
    )


def files_step(w: World, data: dict[str, Any] | bytes, content_type: str = MULTIPART_CONTENT) -> Any:
    url = f"/ho-so-nhap/{w.draft.pk}/buoc-{w.files_step}/"
    if isinstance(data, bytes):
        return w.citizen_page.generic("POST", url, data, content_type=content_type)
    return w.citizen_page.post(url, data)


Case = Callable[[World], Any]

# (case, expected status, a fragment of the Vietnamese answer)
CASES: dict[str, tuple[Case, int, str]] = {
    # --- JSON that Python parses but nothing should accept -------------------------------------------------
    "citizen api: JSON nested 100,000 deep": (lambda w: withdraw(w, DEEP), 400, TOO_DEEP),
    "officer api: JSON nested 100,000 deep": (lambda w: action(w, "refuse", DEEP), 400, TOO_DEEP),
    "citizen api: deep JSON in the form's data field": (
        lambda w: submission(w, data='{"ho_ten": ' + DEEP + "}"),
        400,
        TOO_DEEP,
    ),
    "citizen api: \\u0000 in a JSON string": (
        lambda w: withdraw(w, '{"version": 1, "reason": "Nộp lại\\u0000"}'),
        400,
        NUL,
    ),
    "citizen api: lone surrogate in a JSON string": (
        lambda w: withdraw(w, '{"version": 1, "reason": "\\ud800"}'),
        400,
        SURROGATE,
    ),
    "officer api: \\u0000 in a JSON string": (
        lambda w: action(w, "refuse", '{"version": 1, "reason": "Không đủ \\u0000 điều kiện"}'),
        400,
        NUL,
    ),
    "officer api: lone surrogate in a JSON key": (
        lambda w: action(w, "refuse", '{"version": 1, "\\udfff": "x"}'),
        400,
        SURROGATE,
    ),
    "citizen api: \\u0000 inside the form's data field": (
        lambda w: submission(w, data=json.dumps({**valid_answers(), "ho_ten": "An\u0000"})),
        400,
        NUL,
    ),
    "officer api: \\u0000 inside the intake's applicant field": (
        lambda w: w.desk_api.post(
            "/api/v1/officer/intake",
            {
                "procedure": "9.000001",
                "agency": "000.22.44.H10",
                "channel": "1",
                "applicant": json.dumps({"name": "Phạm\u0000Dung"}),
                "data": json.dumps(valid_answers()),
                "to-khai": pdf_upload(),
            },
        ),
        400,
        NUL,
    ),
    "citizen api: version 1e400": (
        lambda w: withdraw(w, '{"version": 1e400}'),
        400,
        "quá lớn hoặc không hữu hạn",
    ),
    "officer api: version 1e400": (
        lambda w: action(w, "receive", '{"version": 1e400}'),
        400,
        "quá lớn hoặc không hữu hạn",
    ),
    "officer api: version NaN": (lambda w: action(w, "receive", '{"version": NaN}'), 400, "không phải JSON"),
    "citizen api: version true": (lambda w: withdraw(w, '{"version": true}'), 422, "Phải là số nguyên"),
    "officer api: version true": (
        lambda w: action(w, "receive", '{"version": true}'),
        422,
        "Phải là số nguyên",
    ),
    "officer api: version 1.0": (
        lambda w: action(w, "receive", '{"version": 1.0}'),
        422,
        "Phải là số nguyên",
    ),
    "officer api (deprecated path): version true": (
        lambda w: action(w, "receive", '{"version": true}', old=True),
        400,
        "version",
    ),
    "officer api (deprecated path): version 1.0": (
        lambda w: action(w, "receive", '{"version": 1.0}', old=True),
        400,
        "version",
    ),
    "officer api: version 10^30": (
        lambda w: action(w, "receive", {"version": BIG}),
        400,
        "quá lớn hoặc không hữu hạn",
    ),
    "citizen api: unparsable body (not JSON)": (
        lambda w: json_post(
            w.citizen_api, f"/api/v1/dossiers/{w.dossier.code}/withdraw", "{oops", "text/plain"
        ),
        400,
        "không phải JSON hợp lệ",
    ),
    # --- bodies too large or cut off ------------------------------------------------------------------------
    "citizen api: 10 MB JSON body": (
        lambda w: withdraw(w, '{"version": 1, "reason": "' + "a" * TEN_MB + '"}'),
        413,
        TOO_LARGE,
    ),
    "officer api: 10 MB JSON body": (
        lambda w: action(w, "refuse", '{"version": 1, "reason": "' + "a" * TEN_MB + '"}'),
        413,
        TOO_LARGE,
    ),
    "citizen api: 10 MB form field": (lambda w: submission(w, note="a" * TEN_MB), 413, TOO_LARGE),
    "officer page: 10 MB form post": (
        lambda w: desk_decide(w, "refuse", reason="a" * TEN_MB),
        413,
        TOO_LARGE,
    ),
    "citizen api: truncated multipart body": (
        lambda w: json_post(
            w.citizen_api,
            "/api/v1/dossiers",
            truncated({"procedure": "9.000001", "agency": "000.22.44.H10", "to-khai": pdf_upload()}),
            MULTIPART_CONTENT,
        ),
        400,
        TRUNCATED,
    ),
    "citizen api: multipart cut inside the first part": (
        lambda w: json_post(
            w.citizen_api,
            "/api/v1/dossiers",
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="procedure"\r\n\r\n'.encode(),
            MULTIPART_CONTENT,
        ),
        400,
        TRUNCATED,
    ),
    "online form: truncated upload": (
        lambda w: files_step(w, truncated({"file-to-khai": pdf_upload(), "action": "next"})),
        400,
        TRUNCATED,
    ),
    # --- NUL in form fields, query strings, look-up codes, paths --------------------------------------------
    "citizen api: NUL in a multipart field": (lambda w: submission(w, procedure="9.000001\x00"), 400, NUL),
    "citizen api: NUL in a field name": (lambda w: submission(w, **{"ghi\x00chu": "x"}), 400, NUL),
    "public api: NUL in a look-up code": (lambda w: Client().get("/api/v1/lookup/000.22%00"), 400, NUL),
    "public api: NUL in a query string": (lambda w: Client().get("/api/v1/procedures?q=a%00b"), 400, NUL),
    "officer api: NUL in a worklist filter": (
        lambda w: w.desk_api.get("/api/v1/officer/dossiers", {"tab": "moi", "q": "\x00"}),
        400,
        NUL,
    ),
    "look-up page: NUL in the code": (lambda w: Client().get("/tra-cuu-ho-so/?ma=000%00"), 400, NUL),
    "catalogue page: NUL in the search": (lambda w: Client().get("/thu-tuc/?q=%00"), 400, NUL),
    "sign-in page: NUL in the user name": (
        lambda w: Client().post("/tai-khoan/dang-nhap/", {"username": "an\x00", "password": "x"}),
        400,
        NUL,
    ),
    "online form: NUL in an answer": (
        lambda w: w.citizen_page.post(f"/ho-so-nhap/{w.draft.pk}/buoc-1/", {"ho_ten": "An\x00"}),
        400,
        NUL,
    ),
    "officer page: NUL in a refusal reason": (
        lambda w: desk_decide(w, "refuse", reason="Không thuộc thẩm quyền\x00 của xã"),
        400,
        NUL,
    ),
    "officer page: NUL in a worklist filter": (
        lambda w: w.desk_page.get("/can-bo/ho-so/", {"q": "\x00"}),
        400,
        NUL,
    ),
    # --- numbers out of range ------------------------------------------------------------------------------
    "citizen api: offset 10^20": (
        lambda w: w.citizen_api.get("/api/v1/dossiers", {"offset": 10**20}),
        422,
        "quá lớn",
    ),
    "citizen api: limit 10^20": (
        lambda w: w.citizen_api.get("/api/v1/dossiers", {"limit": 10**20}),
        422,
        "quá lớn",
    ),
    "officer api: offset 10^20": (
        lambda w: w.desk_api.get("/api/v1/officer/dossiers", {"tab": "moi", "offset": 10**20}),
        422,
        "quá lớn",
    ),
    "officer api: channel 10^30": (
        lambda w: w.desk_api.get("/api/v1/officer/dossiers", {"tab": "moi", "channel": BIG}),
        422,
        "quá lớn",
    ),
    "officer api: payment of 10^30 as a JSON number": (
        lambda w: action(w, "payment", {"amount": BIG}, on="processing", who="specialist"),
        400,
        "quá lớn hoặc không hữu hạn",
    ),
    "officer api: payment of 10^30 as text": (
        lambda w: action(w, "payment", {"amount": str(BIG)}, on="processing", who="specialist"),
        422,
        "Giá trị quá lớn (tối đa 1.000.000.000.000)",
    ),
    "officer api (deprecated path): payment of 10^30 as text": (
        lambda w: action(w, "payment", {"amount": str(BIG)}, on="processing", who="specialist", old=True),
        400,
        "Số tiền quá lớn",
    ),
    "officer api: payment in superscript digits": (
        lambda w: action(w, "payment", {"amount": "²⁰⁰"}, on="processing", who="specialist"),
        422,
        "Phải là số nguyên",
    ),
    "officer api (deprecated path): payment in superscript digits": (
        lambda w: action(w, "payment", {"amount": "²⁰⁰"}, on="processing", who="specialist", old=True),
        400,
        "Số tiền phải là số đồng",
    ),
    "officer api: reassign to user id 10^30": (
        lambda w: action(w, "reassign", {"assignee": str(BIG)}, on="processing", who="specialist"),
        400,
        "Không tìm thấy cán bộ",
    ),
    "officer api: reassign to a superscript id": (
        lambda w: action(w, "reassign", {"assignee": "²"}, on="processing", who="specialist"),
        400,
        "Không tìm thấy cán bộ",
    ),
    "officer api: answer a consultation id in superscript": (
        lambda w: action(
            w,
            "answer",
            {"consultation": "³", "answer": "Đồng ý", "agrees": True},
            on="processing",
            who="specialist",
        ),
        422,
        "Phải là số nguyên",
    ),
    "officer api (deprecated path): answer a consultation id in superscript": (
        lambda w: action(
            w,
            "answer",
            {"consultation": "³", "answer": "Đồng ý"},
            on="processing",
            who="specialist",
            old=True,
        ),
        400,
        "Không tìm thấy yêu cầu lấy ý kiến",
    ),
    # --- lists and objects where text is expected ----------------------------------------------------------
    "officer api: consult with nested agency lists": (
        lambda w: action(
            w,
            "consult",
            {"agencies": [["000.00.30.H10"]], "question": "Ý kiến?", "days": 2},
            on="processing",
            who="specialist",
        ),
        422,
        "mã cơ quan",
    ),
    "officer api: consult with an object as an agency": (
        lambda w: action(
            w,
            "consult",
            {"agencies": [{"code": "000.00.30.H10"}], "question": "Ý kiến?", "days": 2},
            on="processing",
            who="specialist",
        ),
        422,
        "mã cơ quan",
    ),
    "officer api: consult with 10,000 agencies": (
        lambda w: action(
            w,
            "consult",
            {"agencies": [f"000.00.{i}.H10" for i in range(10_000)], "question": "?", "days": 2},
            on="processing",
            who="specialist",
        ),
        422,
        "tối đa 100 cơ quan",
    ),
    "officer api: consult with an object as the agency list": (
        lambda w: action(
            w,
            "consult",
            {"agencies": {"a": 1}, "question": "Ý kiến?", "days": 2},
            on="processing",
            who="specialist",
        ),
        422,
        "mã cơ quan",
    ),
    "officer api: consult for 1e400 days": (
        lambda w: action(
            w,
            "consult",
            {"agencies": ["000.00.30.H10"], "question": "Ý kiến?", "days": "1e400"},
            on="processing",
            who="specialist",
        ),
        422,
        "Thời hạn trả lời",
    ),
    "officer api: supplement with items that are not objects": (
        lambda w: action(w, "supplement", {"items": [["a"], 1, None]}),
        422,
        "giấy tờ",
    ),
    "officer api (deprecated path): consult with nested agency lists": (
        lambda w: action(
            w,
            "consult",
            {"agencies": [["000.00.30.H10"]], "question": "Ý kiến?", "days": 2},
            on="processing",
            who="specialist",
            old=True,
        ),
        400,
        "mã cơ quan",
    ),
    "officer page: payment of 10^30": (
        lambda w: desk_decide(w, "payment", amount=str(BIG), on="processing", who="specialist"),
        200,
        "Số tiền quá lớn",
    ),
    "officer page: version 10^30": (
        lambda w: w.desk_page.post(
            f"/can-bo/ho-so/{w.dossier.code}/quyet-dinh/",
            {"decision": "receive", "version": str(BIG)},
            follow=True,
        ),
        200,
        "phiên bản hồ sơ",
    ),
    "officer page: register of year ²⁰²⁴": (
        lambda w: w.desk_page.get(
            "/can-bo/so-theo-doi/", {"nam": "²⁰²⁴", "co_quan": "000.22.44.H10", "dinh_dang": "pdf"}
        ),
        400,
        "Năm",
    ),
    "officer page: register of year 10^30": (
        lambda w: w.desk_page.get(
            "/can-bo/so-theo-doi/", {"nam": str(BIG), "co_quan": "000.22.44.H10", "dinh_dang": "pdf"}
        ),
        400,
        "Năm",
    ),
    # --- the online form's upload step ---------------------------------------------------------------------
    "online form: remove a file whose id is not a number": (
        lambda w: files_step(w, {"remove": "abc"}),
        400,
        "Không tìm thấy tệp",
    ),
    "online form: remove a file whose id is 10^30": (
        lambda w: files_step(w, {"remove": str(BIG)}),
        400,
        "Không tìm thấy tệp",
    ),
    "online form: remove a row whose position is ²": (
        lambda w: w.citizen_page.post(f"/ho-so-nhap/{w.draft.pk}/buoc-2/", {"action": "remove:ben:²"}),
        200,
        "Hai bên kết hôn",
    ),
    "online form: remove a row of a field that is not a group": (
        lambda w: w.citizen_page.post(f"/ho-so-nhap/{w.draft.pk}/buoc-1/", {"action": "remove:ho_ten:0"}),
        200,
        "Người nộp",
    ),
    "signing page: a document id in superscript": (
        lambda w: w.chairman_page.post(
            "/chu-ky-so/trinh-ky/", {"yeu-cau": "²", "pin": "123456"}, follow=True
        ),
        200,
        "Hãy chọn ít nhất một văn bản để ký",
    ),
    "online form: draft id 10^30 in the address": (
        lambda w: w.citizen_page.get(f"/ho-so-nhap/{BIG}/buoc-0/"),
        404,
        "Không tìm thấy",
    ),
}


class _Undo(Exception):
    pass


@contextmanager
def rolled_back() -> Iterator[None]:
    """Each case starts from the same world: whatever it wrote (it should write nothing) is undone."""
    try:
        with transaction.atomic():
            yield
            raise _Undo
    except _Undo:
        pass


def check(world: World, name: str) -> None:
    send, status, fragment = CASES[name]
    before = snapshot()
    response = send(world)
    assert response.status_code == status, (response.status_code, response.content[:800])
    if response["Content-Type"].startswith("application/json"):
        body = response.json()
        assert body["detail"], body
        text = json.dumps(body, ensure_ascii=False)
    else:
        text = response.content.decode()
        assert response["Content-Type"].startswith("text/html")
    assert fragment in text, text[-3000:]
    for english in ("Cannot parse", "Bad Request", "Server Error", "Not Found", "Method not allowed"):
        assert english not in text
    assert snapshot() == before


def test_hostile_input_is_a_vietnamese_4xx_and_changes_nothing(world: World, subtests: Any) -> None:
    # One world (the demo province, dossiers, signed-in officers) for every case, each case rolled back:
    # building the world per case would cost three seconds each.
    for name in CASES:
        with subtests.test(name), rolled_back():
            check(world, name)
