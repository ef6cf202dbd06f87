"""Forms of the pools pages. They parse and present; pools.rules and pools.services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from leadcrm.accounts.models import Team, User
from pools.models import AssignmentRule, Pool
from pools.services import dormant
from pools.services.handoff import MAX_DAYS, MAX_SCORE_BELOW
from pools.services.rules import RULE_TRIGGERS


def _users():
    return User.objects.filter(is_active=True).order_by("full_name")


class PoolForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=Pool.Kind.choices)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    mode = forms.ChoiceField(
        label=_("How members get leads"), choices=Pool.Mode.choices, widget=forms.RadioSelect
    )
    admins = forms.ModelMultipleChoiceField(
        label=_("Pool admins"),
        queryset=_users(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("They allocate, withdraw and transfer leads and see contacts in full."),
    )
    members = forms.ModelMultipleChoiceField(
        label=_("Members"),
        queryset=_users(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    member_teams = forms.ModelMultipleChoiceField(
        label=_("Member teams and departments"),
        queryset=Team.objects.order_by("name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
        help_text=_("Everyone in these teams (and the teams below them) is a member."),
    )
    default_assignee = forms.ModelChoiceField(
        label=_("Default assignee (push)"),
        queryset=_users(),
        required=False,
        help_text=_("New leads routed into this pool go straight to this person."),
    )
    max_open_per_member = forms.IntegerField(
        label=_("Open leads a member may hold"), min_value=1, required=False
    )
    max_claims_per_day = forms.IntegerField(
        label=_("Claims per member per day"), min_value=1, required=False
    )
    return_cooldown_days = forms.IntegerField(
        label=_("Days before a member may re-claim a lead they returned"),
        min_value=0,
        initial=0,
    )
    reclaim_no_follow_up_days = forms.IntegerField(
        label=_("Reclaim when no follow-up within (days)"), min_value=1, required=False
    )
    reclaim_not_qualified_days = forms.IntegerField(
        label=_("Reclaim when not qualified within (days)"), min_value=1, required=False
    )
    reclaim_no_touch_days = forms.IntegerField(
        label=_("Reclaim when no follow-up in the last (days)"),
        min_value=1,
        required=False,
        help_text=_("Counted from the last follow-up: one touch long ago does not keep a lead."),
    )
    reclaim_warning_days = forms.IntegerField(
        label=_("Warn the holder this many days before"), min_value=0, initial=1
    )
    reroute_returned = forms.BooleanField(
        label=_("Route returned, withdrawn and reclaimed leads again by the assignment rules"),
        required=False,
    )
    return_reasons = forms.CharField(
        label=_("Return reasons (one per line; empty: free text)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, pool: Pool | None = None, **kwargs):
        if pool is not None and "initial" not in kwargs:
            initial = {f: getattr(pool, f) for f in self.base_fields if hasattr(pool, f)}
            initial["admins"] = list(pool.admins.all())
            initial["members"] = list(pool.members.all())
            initial["member_teams"] = list(pool.member_teams.all())
            initial["return_reasons"] = "\n".join(pool.return_reasons)
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["return_reasons"] = (data.get("return_reasons") or "").splitlines()
        return data


class RuleForm(forms.Form):
    """The rule's header; condition rows come as parallel lists (see conditions_from_post)."""

    name = forms.CharField(label=_("Name"), max_length=120)
    triggers = forms.MultipleChoiceField(
        label=_("Applies to"),
        choices=[(t.value, t.label) for t in RULE_TRIGGERS],
        widget=forms.CheckboxSelectMultiple,
        initial=[AssignmentRule.Trigger.NEW],
    )
    target_type = forms.ChoiceField(
        label=_("Give the leads to"),
        choices=AssignmentRule.Target.choices,
        widget=forms.RadioSelect,
        initial=AssignmentRule.Target.TEAM,
    )
    target_user = forms.ModelChoiceField(label=_("Person"), queryset=_users(), required=False)
    target_team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.order_by("name"), required=False
    )
    target_pool = forms.ModelChoiceField(
        label=_("Pool"), queryset=Pool.objects.filter(is_active=True), required=False
    )
    strategy = forms.ChoiceField(
        label=_("Team strategy"), choices=AssignmentRule.Strategy.choices, required=False
    )
    daily_cap = forms.IntegerField(
        label=_("At most this many leads per member per day"), min_value=1, required=False
    )
    weights = forms.CharField(
        label=_("Weights (weighted strategy)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One line per member: email = weight, e.g. li.na@example.com = 3. Others: 1."),
    )
    set_nurture = forms.BooleanField(
        label=_("Low-score handoff: also set the status to Nurture"),
        required=False,
        help_text=_("Only for leads this rule hands off because their score stays low."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, rule: AssignmentRule | None = None, **kwargs):
        if rule is not None and "initial" not in kwargs:
            emails = dict(User.objects.values_list("pk", "email"))
            kwargs["initial"] = {
                "name": rule.name,
                "triggers": rule.triggers,
                "target_type": rule.target_type,
                "target_user": rule.target_user,
                "target_team": rule.target_team,
                "target_pool": rule.target_pool,
                "strategy": rule.strategy,
                "daily_cap": rule.daily_cap,
                "is_active": rule.is_active,
                "set_nurture": rule.set_nurture,
                "weights": "\n".join(
                    f"{emails.get(int(pk), pk)} = {w:g}" for pk, w in rule.weights.items()
                ),
            }
        super().__init__(*args, **kwargs)

    def clean_weights(self) -> dict:
        weights = {}
        by_email = {e.lower(): pk for pk, e in User.objects.values_list("pk", "email")}
        for number, line in enumerate((self.cleaned_data["weights"] or "").splitlines(), 1):
            if not line.strip():
                continue
            email, _sep, value = line.partition("=")
            pk = by_email.get(email.strip().lower())
            if pk is None:
                raise forms.ValidationError(
                    _("Line %(n)d: no user with the email %(email)s.")
                    % {"n": number, "email": email.strip()}
                )
            weights[str(pk)] = value.strip() or "1"
        return weights


class LowScoreSettingsForm(forms.Form):
    """The low-score handoff settings (RoutingSettings) on the assignment rules page."""

    low_score_enabled = forms.BooleanField(
        label=_("Hand off leads whose score stays low"), required=False
    )
    low_score_below = forms.IntegerField(
        label=_("Score below"), min_value=1, max_value=MAX_SCORE_BELOW
    )
    low_score_days = forms.IntegerField(
        label=_("For at least (days)"),
        min_value=1,
        max_value=MAX_DAYS,
        help_text=_("Counted from when the lead was assigned, else from when it was created."),
    )


class DormantSettingsForm(forms.Form):
    """The tenant's dormant-lead rules (RoutingSettings); pools.services.dormant validates the
    whole (at least one limit when on, the warning before the shortest limit)."""

    dormant_enabled = forms.BooleanField(label=_("Return dormant leads to a pool"), required=False)
    dormant_no_follow_up_days = forms.IntegerField(
        label=_("No follow-up within (days of the assignment)"),
        min_value=1,
        max_value=dormant.MAX_DAYS,
        required=False,
    )
    dormant_no_touch_days = forms.IntegerField(
        label=_("No follow-up in the last (days)"),
        min_value=1,
        max_value=dormant.MAX_DAYS,
        required=False,
        help_text=_("Counted from the last follow-up: one touch long ago does not keep a lead."),
    )
    dormant_not_qualified_days = forms.IntegerField(
        label=_("Not qualified within (days of the assignment)"),
        min_value=1,
        max_value=dormant.MAX_DAYS,
        required=False,
    )
    dormant_warning_days = forms.IntegerField(
        label=_("Warn the holder this many days before"),
        min_value=0,
        max_value=dormant.MAX_DAYS,
        initial=1,
    )


def conditions_from_post(data) -> list[list[dict]]:
    """Rows come as parallel lists cond_group / cond_field / cond_op / cond_value."""
    groups: dict[str, list[dict]] = {}
    for group, field, op, value in zip(
        data.getlist("cond_group"),
        data.getlist("cond_field"),
        data.getlist("cond_op"),
        data.getlist("cond_value"),
        strict=False,
    ):
        groups.setdefault(group or "0", []).append({"field": field, "op": op, "value": value})
    return [groups[key] for key in sorted(groups, key=lambda k: int(k) if k.isdigit() else 0)]
