"""Web-to-lead: tenant forms embedded on websites, posted to without signing in.

A submission is checked (honeypot, rate limit per visitor, sizes) and then becomes a lead
through ``lead_create`` like every other channel: normalisation, duplicate rules, routing
(when the form names no owner) and history. UTM parameters land in the source detail.
The lead joins the form's campaign, else the campaign its utm_campaign names (by name,
trimmed, case-insensitive; leads.services.campaign_attach), and takes its source when the
form sets none.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from leadcrm.accounts.models import User
from leadcrm.ratelimit import window_count
from leads.errors import LeadError
from leads.hooks import destination_choices
from leads.models import Campaign, CampaignStatus, Lead, SourceChannel, WebForm
from leads.services.campaign_attach import campaign_name_key, campaigns_by_name
from leads.services.lead import campaign_source_default, lead_create

#: The hidden field bots fill in and people never see.
HONEYPOT = "website_url"
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
MAX_FIELD = 2000
#: Per visitor (IP) and form: at most this many posts per window.
RATE_LIMITS = ((5, 60), (30, 60 * 60))


class SubmissionRefused(LeadError):
    """Too many posts, or too large: the visitor is told, nothing is saved."""


def webform_save(*, actor: User, form: WebForm | None = None, **fields) -> WebForm:
    if not actor.is_tenant_admin:
        raise LeadError(_("Only tenant admins manage web forms."))
    name = (fields.get("name") or "").strip()
    if not name:
        raise LeadError(_("Give the form a name."), field="name")
    chosen = [f for f in fields.get("fields") or [] if f in WebForm.FIELD_CHOICES]
    required = [f for f in fields.get("required") or [] if f in chosen]
    destination = fields.get("destination") or ""
    keeps_old = form is not None and destination == form.destination
    if destination and not keeps_old and destination not in dict(destination_choices(actor)):
        raise LeadError(_("You cannot send leads to that pool."), field="destination")
    if destination and fields.get("owner"):
        raise LeadError(_("Choose an owner or a pool, not both."), field="destination")
    campaign = fields.get("campaign")
    if campaign is not None and not isinstance(campaign, Campaign):
        raise LeadError(_("Choose a valid campaign."), field="campaign")
    keeps_campaign = form is not None and campaign is not None and form.campaign_id == campaign.pk
    if campaign is not None and campaign.status == CampaignStatus.CANCELLED and not keeps_campaign:
        raise LeadError(
            _("The campaign %(campaign)s is cancelled.") % {"campaign": campaign},
            field="campaign",
        )
    form = form or WebForm()
    for key, value in fields.items():
        setattr(form, key, value)
    form.name, form.fields, form.required = name[:100], chosen, required
    form.save()
    return form


def _rate_ok(form: WebForm, visitor: str) -> bool:
    return all(
        window_count(f"webform:{form.pk}:{visitor}:{seconds}", seconds) <= limit
        for limit, seconds in RATE_LIMITS
    )


def _source_detail(form: WebForm, utm: dict) -> str:
    parts = [f"{_('Web form')}: {form.name}"]
    values = [str(utm.get(k) or "").strip()[:60] for k in UTM_KEYS]
    if any(values):
        parts.append("utm " + " / ".join(v or "-" for v in values[:3]))
        if values[3] or values[4]:
            parts.append(" / ".join(v for v in values[3:] if v))
    return " · ".join(parts)[:200]


def _campaign(form: WebForm, utm: dict) -> Campaign | None:
    """The form's campaign, else the one its utm_campaign names. A visitor is never refused
    for a campaign: one cancelled since the form was set up is left out."""
    if form.campaign_id is not None:
        campaign = form.campaign
        return None if campaign.status == CampaignStatus.CANCELLED else campaign
    name = str(utm.get("utm_campaign") or "")[:200]
    return campaigns_by_name([name]).get(campaign_name_key(name))


def webform_submit(*, form: WebForm, data: dict, utm: dict, visitor: str) -> Lead | None:
    """Create the lead of one submission. Returns None for a bot (honeypot filled: the bot
    sees a thank-you, nothing is saved). Raises SubmissionRefused (rate, size) or LeadError
    naming the field (missing or invalid)."""
    if not form.is_active:
        raise SubmissionRefused(_("This form no longer takes submissions."))
    if (data.get(HONEYPOT) or "").strip():
        return None
    if not _rate_ok(form, visitor):
        raise SubmissionRefused(_("Too many submissions from your network; try again later."))
    values = {}
    for field in ("name", *form.fields):
        value = str(data.get(field) or "").strip()
        if len(value) > MAX_FIELD:
            raise SubmissionRefused(_("%(field)s is too long.") % {"field": field}, field=field)
        if not value and (field == "name" or field in form.required):
            raise LeadError(_("This field is required."), field=field)
        if value:
            values[field] = value
    chosen = {"campaign": _campaign(form, utm)}
    if form.source is not None:
        chosen["source"] = form.source
    else:  # the campaign's source, else the website's
        campaign_source_default(chosen)
        chosen.setdefault("source", SourceChannel.objects.filter(code="website").first())
    with transaction.atomic():
        lead = lead_create(
            actor=None,
            owner=form.owner if form.owner and form.owner.is_active else None,
            destination=form.destination,
            source_detail=_source_detail(form, utm),
            **chosen,
            **values,
        )
        WebForm.objects.filter(pk=form.pk).update(submissions=F("submissions") + 1)
    return lead
