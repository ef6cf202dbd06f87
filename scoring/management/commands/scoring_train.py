"""python manage.py scoring_train <tenant> [--json] [--no-rescore]: train the tenant's
conversion model now and print the held-out AUC, the closed leads it learnt from and the model
version (or why it is not ready); then rescore the open leads with it."""

import json

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import tenant_context

from leadcrm.tenancy.models import Tenant
from scoring.models import PredictiveModel
from scoring.predictive.model import MIN_CLOSED, MIN_PER_CLASS
from scoring.predictive.services import model_train
from scoring.services import open_lead_ids, score_recompute


class Command(BaseCommand):
    help = "Train a tenant's conversion model now (by subdomain or schema name)."

    def add_arguments(self, parser):
        parser.add_argument("tenant")
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument(
            "--no-rescore", action="store_true", help="do not rescore the open leads afterwards"
        )

    def handle(self, *args, tenant, **options):
        found = (
            Tenant.objects.filter(slug=tenant).first()
            or Tenant.objects.filter(schema_name=tenant).first()
        )
        if found is None:
            raise CommandError(f"no tenant {tenant!r}")
        with tenant_context(found):
            version = model_train(trigger="command")
            ready = version.status == PredictiveModel.Status.READY
            rescored = 0
            if ready and not options["no_rescore"]:
                rescored = score_recompute(lead_ids=open_lead_ids(), trigger="rescore")
        out = {
            "tenant": found.slug,
            "version": version.version,
            "status": version.status,
            "reason": version.reason,
            "closed_leads": version.closed,
            "converted": version.converted,
            "train": version.train_size,
            "test": version.test_size,
            "auc": version.auc,
            "brier": version.brier,
            "features": version.features,
            "seconds": version.seconds,
            "rescored": rescored,
        }
        if options["json"]:
            self.stdout.write(json.dumps(out))
        elif ready:
            self.stdout.write(
                f"{found.slug}: model v{version.version} ready: held-out AUC {version.auc:.3f} "
                f"(Brier {version.brier:.3f}) on {version.test_size:,} most recently closed "
                f"leads; learnt from {version.closed:,} closed leads "
                f"({version.converted:,} converted), {version.features:,} features, "
                f"{version.seconds:.1f} s; {rescored:,} open leads rescored"
            )
        else:
            self.stdout.write(
                f"{found.slug}: model v{version.version} not ready: {version.closed:,} closed "
                f"leads ({version.converted:,} converted); it needs {MIN_CLOSED} closed leads "
                f"with at least {MIN_PER_CLASS} converted and {MIN_PER_CLASS} not converted"
            )
