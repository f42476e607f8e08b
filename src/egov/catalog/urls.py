from django.urls import path

from egov.catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.procedure_list, name="list"),
    path("<str:national_code>/", views.procedure_page, name="detail"),
]
