from django.urls import path

from egov.onestop import views as desk_views
from egov.submission import views
from egov.dossiers import views as dossiers_views

app_name = "dossiers"

urlpatterns = [
    path("nop-ho-so/<str:national_code>/", views.start, name="start"),
    path("ho-so-nhap/<int:draft_id>/buoc-<int:index>/", views.step, name="step"),
    path("ho-so-nhap/<int:draft_id>/nop/", views.submit, name="submit"),
    path("ho-so-cua-toi/", views.mine, name="mine"),
    path("ho-so-cua-toi/<str:code>/", views.detail, name="detail"),
    path("ho-so-cua-toi/<str:code>/da-nop/", views.submitted, name="submitted"),
    path("ho-so-cua-toi/<str:code>/phieu-xac-nhan.pdf", views.acknowledgement, name="acknowledgement"),
    path("ho-so-cua-toi/<str:code>/tep/<int:file_id>/", views.download, name="download"),
    path("ho-so-cua-toi/<str:code>/thao-tac/", views.citizen_action, name="citizen_action"),
    path("ho-so-cua-toi/<str:code>/ket-qua.pdf", views.result_download, name="result"),
    path("tra-cuu-ho-so/", dossiers_views.lookup, name="lookup"),
    path("can-bo/ho-so/", desk_views.worklist, name="desk_worklist"),
    path("can-bo/ho-so/<str:code>/", desk_views.dossier, name="desk_dossier"),
    path("can-bo/ho-so/<str:code>/quyet-dinh/", desk_views.decide, name="desk_decide"),
    path("can-bo/ho-so/<str:code>/giay-tiep-nhan.pdf", desk_views.receipt, name="desk_receipt"),
    path("can-bo/ho-so/<str:code>/mau-<str:form>.pdf", desk_views.form_pdf, name="desk_form"),
    path("can-bo/ho-so/<str:code>/ket-qua.pdf", desk_views.result_download, name="desk_result"),
    path(
        "can-bo/ho-so/<str:code>/tep/<int:file_id>/chu-ky/", desk_views.verify_file, name="desk_verify_file"
    ),
    path("can-bo/so-theo-doi/", desk_views.register, name="desk_register"),
    path("can-bo/tiep-nhan/", desk_views.intake, name="desk_intake"),
    path("can-bo/ho-so/<str:code>/tep/<int:file_id>/", desk_views.desk_download, name="desk_download"),
]
