"""The leads list's bulk bar, pools' part: "Return to pool" with a reason."""

from django import template

from pools import selectors
from pools.models import Pool

register = template.Library()

#: Suggested reasons at most (the reasons the active pools list; typing any other is allowed,
#: and a pool that lists reasons refuses the others, lead by lead).
REASONS_SHOWN = 50


@register.inclusion_tag("pools/partials/_bulk_return.html", takes_context=True)
def pool_bulk_return(context):
    """The bulk bar's "Return to pool" menu, when the tenant has an active pool to return to."""
    user = context["request"].user
    active = list(Pool.objects.filter(is_active=True).values_list("return_reasons", flat=True))
    reasons = sorted({reason for listed in active for reason in listed})[:REASONS_SHOWN]
    return {
        "offered": bool(active),
        "return_pools": list(selectors.pools_return_targets(user)) if active else [],
        "return_reasons": reasons,
    }
