"""The Celery app. Tasks carry their tenant in a message header (tenant-schemas-celery) and
run inside that tenant's schema; see leadcrm.tasking for the guard against tenant-less tasks."""

import os

from kombu import Queue
from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadcrm.settings.dev")

app = CeleryApp("leadcrm", task_cls="leadcrm.tasking:TenantRequiredTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = [Queue(name) for name in app.conf.task_queues_names]
app.autodiscover_tasks()
