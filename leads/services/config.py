"""Tenant-editable configuration of leads: the lead settings, funnel stages, source channels,
loss reasons and SOP task templates. Tenant admins only.

Entries are deactivated, never deleted, so leads keep the stage, source or loss reason they
have. These models keep no history; every change is made here, under a row lock, and illegal
changes (the last active stage, a duplicate name, a taken source code) are refused with a
LeadError that says why.
"""

from __future__ import annotations

import re

from django.db import IntegrityError, models, transaction
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext as _

from leadcrm.accounts.models import User
from leads.errors import LeadError
from leads.models import DuplicateRule, LeadSettings, LossReason, SopTemplate, SourceChannel, Stage

#: The ordered lists an admin edits, by the name used in URLs.
LIST_MODELS: dict[str, type[models.Model]] = {
    "stages": Stage,
    "sources": SourceChannel,
    "loss_reasons": LossReason,
}
NAME_MAX = 100
CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
SOP_TITLE_MAX = 200
SOP_DUE_MAX_HOURS = 24 * 90
MOVES = ("up", "down")


def admin_check(actor: User) -> None:
    """Refuse anyone but a tenant admin (the views check the role too; imports and the shell
    come through here)."""
    if not actor.is_tenant_admin:
        raise LeadError(_("Only tenant admins can change lead settings."))


def lead_settings_update(
    *,
    actor: User,
    require_bant_for_qualified: bool,
    hot_score: int,
    require_email_or_phone: bool | None = None,
    open_tasks_on_reassign: str | None = None,
) -> LeadSettings:
    """Set whether Qualified needs a complete BANT checklist, from which score a lead is hot
    (1 to 100, above the Warm threshold) and, each unless None, whether a lead needs an email
    or a phone number and what a lead's open tasks do when it changes owner
    (``LeadSettings.OpenTasks``). One conditional UPDATE of the tenant's single settings row."""
    admin_check(actor)
    if not 1 <= hot_score <= 100:
        raise LeadError(_("The hot score is between 1 and 100."), field="hot_score")
    if hot_score <= LeadSettings.load().warm_score:  # load() makes the row on first use
        raise LeadError(
            _("Hot must be above Warm (a Hot lead is also past Warm)."), field="hot_score"
        )
    values = {"require_bant_for_qualified": require_bant_for_qualified, "hot_score": hot_score}
    if require_email_or_phone is not None:
        values["require_email_or_phone"] = require_email_or_phone
    if open_tasks_on_reassign is not None:
        if open_tasks_on_reassign not in LeadSettings.OpenTasks.values:
            raise LeadError(_("Choose a valid value."), field="open_tasks_on_reassign")
        values["open_tasks_on_reassign"] = open_tasks_on_reassign
    LeadSettings.objects.filter(singleton=True).update(**values)
    return LeadSettings.load()


def _model(kind: str) -> type[models.Model]:
    try:
        return LIST_MODELS[kind]
    except KeyError as exc:
        raise LeadError(_("Unknown list.")) from exc


def _name_clean(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise LeadError(_("Enter a name."), field="name")
    if len(name) > NAME_MAX:
        raise LeadError(
            _("A name has at most %(max)d characters.") % {"max": NAME_MAX}, field="name"
        )
    return name


def _name_check_free(model, name: str, *, exclude_pk: int | None = None) -> None:
    """Two active entries of one list never share a name (a rep could not tell them apart)."""
    taken = model.objects.filter(name__iexact=name, is_active=True).exclude(pk=exclude_pk)
    if taken.exists():
        raise LeadError(_("%(name)s is already in the list.") % {"name": name}, field="name")


def _source_code(name: str, code: str) -> str:
    """The given code (checked), or one made from the name; unique among all sources."""
    code = (code or "").strip().lower()
    if code:
        if not CODE_RE.match(code):
            raise LeadError(
                _("A code has lower-case letters, digits, - and _ (at most 40)."), field="code"
            )
        if SourceChannel.objects.filter(code=code).exists():
            raise LeadError(_("The code %(code)s is taken.") % {"code": code}, field="code")
        return code
    base = slugify(name)[:30] or "source"
    code, n = base, 1
    while SourceChannel.objects.filter(code=code).exists():
        n += 1
        code = f"{base}-{n}"
    return code


def _next_position(model, **scope) -> int:
    last = (
        model.objects.filter(is_active=True, **scope)
        .order_by("-position")
        .values_list("position", flat=True)
        .first()
    )
    return 0 if last is None else last + 1


def list_item_add(*, actor: User, kind: str, name: str, code: str = ""):
    """Add a stage, source or loss reason at the end of its list. A source gets ``code`` (the
    identifier web forms and the API use; made from the name when empty), which never changes.
    Refuses a name already active in the list and a taken code."""
    admin_check(actor)
    model = _model(kind)
    name = _name_clean(name)
    with transaction.atomic():
        # Lock the list so two admins adding at once get distinct positions.
        list(model.objects.select_for_update().filter(is_active=True).values_list("pk"))
        _name_check_free(model, name)
        fields = {"name": name, "position": _next_position(model)}
        if model is SourceChannel:
            fields["code"] = _source_code(name, code)
        try:
            with transaction.atomic():
                return model.objects.create(**fields)
        except IntegrityError as exc:
            raise LeadError(_("This entry cannot be added."), field="name") from exc


def loss_reason_ensure(*, name: str) -> tuple[LossReason, bool]:
    """(the loss reason called ``name``, whether it was created now): the one an import of
    closed history names, matched case-insensitively (an active one first, else a retired
    one, which stays retired), or a new active one at the end of the list. Not limited to
    admins: whoever may import may bring the reasons of their old CRM; admins rename or retire
    them in Settings afterwards."""
    name = _name_clean(name)
    with transaction.atomic():
        list(LossReason.objects.select_for_update().filter(is_active=True).values_list("pk"))
        found = LossReason.objects.filter(name__iexact=name).order_by("-is_active", "pk").first()
        if found is not None:
            return found, False
        return LossReason.objects.create(name=name, position=_next_position(LossReason)), True


def list_item_rename(*, actor: User, kind: str, item, name: str):
    """Rename an entry; leads that use it show the new name. A source keeps its code."""
    admin_check(actor)
    model = _model(kind)
    name = _name_clean(name)
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=item.pk)
        if locked.name == name:
            return locked
        if locked.is_active:
            _name_check_free(model, name, exclude_pk=locked.pk)
        model.objects.filter(pk=locked.pk).update(name=name)
        locked.name = name
    return locked


def _stage_keep_one(locked: Stage) -> None:
    """New leads start at the first active stage: the last one cannot go."""
    active = list(Stage.objects.select_for_update().filter(is_active=True).values_list("pk"))
    if locked.is_active and len(active) <= 1:
        raise LeadError(_("Keep at least one active stage: new leads start at the first one."))


def list_item_set_active(*, actor: User, kind: str, item, is_active: bool):
    """Deactivate an entry (no longer offered; leads that use it keep it) or bring it back at
    the end of its list. The last active stage cannot be deactivated; an entry cannot come
    back while another active entry has its name."""
    admin_check(actor)
    model = _model(kind)
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=item.pk)
        if locked.is_active == is_active:
            return locked
        if is_active:
            _name_check_free(model, locked.name, exclude_pk=locked.pk)
            locked.position = _next_position(model)
        elif model is Stage:
            _stage_keep_one(locked)
        locked.is_active = is_active
        model.objects.filter(pk=locked.pk).update(is_active=is_active, position=locked.position)
    return locked


def list_item_update(*, actor: User, kind: str, item, name: str, position: int, is_active: bool):
    """Rename, place and (de)activate an entry in one go (for imports and scripts; the pages
    use the single-purpose services). Same rules as list_item_rename and
    list_item_set_active."""
    admin_check(actor)
    model = _model(kind)
    name = _name_clean(name)
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=item.pk)
        if model is Stage and not is_active:
            _stage_keep_one(locked)
        if is_active:
            _name_check_free(model, name, exclude_pk=locked.pk)
        locked.name, locked.position, locked.is_active = name, max(0, position), is_active
        model.objects.filter(pk=locked.pk).update(
            name=name, position=locked.position, is_active=is_active
        )
    return locked


def position_move(*, model: type[models.Model], item, direction: str, **scope) -> None:
    """Swap ``item`` with its active neighbour above or below, then number the active entries
    0, 1, 2… Locks the entries in ``scope`` so concurrent moves apply one after the other.
    Moving the first entry up (or the last down) changes nothing."""
    if direction not in MOVES:
        raise LeadError(_("Move up or down."))
    with transaction.atomic():
        ordering = [*model._meta.ordering, "pk"]
        rows = list(
            model.objects.select_for_update().filter(is_active=True, **scope).order_by(*ordering)
        )
        index = next((i for i, row in enumerate(rows) if row.pk == item.pk), None)
        if index is None:
            raise LeadError(_("Only active entries can be moved."))
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(rows):
            rows[index], rows[other] = rows[other], rows[index]
        for position, row in enumerate(rows):
            if row.position != position:
                model.objects.filter(pk=row.pk).update(position=position)


def list_item_move(*, actor: User, kind: str, item, direction: str) -> None:
    """Move a stage, source or loss reason one place up or down among the active ones (the
    funnel shows stages in this order)."""
    admin_check(actor)
    position_move(model=_model(kind), item=item, direction=direction)


def _sop_clean(title: str, due_in_hours: int) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise LeadError(_("Say what is to be done."), field="title")
    if len(title) > SOP_TITLE_MAX:
        raise LeadError(
            _("A task has at most %(max)d characters.") % {"max": SOP_TITLE_MAX}, field="title"
        )
    if not 1 <= due_in_hours <= SOP_DUE_MAX_HOURS:
        raise LeadError(_("Due within 1 hour to 90 days."), field="due_in_hours")
    return title


def _stage_check_active(stage: Stage) -> None:
    if not stage.is_active:
        raise LeadError(_("This stage is no longer used."), field="stage")


def sop_template_add(*, actor: User, stage: Stage, title: str, due_in_hours: int) -> SopTemplate:
    """A task created automatically for the owner when a lead enters ``stage``, due
    ``due_in_hours`` later (1 hour to 90 days). The stage must be active."""
    admin_check(actor)
    title = _sop_clean(title, due_in_hours)
    _stage_check_active(stage)
    position = SopTemplate.objects.filter(stage=stage).count()
    return SopTemplate.objects.create(
        stage=stage, title=title, due_in_hours=due_in_hours, position=position
    )


def sop_template_update(
    *, actor: User, template: SopTemplate, stage: Stage, title: str, due_in_hours: int
) -> SopTemplate:
    """Change an SOP template. Tasks already created keep their title and due time; leads
    entering the stage from now on get the new ones."""
    admin_check(actor)
    title = _sop_clean(title, due_in_hours)
    if stage.pk != template.stage_id:
        _stage_check_active(stage)
    with transaction.atomic():
        locked = SopTemplate.objects.select_for_update().get(pk=template.pk)
        if not locked.is_active:
            raise LeadError(_("This SOP task is no longer used."))
        locked.stage, locked.title, locked.due_in_hours = stage, title, due_in_hours
        locked.save(update_fields=["stage", "title", "due_in_hours"])
    return locked


def sop_template_deactivate(*, actor: User, template: SopTemplate) -> None:
    """Stop creating this task for leads entering the stage; open tasks made from it stay."""
    admin_check(actor)
    SopTemplate.objects.filter(pk=template.pk).update(is_active=False)


# Reads for the settings pages.


def settings_lists() -> list[tuple[str, list, list]]:
    """(kind, active entries in order, deactivated entries) for each list."""
    lists = []
    for kind, model in LIST_MODELS.items():
        entries = list(model.objects.order_by("position", "name", "pk"))
        lists.append(
            (kind, [e for e in entries if e.is_active], [e for e in entries if not e.is_active])
        )
    return lists


def sop_templates_by_stage() -> list[tuple[Stage, list[SopTemplate]]]:
    """Each active stage with its active SOP templates, in funnel order."""
    templates = SopTemplate.objects.filter(is_active=True).order_by("position", "pk")
    grouped: dict[int, list[SopTemplate]] = {}
    for template in templates:
        grouped.setdefault(template.stage_id, []).append(template)
    stages = Stage.objects.filter(is_active=True).order_by("position", "name")
    return [(stage, grouped.get(stage.pk, [])) for stage in stages]


# The names every schema starts with (migrations 0002 and 0007 create them in English), marked
# for translation so a tenant that signs up in another language gets them in that language.
DEFAULT_NAMES = {
    SourceChannel: [
        gettext_noop("Website form"), gettext_noop("Trade show"), gettext_noop("Ad campaign"),
        gettext_noop("Referral"), gettext_noop("Cold call"), gettext_noop("Hotline"),
        gettext_noop("WeCom / WeChat"), gettext_noop("Import"), gettext_noop("API"),
        gettext_noop("Other"),
    ],
    Stage: [
        gettext_noop("To contact"), gettext_noop("First contact"),
        gettext_noop("Needs confirmed"), gettext_noop("Solution presented"),
        gettext_noop("Proposal sent"), gettext_noop("Negotiation"),
        gettext_noop("Decision pending"), gettext_noop("Ready to convert"),
    ],
    LossReason: [
        gettext_noop("No budget"), gettext_noop("No need"), gettext_noop("Chose a competitor"),
        gettext_noop("Price too high"), gettext_noop("Timing not right"),
        gettext_noop("No decision-maker access"), gettext_noop("Not our target market"),
        gettext_noop("Other"),
    ],
    DuplicateRule: [
        gettext_noop("Same email address"), gettext_noop("Same mobile or direct line"),
        gettext_noop("Similar company and name"),
        gettext_noop("Shared switchboard and similar name"),
        gettext_noop("Shared mailbox and similar name"),
    ],
}  # fmt: skip


def default_lists_localise(language: str) -> int:
    """Rename the starting lists of the current schema into ``language`` (rows an admin has
    renamed are left alone). Returns how many were renamed."""
    renamed = 0
    with translation.override(language):
        for model, names in DEFAULT_NAMES.items():
            for english in names:
                local = gettext(english)
                if local != english:
                    renamed += model.objects.filter(name=english).update(name=local)
    return renamed


def default_lists_localise_on_create(sender, tenant, **kwargs) -> None:
    """Receiver of leadcrm.tenancy.signals.tenant_created."""
    if tenant.default_language and not tenant.default_language.startswith("en"):
        default_lists_localise(tenant.default_language)
