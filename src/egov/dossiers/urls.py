from django.urls import path

from egov.dossiers import views

app_name = "dossiers"

urlpatterns = [
    path("tra-cuu-ho-so/", views.lookup, name="lookup"),
]
