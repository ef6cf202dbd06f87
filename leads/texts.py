"""What the leads app tells people (notifications), by key: see leadcrm.notifications.texts."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from leadcrm.notifications.texts import texts_register

texts_register(
    leads__shared=_("%(actor)s added you to the lead %(lead)s"),
    leads__assigned_one=_("New lead for you: %(lead)s"),
    leads__assigned_many=ngettext_lazy(
        "%(count)d new lead for you", "%(count)d new leads for you", "count"
    ),
    leads__assigned_imported=_("Imported from %(source)s."),
    leads__assigned_routed=_("Routed by the assignment rules."),
    leads__assigned_by=_("Assigned by %(actor)s."),
    leads__mentioned=_("%(author)s mentioned you on %(lead)s"),
    leads__task_overdue=_("Overdue: %(task)s"),
    leads__task_was_due=_("Was due %(due)s · %(lead)s"),
    leads__task_due_soon=_("Due soon: %(task)s"),
    leads__task_due=_("Due %(due)s · %(lead)s"),
    leads__import_finished=_("Import finished: %(file)s"),
    leads__import_counts=_(
        "%(created)s created, %(updated)s updated, %(skipped)s skipped, %(errors)s with problems."
    ),
)
