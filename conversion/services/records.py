"""Changing customers, contacts and opportunities after they exist: moving an opportunity
through the pipeline, the pipeline itself, and the conversion settings."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext as _

from conversion.errors import ConversionError
from conversion.models import Opportunity, OpportunityStage
from conversion.selectors import opportunity_can_write
from leadcrm.accounts.models import User
from leads.models import LossReason

#: The pipeline a new workspace starts with (migration 0002 holds a frozen copy).
DEFAULT_STAGES = [
    (gettext_noop("Discovery"), 10, OpportunityStage.Outcome.OPEN),
    (gettext_noop("Proposal"), 40, OpportunityStage.Outcome.OPEN),
    (gettext_noop("Negotiation"), 70, OpportunityStage.Outcome.OPEN),
    (gettext_noop("Won"), 100, OpportunityStage.Outcome.WON),
    (gettext_noop("Lost"), 0, OpportunityStage.Outcome.LOST),
]


def stages_localise(language: str) -> int:
    """Rename the starting stages into ``language`` (renamed ones are left alone)."""
    renamed = 0
    with translation.override(language):
        for english, _probability, _outcome in DEFAULT_STAGES:
            local = gettext(english)
            if local != english:
                renamed += OpportunityStage.objects.filter(name=english).update(name=local)
    return renamed


def stages_localise_on_create(sender, tenant, **kwargs) -> None:
    """Receiver of leadcrm.tenancy.signals.tenant_created."""
    if tenant.default_language and not tenant.default_language.startswith("en"):
        stages_localise(tenant.default_language)


def opportunity_move(
    *,
    opportunity: Opportunity,
    stage: OpportunityStage,
    actor: User,
    loss_reason: LossReason | None = None,
) -> Opportunity:
    """Move an opportunity to ``stage`` (its probability follows the stage). A lost stage needs
    a loss reason; reaching won or lost sets ``closed_at``, reopening clears it. Row-locked, so
    two people dragging the same card leave it where the last one put it, consistently."""
    if not stage.is_active:
        raise ConversionError(_("Choose an active stage."), field="stage")
    if stage.outcome == OpportunityStage.Outcome.LOST and loss_reason is None:
        raise ConversionError(_("Choose why the opportunity was lost."), field="loss_reason")
    with transaction.atomic():
        locked = (
            Opportunity.objects.select_for_update()
            .select_related("customer")
            .get(pk=opportunity.pk)
        )
        if not opportunity_can_write(actor, locked):
            raise ConversionError(_("You may not change this opportunity."))
        locked.stage = stage
        locked.probability = stage.probability
        locked.loss_reason = loss_reason if stage.outcome == OpportunityStage.Outcome.LOST else None
        closed = stage.outcome != OpportunityStage.Outcome.OPEN
        locked.closed_at = (locked.closed_at or timezone.now()) if closed else None
        locked._history_user = actor
        locked.save()
    return locked
