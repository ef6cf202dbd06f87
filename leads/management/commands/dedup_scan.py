"""python manage.py dedup_scan <tenant> [--format json|text]: every duplicate group of a
tenant, found by its duplicate rules (leads.dedup.scan)."""

import json

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import tenant_context

from leadcrm.tenancy.models import Tenant
from leads.dedup.scan import tenant_duplicate_groups
from leads.models import Lead


class Command(BaseCommand):
    help = "Print the duplicate groups of a tenant (by subdomain or schema name)."

    def add_arguments(self, parser):
        parser.add_argument("tenant")
        parser.add_argument("--format", choices=["json", "text"], default="text")

    def handle(self, *args, tenant, **options):
        found = (
            Tenant.objects.filter(slug=tenant).first()
            or Tenant.objects.filter(schema_name=tenant).first()
        )
        if found is None:
            raise CommandError(f"no tenant {tenant!r}")
        with tenant_context(found):
            groups = tenant_duplicate_groups()
            ids = {pk for g in groups for pk in g.lead_ids}
            leads = {
                lead.pk: lead
                for lead in Lead.objects.filter(pk__in=ids).only(
                    "pk", "uuid", "name", "custom_data"
                )
            }
        out = []
        for group in groups:
            best: dict[int, int] = {}
            for pair in group.pairs:
                for pk in (pair.a, pair.b):
                    best[pk] = max(best.get(pk, 0), pair.score)
            out.append(
                {
                    "level": group.level,
                    "score": group.score,
                    "rules": sorted({p.rule.name for p in group.pairs}),
                    "leads": [
                        {
                            "id": str(leads[pk].uuid),
                            "external_id": (leads[pk].custom_data or {}).get("external_id"),
                            "name": leads[pk].name,
                            "score": best.get(pk, group.score),
                        }
                        for pk in group.lead_ids
                    ],
                }
            )
        if options["format"] == "json":
            self.stdout.write(json.dumps({"groups": out}, ensure_ascii=False, indent=2))
            return
        for number, group in enumerate(out, start=1):
            self.stdout.write(
                f"{number}. {group['level']} {group['score']} ({', '.join(group['rules'])})"
            )
            for lead in group["leads"]:
                ext = f" [{lead['external_id']}]" if lead["external_id"] else ""
                self.stdout.write(f"   {lead['id']}{ext} {lead['name']} ({lead['score']})")
        self.stdout.write(f"{len(out)} groups")
