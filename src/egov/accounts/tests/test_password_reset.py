"""Password reset by e-mail, delivered through a real SMTP server."""

import re
from typing import Any

from django.test import Client

from egov.audit.models import AuditEntry


def test_a_citizen_resets_their_password_by_email(demo: None, settings: Any, smtp_server: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = smtp_server.hostname, smtp_server.port
    client = Client()
    response = client.post("/tai-khoan/quen-mat-khau/", {"email": "NguyenVanAn@binhphuoc.demo"})
    assert response.status_code == 302
    assert "Hãy kiểm tra hộp thư" in client.get(response["Location"]).content.decode()

    assert len(smtp_server.received) == 1
    message = smtp_server.received[0]
    assert message["To"] == "nguyenvanan@binhphuoc.demo"
    body = message.get_payload(decode=True).decode(message.get_content_charset())
    assert (
        "Đặt lại mật khẩu" in str(message["Subject"])
        or "Đặt lại mật khẩu" in body
        or "đặt mật khẩu mới" in body
    )
    link = re.search(rf"{settings.EGOV_SITE_URL}(/tai-khoan/dat-lai-mat-khau/\S+/)", body).group(1)  # type: ignore[union-attr]

    form_page = client.get(link, follow=True)
    assert "Đặt mật khẩu mới" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    weak = client.post(set_url, {"new_password1": "123", "new_password2": "123"})
    assert weak.status_code == 200 and "quá ngắn" in weak.content.decode()
    done = client.post(set_url, {"new_password1": "Rung-Cao-Su-2025", "new_password2": "Rung-Cao-Su-2025"})
    assert done.status_code == 302
    assert AuditEntry.objects.filter(
        action="password_reset", actor__email="nguyenvanan@binhphuoc.demo"
    ).exists()

    signed_in = Client().post(
        "/tai-khoan/dang-nhap/", {"username": "0912345678", "password": "Rung-Cao-Su-2025"}
    )
    assert signed_in.status_code == 302
    reused = client.get(link, follow=True)
    assert "không hợp lệ hoặc đã được dùng" in reused.content.decode()


def test_an_unknown_address_gets_the_same_answer_and_no_mail(
    demo: None, settings: Any, smtp_server: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = smtp_server.hostname, smtp_server.port
    response = Client().post("/tai-khoan/quen-mat-khau/", {"email": "ai-do@example.vn"})
    assert response.status_code == 302
    assert smtp_server.received == []
