"""The lead page a rep works from: the quick-log bar first on the Activity tab (one form, not
two), refused entries back in place with what was typed, call and e-mail links in the head,
the tabs marked after an HTMX swap, and who may open the page at all."""

import re

import pytest
from django.urls import reverse
from django_tenants.utils import tenant_context

from leads.models import Activity, Stage
from leads.services import lead as lead_services
from leads.services.sharing import lead_member_add
from leads.templatetags.lead_contact import tel_href
from tests.conftest import tenant_client

HTMX_MAIN = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "lead-main"}
HTMX_TAB = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "lead-tab"}


@pytest.fixture
def lead(cast_a):
    with tenant_context(cast_a.tenant):
        return lead_services.lead_create(
            actor=cast_a.rep,
            owner=cast_a.rep,
            name="Liu Yang",
            company="Hangzhou Lianhe Trading",
            mobile="+86 138-0013-8000",
            phone="+1-439-866-6765x50802",
            email="liu.yang@lianhe-example.cn",
        )


def _page(lead) -> str:
    return reverse("leads-detail", kwargs={"uuid": lead.uuid})


def _log_url(lead) -> str:
    return reverse("leads-activity-create", kwargs={"uuid": lead.uuid})


def _forms(html: str) -> list[str]:
    """The opening tags of the forms in ``html``, in document order."""
    return re.findall(r"<form\b[^>]*>", html)


def _tab_region(html: str) -> str:
    return html[html.index('id="lead-tab"') :]


# The Activity tab -----------------------------------------------------------------------------


def test_the_activity_tabs_first_form_is_the_log_form_above_the_timeline(cast_a, lead):
    with tenant_context(cast_a.tenant):
        lead_services.activity_log(lead=lead, actor=cast_a.rep, kind="call", body="Left a message")
    client = tenant_client(cast_a, cast_a.rep)
    for headers in ({}, HTMX_TAB):  # the whole page, and the tab swapped in by HTMX
        region = _tab_region(
            client.get(_page(lead), {"tab": "activity"}, **headers).content.decode()
        )
        first = _forms(region)[0]
        assert f'action="{_log_url(lead)}"' in first
        assert (
            region.index(first) < region.index('class="timeline"') < region.index("Left a message")
        )


def test_the_page_holds_one_log_form_and_the_other_tabs_link_to_it(cast_a, lead):
    client = tenant_client(cast_a, cast_a.rep)
    activity = client.get(_page(lead), {"tab": "activity"}).content.decode()
    assert sum(f'action="{_log_url(lead)}"' in form for form in _forms(activity)) == 1
    details = client.get(_page(lead)).content.decode()
    assert _log_url(lead) not in details  # moved, not copied into the side column
    assert f'href="{_page(lead)}?tab=activity#quick-log"' in details  # "Log activity" in the head


def test_the_log_form_offers_the_four_types_as_buttons_with_call_chosen(cast_a, lead):
    html = tenant_client(cast_a, cast_a.rep).get(_page(lead), {"tab": "activity"}).content.decode()
    kinds = re.findall(r'<input type="radio" name="kind" value="(\w+)"( checked)?>', html)
    assert kinds == [("call", " checked"), ("email", ""), ("meeting", ""), ("note", "")]
    for name in ("outcome", "body", "next_follow_up_at"):
        assert f'name="{name}"' in html


def test_a_refused_date_comes_back_in_place_with_the_input_kept(cast_a, lead):
    client = tenant_client(cast_a, cast_a.rep)
    response = client.post(
        _log_url(lead),
        {
            "kind": "meeting",
            "body": "Walked the plant; wants a quote for 40 units",
            "next_follow_up_at": "1999-06-01T09:00",
        },
        **HTMX_MAIN,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.lstrip().startswith('<div id="lead-main"')
    assert "Choose a date between 2000 and 2100." in html
    assert '<input type="radio" name="kind" value="meeting" checked>' in html
    assert "Walked the plant; wants a quote for 40 units</textarea>" in html
    assert 'value="1999-06-01T09:00"' in html
    assert "Logged." not in html
    with tenant_context(cast_a.tenant):
        assert not Activity.objects.filter(lead=lead).exists()


def test_a_note_refused_by_the_service_says_why_next_to_the_note_box(cast_a, lead):
    html = (
        tenant_client(cast_a, cast_a.rep)
        .post(_log_url(lead), {"kind": "note", "body": "   "}, **HTMX_MAIN)
        .content.decode()
    )
    body_field = html[html.index('class="field ql-body') :]
    body_field = body_field[: body_field.index("</div>")]
    assert "Write the note." in body_field
    assert '<input type="radio" name="kind" value="note" checked>' in html


def test_a_logged_call_shows_in_the_timeline_under_a_fresh_form(cast_a, lead):
    data = {
        "kind": "call",
        "outcome": "connected",
        "body": "Sending the catalogue",
        "next_follow_up_at": "2031-03-04T10:30",
    }
    client = tenant_client(cast_a, cast_a.rep)
    html = client.post(_log_url(lead), data, **HTMX_MAIN).content.decode()
    bar = html[html.index('id="quick-log"') : html.index('class="timeline"')]
    assert 'role="status">Logged.</p>' in bar
    assert "></textarea>" in bar  # the note box is empty again
    assert '<input type="radio" name="kind" value="call" checked>' in bar
    timeline = html[html.index('class="timeline"') :]
    assert "Sending the catalogue" in timeline
    with tenant_context(cast_a.tenant):
        lead.refresh_from_db()
        assert lead.next_follow_up_at.year == 2031
        assert Activity.objects.filter(lead=lead, outcome="connected").count() == 1


def test_without_javascript_a_logged_call_redirects_to_the_activity_tab(cast_a, lead):
    response = tenant_client(cast_a, cast_a.rep).post(_log_url(lead), {"kind": "email"})
    assert response.status_code == 302
    assert response["Location"] == f"{_page(lead)}?tab=activity"


def test_a_read_only_member_sees_the_activity_but_no_log_form(cast_a, lead):
    with tenant_context(cast_a.tenant):
        lead_member_add(lead=lead, user=cast_a.teammate, access="read", actor=cast_a.rep)
    member = tenant_client(cast_a, cast_a.teammate)
    html = member.get(_page(lead), {"tab": "activity"}).content.decode()
    assert "Nothing logged yet." in html
    assert _log_url(lead) not in html
    assert "#quick-log" not in html
    assert member.post(_log_url(lead), {"kind": "call"}).status_code == 403


# The head: calling, writing, the stage bar, the tabs -------------------------------------------


def test_the_head_has_call_and_email_links(cast_a, lead):
    html = tenant_client(cast_a, cast_a.rep).get(_page(lead)).content.decode()
    head = html[html.index('class="lead-head') : html.index('id="lead-tab"')]
    assert 'href="tel:+8613800138000"' in head
    assert 'href="tel:+14398666765"' in head  # the extension is not dialled
    assert 'href="mailto:liu.yang@lianhe-example.cn"' in head
    facts = html[html.index('class="facts"') :]
    assert 'href="tel:+8613800138000"' in facts  # and in the Details tab


@pytest.mark.parametrize(
    ("typed", "href"),
    [
        ("13800138000", "tel:13800138000"),
        ("+86 (21) 6552-8000", "tel:+862165528000"),
        ("010-6552 8000 转 8001", "tel:01065528000"),
        ("0755 8888 1234 ext. 12", "tel:075588881234"),
        ("", ""),
        ("n/a", ""),
    ],
)
def test_tel_links_dial_the_digits_without_the_extension(typed, href):
    assert tel_href(typed) == href


def test_every_stage_keeps_its_whole_name_with_a_title(cast_a, lead):
    with tenant_context(cast_a.tenant):
        Stage.objects.filter(pk=lead.stage_id).update(name="Needs confirmed with the buyer's team")
        names = list(Stage.objects.filter(is_active=True).values_list("name", flat=True))
    html = tenant_client(cast_a, cast_a.rep).get(_page(lead)).content.decode()
    bar = html[html.index('class="stagebar"') :]
    bar = bar[: bar.index("</form>")]
    for name in names:
        escaped = name.replace("'", "&#x27;")
        assert f'title="{escaped} · ' in bar
        assert f'<span class="stage-name">{escaped}</span>' in bar


def test_switching_tabs_with_htmx_marks_the_new_tab(cast_a, lead):
    html = (
        tenant_client(cast_a, cast_a.rep)
        .get(_page(lead), {"tab": "comments"}, **HTMX_TAB)
        .content.decode()
    )
    assert "<html" not in html
    current = re.findall(r'<a href="([^"]+)"[^>]*aria-current="page"', html)
    assert current == [f"{_page(lead)}?tab=comments"]
    assert 'hx-push-url="true"' in html


def test_the_page_loads_its_own_stylesheet(cast_a, lead):
    html = tenant_client(cast_a, cast_a.rep).get(_page(lead)).content.decode()
    assert "css/lead_detail.css" in html


# Who may open it -----------------------------------------------------------------------------


def test_the_owner_and_their_manager_open_the_page_and_may_log(cast_a, lead):
    for person in (cast_a.rep, cast_a.manager):
        response = tenant_client(cast_a, person).get(_page(lead), {"tab": "activity"})
        assert response.status_code == 200
        assert "Liu Yang" in response.content.decode()
        assert _log_url(lead) in response.content.decode()


def test_another_rep_can_neither_open_the_page_nor_log_on_it(cast_a, lead):
    teammate = tenant_client(cast_a, cast_a.teammate)
    assert teammate.get(_page(lead)).status_code == 404
    assert teammate.get(_page(lead), {"tab": "activity"}, **HTMX_TAB).status_code == 404
    assert (
        teammate.post(_log_url(lead), {"kind": "call", "body": "Hi"}, **HTMX_MAIN).status_code
        == 404
    )
    with tenant_context(cast_a.tenant):
        assert not Activity.objects.filter(lead=lead).exists()


def test_another_tenant_sees_nothing_of_the_lead(cast_a, cast_b, lead):
    for person in (cast_b.admin, cast_b.rep):
        outsider = tenant_client(cast_b, person)
        assert outsider.get(_page(lead)).status_code == 404
        assert outsider.post(_log_url(lead), {"kind": "call"}).status_code == 404
    with tenant_context(cast_a.tenant):
        assert not Activity.objects.filter(lead=lead).exists()
