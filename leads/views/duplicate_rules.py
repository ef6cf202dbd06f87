"""Settings -> Duplicate rules: which fields make two leads the same, exact or fuzzy, with
what threshold, and whether a match warns or blocks (in every channel)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_http_methods

from leadcrm.accounts.permissions import role_required
from leadcrm.accounts.roles import Role
from leads.errors import LeadError
from leads.models import DuplicateRule
from leads.services.dedup_rules import RULE_FIELDS, duplicate_rule_delete, duplicate_rule_save

FIELD_LABELS = {
    "email": gettext_lazy("Email"),
    "phone": gettext_lazy("Phone or mobile"),
    "company": gettext_lazy("Company"),
    "name": pgettext_lazy("person", "Name"),
    "address": gettext_lazy("Street address"),
    "postcode": gettext_lazy("Postcode"),
    "city": gettext_lazy("City"),
}


@role_required(Role.TENANT_ADMIN)
@require_http_methods(["GET", "POST"])
def duplicate_rules(request, uuid=None):
    rule = get_object_or_404(DuplicateRule, uuid=uuid) if uuid else None
    if request.method == "POST":
        if request.POST.get("delete") and rule is not None:
            duplicate_rule_delete(actor=request.user, rule=rule)
            messages.success(request, _("Rule deleted."))
            return redirect("leads-duplicate-rules")
        fields = []
        for name in RULE_FIELDS:
            match = request.POST.get(f"match_{name}", "")
            if match in ("exact", "fuzzy"):
                fields.append(
                    {
                        "field": name,
                        "match": match,
                        "threshold": request.POST.get(f"threshold_{name}") or 85,
                    }
                )
        try:
            duplicate_rule_save(
                actor=request.user,
                rule=rule,
                name=request.POST.get("name", ""),
                fields=fields,
                action=request.POST.get("action", "warn"),
                is_active=request.POST.get("is_active") == "on",
                min_score=request.POST.get("min_score"),
            )
        except LeadError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Duplicate rule saved."))
            return redirect("leads-duplicate-rules")
    rules = list(DuplicateRule.objects.all())
    editing = rule
    current = {spec["field"]: spec for spec in (editing.fields if editing else [])}
    return render(
        request,
        "leads/settings/duplicate_rules.html",
        {
            "rules": rules,
            "editing": editing,
            "field_rows": [(n, FIELD_LABELS[n], current.get(n)) for n in RULE_FIELDS],
            "labels": FIELD_LABELS,
            "tab": "duplicates",
        },
    )
