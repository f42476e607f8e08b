from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django_otp.admin import OTPAdminSite

from egov.api import api
from egov.core import views as core_views


def admin_login(request: HttpRequest, extra_context: object = None) -> HttpResponse:
    """The admin signs in through the portal's sign-in, which asks officers for their second factor."""
    return redirect_to_login(request.GET.get("next", "/admin/"))


admin.site.__class__ = OTPAdminSite  # the admin needs a verified second factor
admin.site.login = admin_login  # type: ignore[method-assign]
admin.site.site_header = "Quản trị nền tảng chính quyền điện tử"
admin.site.site_title = "Quản trị"
admin.site.index_title = "Danh mục và tài khoản"

# Vietnamese error pages (and JSON under /api/); the 500 page needs neither the database nor a session.
handler400 = "egov.core.views.bad_request"
handler403 = "egov.core.views.permission_denied"
handler404 = "egov.core.views.page_not_found"
handler500 = "egov.core.views.server_error"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("tai-khoan/", include("egov.accounts.urls")),
    path("thu-tuc/", include("egov.catalog.urls")),
    path("chu-ky-so/", include("egov.signing.urls")),
    path("don-vi-hanh-chinh/", include("egov.units.urls")),
    path("", include("egov.dossiers.urls")),
    path("", include("egov.submission.urls")),
    path("", include("egov.onestop.urls")),
    # The language switch (a form posting to set_language; the choice is kept in a cookie). URLs stay the same
    # in every language: QR codes and links printed on forms and results keep working.
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("egov.portal.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
