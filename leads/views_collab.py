"""Comments, related team members and sharing rules of leads."""

import uuid as uuid_module

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from leadcrm.accounts.models import Team, User
from leadcrm.accounts.permissions import role_required
from leadcrm.accounts.roles import Role
from leads import selectors
from leads.errors import LeadError
from leads.models import Access, SharingRule
from leads.services import comments as comment_services
from leads.services import sharing as sharing_services


@login_required
@require_POST
def comment_create(request, uuid):
    """Anyone who can see a lead may discuss it."""
    lead = selectors.lead_get_for_user(user=request.user, uuid=uuid)
    try:
        comment_services.comment_add(
            lead=lead, author=request.user, body=request.POST.get("body", "")
        )
    except LeadError as exc:
        messages.error(request, exc.message)
    url = reverse("leads-detail", kwargs={"uuid": lead.uuid}) + "?tab=comments"
    if request.htmx:
        context = {"lead": lead, "tab": "comments", "user": request.user}
        return render(request, "leads/partials/_tab_comments.html", context)
    return redirect(url)


def _uuid_or_none(raw):
    try:
        return uuid_module.UUID(str(raw))
    except ValueError:
        return None


@login_required
@require_POST
def member_add(request, uuid):
    lead = selectors.lead_get_for_user(user=request.user, uuid=uuid)
    user = User.objects.filter(uuid=_uuid_or_none(request.POST.get("user")), is_active=True).first()
    if user is None:
        messages.error(request, _("Choose a colleague."))
        return redirect("leads-detail", uuid=lead.uuid)
    try:
        sharing_services.lead_member_add(
            lead=lead, user=user, access=request.POST.get("access", Access.READ), actor=request.user
        )
    except LeadError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(name)s added to the lead's team.") % {"name": user})
    return redirect("leads-detail", uuid=lead.uuid)


@login_required
@require_POST
def member_remove(request, uuid, user_uuid):
    lead = selectors.lead_get_for_user(user=request.user, uuid=uuid)
    user = User.objects.filter(uuid=user_uuid).first()
    if user is None:
        raise Http404
    try:
        sharing_services.lead_member_remove(lead=lead, user=user, actor=request.user)
    except LeadError as exc:
        messages.error(request, exc.message)
    return redirect("leads-detail", uuid=lead.uuid)


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
