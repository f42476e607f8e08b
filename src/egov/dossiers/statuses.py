"""Dossier statuses and channels, with the national codes used when syncing with the national portal
(``TrangThaiHoSo`` 1–10 and ``KenhThucHien`` 1–3, TT 01/2018/TT-VPCP; unchanged by TT 03/2025). The one place
that knows them."""

from __future__ import annotations

from django.db import models


class DossierStatus(models.TextChoices):
    NEW = "new", "Mới đăng ký"
    RECEIVED = "received", "Được tiếp nhận"
    REFUSED = "refused", "Không được tiếp nhận"
    PROCESSING = "processing", "Đang xử lý"
    SUPPLEMENT_REQUESTED = "supplement_requested", "Yêu cầu bổ sung giấy tờ"
    AWAITING_PAYMENT = "awaiting_payment", "Yêu cầu thực hiện nghĩa vụ tài chính"
    WITHDRAWN = "withdrawn", "Công dân yêu cầu rút hồ sơ"
    STOPPED = "stopped", "Dừng xử lý"
    DONE = "done", "Đã xử lý xong"
    RETURNED = "returned", "Đã trả kết quả"


NATIONAL_STATUS_CODE = {
    DossierStatus.NEW: 1,
    DossierStatus.RECEIVED: 2,
    DossierStatus.REFUSED: 3,
    DossierStatus.PROCESSING: 4,
    DossierStatus.SUPPLEMENT_REQUESTED: 5,
    DossierStatus.AWAITING_PAYMENT: 6,
    DossierStatus.WITHDRAWN: 7,
    DossierStatus.STOPPED: 8,
    DossierStatus.DONE: 9,
    DossierStatus.RETURNED: 10,
}


class Channel(models.IntegerChoices):
    IN_PERSON = 1, "Trực tiếp"
    ONLINE = 2, "Trực tuyến"
    POST = 3, "Bưu chính"


# Which status may follow which (NĐ 61/2018 Arts. 17–20, same shape in NĐ 118/2025). The one place to change.
TRANSITIONS: dict[str, frozenset[str]] = {
    DossierStatus.NEW: frozenset(
        {
            DossierStatus.RECEIVED,
            DossierStatus.PROCESSING,  # received again after a supplement asked for during appraisal
            DossierStatus.SUPPLEMENT_REQUESTED,
            DossierStatus.REFUSED,
            DossierStatus.WITHDRAWN,
        }
    ),
    # The applicant completes the dossier online and it goes back to the desk (status 1 again).
    DossierStatus.SUPPLEMENT_REQUESTED: frozenset(
        {DossierStatus.NEW, DossierStatus.WITHDRAWN, DossierStatus.REFUSED, DossierStatus.STOPPED}
    ),
    DossierStatus.RECEIVED: frozenset(
        {
            DossierStatus.PROCESSING,
            DossierStatus.SUPPLEMENT_REQUESTED,
            DossierStatus.AWAITING_PAYMENT,
            DossierStatus.DONE,
            DossierStatus.WITHDRAWN,
            DossierStatus.STOPPED,
            DossierStatus.REFUSED,
        }
    ),
    DossierStatus.PROCESSING: frozenset(
        {
            DossierStatus.SUPPLEMENT_REQUESTED,
            DossierStatus.AWAITING_PAYMENT,
            DossierStatus.DONE,
            DossierStatus.STOPPED,
            DossierStatus.WITHDRAWN,
            DossierStatus.REFUSED,
        }
    ),
    DossierStatus.AWAITING_PAYMENT: frozenset(
        {DossierStatus.PROCESSING, DossierStatus.WITHDRAWN, DossierStatus.STOPPED}
    ),
    DossierStatus.DONE: frozenset({DossierStatus.RETURNED}),
    DossierStatus.REFUSED: frozenset(),
    DossierStatus.WITHDRAWN: frozenset(),
    DossierStatus.STOPPED: frozenset(),
    DossierStatus.RETURNED: frozenset(),
}
