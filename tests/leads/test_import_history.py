"""Importing another CRM's history: converted, lost and invalid leads land with their status,
dates and loss reasons, are never routed, pooled or converted, and bad statuses or dates are
reported per row; and custom fields made from the columns left unmapped."""

from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from conversion.models import Contact, Customer, Opportunity
from leads.errors import LeadError
from leads.importing.fields import column_key, column_type_infer
from leads.importing.mapping import mapping_suggest
from leads.importing.services import import_job_create, import_job_start, import_run
from leads.models import CustomFieldDefinition, ImportIssue, Lead, LeadStageChange, LossReason
from leads.services.custom_fields import custom_field_create
from tests.conftest import tenant_client

HISTORY = (
    b"Name,Company,Status,Loss reason,Closed date,Created\n"
    b"Wang Won,Acme,Won,,2024-03-15,2024-01-10\n"  # row 2
    b"Li Lost,Beta,Lost,Went with a local vendor,2024-05-02,\n"  # row 3: a new loss reason
    b"Zhao Lost,Gamma,lost / unqualified,price too high,2023-11-30,2023-10-01\n"  # row 4
    b"Qian Invalid,,Invalid,,2024-02-01,\n"  # row 5
    b"Sun Open,Delta,Following up,,,\n"  # row 6: open: a new lead as today
    b"Zhou Unknown,,Maybe later,,,\n"  # row 7: unknown status
    b"Wu Future,,Won,,2999-01-01,\n"  # row 8: closed in the future
    b"Zheng Plain,,,,,2024-06-01\n"  # row 9: no status: a new lead, created then
    b"Feng Backwards,,Lost,,2024-01-01,2024-02-01\n"  # row 10: created after it closed
)


def _run(job, **given):
    options = {"on_duplicate": "skip", "owner": None, "source_detail": "", "run_rules": True}
    options |= given
    return import_run(import_job_start(job=job, actor=job.created_by, mapping=job.mapping,
                                       **options).pk)  # fmt: skip


@pytest.fixture
def routed(monkeypatch):
    """The routing hook, recording the ids it is given (in place of pools' routing task)."""
    seen: list[int] = []
    monkeypatch.setattr("leads.hooks._after_create_bulk", [(seen.extend, True)])
    return seen


def test_history_columns_are_suggested_in_english_and_chinese():
    assert mapping_suggest(["姓名", "线索状态", "输单原因", "成交日期", "创建时间"]) == {
        0: "name", 1: "status", 2: "loss_reason", 3: "closed_at", 4: "created_at"
    }  # fmt: skip
    # Suggested on a whole header only: "Created by" is not a date, "Status note" no status.
    assert mapping_suggest(["Name", "Created by", "Status note"]) == {0: "name", 2: "notes"}


def test_closed_rows_land_as_history_and_are_never_routed_nor_converted(
    in_tenant_a, routed, django_capture_on_commit_callbacks
):
    cast = in_tenant_a
    job = import_job_create(actor=cast.admin, filename="old-crm.csv", data=HISTORY)
    assert {job.mapping[c] for c in ("2", "3", "4", "5")} == {
        "status", "loss_reason", "closed_at", "created_at"
    }  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        job = _run(job)
    assert (job.status, job.created, job.closed, job.errors) == ("done", 6, 4, 3)
    assert job.loss_reasons_added == 1

    won = Lead.objects.get(name="Wang Won")
    assert won.status == "converted"
    assert won.converted_at.date() == won.status_changed_at.date() == date(2024, 3, 15)
    assert won.created_at.date() == date(2024, 1, 10)
    assert won.owner is None
    assert won.loss_reason is None
    # The funnel was completed when it closed, as a conversion records it.
    last = LeadStageChange.objects.filter(lead=won).order_by("changed_at").last()
    assert (last.to_stage, last.changed_at.date()) == (won.stage, date(2024, 3, 15))

    li = Lead.objects.get(name="Li Lost")
    assert (li.status, li.loss_reason.name, li.loss_reason.is_active) == (
        "lost", "Went with a local vendor", True
    )  # fmt: skip
    assert li.created_at.date() == date(2024, 5, 2)  # no created date: the closed one
    zhao = Lead.objects.get(name="Zhao Lost")
    assert zhao.loss_reason == LossReason.objects.get(name="Price too high")  # case-insensitive
    assert zhao.created_at.date() == date(2023, 10, 1)
    assert Lead.objects.get(name="Qian Invalid").status == "invalid"

    # Open rows behave as before; the created date is kept for them too.
    assert Lead.objects.get(name="Sun Open").status == "unassigned"
    assert Lead.objects.get(name="Zheng Plain").created_at.date() == date(2024, 6, 1)

    closed_ids = set(
        Lead.objects.filter(import_job=job, status__in=["converted", "lost", "invalid"])
        .values_list("pk", flat=True)
    )  # fmt: skip
    assert len(closed_ids) == 4
    assert set(routed) == set(
        Lead.objects.filter(name__in=["Sun Open", "Zheng Plain"]).values_list("pk", flat=True)
    )
    assert (Customer.objects.count(), Contact.objects.count(), Opportunity.objects.count()) == (
        0, 0, 0
    )  # fmt: skip

    reasons = {i.row_number: (i.column, i.reason) for i in ImportIssue.objects.filter(job=job)}
    assert set(reasons) == {7, 8, 10}
    assert reasons[7][0] == "Status"
    assert reasons[7][1].startswith("unknown status")
    assert reasons[8] == ("Closed date", "the date is in the future")
    assert reasons[10] == ("Created", "the created date is after the closed date")

    status = tenant_client(cast, cast.admin).get(
        reverse("leads-import-status", kwargs={"uuid": job.uuid})
    )
    assert "4 leads imported as closed history" in status.content.decode()
    assert "1 loss reason added to the list." in status.content.decode()

    # The history says it was imported with that status, in the reader's language.
    record = won.history.first()
    assert (record.history_type, record.status) == ("+", "converted")
    assert record.history_change_reason == "imported: old-crm.csv"
    page = tenant_client(cast, cast.admin).get(
        reverse("leads-detail", kwargs={"uuid": won.uuid}) + "?tab=history"
    )
    assert "Imported as Converted" in page.content.decode()


def test_closed_rows_take_no_owner_nor_pool_chosen_for_the_import(
    in_tenant_a, django_capture_on_commit_callbacks
):
    from leadcrm.notifications.models import Notification
    from pools.models import Pool, PoolEntry

    cast = in_tenant_a
    data = b"Name,Status\nOpen Owned,\nClosed Unowned,won\n"
    job = import_job_create(actor=cast.admin, filename="owned.csv", data=data)
    with django_capture_on_commit_callbacks(execute=True):
        _run(job, owner=cast.rep, run_rules=False)
    assert Lead.objects.get(name="Open Owned").owner == cast.rep
    # The owner hears of the one lead they got, not of the closed one.
    notice = Notification.objects.get(recipient=cast.rep)
    assert notice.title == "New lead for you: Open Owned"
    closed = Lead.objects.get(name="Closed Unowned")
    assert (closed.owner, closed.status, closed.assigned_at) == (None, "converted", None)
    assert closed.status_changed_at.date() == timezone.localdate()  # no closed date: now

    pool = Pool.objects.create(name="History pool")
    pool.admins.add(cast.admin)
    data = b"Name,Status\nPooled Open,\nNot Pooled,invalid\n"
    job = import_job_create(actor=cast.admin, filename="pooled.csv", data=data)
    _run(job, destination=f"pool:{pool.uuid}")
    assert set(PoolEntry.objects.values_list("lead__name", flat=True)) == {"Pooled Open"}


def test_chinese_status_values_and_headers(in_tenant_a):
    cast = in_tenant_a
    data = (
        "姓名,线索状态,丢失原因,关闭日期\n"
        "张成交,成交,,2025年3月1日\n"
        "李转化,已转化,,2025-03-02\n"
        "王丢单,丢单,价格太高,2025/03/03\n"
        "赵输单,输单,价格太高,2025-03-04\n"
        "钱无效,无效,,2025-03-05\n"
        "孙跟进,跟进中,,\n"
        "周确认,已确认,,\n"
        "吴流失,已流失 / 不合格,,2025-03-06\n"
    ).encode()
    job = _run(import_job_create(actor=cast.admin, filename="旧系统.csv", data=data))
    assert (job.created, job.closed, job.errors, job.loss_reasons_added) == (8, 6, 0, 1)
    statuses = dict(Lead.objects.filter(import_job=job).values_list("name", "status"))
    assert statuses == {
        "张成交": "converted", "李转化": "converted", "王丢单": "lost", "赵输单": "lost",
        "钱无效": "invalid", "孙跟进": "unassigned", "周确认": "unassigned", "吴流失": "lost",
    }  # fmt: skip
    reason = LossReason.objects.get(name="价格太高")
    assert set(Lead.objects.filter(loss_reason=reason).values_list("name", flat=True)) == {
        "王丢单",
        "赵输单",
    }  # fmt: skip  (created once, found again for the next row)


def test_a_loss_reason_or_closed_date_needs_the_status_column(in_tenant_a):
    cast = in_tenant_a
    data = b"Name,Closed date\nA,2024-01-01\n"
    job = import_job_create(actor=cast.admin, filename="x.csv", data=data)
    with pytest.raises(LeadError, match="status"):
        import_job_start(job=job, actor=cast.admin, mapping={"0": "name", "1": "closed_at"},
                         on_duplicate="skip", owner=None, source_detail="",
                         run_rules=False)  # fmt: skip


FIELDS = (
    "Name,Budget,Signed on,Tier,Remarks,Zip,Paid,Empty\n"
    'A One,"12,000",2024-01-05,Gold,likes golf,020100,yes,\n'
    "B Two,3.5,2024/02/06,Silver,called twice,030200,no,\n"
    "C Three,8万,2024年3月7日,Gold,met at expo,100100,是,\n"
    "D Four,,2024-04-08,Silver,,200200,否,\n"
).encode()


def test_column_types_are_read_from_the_values():
    assert column_type_infer(["1", "2.5", "3,000", "4万"]) == ("number", [])
    assert column_type_infer(["020100", "100100"]) == ("text", [])  # zeros that matter
    assert column_type_infer(["2024-01-05", "2024/02/06", "2024年3月7日"]) == ("date", [])
    assert column_type_infer(["Gold", "Silver", "Gold", "Silver"]) == (
        "choice", ["Gold", "Silver"]
    )  # fmt: skip
    assert column_type_infer(["likes golf", "called twice", "met at expo"]) == ("text", [])
    assert column_type_infer(["Yes", "no", "是", "否"]) == ("boolean", [])
    assert column_key("Signed on") == "signed_on"
    assert column_key("预算 (万元)") == "yu_suan_wan_yuan"
    assert column_key("2025 target") == "f_2025_target"
    assert column_key("???") == ""


def test_create_fields_command_infers_types_and_the_values_land(in_tenant_a, tmp_path):
    import json
    from io import StringIO

    cast = in_tenant_a
    custom_field_create(actor=cast.admin, key="level", label="Tier", field_type="choice",
                        choices=["Gold", "Silver", "Bronze"])  # fmt: skip
    source = tmp_path / "extra.csv"
    source.write_bytes(FIELDS)
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"Name": "name"}))  # every other column left unmapped
    out = StringIO()
    call_command("import_leads", cast.tenant.slug, str(source), "--mapping", str(mapping),
                 "--create-fields", "--no-rules", stdout=out)  # fmt: skip
    assert "4 rows, 4 created" in out.getvalue()
    assert "unmapped columns: budget, level, paid, remarks, signed_on, zip" in out.getvalue()
    fields = {
        d.key: (d.label, d.field_type, d.choices)
        for d in CustomFieldDefinition.objects.filter(record="lead")
    }
    assert fields == {
        "level": ("Tier", "choice", ["Gold", "Silver", "Bronze"]),  # named: used, not made again
        "budget": ("Budget", "number", []),
        "signed_on": ("Signed on", "date", []),
        "remarks": ("Remarks", "text", []),
        "zip": ("Zip", "text", []),
        "paid": ("Paid", "boolean", []),
    }  # the empty column makes no field
    a, c = Lead.objects.get(name="A One"), Lead.objects.get(name="C Three")
    assert a.custom_data == {"budget": 12000, "signed_on": "2024-01-05", "level": "Gold",
                             "remarks": "likes golf", "zip": "020100", "paid": True}  # fmt: skip
    assert c.custom_data["budget"] == 80000
    assert c.custom_data["signed_on"] == "2024-03-07"
    assert Lead.objects.get(name="D Four").custom_data["paid"] is False


def test_a_header_that_makes_no_key_refuses_the_start_and_creates_nothing(in_tenant_a):
    cast = in_tenant_a
    data = b"Name,Tier,???\nA,Gold,x\nB,Gold,y\n"
    job = import_job_create(actor=cast.admin, filename="k.csv", data=data)
    with pytest.raises(LeadError, match="“\\?\\?\\?”"):
        import_job_start(job=job, actor=cast.admin, mapping={"0": "name"}, on_duplicate="skip",
                         owner=None, source_detail="", run_rules=False,
                         create_fields=True)  # fmt: skip
    assert not CustomFieldDefinition.objects.exists()  # "Tier" was not kept either
    job.refresh_from_db()
    assert job.status == "uploaded"
    # Only tenant admins define fields.
    with pytest.raises(LeadError, match="tenant admins"):
        import_job_start(job=job, actor=cast.manager, mapping={"0": "name", "2": "notes"},
                         on_duplicate="skip", owner=None, source_detail="", run_rules=False,
                         create_fields=True)  # fmt: skip


def test_create_fields_checkbox_on_the_mapping_page(in_tenant_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    cast = in_tenant_a
    client = tenant_client(cast, cast.admin)
    response = client.post(reverse("leads-import"), {"file": SimpleUploadedFile("p.csv", FIELDS)})
    map_url = response["Location"]
    assert "Create custom fields for unmapped columns" in client.get(map_url).content.decode()
    started = client.post(map_url, {"col_0": "name", "on_duplicate": "skip", "send_to": "none",
                                    "create_fields": "on"})  # fmt: skip
    assert started.status_code == 302
    job = import_run(_job_id(map_url))  # what the worker does (test_import.py runs it there)
    assert (job.status, job.created) == ("done", 4)
    assert CustomFieldDefinition.objects.get(key="tier").choices == ["Gold", "Silver"]
    assert Lead.objects.get(name="B Two").custom_data["budget"] == 3.5
    # Not offered to a manager, who may import but not define fields.
    manager = tenant_client(cast, cast.manager)
    other = import_job_create(actor=cast.manager, filename="m.csv", data=FIELDS)
    page = manager.get(reverse("leads-import-map", kwargs={"uuid": other.uuid})).content.decode()
    assert "Create custom fields for unmapped columns" not in page
    # A rep may not import at all.
    assert tenant_client(cast, cast.rep).post(map_url, {"create_fields": "on"}).status_code == 403


def _job_id(map_url: str) -> int:
    from leads.models import ImportJob

    return ImportJob.objects.get(uuid=map_url.rstrip("/").split("/")[-2]).pk
