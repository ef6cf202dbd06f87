"""Shared fixtures: two tenants with a fixed cast, created once per test run.

Schemas are expensive (about a second each with migrations), so ``alpha`` and ``beta`` are
provisioned once, committed, and every test runs in a transaction that is rolled back. Tests
that need committed data (a real Celery worker, concurrent connections) use ``committed_db``
and clean up after themselves; Django's TransactionTestCase flush is never used, because it
would truncate the public schema's tenant table.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone, translation
from django_tenants.utils import schema_context, tenant_context

from leadcrm.accounts.middleware import SESSION_TENANT_KEY
from leadcrm.accounts.models import Team, User
from leadcrm.accounts.roles import Role
from leadcrm.accounts.services import team_create, user_create
from leadcrm.tenancy.models import Tenant
from leadcrm.tenancy.services import public_tenant_ensure, tenant_provision

PROJECT_DIR = Path(__file__).resolve().parent.parent
PASSWORD = "Correct-Horse-42"


@dataclass(frozen=True)
class CastSpec:
    """Who exists in every test tenant (emails are per tenant, so they differ)."""

    slug: str
    name: str

    def email(self, who: str) -> str:
        return f"{who}@{self.slug}.example.com"


TENANT_SPECS = [CastSpec("alpha", "Alpha Industrial Co."), CastSpec("beta", "Beta Trading Ltd.")]


def _provision_with_cast(spec: CastSpec) -> None:
    tenant = tenant_provision(
        subdomain=spec.slug,
        name=spec.name,
        admin_email=spec.email("admin"),
        admin_password=PASSWORD,
        admin_full_name=f"{spec.name} Admin",
    )
    with tenant_context(tenant):
        manager = user_create(
            email=spec.email("manager"),
            full_name=f"Morgan Manager {spec.slug}",
            roles=[Role.MANAGER],
            password=PASSWORD,
        )
        team = team_create(name=f"{spec.slug.title()} Sales", manager=manager)
        user_create(
            email=spec.email("pooladmin"),
            full_name=f"Pat Pooladmin {spec.slug}",
            roles=[Role.POOL_ADMIN],
            password=PASSWORD,
            team=team,
        )
        for who, name in (("rep1", "Riley Rep"), ("rep2", "Robin Rep")):
            user_create(
                email=spec.email(who),
                full_name=f"{name} {spec.slug}",
                roles=[Role.SALES_REP],
                password=PASSWORD,
                team=team,
            )


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """After pytest-django created and migrated the test database, add the two tenants."""
    with django_db_blocker.unblock():
        public_tenant_ensure()
        for spec in TENANT_SPECS:
            if not Tenant.objects.filter(slug=spec.slug).exists():
                _provision_with_cast(spec)
        connection.set_schema_to_public()


@dataclass
class Cast:
    tenant: Tenant
    admin: User
    manager: User
    pool_admin: User
    rep: User
    teammate: User
    team: Team

    @property
    def host(self) -> str:
        return f"{self.tenant.slug}.{settings.LEADCRM_BASE_DOMAIN}"


def _load_cast(slug: str) -> Cast:
    connection.set_schema_to_public()
    tenant = Tenant.objects.get(slug=slug)
    spec = next(s for s in TENANT_SPECS if s.slug == slug)
    with tenant_context(tenant):
        users = {u.email: u for u in User.objects.all()}
        return Cast(
            tenant=tenant,
            admin=users[spec.email("admin")],
            manager=users[spec.email("manager")],
            pool_admin=users[spec.email("pooladmin")],
            rep=users[spec.email("rep1")],
            teammate=users[spec.email("rep2")],
            team=Team.objects.get(name=f"{slug.title()} Sales"),
        )


@pytest.fixture
def cast_a(db) -> Cast:
    return _load_cast("alpha")


@pytest.fixture
def cast_b(db) -> Cast:
    return _load_cast("beta")


@pytest.fixture
def in_tenant_a(cast_a):
    """Run the test body inside tenant alpha's schema."""
    with tenant_context(cast_a.tenant):
        yield cast_a


@pytest.fixture(autouse=True)
def _fresh_tenant_storage():
    """django-tenants' TenantFileSystemStorage caches MEDIA_ROOT on first use and never
    forgets it (its setting_changed handler ignores MEDIA_ROOT): after a test that overrode
    MEDIA_ROOT (tests/leads/test_recordings.py), later tests would write their files there
    while the Celery worker reads the real MEDIA_ROOT. Every test starts and ends fresh."""
    from django.core.files.storage import storages

    storages["default"].__dict__.pop("relative_media_root", None)
    yield
    storages["default"].__dict__.pop("relative_media_root", None)


@pytest.fixture(autouse=True)
def _back_to_public():
    """Whatever a test did to the connection's schema or the active language, the next one
    starts in public and in English."""
    yield
    connection.set_schema_to_public()
    translation.activate(settings.LANGUAGE_CODE)


def tenant_client(cast: Cast, user: User | None = None) -> Client:
    """A test client on ``cast``'s host, signed in as ``user`` if given."""
    client = Client(HTTP_HOST=cast.host)
    if user is not None:
        with tenant_context(cast.tenant):
            client.force_login(user)
            session = client.session
            session[SESSION_TENANT_KEY] = cast.tenant.schema_name
            session.save()
    return client


@pytest.fixture
def committed_db(django_db_setup, django_db_blocker):
    """Database access outside the test transaction: what a test writes is really committed,
    so other connections (threads, the Celery worker) see it. The test cleans up after itself.

    pytest-django creates the test database only when some collected test asks for ``db``; a
    run of committed_db tests alone would otherwise write into the configured (real) database,
    so it refuses instead."""
    with django_db_blocker.unblock():
        if not connection.settings_dict["NAME"].startswith("test_"):
            pytest.fail(
                "committed_db would run on the real database "
                f"{connection.settings_dict['NAME']!r}: no collected test asked for the test "
                "database; run it with a test that uses `db` (e.g. add tests/test_celery_tenancy.py)"
            )
        started = timezone.now()
        yield
        _notifications_left_remove(since=started)
        connection.set_schema_to_public()


def _notifications_left_remove(*, since) -> None:
    """Notifications a committed test caused (a worker routing a lead sends "New lead for
    you") outlive the test's own clean-up and would show in the next test's inbox."""
    from leadcrm.notifications.models import Notification

    for spec in TENANT_SPECS:
        tenant = Tenant.objects.filter(slug=spec.slug).first()
        if tenant is not None:
            with tenant_context(tenant):
                Notification.objects.filter(created_at__gte=since).delete()


def _test_database_url() -> str:
    db = settings.DATABASES["default"]
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{host}:{port}/{db['NAME']}"


@pytest.fixture(scope="session")
def celery_worker(django_db_setup):
    """A real Celery worker process, on the test database and the test Redis database."""
    from leadcrm.celery import app

    app.control.purge()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "leadcrm.settings.test",
        "DATABASE_URL": _test_database_url(),
    }
    queues = ",".join(settings.CELERY_TASK_QUEUES_NAMES)
    worker_name = f"pytest-{settings.TEST_RUN_ID}@{socket.gethostname()}"
    log_path = PROJECT_DIR / ".data" / "test-worker.log"
    log_path.parent.mkdir(exist_ok=True)
    log = log_path.open("w")
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "leadcrm",
            "worker",
            "-Q",
            queues,
            "--pool",
            "threads",
            "--concurrency",
            "4",
            "--loglevel",
            "INFO",
            "--hostname",
            worker_name,
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=PROJECT_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise RuntimeError(f"Celery worker exited:\n{log_path.read_text()[-4000:]}")
        if app.control.ping(destination=[worker_name], timeout=0.5):
            break
    else:
        worker.kill()
        raise RuntimeError("Celery worker did not answer within 60 s")
    yield worker
    os.killpg(worker.pid, signal.SIGTERM)
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
    log.close()


__all__ = ["PASSWORD", "Cast", "schema_context", "tenant_client"]
