"""Files on a lead: upload, delete, what follows a merge, and the daily sweep of files no
attachment holds any more.

Files are stored per tenant (MEDIA_ROOT/<schema>/attachments/..., see the default storage) and
only ever served by ``leads.views.attachments``, which asks ``attachment_get_for_user`` first.
The reads the lead page and the customer page need follow the writes (they would sit in
``leads.selectors`` but are kept here with the feature, as followups does).
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import QuerySet, Sum
from django.http import Http404
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from leadcrm.accounts.models import User
from leadcrm.parsing import uuid_or_none
from leads.errors import LeadError
from leads.filetypes import FileType, FileTypeRefused, file_type_sniff
from leads.hooks import HistoryEntry
from leads.models import Attachment, Lead, LeadStatus
from leads.selectors import (
    contacts_masked_q,
    lead_can_write,
    lead_contacts_masked,
    leads_visible_to,
)

#: The largest file one may attach.
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
#: What all of a tenant's attachments may take together.
TENANT_MAX_BYTES = 5 * 1024**3
#: Files one upload may carry.
FILES_PER_UPLOAD = 10
DESCRIPTION_MAX = 300
NAME_MAX = 255
#: A stored file that no attachment holds is swept once this old (younger, it may belong to an
#: upload whose row is not committed yet).
ORPHAN_AGE = timedelta(days=1)
FOLDER = "attachments"

#: What the file chooser offers (the server decides by the bytes, not by this list).
ACCEPT = (
    "image/jpeg,image/png,image/gif,image/webp,image/heic,.heic,application/pdf,"
    ".doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods,.odp,.txt,.csv,.tsv"
)


def _refusal(reason: str) -> str:
    if reason == "executable":
        return _("Programs and scripts cannot be attached.")
    if reason == "markup":
        return _("Web pages and SVG images cannot be attached: they can carry scripts.")
    if reason == "macros":
        return _("Office files with macros cannot be attached: save it without macros.")
    return _(
        "This type of file cannot be attached. Attach images (JPEG, PNG, GIF, WebP, HEIC), "
        "PDF, Office documents, text or CSV."
    )


@dataclass
class AttachmentsAdded:
    """What an upload of several files did: each file is attached or refused on its own."""

    added: list[Attachment] = field(default_factory=list)
    #: (file name, why) for each refused file.
    refused: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class _Checked:
    name: str
    found: FileType
    size: int
    sha256: str


def _name_clean(name: str) -> str:
    """The uploader's file name as shown and offered on download: no folders, no control
    characters, at most NAME_MAX characters with the extension kept."""
    name = os.path.basename((name or "").replace("\\", "/"))
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip() or "file"
    if len(name) > NAME_MAX:
        stem, extension = os.path.splitext(name)
        name = stem[: NAME_MAX - len(extension[:20])] + extension[:20]
    return name


def _check_file(upload) -> _Checked:
    """Size first (nothing is read of a file too big), then the type, from the bytes."""
    name = _name_clean(getattr(upload, "name", ""))
    if upload.size > ATTACHMENT_MAX_BYTES:
        raise LeadError(
            _("A file may be at most %(size)s.") % {"size": filesizeformat(ATTACHMENT_MAX_BYTES)},
            field="file",
        )
    if upload.size == 0:
        raise LeadError(_("The file is empty."), field="file")
    try:
        found = file_type_sniff(upload, name=name)
    except FileTypeRefused as refused:
        raise LeadError(_refusal(refused.reason), field="file") from refused
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return _Checked(name, found, upload.size, digest.hexdigest())


def _check_lead(lead: Lead, actor: User) -> None:
    if lead.merged_into_id is not None:
        raise LeadError(_("This lead was merged into another; attach the file there."))
    if lead.status == LeadStatus.VOID:
        raise LeadError(_("This lead is void."))
    if not lead_can_write(actor, lead):
        raise LeadError(_("You may not add files to this lead."))


def _check_room(lead: Lead, checked: _Checked) -> None:
    """The same file not twice on one lead; the tenant's total within TENANT_MAX_BYTES."""
    twin = lead.attachments.filter(sha256=checked.sha256, deleted_at=None).first()
    if twin is not None:
        raise LeadError(
            _("This file is already attached to the lead (%(name)s).") % {"name": twin},
            field="file",
        )
    if attachments_total_bytes() + checked.size > TENANT_MAX_BYTES:
        raise LeadError(
            _(
                "Your workspace's files have reached their limit of %(size)s: delete files "
                "no longer needed, or ask an admin."
            )
            % {"size": filesizeformat(TENANT_MAX_BYTES)},
            field="file",
        )


def _lock_room() -> None:
    """Serialise attaching in this tenant until the transaction ends, so two uploads cannot
    both pass the total's check for the last space left."""
    key = f"attachments-room:{connection.schema_name}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])


def attachment_add(*, lead: Lead, actor: User, upload, description: str = "") -> Attachment:
    """Attach the uploaded file ``upload`` to ``lead``; raises LeadError (nothing attached,
    nothing stored) when it is refused.

    1. check the file: at most ATTACHMENT_MAX_BYTES, a type allowed by its bytes
       (leads.filetypes: never the browser's word nor the name's), hashed
    2. check the lead (writable by ``actor``, not void, not merged) and the room left, then
       store the file under a random name in the tenant's folder
    3. in one transaction: lock the lead and the tenant's attachment total, check both again
       (a merge or another upload may have come first), save the row; if anything fails the
       stored file is deleted
    """
    checked = _check_file(upload)
    _check_lead(lead, actor)
    _check_room(lead, checked)
    attachment = Attachment(
        lead=lead,
        uploaded_by=actor,
        original_name=checked.name,
        content_type=checked.found.content_type,
        size=checked.size,
        sha256=checked.sha256,
        description=" ".join((description or "").split())[:DESCRIPTION_MAX],
        created_at=timezone.now(),
    )
    attachment.file.save(f"upload{checked.found.extension}", upload, save=False)
    try:
        with transaction.atomic():
            locked = Lead.objects.select_for_update(no_key=True).get(pk=lead.pk)
            _check_lead(locked, actor)
            _lock_room()
            _check_room(locked, checked)
            attachment.lead = locked
            attachment.save()
    except BaseException:
        default_storage.delete(attachment.file.name)
        raise
    return attachment


def attachments_add(
    *, lead: Lead, actor: User, uploads: list, description: str = ""
) -> AttachmentsAdded:
    """Attach each of ``uploads`` (at most FILES_PER_UPLOAD) with ``attachment_add``: a refused
    file is reported with why and does not stop the others. ``description`` goes with each."""
    if not uploads:
        raise LeadError(_("Choose a file to attach."), field="file")
    if len(uploads) > FILES_PER_UPLOAD:
        raise LeadError(
            _("Attach at most %(n)d files at once.") % {"n": FILES_PER_UPLOAD}, field="file"
        )
    outcome = AttachmentsAdded()
    for upload in uploads:
        try:
            outcome.added.append(
                attachment_add(lead=lead, actor=actor, upload=upload, description=description)
            )
        except LeadError as exc:
            outcome.refused.append((_name_clean(upload.name), exc.message))
    return outcome


def attachment_can_delete(user: User, attachment: Attachment) -> bool:
    """Its uploader, the lead's owner and tenant admins, while the lead may change at all (a
    converted lead is read-only: its files live on with its customer)."""
    lead = attachment.lead
    if lead.status == LeadStatus.CONVERTED or lead.merged_into_id is not None:
        return False
    return user.is_tenant_admin or user.pk in (attachment.uploaded_by_id, lead.owner_id)


def attachment_delete(*, attachment: Attachment, actor: User) -> None:
    """Delete ``attachment``: the row stays for the change history (who deleted what, when)
    and the file leaves storage once the transaction commits. Raises LeadError when ``actor``
    may not (see ``attachment_can_delete``) or someone deleted it first."""
    if not attachment_can_delete(actor, attachment):
        raise LeadError(
            _("Only the person who attached a file, the lead's owner or an admin can delete it.")
        )
    name = attachment.file.name
    with transaction.atomic():
        done = Attachment.objects.filter(pk=attachment.pk, deleted_at=None).update(
            deleted_at=timezone.now(), deleted_by=actor, file=""
        )
        if not done:
            raise LeadError(_("This file was already deleted."))
        transaction.on_commit(lambda: default_storage.delete(name))


# Merges (leads.hooks.register_merge, in LeadsConfig.ready) -------------------------------------


def attachments_merge(keep: Lead, gone: list[Lead]) -> list[list[int]]:
    """The merged leads' attachments move to the survivor; returns [attachment id, lead id]
    pairs for the undo."""
    moved = [
        list(row) for row in Attachment.objects.filter(lead__in=gone).values_list("pk", "lead_id")
    ]
    Attachment.objects.filter(pk__in=[pk for pk, _lead in moved]).update(lead=keep)
    return moved


def attachments_merge_undo(keep: Lead, moved) -> None:
    """Each attachment that moved goes back to its lead (unless it left the survivor since)."""
    back: dict[int, list[int]] = {}
    for pk, lead_pk in moved or []:
        back.setdefault(lead_pk, []).append(pk)
    for lead_pk, pks in back.items():
        Attachment.objects.filter(pk__in=pks, lead=keep).update(lead_id=lead_pk)


# Housekeeping (leads.tasks.files.files_cleanup, daily per tenant) ------------------------------


def _stored_names(folder: str):
    if not default_storage.exists(folder):
        return
    folders, files = default_storage.listdir(folder)
    for name in files:
        yield f"{folder}/{name}"
    for sub in folders:
        yield from _stored_names(f"{folder}/{sub}")


def attachments_cleanup(*, now: datetime | None = None) -> int:
    """Delete the tenant's stored attachment files that no attachment holds any more, at least
    ORPHAN_AGE old: those of deleted leads (the database deletes their attachments with them,
    e.g. the sample data's removal) and of uploads that failed half-way. Returns how many."""
    now = now or timezone.now()
    held = set(Attachment.objects.exclude(file="").values_list("file", flat=True))
    removed = 0
    for name in _stored_names(FOLDER):
        if name in held or default_storage.get_modified_time(name) > now - ORPHAN_AGE:
            continue
        default_storage.delete(name)
        removed += 1
    return removed


# Reads ----------------------------------------------------------------------------------------


def attachments_total_bytes() -> int:
    """What the tenant's attachments take (deleted ones no longer count)."""
    total = Attachment.objects.filter(deleted_at=None).aggregate(total=Sum("size"))["total"]
    return total or 0


def lead_attachments(*, lead: Lead) -> QuerySet[Attachment]:
    """The lead's files, newest first (the caller has checked the lead is visible)."""
    return lead.attachments.filter(deleted_at=None).select_related("uploaded_by", "lead")


def attachment_get_for_user(*, user: User, uuid) -> Attachment:
    """The attachment if ``user`` may see its lead (404 otherwise, never a hint that it
    exists; deleted ones are gone), and 403 when the lead's contacts are masked for them (an
    unclaimed lead of a pool: its files, business cards and signatures, would show them)."""
    found = (
        Attachment.objects.filter(
            uuid=uuid_or_none(uuid),
            deleted_at=None,
            lead__in=leads_visible_to(user).values("pk"),
        )
        .select_related("lead", "uploaded_by")
        .first()
        if uuid_or_none(uuid)
        else None
    )
    if found is None:
        raise Http404
    if lead_contacts_masked(user=user, lead=found.lead):
        raise PermissionDenied
    return found


def attachments_of_leads(*, user: User, leads: QuerySet[Lead]) -> QuerySet[Attachment]:
    """The files of ``leads`` (a queryset already scoped to what ``user`` sees) that ``user``
    may open, newest first: the customer page shows those of its converted leads."""
    q = contacts_masked_q(user)
    if q is not None:
        leads = leads.exclude(q)
    return Attachment.objects.filter(lead__in=leads.values("pk"), deleted_at=None).select_related(
        "uploaded_by", "lead"
    )


def attachment_history_entries(lead: Lead, *, limit: int) -> list[HistoryEntry]:
    """The lead's Change history hook: each file attached, and each deleted, with who and when."""
    template = "leads/partials/_attachment_history_entry.html"
    added = lead.attachments.select_related("uploaded_by").order_by("-created_at")[:limit]
    deleted = (
        lead.attachments.filter(deleted_at__isnull=False)
        .select_related("deleted_by")
        .order_by("-deleted_at")[:limit]
    )
    entries = [HistoryEntry(a.created_at, a.uploaded_by, template, ("added", a)) for a in added]
    entries += [HistoryEntry(a.deleted_at, a.deleted_by, template, ("deleted", a)) for a in deleted]
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries[:limit]
