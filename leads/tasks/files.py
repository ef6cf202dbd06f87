"""Daily file cleanup per tenant."""

from celery import shared_task
from django.db import connection

from leadcrm.tasking import logger


@shared_task(acks_late=True, ignore_result=False)
def files_cleanup() -> list[int]:
    """Daily, per tenant: expired export files, abandoned uploads, old import files and the
    files of attachments that are gone (deleted leads) go (see leads.exports.exports_cleanup,
    leads.importing.services.imports_cleanup, leads.services.attachments.attachments_cleanup)."""
    from leads.exports import exports_cleanup
    from leads.importing.services import imports_cleanup
    from leads.services.attachments import attachments_cleanup

    exports = exports_cleanup()
    uploads, files = imports_cleanup()
    attachments = attachments_cleanup()
    logger.info(
        "files cleanup exports=%d uploads=%d import_files=%d attachment_files=%d tenant=%s",
        exports, uploads, files, attachments, connection.schema_name,
    )  # fmt: skip
    return [exports, uploads, files, attachments]
