"""Realistic demo data, made through the project's own services (never raw inserts).

Used by `manage.py seed_demo` and by `make run`. Deterministic: the same seed gives the same
people, so screenshots and walkthroughs are repeatable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from faker import Faker
from pypinyin import lazy_pinyin

from leadcrm.accounts.models import Team, User
from leadcrm.accounts.roles import Role
from leadcrm.accounts.services import team_create, user_create

# (team name, kind, locale of its people, number of reps)
ORGANISATION = [
    ("East China Sales", "team", "zh_CN", 5),
    ("North China Sales", "team", "zh_CN", 4),
    ("International Sales", "team", "en_US", 4),
]


@dataclass
class DemoOrganisation:
    department: Team
    teams: list[Team] = field(default_factory=list)
    managers: list[User] = field(default_factory=list)
    reps: list[User] = field(default_factory=list)
    pool_admin: User | None = None


def _email_for(name: str, domain: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z]+", ".", name.lower()).strip(".") or "user"
    email, n = f"{base}@{domain}", 1
    while email in taken:
        n += 1
        email = f"{base}{n}@{domain}"
    taken.add(email)
    return email


def _person(fake: Faker) -> tuple[str, str]:
    """(display name, ascii name for the email). Chinese people get a romanised email."""
    if fake.locales and fake.locales[0].startswith("zh"):
        hanzi = fake.name()  # family name first: 王小明 -> xiaoming.wang@
        family, given = lazy_pinyin(hanzi[:1]), lazy_pinyin(hanzi[1:])
        return hanzi, f"{''.join(given)} {''.join(family)}"
    name = fake.name()
    return name, name


def demo_organisation_seed(
    *, email_domain: str, password: str, seed: int = 2026
) -> DemoOrganisation:
    """A sales department with a director, three regional teams, managers, reps and a pool
    admin. Everyone can sign in with ``password``."""
    fakers = {"zh_CN": Faker("zh_CN"), "en_US": Faker("en_US")}
    for i, fake in enumerate(fakers.values()):
        fake.seed_instance(seed + i)
    taken = set(User.objects.values_list("email", flat=True))

    def person(locale: str, roles: list[str], team: Team | None, reports_to: User | None) -> User:
        display, ascii_name = _person(fakers[locale])
        return user_create(
            email=_email_for(ascii_name, email_domain, taken),
            full_name=display,
            roles=roles,
            team=team,
            reports_to=reports_to,
            language="zh-hans" if locale == "zh_CN" else "en",
        )

    director = person("zh_CN", [Role.MANAGER], None, None)
    department = team_create(name="Sales Department", kind=Team.Kind.DEPARTMENT, manager=director)
    org = DemoOrganisation(department=department, managers=[director])
    org.pool_admin = person("zh_CN", [Role.POOL_ADMIN], department, director)
    for name, kind, locale, rep_count in ORGANISATION:
        manager = person(locale, [Role.MANAGER, Role.SALES_REP], None, director)
        team = team_create(name=name, kind=kind, parent=department, manager=manager)
        User.objects.filter(pk=manager.pk).update(team=team)
        org.teams.append(team)
        org.managers.append(manager)
        for _ in range(rep_count):
            org.reps.append(person(locale, [Role.SALES_REP], team, manager))
    # One hash for everyone: hashing each password separately costs ~0.3 s a person.
    people = [*org.managers, *org.reps, org.pool_admin]
    User.objects.filter(pk__in=[p.pk for p in people]).update(password=make_password(password))
    return org
