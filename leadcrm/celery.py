"""The Celery app. Tasks carry their tenant in a message header (tenant-schemas-celery) and
run inside that tenant's schema; see leadcrm.tasking for the guard against tenant-less tasks."""

import os

from kombu import Queue
from tenant_schemas_celery.app import CeleryApp

# Production unless told otherwise (an empty value counts as unset): a server started without
# DJANGO_SETTINGS_MODULE gets the strict settings, never DEBUG and the dev secret key.
if not os.environ.get("DJANGO_SETTINGS_MODULE"):
    os.environ["DJANGO_SETTINGS_MODULE"] = "leadcrm.settings.production"

app = CeleryApp("leadcrm", task_cls="leadcrm.tasking:TenantRequiredTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = [Queue(name) for name in app.conf.task_queues_names]
app.autodiscover_tasks()
