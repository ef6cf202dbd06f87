"""Reads about users and teams."""

from django.db import connection
from django.db.models import QuerySet

from leadcrm.accounts.models import Team, User
from leadcrm.accounts.roles import Role

_SUBORDINATE_IDS_SQL = """
    WITH RECURSIVE below(id) AS (
        SELECT id FROM accounts_user WHERE reports_to_id = %s
        UNION
        SELECT u.id FROM accounts_user u JOIN below b ON u.reports_to_id = b.id
    )
    SELECT id FROM below
"""


def user_subordinate_ids(user: User) -> set[int]:
    """Ids of everyone who reports to ``user``, directly or through other managers.

    UNION (not UNION ALL) makes the recursion stop even if bad data ever formed a cycle.
    """
    with connection.cursor() as cursor:
        cursor.execute(_SUBORDINATE_IDS_SQL, [user.pk])
        return {row[0] for row in cursor.fetchall()}


def user_subordinates(user: User) -> QuerySet[User]:
    return User.objects.filter(pk__in=user_subordinate_ids(user))


def user_list(*, include_inactive: bool = True) -> QuerySet[User]:
    users = User.objects.select_related("team", "reports_to")
    if not include_inactive:
        users = users.filter(is_active=True)
    return users.order_by("-is_active", "full_name")


def user_get(*, uuid) -> User:
    return User.objects.select_related("team", "reports_to").get(uuid=uuid)


def team_list() -> QuerySet[Team]:
    return Team.objects.select_related("parent", "manager").order_by("kind", "name")


def team_get(*, uuid) -> Team:
    return Team.objects.select_related("parent", "manager").get(uuid=uuid)


def team_descendant_ids(team: Team) -> set[int]:
    """Ids of ``team`` and every team nested below it."""
    ids, frontier = {team.pk}, {team.pk}
    while frontier:
        frontier = set(Team.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        frontier -= ids
        ids |= frontier
    return ids


def tenant_admin_count() -> int:
    return User.objects.filter(is_active=True, roles__contains=[Role.TENANT_ADMIN]).count()
