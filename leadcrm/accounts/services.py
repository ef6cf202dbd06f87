"""Everything that writes users and teams. Views, commands and seeding all come here."""

import hashlib
import hmac
import secrets

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from leadcrm.accounts.errors import AccountsError
from leadcrm.accounts.hooks import Handover, user_hand_over
from leadcrm.accounts.models import ApiKey, Team, User
from leadcrm.accounts.roles import Role
from leadcrm.accounts.selectors import team_descendant_ids, tenant_admin_count, user_subordinate_ids
from leadcrm.origin import tenant_origin

VALID_ROLES = set(Role.values)


def _clean_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise AccountsError(_("Enter a valid email address."), field="email") from exc
    return email


def _clean_roles(roles) -> list[str]:
    roles = list(dict.fromkeys(roles or []))
    unknown = set(roles) - VALID_ROLES
    if unknown:
        raise AccountsError(_("Unknown role: %(role)s") % {"role": ", ".join(sorted(unknown))})
    if not roles:
        raise AccountsError(_("Give the user at least one role."), field="roles")
    return roles


def _check_reports_to(user: User | None, reports_to: User | None) -> None:
    if reports_to is None or user is None or user.pk is None:
        return
    if reports_to.pk == user.pk or reports_to.pk in user_subordinate_ids(user):
        raise AccountsError(
            _("%(name)s cannot report to someone who reports to them.") % {"name": user},
            field="reports_to",
        )


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise AccountsError(" ".join(exc.messages), field="password") from exc


def _manager_chain_ids(user: User) -> set[int]:
    """Ids of everyone above ``user`` in the reporting line."""
    chain, current = set(), user
    while current.reports_to_id and current.reports_to_id not in chain:
        chain.add(current.reports_to_id)
        current = User.objects.only("reports_to_id").get(pk=current.reports_to_id)
    return chain


def user_create(
    *,
    email: str,
    full_name: str,
    roles: list[str],
    password: str | None = None,
    team: Team | None = None,
    reports_to: User | None = None,
    phone: str = "",
    language: str = "",
) -> User:
    """Create a user of the current tenant.

    Without a password the account has an unusable password until the person accepts an
    invitation (see user_invite). If ``reports_to`` is not given, the team's manager is used.
    Raises AccountsError on bad input or a taken email.
    """
    email = _clean_email(email)
    full_name = (full_name or "").strip()
    if not full_name:
        raise AccountsError(_("Enter the person's name."), field="full_name")
    roles = _clean_roles(roles)
    if reports_to is None and team is not None and team.manager_id:
        reports_to = team.manager
    user = User(
        email=email,
        full_name=full_name,
        roles=roles,
        team=team,
        reports_to=reports_to,
        phone=phone.strip(),
        language=language,
    )
    if password:
        _check_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        raise AccountsError(
            _("A user with the email %(email)s already exists.") % {"email": email},
            field="email",
        ) from exc
    return user


def user_invite(*, user: User, invited_by: User | None = None) -> None:
    """Email ``user`` a link to set their password (valid PASSWORD_RESET_TIMEOUT seconds).

    The link is absolute, on the current tenant's own host (``https://acme.example.com/...``,
    see tenant_origin), whether a request or a command sends it. The mail is sent once the
    surrounding transaction commits, so a rolled-back creation sends nothing.
    """
    origin = tenant_origin()
    if not origin:
        raise RuntimeError("The current tenant has no primary domain for the invitation link.")
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("accounts-password-reset-confirm", kwargs={"uidb64": uid, "token": token})
    context = {"user": user, "invited_by": invited_by, "link": f"{origin}{path}"}
    with translation.override(user.language or None):  # the invitee's language, if chosen
        subject = _("You are invited to LeadCRM")
        body = render_to_string("accounts/email/invitation.txt", context)
    User.objects.filter(pk=user.pk).update(invited_at=timezone.now())
    transaction.on_commit(lambda: send_mail(subject, body, None, [user.email]))


def user_update(
    *,
    user: User,
    actor: User,
    full_name: str,
    roles: list[str],
    team: Team | None,
    reports_to: User | None,
    phone: str = "",
    is_active: bool = True,
    is_away: bool = False,
    handover: str = Handover.LEAVE,
    handover_to: User | None = None,
) -> User:
    """Change a user's profile, roles and place in the hierarchy.

    Guarantees: nobody reports to their own subordinate; the tenant always keeps at least one
    active tenant admin; a user cannot deactivate themselves. Each change is kept in history.
    A user saved inactive has what they hold (their open leads) handed over as ``handover``
    says: left with them, reassigned to ``handover_to`` (an active person), or routed again
    by the assignment rules; the apps that hold it do the work after commit, in the background
    (leadcrm.accounts.hooks).
    """
    roles = _clean_roles(roles)
    full_name = (full_name or "").strip()
    if not full_name:
        raise AccountsError(_("Enter the person's name."), field="full_name")
    _check_reports_to(user, reports_to)
    if user.pk == actor.pk and not is_active:
        raise AccountsError(_("You cannot deactivate your own account."), field="is_active")
    if handover not in Handover.values:
        raise AccountsError(_("Choose what happens to their open leads."), field="handover")
    if not is_active and handover == Handover.REASSIGN:
        if handover_to is None:
            raise AccountsError(_("Choose who gets their open leads."), field="handover_to")
        if handover_to.pk == user.pk or not handover_to.is_active:
            raise AccountsError(
                _("Choose an active person other than %(name)s.") % {"name": user},
                field="handover_to",
            )
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        loses_admin = locked.is_tenant_admin and (Role.TENANT_ADMIN not in roles or not is_active)
        # Lock every admin row, so two admins demoting each other cannot both succeed.
        list(User.objects.select_for_update().filter(roles__contains=[Role.TENANT_ADMIN]))
        if loses_admin and tenant_admin_count() <= 1:
            raise AccountsError(_("The tenant needs at least one active tenant admin."))
        locked.full_name = full_name
        locked.roles = roles
        locked.team = team
        locked.reports_to = reports_to
        locked.phone = phone.strip()
        locked.is_active = is_active
        locked.is_away = is_away
        locked._change_reason = f"updated by {actor.email}"
        locked.save()
        if not is_active and handover != Handover.LEAVE:
            to_user = handover_to if handover == Handover.REASSIGN else None
            user_hand_over(user=locked, to_user=to_user, actor=actor)
    return locked


def user_set_password(*, user: User, password: str) -> None:
    _check_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])


def user_set_language(*, user: User, language: str) -> None:
    from django.conf import settings

    if language not in dict(settings.LANGUAGES):
        raise AccountsError(_("Unknown language."), field="language")
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language


def user_set_weekly_digest(*, user: User, weekly_digest: bool) -> None:
    """Turn the weekly report e-mail on or off for ``user`` (their own choice)."""
    User.objects.filter(pk=user.pk).update(weekly_digest=weekly_digest)
    user.weekly_digest = weekly_digest


def team_create(
    *,
    name: str,
    kind: str = Team.Kind.TEAM,
    parent: Team | None = None,
    manager: User | None = None,
) -> Team:
    name = (name or "").strip()
    if not name:
        raise AccountsError(_("Enter a name."), field="name")
    try:
        with transaction.atomic():
            return Team.objects.create(name=name, kind=kind, parent=parent, manager=manager)
    except IntegrityError as exc:
        raise AccountsError(
            _("A team named %(name)s already exists.") % {"name": name}, field="name"
        ) from exc


def team_update(
    *,
    team: Team,
    name: str,
    kind: str,
    parent: Team | None,
    manager: User | None,
) -> Team:
    """Rename, move or re-manage a team.

    A team cannot sit inside itself or its own sub-teams. When the manager changes, members who
    reported to the old manager now report to the new one (the others keep their line).
    """
    name = (name or "").strip()
    if not name:
        raise AccountsError(_("Enter a name."), field="name")
    if parent is not None and parent.pk in team_descendant_ids(team):
        raise AccountsError(_("A team cannot be part of itself."), field="parent")
    try:
        with transaction.atomic():
            locked = Team.objects.select_for_update().get(pk=team.pk)
            old_manager_id = locked.manager_id
            locked.name, locked.kind, locked.parent, locked.manager = name, kind, parent, manager
            locked.save()
            if manager is not None and old_manager_id != manager.pk:
                members = locked.members.exclude(pk=manager.pk)
                for member in members.filter(reports_to_id=old_manager_id):
                    if member.pk in _manager_chain_ids(manager):
                        continue  # the new manager reports to this member: keep their line
                    member.reports_to = manager
                    member._change_reason = "team manager changed"
                    member.save(update_fields=["reports_to"])
    except IntegrityError as exc:
        raise AccountsError(
            _("A team named %(name)s already exists.") % {"name": name}, field="name"
        ) from exc
    return locked


def password_check(*, password: str, email: str = "", full_name: str = "") -> None:
    """The password rules alone (length, common, too like the name or email): raises
    AccountsError(field="password"). Forms call it so the problems show with every other
    field's, not only once the rest is valid."""
    _check_password(password, User(email=email or "", full_name=full_name or ""))


def user_check_new(*, email: str, full_name: str, password: str) -> None:
    """Validate a future user's credentials without saving anything (raises AccountsError)."""
    email = _clean_email(email)
    _check_password(password, User(email=email, full_name=full_name or ""))


HANDOFF_SALT = "leadcrm.accounts.handoff"
HANDOFF_MAX_AGE = 120


def login_handoff_create(*, user: User) -> str:
    """A short-lived, single-use token that logs ``user`` in on their tenant's host.

    Used right after sign-up on the public host, whose session cookie the tenant host cannot
    see. The token names the tenant's schema, so it is worthless on any other tenant.
    """
    payload = {
        "schema": connection.schema_name,
        "user": str(user.uuid),
        "nonce": secrets.token_hex(8),
    }
    return signing.dumps(payload, salt=HANDOFF_SALT)


def login_handoff_consume(*, token: str) -> User:
    """Return the user a handoff token names, once. Raises AccountsError if it is expired,
    forged, meant for another tenant or already used."""
    try:
        payload = signing.loads(token, salt=HANDOFF_SALT, max_age=HANDOFF_MAX_AGE)
    except signing.BadSignature as exc:
        raise AccountsError(_("This sign-in link is invalid or has expired.")) from exc
    if payload.get("schema") != connection.schema_name:
        raise AccountsError(_("This sign-in link is invalid or has expired."))
    # cache.add is atomic in Redis: only the first use of a nonce succeeds.
    if not cache.add(f"handoff:{payload['nonce']}", 1, timeout=HANDOFF_MAX_AGE * 2):
        raise AccountsError(_("This sign-in link has already been used."))
    try:
        return User.objects.get(uuid=payload["user"], is_active=True)
    except User.DoesNotExist as exc:
        raise AccountsError(_("This sign-in link is invalid or has expired.")) from exc


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_key_create(*, actor: User, name: str) -> tuple[ApiKey, str]:
    """A new API key for the tenant (tenant admins). Returns the row and the key itself, which
    is shown once and never stored."""
    if not actor.is_tenant_admin:
        raise AccountsError(_("Only tenant admins manage API keys."))
    name = (name or "").strip()
    if not name:
        raise AccountsError(_("Name the key after what uses it, e.g. “Website”."))
    prefix = secrets.token_hex(4)
    key = f"lck_{prefix}_{secrets.token_urlsafe(32)}"
    api_key = ApiKey.objects.create(
        name=name[:100], prefix=prefix, key_hash=_key_hash(key), created_by=actor
    )
    return api_key, key


def api_key_revoke(*, actor: User, api_key: ApiKey) -> None:
    if not actor.is_tenant_admin:
        raise AccountsError(_("Only tenant admins manage API keys."))
    ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def api_key_authenticate(key: str) -> ApiKey | None:
    """The active key matching ``key`` (in the current tenant's schema), or None."""
    parts = (key or "").split("_", 2)
    if len(parts) != 3 or parts[0] != "lck":
        return None
    api_key = (
        ApiKey.objects.filter(prefix=parts[1], revoked_at__isnull=True)
        .select_related("created_by")
        .first()
    )
    if api_key is None or not hmac.compare_digest(api_key.key_hash, _key_hash(key)):
        return None
    if not api_key.created_by.is_active or not api_key.created_by.is_tenant_admin:
        return None  # keys are a tenant admin's: a deactivated or demoted creator ends them
    now = timezone.now()
    if api_key.last_used_at is None or (now - api_key.last_used_at).total_seconds() > 60:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
    return api_key
