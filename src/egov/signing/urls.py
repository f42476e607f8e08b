from django.urls import path

from egov.signing import views

app_name = "signing"

urlpatterns = [
    path("kiem-tra/", views.verify, name="verify"),
    path("tsa", views.time_stamp, name="tsa"),
    path("crl/<slug:slug>.crl", views.crl, name="crl"),
    path("ca/<slug:slug>.cer", views.ca_certificate, name="ca_certificate"),
    path("ca/<slug:slug>.pem", views.ca_certificate, {"pem": True}, name="ca_certificate_pem"),
    path("chung-thu-goc/<int:pk>.cer", views.trusted_root, name="trusted_root"),
    path("chung-thu-goc/<int:pk>.pem", views.trusted_root, {"pem": True}, name="trusted_root_pem"),
    path("trinh-ky/", views.batch, name="batch"),
    path("trinh-ky/<int:pk>/tep/", views.document, name="document"),
]
