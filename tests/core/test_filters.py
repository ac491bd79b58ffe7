"""Every filter of every catalogue and organization list, on pages and in the API, refuses bad values: never a 500.

The filters come from the views themselves (the filter set of each page and viewset), so that a
new filter is driven here without being listed.
"""

from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assets.api import DataResourceViewSet, HardwareViewSet, SystemViewSet
from assets.filters import DataResourceFilter, HardwareFilter, SystemFilter
from core.filters import FilterBackend
from organizations.api import OrganizationViewSet, RegionViewSet

pytestmark = pytest.mark.django_db

PAGES = {"assets:system_list": SystemFilter, "assets:data_resource_list": DataResourceFilter, "assets:hardware_list": HardwareFilter}
VIEWSETS = {"/api/v1/systems/": SystemViewSet, "/api/v1/data-resources/": DataResourceViewSet, "/api/v1/hardware/": HardwareViewSet,
            "/api/v1/organizations/": OrganizationViewSet, "/api/v1/regions/": RegionViewSet}
# Malformed and out-of-range values, as raw query-string text (percent-encoded where a client would).
BAD = ["99999999999999999999", "9223372036854775808", "-1", "0", "abc", "1e3", "1.5", "%00", "1%00", "x" * 5000,
       "%ED%A0%80", "%F0%9F%92%A9", "%FF%FE", "+1", " 1", "１２", "-9223372036854775809", "[]", "true", "null"]


def _filters(viewset):
    """The filter set the API uses for a viewset: its own, or the one generated from `filterset_fields`."""
    if getattr(viewset, "filterset_class", None):
        return viewset.filterset_class
    return FilterBackend().get_filterset_class(viewset(action="list"), viewset.queryset)


def _get(client, path, name, raw):
    return client.generic("GET", path, QUERY_STRING=f"{name}={quote(raw, safe='%+')}")


def _params():
    for path, viewset in VIEWSETS.items():
        for name in _filters(viewset).base_filters:
            yield pytest.param(path, name, id=f"{path}?{name}")


@pytest.mark.parametrize("path,name", list(_params()))
def test_every_api_filter_answers_bad_values_with_400_or_200(api, users, path, name):
    client = api.as_user(users["prov_reviewer"])
    for raw in BAD:
        response = _get(client, path, name, raw)
        assert response.status_code in (200, 400), (name, raw, response.status_code)
        if response.status_code == 400:
            assert name in response.json(), response.json()


@pytest.mark.parametrize("url_name,name", [(u, n) for u, f in PAGES.items() for n in f.base_filters])
def test_every_page_filter_answers_bad_values_with_the_page(login, users, url_name, name):
    client = login(users["prov_reviewer"])
    for raw in BAD:
        response = _get(client, reverse(url_name), name, raw)
        assert response.status_code == 200, (name, raw, response.status_code)


@pytest.mark.parametrize("path,param", [("/api/v1/organizations/", "city"), ("/api/v1/organizations/", "region"),
                                        ("/api/v1/regions/", "parent"), ("/api/v1/systems/", "owner_org"),
                                        ("/api/v1/systems/", "city")])
def test_a_huge_id_is_a_400_naming_the_parameter(api, users, path, param):
    with translation.override("en"):
        response = api.as_user(users["prov_reviewer"]).get(path, {param: "99999999999999999999"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json() == {param: [f"{param}: “99999999999999999999” is not an id; give a whole number from 1 to 9223372036854775807."]}


def test_a_page_shows_the_filter_error_beside_the_filter(login, users):
    response = login(users["prov_reviewer"]).get(reverse("assets:system_list"), {"owner_org": "99999999999999999999"},
                                                 HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "owner_org: “99999999999999999999” is not an id" in response.content.decode()


def test_a_nul_in_the_search_is_refused_before_the_database(api, users):
    response = api.as_user(users["prov_reviewer"]).generic("GET", "/api/v1/systems/", QUERY_STRING="q=a%00b")
    assert response.status_code == 400 and list(response.json()) == ["q"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path_name=st.sampled_from(list(_params())), value=st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.text(max_size=300),
    st.binary(max_size=40).map(lambda b: b.hex()),
))
def test_any_value_of_any_api_filter_is_never_a_server_error(api, users, path_name, value):
    path, name = path_name.values
    response = _get(api.as_user(users["prov_reviewer"]), path, name, quote(value.encode("utf-8", "surrogatepass")))
    assert response.status_code in (200, 400), (name, value, response.status_code)
