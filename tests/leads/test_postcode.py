"""The lead's postcode, end to end: one rule (letters, digits, spaces and hyphens, at most 20
characters, trimmed) at every entry point (form, API, import, web form), and the field shown
and usable wherever the address is (lead page, history, export, the list's prefix filter,
the import's column names and template)."""

import csv
import io
import json

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from leadcrm.accounts.services import api_key_create
from leads.errors import LeadError
from leads.importing.mapping import mapping_suggest
from leads.importing.services import import_job_create, import_job_start, import_run
from leads.models import ImportIssue, Lead
from leads.selectors import LeadFilters, lead_list
from leads.services import lead as lead_services
from leads.services.webforms import webform_save
from tests.conftest import tenant_client

BAD_SHAPE = "A postcode has only letters, digits, spaces and hyphens."


def _lead(cast, name: str, **fields) -> Lead:
    return lead_services.lead_create(actor=cast.rep, owner=cast.rep, name=name, **fields)


# The rule -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("SW1A 1AA", "SW1A 1AA"),
        ("94107", "94107"),
        ("94107-1234", "94107-1234"),
        ("200120", "200120"),
        ("  E14   4QW ", "E14 4QW"),  # trimmed, inner spaces collapsed
        ("９４１０７", "94107"),  # full-width digits, as a Chinese keyboard types them
        ("", ""),
    ],
)
def test_a_postcode_is_kept_trimmed(in_tenant_a, given, stored):
    lead = _lead(in_tenant_a, "Kept", postcode=given)
    lead.refresh_from_db()
    assert lead.postcode == stored


@pytest.mark.parametrize("bad", ["<script>", "12#45", "94107/8", "上海", "-", "SW1A_1AA"])
def test_a_postcode_with_other_characters_is_refused_naming_the_field(in_tenant_a, bad):
    with pytest.raises(LeadError) as refused:
        _lead(in_tenant_a, "Refused", postcode=bad)
    assert (refused.value.field, refused.value.message) == ("postcode", BAD_SHAPE)
    assert not Lead.objects.filter(name="Refused").exists()


def test_a_postcode_over_20_characters_is_refused_in_words(in_tenant_a):
    with pytest.raises(LeadError) as refused:
        _lead(in_tenant_a, "Long", postcode="1" * 21)
    assert refused.value.field == "postcode"
    assert refused.value.message == "postcode has at most 20 characters (this one has 21)."
    lead = _lead(in_tenant_a, "Just fits", postcode="1" * 20)
    with pytest.raises(LeadError, match="at most 20"):
        lead_services.lead_update(lead=lead, actor=in_tenant_a.rep, postcode="2" * 21)


# Form and lead page ---------------------------------------------------------------------


def test_the_new_lead_form_saves_the_postcode_and_the_page_shows_it(cast_a):
    client = tenant_client(cast_a, cast_a.rep)
    form = client.get(reverse("leads-create")).content.decode()
    assert 'name="postcode"' in form
    response = client.post(
        reverse("leads-create"),
        {"name": "Jane Doe", "city": "London", "postcode": " SW1A 1AA ", "priority": "normal"},
    )
    assert response.status_code == 302
    lead = Lead.objects.get(name="Jane Doe")
    assert (lead.city, lead.postcode) == ("London", "SW1A 1AA")
    page = client.get(reverse("leads-detail", kwargs={"uuid": lead.uuid})).content.decode()
    assert "<dt>Postcode</dt><dd>SW1A 1AA</dd>" in page
    other = _lead(cast_a, "No postcode")
    page = client.get(reverse("leads-detail", kwargs={"uuid": other.uuid})).content.decode()
    assert "<dt>Postcode</dt><dd>—</dd>" in page


def test_the_edit_form_shows_a_bad_postcode_next_to_the_field_and_changes_nothing(cast_a):
    from django_tenants.utils import tenant_context

    with tenant_context(cast_a.tenant):
        lead = _lead(cast_a, "Jane Doe", postcode="94107")
    client = tenant_client(cast_a, cast_a.rep)
    url = reverse("leads-edit", kwargs={"uuid": lead.uuid})
    response = client.post(url, {"name": "Jane Doe", "postcode": "12#45", "priority": "normal"})
    assert response.status_code == 200
    assert response.context["form"].errors["postcode"] == [BAD_SHAPE]
    assert 'value="12#45"' in response.content.decode()  # what was typed, to correct
    with tenant_context(cast_a.tenant):
        assert Lead.objects.get(pk=lead.pk).postcode == "94107"
    response = client.post(
        url, {"name": "Jane Doe", "postcode": "94107-1234", "priority": "normal"}
    )
    assert response.status_code == 302
    with tenant_context(cast_a.tenant):
        assert Lead.objects.get(pk=lead.pk).postcode == "94107-1234"


def test_the_history_names_the_postcode_change(cast_a):
    from django_tenants.utils import tenant_context

    with tenant_context(cast_a.tenant):
        lead = _lead(cast_a, "Moved", postcode="94107")
        lead_services.lead_update(lead=lead, actor=cast_a.rep, postcode="10001")
    tab = tenant_client(cast_a, cast_a.rep).get(
        reverse("leads-detail", kwargs={"uuid": lead.uuid}),
        {"tab": "history"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="lead-tab",
    )
    assert "<strong>Postcode</strong>: 94107 → 10001" in tab.content.decode()


# API ------------------------------------------------------------------------------------


@pytest.fixture
def api(in_tenant_a):
    _key, secret = api_key_create(actor=in_tenant_a.admin, name="Website")
    return in_tenant_a, Client(HTTP_HOST=in_tenant_a.host, HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_the_api_creates_reads_and_updates_the_postcode(api):
    _cast, client = api
    created = client.post(
        reverse("api-leads"),
        json.dumps({"name": "Li Na", "postcode": " 200120 "}),
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["postcode"] == "200120"
    location = created["Location"]
    assert client.get(location).json()["postcode"] == "200120"
    patched = client.patch(
        location, json.dumps({"postcode": 94107}), content_type="application/json"
    )  # a number is read as its digits, as for the other text fields
    assert patched.status_code == 200
    assert patched.json()["postcode"] == "94107"
    assert (
        "postcode"
        in client.get(reverse("api-openapi")).json()["components"]["schemas"]["Lead"]["properties"]
    )


def test_the_api_refuses_a_bad_postcode_naming_the_field(api):
    _cast, client = api
    refused = client.post(
        reverse("api-leads"),
        json.dumps({"name": "Bad Zip", "postcode": "<script>"}),
        content_type="application/json",
    )
    # 422 like every value the lead's rules refuse (a bad email too); 400 is for bad JSON.
    assert refused.status_code == 422
    assert refused.json()["error"] == {"message": BAD_SHAPE, "field": "postcode"}
    assert not Lead.objects.filter(name="Bad Zip").exists()
    lead = Lead.objects.create(name="Kept")
    url = reverse("api-lead", kwargs={"uuid": lead.uuid})
    patched = client.patch(url, json.dumps({"postcode": "12#45"}), content_type="application/json")
    assert patched.status_code == 422
    assert patched.json()["error"]["field"] == "postcode"
    assert Lead.objects.get(pk=lead.pk).postcode == ""


# Import ---------------------------------------------------------------------------------


def _run(job):
    job = import_job_start(
        job=job, actor=job.created_by, mapping=job.mapping, on_duplicate="skip", owner=None,
        source_detail="", run_rules=False,
    )  # fmt: skip
    return import_run(job.pk)


def _xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    "header",
    ["postcode", "Post Code", "Postal code", "ZIP", "Zip Code", "zipcode", "邮编", "邮政编码"],
)
def test_the_column_names_people_use_map_to_the_postcode(header):
    assert mapping_suggest(["Name", header, "City"]) == {0: "name", 1: "postcode", 2: "city"}


def test_an_import_with_a_zip_code_column_lands_the_values(in_tenant_a):
    data = "Name,City,ZIP Code\nAnna Lee,San Francisco,94107\nBen Ko,New York,10001-1234\n"
    job = import_job_create(actor=in_tenant_a.admin, filename="us.csv", data=data.encode())
    assert job.mapping["2"] == "postcode"
    job = _run(job)
    assert (job.created, job.errors) == (2, 0)
    assert Lead.objects.get(name="Anna Lee").postcode == "94107"
    assert Lead.objects.get(name="Ben Ko").postcode == "10001-1234"


def test_an_import_with_a_chinese_postcode_column_keeps_leading_zeros(in_tenant_a):
    rows = [["姓名", "城市", "邮编"], ["王小明", "上海", "200120"], ["张伟", "呼和浩特", "010010"]]
    job = import_job_create(actor=in_tenant_a.admin, filename="cn.xlsx", data=_xlsx(rows))
    assert job.mapping["2"] == "postcode"
    job = _run(job)
    assert job.created == 2
    assert Lead.objects.get(name="王小明").postcode == "200120"
    assert Lead.objects.get(name="张伟").postcode == "010010"


def test_a_bad_postcode_is_reported_with_its_row_and_the_good_rows_land(in_tenant_a):
    data = (
        "Name,Mobile,Postcode\n"
        "Good One,13900000001,SW1A 1AA\n"
        "Bad Cell,13900000002,12#45\n"
        "Good Two,13900000003,94107\n"
    )
    job = _run(import_job_create(actor=in_tenant_a.admin, filename="mixed.csv", data=data.encode()))
    # As any bad optional cell (an e-mail, a phone): the person lands without it, the value
    # kept in the notes, and the report names the row.
    assert (job.created, job.errors, job.cells_left_out) == (3, 0, 1)
    assert Lead.objects.get(name="Good One").postcode == "SW1A 1AA"
    assert Lead.objects.get(name="Good Two").postcode == "94107"
    bad = Lead.objects.get(name="Bad Cell")
    assert (bad.postcode, bad.notes) == ("", "Postcode: 12#45")
    issue = ImportIssue.objects.get(job=job)
    assert (issue.row_number, issue.column, issue.value) == (3, "Postcode", "12#45")
    assert (issue.reason, issue.is_error) == (BAD_SHAPE, False)


def test_a_too_long_postcode_cell_is_left_out_with_a_reason(in_tenant_a):
    data = "Name,Postcode\nLong Zip," + "9" * 21 + "\n"
    job = _run(import_job_create(actor=in_tenant_a.admin, filename="long.csv", data=data.encode()))
    assert job.created == 1
    assert Lead.objects.get(name="Long Zip").postcode == ""
    assert ImportIssue.objects.get(job=job).reason == "longer than 20 characters"


def test_the_import_template_has_a_postcode_column_with_an_example(cast_a):
    response = tenant_client(cast_a, cast_a.admin).get(reverse("leads-import-template"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    headers = [cell.value for cell in sheet[1]]
    example = [cell.value for cell in sheet[2]]
    assert "Postcode" in headers
    assert headers.index("Postcode") == headers.index("City") + 1
    assert example[headers.index("Postcode")] == "200120"


# Export ---------------------------------------------------------------------------------


def test_the_export_has_a_postcode_column(cast_a):
    from django_tenants.utils import tenant_context

    with tenant_context(cast_a.tenant):
        _lead(cast_a, "Jane Doe", city="London", postcode="SW1A 1AA")
        _lead(cast_a, "No Zip")
    response = tenant_client(cast_a, cast_a.rep).get("/leads/export/?scene=all&format=csv")
    raw = b"".join(response.streaming_content).decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(raw))
    assert reader.fieldnames.index("Postcode") == reader.fieldnames.index("City") + 1
    rows = {row["Name"]: row for row in reader}
    assert rows["Jane Doe"]["Postcode"] == "SW1A 1AA"
    assert rows["No Zip"]["Postcode"] == ""


# List filter ----------------------------------------------------------------------------


def _names(user, **params) -> set[str]:
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    query.update(params)
    filters = LeadFilters.from_query(query, user=user)
    return set(lead_list(user=user, filters=filters).values_list("name", flat=True))


def test_the_postcode_filter_matches_the_start_ignoring_case(in_tenant_a):
    cast = in_tenant_a
    for name, postcode in [
        ("SF Mission", "94107"),
        ("SF Haight", "94117-1234"),
        ("Manhattan", "10941"),  # 941 inside, not at the start
        ("London", "SW1A 1AA"),
        ("Nowhere", ""),
    ]:
        _lead(cast, name, postcode=postcode)
    assert _names(cast.rep, scene="all", postcode="941") == {"SF Mission", "SF Haight"}
    assert _names(cast.rep, scene="all", postcode="94107") == {"SF Mission"}
    assert _names(cast.rep, scene="all", postcode="sw1a") == {"London"}
    assert _names(cast.rep, scene="all", postcode=" 941 ") == {"SF Mission", "SF Haight"}
    assert _names(cast.rep, scene="all", postcode="") >= {"SF Mission", "Manhattan", "Nowhere"}


def test_the_postcode_filter_is_offered_shown_as_a_chip_and_still_checks_visibility(cast_a):
    from django_tenants.utils import tenant_context

    with tenant_context(cast_a.tenant):
        _lead(cast_a, "Reps SF lead", postcode="94107")
        lead_services.lead_create(
            actor=cast_a.teammate, owner=cast_a.teammate, name="Teammates SF lead",
            postcode="94108",
        )  # fmt: skip
    response = tenant_client(cast_a, cast_a.rep).get("/leads/", {"scene": "all", "postcode": "941"})
    html = response.content.decode()
    assert 'name="postcode" value="941"' in html
    assert "Postcode starts with 941" in html
    assert "Reps SF lead" in html
    assert "Teammates SF lead" not in html  # a rep sees their own leads only


# Web form -------------------------------------------------------------------------------


def test_a_web_form_can_ask_for_the_postcode_and_refuses_a_bad_one(in_tenant_a):
    cache.clear()
    form = webform_save(
        actor=in_tenant_a.admin, name="Contact", fields=["email", "city", "postcode"],
        required=["email"],
    )  # fmt: skip
    client = Client(HTTP_HOST=in_tenant_a.host)
    url = reverse("leads-webform-public", kwargs={"uuid": form.uuid})
    assert 'autocomplete="postal-code"' in client.get(url).content.decode()
    refused = client.post(url, {"name": "Bad", "email": "bad@x.example", "postcode": "<b>"})
    assert refused.status_code == 422
    assert BAD_SHAPE in refused.content.decode()
    assert not Lead.objects.filter(name="Bad").exists()
    client.post(url, {"name": "Good", "email": "good@x.example", "postcode": "94107"})
    assert Lead.objects.get(name="Good").postcode == "94107"
