"""The tenant-isolation harness: every tenant route, requested across tenants.

For each route of the tenant URLconf that takes an object identifier, an object is made in
tenant A and requested from tenant B's host by B's admin (the most privileged user there):
the answer must be a refusal (403/404, or a redirect to sign in) and must contain none of A's
data. Routes without identifiers are requested from B's host and must show none of A's data.
New routes are picked up automatically; a route with an identifier that has no entry in
tests/isolation_registry.py fails the run.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django_tenants.utils import tenant_context

from tests.conftest import tenant_client
from tests.isolation_registry import OBJECT_ROUTES


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield entry.name, prefix + str(entry.pattern), entry


def tenant_routes():
    return list(_walk(get_resolver("leadcrm.urls_tenants").url_patterns))


def _has_arguments(pattern: URLPattern) -> bool:
    return bool(pattern.pattern.converters) or bool(
        getattr(pattern.pattern, "regex", None).groupindex
    )


ROUTES = tenant_routes()
OBJECT_ROUTE_NAMES = sorted(name for name, _, p in ROUTES if _has_arguments(p))
PLAIN_ROUTES = sorted((name, route) for name, route, p in ROUTES if not _has_arguments(p))


def test_every_route_with_an_identifier_is_covered_by_the_harness():
    unnamed = [route for name, route, _ in ROUTES if not name]
    missing = [name for name in OBJECT_ROUTE_NAMES if name not in OBJECT_ROUTES]
    assert not unnamed, f"name these routes so the harness can report them: {unnamed}"
    assert not missing, f"add these routes to tests/isolation_registry.py: {missing}"
    assert OBJECT_ROUTE_NAMES, "the harness found no routes with identifiers"


def _body(response) -> str:
    """The response text, for streamed responses (exports, files) too."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def _refused(response) -> bool:
    if response.status_code in (401, 403, 404, 405):  # 401: the API wants its key
        return True
    return response.status_code == 302 and "/accounts/login/" in response.headers["Location"]


@pytest.mark.parametrize("route_name", OBJECT_ROUTE_NAMES)
def test_object_of_tenant_a_is_refused_on_tenant_b(route_name, cast_a, cast_b):
    from django.urls import reverse

    spec = OBJECT_ROUTES[route_name]
    with tenant_context(cast_a.tenant):
        kwargs, markers = spec.make(cast_a)
        path = reverse(route_name, kwargs=kwargs, urlconf="leadcrm.urls_tenants")
    # Sanity: on its own tenant the object is really there for A's admin (not refused),
    # so a refusal on B means isolation and not a broken route.
    client_b = tenant_client(cast_b, cast_b.admin)
    for method in spec.methods:
        response = getattr(client_b, method.lower())(path)
        body = _body(response)
        leaked = [m for m in markers if m in body]
        assert not leaked, f"{method} {path} on tenant B shows A's data: {leaked}"
        if not (spec.may_answer_200 and response.status_code == 200):
            assert _refused(response), f"{method} {path} on B answered {response.status_code}"
        # Nothing on B's host may have signed B's visitor in as A's user.
        assert response.wsgi_request.user.email not in {cast_a.admin.email, cast_a.rep.email}


@pytest.mark.parametrize("route_name", OBJECT_ROUTE_NAMES)
def test_object_route_works_on_its_own_tenant(route_name, cast_a):
    """The control group: A's own admin reaches A's object (GET is not a 403/404)."""
    from django.urls import reverse

    spec = OBJECT_ROUTES[route_name]
    with tenant_context(cast_a.tenant):
        kwargs, _markers = spec.make(cast_a)
        path = reverse(route_name, kwargs=kwargs, urlconf="leadcrm.urls_tenants")
    client = tenant_client(cast_a, cast_a.admin)
    method = "get" if "GET" in spec.methods else "post"
    response = getattr(client, method)(path)
    assert response.status_code not in (403, 404, 500), f"{path}: {response.status_code}"


@pytest.mark.parametrize(("route_name", "route"), PLAIN_ROUTES)
def test_page_on_tenant_b_shows_nothing_of_tenant_a(route_name, route, cast_a, cast_b):
    from django.urls import reverse

    path = reverse(route_name, urlconf="leadcrm.urls_tenants")
    markers = [cast_a.tenant.name, cast_a.admin.email, cast_a.rep.email, cast_a.rep.full_name]
    for client in (tenant_client(cast_b, cast_b.admin), tenant_client(cast_b)):
        response = client.get(path)
        assert response.status_code < 500, f"{path}: {response.status_code}"
        body = _body(response)
        leaked = [m for m in markers if m in body]
        assert not leaked, f"GET {path} on tenant B shows A's data: {leaked}"
