"""The first run's writes: hiding the setup checklist, loading and removing the sample data."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from conversion.models import Conversion
from leadcrm.accounts.models import User
from leadcrm.jobs.errors import JobAlreadyActive, JobError
from leadcrm.jobs.models import Job
from leadcrm.jobs.services import job_create, job_enqueue
from leadcrm.notifications.models import Notification
from leads.errors import LeadError
from leads.models import Lead, LeadMember
from onboarding.errors import SampleDataInUseError
from onboarding.models import ChecklistHidden, SampleData, SampleRecord
from onboarding.sample import sample_leads_make, sample_pool_and_rule_make
from onboarding.selectors import SAMPLE_JOB_KIND
from pools.models import AssignmentRule, Pool, PoolEntry, PoolEvent

#: The history simple-history keeps of a pool's admins and members (HistoricalRecords with
#: m2m_fields): models without a class of their own to import.
POOL_M2M_HISTORY = ("HistoricalPool_admins", "HistoricalPool_members")


def _admin_require(actor: User) -> None:
    if not actor.is_tenant_admin:
        raise PermissionDenied


def checklist_hide(*, user: User) -> None:
    """Hide the setup checklist from ``user``'s home page (safe to repeat)."""
    ChecklistHidden.objects.get_or_create(user=user)


def checklist_show(*, user: User) -> None:
    """Show the setup checklist on ``user``'s home page again."""
    ChecklistHidden.objects.filter(user=user).delete()


def _sample_state_locked() -> SampleData:
    """The sample data row, created if missing, locked until the transaction ends: loads and
    removals of one workspace take their turn."""
    try:
        with transaction.atomic():
            SampleData.objects.get_or_create(singleton=True)
    except IntegrityError:  # another request created it meanwhile
        pass
    return SampleData.objects.select_for_update().get(singleton=True)


@dataclass(frozen=True)
class SampleLoaded:
    """What a load did: ``created`` False when the sample was already there (nothing made)."""

    created: bool
    leads: int = 0


def sample_data_load(*, actor: User) -> SampleLoaded:
    """Load the sample data into the current workspace, once.

    1. lock the workspace's SampleData row (a second click waits, then finds it loaded)
    2. nothing more if it is loaded: the sample is never loaded twice
    3. make the pool, the rule and the leads (onboarding.sample) through the services, in the
       language active now (the admin's), tagged with the word for "sample"
    4. record every row made in SampleRecord, the only way removal finds them
    All or nothing: one transaction. Tenant admins only (PermissionDenied otherwise).
    """
    _admin_require(actor)
    with transaction.atomic():
        state = _sample_state_locked()
        if state.loaded_at is not None:
            return SampleLoaded(created=False)
        tag = _("sample")
        pool, rule = sample_pool_and_rule_make(actor=actor, tag=tag)
        leads = sample_leads_make(actor=actor, pool=pool, tag=tag)
        # Waiting since the lead arrived, not since the sample was loaded.
        created = Lead.objects.filter(pk=OuterRef("lead_id")).values("created_at")[:1]
        ids = [lead.pk for lead in leads]
        PoolEntry.objects.filter(lead_id__in=ids).update(entered_at=Subquery(created))
        PoolEvent.objects.filter(lead_id__in=ids, action=PoolEvent.Action.ENTER).update(
            at=Subquery(created)
        )
        SampleRecord.objects.bulk_create(
            [SampleRecord(pool=pool), SampleRecord(rule=rule)]
            + [SampleRecord(lead_id=pk) for pk in ids]
        )
        state.loaded_at, state.loaded_by, state.tag = timezone.now(), actor, tag
        state.save(update_fields=["loaded_at", "loaded_by", "tag"])
    return SampleLoaded(created=True, leads=len(ids))


SAMPLE_TASK = "onboarding.tasks.sample_data_load_run"


def sample_data_load_request(*, actor: User) -> Job | None:
    """Load the sample data in the worker (it takes several seconds), in the language active
    now. None if the sample is already loaded (nothing queued); the job already queued or
    running if there is one (the exclusive kind decides a race of two clicks); else a new job
    queued once the transaction commits. Tenant admins only (PermissionDenied otherwise)."""
    _admin_require(actor)
    if SampleData.objects.filter(singleton=True, loaded_at__isnull=False).exists():
        return None
    params = {"language": translation.get_language() or settings.LANGUAGE_CODE}
    try:
        job = job_create(kind=SAMPLE_JOB_KIND, user=actor, exclusive=True, params=params)
    except JobAlreadyActive as active:
        return active.job
    return job_enqueue(job=job, task=SAMPLE_TASK)


def sample_data_load_perform(*, job: Job) -> dict:
    """The job's body: load the sample as the admin who asked, in the language they used.
    Safe to run again (a redelivered message): sample_data_load loads once."""
    actor = job.created_by
    if actor is None or not actor.is_active or not actor.is_tenant_admin:
        raise JobError(_("Only a tenant admin can load the sample data."))
    language = job.params.get("language")
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    with translation.override(language):
        try:
            loaded = sample_data_load(actor=actor)
        except LeadError as error:  # e.g. a required custom field the sample cannot fill
            raise JobError(
                _("The sample data could not be loaded: %(reason)s") % {"reason": error.message}
            ) from error
    return {"created": loaded.created, "leads": loaded.leads}


@dataclass(frozen=True)
class SampleRemoved:
    """What a removal deleted, and the sample pools kept because real work uses them."""

    leads: int = 0
    pools: int = 0
    rules: int = 0
    kept_pools: tuple[str, ...] = ()


def _pools_in_use(pool_ids: list[int], lead_ids: list[int], rule_ids: list[int]) -> list[Pool]:
    """Sample pools that hold, held or receive something that is not sample data: a lead of
    someone's own that entered it, or a rule of someone's own that targets it."""
    foreign_lead = PoolEvent.objects.filter(pool=OuterRef("pk")).exclude(lead_id__in=lead_ids)
    foreign_entry = PoolEntry.objects.filter(pool=OuterRef("pk")).exclude(lead_id__in=lead_ids)
    foreign_rule = AssignmentRule.objects.filter(target_pool=OuterRef("pk")).exclude(
        pk__in=rule_ids
    )
    return list(
        Pool.objects.filter(pk__in=pool_ids).filter(
            Exists(foreign_lead) | Exists(foreign_entry) | Exists(foreign_rule)
        )
    )


def sample_data_remove(*, actor: User) -> SampleRemoved:
    """Delete exactly what the sample data made, and nothing a person made with their own data.

    1. lock the SampleData row; nothing to do if no sample is loaded
    2. refuse (SampleDataInUseError, nothing removed) if a sample lead was converted: its
       customer, contact and opportunity are someone's work now
    3. delete the sample leads with their activities, stage changes, follow-ups, comments,
       pool entries and events, scores (database cascades), change history, member history
       and the notifications that link to them
    4. delete the sample rule and its history; delete the sample pool and its history unless
       a lead or a rule of someone's own uses it (it is then kept, as theirs now)
    5. forget the records and mark the sample as not loaded (it may be loaded again)
    All or nothing: one transaction. Tenant admins only (PermissionDenied otherwise).
    """
    _admin_require(actor)
    with transaction.atomic():
        state = _sample_state_locked()
        records = SampleRecord.objects.all()
        lead_ids = list(records.filter(lead__isnull=False).values_list("lead_id", flat=True))
        pool_ids = list(records.filter(pool__isnull=False).values_list("pool_id", flat=True))
        rule_ids = list(records.filter(rule__isnull=False).values_list("rule_id", flat=True))
        if state.loaded_at is None and not (lead_ids or pool_ids or rule_ids):
            return SampleRemoved()
        converted = Lead.objects.filter(
            Exists(Conversion.objects.filter(lead=OuterRef("pk"))), pk__in=lead_ids
        )
        names = list(converted.order_by("name").values_list("name", flat=True)[:3])
        if names:
            raise SampleDataInUseError(
                _(
                    "Sample leads were converted into customers (%(names)s): the sample data "
                    "stays until those customers are no longer needed."
                )
                % {"names": ", ".join(names)}
            )
        kept = _pools_in_use(pool_ids, lead_ids, rule_ids)
        gone_pools = [pk for pk in pool_ids if pk not in {pool.pk for pool in kept}]
        uuids = Lead.objects.filter(pk__in=lead_ids).values_list("uuid", flat=True)
        links = [reverse("leads-detail", kwargs={"uuid": uuid}) for uuid in uuids]
        Notification.objects.filter(url__in=links).delete()
        deleted = Counter()
        for model, ids in ((Lead, lead_ids), (AssignmentRule, rule_ids), (Pool, gone_pools)):
            deleted.update(model.objects.filter(pk__in=ids).delete()[1])
        # After the rows: deleting them wrote their "deleted" history records.
        Lead.history.filter(id__in=lead_ids).delete()
        LeadMember.history.filter(lead_id__in=lead_ids).delete()
        AssignmentRule.history.filter(id__in=rule_ids).delete()
        for name in POOL_M2M_HISTORY:
            apps.get_model("pools", name).objects.filter(pool_id__in=gone_pools).delete()
        Pool.history.filter(id__in=gone_pools).delete()
        SampleRecord.objects.all().delete()
        state.loaded_at, state.loaded_by, state.tag = None, None, ""
        state.save(update_fields=["loaded_at", "loaded_by", "tag"])
    return SampleRemoved(
        leads=deleted["leads.Lead"],
        pools=deleted["pools.Pool"],
        rules=deleted["pools.AssignmentRule"],
        kept_pools=tuple(pool.name for pool in kept),
    )
