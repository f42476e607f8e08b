"""The public portal in English as well as Vietnamese: Vietnamese unless the visitor chooses English with the
switch in the header (a plain form, no JavaScript); the same URLs in both languages."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def english(client: Client, back_to: str = "/") -> Client:
    response = client.post("/i18n/setlang/", {"language": "en", "next": back_to})
    assert response.status_code == 302 and response["Location"] == back_to
    return client


def test_vietnamese_by_default_even_when_the_browser_prefers_english(demo: None, client: Client) -> None:
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    html = page.content.decode()
    assert page["Content-Language"] == "vi" and '<html lang="vi">' in html
    assert "Bỏ qua, đến nội dung chính" in html
    assert 'name="language" value="en"' in html and 'action="/i18n/setlang/"' in html  # the switch


def test_the_switch_turns_the_interface_english_and_back(demo: None, client: Client) -> None:
    html = english(client, "/thu-tuc/?q=khai+sinh").get("/thu-tuc/?q=khai+sinh").content.decode()
    assert '<html lang="en">' in html
    assert (
        "Skip to main content" in html and "Administrative procedures" in html and "Find a procedure" in html
    )
    assert "Birth registration" in html  # a procedure's English name where one exists
    assert "Đăng ký lại khai sinh" in html  # … and the Vietnamese name where none does
    assert 'name="language" value="vi"' in html
    client.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    assert "Bỏ qua, đến nội dung chính" in client.get("/").content.decode()


def test_a_procedure_page_in_english_keeps_the_vietnamese_name_and_text_marked(
    demo: None, client: Client
) -> None:
    html = english(client).get("/thu-tuc/1.001193/").content.decode()
    assert "<h1>Birth registration</h1>" in html and '<p lang="vi" class="lead">Đăng ký khai sinh</p>' in html
    assert (
        "Frequently asked questions" in html
        and "How long do I have to register my child&#x27;s birth?" in html
    )
    assert "Legal basis" in html and '<div class="prose" lang="vi">' in html


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/tro-giup/", "Can I file outside office hours?"),
        ("/lien-he/", "Monday – Friday: 7:00–11:30, 13:30–17:00"),
        ("/quyen-rieng-tu/", "Personal data processing notice"),
        ("/tuyen-bo-tiep-can/", "WCAG 2.1 level AA"),
        ("/tra-cuu-ho-so/", "Dossier code"),
        ("/tai-khoan/dang-nhap/", "Forgot your password?"),
        ("/tai-khoan/dang-ky/", "I have read the personal data processing notice"),
    ],
)
def test_public_pages_read_in_english(demo: None, client: Client, path: str, words: str) -> None:
    response = english(client, path).get(path)
    assert response.status_code == 200 and words in response.content.decode()


def test_sign_up_mistakes_are_explained_in_english_too(demo: None, client: Client) -> None:
    response = english(client, "/tai-khoan/dang-ky/").post("/tai-khoan/dang-ky/", {"loai": "cong-dan"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "An e-mail address is needed to receive the link that activates the account" in html
    assert "Tick the box to agree to the personal data processing notice" in html
    assert "There are" in html and "problems to fix" in html


def test_the_administration_stays_vietnamese(demo: None, client: Client) -> None:
    response = english(client).get("/admin/login/")
    assert response["Content-Language"] == "vi"
