"""What the sample data holds: sixty believable leads across the statuses, with the calls,
e-mails and meetings that got them there, in the language of the admin who loads them.

The people and companies come from the demo's generator (demo.leads); the notes, the pool and
the rule are written here so they read in the admin's language. Everything is made through the
services (lead_create, activity_log, lead_change_stage, lead_change_status, pool_save,
rule_save), so the sample obeys the workspace's rules like real data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from faker import Faker

from demo.leads import CN_REGIONS, _backdate, _lead_fields, _Lists
from leadcrm.accounts.models import User
from leads.models import Lead, LeadStatus, LossReason, SourceChannel, Stage
from leads.services import lead as lead_services
from pools.models import AssignmentRule, Pool
from pools.services.pool import pool_save
from pools.services.rules import rule_save
from scoring.services import score_recompute

S = LeadStatus
#: The same sample every time (repeatable screenshots and support answers).
SEED = 20260601
#: How many leads of each status the sample has (60 in all). Unassigned ones wait in the
#: sample pool; the others belong to the admin who loads the sample.
PLAN = (
    (S.UNASSIGNED, 10),
    (S.PENDING, 10),
    (S.FOLLOWING_UP, 20),
    (S.QUALIFIED, 6),
    (S.NURTURE, 5),
    (S.LOST, 6),
    (S.INVALID, 3),
)
SAMPLE_LEADS = sum(count for _status, count in PLAN)
#: Share of Chinese leads when the admin reads Chinese, and otherwise.
CHINESE_SHARE = {True: 0.8, False: 0.3}
LOCALES = ("zh_CN", "en_US", "en_GB", "de_DE", "en_AU")


@dataclass(frozen=True)
class Made:
    """The rows one load made, for the records that find them again."""

    leads: list[Lead]
    pool: Pool
    rule: AssignmentRule
    tag: str


def _notes() -> list[str]:
    """What reps write after a call or a meeting, in the active language."""
    return [
        _("Interested, asked for a price list."),
        _("Wants a demo next week."),
        _("Budget is planned for next quarter."),
        _("Comparing us with a competitor: send two customer stories."),
        _("The plant manager decides; ask for a meeting with him."),
        _("Asked for a trial account for the warehouse team."),
    ]


def _unique_pool_name(name: str) -> str:
    """``name``, or ``name 2``, ``name 3``… if a pool is already called so."""
    candidate, n = name, 1
    while Pool.objects.filter(name__iexact=candidate).exists():
        n += 1
        candidate = f"{name} {n}"
    return candidate


def sample_pool_and_rule_make(*, actor: User, tag: str) -> tuple[Pool, AssignmentRule]:
    """The sample pool (the admin is its admin and only member, so reps never see sample
    leads) and a rule that sends new leads tagged ``tag`` there: it shows how routing reads,
    and no lead without the sample tag ever matches it."""
    pool = pool_save(
        actor=actor,
        name=_unique_pool_name(_("Sample pool")),
        kind=Pool.Kind.OTHER,
        description=_("Sample data: remove it from the home page when you no longer need it."),
        mode=Pool.Mode.BOTH,
        admins=[actor],
        members=[actor],
        max_open_per_member=30,
        max_claims_per_day=10,
        return_cooldown_days=3,
        reclaim_no_follow_up_days=7,
        reclaim_warning_days=2,
    )
    rule = rule_save(
        actor=actor,
        name=_("Sample leads to the sample pool"),
        triggers=[AssignmentRule.Trigger.NEW],
        conditions=[[{"field": "tags", "op": "contains", "value": tag}]],
        target_type=AssignmentRule.Target.POOL,
        target_pool=pool,
    )
    return pool, rule


def _walk(lead: Lead, target: str, actor: User, rng: random.Random, lists: _Lists) -> None:
    """Take a new lead to ``target`` through the services, with the follow-ups a lead that
    far along would have."""
    if target == S.UNASSIGNED:
        return
    if target == S.PENDING:
        if rng.random() < 0.3:
            lead_services.activity_log(
                lead=lead, actor=actor, kind="note", body=_("Met at the trade show booth.")
            )
        return
    if target == S.INVALID:
        lead_services.activity_log(lead=lead, actor=actor, kind="call", outcome="invalid_number")
        lead_services.lead_change_status(lead=lead, to_status=S.INVALID, actor=actor)
        return
    touches = {S.FOLLOWING_UP: (1, 3), S.NURTURE: (1, 2), S.LOST: (1, 3), S.QUALIFIED: (2, 4)}
    for _touch in range(rng.randint(*touches[target])):
        kind = rng.choices(["call", "email", "meeting"], weights=[60, 25, 15])[0]
        lead_services.activity_log(
            lead=lead,
            actor=actor,
            kind=kind,
            outcome=rng.choice(["connected", "connected", "no_answer"]) if kind == "call" else "",
            duration_minutes=rng.randint(3, 40) if kind in ("call", "meeting") else None,
            subject=_("Needs and next steps") if kind == "meeting" else "",
            body=rng.choice(_notes()),
        )
    furthest = {S.FOLLOWING_UP: 3, S.NURTURE: 2, S.LOST: 3, S.QUALIFIED: 5}[target]
    reached = lists.stages[1 : min(furthest, len(lists.stages) - 1) + 1]
    if reached:
        lead_services.lead_change_stage(lead=lead, stage=rng.choice(reached), actor=actor)
    if target != S.FOLLOWING_UP:
        reason = rng.choice(lists.loss_reasons) if target == S.LOST and lists.loss_reasons else None
        lead_services.lead_change_status(
            lead=lead, to_status=target, actor=actor, loss_reason=reason
        )


def sample_leads_make(*, actor: User, pool: Pool, tag: str) -> list[Lead]:
    """The sample's leads, tagged ``tag``: the unassigned ones straight into ``pool``, the
    others owned by ``actor`` and walked to their status; then their dates spread over the
    last months (as the demo does) and their scores computed."""
    rng = random.Random(SEED)
    fakers = {locale: Faker(locale) for locale in LOCALES}
    for i, fake in enumerate(fakers.values()):
        fake.seed_instance(SEED + i)
    lists = _Lists(
        stages=list(Stage.objects.filter(is_active=True).order_by("position")),
        sources={s.code: s for s in SourceChannel.objects.filter(is_active=True)},
        loss_reasons=list(LossReason.objects.filter(is_active=True)),
    )
    chinese_share = CHINESE_SHARE[(translation.get_language() or "").startswith("zh")]
    chinese_teams = list(CN_REGIONS)
    leads = []
    for target, count in PLAN:
        for _n in range(count):
            team = rng.choice(chinese_teams) if rng.random() < chinese_share else "International"
            fields = _lead_fields(rng, fakers, team, lists)
            fields["tags"] = [*fields["tags"], tag]
            if target == S.UNASSIGNED:
                lead = lead_services.lead_create(
                    actor=actor,
                    check_duplicates=False,
                    destination=f"pool:{pool.uuid}",
                    **fields,
                )
            else:
                lead = lead_services.lead_create(
                    actor=actor, owner=actor, check_duplicates=False, **fields
                )
            _walk(lead, target, actor, rng, lists)
            leads.append(lead)
    ids = [lead.pk for lead in leads]
    _backdate(ids, rng, timezone.now())
    score_recompute(lead_ids=ids, trigger="created")
    return leads
