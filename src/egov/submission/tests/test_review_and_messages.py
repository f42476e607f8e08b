"""The citizen's steps as a citizen meets them: an upload refused names the file and the document it was
given for; the review page lets each section be corrected and comes back to the review after saving."""

from __future__ import annotations

import re
from typing import Any

import pytest

from conftest import pdf_upload
from egov.agencies.models import Agency
from egov.catalog import formdef
from egov.catalog.tests.factories import valid_answers
from egov.dossiers.models import Draft
from egov.submission import services as submission_services
from egov.submission.tests.test_submission import LOC_TAN, citizen, signed_in

pytestmark = pytest.mark.django_db


def _draft_at_review(version: Any) -> Draft:
    """A draft with every step saved and its papers attached, as a citizen leaves it on the review page."""
    draft = submission_services.start_draft(user=citizen(), version=version)
    submission_services.choose_desk(draft=draft, agency_id=Agency.objects.get(code=LOC_TAN).pk)
    for index, _ in enumerate(formdef.steps(version.form_definition)):
        assert submission_services.save_step(draft=draft, step_index=index, raw=valid_answers()).ok
    submission_services.add_files(draft=draft, slot="to-khai", uploads=[pdf_upload("to-khai.pdf")])
    last = len(formdef.steps(version.form_definition)) + 2
    Draft.objects.filter(pk=draft.pk).update(step=last)
    draft.refresh_from_db()
    return draft


def test_a_refused_upload_names_the_file_and_its_document(marriage: Any) -> None:
    draft = _draft_at_review(marriage)
    client = signed_in()
    files_step = f"/ho-so-nhap/{draft.pk}/buoc-3/"
    refused = client.post(
        files_step, {"file-to-khai": pdf_upload("giay-to.pdf", b"MZ\x90\x00 a program"), "action": "upload"}
    )
    assert refused.status_code == 400
    assert (
        "Tệp “giay-to.pdf” ở mục “Tờ khai đăng ký kết hôn” không phải loại được nhận"
        in refused.content.decode()
    )
    empty = client.post(files_step, {"file-to-khai": pdf_upload("trong.pdf", b""), "action": "upload"})
    assert "Tệp “trong.pdf” ở mục “Tờ khai đăng ký kết hôn” rỗng." in empty.content.decode()


def test_every_section_of_the_review_has_an_edit_link_that_returns_to_the_review(marriage: Any) -> None:
    draft = _draft_at_review(marriage)
    client = signed_in()
    review_url = f"/ho-so-nhap/{draft.pk}/buoc-4/"
    review = client.get(review_url).content.decode()
    links = re.findall(r'href="(/ho-so-nhap/\d+/buoc-(\d+)/\?ve=xem-lai)" class="edit-link">Sửa', review)
    # The desk, each step of the form (two), and the papers: each one “Sửa” link.
    assert [int(step) for _, step in links] == [0, 1, 2, 3]
    assert review.count('class="button"') == 1  # one primary action: “Nộp hồ sơ”

    desk_link, step1_link, _, files_link = (url for url, _ in links)
    desk = client.get(desk_link).content.decode()
    assert "Lưu và quay lại trang xem lại" in desk and f'href="{review_url}"' in desk
    saved = client.post(desk_link, {"agency": draft.receiving_agency_id})
    assert saved["Location"] == review_url

    answers = {
        "ho_ten": "Nguyễn Văn Ân",
        "cccd": "070090001234",
        "dien_thoai": "0912345678",
        "noi_cu_tru__unit": "25279",
        "noi_cu_tru__line": "Ấp 5",
        "nop_thay": "no",
        "action": "next",
    }
    assert client.post(step1_link, answers)["Location"] == review_url
    assert "Nguyễn Văn Ân" in client.get(review_url).content.decode()

    files = client.post(files_link, {"file-to-khai": pdf_upload("to-khai-moi.pdf"), "action": "next"})
    assert files["Location"] == review_url
    review = client.get(review_url).content.decode()
    assert "to-khai-moi.pdf" in review and 'data-label="Tệp"' in review

    # Without the link's return address, a step goes on to the next one as before.
    assert (
        client.post(f"/ho-so-nhap/{draft.pk}/buoc-1/", answers)["Location"]
        == f"/ho-so-nhap/{draft.pk}/buoc-2/"
    )


def test_a_step_opened_for_correction_is_not_a_way_past_unfinished_steps(marriage: Any) -> None:
    draft = submission_services.start_draft(user=citizen(), version=marriage)
    client = signed_in()
    answer = client.post(
        f"/ho-so-nhap/{draft.pk}/buoc-0/?ve=xem-lai", {"agency": Agency.objects.get(code=LOC_TAN).pk}
    )
    assert answer["Location"] == f"/ho-so-nhap/{draft.pk}/buoc-1/"  # the review is not reached yet
