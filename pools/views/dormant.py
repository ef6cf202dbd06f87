"""Settings → Dormant leads: the tenant's rules that return held leads nobody works."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from leadcrm.accounts.permissions import role_required
from leadcrm.accounts.roles import Role
from pools.errors import PoolError
from pools.forms import DormantSettingsForm
from pools.models import AssignmentRule, RoutingSettings
from pools.services import dormant
from pools.services.routing import fallback_pool, rules_for

FIELDS = (
    "dormant_enabled",
    "dormant_no_follow_up_days",
    "dormant_no_touch_days",
    "dormant_not_qualified_days",
    "dormant_warning_days",
)


@role_required(Role.TENANT_ADMIN, Role.POOL_ADMIN)
@require_http_methods(["GET", "POST"])
def dormant_settings(request):
    """Show and save the rules; bad values come back on the page with a message (422)."""
    settings = RoutingSettings.load()
    form = DormantSettingsForm(
        request.POST or None, initial={name: getattr(settings, name) for name in FIELDS}
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                dormant.dormant_settings_save(
                    actor=request.user,
                    enabled=data["dormant_enabled"],
                    no_follow_up_days=data["dormant_no_follow_up_days"],
                    no_touch_days=data["dormant_no_touch_days"],
                    not_qualified_days=data["dormant_not_qualified_days"],
                    warning_days=data["dormant_warning_days"],
                )
            except PoolError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Dormant-lead rules saved."))
                return redirect("pools-dormant-settings")
        messages.error(request, _("The dormant-lead rules were not saved; see below."))
        status = 422
    limits = dormant.dormant_limits(settings)
    now = timezone.now()
    return render(
        request,
        "pools/dormant_settings.html",
        {
            "form": form,
            "settings": settings,
            "due": dormant.dormant_due(limits=limits, now=now).count() if limits.any else 0,
            "soon": dormant.dormant_soon(limits=limits, now=now).count() if limits.any else 0,
            "return_rules": [
                rule
                for rule in rules_for(AssignmentRule.Trigger.RECLAIMED)
                if rule.target_type == AssignmentRule.Target.POOL and rule.target_pool_id
            ],
            "fallback": fallback_pool(),
            "section": "pools/",
        },
        status=status,
    )
