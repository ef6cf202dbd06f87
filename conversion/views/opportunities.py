"""Opportunities: the list with its totals, the pipeline board, the detail page, and the
create, edit and move forms."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from conversion.custom_fields import custom_rows
from conversion.errors import ConversionError
from conversion.forms.opportunities import SORTS, STATES, OpportunityFilters, OpportunityForm
from conversion.models import Conversion, ConversionSettings, Opportunity, OpportunityStage
from conversion.selectors import (
    contacts_visible_to,
    customer_get_for_user,
    customers_visible_to,
    opportunities_visible_to,
    opportunity_can_write,
    opportunity_get_for_user,
    stages_active,
)
from conversion.services import records
from leadcrm.accounts.models import User
from leadcrm.parsing import uuid_or_none
from leads.listing import lead_table_page
from leads.models import LossReason
from leads.selectors import leads_visible_to, owners_assignable_by

SECTION = "opportunities"
#: Cards shown per board column (the column's count and totals cover all of them).
BOARD_CARDS = 50
DETAIL_TABS = ("details", "history")


def _filter_choices(user: User) -> dict:
    return {
        "owners": owners_assignable_by(user),
        "all_stages": OpportunityStage.objects.order_by("position", "name"),
        "states": STATES,
        "sorts": SORTS,
    }


def _totals(opportunities) -> dict:
    """Count, amount and weighted amount (amount times probability) by currency."""
    weighted = ExpressionWrapper(
        F("amount") * F("probability") / Decimal(100),
        output_field=DecimalField(max_digits=20, decimal_places=4),
    )
    rows = list(
        opportunities.order_by("currency")
        .values("currency")
        .annotate(count=Count("pk"), total=Sum("amount"), weighted_total=Sum(weighted))
    )
    for row in rows:
        row["weighted_total"] = (row["weighted_total"] or Decimal(0)).quantize(Decimal("0.01"))
    return {"count": sum(r["count"] for r in rows), "by_currency": rows}


def _flag_overdue(opportunities) -> None:
    """Mark open opportunities whose expected close date has passed (``overdue``)."""
    today = timezone.localdate()
    for opportunity in opportunities:
        opportunity.overdue = (
            opportunity.stage.outcome == OpportunityStage.Outcome.OPEN
            and opportunity.expected_close_date is not None
            and opportunity.expected_close_date < today
        )


@login_required
def opportunity_list(request):
    filters = OpportunityFilters.from_query(request.GET)
    found = filters.apply(opportunities_visible_to(request.user), user=request.user)
    page = lead_table_page(request, found.select_related("customer", "stage", "owner", "contact"))
    _flag_overdue(page["leads"])
    context = {
        **page,
        "opportunities": page["leads"],
        "filters": filters,
        "query": request.GET,
        "totals": _totals(found),
        "section": SECTION,
        **_filter_choices(request.user),
    }
    if request.htmx and request.htmx.target == "opportunity-results":
        return render(request, "conversion/opportunity_list.html#opportunity-results", context)
    return render(request, "conversion/opportunity_list.html", context)


def _board_context(request, query: QueryDict, *, losing=None, losing_stage=None) -> dict:
    """The board's columns for the filters in ``query`` (search and owner apply; the stage,
    state and sort of the list do not: every active stage is a column)."""
    user = request.user
    filters = replace(OpportunityFilters.from_query(query), stage="", state="", sort="close")
    found = filters.apply(opportunities_visible_to(user), user=user)
    stages = stages_active()
    sums: dict[int, dict] = {}
    rows = found.order_by().values("stage_id", "currency").annotate(n=Count("pk"), s=Sum("amount"))
    for row in rows:
        column = sums.setdefault(row["stage_id"], {"count": 0, "amounts": []})
        column["count"] += row["n"]
        column["amounts"].append((row["currency"], row["s"]))
    may_write = _write_checker(user)
    columns = []
    for stage in stages:
        cards = list(
            found.filter(stage=stage).select_related("customer", "owner", "stage")[:BOARD_CARDS]
        )
        _flag_overdue(cards)
        for card in cards:
            card.can_write = may_write(card)
        column = sums.get(stage.pk, {"count": 0, "amounts": []})
        columns.append(
            {
                "stage": stage,
                "cards": cards,
                "count": column["count"],
                "amounts": sorted(column["amounts"], key=lambda a: str(a[0])),
                "more": max(0, column["count"] - len(cards)),
            }
        )
    return {
        "columns": columns,
        "stages": stages,
        "filters": filters,
        "query": query,
        "board_query": query.urlencode(),
        "losing": losing,
        "losing_stage": losing_stage,
        "loss_reasons": LossReason.objects.filter(is_active=True),
        "section": SECTION,
        **_filter_choices(user),
    }


def _write_checker(user: User):
    """opportunity_can_write for many cards: its answer depends only on the opportunity's and
    its customer's owners, so it is asked once per pair."""
    answers: dict[tuple, bool] = {}

    def may_write(opportunity: Opportunity) -> bool:
        key = (opportunity.owner_id, opportunity.customer.owner_id)
        if key not in answers:
            answers[key] = opportunity_can_write(user, opportunity)
        return answers[key]

    return may_write


def _lost_stage(raw) -> OpportunityStage | None:
    found = uuid_or_none(raw)
    if found is None:
        return None
    return OpportunityStage.objects.filter(
        uuid=found, outcome=OpportunityStage.Outcome.LOST, is_active=True
    ).first()


def _losing_from(query: QueryDict) -> tuple:
    """The card (and lost stage) whose loss-reason form is open (?lose=<card>&to=<stage>)."""
    stage = _lost_stage(query.get("to"))
    card = uuid_or_none(query.get("lose"))
    return (card, stage) if card and stage else (None, None)


@login_required
def opportunity_board(request):
    losing, losing_stage = _losing_from(request.GET)
    query = request.GET.copy()
    for key in ("lose", "to"):
        query.pop(key, None)
    context = _board_context(request, query, losing=losing, losing_stage=losing_stage)
    if request.htmx and request.htmx.target == "board":
        return render(request, "conversion/opportunity_board.html#board", context)
    return render(request, "conversion/opportunity_board.html", context)


def _refused(request, message: str):
    return render(request, "conversion/opportunity_refused.html", {"message": message}, status=403)


@login_required
@require_POST
def opportunity_move(request, uuid):
    """Move a card: from the board (HTMX: the board is answered; a plain POST is sent back to
    the board) or the detail page's stage bar. A lost stage without a reason opens the
    loss-reason form on that card."""
    opportunity = opportunity_get_for_user(user=request.user, uuid=uuid)
    if not opportunity_can_write(request.user, opportunity):
        return _refused(request, _("You may not change this opportunity."))
    stage = OpportunityStage.objects.filter(uuid=uuid_or_none(request.POST.get("stage"))).first()
    reason = LossReason.objects.filter(
        uuid=uuid_or_none(request.POST.get("loss_reason")), is_active=True
    ).first()
    needs_reason = False
    try:
        if stage is None:
            raise ConversionError(_("Choose a stage of the pipeline."), field="stage")
        records.opportunity_move(
            opportunity=opportunity, stage=stage, actor=request.user, loss_reason=reason
        )
    except ConversionError as exc:
        messages.error(request, exc.message)
        needs_reason = exc.field == "loss_reason"
    else:
        messages.success(
            request,
            _("%(name)s moved to %(stage)s.") % {"name": opportunity.name, "stage": stage.name},
        )
    if request.POST.get("back") == "detail":
        url = reverse("conversion-opportunity-detail", kwargs={"uuid": opportunity.uuid})
        return redirect(f"{url}?lose={stage.uuid}" if needs_reason else url)
    board_query = QueryDict(request.POST.get("query", ""), mutable=True)
    if request.htmx:
        context = _board_context(
            request,
            board_query,
            losing=opportunity.uuid if needs_reason else None,
            losing_stage=stage if needs_reason else None,
        )
        return render(request, "conversion/opportunity_board.html#board", context)
    if needs_reason:
        board_query["lose"], board_query["to"] = str(opportunity.uuid), str(stage.uuid)
    url = reverse("conversion-opportunity-board")
    encoded = board_query.urlencode()
    return redirect(f"{url}?{encoded}#card-{opportunity.uuid}" if encoded else url)


@login_required
def opportunity_detail(request, uuid):
    opportunity = opportunity_get_for_user(user=request.user, uuid=uuid)
    tab = request.GET.get("tab", "details")
    tab = tab if tab in DETAIL_TABS else "details"
    stages = stages_active()
    if opportunity.stage not in stages:
        stages.append(opportunity.stage)
    current = stages.index(opportunity.stage)
    _flag_overdue([opportunity])
    conversion = Conversion.objects.filter(opportunity=opportunity).select_related("lead").first()
    lead_visible = (
        conversion is not None
        and leads_visible_to(request.user).filter(pk=conversion.lead_id).exists()
    )
    context = {
        "opportunity": opportunity,
        "tab": tab,
        "can_write": opportunity_can_write(request.user, opportunity),
        "stage_bar": [(s, i < current, i == current) for i, s in enumerate(stages)],
        "losing_stage": _lost_stage(request.GET.get("lose")),
        "loss_reasons": LossReason.objects.filter(is_active=True),
        "conversion": conversion,
        "lead_visible": lead_visible,
        "history": Opportunity.history.filter(id=opportunity.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:50]
        if tab == "history"
        else [],
        "custom_rows": custom_rows("opportunity", opportunity.custom_data),
        "section": SECTION,
    }
    if request.htmx and request.htmx.target == "opportunity-tab":
        return render(request, "conversion/opportunity_detail.html#opportunity-tab", context)
    return render(request, "conversion/opportunity_detail.html", context)


def _form(request, *, customer, opportunity=None, initial=None) -> OpportunityForm:
    user = request.user
    owners = owners_assignable_by(user).values("pk")
    stages = Q(is_active=True)
    if opportunity is not None:
        owners = User.objects.filter(Q(pk__in=owners) | Q(pk=opportunity.owner_id)).values("pk")
        stages |= Q(pk=opportunity.stage_id)
    return OpportunityForm(
        request.POST or None,
        initial=initial,
        stages=OpportunityStage.objects.filter(stages).order_by("position", "name"),
        contacts=contacts_visible_to(user).filter(customer=customer).order_by("name"),
        owners=User.objects.filter(pk__in=owners).order_by("full_name"),
        custom_data=opportunity.custom_data if opportunity is not None else None,
    )


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_create(request):
    """New opportunity under ``?customer=<uuid>`` (a customer the user may see); without
    one, a short search to pick the customer."""
    raw = request.GET.get("customer", "")
    if not raw:
        q = request.GET.get("q", "").strip()[:100]
        found = customers_visible_to(request.user)
        if q:
            found = found.filter(name__icontains=q)
        context = {"customers": found.order_by("name")[:20], "q": q, "section": SECTION}
        return render(request, "conversion/opportunity_pick_customer.html", context)
    customer = customer_get_for_user(user=request.user, uuid=raw)
    first_open = stages_active()
    initial = {
        "currency": ConversionSettings.load().default_currency,
        "owner": request.user.uuid,
        "stage": first_open[0].uuid if first_open else None,
    }
    form = _form(request, customer=customer, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            opportunity = records.opportunity_create(
                actor=request.user,
                customer=customer,
                custom=form.custom_values(),
                **form.opportunity_data(),
            )
        except ConversionError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Opportunity created."))
            return redirect("conversion-opportunity-detail", uuid=opportunity.uuid)
    context = {"form": form, "customer": customer, "creating": True, "section": SECTION}
    return render(request, "conversion/opportunity_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_edit(request, uuid):
    opportunity = opportunity_get_for_user(user=request.user, uuid=uuid)
    if not opportunity_can_write(request.user, opportunity):
        return _refused(request, _("You may not change this opportunity."))
    form = _form(
        request,
        customer=opportunity.customer,
        opportunity=opportunity,
        initial=OpportunityForm.initial_for(opportunity),
    )
    if request.method == "POST" and form.is_valid():
        try:
            records.opportunity_update(
                opportunity=opportunity,
                actor=request.user,
                custom=form.custom_values(),
                **form.opportunity_data(),
            )
        except ConversionError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("conversion-opportunity-detail", uuid=opportunity.uuid)
    context = {
        "form": form,
        "opportunity": opportunity,
        "customer": opportunity.customer,
        "section": SECTION,
    }
    return render(request, "conversion/opportunity_form.html", context)
