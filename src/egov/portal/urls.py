from django.urls import path

from egov.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("tro-giup/", views.help_page, name="help"),
    path("lien-he/", views.contact, name="contact"),
    path("tuyen-bo-tiep-can/", views.accessibility, name="accessibility"),
    path("quyen-rieng-tu/", views.privacy_notice, name="privacy"),
    path("du-lieu-cua-toi/", views.my_data, name="my_data"),
    path("du-lieu-cua-toi/tai-ve.<str:kind>", views.my_data_download, name="my_data_download"),
    path("du-lieu-cua-toi/dong-tai-khoan/", views.close_account, name="close_account"),
]
