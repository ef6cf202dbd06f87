"""One lead: create (with the live duplicate check and smart fill), edit, the detail page
and its quick actions."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from leadcrm.accounts.models import User
from leads import hooks, selectors
from leads.dedup.matching import duplicates_find
from leads.errors import LeadError
from leads.forms.lead import (
    ActivityForm,
    AssignForm,
    LeadCreateForm,
    LeadForm,
    StageForm,
    StatusForm,
    campaign_initial,
)
from leads.masking import mask_value
from leads.models import Activity, LeadSettings, LeadStatus, LossReason, Stage
from leads.services import lead as lead_services
from leads.smartfill import smart_fill, smart_fill_for_form
from leads.views.emails import emails_tab_context

DETAIL_TABS = ("details", "activity", "emails", "comments", "history")


@login_required
@require_http_methods(["GET", "POST"])
def lead_create(request):
    """The new-lead form. Who gets the lead is the user's choice (LeadCreateForm.assign_to);
    a lead that went where the user cannot follow it (the rules, a colleague outside their
    line) leaves them on the lead list with a message saying so."""
    campaign = campaign_initial(request.GET.get("campaign"))
    initial = {"campaign": campaign.uuid} if campaign else {}
    form = LeadCreateForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        recipient = form.recipient()
        try:
            lead = lead_services.lead_create(actor=request.user, **recipient, **form.lead_data())
        except LeadError as exc:
            field = "assign_to" if exc.field == "owner" else exc.field
            form.add_error(field if field in form.fields else None, exc.message)
        else:
            messages.success(request, _created_message(request.user, **recipient))
            if selectors.leads_visible_to(request.user).filter(pk=lead.pk).exists():
                return redirect("leads-detail", uuid=lead.uuid)
            return redirect("leads-index")
    context = {"form": form, "creating": True, "lead_settings": LeadSettings.load()}
    return render(request, "leads/lead_form.html", context)


def _created_message(user, *, owner, destination) -> str:
    if owner is not None and owner.pk == user.pk:
        return _("Lead created.")
    if owner is not None:
        return _("Lead created and assigned to %(owner)s.") % {"owner": owner}
    if destination:
        return _("Lead created and put into the pool.")
    return _("Lead created. The assignment rules give it an owner or a pool.")


CONTACTS = {"email", "phone", "mobile"}


@login_required
@require_POST
def lead_duplicates(request):
    """The live duplicate check of the lead form (HTMX partial): red for an exact duplicate,
    yellow for a similar lead. A match the user may not see shows only its owner and status."""
    fields = ("name", "company", "email", "phone", "mobile", "country", "address", "city")
    data = {f: request.POST.get(f, "") for f in (*fields, "region", "postcode")}
    exclude = []
    if request.POST.get("lead"):
        editing = selectors.leads_visible_to(request.user).filter(uuid=request.POST["lead"])
        exclude = list(editing.values_list("pk", flat=True))
    matches = duplicates_find(data, exclude_ids=exclude, limit=6)
    seen = selectors.leads_with_masking(
        selectors.leads_visible_to(request.user).filter(pk__in=[m.lead.pk for m in matches]),
        user=request.user,
    ).values_list("pk", "contacts_masked")
    visible = {pk for pk, _masked in seen}
    masked = {pk for pk, is_masked in seen if is_masked}
    # A match found through a contact the user sees masked is shown as a lead they cannot
    # open: naming it would confirm a guessed number or address (no reveal logged).
    rows = [
        (m, m.lead.pk in visible and not (m.lead.pk in masked and set(m.fields) & CONTACTS))
        for m in matches
    ]
    return render(request, "leads/partials/_duplicates.html", {"rows": rows})


@login_required
@require_POST
def lead_smart_fill(request):
    """Read the pasted text and fill the new-lead form's empty fields (HTMX partial)."""
    data = request.POST.copy()
    settings = LeadSettings.load()
    found = smart_fill(
        data.get("smart_text", ""), default_region=getattr(settings, "default_country", "CN")
    )
    form = LeadCreateForm(user=request.user)
    values = smart_fill_for_form(found, typed=data)
    filled = [str(form.fields[field].label) for field in values if field in form.fields]
    initial = {name: values.get(name) or data.get(name, "") for name in form.fields}
    form = LeadCreateForm(initial=initial, user=request.user)
    return render(
        request,
        "leads/lead_form.html#lead-form",
        {"form": form, "creating": True, "filled": filled, "smart_tried": True},
    )


@login_required
@require_http_methods(["GET", "POST"])
def lead_edit(request, uuid):
    lead = selectors.lead_get_for_user(user=request.user, uuid=uuid, write=True)
    form = LeadForm(request.POST or None, instance=lead)
    if request.method == "POST" and form.is_valid():
        try:
            lead_services.lead_update(lead=lead, actor=request.user, **form.lead_data())
        except LeadError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("leads-detail", uuid=lead.uuid)
    return render(request, "leads/lead_form.html", {"form": form, "lead": lead})


@login_required
def lead_detail(request, uuid):
    lead = selectors.lead_get_for_user(user=request.user, uuid=uuid)
    tab = request.GET.get("tab", "details")
    context = _detail_context(request, lead, tab)
    if request.htmx and request.htmx.target == "lead-tab":
        return render(request, "leads/lead_detail.html#lead-tab", context)
    return render(request, "leads/lead_detail.html", context)


def _detail_context(request, lead, tab):
    can_write = selectors.lead_can_write(request.user, lead)
    stages = list(Stage.objects.filter(is_active=True))
    current = next((i for i, s in enumerate(stages) if s.pk == lead.stage_id), -1)
    assignable = selectors.owners_assignable_by(request.user)
    masked = selectors.lead_contacts_masked(user=request.user, lead=lead)
    actions = hooks.lead_page_actions(lead, request.user)
    return {
        "lead": lead,
        "extra_actions": actions,
        "extra_panels": hooks.lead_page_panels(lead, request.user),
        "convert_url": next((a.url for a in actions if a.key == "convert"), ""),
        "duplicates": selectors.lead_duplicates_for(request.user, lead) if tab == "details" else [],
        "recent_merge": lead.merges.filter(
            undone_at__isnull=True, at__gte=timezone.now() - timedelta(days=30)
        ).first(),
        "contacts_masked": masked,
        "masked_contacts": [
            (field, label, mask_value(field, getattr(lead, field)))
            for field, label in (
                ("email", _("Email")),
                ("mobile", _("Mobile")),
                ("phone", _("Phone")),
            )
        ]
        if masked
        else [],
        "tab": tab if tab in DETAIL_TABS else "details",
        "can_write": can_write,
        "stages": [(s, i < current, i == current) for i, s in enumerate(stages)],
        "next_statuses": _next_statuses(lead),
        "loss_reasons": LossReason.objects.filter(is_active=True),
        "activities": lead.activities.select_related("created_by")[:100],
        "history": selectors.lead_history(lead) if tab == "history" else [],
        "emails_tab": emails_tab_context(request, lead) if tab == "emails" else None,
        "activity_form": ActivityForm(initial={"kind": "call"}),
        "assignable": assignable.order_by("full_name"),
        "colleagues": User.objects.filter(is_active=True).order_by("full_name"),
        "lead_settings": LeadSettings.load(),
    }


def _convert_url(lead, user) -> str:
    return next((a.url for a in hooks.lead_page_actions(lead, user) if a.key == "convert"), "")


def _is_last_stage(stage) -> bool:
    last = Stage.objects.filter(is_active=True).order_by("position", "name").last()
    return last is not None and last.pk == stage.pk


def _redirect(request, url: str):
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _next_statuses(lead):
    labels = dict(LeadStatus.choices)
    allowed = lead_services.TRANSITIONS.get(lead.status, set()) - {LeadStatus.CONVERTED}
    return [(s, labels[s]) for s in LeadStatus.values if s in allowed]


@login_required
@require_POST
def lead_activity_create(request, uuid):
    """Log an activity from the quick-log bar of the lead's Activity tab.

    With HTMX the answer is the lead's main region (#lead-main): the new entry in the timeline
    and a fresh form, or the refused form with what was typed and why, in place. Without
    HTMX a logged activity redirects to the Activity tab; a refused one is the page itself,
    never a redirect that loses the input."""
    lead = selectors.lead_get_for_user(user=request.user, uuid=uuid, write=True)
    form = ActivityForm(request.POST, request.FILES)
    logged = False
    if form.is_valid():
        try:
            lead_services.activity_log(lead=lead, actor=request.user, **form.cleaned_data)
        except LeadError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            logged = True
    if logged and not request.htmx:
        messages.success(request, _("Logged."))
        return redirect(f"{lead_url(lead)}?tab=activity")
    lead.refresh_from_db()
    context = _detail_context(request, lead, "activity")
    if logged:
        context["activity_logged"] = True  # said next to the form, where the rep is looking
    else:
        context["activity_form"] = form
    template = "leads/lead_detail.html#lead-main" if request.htmx else "leads/lead_detail.html"
    return render(request, template, context)


@login_required
@require_POST
def lead_status_change(request, uuid):
    lead = selectors.lead_get_for_user(user=request.user, uuid=uuid, write=True)
    form = StatusForm(request.POST)
    if form.is_valid() and form.cleaned_data["status"] == LeadStatus.CONVERTED:
        convert_url = _convert_url(lead, request.user)
        if convert_url:
            return _redirect(request, convert_url)  # never a status flip without records
    if form.is_valid():
        try:
            if form.cleaned_data["status"] == "restore":
                lead_services.lead_restore(lead=lead, actor=request.user)
            else:
                lead_services.lead_change_status(
                    lead=lead,
                    to_status=form.cleaned_data["status"],
                    actor=request.user,
                    loss_reason=form.cleaned_data["loss_reason"],
                    note=form.cleaned_data["note"],
                )
        except LeadError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Status changed."))
    return _back_to_lead(request, lead)


@login_required
@require_POST
def lead_stage_change(request, uuid):
    lead = selectors.lead_get_for_user(user=request.user, uuid=uuid, write=True)
    form = StageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a stage."))
    elif (convert_url := _convert_url(lead, request.user)) and _is_last_stage(
        form.cleaned_data["stage"]
    ):
        return _redirect(request, convert_url)  # the last stage is reached by converting
    else:
        try:
            lead_services.lead_change_stage(
                lead=lead, stage=form.cleaned_data["stage"], actor=request.user
            )
        except LeadError as exc:
            messages.error(request, exc.message)
    return _back_to_lead(request, lead)


@login_required
@require_POST
def lead_assign(request, uuid):
    lead = selectors.lead_get_for_user(user=request.user, uuid=uuid, write=True)
    form = AssignForm(request.POST)
    owner = form.cleaned_data["owner"] if form.is_valid() else None
    allowed = (
        owner is None or selectors.owners_assignable_by(request.user).filter(pk=owner.pk).exists()
    )
    if not form.is_valid() or not allowed:
        messages.error(request, _("You can assign leads only to yourself or your team."))
    else:
        try:
            lead_services.lead_assign(lead=lead, owner=owner, actor=request.user)
        except LeadError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Owner changed."))
    return _back_to_lead(request, lead)


def lead_url(lead) -> str:
    from django.urls import reverse

    return reverse("leads-detail", kwargs={"uuid": lead.uuid})


def _back_to_lead(request, lead):
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return redirect(lead_url(lead))


@login_required
def activity_recording(request, uuid):
    """Stream a call recording to someone who may see its lead (files are never public)."""
    from django.http import FileResponse, Http404

    activity = Activity.objects.filter(uuid=uuid).select_related("lead").first()
    if activity is None or not activity.recording:
        raise Http404
    selectors.lead_get_for_user(user=request.user, uuid=activity.lead.uuid)
    return FileResponse(activity.recording.open("rb"), filename=activity.recording.name)


@login_required
@require_POST
def lead_bant(request, uuid):
    """Save the BANT checklist (HTMX: answers the checklist fragment)."""
    lead = selectors.lead_get_for_user(user=request.user, uuid=uuid, write=True)
    lead = lead_services.lead_bant_update(
        lead=lead,
        actor=request.user,
        **{item: request.POST.get(item) == "on" for item in BANT_ITEMS},
    )
    if request.htmx:
        context = {"lead": lead, "can_write": True, "lead_settings": LeadSettings.load()}
        return render(request, "leads/partials/_detail_bant.html", context)
    return redirect(lead_url(lead))


BANT_ITEMS = ("budget", "authority", "need", "timeline")
