from django.core.management.base import BaseCommand

from leadcrm.tenancy.services import public_tenant_ensure


class Command(BaseCommand):
    help = "Create the public tenant and its base domain if missing (idempotent)."

    def handle(self, *args, **options):
        tenant = public_tenant_ensure()
        self.stdout.write(f"public tenant: {tenant.get_primary_domain().domain}")
