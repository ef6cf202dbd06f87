from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import tenant_context

from leadcrm.accounts.models import Team
from leadcrm.demo import demo_organisation_seed
from leadcrm.tenancy.errors import ProvisioningError
from leadcrm.tenancy.models import Tenant
from leadcrm.tenancy.services import tenant_provision


class Command(BaseCommand):
    help = (
        "Fill a tenant with realistic demo data (teams, managers, reps) through the services. "
        "Creates the tenant first if it does not exist."
    )

    def add_arguments(self, parser):
        parser.add_argument("subdomain")
        parser.add_argument("--name", default="Demo Trading Co.")
        parser.add_argument("--admin-email", default="admin@demo.leadcrm.test")
        parser.add_argument("--admin-password", default="demo-Leads-2026")
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing if the tenant is already seeded"
        )
        parser.add_argument("--seed", type=int, default=2026, help="random seed (repeatable data)")

    def handle(self, *args, subdomain, **options):
        tenant = Tenant.objects.filter(slug=subdomain).first()
        if tenant is None:
            try:
                tenant = tenant_provision(
                    subdomain=subdomain,
                    name=options["name"],
                    admin_email=options["admin_email"],
                    admin_password=options["admin_password"],
                    admin_full_name="Demo Admin",
                )
            except ProvisioningError as exc:
                raise CommandError(exc.message) from exc
            self.stdout.write(f"created tenant {subdomain}")
        with tenant_context(tenant):
            if options["if_empty"] and Team.objects.exists():
                self.stdout.write(f"tenant {subdomain} already has data; nothing seeded")
                return
            domain = options["admin_email"].split("@", 1)[1]
            org = demo_organisation_seed(
                email_domain=domain, password=options["admin_password"], seed=options["seed"]
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"seeded {subdomain}: {len(org.teams) + 1} teams, {len(org.managers)} managers, "
                f"{len(org.reps)} reps, 1 pool admin "
                f"(all sign in with the admin password)"
            )
        )
