"""Odd input on every route of the tenant URLconf never answers 500.

The routes are read from the URLconf, as the isolation harness does, so a new page is covered
the day it is added. Each plain route (no identifier in its path) is requested by a tenant
admin with odd query parameters (GET) and odd posted values (POST): over-long text, NUL and
control characters, an encoded lone surrogate, dates out of range, huge numbers, foreign ids, an
absolute ``next``. A refusal (4xx), a page or a redirect is fine; a 5xx is a defect.
"""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from tests.conftest import tenant_client
from tests.isolation_registry import OBJECT_ROUTES
from tests.test_tenant_isolation import OBJECT_ROUTE_NAMES, PLAIN_ROUTES

ODD = {
    "q": "\x00" + "x" * 400,
    "page": "1" + "0" * 30,
    "sort": "\x00;drop",
    "scene": "<script>",
    "status": "\x1b",
    "owner": "not-a-uuid",
    "source": "%ED%A0%80",  # a lone surrogate as a browser would send it, percent-encoded
    "campaign": "00000000-0000-0000-0000-000000000000",
    "created_from": "0001-01-01",
    "created_to": "9999-99-99",
    "from": "0001-01-01",
    "to": "2026-13-45",
    "period": "\x00",
    "score_min": "1e309",
    "score_max": "-1",
    "cf_x": "\x00",
    "next": "https://evil.example/",
    "format": "\x00",
    "name": "N" * 5000,
    "email": "\x00@x",
    "language": "xx" * 100,
    "limit": "10" * 20,
}

#: Routes whose POST does something this test must not (signing out ends the session the
#: next requests use); their GET is still fuzzed.
NO_POST = {"accounts-logout"}


@pytest.mark.parametrize(("name", "route"), PLAIN_ROUTES, ids=[n for n, _ in PLAIN_ROUTES])
def test_odd_query_parameters_never_answer_5xx(cast_a, name, route):
    client = tenant_client(cast_a, cast_a.admin)
    response = client.get("/" + route, ODD)
    assert response.status_code < 500, (name, response.status_code)
    htmx = client.get("/" + route, ODD, HTTP_HX_REQUEST="true")
    assert htmx.status_code < 500, (name, htmx.status_code)


POSTED = [(name, route) for name, route in PLAIN_ROUTES if name not in NO_POST]


@pytest.mark.parametrize(("name", "route"), POSTED, ids=[n for n, _ in POSTED])
def test_odd_posted_values_never_answer_5xx(cast_a, name, route):
    response = tenant_client(cast_a, cast_a.admin).post("/" + route, ODD)
    assert response.status_code < 500, (name, response.status_code)


def test_the_main_pages_render_with_the_odd_parameters_not_just_refuse(cast_a):
    """The fuzzing reaches the pages' code: the lists answer 200 with all of it ignored or
    noted, rather than refusing the request up front."""
    client = tenant_client(cast_a, cast_a.admin)
    for path in ("/leads/", "/pools/", "/customers/", "/tasks/", "/analytics/", "/campaigns/"):
        assert client.get(path, ODD).status_code == 200, path


@pytest.mark.parametrize("route_name", OBJECT_ROUTE_NAMES)
def test_odd_input_on_routes_with_an_object_never_answers_5xx(cast_a, route_name):
    """Every route that shows or changes one object (a lead, a pool, a job ...), with a real
    object of the tenant (made as the isolation harness makes it) and odd input."""
    from django.urls import reverse

    spec = OBJECT_ROUTES[route_name]
    with tenant_context(cast_a.tenant):
        kwargs, _markers = spec.make(cast_a)
        path = reverse(route_name, kwargs=kwargs, urlconf="leadcrm.urls_tenants")
    client = tenant_client(cast_a, cast_a.admin)
    for method in spec.methods:
        response = getattr(client, method.lower())(path, ODD)
        assert response.status_code < 500, (method, path, response.status_code)
