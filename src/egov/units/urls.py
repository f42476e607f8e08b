from django.urls import path

from egov.units import views

app_name = "units"
urlpatterns = [
    path("xa-phuong/", views.commune_options, name="commune_options"),
]
