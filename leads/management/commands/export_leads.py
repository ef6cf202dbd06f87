"""python manage.py export_leads <tenant> <file> [--format csv|xlsx] [--status S ...]
[--language en|zh-hans]: every lead of a tenant (merged ones aside) with the same columns as
the Export button (every built-in and custom field, score, grade, status), for operations and
migrations. The file is written as the export job writes it (formula-safe cells, constant
memory)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django_tenants.utils import tenant_context

from leadcrm.tenancy.models import Tenant
from leads.exports import FORMATS, export_columns, export_csv_lines, export_xlsx_write
from leads.models import Lead, LeadStatus


class Command(BaseCommand):
    help = "Write every lead of a tenant to a CSV or xlsx file, as the Export button does."

    def add_arguments(self, parser):
        parser.add_argument("tenant", help="the tenant's subdomain or schema name")
        parser.add_argument("file", help="where to write (the extension does not choose)")
        parser.add_argument("--format", choices=FORMATS, default="csv")
        parser.add_argument(
            "--status", action="append", choices=LeadStatus.values, default=[],
            help="only leads in this status (repeat for several)",
        )  # fmt: skip
        parser.add_argument(
            "--language", default="en", help="language of the headers and labels (en, zh-hans)"
        )

    def handle(self, *args, tenant, file, **options):
        found = (
            Tenant.objects.filter(slug=tenant).first()
            or Tenant.objects.filter(schema_name=tenant).first()
        )
        if found is None:
            raise CommandError(f"no tenant {tenant!r}")
        path = Path(file)
        if not path.parent.is_dir():
            raise CommandError(f"no folder {path.parent}")
        with tenant_context(found), translation.override(options["language"]):
            leads = (
                Lead.objects.filter(merged_into__isnull=True)
                .select_related("owner", "stage", "source")
                .order_by("pk")
            )
            if options["status"]:
                leads = leads.filter(status__in=options["status"])
            columns = export_columns(leads)
            if options["format"] == "xlsx":
                with path.open("wb") as out:
                    count = export_xlsx_write(leads, columns, out)
            else:
                lines = export_csv_lines(leads, columns)
                with path.open("w", encoding="utf-8", newline="") as out:
                    out.write(next(lines))  # the header, after a BOM so Excel reads UTF-8
                    count = 0
                    for line in lines:
                        out.write(line)
                        count += 1
        self.stdout.write(f"exported leads={count} format={options['format']} file={path}")
