from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core import health
from core import views as core_views
from organizations import views as organizations_views

admin.site.site_header = _("Unified project demand management")
admin.site.site_title = _("Demand management administration")

api_v1 = [
    path("", include("organizations.api")),
    path("", include("assets.api")),
    path("", include("projects.api_urls")),
    path("", include("budgets.api")),
    path("", include("reports.api")),
]

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    # Browsers ask for /favicon.ico on pages without a <link rel=icon> (a PDF, a JSON answer).
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("accounts/login/", auth_views.LoginView.as_view(template_name="registration/login.html", redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The switch also stores the choice on the signed-in user (before Django's own set_language).
    path("i18n/setlang/", organizations_views.set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("core.urls")),
    path("", include("projects.urls")),
    path("catalogue/", include("assets.urls")),
    path("money/", include("budgets.urls")),
    path("reports/", include("reports.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its script from a URL (no inline script); Swagger UI sets styles inline.
    path("api/docs/", csp_update({"style-src": [UNSAFE_INLINE]})(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
         name="api-docs"),
]
