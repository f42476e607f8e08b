"""The privacy notice (thông báo xử lý dữ liệu cá nhân) under Nghị định 13/2023/NĐ-CP, in one place: its
version and what consent at sign-up covers. The notice's text is the page ``portal/privacy.html``; a change
of what it says gets a new version here, and consents given to an older version stay on record as given."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_noop

NOTICE_VERSION = "1.0"
NOTICE_PUBLISHED = dt.date(2025, 7, 1)
# What a citizen or organisation agrees to by ticking the box at sign-up (NĐ 13/2023, Điều 11: consent is
# explicit, for stated purposes, and may be withdrawn).
SIGN_UP_PURPOSE = "sign_up"
# Stored with each consent in Vietnamese (the text that prevails); shown translated on the sign-up form.
SIGN_UP_STATEMENT = gettext_noop(
    "Tôi đã đọc Thông báo xử lý dữ liệu cá nhân và đồng ý để cổng dịch vụ công xử lý dữ liệu cá nhân của tôi "
    "cho các mục đích nêu trong thông báo."
)
