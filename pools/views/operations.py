"""What people do with pool leads: claim, allocate, transfer, return, withdraw, add,
reveal, re-route."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from leadcrm.accounts.models import User
from leadcrm.accounts.roles import Role
from leadcrm.parsing import uuids_parse
from leadcrm.redirects import next_or
from leads import selectors as lead_selectors
from leads.models import Lead
from leads.selectors import lead_get_for_user
from pools import selectors
from pools.errors import PoolError
from pools.models import AssignmentRule, Pool
from pools.services import claim as claim_services
from pools.services import pool as pool_services
from pools.services.routing import leads_route
from pools.views.pools import pool_counts_context


def _selected_leads(request, user: User):
    return list(
        lead_selectors.leads_visible_to(user)
        .filter(uuid__in=uuids_parse(request.POST.getlist("lead"))[0])
        .order_by("-score")
    )


def _selected_pool_leads(request, pool: Pool):
    """Leads of ``pool`` picked on its page. Not narrowed by visibility: a lead someone else
    claimed a moment ago must still answer "already claimed by X" (pool_claim decides)."""
    return list(
        Lead.objects.filter(
            uuid__in=uuids_parse(request.POST.getlist("lead"))[0], pool_entry__pool=pool
        ).order_by("-score")
    )


def _back(request, pool: Pool):
    return redirect(
        reverse("pools-detail", kwargs={"uuid": pool.uuid}) + "?" + request.POST.get("next", "")
    )


def _report(request, done: int, refused, verb: str) -> None:
    if done:
        messages.success(request, verb % {"count": done})
    reasons: dict[str, int] = {}
    for _lead, why in refused:
        reasons[why] = reasons.get(why, 0) + 1
    for why, count in reasons.items():
        messages.error(request, f"{why} ({count})" if count > 1 else why)


@login_required
@require_POST
def pool_claim(request, uuid):
    pool = selectors.pool_get_for_user(request.user, uuid)
    leads = _selected_pool_leads(request, pool)
    if not leads:
        messages.error(request, _("Select the leads to claim."))
        return _back(request, pool)
    claimed, refused = claim_services.pool_claim_many(pool=pool, leads=leads, actor=request.user)
    if request.htmx and len(leads) == 1:  # the row's own Claim button
        # The row says what happened; the page's counts and, once nothing is left to claim,
        # its Claim buttons are refreshed out of band.
        can_claim = pool_services.pool_can_claim(pool, request.user)
        context = {
            "pool": pool,
            "lead": claimed[0] if claimed else leads[0],
            "error": refused[0][1] if refused else "",
            "can_claim": can_claim,
            **pool_counts_context(pool, request.user, can_claim=can_claim),
        }
        return render(request, "pools/partials/_claim_result.html", context)
    _report(
        request,
        len(claimed),
        refused,
        ngettext("You claimed %(count)d lead.", "You claimed %(count)d leads.", len(claimed)),
    )
    return _back(request, pool)


@login_required
@require_POST
def pool_allocate(request, uuid):
    pool = selectors.pool_get_for_user(request.user, uuid)
    leads = _selected_leads(request, request.user)
    to_user = User.objects.filter(uuid=request.POST.get("to_user") or None).first()
    if not leads or to_user is None:
        messages.error(request, _("Select leads and the member who gets them."))
        return _back(request, pool)
    done, refused = claim_services.pool_allocate_many(
        pool=pool, leads=leads, to_user=to_user, actor=request.user
    )
    _report(
        request,
        len(done),
        refused,
        ngettext("%(count)d lead allocated.", "%(count)d leads allocated.", len(done)),
    )
    return _back(request, pool)


@login_required
@require_POST
def pool_transfer(request, uuid):
    pool = selectors.pool_get_for_user(request.user, uuid)
    to_pool = Pool.objects.filter(uuid=request.POST.get("to_pool") or None).first()
    if to_pool is None:
        messages.error(request, _("Choose the pool the leads go to."))
        return _back(request, pool)
    try:
        if request.POST.get("all") == "1":
            moved = claim_services.pool_transfer_all(
                from_pool=pool,
                to_pool=to_pool,
                actor=request.user,
                reason=request.POST.get("reason", ""),
            )
        else:
            leads = _selected_leads(request, request.user)
            moved = claim_services.pool_transfer(
                leads=leads,
                to_pool=to_pool,
                actor=request.user,
                reason=request.POST.get("reason", ""),
            )
    except PoolError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            ngettext(
                "%(count)d lead moved to %(pool)s.", "%(count)d leads moved to %(pool)s.", moved
            )
            % {"count": moved, "pool": to_pool},
        )
    return _back(request, pool)


@login_required
@require_POST
def lead_return(request, uuid):
    lead = lead_get_for_user(user=request.user, uuid=uuid)
    try:
        claim_services.pool_return(
            lead=lead,
            actor=request.user,
            reason=request.POST.get("reason", ""),
            note=request.POST.get("note", ""),
        )
    except PoolError as error:
        messages.error(request, error.message)
        return redirect("leads-detail", uuid=lead.uuid)
    messages.success(request, _("The lead went back to its pool."))
    return redirect("pools-index")


@login_required
@require_POST
def lead_withdraw(request, uuid):
    lead = lead_get_for_user(user=request.user, uuid=uuid)
    into = Pool.objects.filter(uuid=request.POST.get("pool") or None).first()
    try:
        claim_services.pool_withdraw(
            lead=lead, actor=request.user, reason=request.POST.get("reason", ""), pool=into
        )
    except PoolError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Withdrawn into the pool."))
    return redirect(next_or(request, reverse("leads-detail", kwargs={"uuid": lead.uuid})))


@login_required
@require_POST
def lead_pool_add(request, uuid):
    """Put an unowned lead that sits in no pool into one (pool admins of that pool)."""
    lead = lead_get_for_user(user=request.user, uuid=uuid)
    pool = Pool.objects.filter(uuid=request.POST.get("pool") or None).first()
    if pool is None:
        messages.error(request, _("Choose a pool."))
        return redirect("leads-detail", uuid=lead.uuid)
    if not pool_services.pool_is_admin(pool, request.user):
        raise PermissionDenied
    try:
        claim_services.pool_lead_add(pool=pool, lead=lead, actor=request.user)
    except PoolError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Added to %(pool)s.") % {"pool": pool})
    return redirect("leads-detail", uuid=lead.uuid)


@login_required
@require_POST
def lead_reveal(request, uuid, field):
    lead = lead_get_for_user(user=request.user, uuid=uuid)
    try:
        value = pool_services.contact_reveal(lead=lead, user=request.user, field=field)
    except PoolError as error:
        return HttpResponse(error.message, status=400)
    return HttpResponse(format_html('<span class="revealed">{}</span>', value or "—"))


@login_required
@require_POST
def leads_reroute(request):
    """ "Re-run assignment" on the leads list's selection (unowned leads only)."""
    leads = _selected_leads(request, request.user)
    if not request.user.has_role(Role.TENANT_ADMIN, Role.POOL_ADMIN):
        raise PermissionDenied
    result = leads_route(
        [lead.pk for lead in leads], trigger=AssignmentRule.Trigger.MANUAL, actor=request.user
    )
    messages.success(
        request,
        _(
            "Assignment re-run: %(assigned)d assigned, %(pooled)d into pools, %(skipped)d "
            "skipped (owned or closed)."
        )
        % {"assigned": result.assigned, "pooled": result.pooled, "skipped": result.skipped},
    )
    return redirect(reverse("leads-index") + "?" + request.POST.get("next", ""))
