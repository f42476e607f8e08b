from django.urls import path

from egov.submission import views

app_name = "submission"

urlpatterns = [
    path("nop-ho-so/<str:national_code>/", views.start, name="start"),
    path("thu-tuc/<str:national_code>/to-khai.pdf", views.blank_declaration, name="blank_declaration"),
    path("ho-so-nhap/<int:draft_id>/to-khai.pdf", views.draft_declaration, name="draft_declaration"),
    path("ho-so-nhap/<int:draft_id>/buoc-<int:index>/", views.step, name="step"),
    path("ho-so-nhap/<int:draft_id>/nop/", views.submit, name="submit"),
    path("ho-so-cua-toi/", views.mine, name="mine"),
    path("thong-bao/", views.notices, name="notices"),
    path("thong-bao/<int:notice_id>/", views.open_notice, name="open_notice"),
    path("ho-so-cua-toi/<str:code>/", views.detail, name="detail"),
    path("ho-so-cua-toi/<str:code>/da-nop/", views.submitted, name="submitted"),
    path("ho-so-cua-toi/<str:code>/phieu-xac-nhan.pdf", views.acknowledgement, name="acknowledgement"),
    path("ho-so-cua-toi/<str:code>/tep/<int:file_id>/", views.download, name="download"),
    path("ho-so-cua-toi/<str:code>/thao-tac/", views.citizen_action, name="citizen_action"),
    path("ho-so-cua-toi/<str:code>/ket-qua.pdf", views.result_download, name="result"),
]
