"""Campaign pages: the list, a campaign's page with its leads and funnel, the editor."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from leadcrm.accounts.permissions import role_required
from leads.errors import LeadError
from leads.forms.campaigns import FIELDS, CampaignForm
from leads.models import Campaign, CampaignStatus
from leads.services import campaigns as services


@login_required
def campaign_list(request):
    status = request.GET.get("status", "")
    status = status if status in CampaignStatus.values else ""
    sort = request.GET.get("sort", "-start")
    sort = sort if sort in services.SORTS else "-start"
    campaigns = list(services.campaign_list(user=request.user, status=status, sort=sort))
    context = {
        "campaigns": campaigns,
        "status": status,
        "sort": sort,
        "statuses": CampaignStatus.choices,
        "can_manage": services.campaign_can_manage(request.user),
        "workspace_empty": not campaigns and not status and not Campaign.objects.exists(),
    }
    if request.htmx:
        return render(request, "leads/campaigns/list.html#campaign-results", context)
    return render(request, "leads/campaigns/list.html", context)


@login_required
def campaign_detail(request, uuid):
    campaign = get_object_or_404(Campaign.objects.select_related("owner", "source"), uuid=uuid)
    context = {
        "campaign": campaign,
        "funnel": services.campaign_funnel(user=request.user, campaign=campaign),
        "leads": services.campaign_recent_leads(user=request.user, campaign=campaign),
        "can_manage": services.campaign_can_manage(request.user),
    }
    return render(request, "leads/campaigns/detail.html", context)


@role_required(*services.MANAGING_ROLES)
@require_http_methods(["GET", "POST"])
def campaign_edit(request, uuid=None):
    campaign = get_object_or_404(Campaign, uuid=uuid) if uuid else None
    form = CampaignForm(request.POST or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        values = {key: form.cleaned_data[key] for key in FIELDS}
        try:
            campaign = services.campaign_save(actor=request.user, campaign=campaign, **values)
        except LeadError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, _("Campaign saved."))
            return redirect("leads-campaign-detail", uuid=campaign.uuid)
    return render(request, "leads/campaigns/form.html", {"form": form, "campaign": campaign})


@role_required(*services.MANAGING_ROLES)
@require_POST
def campaign_delete(request, uuid):
    campaign = get_object_or_404(Campaign, uuid=uuid)
    try:
        services.campaign_delete(actor=request.user, campaign=campaign)
    except LeadError as error:
        messages.error(request, error.message)
        return redirect("leads-campaign-detail", uuid=campaign.uuid)
    messages.success(request, _("Campaign deleted."))
    return redirect("leads-campaigns")
