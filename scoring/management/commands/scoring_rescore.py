"""python manage.py scoring_rescore <tenant> [--chunk N]: score every open lead of a tenant
now, in chunks, with the tenant's current rules (scoring.services.score_recompute)."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from django_tenants.utils import tenant_context

from leadcrm.tenancy.models import Tenant
from leads.models import Lead
from scoring.services import CHUNK, open_lead_ids, score_recompute, thresholds_load

#: Leads per progress line (and per call of score_recompute).
STEP = 20_000


class Command(BaseCommand):
    help = "Rescore every open lead of a tenant (by subdomain or schema name) and print a summary."

    def add_arguments(self, parser):
        parser.add_argument("tenant")
        parser.add_argument("--chunk", type=int, default=CHUNK, help="leads per transaction")

    def handle(self, *args, tenant, chunk, **options):
        found = (
            Tenant.objects.filter(slug=tenant).first()
            or Tenant.objects.filter(schema_name=tenant).first()
        )
        if found is None:
            raise CommandError(f"no tenant {tenant!r}")
        if chunk < 1:
            raise CommandError("--chunk must be at least 1")
        with tenant_context(found):
            ids = open_lead_ids()
            started = time.monotonic()
            scored = 0
            for start in range(0, len(ids), STEP):
                scored += score_recompute(
                    lead_ids=ids[start : start + STEP], trigger="rescore", chunk=chunk
                )
                if len(ids) > STEP:
                    self.stdout.write(f"  {scored:,} of {len(ids):,} scored")
            seconds = time.monotonic() - started
            thresholds = thresholds_load()
            by_letter = dict(
                Lead.objects.filter(pk__in=ids)
                .values_list("grade")
                .annotate(n=Count("id"))
                .order_by()
            )
        rate = scored / seconds if seconds else 0
        self.stdout.write(
            f"scored={scored} seconds={seconds:.1f} leads_per_s={rate:.0f} "
            f"A={by_letter.get('A', 0)} B={by_letter.get('B', 0)} C={by_letter.get('C', 0)} "
            f"D={by_letter.get('D', 0)} hot>={thresholds.hot} warm>={thresholds.warm} "
            f"tenant={found.slug}"
        )
