import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_exists, tenant_context

from leadcrm.accounts.models import User
from leadcrm.accounts.roles import Role
from leadcrm.tenancy import services
from leadcrm.tenancy.errors import ProvisioningError
from leadcrm.tenancy.models import Domain, Tenant
from leadcrm.tenancy.validators import schema_name_for
from tests.conftest import PASSWORD


def _provision(subdomain="gamma", **overrides):
    data = {
        "subdomain": subdomain,
        "name": "Gamma Robotics",
        "admin_email": "Owner@Gamma.example.com",
        "admin_password": PASSWORD,
        "admin_full_name": "Gao Owner",
    }
    data.update(overrides)
    return services.tenant_provision(**data)


def test_provisioning_creates_schema_domain_and_admin(db):
    tenant = _provision()
    assert schema_exists("gamma")
    assert Domain.objects.get(tenant=tenant).domain == "gamma.localhost"
    with tenant_context(tenant):
        admin = User.objects.get()
        assert admin.email == "owner@gamma.example.com"
        assert admin.check_password(PASSWORD)
        assert Role.TENANT_ADMIN in admin.roles
        assert admin.history.count() == 1  # roles are audited from the start


@pytest.mark.parametrize(
    ("subdomain", "message"),
    [
        ("", "Choose a subdomain"),
        ("Bad Name!", "Use lower-case letters"),
        ("1acme", "Use lower-case letters"),
        ("acme--x", "Use lower-case letters"),
        ("public", "reserved"),
        ("www", "reserved"),
        ("pg-catalog", "reserved"),
        ("a", "2 to 40"),
        ("x" * 41, "2 to 40"),
        ("acme; drop schema public", "Use lower-case letters"),
    ],
)
def test_bad_subdomain_is_refused_with_a_clear_message(db, subdomain, message):
    with pytest.raises(ProvisioningError) as error:
        _provision(subdomain)
    assert message in error.value.message
    assert error.value.field == "subdomain"
    assert not Tenant.objects.filter(name="Gamma Robotics").exists()


def test_schema_name_is_derived_from_the_subdomain():
    assert schema_name_for("acme-asia") == "acme_asia"
    with pytest.raises(ProvisioningError):
        schema_name_for("pg-x")


def test_taken_subdomain_is_refused(cast_a):
    with pytest.raises(ProvisioningError, match="already taken"):
        _provision("alpha")


def test_subdomain_whose_schema_exists_without_tenant_is_refused(db):
    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA orphan")
    with pytest.raises(ProvisioningError, match="already taken"):
        _provision("orphan")


def test_weak_password_refused_before_any_schema_is_made(db):
    with pytest.raises(ProvisioningError) as error:
        _provision(admin_password="12345678")
    assert error.value.field == "admin_password"
    assert not schema_exists("gamma")


def test_failure_after_schema_creation_leaves_nothing_behind(committed_db, monkeypatch):
    """Committed mode: the service's own transaction is the only one, as in production."""

    def explode(**kwargs):
        raise RuntimeError("disk full while creating the admin")

    monkeypatch.setattr(services, "user_create", explode)
    with pytest.raises(RuntimeError):
        _provision("delta")
    assert not schema_exists("delta")
    assert not Tenant.objects.filter(slug="delta").exists()
    assert not Domain.objects.filter(domain="delta.localhost").exists()
    assert connection.schema_name == "public"


def test_provision_tenant_command_uses_the_same_service(db):
    from django.core.management import CommandError, call_command

    call_command(
        "provision_tenant",
        "epsilon",
        name="Epsilon",
        admin_email="boss@epsilon.example.com",
        admin_password=PASSWORD,
    )
    assert Tenant.objects.filter(slug="epsilon").exists()
    with pytest.raises(CommandError, match="already taken"):
        call_command(
            "provision_tenant",
            "epsilon",
            name="Epsilon again",
            admin_email="boss@epsilon.example.com",
            admin_password=PASSWORD,
        )


class TestSignupPage:
    def test_signup_lands_the_admin_signed_in_on_the_new_tenant(self, db):
        response = Client(HTTP_HOST="localhost:8000").post(
            "/signup/",
            {
                "name": "Zeta Foods",
                "subdomain": "zeta",
                "admin_full_name": "Zhang Wei",
                "admin_email": "zhang@zeta.example.com",
                "admin_password": PASSWORD,
                "default_language": "zh-hans",
            },
        )
        assert response.status_code == 302
        with tenant_context(Tenant.objects.get(slug="zeta")):
            from leads.models import Stage

            assert User.objects.get().language == "zh-hans"
            assert Stage.objects.order_by("position").first().name == "待联系"
        assert response.url.startswith("http://zeta.localhost:8000/accounts/welcome/")
        tenant_client = Client(HTTP_HOST="zeta.localhost:8000")
        landed = tenant_client.get(response.url.split("8000", 1)[1], follow=True)
        html = landed.content.decode()
        assert "Zeta Foods" in html
        assert "Zhang Wei" in html
        assert landed.wsgi_request.user.email == "zhang@zeta.example.com"

    def test_handoff_link_works_once(self, db):
        response = Client(HTTP_HOST="localhost").post(
            "/signup/",
            {
                "name": "Eta",
                "subdomain": "eta",
                "admin_full_name": "Eta Admin",
                "admin_email": "admin@eta.example.com",
                "admin_password": PASSWORD,
            },
        )
        path = response.url.split("localhost", 1)[1]
        Client(HTTP_HOST="eta.localhost").get(path)
        replay = Client(HTTP_HOST="eta.localhost").get(path, follow=True)
        assert not replay.wsgi_request.user.is_authenticated
        assert "already been used" in replay.content.decode()

    def test_signup_with_taken_subdomain_shows_the_error_and_keeps_the_input(self, cast_a):
        response = Client(HTTP_HOST="localhost").post(
            "/signup/",
            {
                "name": "Another Alpha",
                "subdomain": "alpha",
                "admin_full_name": "X",
                "admin_email": "x@example.com",
                "admin_password": PASSWORD,
            },
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert "already taken" in html
        assert "Another Alpha" in html

    def test_password_problems_show_with_the_other_fields_problems(self, db):
        response = Client(HTTP_HOST="localhost").post(
            "/signup/",
            {
                "name": "Theta",
                "subdomain": "Not A Subdomain!",
                "admin_full_name": "Theta Admin",
                "admin_email": "not-an-email",
                "admin_password": "12345678",
            },
        )
        form = response.context["form"]
        assert "admin_email" in form.errors
        assert "admin_password" in form.errors
        assert "too common" in " ".join(form.errors["admin_password"])
        assert not Tenant.objects.filter(slug__in=["theta", "not-a-subdomain"]).exists()

    def test_live_subdomain_check(self, cast_a):
        client = Client(HTTP_HOST="localhost")
        assert "already taken" in client.get("/signup/check/?subdomain=alpha").content.decode()
        assert "is available" in client.get("/signup/check/?subdomain=newco").content.decode()
        assert "reserved" in client.get("/signup/check/?subdomain=admin").content.decode()


def test_a_tenant_that_signs_up_in_chinese_starts_with_chinese_lists(db):
    from leads.models import DuplicateRule, LossReason, SourceChannel, Stage
    from pools.models import Pool

    tenant = _provision(subdomain="zhong", default_language="zh-hans")
    with tenant_context(tenant):
        assert list(Stage.objects.order_by("position").values_list("name", flat=True))[:3] == [
            "待联系", "初次接触", "需求确认"
        ]  # fmt: skip
        assert SourceChannel.objects.get(code="trade_show").name == "展会"
        assert SourceChannel.objects.get(code="api").name == "API"
        assert LossReason.objects.filter(name="没有预算").exists()
        assert DuplicateRule.objects.filter(name="邮箱相同").exists()
        fallback = Pool.objects.get(is_fallback=True)
        assert fallback.name == "公共线索池"
        assert fallback.description == "未被任何分配规则分走的线索会进入这里。"
        from conversion.models import OpportunityStage
        from scoring.models import Dimension, ScoringRule

        assert OpportunityStage.objects.order_by("position").first().name == "需求发现"
        assert set(Dimension.objects.values_list("name", flat=True)) == {
            "人员属性",
            "行为",
            "企业属性",
        }
        assert ScoringRule.objects.filter(name="电话已接通").exists()
        assert not ScoringRule.objects.filter(name="Connected call").exists()
    english = _provision(subdomain="west", admin_email="o@west.example.com")
    with tenant_context(english):
        assert Stage.objects.order_by("position").first().name == "To contact"
        assert Pool.objects.get(is_fallback=True).name == "General pool"


def _signup_data(i: int) -> dict:
    return {
        "name": f"Spam {i}",
        "subdomain": f"spam{i}",
        "admin_full_name": "Spam Bot",
        "admin_email": f"bot{i}@spam.example.com",
        "admin_password": PASSWORD,
    }


def test_one_address_creates_at_most_three_workspaces_an_hour(db, monkeypatch):
    from leadcrm.tenancy import services as tenancy_services

    made = []
    monkeypatch.setattr(
        "leadcrm.tenancy.views.tenant_provision",
        lambda **fields: made.append(fields["subdomain"]) or Tenant(slug=fields["subdomain"]),
    )
    monkeypatch.setattr("leadcrm.tenancy.views._handoff_url", lambda *args: "/done/")
    client = Client(HTTP_HOST="localhost", REMOTE_ADDR="127.0.0.1")
    answers = [client.post("/signup/", _signup_data(i)).status_code for i in range(4)]
    assert answers == [302, 302, 302, 429]
    assert made == ["spam0", "spam1", "spam2"]
    assert tenancy_services.signup_allowed(address="192.0.2.9")  # another address is free


def test_the_honeypot_refuses_a_bot_and_provisions_nothing(db):
    response = Client(HTTP_HOST="localhost").post(
        "/signup/", {**_signup_data(9), "website": "http://spam.example"}
    )
    assert response.status_code == 200
    assert "website" in response.context["form"].errors
    assert not Tenant.objects.filter(slug="spam9").exists()
