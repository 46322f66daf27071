"""The URL modules the service lines add to the organization's four areas (`public`,
`portal`, `staff`, `api`; see continuum/urls.py). A line registers its `urls` module
from its `extensions.py` (continuum.extensions); the module's `public_urlpatterns`,
`portal_urlpatterns`, `staff_urlpatterns` and `api_urlpatterns` join those areas."""

from continuum.extensions import Registry

URL_MODULES: Registry[str] = Registry(
    "tenant_url_modules", holds="a line's urls module (dotted path)"
)
register = URL_MODULES.register
