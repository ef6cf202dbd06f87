"""Saved views: a user's named filters of the Leads list (the page's query string)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404, QueryDict
from django.utils.translation import gettext as _

from leadcrm.accounts.models import User
from leads.errors import LeadError
from leads.models import SavedView

#: Parameters of the list that are not part of a view (where you are, not what you look at).
_NOT_SAVED = ("page", "format", "csrfmiddlewaretoken")


def saved_view_query_clean(query: str) -> str:
    """The list's query string without paging and noise, keys in a stable order (so the
    same filters always give the same string, and the current view can be recognised)."""
    params = QueryDict(query.lstrip("?"), mutable=True)
    for key in _NOT_SAVED:
        params.pop(key, None)
    for key in list(params):
        if not any(value.strip() for value in params.getlist(key)):
            del params[key]
    ordered = QueryDict(mutable=True)
    for key in sorted(params):
        ordered.setlist(key, params.getlist(key))
    return ordered.urlencode()


def saved_view_save(*, user: User, name: str, query: str) -> SavedView:
    """Save the list's current filters under ``name`` for ``user``; saving again under the
    same name replaces that view's filters. Raises LeadError if the name is empty or the
    filters are too long to keep."""
    name = " ".join(name.split())
    if not name:
        raise LeadError(_("Give the view a name."), field="name")
    if len(name) > SavedView._meta.get_field("name").max_length:
        raise LeadError(_("Use a shorter name."), field="name")
    query = saved_view_query_clean(query)
    if len(query) > SavedView._meta.get_field("query").max_length:
        raise LeadError(_("These filters are too long to save."), field="query")
    view, _created = SavedView.objects.update_or_create(
        user=user, name=name, defaults={"query": query}
    )
    return view


def saved_view_list(*, user: User) -> QuerySet[SavedView]:
    """``user``'s own saved views, by name (nobody sees anyone else's)."""
    return SavedView.objects.filter(user=user).order_by("name")


def saved_view_get_for_user(*, user: User, uuid) -> SavedView:
    """``user``'s saved view; Http404 for someone else's, never a hint that it exists."""
    view = SavedView.objects.filter(user=user, uuid=uuid).first()
    if view is None:
        raise Http404
    return view


def saved_view_delete(*, user: User, uuid) -> None:
    """Delete one of ``user``'s saved views (Http404 if it is not theirs)."""
    saved_view_get_for_user(user=user, uuid=uuid).delete()
