"""Behavioural tracking: the tracked link, the email pixel and the website's events (public,
by token only), their bot filter, repeat and rate limits, the lead panel, and the score the
events feed."""

import itertools
import json
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import tenant_context

from leads.services import lead as lead_services
from scoring import events
from scoring.engine import (
    EVENT,
    DimensionSpec,
    LeadFacts,
    RuleSpec,
    lead_score,
    ruleset_compile,
)
from scoring.models import BehaviourEvent, LeadScore, ScoringRule, TrackingToken
from scoring.services import score_recompute
from tests.conftest import tenant_client

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0 Safari/537.36"
)
TARGET = "https://www.example.com/brochure.pdf?utm_source=crm"
_addresses = itertools.count(1)


@pytest.fixture(autouse=True)
def queued(monkeypatch):
    """The rescores the events queue (instead of sending them), and a clean rate limit."""
    cache.clear()
    sent = []
    monkeypatch.setattr(
        events, "enqueue_on_commit", lambda task, ids, trigger: sent.append((list(ids), trigger))
    )
    return sent


def _ip() -> str:
    n = next(_addresses)
    return f"198.51.{n // 250}.{n % 250 + 1}"


def _browser(cast, ip=None):
    """A visitor's browser on ``cast``'s host: a person's user agent, an address of its own."""
    client = tenant_client(cast)
    client.defaults.update(HTTP_USER_AGENT=CHROME, REMOTE_ADDR=ip or _ip())
    return client


def _lead(cast, **fields):
    values = {"name": "Zhao Min", "company": "Suzhou Hengli Valves", "job_title": "Engineer"}
    return lead_services.lead_create(actor=cast.admin, owner=cast.rep, **(values | fields))


def _link(cast, lead=None, target=TARGET):
    return events.tracking_link_create(lead=lead or _lead(cast), actor=cast.rep, target_url=target)


def _link_url(token):
    return reverse("scoring-track-link", kwargs={"token": token.token})


def _pixel_url(token):
    return reverse("scoring-track-pixel", kwargs={"token": token.token})


def _event_url(token):
    return reverse("scoring-track-event", kwargs={"token": token.token})


def _kinds(lead):
    return list(BehaviourEvent.objects.filter(lead=lead).values_list("kind", flat=True))


# --- the endpoints ---------------------------------------------------------------------------


def test_a_tracked_link_records_a_click_and_redirects_to_its_target(in_tenant_a, queued):
    link = _link(in_tenant_a)
    response = _browser(in_tenant_a).get(_link_url(link))
    assert response.status_code == 302
    assert response["Location"] == TARGET
    event = BehaviourEvent.objects.get(lead=link.lead)
    assert (event.kind, event.token, event.meta) == ("link_click", link, {"agent": "Chrome"})
    assert queued == [([link.lead_id], "event")]


def test_the_pixel_records_an_email_open(in_tenant_a):
    link = _link(in_tenant_a)
    response = _browser(in_tenant_a).get(_pixel_url(link))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/gif"
    assert response.content == events_pixel()
    assert _kinds(link.lead) == ["email_open"]


def events_pixel():
    from scoring.views.tracking import PIXEL

    return PIXEL


def test_the_website_reports_form_submissions_downloads_and_visits(in_tenant_a, queued):
    link = _link(in_tenant_a)
    browser = _browser(in_tenant_a)
    for kind, url in (
        ("form_submission", "https://www.example.com/contact"),
        ("download", "https://www.example.com/catalogue.pdf"),
        ("page_visit", "https://www.example.com/pricing"),
    ):
        response = browser.post(
            _event_url(link), json.dumps({"kind": kind, "url": url}), content_type="text/plain"
        )
        assert response.status_code == 204
        assert response["Access-Control-Allow-Origin"] == "*"
    got = BehaviourEvent.objects.filter(lead=link.lead).order_by("id")
    assert [(e.kind, e.meta["url"]) for e in got] == [
        ("form_submission", "https://www.example.com/contact"),
        ("download", "https://www.example.com/catalogue.pdf"),
        ("page_visit", "https://www.example.com/pricing"),
    ]
    assert len(queued) == 3


def test_the_website_endpoint_answers_the_preflight_and_refuses_bad_bodies(in_tenant_a):
    link = _link(in_tenant_a)
    browser = _browser(in_tenant_a)
    preflight = browser.options(_event_url(link))
    assert preflight.status_code == 204
    assert "POST" in preflight["Access-Control-Allow-Methods"]
    for body in ("not json", json.dumps({"kind": "link_click"}), json.dumps(["page_visit"])):
        response = browser.post(_event_url(link), body, content_type="application/json")
        assert response.status_code == 400, body
    huge = json.dumps({"kind": "page_visit", "url": "https://x.example/" + "a" * 5000})
    assert browser.post(_event_url(link), huge, content_type="application/json").status_code == 413
    assert browser.get(_event_url(link)).status_code == 405
    assert _kinds(link.lead) == []


def test_an_unknown_or_expired_token_gets_the_same_neutral_answer(in_tenant_a):
    link = _link(in_tenant_a)
    TrackingToken.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(days=1))
    browser = _browser(in_tenant_a)
    body = json.dumps({"kind": "page_visit"})
    for token in (link.token, "nope", "x" * 43, "bad.token"):
        for url, status in (
            (f"/t/{token}", 404),
            (f"/t/{token}/event", 404),
        ):
            response = (
                browser.post(url, body, content_type="application/json")
                if url.endswith("event")
                else browser.get(url)
            )
            assert response.status_code == status, url
            assert response.content in (b"Not found", b"")
        pixel = browser.get(f"/t/{token}/p.gif")
        assert (pixel.status_code, pixel.content) == (200, events_pixel())
    assert _kinds(link.lead) == []


def test_bots_link_scanners_and_head_requests_are_not_counted(in_tenant_a):
    link = _link(in_tenant_a)
    for agent in (
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "facebookexternalhit/1.1",
        "Mozilla/5.0 (Windows NT 10.0) BingPreview/1.0b",
        "python-requests/2.32",
        "",
    ):
        client = _browser(in_tenant_a)
        client.defaults["HTTP_USER_AGENT"] = agent
        assert client.get(_link_url(link)).status_code == 302  # the link still works
        client.get(_pixel_url(link))
    head = _browser(in_tenant_a).head(_link_url(link))
    assert head.status_code == 302
    _browser(in_tenant_a).head(_pixel_url(link))
    assert _kinds(link.lead) == []


def test_the_same_visitor_clicking_twice_within_a_minute_counts_once(in_tenant_a):
    link = _link(in_tenant_a)
    browser = _browser(in_tenant_a)
    browser.get(_link_url(link))
    browser.get(_link_url(link))
    assert _kinds(link.lead) == ["link_click"]
    _browser(in_tenant_a).get(_link_url(link))  # someone else (another address)
    assert _kinds(link.lead) == ["link_click", "link_click"]


def test_the_rate_limits_hold_per_token_and_per_visitor(in_tenant_a, monkeypatch):
    monkeypatch.setattr(events, "TOKEN_LIMITS", ((3, 60),))
    link = _link(in_tenant_a)
    for _ in range(6):
        _browser(in_tenant_a).get(_pixel_url(link))  # six addresses, one token
    assert len(_kinds(link.lead)) == 3
    monkeypatch.setattr(events, "VISITOR_LIMITS", ((2, 60),))
    lead = _lead(in_tenant_a, name="Sun Li")
    browser = _browser(in_tenant_a)
    for _ in range(5):
        browser.get(_pixel_url(_link(in_tenant_a, lead=lead)))  # one address, five tokens
    assert len(_kinds(lead)) == 2


def test_the_link_goes_only_to_its_stored_target(in_tenant_a):
    link = _link(in_tenant_a)
    response = _browser(in_tenant_a).get(
        _link_url(link) + "?next=https://evil.example/&url=https://evil.example/"
    )
    assert response["Location"] == TARGET
    lead = link.lead
    for bad in (
        "javascript:alert(1)",
        "//evil.example/",
        "ftp://files.example/x",
        "data:text/html,hi",
        "",
    ):
        with pytest.raises(events.TrackingRefused):
            events.tracking_link_create(lead=lead, actor=in_tenant_a.rep, target_url=bad)
    with pytest.raises(events.TrackingRefused):  # may not change the lead
        events.tracking_link_create(lead=lead, actor=in_tenant_a.teammate, target_url=TARGET)


def test_a_token_of_another_tenant_is_unknown(cast_a, cast_b):
    with tenant_context(cast_a.tenant):
        link = _link(cast_a)
    browser = _browser(cast_b)
    assert browser.get(_link_url(link)).status_code == 404
    assert browser.get(_pixel_url(link)).content == events_pixel()
    body = json.dumps({"kind": "download"})
    assert browser.post(_event_url(link), body, content_type="text/plain").status_code == 404
    with tenant_context(cast_a.tenant):
        assert _kinds(link.lead) == []
        assert _browser(cast_a).get(_link_url(link)).status_code == 302  # the control


# --- the lead panel --------------------------------------------------------------------------


def test_events_and_links_appear_on_the_lead_panel(in_tenant_a):
    cast = in_tenant_a
    link = _link(cast)
    _browser(cast).get(_link_url(link))
    _browser(cast).post(
        _event_url(link),
        json.dumps({"kind": "download", "url": "https://www.example.com/catalogue.pdf"}),
        content_type="text/plain",
    )
    page = tenant_client(cast, cast.rep).get(
        reverse("leads-detail", kwargs={"uuid": link.lead.uuid})
    )
    html = page.content.decode()
    assert 'id="lead-events"' in html
    assert "Link click" in html
    assert "Content download" in html
    assert "catalogue.pdf" in html
    assert "www.example.com/brochure.pdf" in html  # the tracked link with its click
    assert "1 click" in html
    assert "Create a tracked link" in html


def test_a_rep_creates_a_tracked_link_from_the_panel(in_tenant_a):
    cast = in_tenant_a
    lead = _lead(cast)
    url = reverse("scoring-tracking-link-create", kwargs={"uuid": lead.uuid})
    client = tenant_client(cast, cast.rep)
    response = client.post(url, {"target_url": TARGET}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    link = TrackingToken.objects.get(lead=lead)
    html = response.content.decode()
    assert f"/t/{link.token}" in html
    assert f"/t/{link.token}/p.gif" in html
    assert (link.target_url, link.created_by, link.expires_at > timezone.now()) == (
        TARGET,
        cast.rep,
        True,
    )
    refused = client.post(url, {"target_url": "javascript:alert(1)"}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 200
    assert 'role="alert"' in refused.content.decode()
    assert "http://" in refused.content.decode()
    # Without JavaScript: back to the lead page.
    plain = client.post(url, {"target_url": TARGET})
    assert plain.status_code == 302
    assert TrackingToken.objects.filter(lead=lead).count() == 2


def test_who_may_not_change_the_lead_cannot_make_links_for_it(cast_a, cast_b):
    cast = cast_a
    with tenant_context(cast.tenant):
        lead = _lead(cast)
        url = reverse("scoring-tracking-link-create", kwargs={"uuid": lead.uuid})
    assert tenant_client(cast, cast.teammate).post(url, {"target_url": TARGET}).status_code in (
        403,
        404,
    )
    assert tenant_client(cast_b, cast_b.admin).post(url, {"target_url": TARGET}).status_code == 404
    assert tenant_client(cast).post(url, {"target_url": TARGET}).status_code == 302  # sign in
    with tenant_context(cast.tenant):
        assert not TrackingToken.objects.filter(lead=lead).exists()


# --- the score -------------------------------------------------------------------------------


def test_events_raise_the_behavioural_score_through_the_default_rules(in_tenant_a):
    lead = _lead(in_tenant_a)
    score_recompute(lead_ids=[lead.pk])
    before = LeadScore.objects.get(lead=lead).dimensions["Behavioural"]
    link = _link(in_tenant_a, lead=lead)
    _browser(in_tenant_a).get(_link_url(link))
    _browser(in_tenant_a).get(_pixel_url(link))
    _browser(in_tenant_a).post(
        _event_url(link), json.dumps({"kind": "form_submission"}), content_type="text/plain"
    )
    score_recompute(lead_ids=[lead.pk], trigger="event")
    detail = LeadScore.objects.get(lead=lead)
    # Clicked a tracked link 6, opened an email 3, submitted a form 10
    assert detail.dimensions["Behavioural"] == before + 19
    names = {f["name"] for f in detail.fired}
    assert {"Clicked a tracked link", "Opened an email", "Submitted a form on the website"} <= names
    assert "Submitted a form on the website" in detail.reason


def test_the_default_event_rules_exist_in_the_behavioural_dimension(in_tenant_a):
    rules = ScoringRule.objects.filter(kind="event").select_related("dimension")
    assert {r.config["kind"] for r in rules} >= {
        "form_submission",
        "link_click",
        "download",
        "email_open",
    }
    assert {r.dimension.name for r in rules} == {"Behavioural"}


def test_an_event_rule_counts_events_by_kind_with_min_and_each():
    dims = [DimensionSpec(1, "Behavioural", 40)]
    rules = [
        RuleSpec(1, "Opens", 1, EVENT, {"kind": "email_open", "each": True}, 2),
        RuleSpec(2, "Three visits", 1, EVENT, {"kind": "page_visit", "min": 3}, 5),
        RuleSpec(3, "Any event", 1, EVENT, {}, 1),
    ]
    ruleset = ruleset_compile(dimensions=dims, rules=rules)
    now = timezone.now()
    facts = LeadFacts(events={"email_open": 3, "page_visit": 2}, created_at=now)
    assert lead_score(facts, ruleset, now=now).dimensions == {"Behavioural": 7}
    facts = LeadFacts(events={"page_visit": 3}, created_at=now)
    assert lead_score(facts, ruleset, now=now).dimensions == {"Behavioural": 6}
    # An activity of the same name is not an event.
    facts = LeadFacts(activities={("email_open", ""): 5}, created_at=now)
    assert lead_score(facts, ruleset, now=now).dimensions == {"Behavioural": 0}


def test_a_recent_event_keeps_the_behavioural_points_from_decaying(in_tenant_a):
    lead = _lead(in_tenant_a)
    link = _link(in_tenant_a, lead=lead)
    BehaviourEvent.objects.create(lead=lead, kind="link_click", token=link)
    later = timezone.now() + timedelta(days=60)  # two half-lives after creation
    BehaviourEvent.objects.create(lead=lead, kind="email_open", token=link, at=later)
    score_recompute(lead_ids=[lead.pk], now=later)
    assert LeadScore.objects.get(lead=lead).decay == 1.0


def test_a_merge_moves_events_and_links_to_the_survivor_and_undo_puts_them_back(
    in_tenant_a, queued
):
    from leads.services.merge import lead_merge, lead_merge_undo

    cast = in_tenant_a
    keep = _lead(cast, name="Qian Yu", email="qian.yu@hengli.example")
    gone = _lead(cast, name="Qian Yu", email="qy@hengli.example")
    link = _link(cast, lead=gone)
    _browser(cast).get(_link_url(link))
    merge = lead_merge(survivor=keep, others=[gone], values={}, actor=cast.admin)
    assert _kinds(keep) == ["link_click"]
    link.refresh_from_db()
    assert link.lead_id == keep.pk
    _browser(cast).get(_pixel_url(link))  # the link sent earlier now counts for the survivor
    assert sorted(_kinds(keep)) == ["email_open", "link_click"]
    assert ([keep.pk], "merged") in queued
    lead_merge_undo(merge=merge, actor=cast.admin)
    assert _kinds(gone) == ["link_click"]
    assert _kinds(keep) == ["email_open"]
    link.refresh_from_db()
    assert link.lead_id == gone.pk


@pytest.mark.worker
def test_a_click_rescores_the_lead_in_the_worker(committed_db, celery_worker, monkeypatch):
    """/t/<token> → event on commit → the scoring queue → the Behavioural points, for real."""
    import time

    from django.db import connection

    from tests.conftest import _load_cast
    from tests.scoring.test_scoring import _forget

    # Run alone, committed_db has been seen on the configured (non-test) database: refuse to
    # write there.
    assert connection.settings_dict["NAME"].startswith("test_"), "not on the test database"
    monkeypatch.undo()  # the real enqueue_on_commit, not the autouse fixture's list
    cast = _load_cast("alpha")

    def behavioural(lead, not_before):
        for _ in range(200):
            detail = LeadScore.objects.filter(lead=lead, computed_at__gte=not_before).first()
            if detail is not None and "Clicked a tracked link" in str(detail.fired):
                return detail.dimensions["Behavioural"]
            time.sleep(0.1)
        return None

    with tenant_context(cast.tenant):
        lead = _lead(cast, name="Clicked in worker")
        try:
            link = _link(cast, lead=lead)
            started = timezone.now()
            assert _browser(cast).get(_link_url(link)).status_code == 302
            with tenant_context(cast.tenant):
                assert behavioural(lead, started) is not None
        finally:
            with tenant_context(cast.tenant):
                _forget(lead)
