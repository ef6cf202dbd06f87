"""What happens to the work a user holds when they are deactivated, without accounts importing
the apps that hold it.

leads registers its open leads in its AppConfig.ready: ``count(user)`` says how many the user
holds (the user page asks what to do with them when it deactivates someone), and
``hand_over(user=..., to_user=..., actor=...)`` hands them over, to ``to_user`` or (None) back
to the assignment rules. ``hand_over`` runs inside the deactivating transaction and queues its
own work (leadcrm.tasking.enqueue_on_commit), so a refused or rolled-back save moves nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Handover(models.TextChoices):
    """What the tenant admin chooses for a deactivated user's open leads."""

    LEAVE = "leave", _("Leave them with this person")
    REASSIGN = "reassign", _("Reassign them to…")
    REROUTE = "reroute", _("Route them again by the assignment rules")


@dataclass(frozen=True)
class _Holder:
    count: Callable[..., int]
    hand_over: Callable[..., None]


_holders: list[_Holder] = []


def register_user_handover(*, count: Callable[..., int], hand_over: Callable[..., None]) -> None:
    holder = _Holder(count, hand_over)
    if holder not in _holders:
        _holders.append(holder)


def user_held_count(user) -> int:
    """How many open things (leads) ``user`` holds, over every registered app."""
    return sum(holder.count(user) for holder in _holders)


def user_hand_over(*, user, to_user, actor) -> None:
    """Hand what ``user`` holds to ``to_user`` (None: the assignment rules), in every app."""
    for holder in _holders:
        holder.hand_over(user=user, to_user=to_user, actor=actor)
