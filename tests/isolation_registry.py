"""How the tenant-isolation harness gets a real object of tenant A for each tenant route.

The harness (tests/test_tenant_isolation.py) walks every URL pattern of the tenant URLconf.
Every route that takes an argument must be listed here, or the harness fails and names it:
adding a route means telling the harness how to make the object it shows.

A provider runs inside tenant A's schema with A's cast and returns the URL kwargs plus the
strings that would betray A's data if they appeared in a response to tenant B.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from leadcrm.accounts.services import login_handoff_create, team_create


@dataclass
class ObjectRoute:
    make: Callable  # (cast) -> (kwargs, markers)
    #: A GET that is not refused with 403/404 (or a redirect to the login page) must still
    #: show none of the markers; list here routes that legitimately answer 200 to anyone
    #: (e.g. "this link is invalid").
    may_answer_200: bool = False
    methods: tuple[str, ...] = field(default=("GET", "POST"))


def _user(cast):
    return {"uuid": cast.rep.uuid}, [cast.rep.email, cast.rep.full_name]


def _team(cast):
    team = team_create(name="Isolation Probe Team")
    return {"uuid": team.uuid}, [team.name]


def _handoff(cast):
    return {"token": login_handoff_create(user=cast.admin)}, [cast.admin.email]


def _password_reset(cast):
    uid = urlsafe_base64_encode(force_bytes(cast.rep.pk))
    token = default_token_generator.make_token(cast.rep)
    return {"uidb64": uid, "token": token}, [cast.rep.email]


OBJECT_ROUTES: dict[str, ObjectRoute] = {
    "accounts-user-edit": ObjectRoute(_user),
    "accounts-user-invite": ObjectRoute(_user),
    "accounts-team-edit": ObjectRoute(_team),
    "accounts-handoff": ObjectRoute(_handoff, methods=("GET",)),
    "accounts-password-reset-confirm": ObjectRoute(_password_reset, may_answer_200=True),
}


def _lead(cast):
    from leads.services.lead import lead_create

    lead = lead_create(
        actor=cast.rep, owner=cast.rep, name="Isolation Probe Lead", company="Secret Co"
    )
    return {"uuid": lead.uuid}, ["Isolation Probe Lead", "Secret Co"]


OBJECT_ROUTES.update(
    {
        "leads-detail": ObjectRoute(_lead),
        "leads-edit": ObjectRoute(_lead),
        "leads-activity-create": ObjectRoute(_lead, methods=("POST",)),
        "leads-status": ObjectRoute(_lead, methods=("POST",)),
        "leads-stage": ObjectRoute(_lead, methods=("POST",)),
        "leads-assign": ObjectRoute(_lead, methods=("POST",)),
    }
)


def _lead_with_member(cast):
    from leads.services.lead import lead_create
    from leads.services.sharing import lead_member_add

    lead = lead_create(actor=cast.rep, owner=cast.rep, name="Member Probe Lead")
    lead_member_add(lead=lead, user=cast.teammate, access="read", actor=cast.rep)
    return {"uuid": lead.uuid, "user_uuid": cast.teammate.uuid}, ["Member Probe Lead"]


def _sharing_rule(cast):
    from leads.services.sharing import sharing_rule_create

    rule = sharing_rule_create(
        actor=cast.admin,
        name="Probe Share",
        access="read",
        from_user=cast.rep,
        to_user=cast.teammate,
    )
    return {"uuid": rule.uuid}, ["Probe Share"]


OBJECT_ROUTES.update(
    {
        "leads-comment-create": ObjectRoute(_lead, methods=("POST",)),
        "leads-member-add": ObjectRoute(_lead, methods=("POST",)),
        "leads-member-remove": ObjectRoute(_lead_with_member, methods=("POST",)),
        "leads-sharing-deactivate": ObjectRoute(_sharing_rule, methods=("POST",)),
    }
)


def _export_job(cast):
    from leads.exports import export_job_start

    job = export_job_start(user=cast.admin, query="scene=all", fmt="csv")
    return {"job_id": job.uuid}, [job.params["filename"]]


def _saved_view(cast):
    from leads.services.saved_views import saved_view_save

    view = saved_view_save(user=cast.admin, name="Probe Saved View", query="hot=1")
    return {"uuid": view.uuid}, ["Probe Saved View"]


OBJECT_ROUTES.update(
    {
        "leads-export-status": ObjectRoute(_export_job, methods=("GET",)),
        "leads-export-download": ObjectRoute(_export_job, methods=("GET",)),
        "leads-view-delete": ObjectRoute(_saved_view, methods=("POST",)),
    }
)


def _recording(cast):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from leads.services.lead import activity_log, lead_create

    lead = lead_create(actor=cast.rep, owner=cast.rep, name="Recording Probe Lead")
    audio = SimpleUploadedFile("call.mp3", b"ID3-secret-audio-bytes", content_type="audio/mpeg")
    activity = activity_log(lead=lead, actor=cast.rep, kind="call", recording=audio)
    return {"uuid": activity.uuid}, ["ID3-secret-audio-bytes"]


OBJECT_ROUTES["leads-activity-recording"] = ObjectRoute(_recording, methods=("GET",))


def _attachment(cast):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from leads.services.attachments import attachment_add
    from leads.services.lead import lead_create

    lead = lead_create(actor=cast.rep, owner=cast.rep, name="Attachment Probe Lead")
    upload = SimpleUploadedFile("probe-quote-secret.txt", b"Attachment-Probe-Secret-Bytes")
    attachment = attachment_add(lead=lead, actor=cast.rep, upload=upload)
    return {"uuid": attachment.uuid}, [
        "Attachment-Probe-Secret-Bytes",
        "probe-quote-secret.txt",
        "Attachment Probe Lead",
    ]


OBJECT_ROUTES.update(
    {
        "leads-attachment-upload": ObjectRoute(_lead, methods=("POST",)),
        "leads-attachment-download": ObjectRoute(_attachment, methods=("GET",)),
        "leads-attachment-delete": ObjectRoute(_attachment, methods=("POST",)),
    }
)


def _task(cast):
    from django.utils import timezone

    from leads.services.followups import followup_create
    from leads.services.lead import lead_create

    lead = lead_create(actor=cast.rep, owner=cast.rep, name="Task Probe Lead")
    task = followup_create(
        lead=lead, actor=cast.rep, title="Probe Task Secret", due_at=timezone.now()
    )
    return {"uuid": task.uuid}, ["Probe Task Secret", "Task Probe Lead"]


def _notification(cast):
    from leadcrm.notifications.services import notification_send

    notification = notification_send(
        recipient=cast.admin, kind="general", title="Probe Notification Secret", url="/leads/"
    )
    return {"uuid": notification.uuid}, ["Probe Notification Secret"]


OBJECT_ROUTES.update(
    {
        "leads-task-create": ObjectRoute(_lead, methods=("POST",)),
        "leads-task-complete": ObjectRoute(_task, methods=("POST",)),
        "leads-followup-log": ObjectRoute(_lead, methods=("POST",)),
        "notifications-read": ObjectRoute(_notification, methods=("POST",)),
        "notifications-open": ObjectRoute(_notification, methods=("GET",)),
    }
)


def _list_item(cast):
    from leads.models import LossReason

    reason = LossReason.objects.create(name="Probe Reason", position=99)
    return {"kind": "loss_reasons", "uuid": reason.uuid}, ["Probe Reason"]


def _sop(cast):
    from leads.models import SopTemplate, Stage

    template = SopTemplate.objects.create(stage=Stage.objects.first(), title="Probe SOP task")
    return {"uuid": template.uuid}, ["Probe SOP task"]


OBJECT_ROUTES.update(
    {
        "leads-bant": ObjectRoute(_lead, methods=("POST",)),
        "leads-list-item-update": ObjectRoute(_list_item, methods=("POST",)),
        "leads-sop-deactivate": ObjectRoute(_sop, methods=("POST",)),
    }
)


def _custom_field(cast):
    from leads.models import CustomFieldDefinition

    field = CustomFieldDefinition.objects.create(
        key="probe_field", label="Probe Field", field_type="text"
    )
    return {"uuid": field.uuid}, ["Probe Field"]


OBJECT_ROUTES["leads-custom-field-update"] = ObjectRoute(_custom_field, methods=("POST",))


def _source(cast):
    from leads.models import SourceChannel

    source = SourceChannel.objects.create(name="Probe Source", code="probe-source", position=99)
    return {"kind": "sources", "uuid": source.uuid}, ["Probe Source", "probe-source"]


def _extra_stage(cast):
    """A second active stage, so deactivating the probe stage is allowed on its own tenant."""
    from leads.models import Stage

    stage = Stage.objects.create(name="Probe Stage", position=99)
    return {"kind": "stages", "uuid": stage.uuid}, ["Probe Stage"]


def _inactive_list_item(cast):
    from leads.models import LossReason

    reason = LossReason.objects.create(name="Probe Old Reason", position=99, is_active=False)
    return {"kind": "loss_reasons", "uuid": reason.uuid}, ["Probe Old Reason"]


def _inactive_custom_field(cast):
    from leads.models import CustomFieldDefinition

    field = CustomFieldDefinition.objects.create(
        key="probe_old_field", label="Probe Old Field", field_type="text", is_active=False
    )
    return {"uuid": field.uuid}, ["Probe Old Field"]


OBJECT_ROUTES.update(
    {
        # Now an edit page (GET and POST), so the harness checks both.
        "leads-custom-field-update": ObjectRoute(_custom_field),
        "leads-custom-field-move": ObjectRoute(_custom_field, methods=("POST",)),
        "leads-custom-field-deactivate": ObjectRoute(_custom_field, methods=("POST",)),
        "leads-custom-field-activate": ObjectRoute(_inactive_custom_field, methods=("POST",)),
        "leads-list-item-move": ObjectRoute(_source, methods=("POST",)),
        "leads-list-item-deactivate": ObjectRoute(_extra_stage, methods=("POST",)),
        "leads-list-item-activate": ObjectRoute(_inactive_list_item, methods=("POST",)),
        "leads-sop-update": ObjectRoute(_sop),
    }
)


def _pool(cast):
    from pools.models import Pool
    from pools.services.claim import pool_lead_add

    pool = Pool.objects.create(name="Probe Pool Secret")
    pool.members.add(cast.rep)
    pool.admins.add(cast.pool_admin)
    from leads.services.lead import lead_create

    lead = lead_create(actor=cast.admin, name="Pooled Probe Lead", mobile="13911112222")
    pool_lead_add(pool=pool, lead=lead, actor=cast.admin)
    return {"uuid": pool.uuid}, ["Probe Pool Secret", "Pooled Probe Lead"]


def _pooled_lead(cast):
    from pools.models import Pool
    from pools.services.claim import pool_claim, pool_lead_add

    pool = Pool.objects.create(name="Probe Return Pool")
    pool.members.add(cast.rep)
    from leads.services.lead import lead_create

    lead = lead_create(actor=cast.admin, name="Held Probe Lead", mobile="13933334444")
    pool_lead_add(pool=pool, lead=lead, actor=cast.admin)
    pool_claim(pool=pool, lead=lead, actor=cast.rep)
    return {"uuid": lead.uuid}, ["Held Probe Lead", "13933334444"]


def _pooled_lead_field(cast):
    kwargs, markers = _pooled_lead(cast)
    return {**kwargs, "field": "mobile"}, markers


def _rule(cast):
    from pools.services.routing import fallback_pool
    from pools.services.rules import rule_save

    rule = rule_save(
        actor=cast.admin,
        name="Probe Rule Secret",
        triggers=["new"],
        conditions=[],
        target_type="pool",
        target_pool=fallback_pool(),
    )
    return {"uuid": rule.uuid}, ["Probe Rule Secret"]


OBJECT_ROUTES.update(
    {
        "pools-detail": ObjectRoute(_pool),
        "pools-edit": ObjectRoute(_pool),
        "pools-claim": ObjectRoute(_pool, methods=("POST",)),
        "pools-allocate": ObjectRoute(_pool, methods=("POST",)),
        "pools-transfer": ObjectRoute(_pool, methods=("POST",)),
        "pools-lead-return": ObjectRoute(_pooled_lead, methods=("POST",)),
        "pools-lead-withdraw": ObjectRoute(_pooled_lead, methods=("POST",)),
        "pools-lead-add": ObjectRoute(_pooled_lead, methods=("POST",)),
        "pools-lead-allocate": ObjectRoute(_pooled_lead, methods=("POST",)),
        "pools-lead-transfer": ObjectRoute(_pooled_lead, methods=("POST",)),
        "pools-reveal": ObjectRoute(_pooled_lead_field, methods=("POST",)),
        "pools-rule-edit": ObjectRoute(_rule),
        "pools-rule-move": ObjectRoute(_rule, methods=("POST",)),
        "pools-rule-delete": ObjectRoute(_rule, methods=("POST",)),
    }
)


# The API answers a session with 401; tests/leads/test_api.py also checks that tenant B's own
# key cannot read A's lead (404) and that A's key is refused on B's host (401).
OBJECT_ROUTES["api-lead"] = ObjectRoute(_lead, methods=("GET", "PATCH"))


def _web_form(cast):
    from leads.services.webforms import webform_save

    form = webform_save(actor=cast.admin, name="Probe Web Form Secret", title="Probe Title")
    return {"uuid": form.uuid}, ["Probe Web Form Secret", "Probe Title"]


OBJECT_ROUTES.update(
    {
        "leads-webform-public": ObjectRoute(_web_form, methods=("GET", "POST")),
        "leads-webform-edit": ObjectRoute(_web_form),
    }
)


def _merge(cast):
    from leads.services.lead import lead_create
    from leads.services.merge import lead_merge

    a = lead_create(
        actor=cast.rep, owner=cast.rep, name="Merge Probe Secret", check_duplicates=False
    )
    b = lead_create(actor=cast.rep, owner=cast.rep, name="Merge Probe Twin", check_duplicates=False)
    merge = lead_merge(survivor=a, others=[b], values={}, actor=cast.rep)
    return {"uuid": merge.uuid}, ["Merge Probe Secret", "Merge Probe Twin"]


OBJECT_ROUTES["leads-merge-undo"] = ObjectRoute(_merge, methods=("POST",))


def _import_job(cast):
    from leads.importing.services import import_job_create

    job = import_job_create(
        actor=cast.admin, filename="probe-secret.csv", data=b"Name\nImport Probe Secret\n"
    )
    return {"uuid": job.uuid}, ["probe-secret.csv", "Import Probe Secret"]


def _import_mapping(cast):
    from leads.models import ImportMapping

    saved = ImportMapping.objects.create(
        name="Probe Mapping Secret", columns={"Probe Column Secret": "name"}
    )
    return {"uuid": saved.uuid}, ["Probe Mapping Secret", "Probe Column Secret"]


OBJECT_ROUTES.update(
    {
        "leads-import-status": ObjectRoute(_import_job, methods=("GET",)),
        "leads-import-map": ObjectRoute(_import_job),
        "leads-import-report": ObjectRoute(_import_job, methods=("GET",)),
        "leads-import-cancel": ObjectRoute(_import_job, methods=("POST",)),
        "leads-import-void": ObjectRoute(_import_job, methods=("POST",)),
        "leads-import-mapping-delete": ObjectRoute(_import_mapping, methods=("POST",)),
    }
)


def _duplicate_rule(cast):
    from leads.models import DuplicateRule

    rule = DuplicateRule.objects.create(
        name="Probe Duplicate Rule Secret", fields=[{"field": "email", "match": "exact"}]
    )
    return {"uuid": rule.uuid}, ["Probe Duplicate Rule Secret"]


OBJECT_ROUTES["leads-duplicate-rule-edit"] = ObjectRoute(_duplicate_rule)


def _job(cast):
    from leadcrm.jobs.services import job_create, job_fail

    job = job_create(kind="probe", user=cast.admin, params={"secret": "Probe Job Secret"})
    job_fail(job=job, error="Probe Job Secret Reason")
    return {"uuid": job.uuid}, ["Probe Job Secret Reason"]


OBJECT_ROUTES["jobs-status"] = ObjectRoute(_job, methods=("GET",))


# conversion: the wizard and its customer search take tenant A's lead; the API answers a
# session with 401 (tests/conversion/test_convert_pages.py checks keys across tenants).
OBJECT_ROUTES.update(
    {
        "conversion-convert": ObjectRoute(_lead),
        "conversion-convert-customer-search": ObjectRoute(_lead, methods=("GET",)),
        "api-lead-convert": ObjectRoute(_lead, methods=("POST",)),
    }
)


def _opportunity(cast):
    from conversion.services.convert import ConvertRequest, lead_convert
    from leads.services.lead import lead_create

    lead = lead_create(
        actor=cast.rep, owner=cast.rep, name="Opportunity Probe Lead", company="Secret Deal Co"
    )
    conversion = lead_convert(
        lead=lead,
        actor=cast.rep,
        request=ConvertRequest(opportunity={"name": "Probe Opportunity Secret"}),
    )
    return {"uuid": conversion.opportunity.uuid}, ["Probe Opportunity Secret", "Secret Deal Co"]


def _customer(cast):
    from conversion.services.customers import customer_create

    customer = customer_create(
        actor=cast.rep,
        owner=cast.rep,
        values={"name": "Probe Customer Secret", "city": "Probe City"},
    )
    return {"uuid": customer.uuid}, ["Probe Customer Secret", "Probe City"]


def _contact(cast):
    from conversion.services.customers import contact_create, customer_create

    customer = customer_create(
        actor=cast.rep, owner=cast.rep, values={"name": "Probe Contact Customer"}
    )
    contact = contact_create(
        customer=customer, actor=cast.rep, name="Probe Contact Secret", email="probe@secret.example"
    )
    return {"uuid": contact.uuid}, ["Probe Contact Secret", "probe@secret.example"]


def _opportunity_stage(cast):
    from conversion.services.settings import stage_add

    stage = stage_add(
        actor=cast.admin, name="Probe Pipeline Stage Secret", probability=30, outcome="open"
    )
    return {"uuid": stage.uuid}, ["Probe Pipeline Stage Secret"]


OBJECT_ROUTES.update(
    {
        "conversion-opportunity-detail": ObjectRoute(_opportunity),
        "conversion-opportunity-edit": ObjectRoute(_opportunity),
        "conversion-opportunity-move": ObjectRoute(_opportunity, methods=("POST",)),
        "conversion-customer-detail": ObjectRoute(_customer),
        "conversion-customer-edit": ObjectRoute(_customer),
        "conversion-customer-activity-create": ObjectRoute(_customer, methods=("POST",)),
        "conversion-contact-create": ObjectRoute(_customer),
        "conversion-contact-detail": ObjectRoute(_contact),
        "conversion-contact-edit": ObjectRoute(_contact),
        "conversion-stage-update": ObjectRoute(_opportunity_stage, methods=("POST",)),
        "conversion-stage-move": ObjectRoute(_opportunity_stage, methods=("POST",)),
        "conversion-stage-deactivate": ObjectRoute(_opportunity_stage, methods=("POST",)),
        "conversion-stage-activate": ObjectRoute(_opportunity_stage, methods=("POST",)),
    }
)


# Scoring on the lead page: the manual adjustment of a lead's score (an active one to clear).
def _lead_with_override(cast):
    from leads.models import Lead
    from scoring.overrides import score_override_set

    kwargs, markers = _lead(cast)
    lead = Lead.objects.get(uuid=kwargs["uuid"])
    score_override_set(
        lead=lead, actor=cast.rep, mode="set", value=88, reason="budget", note="Probe Override Note"
    )
    return kwargs, [*markers, "Probe Override Note"]


def _scoring_dimension(cast):
    from scoring.configuration import dimension_add

    dimension = dimension_add(actor=cast.admin, name="Probe Dimension Secret", cap=10)
    return {"uuid": dimension.uuid}, ["Probe Dimension Secret"]


def _scoring_rule(cast):
    from scoring.configuration import rule_add, rule_draft_clean
    from scoring.models import Dimension

    draft = rule_draft_clean(
        dimension=Dimension.objects.first(), name="Probe Scoring Rule Secret", kind="keyword",
        config={"words": "probe-secret-word"}, points=5,
    )  # fmt: skip
    rule = rule_add(actor=cast.admin, draft=draft)
    return {"uuid": rule.uuid}, ["Probe Scoring Rule Secret", "probe-secret-word"]


def _tracking_token(cast):
    from leads.services.lead import lead_create
    from scoring.events import tracking_link_create

    lead = lead_create(
        actor=cast.rep, owner=cast.rep, name="Tracked Probe Lead", company="Tracked Secret Co"
    )
    link = tracking_link_create(
        lead=lead, actor=cast.rep, target_url="https://secret-target.example/alpha"
    )
    return {"token": link.token}, ["Tracked Probe Lead", "secret-target.example"]


OBJECT_ROUTES.update(
    {
        "scoring-override-set": ObjectRoute(_lead, methods=("POST",)),
        "scoring-override-clear": ObjectRoute(_lead_with_override, methods=("POST",)),
        "scoring-dimension-update": ObjectRoute(_scoring_dimension, methods=("POST",)),
        "scoring-dimension-delete": ObjectRoute(_scoring_dimension, methods=("POST",)),
        "scoring-rule-edit": ObjectRoute(_scoring_rule),
        "scoring-rule-delete": ObjectRoute(_scoring_rule, methods=("POST",)),
        "scoring-rule-move": ObjectRoute(_scoring_rule, methods=("POST",)),
        # Public: the token is the credential; another tenant's token is unknown there.
        "scoring-track-link": ObjectRoute(_tracking_token),
        # The pixel answers the same 1x1 image for every token, known or not: it says nothing.
        "scoring-track-pixel": ObjectRoute(_tracking_token, may_answer_200=True),
        "scoring-track-event": ObjectRoute(_tracking_token, methods=("POST",)),
        "scoring-tracking-link-create": ObjectRoute(_lead, methods=("POST",)),
    }
)


# Scoring's tag rules (Settings → Scoring → Tags).
def _scoring_tag_rule(cast):
    from scoring.tagging import tag_rule_add, tag_rule_draft_clean

    draft = tag_rule_draft_clean(
        name="Probe Tag Secret", match="all",
        conditions=[("keyword", {"words": "probe-tag-secret-word"})],
    )  # fmt: skip
    rule = tag_rule_add(actor=cast.admin, draft=draft)
    return {"uuid": rule.uuid}, ["Probe Tag Secret", "probe-tag-secret-word"]


OBJECT_ROUTES.update(
    {
        "scoring-tag-edit": ObjectRoute(_scoring_tag_rule),
        "scoring-tag-delete": ObjectRoute(_scoring_tag_rule, methods=("POST",)),
    }
)


def _campaign(cast):
    from leads.services.campaigns import campaign_save

    campaign = campaign_save(
        actor=cast.admin, name="Isolation Probe Campaign", kind="webinar", status="active"
    )
    return {"uuid": campaign.uuid}, ["Isolation Probe Campaign"]


OBJECT_ROUTES.update(
    {
        "leads-campaign-detail": ObjectRoute(_campaign),
        "leads-campaign-edit": ObjectRoute(_campaign),
        "leads-campaign-delete": ObjectRoute(_campaign, methods=("POST",)),
    }
)


# E-mail from the lead page and Settings → E-mail. The e-mails' tracked links and open pixels
# are scoring's tokens on the scoring-track-* routes above (tests/leads/test_email_send.py
# also asks for another tenant's e-mail token on this host).
def _email_template(cast):
    from leads.services.email_setup import email_template_save

    template = email_template_save(
        actor=cast.admin,
        name="Probe Template Secret",
        subject="Probe subject secret",
        body="Dear {{lead.name}}, probe-template-secret-body",
    )
    return {"uuid": template.uuid}, ["Probe Template Secret", "probe-template-secret-body"]


def _lead_with_email(cast):
    from leads.services.lead import lead_create

    lead = lead_create(
        actor=cast.rep,
        owner=cast.rep,
        name="Mailed Probe Lead",
        company="Mailed Secret Co",
        email="mailed.probe@secret.example",
    )
    return {"uuid": lead.uuid}, ["Mailed Probe Lead", "mailed.probe@secret.example"]


OBJECT_ROUTES.update(
    {
        "leads-email-send": ObjectRoute(_lead_with_email, methods=("POST",)),
        "leads-email-template-edit": ObjectRoute(_email_template),
        "leads-email-template-delete": ObjectRoute(_email_template, methods=("POST",)),
    }
)
