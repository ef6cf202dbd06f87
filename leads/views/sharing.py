"""Settings → Sharing: rules that open a set of leads to other people."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from leadcrm.accounts.models import Team, User
from leadcrm.accounts.permissions import role_required
from leadcrm.accounts.roles import Role
from leads.errors import LeadError
from leads.models import Access, SharingRule
from leads.services import sharing as sharing_services


@role_required(Role.TENANT_ADMIN)
@require_http_methods(["GET", "POST"])
def sharing_rule_list(request):
    """List the sharing rules and add one (a single small form on the same page)."""
    if request.method == "POST":
        data = request.POST

        def pick(model, key):
            return model.objects.filter(uuid=data.get(key)).first() if data.get(key) else None

        try:
            sharing_services.sharing_rule_create(
                actor=request.user,
                name=data.get("name", ""),
                access=data.get("access", Access.READ),
                from_user=pick(User, "from_user"),
                from_team=pick(Team, "from_team"),
                to_user=pick(User, "to_user"),
                to_team=pick(Team, "to_team"),
            )
        except LeadError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Sharing rule added."))
            return redirect("leads-sharing-list")
    context = {
        "rules": SharingRule.objects.filter(is_active=True).select_related(
            "from_user", "from_team", "to_user", "to_team"
        ),
        "users": User.objects.filter(is_active=True).order_by("full_name"),
        "teams": Team.objects.order_by("name"),
        "accesses": Access.choices,
        "posted": request.POST,
    }
    return render(request, "leads/sharing_rules.html", context)


@role_required(Role.TENANT_ADMIN)
@require_POST
def sharing_rule_deactivate(request, uuid):
    rule = SharingRule.objects.filter(uuid=uuid, is_active=True).first()
    if rule is None:
        raise Http404
    sharing_services.sharing_rule_deactivate(rule=rule, actor=request.user)
    messages.success(request, _("Sharing rule removed."))
    return redirect("leads-sharing-list")
