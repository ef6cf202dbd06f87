"""Reads of the first run: the setup checklist (each step ticks itself from the workspace's
data, never from a stored flag) and the state of the sample data."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from leadcrm.accounts.models import Team, User
from leadcrm.jobs.models import Job
from leads.models import ImportJob, Lead, WebForm
from onboarding.models import ChecklistHidden, SampleData, SampleRecord
from pools.models import AssignmentRule, Pool

#: The Job kind of a sample load run by the worker (onboarding.tasks).
SAMPLE_JOB_KIND = "sample_data"


@dataclass(frozen=True)
class StepLink:
    label: str | Promise
    url: str


@dataclass(frozen=True)
class Step:
    key: str
    title: str | Promise
    help: str | Promise
    done: bool
    links: tuple[StepLink, ...] = ()
    #: Not counted in "n of m done" (the sample data).
    optional: bool = False


@dataclass(frozen=True)
class Checklist:
    steps: tuple[Step, ...]

    @property
    def total(self) -> int:
        return sum(1 for step in self.steps if not step.optional)

    @property
    def done(self) -> int:
        return sum(1 for step in self.steps if step.done and not step.optional)

    @property
    def complete(self) -> bool:
        return self.done == self.total


def _not_sample(model_field: str) -> Exists:
    """Rows that are not sample data (SampleRecord.<model_field> points at none of them)."""
    return ~Exists(SampleRecord.objects.filter(**{model_field: OuterRef("pk")}))


def checklist_for(user: User) -> Checklist:
    """The setup steps of the workspace as ``user`` (a tenant admin) sees them, each done when
    the workspace has the real thing: sample data ticks none of them. One query per step."""
    others = User.objects.filter(is_active=True).exclude(pk=user.pk)
    own_leads = Lead.objects.filter(_not_sample("lead"), import_job__isnull=True)
    own_pools = Pool.objects.filter(_not_sample("pool"), is_fallback=False)
    own_rules = AssignmentRule.objects.filter(_not_sample("rule"))
    sample = sample_data_state()
    steps = (
        Step(
            "workspace",
            _("Create the workspace"),
            _("Done. Your team signs in at this address."),
            done=True,
        ),
        Step(
            "invite",
            _("Invite your team"),
            _("Reps, managers and pool admins get an email to choose their password."),
            done=others.exists(),
            links=(StepLink(_("Invite people"), reverse("accounts-user-create")),),
        ),
        Step(
            "teams",
            _("Create teams and departments"),
            _("Group reps under a manager; managers see their people's leads."),
            done=Team.objects.exists(),
            links=(StepLink(_("Create a team"), reverse("accounts-team-create")),),
        ),
        Step(
            "import",
            _("Import your leads"),
            _("Bring the list you keep today from Excel or CSV; the template shows the columns."),
            done=ImportJob.objects.filter(created__gt=0).exists(),
            links=(
                StepLink(_("Import leads"), reverse("leads-import")),
                StepLink(_("Download the template"), reverse("leads-import-template")),
            ),
        ),
        Step(
            "lead",
            _("Add a lead"),
            _("Type one in, or paste a business card or an email signature for smart fill."),
            done=own_leads.exists(),
            links=(StepLink(_("New lead"), reverse("leads-create")),),
        ),
        Step(
            "webform",
            _("Create a web form"),
            _("Put it on your website: every visitor who sends it becomes a lead."),
            done=WebForm.objects.exists(),
            links=(StepLink(_("New web form"), reverse("leads-webform-create")),),
        ),
        Step(
            "pool",
            _("Set up a lead pool"),
            _("A shared backlog that reps claim leads from, with limits and reclaim rules."),
            done=own_pools.exists(),
            links=(StepLink(_("New pool"), reverse("pools-create")),),
        ),
        Step(
            "rule",
            _("Add an assignment rule"),
            _("Send new leads to the right person, team or pool by region, source or industry."),
            done=own_rules.exists(),
            links=(StepLink(_("New rule"), reverse("pools-rule-create")),),
        ),
        Step(
            "sample",
            _("Try it with sample data"),
            _("60 leads in every status, a pool and a rule, removed again in one click."),
            done=sample.loaded,
            optional=True,
        ),
    )
    return Checklist(steps)


@dataclass(frozen=True)
class SampleState:
    loaded: bool
    #: Sample leads still there (a person may have deleted some).
    leads: int = 0
    #: The tag on the sample leads (for the link to them).
    tag: str = ""
    #: A load waiting for or running in the worker.
    loading: Job | None = None
    #: The last load that failed, if it is newer than the sample (its reason).
    failed: Job | None = None


def sample_data_state() -> SampleState:
    """Whether the workspace holds the sample data, and how a load in the worker is going."""
    state = SampleData.objects.filter(singleton=True).first()
    loaded = state is not None and state.loaded_at is not None
    job = Job.objects.filter(kind=SAMPLE_JOB_KIND).order_by("-created_at").first()
    return SampleState(
        loaded=loaded,
        leads=SampleRecord.objects.filter(lead__isnull=False).count() if loaded else 0,
        tag=state.tag if loaded else "",
        loading=job if job is not None and job.is_active else None,
        failed=job if job is not None and job.status == Job.Status.FAILED and not loaded else None,
    )


def onboarding_home_context(user: User) -> dict:
    """The home page's part of the first run, for tenant admins: the checklist (unless they
    hid it) and the sample data's state (its remove button stays reachable when hidden)."""
    if not user.is_authenticated or not user.is_tenant_admin:
        return {}
    hidden = ChecklistHidden.objects.filter(user=user).exists()
    return {
        "onboarding": {
            "hidden": hidden,
            "checklist": None if hidden else checklist_for(user),
            "sample": sample_data_state(),
        }
    }
