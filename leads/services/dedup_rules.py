"""Writing the tenant's duplicate rules (Settings -> Duplicate rules)."""

from django.db.models import Max
from django.utils.translation import gettext as _

from leadcrm.accounts.models import User
from leads.errors import LeadError
from leads.models import DuplicateRule

RULE_FIELDS = ("email", "phone", "company", "name")


def _require_admin(actor: User) -> None:
    if not actor.is_tenant_admin:
        raise LeadError(_("Only tenant admins change the duplicate rules."))


def duplicate_rule_save(
    *,
    actor: User,
    rule: DuplicateRule | None = None,
    name: str,
    fields: list[dict],
    action: str,
    is_active: bool = True,
) -> DuplicateRule:
    """Create or change a rule. Each field: exact, or fuzzy with a threshold of 50 to 100
    (fuzzy email or phone means: a shared mailbox or switchboard counts)."""
    _require_admin(actor)
    name = (name or "").strip()
    if not name:
        raise LeadError(_("Give the rule a name."), field="name")
    cleaned = []
    for spec in fields:
        field, match = spec.get("field"), spec.get("match")
        if field not in RULE_FIELDS or match not in ("exact", "fuzzy"):
            raise LeadError(_("Unknown field or match in the rule."))
        try:
            threshold = int(spec.get("threshold") or 85)
        except (TypeError, ValueError):
            raise LeadError(_("The threshold is a number from 50 to 100.")) from None
        if not 50 <= threshold <= 100:
            raise LeadError(_("The threshold is a number from 50 to 100."))
        cleaned.append(
            {"field": field, "match": match, "threshold": 100 if match == "exact" else threshold}
        )
    if not cleaned:
        raise LeadError(_("Choose at least one field the leads must share."))
    if action not in DuplicateRule.Action.values:
        raise LeadError(_("Choose warn or block."))
    if rule is None:
        rule = DuplicateRule(
            position=(DuplicateRule.objects.aggregate(m=Max("position"))["m"] or 0) + 1
        )
    rule.name, rule.fields, rule.action, rule.is_active = name[:100], cleaned, action, is_active
    rule.save()
    return rule


def duplicate_rule_delete(*, actor: User, rule: DuplicateRule) -> None:
    _require_admin(actor)
    rule.delete()
