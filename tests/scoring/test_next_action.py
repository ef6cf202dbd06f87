"""The next best action: which rule applies, in which order, and that it reads in the
reader's language on the lead page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from leads.services import lead as lead_services
from scoring.engine import COLD, HOT, WARM
from scoring.next_action import ActionFacts, lead_next_action, next_action_for
from tests.conftest import tenant_client

NOW = timezone.now()


def _facts(**changes):
    values = {
        "status": "following_up",
        "band": WARM,
        "first_follow_up_at": NOW - timedelta(days=3),
        "last_activity_at": NOW - timedelta(days=2),
        "created_at": NOW - timedelta(days=10),
        "next_follow_up_at": NOW + timedelta(days=1),
        "text": "",
    }
    return ActionFacts(**{**values, **changes})


@pytest.mark.parametrize(
    ("facts", "key"),
    [
        (_facts(recent_call_outcomes=("no_answer", "no_answer", "no_answer")), "other_channel"),
        (_facts(recent_call_outcomes=("no_answer", "connected", "no_answer")), None),
        (_facts(band=HOT, first_follow_up_at=None, last_activity_at=None), "call_hot"),
        (_facts(text="客户询问报价，急需"), "send_quote"),
        (_facts(text="Please send pricing for 20 units"), "send_quote"),
        (_facts(text="asked for pricing", quote_sent=True), None),
        (_facts(text="visited the price-list page", quote_sent=True), None),
        (_facts(last_activity_at=NOW - timedelta(days=20)), "re_engage"),
        (_facts(next_follow_up_at=NOW - timedelta(hours=3)), "follow_up_due"),
        (_facts(status="qualified"), "convert"),
        (
            _facts(
                band=COLD,
                first_follow_up_at=None,
                last_activity_at=None,
                created_at=NOW - timedelta(days=1),
            ),
            "first_call",
        ),
        (_facts(status="converted"), None),
        (_facts(status="lost"), None),
    ],
)
def test_the_first_rule_that_applies_gives_the_action(facts, key):
    action = next_action_for(facts, now=NOW)
    assert (action.key if action else None) == key


def test_dead_ends_come_before_hot_leads():
    facts = _facts(band=HOT, first_follow_up_at=None, recent_call_outcomes=("no_answer",) * 4)
    action = next_action_for(facts, now=NOW)
    assert action.key == "other_channel"
    assert "4 calls" in action.reason


def test_the_lead_page_shows_the_action_in_the_readers_language(in_tenant_a):
    cast = in_tenant_a
    lead = lead_services.lead_create(
        actor=cast.admin, owner=cast.rep, name="Price Asker", notes="想要一份报价单"
    )
    assert lead_next_action(lead).key == "send_quote"
    page = tenant_client(cast, cast.rep).get(reverse("leads-detail", kwargs={"uuid": lead.uuid}))
    assert "Send the quote" in page.content.decode()
    cast.rep.language = "zh-hans"
    cast.rep.save(update_fields=["language"])
    page = tenant_client(cast, cast.rep).get(reverse("leads-detail", kwargs={"uuid": lead.uuid}))
    with translation.override("zh-hans"):
        assert translation.gettext("Send the quote") in page.content.decode()
    assert "Send the quote" not in page.content.decode()
