"""Placeholder numbers and addresses are no value for duplicate detection, and a number the
country's plan does not know still matches itself typed again (issue 15: "138-0000-0000" made
different people "duplicates of row 17"; the exact stored phone gave no warning)."""

import pytest

from leads.dedup.matching import duplicates_find
from leads.identity.keys import phone_storage_key
from leads.identity.normalize import digits_placeholder, email_key
from leads.importing.services import import_job_create
from leads.models import Lead
from leads.services import lead as lead_services
from tests.leads.test_import import _run


@pytest.mark.parametrize(
    "number", ["138-0000-0000", "000-000-0000", "12345678", "9876543", "1212 1212", "8888888"]
)
def test_placeholder_numbers_have_no_key(number):
    assert phone_storage_key(number, "CN") == ""


@pytest.mark.parametrize(
    ("number", "key"),
    [
        ("139 8888 8888", "+8613988888888"),  # a lucky number is a real one
        ("021-6888-8888 转 12", "+862168888888;12"),
        ("5551 2837 4419 62", "#55512837441962"),  # not in the plan: its digits
        ("5551-2837-4419-62", "#55512837441962"),
    ],
)
def test_real_numbers_keep_their_key(number, key):
    assert phone_storage_key(number, "CN") == key
    assert not digits_placeholder("13912345678")


@pytest.mark.parametrize("address", ["test@localhost", "a@a.com", "none@none", "noemail@acme.cn",
                                     "NULL@company.com", "无@qq.com"])  # fmt: skip
def test_placeholder_addresses_have_no_key(address):
    assert email_key(address) == ""


def test_real_addresses_keep_their_key():
    assert email_key(" Zhang.Wei@Acme.CN ") == "zhang.wei@acme.cn"
    assert email_key("ab@c.com") == "ab@c.com"


def test_the_live_check_ignores_placeholders_and_matches_unknown_numbers(in_tenant_a):
    cast = in_tenant_a
    lead_services.lead_create(actor=cast.admin, name="Wang Fang", mobile="138-0000-0000",
                              email="noemail@acme.cn")  # fmt: skip
    assert duplicates_find({"name": "Li Qiang", "mobile": "13800000000"}) == []
    assert duplicates_find({"name": "Li Qiang", "email": "noemail@acme.cn"}) == []
    # A mobile the plan does not know, typed again with other separators: the same person.
    stored = lead_services.lead_create(actor=cast.admin, name="Ann Lee", mobile="5551 2837 4419 62")
    found = duplicates_find({"name": "Ann Lee", "mobile": "5551-2837-4419-62"})
    assert [m.lead.pk for m in found] == [stored.pk]


def test_an_import_never_makes_placeholder_rows_duplicates_of_each_other(in_tenant_a):
    cast = in_tenant_a
    data = "姓名,手机\n张伟,138-0000-0000\n李娜,138-0000-0000\n王芳,00000000000\n".encode()
    job = _run(import_job_create(actor=cast.admin, filename="list.csv", data=data))
    assert (job.created, job.duplicates) == (3, 0)
    assert set(Lead.objects.values_list("mobile_key", flat=True)) == {""}


def test_a_phone_without_digits_is_refused_in_words(in_tenant_a):
    from leads.errors import LeadError
    from tests.conftest import tenant_client

    cast = in_tenant_a
    with pytest.raises(LeadError, match="at least 5 digits") as refused:
        lead_services.lead_create(actor=cast.admin, name="Zhao Lei", phone="abc-not-a-phone")
    assert refused.value.field == "phone"
    page = tenant_client(cast, cast.admin).post(
        "/leads/new/", {"name": "Zhao Lei", "mobile": "n/a", "priority": "normal"}
    )
    assert page.status_code == 200
    assert "Enter a phone number with at least 5 digits." in page.content.decode()
    assert not Lead.objects.filter(name="Zhao Lei").exists()
    lead = lead_services.lead_create(actor=cast.admin, name="Zhao Lei", mobile="+86 139 1234 5678")
    assert lead.mobile_key == "+8613912345678"
