"""Realistic demo leads, made through the lead services so every rule and history record applies.

Each lead is created with ``lead_create`` and walked through its life with ``activity_log``,
``lead_change_stage`` and ``lead_change_status``, exactly as a rep would. The services stamp
"now", so afterwards the lead's timestamps (and those of its activities, stage changes and
history rows) are spread back over the last six months with queryset updates: only the clock
is changed, never a rule. Scores are a stand-in until the scoring app computes real ones.
"""

from __future__ import annotations

import random
import re
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from faker import Faker

from leadcrm.accounts.models import User
from leads.models import (
    Activity,
    Lead,
    LeadStageChange,
    LeadStatus,
    LossReason,
    SourceChannel,
    Stage,
)
from leads.services import lead as lead_services
from scoring.services import score_recompute

S = LeadStatus
BATCH = 200

INDUSTRIES = [
    "Manufacturing",
    "Retail",
    "Logistics",
    "Healthcare",
    "Education",
    "Software",
    "Finance",
    "Construction",
    "Energy",
    "Food & Beverage",
    "Automotive",
    "Electronics",
]
PRODUCT_LINES = ["ERP Cloud", "Smart Warehouse", "IoT Sensors", "Consulting", "Field Service"]
JOB_TITLES_EN = [
    "Purchasing Manager",
    "Operations Director",
    "CTO",
    "IT Manager",
    "Plant Manager",
    "Supply Chain Lead",
    "CFO",
    "Head of Logistics",
    "Procurement Specialist",
]
JOB_TITLES_ZH = [
    "采购经理",
    "运营总监",
    "技术总监",
    "信息部经理",
    "厂长",
    "供应链主管",
    "财务总监",
    "物流经理",
    "总经理",
]
CN_REGIONS = {
    "East China Sales": [
        ("上海", "上海"),
        ("浙江", "杭州"),
        ("浙江", "宁波"),
        ("江苏", "苏州"),
        ("江苏", "南京"),
        ("安徽", "合肥"),
    ],
    "North China Sales": [
        ("北京", "北京"),
        ("天津", "天津"),
        ("河北", "石家庄"),
        ("山东", "青岛"),
        ("山东", "济南"),
    ],
}
INTL = [("US", "en_US"), ("GB", "en_GB"), ("DE", "de_DE"), ("SG", "en_US"), ("AU", "en_AU")]
COMPANY_SUFFIXES_ZH = [
    "科技有限公司",
    "贸易有限公司",
    "制造有限公司",
    "物流有限公司",
    "电子股份有限公司",
]
TRADE_SHOWS = ["2026 Canton Fair", "Hannover Messe 2026", "CeMAT Asia 2026", "CIIE 2026"]
CAMPAIGNS = [
    "baidu-sem-warehouse",
    "linkedin-erp-q3",
    "wechat-moments-iot",
    "google-ads-fieldservice",
]
TAGS = ["expo", "vip", "budget-approved", "competitor-user", "renewal", "pilot"]

#: status -> share of leads (sums to 1)
STATUS_MIX = [
    (S.UNASSIGNED, 0.15),
    (S.PENDING, 0.15),
    (S.FOLLOWING_UP, 0.35),
    (S.QUALIFIED, 0.10),
    (S.NURTURE, 0.08),
    (S.LOST, 0.10),
    (S.INVALID, 0.05),
    (S.VOID, 0.02),
]
#: source code -> weight
SOURCE_MIX = {
    "website": 25,
    "trade_show": 20,
    "ad_campaign": 15,
    "referral": 10,
    "cold_call": 10,
    "hotline": 6,
    "wechat": 8,
    "api": 3,
    "other": 3,
}


@dataclass
class _Lists:
    stages: list[Stage]
    sources: dict[str, SourceChannel]
    loss_reasons: list[LossReason]


def _ascii(text: str) -> str:
    """Letters and digits of ``text`` for an email address (Müller -> muller)."""
    folded = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", folded) or "x"


def _cn_mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


def _lead_fields(rng: random.Random, fakers: dict, team_name: str, lists: _Lists) -> dict:
    """The details of one lead, Chinese for the China teams, international otherwise."""
    source_code = rng.choices(list(SOURCE_MIX), weights=list(SOURCE_MIX.values()))[0]
    detail = ""
    if source_code == "trade_show":
        detail = rng.choice(TRADE_SHOWS)
    elif source_code == "ad_campaign":
        detail = f"utm_campaign={rng.choice(CAMPAIGNS)}"
    fields = {
        "industry": rng.choice(INDUSTRIES),
        "product_line": rng.choice(PRODUCT_LINES),
        "company_size": rng.choice(
            ["1-9", "10-49", "10-49", "50-249", "50-249", "250-999", "1000+"]
        ),
        "annual_revenue": rng.choice(["<1m", "1m-10m", "1m-10m", "10m-50m", "50m-250m", "250m+"]),
        "source": lists.sources.get(source_code),
        "source_detail": detail,
        "priority": rng.choices(["normal", "high", "low", "urgent"], weights=[75, 14, 8, 3])[0],
        "tags": rng.sample(TAGS, k=rng.choice([0, 0, 0, 1, 1, 2])),
    }
    if team_name in CN_REGIONS:
        fake = fakers["zh_CN"]
        region, city = rng.choice(CN_REGIONS[team_name])
        brand = fake.company_prefix()
        domain = f"{fake.user_name()[:8]}{rng.randrange(100)}.com.cn"
        fields.update(
            name=fake.name(),
            company=f"{city}{brand}{rng.choice(COMPANY_SUFFIXES_ZH)}",
            job_title=rng.choice(JOB_TITLES_ZH),
            email=f"{fake.user_name()[:12]}@{domain}" if rng.random() < 0.7 else "",
            mobile=_cn_mobile(rng),
            phone=f"0{rng.randrange(10, 999)}-{rng.randrange(10**7, 10**8)}"
            if rng.random() < 0.3
            else "",
            website=f"www.{domain}" if rng.random() < 0.5 else "",
            country="CN",
            region=region,
            city=city,
            address=fake.street_address(),
        )
    else:
        country, locale = rng.choice(INTL)
        fake = fakers[locale]
        first, last = fake.first_name(), fake.last_name()
        company = fake.company()
        slug = _ascii(company)[:14] or "company"
        fields.update(
            name=f"{first} {last}",
            company=company,
            job_title=rng.choice(JOB_TITLES_EN),
            email=f"{_ascii(first)}.{_ascii(last)}@{slug}.com",
            phone=fake.phone_number()[:40] if rng.random() < 0.8 else "",
            website=f"www.{slug}.com" if rng.random() < 0.6 else "",
            country=country,
            city=fake.city(),
            address=fake.street_address()[:300],
        )
    return fields


def _walk(lead: Lead, target: str, actor: User, rng: random.Random, lists: _Lists) -> None:
    """Take a new lead to ``target`` through the services, with the activities and stage
    changes a lead that far along would have."""
    owner = lead.owner or actor
    if target in (S.UNASSIGNED, S.PENDING):
        if target == S.PENDING and rng.random() < 0.3:
            lead_services.activity_log(
                lead=lead, actor=owner, kind="note", body="Met at the booth."
            )
        return
    if target == S.VOID:
        lead_services.lead_change_status(
            lead=lead, to_status=S.VOID, actor=actor, note="Spam / test"
        )
        return
    if target == S.INVALID:
        lead_services.activity_log(lead=lead, actor=owner, kind="call", outcome="invalid_number")
        lead_services.lead_change_status(lead=lead, to_status=S.INVALID, actor=owner)
        return
    touches = {S.FOLLOWING_UP: (1, 3), S.NURTURE: (1, 2), S.LOST: (1, 3), S.QUALIFIED: (2, 5)}
    for _ in range(rng.randint(*touches[target])):
        kind = rng.choices(["call", "email", "meeting", "note"], weights=[50, 25, 12, 13])[0]
        outcome = (
            rng.choice(["connected", "connected", "no_answer", "busy"]) if kind == "call" else ""
        )
        lead_services.activity_log(
            lead=lead,
            actor=owner,
            kind=kind,
            outcome=outcome,
            duration_minutes=rng.randint(2, 40) if kind in ("call", "meeting") else None,
            subject="Intro and needs" if kind == "meeting" else "",
            body=rng.choice(
                [
                    "Interested, asked for pricing.",
                    "Wants a demo next week.",
                    "Budget planned for next quarter.",
                    "Compared with a competitor; send case studies.",
                    "Decision-maker is the plant manager.",
                    "",
                ]
            )
            if kind != "note"
            else "Internal: check references.",
        )
    furthest = {S.FOLLOWING_UP: 3, S.NURTURE: 2, S.LOST: 4, S.QUALIFIED: 7}[target]
    low = 5 if target == S.QUALIFIED else 1
    reached = lists.stages[1 : rng.randint(low, furthest) + 1]
    # Most leads jump to where they are; a third walk every stage (dwell time per stage).
    for stage in reached if rng.random() < 0.35 else reached[-1:]:
        lead_services.lead_change_stage(lead=lead, stage=stage, actor=owner)
    if target != S.FOLLOWING_UP:
        reason = rng.choice(lists.loss_reasons) if target == S.LOST else None
        lead_services.lead_change_status(
            lead=lead, to_status=target, actor=owner, loss_reason=reason
        )


def _backdate(lead_ids: list[int], rng: random.Random, now) -> None:
    """Spread each lead's life over the past: created up to 180 days ago, then assignment,
    activities, stage changes and history in order, the last touch no later than now."""
    history = Lead.history.model
    activity_rows, change_rows, history_rows = [], [], []
    for lead in Lead.objects.filter(pk__in=lead_ids).only("pk", "status", "owner_id"):
        days = rng.uniform(0.1, 14) if rng.random() < 0.25 else rng.uniform(0.5, 180)
        created = now - timedelta(days=days)
        delay = timedelta(minutes=rng.randint(1, 120))
        assigned = min(created + delay, now) if lead.owner_id else None
        window_start = assigned or created
        window = (now - window_start) * rng.uniform(0.3, 0.95)

        def times(n: int, start=window_start, window=window) -> list:
            return sorted(start + window * rng.random() for _ in range(n))

        activities = list(
            Activity.objects.filter(lead_id=lead.pk).order_by("pk").values_list("pk", "kind")
        )
        activity_times = times(len(activities))
        for (pk, _kind), at in zip(activities, activity_times, strict=True):
            activity_rows.append(Activity(pk=pk, occurred_at=at, created_at=at))
        changes = list(
            LeadStageChange.objects.filter(lead_id=lead.pk)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        change_times = [created, *times(len(changes) - 1)] if changes else []
        for pk, at in zip(changes, change_times, strict=True):
            change_rows.append(LeadStageChange(pk=pk, changed_at=at))
        follow_ups = [
            at for (_pk, kind), at in zip(activities, activity_times, strict=True) if kind != "note"
        ]
        last = max([created, *activity_times, *change_times])
        updates = {
            "created_at": created,
            "assigned_at": assigned,
            "status_changed_at": last,
            "stage_changed_at": change_times[-1] if change_times else None,
            "last_activity_at": activity_times[-1] if activity_times else None,
            "first_follow_up_at": follow_ups[0] if follow_ups else None,
        }
        if (
            lead.status in (S.PENDING, S.FOLLOWING_UP, S.QUALIFIED, S.NURTURE)
            and rng.random() < 0.8
        ):
            # Some due today, some overdue, most in the coming days.
            updates["next_follow_up_at"] = now + timedelta(hours=rng.uniform(-96, 240))
        Lead.objects.filter(pk=lead.pk).update(**updates)
        rows = list(
            history.objects.filter(id=lead.pk)
            .order_by("history_id")
            .values_list("history_id", flat=True)
        )
        row_times = [created, *sorted(max(t, created) for t in times(len(rows) - 1))]
        for history_id, at in zip(rows, row_times, strict=True):
            history_rows.append(history(history_id=history_id, history_date=at))
    Activity.objects.bulk_update(activity_rows, ["occurred_at", "created_at"], batch_size=500)
    LeadStageChange.objects.bulk_update(change_rows, ["changed_at"], batch_size=500)
    history.objects.bulk_update(history_rows, ["history_date"], batch_size=500)


#: Share of leads that are someone entered again (another rep, another channel), with the
#: changes people make: another phone format, the email in capitals or left out, the company
#: without its legal form. They give the duplicate review page and the live check something
#: to find.
REENTERED = 0.02


def _reentered(rng: random.Random, earlier: dict) -> dict:
    fields = dict(earlier)
    mobile = fields.get("mobile", "")
    if mobile and rng.random() < 0.6:
        digits = "".join(c for c in mobile if c.isdigit())
        fields["mobile"] = (
            f"+86 {digits[:3]} {digits[3:7]} {digits[7:]}" if len(digits) == 11 else mobile
        )
    if fields.get("email") and rng.random() < 0.5:
        fields["email"] = "" if rng.random() < 0.5 else fields["email"].upper()
    company = fields.get("company", "")
    for suffix in ("股份有限公司", "有限公司", " GmbH", " Ltd.", " Inc.", " LLC"):
        if company.endswith(suffix) and rng.random() < 0.6:
            fields["company"] = company[: -len(suffix)]
            break
    fields["tags"] = []
    return fields


def demo_leads_seed(
    *, owners_by_team: dict[str, list[User]], admin: User, count: int, seed: int, progress=None
) -> dict:
    """Create ``count`` leads spread over the teams' owners; returns counts per status and the
    seconds taken. Deterministic for a given ``seed``."""
    started = time.monotonic()
    rng = random.Random(seed)
    fakers = {loc: Faker(loc) for loc in ("zh_CN", "en_US", "en_GB", "de_DE", "en_AU")}
    for i, fake in enumerate(fakers.values()):
        fake.seed_instance(seed + i)
    lists = _Lists(
        stages=list(Stage.objects.filter(is_active=True).order_by("position")),
        sources={s.code: s for s in SourceChannel.objects.filter(is_active=True)},
        loss_reasons=list(LossReason.objects.filter(is_active=True)),
    )
    teams = list(owners_by_team)
    team_weights = [len(owners_by_team[t]) for t in teams]
    # Some reps are busier than others.
    busyness = {u.pk: rng.uniform(0.4, 1.6) for owners in owners_by_team.values() for u in owners}
    statuses, weights = zip(*STATUS_MIX, strict=True)
    now = timezone.now()
    made: Counter = Counter()
    pending_ids: list[int] = []
    recent: list[dict] = []
    for start in range(0, count, BATCH):
        with transaction.atomic():
            for _ in range(min(BATCH, count - start)):
                team = rng.choices(teams, weights=team_weights)[0]
                target = rng.choices(statuses, weights=weights)[0]
                owners = owners_by_team[team]
                owner = None
                if target not in (S.UNASSIGNED,) and not (target == S.VOID and rng.random() < 0.5):
                    owner = rng.choices(owners, weights=[busyness[o.pk] for o in owners])[0]
                if recent and rng.random() < REENTERED:
                    fields = _reentered(rng, rng.choice(recent))
                else:
                    fields = _lead_fields(rng, fakers, team, lists)
                    recent = [*recent[-499:], fields]
                lead = lead_services.lead_create(
                    actor=owner or admin, owner=owner, check_duplicates=False, **fields
                )
                _walk(lead, target, admin, rng, lists)
                pending_ids.append(lead.pk)
                made[target] += 1
            _backdate(pending_ids, rng, now)
            # Real scores from the tenant's rules, once the history is in place (decay reads
            # the last activity dates).
            score_recompute(lead_ids=pending_ids, trigger="demo")
            pending_ids.clear()
        if progress is not None:
            progress(min(start + BATCH, count))
    return {"statuses": dict(made), "seconds": round(time.monotonic() - started, 1)}
