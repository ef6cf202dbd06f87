"""The lead page's Files panel. It only reads (leads.services.attachments' read functions);
nothing here decides or writes."""

from django import template

from leads.models import LeadStatus
from leads.selectors import lead_contacts_masked
from leads.services import attachments as attachment_services

register = template.Library()


@register.simple_tag
def lead_attachment_panel(lead, user, can_write):
    """The lead's files, each marked with whether ``user`` may delete it; while the lead's
    contacts are masked for ``user``, only how many there are (a business card would show
    them)."""
    hidden = lead_contacts_masked(user=user, lead=lead)
    files = list(attachment_services.lead_attachments(lead=lead))
    for attachment in files:
        attachment.can_delete = attachment_services.attachment_can_delete(user, attachment)
    return {
        "files": [] if hidden else files,
        "hidden": len(files) if hidden else 0,
        "can_upload": bool(can_write) and lead.status != LeadStatus.VOID and not hidden,
        "accept": attachment_services.ACCEPT,
        "max_size": attachment_services.ATTACHMENT_MAX_BYTES,
        "max_files": attachment_services.FILES_PER_UPLOAD,
    }
