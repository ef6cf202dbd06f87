"""Tenant-editable configuration of leads: settings, funnel stages, sources, loss reasons and
SOP task templates. Tenant admins only; items are deactivated, never deleted, so old leads
keep their values."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from leadcrm.accounts.models import User
from leads.errors import LeadError
from leads.models import LeadSettings, LossReason, SopTemplate, SourceChannel, Stage

LIST_MODELS = {"stages": Stage, "sources": SourceChannel, "loss_reasons": LossReason}


def _check_admin(actor: User) -> None:
    if not actor.is_tenant_admin:
        raise LeadError(_("Only tenant admins can change lead settings."))


def lead_settings_update(
    *, actor: User, require_bant_for_qualified: bool, hot_score: int
) -> LeadSettings:
    _check_admin(actor)
    if not 1 <= hot_score <= 100:
        raise LeadError(_("The hot score is between 1 and 100."), field="hot_score")
    settings_row = LeadSettings.load()
    settings_row.require_bant_for_qualified = require_bant_for_qualified
    settings_row.hot_score = hot_score
    settings_row.save()
    return settings_row


def list_item_add(*, actor: User, kind: str, name: str):
    """Add a stage, source or loss reason at the end of its list."""
    _check_admin(actor)
    model = LIST_MODELS[kind]
    name = " ".join((name or "").split())
    if not name:
        raise LeadError(_("Enter a name."), field="name")
    if model.objects.filter(name__iexact=name, is_active=True).exists():
        raise LeadError(_("%(name)s is already in the list.") % {"name": name}, field="name")
    last = model.objects.order_by("-position").values_list("position", flat=True).first()
    fields = {"name": name, "position": (last or 0) + 1}
    if model is SourceChannel:
        base = slugify(name)[:30] or "source"
        code, n = base, 1
        while SourceChannel.objects.filter(code=code).exists():
            n += 1
            code = f"{base}-{n}"
        fields["code"] = code
    try:
        with transaction.atomic():
            return model.objects.create(**fields)
    except IntegrityError as exc:
        raise LeadError(_("This entry cannot be added.")) from exc


def list_item_update(*, actor: User, kind: str, item, name: str, position: int, is_active: bool):
    """Rename, move or (de)activate an entry. The last active stage cannot be deactivated:
    new leads need a first stage."""
    _check_admin(actor)
    model = LIST_MODELS[kind]
    name = " ".join((name or "").split())
    if not name:
        raise LeadError(_("Enter a name."), field="name")
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=item.pk)
        if model is Stage and locked.is_active and not is_active:
            active = Stage.objects.select_for_update().filter(is_active=True).count()
            if active <= 1:
                raise LeadError(_("Keep at least one active stage."))
        locked.name, locked.position, locked.is_active = name, max(0, position), is_active
        locked.save()
    return locked


def sop_template_add(*, actor: User, stage: Stage, title: str, due_in_hours: int) -> SopTemplate:
    """A task created automatically when a lead enters ``stage``."""
    _check_admin(actor)
    title = " ".join((title or "").split())
    if not title:
        raise LeadError(_("Say what is to be done."), field="title")
    if not 1 <= due_in_hours <= 24 * 90:
        raise LeadError(_("Due within 1 hour to 90 days."), field="due_in_hours")
    position = SopTemplate.objects.filter(stage=stage).count()
    return SopTemplate.objects.create(
        stage=stage, title=title[:200], due_in_hours=due_in_hours, position=position
    )


def sop_template_deactivate(*, actor: User, template: SopTemplate) -> None:
    _check_admin(actor)
    SopTemplate.objects.filter(pk=template.pk).update(is_active=False)
