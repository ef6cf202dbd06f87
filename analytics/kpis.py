"""How a dashboard KPI reads: its label, its explanation, its number and its change, in the
reader's language. Shared by the dashboard page and the weekly digest e-mail, so a KPI reads
the same wherever it is shown."""

from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from analytics.selectors.dashboard import Kpi

KPI_LABELS = {
    "new": _("New leads"),
    "pooled": _("Waiting in pools"),
    "due_today": _("Follow-ups due today"),
    "overdue": _("Overdue follow-ups"),
    "contact": _("Contact rate"),
    "qualification": _("Qualification rate"),
    "conversion": _("Conversion rate"),
    "cycle": _("Lead to conversion"),
    "response": _("First response (average)"),
    "won": _("Won amount"),
}
KPI_HELP = {
    "new": _("Leads created in the period."),
    "pooled": _("Open leads waiting in a pool without an owner, now."),
    "due_today": _("Open leads whose next follow-up is due today."),
    "overdue": _("Open leads whose next follow-up is past, now."),
    "contact": _("Share of the new leads followed up at least once."),
    "qualification": _("Share of the new leads that are Qualified or Converted."),
    "conversion": _("Share of the new leads converted."),
    "cycle": _("Mean days from creation to conversion, of the leads converted in the period."),
    "response": _(
        "Mean hours from assignment to the first follow-up, of the new leads followed up."
    ),
    "won": _("Opportunities won in the period."),
}

UNITS = {"days": _("days"), "hours": _("hours")}


def kpi_number(kpi: Kpi, value=None) -> str:
    """A KPI's number (its value, or ``value`` of the same unit, e.g. the previous one) in the
    reader's format (grouping from the active language)."""
    value = kpi.value if value is None else value
    if value is None:
        return "—"
    if kpi.unit == "rate":
        return f"{float(value) * 100:.1f} %"
    if kpi.unit in ("days", "hours"):
        return number_format(round(float(value), 1), decimal_pos=1)
    return number_format(round(value), force_grouping=True)


def kpi_change(kpi: Kpi) -> str:
    """The change against the period before: ▲/▼ and % (points for rates); "" without one."""
    change = kpi.change
    if change is None:
        return ""
    sign = "▲" if change > 0 else "▼" if change < 0 else "="
    if kpi.unit == "rate":
        return f"{sign} {abs(change):.1f} pt"
    return f"{sign} {abs(change):.1f} %"
