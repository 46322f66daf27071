"""Every organization-scoped URL lives under one of four namespaces: `public`
(/<org>/), `portal` (/<org>/portal/), `staff` (/<org>/staff/) and `api`
(/api/v1/<org>/). The tenant middleware keys its access rules on those namespaces, and
each app contributes patterns to them: the spine's apps through the lists below, the
service lines through `continuum.tenancy.areas.URL_MODULES`, which they fill from their
`extensions.py`."""

from importlib import import_module

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from continuum import views
from continuum.accounts import api as accounts_api
from continuum.accounts import idle
from continuum.operations import views as operations_views
from continuum.tenancy import views as tenancy_views
from continuum.tenancy.areas import URL_MODULES

# The spine's apps whose urls.py contributes public/portal/staff/api patterns, in order:
# these first, then the lines' registered modules, then the closing ones.
SPINE_URL_MODULES = [
    "continuum.tenancy.urls",
    "continuum.audit.urls",
    "continuum.consent.urls",
    "continuum.notifications.urls",
    "continuum.people.urls",
    "continuum.care.urls",
    "continuum.messaging.urls",
]
CLOSING_URL_MODULES = ["continuum.fhir.urls", "continuum.operations.urls"]
TENANT_URL_MODULES = [*SPINE_URL_MODULES, *URL_MODULES, *CLOSING_URL_MODULES]


def _collect(kind: str) -> list:
    patterns: list = []
    for module_name in TENANT_URL_MODULES:
        patterns += getattr(import_module(module_name), f"{kind}_urlpatterns", [])
    return patterns


urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("metrics", operations_views.metrics_view, name="metrics"),
    # The language switcher posts here (set_language); the choice is kept in a cookie.
    path("i18n/", include("django.conf.urls.i18n")),
    path("", tenancy_views.home, name="home"),
    path("organizations/", tenancy_views.organization_switcher, name="organization_switcher"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path(
        "api/docs/",
        # The split view serves its start-up script as a file, so the CSP needs no inline script.
        SpectacularSwaggerSplitView.as_view(url_name="api_schema"),
        name="api_docs",
    ),
    path("api/v1/auth/token/", accounts_api.ObtainTokenView.as_view(), name="api_token"),
    path("session/keep-alive/", idle.keep_alive, name="session_keep_alive"),
    path("api/v1/<slug:org>/", include((_collect("api"), "api"))),
    path("fhir/r4/<slug:org>/", include(("continuum.fhir.urls", "fhir"))),
    path("<slug:org>/staff/", include((_collect("staff"), "staff"))),
    path("<slug:org>/portal/", include((_collect("portal"), "portal"))),
    path("<slug:org>/", include((_collect("public"), "public"))),
]

handler500 = "continuum.operations.errors.server_error"
