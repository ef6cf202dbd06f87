"""Saved views keep what they showed when the list's default scene starts to follow the role.

A view saved without a scene (or with one the list does not know) showed "My leads", the
default for everyone until now. Tenant admins and managers now start from "All I can see"
(leads.selectors.scene_default_for), so their views without a scene are given "scene=mine"
explicitly; everyone else's default is still "mine" and their views are left as they are.
The query keeps the order saved_view_query_clean gives it (keys sorted)."""

from django.db import migrations
from django.http import QueryDict

SCENES = {
    "mine",
    "follow_up",
    "my_overdue",
    "subordinates",
    "department",
    "shared",
    "participating",
    "all",
}
ROLES_WITH_ANOTHER_DEFAULT = ["tenant_admin", "manager"]


def _with_scene_mine(query: str) -> str:
    params = QueryDict(query, mutable=True)
    params.setlist("scene", ["mine"])
    ordered = QueryDict(mutable=True)
    for key in sorted(params):
        ordered.setlist(key, params.getlist(key))
    return ordered.urlencode()


def pin_scene(apps, schema_editor):
    SavedView = apps.get_model("leads", "SavedView")
    User = apps.get_model("accounts", "User")
    longest = SavedView._meta.get_field("query").max_length
    users = User.objects.filter(roles__overlap=ROLES_WITH_ANOTHER_DEFAULT).values("pk")
    for view in SavedView.objects.filter(user__in=users).only("pk", "query"):
        if QueryDict(view.query).get("scene") in SCENES:
            continue
        query = _with_scene_mine(view.query)
        if len(query) <= longest:
            SavedView.objects.filter(pk=view.pk).update(query=query)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("leads", "0028_verbose_names_translated"),
    ]

    operations = [migrations.RunPython(pin_scene, migrations.RunPython.noop)]
