"""Dossier statuses and channels, with the national codes used when syncing with the national portal
(``TrangThaiHoSo`` 1–10 and ``KenhThucHien`` 1–3, TT 01/2018/TT-VPCP; unchanged by TT 03/2025). The one place
that knows them. Which status may follow which is :mod:`egov.dossiers.lifecycle`."""

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
