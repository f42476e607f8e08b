from django.urls import path

from egov.signing import views

app_name = "signing"

urlpatterns = [
    path("kiem-tra/", views.verify, name="verify"),
    path("tsa", views.time_stamp, name="tsa"),
    path("crl/<slug:slug>.crl", views.crl, name="crl"),
    path("ca/<slug:slug>.cer", views.ca_certificate, name="ca_certificate"),
    path("trinh-ky/", views.batch, name="batch"),
    path("trinh-ky/<int:pk>/tep/", views.document, name="document"),
]
