"""Writing the tenant's duplicate rules (Settings -> Duplicate rules)."""

from django.db.models import Max
from django.utils.translation import gettext as _

from leadcrm.accounts.models import User
from leads.errors import LeadError
from leads.models import DuplicateRule

RULE_FIELDS = ("email", "phone", "company", "name", "address", "postcode", "city")
#: A rule that names no field matches on the evidence alone: it must be this sure at least.
EVIDENCE_ONLY_MIN = 70


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
    min_score: int | str | None = 50,
) -> DuplicateRule:
    """Create or change a rule. Each field: exact, or fuzzy with a threshold of 50 to 100
    (fuzzy email or phone means: a shared mailbox or switchboard counts). ``min_score``: how
    sure the evidence over every field must be (0-100); a rule with no field needs 70 or
    more, the evidence being all it has."""
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
    try:
        min_score = int(50 if min_score in (None, "") else min_score)
    except (TypeError, ValueError):
        raise LeadError(
            _("The minimum score is a number from 0 to 100."), field="min_score"
        ) from None
    if not 0 <= min_score <= 100:
        raise LeadError(_("The minimum score is a number from 0 to 100."), field="min_score")
    if not cleaned and min_score < EVIDENCE_ONLY_MIN:
        raise LeadError(
            _(
                "Choose at least one field the leads must share, or a minimum score of "
                "%(least)s or more for a rule on the overall evidence alone."
            )
            % {"least": EVIDENCE_ONLY_MIN},
            field="min_score",
        )
    if action not in DuplicateRule.Action.values:
        raise LeadError(_("Choose warn or block."))
    if rule is None:
        rule = DuplicateRule(
            position=(DuplicateRule.objects.aggregate(m=Max("position"))["m"] or 0) + 1
        )
    rule.name, rule.fields, rule.action, rule.is_active = name[:100], cleaned, action, is_active
    rule.min_score = min_score
    rule.save()
    return rule


def duplicate_rule_delete(*, actor: User, rule: DuplicateRule) -> None:
    _require_admin(actor)
    rule.delete()
