"""The cross-tenant access matrix: every URL under an organization, requested as an
anonymous visitor, as another organization's member, as a member without the needed
role, and for another organization's object. Adding a URL extends the matrix by itself;
a URL it cannot cover fails it."""

from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_scopes import scope

from continuum.tenancy.models import PORTAL_ROLES, STAFF_ROLES, Role

from .objects import URL_OBJECTS

AREAS = ("public", "portal", "staff", "api", "fhir")
# Areas that answer with API status codes (401, not a login redirect).
API_AREAS = ("api", "fhir")


@dataclass(frozen=True)
class Route:
    area: str
    name: str
    view: object
    kwargs: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.area}:{self.name}"

    @property
    def view_class(self):
        return getattr(self.view, "cls", None) or getattr(self.view, "view_class", None)

    @property
    def required_roles(self) -> frozenset:
        declared = getattr(self.view, "required_roles", None)
        if declared is None and self.view_class is not None:
            declared = getattr(self.view_class, "required_roles", None)
        if declared:
            return frozenset(declared)
        return {"staff": STAFF_ROLES, "portal": PORTAL_ROLES}.get(self.area, frozenset(Role.values))

    @property
    def is_public(self) -> bool:
        return bool(getattr(self.view, "is_public", False))

    def method(self) -> str:
        cls = self.view_class
        if cls is not None:
            return "get" if hasattr(cls, "get") else "post"
        return "get"


def _routes() -> list[Route]:
    routes = []
    for top in get_resolver().url_patterns:
        if not isinstance(top, URLResolver) or top.namespace not in AREAS:
            continue
        for pattern in top.url_patterns:
            assert isinstance(pattern, URLPattern), (
                f"nested include under {top.namespace} is not supported"
            )
            assert pattern.name, f"unnamed URL pattern {pattern.pattern} under {top.namespace}"
            routes.append(
                Route(
                    area=top.namespace,
                    name=pattern.name,
                    view=pattern.callback,
                    kwargs=tuple(pattern.pattern.converters),
                )
            )
    return routes


ROUTES = _routes()
PROTECTED = [r for r in ROUTES if r.area != "public"]


def _url(route: Route, org, *, objects_from=None) -> str:
    source = objects_from or org
    kwargs = {"org": org.slug}
    with scope(organization=source.pk):
        for name in route.kwargs:
            assert name in URL_OBJECTS, (
                f"{route}: no object factory for URL keyword '{name}' in tests/isolation/objects.py"
            )
            kwargs[name] = URL_OBJECTS[name](source)
    return reverse(str(route), kwargs=kwargs)


def _request(client, route: Route, url: str):
    method = route.method()
    response = getattr(client, method)(url)
    if response.status_code == 405 and method == "get":
        response = client.post(url)
    return response


def _lacking_role(route: Route) -> str | None:
    needed = route.required_roles
    area_roles = {"staff": STAFF_ROLES, "portal": PORTAL_ROLES}.get(
        route.area, frozenset(Role.values)
    )
    # Prefer a role that passes the area's door, so the view's own check is what refuses.
    for candidate in [*sorted(area_roles), *sorted(Role.values)]:
        if candidate not in needed:
            return candidate
    return None


def _assert_fhir_error(route: Route, response, code: str) -> None:
    """The FHIR area speaks FHIR even when refusing: an OperationOutcome."""
    if route.area != "fhir":
        return
    assert response["Content-Type"].startswith("application/fhir+json")
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    assert body["issue"][0]["code"] == code


def test_matrix_found_every_area():
    areas = {r.area for r in ROUTES}
    assert areas == set(AREAS)


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_route_declares_its_access(route):
    if route.area == "public":
        assert route.is_public, f"{route} is in the public area but not marked @public_view"
    else:
        assert not route.is_public, f"{route} is marked public outside the public area"


@pytest.mark.parametrize("route", PROTECTED, ids=str)
def test_anonymous_is_sent_to_log_in(client, org, route):
    response = _request(client, route, _url(route, org))
    if route.area in API_AREAS:
        assert response.status_code == 401, response.content
        _assert_fhir_error(route, response, "login")
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login") + "?next=")


@pytest.mark.parametrize("route", PROTECTED, ids=str)
def test_other_organizations_member_gets_404(client, org, outsider, route):
    client.force_login(outsider)
    response = _request(client, route, _url(route, org))
    assert response.status_code == 404
    _assert_fhir_error(route, response, "not-found")


@pytest.mark.parametrize("route", PROTECTED, ids=str)
def test_member_without_the_role_gets_403(client, org, members, route):
    role = _lacking_role(route)
    if role is None:
        pytest.skip(f"{route} is open to every role of the organization")
    client.force_login(members[role])
    response = _request(client, route, _url(route, org))
    assert response.status_code == 403, f"{route} as {role}: {response.status_code}"
    _assert_fhir_error(route, response, "forbidden")


OBJECT_ROUTES = [r for r in PROTECTED if r.kwargs]


@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=str)
def test_another_organizations_object_is_404(client, org, other_org, members, route):
    """A member with the right role, asking in their own organization for an object that
    belongs to another one."""
    allowed = sorted(route.required_roles)[0]
    client.force_login(members[allowed])
    response = _request(client, route, _url(route, org, objects_from=other_org))
    assert response.status_code == 404


@pytest.mark.parametrize("route", [r for r in ROUTES if r.area == "public"], ids=str)
def test_public_pages_open_to_anyone_and_404_for_unknown_organizations(client, org, route):
    response = _request(client, route, _url(route, org))
    assert response.status_code == 200
    url = _url(route, org).replace(f"/{org.slug}/", "/no-such-org/", 1)
    assert client.get(url).status_code == 404
