"""Files on a lead: attach (HTMX answers the Files panel again), download (only to who may see
the lead, never from MEDIA_URL) and delete."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from leads import selectors
from leads.errors import LeadError
from leads.services import attachments as services

PANEL = "leads/partials/_attachments.html"


def _panel_or_lead(request, lead, **outcome):
    """HTMX: the Files panel with what happened; otherwise back to the lead page, with the
    same news as messages."""
    if request.htmx:
        can_write = selectors.lead_can_write(request.user, lead)
        return render(request, PANEL, {"lead": lead, "can_write": can_write, **outcome})
    if outcome.get("attachments_added"):
        n = outcome["attachments_added"]
        messages.success(
            request, ngettext("%(n)s file attached.", "%(n)s files attached.", n) % {"n": n}
        )
    if outcome.get("attachments_deleted"):
        messages.success(request, _("Deleted %(name)s.") % {"name": outcome["attachments_deleted"]})
    for name, why in outcome.get("attachments_refused", []):
        messages.error(request, f"{name}: {why}" if name else why)
    return redirect(reverse("leads-detail", kwargs={"uuid": lead.uuid}))


@login_required
@require_POST
def attachment_upload(request, uuid):
    """Attach the posted files (``file``, several allowed) to a lead the user may change."""
    lead = selectors.lead_get_for_user(user=request.user, uuid=uuid, write=True)
    try:
        outcome = services.attachments_add(
            lead=lead,
            actor=request.user,
            uploads=request.FILES.getlist("file"),
            description=request.POST.get("description", ""),
        )
    except LeadError as exc:
        return _panel_or_lead(request, lead, attachments_refused=[("", exc.message)])
    return _panel_or_lead(
        request,
        lead,
        attachments_added=len(outcome.added),
        attachments_refused=outcome.refused,
    )


@login_required
@require_GET
def attachment_download(request, uuid):
    """The file, to someone who may see its lead: always as a download, in the type its bytes
    showed, and never sniffed by the browser into something it would run."""
    attachment = services.attachment_get_for_user(user=request.user, uuid=uuid)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    # The list's thumbnails ask for images again on every page: the browser may keep them
    # (for this user only: the file never changes under its identifier).
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_POST
def attachment_delete(request, uuid):
    attachment = services.attachment_get_for_user(user=request.user, uuid=uuid)
    if not services.attachment_can_delete(request.user, attachment):
        raise PermissionDenied
    try:
        services.attachment_delete(attachment=attachment, actor=request.user)
    except LeadError as exc:
        return _panel_or_lead(request, attachment.lead, attachments_refused=[("", exc.message)])
    return _panel_or_lead(request, attachment.lead, attachments_deleted=attachment.original_name)
