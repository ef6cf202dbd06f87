from django.core.management.base import BaseCommand, CommandError

from leadcrm.tenancy.errors import ProvisioningError
from leadcrm.tenancy.services import tenant_provision


class Command(BaseCommand):
    help = "Create a tenant (schema, domain, first admin) — the same service as the sign-up page."

    def add_arguments(self, parser):
        parser.add_argument("subdomain", help="e.g. acme (becomes acme.<LEADCRM_BASE_DOMAIN>)")
        parser.add_argument("--name", required=True, help="the company's name")
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-password", required=True)
        parser.add_argument("--admin-name", default="", help="the admin's full name")
        parser.add_argument("--language", default="en", choices=["en", "zh-hans"])

    def handle(self, *args, **options):
        try:
            tenant = tenant_provision(
                subdomain=options["subdomain"],
                name=options["name"],
                admin_email=options["admin_email"],
                admin_password=options["admin_password"],
                admin_full_name=options["admin_name"],
                default_language=options["language"],
            )
        except ProvisioningError as exc:
            raise CommandError(exc.message) from exc
        domain = tenant.get_primary_domain().domain
        self.stdout.write(self.style.SUCCESS(f"Tenant {tenant.slug} ready at {domain}"))
