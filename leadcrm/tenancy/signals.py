"""Signals of the tenancy app.

``tenant_created`` is sent by ``tenant_provision`` inside the new tenant's schema, in the
provisioning transaction, once its tables and its admin exist: apps give the tenant's starting
data the tenant's language there (a failure undoes the whole sign-up). Argument: ``tenant``.
"""

from django.dispatch import Signal

tenant_created = Signal()
