"""python manage.py import_leads <tenant> <file> [--sheet S] [--mapping FILE|NAME] [--on-duplicate
skip|update|flag] [--source-detail TEXT] [--owner EMAIL | --pool NAME] [--no-rules] [--report FILE]
[--create-fields] [--campaign NAME|UUID]

The same import as the pages (checks, mapping, duplicates, batches, history, routing), run in
this process for ops (its Job is recorded as the pages' are, never queued); prints a summary
and writes the problem report next to the file. Rows with a closed status (converted, lost,
invalid, void) are imported as history (leads.importing.history); ``--create-fields`` makes a
custom field of every unmapped column (leads.importing.fields); ``--campaign`` attaches every
row whose campaign cell is empty (or that has no campaign column) to that campaign."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_tenants.utils import tenant_context

from leadcrm.accounts.models import User
from leadcrm.accounts.roles import Role
from leadcrm.tenancy.models import Tenant
from leads.errors import LeadError
from leads.hooks import destination_find
from leads.importing.reader import ImportFileError
from leads.importing.services import (
    import_error_report,
    import_job_create,
    import_job_start,
    import_run,
    import_table,
)
from leads.models import ImportJob, ImportMapping
from leads.services.campaign_attach import campaign_find


class Command(BaseCommand):
    help = "Import a lead list (xlsx, xls, ods or csv) into a tenant."

    def add_arguments(self, parser):
        parser.add_argument("tenant")
        parser.add_argument("file")
        parser.add_argument("--sheet", default="")
        parser.add_argument(
            "--mapping",
            help='JSON file {"column header": "field", ...} or the name of a saved mapping '
            "(without it, a saved mapping that fits the file is used, else the suggestions)",
        )
        parser.add_argument(
            "--on-duplicate",
            choices=ImportJob.OnDuplicate.values,
            default="skip",
            help="what a row that matches a lead already in the CRM does (default skip); a row "
            "that repeats an earlier row of the same file is always skipped",
        )
        parser.add_argument("--source-detail", default="")
        parser.add_argument("--owner", help="email of the owner of every imported lead")
        parser.add_argument("--pool", help="name of the pool the new leads go into")
        parser.add_argument("--no-rules", action="store_true", help="do not route the leads")
        parser.add_argument("--report", help="where to write the problem report (xlsx)")
        parser.add_argument(
            "--create-fields",
            action="store_true",
            help="make a lead custom field of every unmapped column that has values (type read "
            "from the values; a header naming an existing custom field is mapped to it)",
        )

        parser.add_argument(
            "--campaign",
            help="name or uuid of the campaign every row joins (a row's own campaign column "
            "wins); a cancelled, unknown or ambiguous one is refused",
        )

    def handle(self, *args, **options):
        tenant = (
            Tenant.objects.filter(slug=options["tenant"]).first()
            or Tenant.objects.filter(schema_name=options["tenant"]).first()
        )
        if tenant is None:
            raise CommandError(f"no tenant {options['tenant']!r}")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no file {path}")
        with tenant_context(tenant):
            actor = User.objects.filter(roles__contains=[Role.TENANT_ADMIN]).order_by("pk").first()
            owner = None
            if options["owner"]:
                owner = User.objects.filter(email__iexact=options["owner"], is_active=True).first()
                if owner is None:
                    raise CommandError(f"no active user {options['owner']}")
            destination = ""
            if options["pool"]:
                destination = destination_find("pool", options["pool"])
                if destination is None:
                    raise CommandError(f"no active pool {options['pool']!r}")
            campaign = None
            if options["campaign"]:
                campaign = campaign_find(options["campaign"])
                if campaign is None:
                    raise CommandError(
                        f"no open campaign {options['campaign']!r} (or several by that name: "
                        "give its uuid)"
                    )
            try:
                job = import_job_create(
                    actor=actor, filename=path.name, data=path.read_bytes(), sheet=options["sheet"]
                )
                mapping = job.mapping
                if options["mapping"]:
                    headers = import_table(job).headers
                    saved = ImportMapping.objects.filter(name=options["mapping"]).first()
                    if saved is not None:
                        given = saved.columns
                    elif Path(options["mapping"]).is_file():
                        given = json.loads(Path(options["mapping"]).read_text(encoding="utf-8"))
                    else:
                        raise CommandError(
                            f"no mapping file or saved mapping {options['mapping']!r}"
                        )
                    unknown = set(given) - set(headers)
                    if unknown:
                        raise CommandError(f"not columns of the file: {sorted(unknown)}")
                    mapping = {str(headers.index(h)): target for h, target in given.items()}
                job = import_job_start(
                    job=job,
                    actor=actor,
                    mapping=mapping,
                    on_duplicate=options["on_duplicate"],
                    owner=owner,
                    source_detail=options["source_detail"],
                    run_rules=not options["no_rules"],
                    destination=destination,
                    create_fields=options["create_fields"],
                    campaign=campaign,
                    in_worker=False,
                )
                job = import_run(job.pk)
            except (ImportFileError, LeadError) as error:
                raise CommandError(error.message) from error
            if job.status != ImportJob.Status.DONE:
                raise CommandError(f"{job.filename}: {job.get_status_display()}: {job.job.error}")
            # Cells left out of landed rows (a bad e-mail, a phone of three digits).
            warnings = job.issues.filter(is_error=False).exclude(column="").count()
            has_report = bool(job.errors or job.duplicates or warnings)
            report = _report_path(path, options["report"])
            if has_report:
                report.write_bytes(import_error_report(job))
        self.stdout.write(
            f"{job.filename}: {job.total_rows} rows, {job.created} created, {job.updated} updated, "
            f"{job.skipped} skipped ({job.duplicates} duplicates), {job.errors} with problems, "
            f"{warnings} cells left out"
        )
        if job.closed or job.loss_reasons_added:
            self.stdout.write(
                f"closed history: {job.closed} leads (not routed, not converted), "
                f"{job.loss_reasons_added} loss reasons added"
            )
        created_fields = sorted(
            target[3:]
            for column, target in job.mapping.items()
            if target.startswith("cf:") and column not in mapping
        )
        if created_fields:
            self.stdout.write(
                f"custom fields used for unmapped columns: {', '.join(created_fields)}"
            )
        if has_report:
            self.stdout.write(f"problem report: {report}")


def _report_path(source: Path, given: str | None) -> Path:
    """Where the problem report goes: ``--report``, else next to the file, never over an
    earlier report (a run's time is added when one is there)."""
    if given:
        return Path(given)
    report = source.with_name(f"{source.stem}-problems.xlsx")
    if report.exists():
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        report = source.with_name(f"{source.stem}-problems-{stamp}.xlsx")
    return report
