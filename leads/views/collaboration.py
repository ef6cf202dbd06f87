"""Working a lead together: comments and lead members."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from leadcrm.accounts.models import User
from leadcrm.parsing import uuid_or_none
from leads import selectors
from leads.errors import LeadError
from leads.models import Access
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


@login_required
@require_POST
def member_add(request, uuid):
    lead = selectors.lead_get_for_user(user=request.user, uuid=uuid)
    user = User.objects.filter(uuid=uuid_or_none(request.POST.get("user")), is_active=True).first()
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
