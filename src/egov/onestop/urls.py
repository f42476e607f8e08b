from django.urls import path

from egov.onestop import views

app_name = "onestop"

urlpatterns = [
    path("can-bo/ho-so/", views.worklist, name="desk_worklist"),
    path("can-bo/ho-so/<str:code>/", views.dossier, name="desk_dossier"),
    path("can-bo/ho-so/<str:code>/quyet-dinh/", views.decide, name="desk_decide"),
    path("can-bo/ho-so/<str:code>/giay-tiep-nhan.pdf", views.receipt, name="desk_receipt"),
    path("can-bo/ho-so/<str:code>/mau-<str:form>.pdf", views.form_pdf, name="desk_form"),
    path("can-bo/ho-so/<str:code>/ket-qua.pdf", views.result_download, name="desk_result"),
    path("can-bo/ho-so/<str:code>/du-thao-ket-qua.pdf", views.result_draft, name="desk_result_draft"),
    path("can-bo/ho-so/<str:code>/tep/<int:file_id>/chu-ky/", views.verify_file, name="desk_verify_file"),
    path("can-bo/so-theo-doi/", views.register, name="desk_register"),
    path("can-bo/tiep-nhan/", views.intake, name="desk_intake"),
    path("can-bo/ho-so/<str:code>/tep/<int:file_id>/", views.desk_download, name="desk_download"),
]
