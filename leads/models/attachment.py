"""Files on a lead: business-card photos, brochures, quotes."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leads.filetypes import WEB_IMAGES
from leads.models.lead import Lead


def attachment_path(instance: "Attachment", filename: str) -> str:
    """Where the file is stored, below the tenant's folder (MEDIA_ROOT/<schema>/): a random
    name with the extension of the type the bytes showed, never the uploader's name."""
    extension = filename[filename.rfind(".") :] if "." in filename else ""
    return f"attachments/{instance.created_at:%Y/%m}/{uuid.uuid4().hex}{extension}"


class Attachment(models.Model):
    """A file attached to a lead. Deleting one keeps the row (the change history names what
    was deleted, by whom and when) and removes the file from storage."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="attachments")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: Empty once the attachment is deleted.
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200, blank=True)
    original_name = models.CharField(_("file name"), max_length=255)
    #: The type the file's bytes showed (leads.filetypes), never the browser's claim.
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    description = models.CharField(_("description"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("attachment")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["lead", "-created_at"], name="attachment_lead_time")]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_web_image(self) -> bool:
        """Whether browsers show it in an <img> (the thumbnail in the list)."""
        return self.content_type in WEB_IMAGES

    @property
    def kind_label(self) -> str:
        """A short mark for the list where no thumbnail shows: PDF, DOC, XLS, PPT, CSV, TXT."""
        media = self.content_type.split(";")[0]
        for needle, label in KIND_LABELS:
            if needle in media:
                return label
        return media.rsplit("/", 1)[-1][:4].upper()


#: (part of the content type, its mark), the first that matches wins.
KIND_LABELS = (
    ("pdf", "PDF"),
    ("heic", "HEIC"),
    ("msword", "DOC"),
    ("wordprocessing", "DOC"),
    ("opendocument.text", "DOC"),
    ("excel", "XLS"),
    ("spreadsheet", "XLS"),
    ("powerpoint", "PPT"),
    ("presentation", "PPT"),
    ("csv", "CSV"),
    ("tab-separated", "TSV"),
    ("text/", "TXT"),
)
