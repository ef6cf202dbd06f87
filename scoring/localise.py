"""A new workspace's starting dimensions, rules and tag rules in its language (the names
migrations 0002, 0003 and 0006 create are English; a Chinese workspace reads them in Chinese).
Rows an admin has renamed are left alone. Receiver of leadcrm.tenancy.signals.tenant_created."""

from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from scoring.models import Dimension, ScoringRule, TagRule

DIMENSION_NAMES = [
    gettext_noop("Demographic"),
    gettext_noop("Behavioural"),
    gettext_noop("Firmographic"),
]
RULE_NAMES = [
    gettext_noop("Executive title (CEO, VP, 总经理, 总裁 …)"),
    gettext_noop("Director or head (总监, 负责人, director, head …)"),
    gettext_noop("Manager (经理, manager)"),
    gettext_noop("Company of 250 employees or more"),
    gettext_noop("Company of 50–249 employees"),
    gettext_noop("Company of 10–49 employees"),
    gettext_noop("Decision-maker reached (BANT)"),
    gettext_noop("Budget confirmed (BANT)"),
    gettext_noop("Free-mail address (qq.com, 163.com, gmail.com …)"),
    gettext_noop("Student or job seeker (学生, 求职, student …)"),
    gettext_noop("Competitor domain (add yours)"),
    gettext_noop("Came through the website form"),
    gettext_noop("Referral"),
    gettext_noop("Met at a trade show"),
    gettext_noop("Called the hotline or wrote on WeChat"),
    gettext_noop("Asks for a quote or prices (报价, 价格, quote, pricing …)"),
    gettext_noop("Urgent need (急需, 尽快, urgent, ASAP …)"),
    gettext_noop("Buying process (采购, 招标, purchase, RFQ …)"),
    gettext_noop("Wants a demo or trial (演示, 试用, demo, trial)"),
    gettext_noop("Connected call"),
    gettext_noop("Meeting held"),
    gettext_noop("Email exchanged"),
    gettext_noop("No answer after 3 calls"),
    gettext_noop("Invalid number"),
    gettext_noop("Annual revenue over 50 M"),
    gettext_noop("Annual revenue 10–50 M"),
    gettext_noop("Annual revenue 1–10 M"),
    gettext_noop("Company named"),
    gettext_noop("Company website given"),
    gettext_noop("Target industry (edit the list)"),
    gettext_noop("Submitted a form on the website"),
    gettext_noop("Downloaded content"),
    gettext_noop("Clicked a tracked link"),
    gettext_noop("Opened an email"),
    gettext_noop("Visited 3 pages or more"),
]

#: The automatic tags (a tag is at most 50 characters in every language).
TAG_NAMES = [
    gettext_noop("High intent"),
    gettext_noop("Decision maker"),
    gettext_noop("Price sensitive"),
    gettext_noop("Gone quiet"),
]


def scoring_names_localise(language: str) -> int:
    """Rename the starting dimensions, rules and tag rules into ``language``; returns how
    many."""
    renamed = 0
    with translation.override(language):
        for model, names in (
            (Dimension, DIMENSION_NAMES),
            (ScoringRule, RULE_NAMES),
            (TagRule, TAG_NAMES),
        ):
            for english in names:
                local = gettext(english)
                if local != english:
                    renamed += model.objects.filter(name=english).update(name=local)
    return renamed


def scoring_names_localise_on_create(sender, tenant, **kwargs) -> None:
    if tenant.default_language and not tenant.default_language.startswith("en"):
        scoring_names_localise(tenant.default_language)
