from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import tenant_context

from demo.campaigns import demo_campaigns_seed
from demo.conversion import demo_conversions_seed
from demo.leads import demo_leads_seed
from demo.organisation import demo_organisation_seed
from demo.pools import demo_pools_seed
from demo.scoring import demo_model_train
from leadcrm.accounts.models import Team, User
from leadcrm.accounts.roles import Role
from leadcrm.tenancy.errors import ProvisioningError
from leadcrm.tenancy.models import Tenant
from leadcrm.tenancy.services import tenant_provision
from leads.models import Lead


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
            "--top-up",
            action="store_true",
            help="keep existing people and leads; add leads until there are --leads of them "
            "(safe to re-run, resumes an interrupted seeding)",
        )
        parser.add_argument("--seed", type=int, default=2026, help="random seed (repeatable data)")
        parser.add_argument("--leads", type=int, default=5000, help="how many leads (0: none)")
        parser.add_argument(
            "--pool-leads",
            type=int,
            default=2500,
            help="extra leads routed into the demo pools (0: no pools)",
        )

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
            if not Team.objects.exists():
                domain = options["admin_email"].split("@", 1)[1]
                org = demo_organisation_seed(
                    email_domain=domain, password=options["admin_password"], seed=options["seed"]
                )
                self.stdout.write(
                    f"seeded {subdomain}: {len(org.teams) + 1} teams, {len(org.managers)} "
                    f"managers, {len(org.reps)} reps, 1 pool admin "
                    "(all sign in with the admin password)"
                )
            elif not options["top_up"]:
                raise CommandError(
                    f"tenant {subdomain} already has teams; use --top-up to add leads up to "
                    "--leads without touching the people"
                )
            missing = options["leads"] - (Lead.objects.count() if options["top_up"] else 0)
            if missing <= 0:
                if options["leads"]:
                    self.stdout.write(f"tenant {subdomain} already has {options['leads']} leads")
                    self._after_leads(options)
                return
            owners_by_team = {
                team.name: list(User.objects.filter(team=team, is_active=True))
                for team in Team.objects.filter(
                    kind=Team.Kind.TEAM, members__isnull=False
                ).distinct()
            }
            admin = User.objects.filter(roles__contains=[Role.TENANT_ADMIN]).order_by("pk")[0]
            result = demo_leads_seed(
                owners_by_team=owners_by_team,
                admin=admin,
                count=missing,
                seed=options["seed"] + Lead.objects.count(),
                progress=lambda done: self.stdout.write(f"  {done}/{missing} leads", ending="\n"),
            )
            mix = ", ".join(f"{k}={v}" for k, v in sorted(result["statuses"].items()))
            self.stdout.write(
                self.style.SUCCESS(f"seeded {missing} leads in {result['seconds']} s ({mix})")
            )
            self._after_leads(options)

    def _pools(self, options):
        """Pools, rules and pooled leads, once the leads are there (skipped if present)."""
        if not options["pool_leads"]:
            return
        admin = User.objects.filter(roles__contains=[Role.TENANT_ADMIN]).order_by("pk")[0]
        result = demo_pools_seed(admin=admin, extra_leads=options["pool_leads"])
        self.stdout.write(self.style.SUCCESS(f"pools: {result}"))

    def _after_leads(self, options):
        """Pools first (they take some leads), then about a tenth of the worked leads convert,
        the trade shows and ad campaigns they came from become campaigns with their costs,
        then the conversion model learns from that history."""
        self._pools(options)
        result = demo_conversions_seed(seed=options["seed"])
        self.stdout.write(self.style.SUCCESS(f"conversions: {result}"))
        admin = User.objects.filter(roles__contains=[Role.TENANT_ADMIN]).order_by("pk")[0]
        self.stdout.write(self.style.SUCCESS(f"campaigns: {demo_campaigns_seed(actor=admin)}"))
        self.stdout.write(self.style.SUCCESS(f"conversion model: {demo_model_train()}"))
