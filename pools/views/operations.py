"""What people do with pool leads: claim, allocate (or reassign), transfer, return (one lead
or the list's selection), withdraw, add, reveal, re-route."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from leadcrm.accounts.models import User
from leadcrm.accounts.roles import Role
from leadcrm.parsing import uuid_or_none, uuids_parse
from leadcrm.redirects import next_or
from leads import selectors as lead_selectors
from leads.errors import LeadError
from leads.models import Lead
from leads.selectors import lead_get_for_user
from leads.services.bulk import MAX_BULK
from pools import selectors
from pools.errors import PoolError
from pools.models import AssignmentRule, Pool, PoolEntry
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


def _pool_posted(request, name: str) -> Pool | None:
    return Pool.objects.filter(uuid=uuid_or_none(request.POST.get(name))).first()


def _user_posted(request, name: str) -> User | None:
    return User.objects.filter(uuid=uuid_or_none(request.POST.get(name))).first()


@login_required
@require_POST
def lead_return(request, uuid):
    """Return one lead from its page: to its pool, or (a lead in no pool) into the pool chosen."""
    lead = lead_get_for_user(user=request.user, uuid=uuid)
    try:
        claim_services.pool_return(
            lead=lead,
            actor=request.user,
            reason=request.POST.get("reason", ""),
            note=request.POST.get("note", ""),
            pool=_pool_posted(request, "pool"),
        )
    except LeadError as error:  # PoolError, or lead_assign's refusals
        messages.error(request, error.message)
        return redirect("leads-detail", uuid=lead.uuid)
    messages.success(request, _("The lead went back to its pool."))
    return redirect("pools-index")


def _back_to_list(request):
    query = QueryDict(request.POST.get("next", "")).urlencode()  # a query string, never a site
    return redirect(reverse("leads-index") + (f"?{query}" if query else ""))


def _report_each(request, refused) -> None:
    """One message per reason, naming the leads it refused (the first three, then "…")."""
    names: dict[str, list[str]] = {}
    for lead, why in refused:
        names.setdefault(why, []).append(lead.name if lead is not None else "")
    for why, labels in names.items():
        named = [label for label in labels if label]
        shown = ", ".join(named[:3]) + (" …" if len(named) > 3 else "")
        # Translators: a refusal and the leads it concerns: "Only its owner … (Wang Fang, …)".
        which = _("%(reason)s (%(leads)s)") % {"reason": why, "leads": shown or len(labels)}
        messages.error(request, which)


@login_required
@require_POST
def leads_return(request):
    """ "Return to pool" on the leads list's selection: each lead back to its own pool, a lead
    in no pool into the pool chosen; every refusal is reported with the leads it concerns."""
    wanted, invalid = uuids_parse(request.POST.getlist("lead"))
    if not wanted and not invalid:
        messages.error(request, _("Select at least one lead."))
        return _back_to_list(request)
    if len(wanted) + invalid > MAX_BULK:
        messages.error(request, _("Select at most %(max)d leads at a time.") % {"max": MAX_BULK})
        return _back_to_list(request)
    leads = list(
        lead_selectors.leads_visible_to(request.user).filter(uuid__in=wanted).order_by("pk")
    )
    try:
        done, refused = claim_services.pool_return_many(
            leads=leads,
            actor=request.user,
            reason=request.POST.get("return_reason", ""),
            note=request.POST.get("return_note", ""),
            pool=_pool_posted(request, "return_pool"),
        )
    except LeadError as error:  # PoolError, or lead_assign's refusals
        messages.error(request, error.message)
        return _back_to_list(request)
    refused += [(None, _("not yours"))] * (len(wanted) - len(leads) + invalid)
    if done:
        messages.success(
            request,
            ngettext(
                "%(count)d lead returned to its pool.",
                "%(count)d leads returned to their pools.",
                len(done),
            )
            % {"count": len(done)},
        )
    _report_each(request, refused)
    return _back_to_list(request)


@login_required
@require_POST
def lead_allocate(request, uuid):
    """From the lead page, a pool admin gives the lead to a member: a lead waiting in the pool
    (allocate), or a held one (reassign: ``from_user`` is the holder the admin saw)."""
    lead = lead_get_for_user(user=request.user, uuid=uuid)
    entry = PoolEntry.objects.filter(lead=lead).select_related("pool").first()
    to_user = _user_posted(request, "to_user")
    if entry is None:
        messages.error(request, _("This lead is in no pool."))
    elif to_user is None:
        messages.error(request, _("Choose the member who gets the lead."))
    elif request.POST.get("from_user") and _user_posted(request, "from_user") is None:
        messages.error(request, _("This lead changed meanwhile: reload the page and try again."))
    else:
        from_user = _user_posted(request, "from_user") if request.POST.get("from_user") else None
        try:
            claim_services.pool_allocate(
                pool=entry.pool, lead=lead, to_user=to_user, actor=request.user, from_user=from_user
            )
        except LeadError as error:  # PoolError, or lead_assign's refusals
            messages.error(request, error.message)
        else:
            messages.success(request, _("%(name)s now holds the lead.") % {"name": to_user})
    return redirect("leads-detail", uuid=lead.uuid)


@login_required
@require_POST
def lead_transfer(request, uuid):
    """From the lead page, a pool admin moves the lead into another pool they administer."""
    lead = lead_get_for_user(user=request.user, uuid=uuid)
    to_pool = _pool_posted(request, "to_pool")
    if to_pool is None:
        messages.error(request, _("Choose the pool the leads go to."))
        return redirect("leads-detail", uuid=lead.uuid)
    try:
        claim_services.pool_lead_transfer(
            lead=lead, to_pool=to_pool, actor=request.user, reason=request.POST.get("reason", "")
        )
    except LeadError as error:  # PoolError, or lead_assign's refusals
        messages.error(request, error.message)
    else:
        messages.success(request, _("Moved to %(pool)s.") % {"pool": to_pool})
    return redirect("leads-detail", uuid=lead.uuid)


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
