"""What the pools app tells people (notifications and event reasons), by key: see
leadcrm.notifications.texts."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from leadcrm.notifications.texts import texts_register

texts_register(
    pools__handed_off_one=_("%(lead)s was handed off to %(pool)s"),
    pools__handed_off_many=ngettext_lazy(
        "%(count)d of your leads was handed off to the nurture pool",
        "%(count)d of your leads were handed off to the nurture pool",
        "count",
    ),
    pools__handed_off_why=_(
        "Low-score handoff: the score stayed below %(below)d for %(days)d days or more."
    ),
    pools__reclaim_soon=_("%(lead)s goes back to %(pool)s on %(date)s"),
    pools__reclaim_soon_keep=_("Log a follow-up or qualify the lead to keep it."),
    pools__reclaimed=_("%(lead)s went back to %(pool)s"),
    pools__reclaimed_why=_("Reason: %(reason)s."),
    pools__no_follow_up=_("no follow-up within %(days)d days of claiming"),
    pools__not_qualified=_("not qualified within %(days)d days of claiming"),
    pools__no_touch=ngettext_lazy(
        "no follow-up in the last %(days)d day",
        "no follow-up in the last %(days)d days",
        "days",
    ),
    pools__dormant_no_follow_up=ngettext_lazy(
        "no follow-up within %(days)d day of assignment",
        "no follow-up within %(days)d days of assignment",
        "days",
    ),
    pools__dormant_not_qualified=ngettext_lazy(
        "not qualified within %(days)d day of assignment",
        "not qualified within %(days)d days of assignment",
        "days",
    ),
    pools__returned=_("%(name)s returned %(lead)s to %(pool)s"),
    pools__withdrawn=_("%(lead)s was taken back into %(pool)s"),
    pools__withdrawn_by=_("By %(actor)s: %(reason)s"),
    pools__moved=ngettext_lazy(
        "%(name)s moved %(count)d lead into %(pool)s",
        "%(name)s moved %(count)d leads into %(pool)s",
        "count",
    ),
    pools__from_pool=_("from %(pool)s"),
    pools__returned_yours=_("%(name)s returned your lead %(lead)s to %(pool)s"),
    pools__reassigned=_("%(lead)s was reassigned to %(name)s"),
    pools__reassigned_by=_("By %(actor)s, an admin of %(pool)s."),
    pools__reassigned_from=_("reassigned from %(name)s"),
)
