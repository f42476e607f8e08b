from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from egov.accounts import views

app_name = "accounts"

urlpatterns = [
    path("dang-nhap/", views.sign_in, name="login"),
    path("dang-nhap/xac-thuc/", views.second_factor, name="second_factor"),
    path("dang-nhap/xac-thuc/thiet-lap/", views.enroll_second_factor, name="enroll_second_factor"),
    path("thiet-lap-xac-thuc/<str:token>/", views.enrolment_link, name="enrolment_link"),
    path("quan-tri/xac-thuc-hai-lop/", views.enrolment_admin, name="enrolment_admin"),
    path("dang-xuat/", views.sign_out, name="logout"),
    path("dang-ky/", views.sign_up, name="sign_up"),
    path("dang-ky/da-gui/", views.sign_up_sent, name="sign_up_sent"),
    path("dang-ky/kich-hoat/<str:token>/", views.sign_up_confirm, name="sign_up_confirm"),
    path("can-bo/", views.desk, name="desk"),
    path(
        "quen-mat-khau/",
        views.PasswordReset.as_view(
            success_url=reverse_lazy("accounts:password_reset_done"),
            email_template_name="accounts/email/password_reset.txt",
            subject_template_name="accounts/email/password_reset_subject.txt",
            template_name="accounts/password_reset_form.html",
        ),
        name="password_reset",
    ),
    path(
        "quen-mat-khau/da-gui/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "dat-lai-mat-khau/<uidb64>/<token>/",
        views.PasswordResetConfirm.as_view(
            success_url=reverse_lazy("accounts:password_reset_complete"),
            template_name="accounts/password_reset_confirm.html",
        ),
        name="password_reset_confirm",
    ),
    path(
        "dat-lai-mat-khau/xong/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
]
