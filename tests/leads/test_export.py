"""Exports of the list: what the list shows that person, in CSV and xlsx, safe to open."""

import csv
import io
import time
from datetime import datetime

import openpyxl
import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from django_tenants.utils import tenant_context

from leadcrm.jobs.models import Job
from leads import exports
from leads.exports import export_cell_escape
from leads.models import CustomFieldDefinition, Lead
from leads.services import lead as lead_services
from tests.conftest import _load_cast, tenant_client

FORMULA = '=HYPERLINK("http://evil.example","Click")'


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("=1+1", "'=1+1"),
        ("+86 138 0000 0000", "'+86 138 0000 0000"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("\0=1", "'\0=1"),
        ("a=1", "a=1"),
        ("张伟", "张伟"),
        ("", ""),
        (42, 42),
        (None, None),
    ],
)
def test_cells_that_would_run_as_formulas_get_a_leading_quote(raw, escaped):
    assert export_cell_escape(raw) == escaped


@pytest.fixture
def export_world(in_tenant_a):
    cast = in_tenant_a
    CustomFieldDefinition.objects.create(key="budget", label="预算", field_type="number")
    CustomFieldDefinition.objects.create(key="wechat", label="微信号", field_type="text")
    chinese = lead_services.lead_create(
        actor=cast.rep,
        owner=cast.rep,
        name="张伟",
        company="深圳创新有限公司",
        tags=["展会", "vip"],
        custom_data={"budget": 50000, "wechat": "zw-2026"},
    )
    lead_services.lead_create(actor=cast.rep, owner=cast.rep, name=FORMULA, company="-1+2")
    lead_services.lead_create(actor=cast.teammate, owner=cast.teammate, name="Teammate Lead")
    Lead.objects.filter(pk=chinese.pk).update(
        score=88, next_follow_up_at=timezone.now() + timezone.timedelta(days=1)
    )
    return cast


def _csv_rows(response):
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def test_csv_export_holds_only_the_reps_leads_with_chinese_and_escaped_formulas(export_world):
    cast = export_world
    response = tenant_client(cast, cast.rep).get("/leads/export/?scene=all&format=csv")
    rows = _csv_rows(response)
    assert sorted(row["Name"] for row in rows) == sorted(["张伟", "'" + FORMULA])
    chinese = next(row for row in rows if row["Name"] == "张伟")
    assert chinese["Company"] == "深圳创新有限公司"
    assert chinese["Tags"] == "vip, 展会"
    assert chinese["预算"] == "50000"  # a defined custom field, under its label
    assert chinese["微信号"] == "zw-2026"
    assert chinese["Owner"] == cast.rep.full_name
    assert chinese["Status"] == "Pending"
    assert chinese["Stage"]
    assert chinese["Score"] == "88"
    assert chinese["Next follow-up due"]
    other = next(row for row in rows if row["Name"] != "张伟")
    assert other["Company"] == "'-1+2"
    assert other["预算"] == ""


def test_export_follows_the_lists_filters(export_world):
    cast = export_world
    client = tenant_client(cast, cast.manager)
    everyone = _csv_rows(client.get("/leads/export/?scene=all&format=csv"))
    assert {row["Name"] for row in everyone} >= {"张伟", "Teammate Lead"}
    hot = _csv_rows(client.get("/leads/export/?scene=all&hot=1&format=csv"))
    assert [row["Name"] for row in hot] == ["张伟"]
    searched = _csv_rows(client.get("/leads/export/?scene=all&q=teammate&format=csv"))
    assert [row["Name"] for row in searched] == ["Teammate Lead"]


def test_xlsx_export_keeps_chinese_dates_and_text_not_formulas(export_world):
    cast = export_world
    response = tenant_client(cast, cast.rep).get("/leads/export/?scene=mine&format=xlsx")
    assert response["Content-Type"] == exports.CONTENT_TYPES["xlsx"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(2)]
    assert {row["Name"] for row in rows} == {"张伟", "'" + FORMULA}
    chinese = next(row for row in rows if row["Name"] == "张伟")
    assert chinese["Company"] == "深圳创新有限公司"
    assert chinese["预算"] == 50000
    assert isinstance(chinese["Created"], datetime)
    for row in sheet.iter_rows(2):
        assert all(cell.data_type != "f" for cell in row)  # nothing runs as a formula


def test_export_of_selected_leads_posts_them_and_still_checks_visibility(export_world):
    cast = export_world
    mine = Lead.objects.get(name="张伟")
    theirs = Lead.objects.get(name="Teammate Lead")
    response = tenant_client(cast, cast.rep).post(
        "/leads/export/",
        {"format": "csv", "lead": [str(mine.uuid), str(theirs.uuid)], "next": "scene=all"},
    )
    assert [row["Name"] for row in _csv_rows(response)] == ["张伟"]


def test_export_without_a_format_offers_both(export_world):
    cast = export_world
    html = tenant_client(cast, cast.rep).get("/leads/export/?hot=1").content.decode()
    assert "hot=1&amp;format=csv" in html
    assert "hot=1&amp;format=xlsx" in html


def test_big_export_asks_first_then_runs_in_the_background_for_its_owner_only(
    export_world, monkeypatch, django_capture_on_commit_callbacks
):
    cast = export_world
    monkeypatch.setattr(exports, "EXPORT_DIRECT_LIMIT", 1)
    client = tenant_client(cast, cast.rep)
    page = client.get("/leads/export/?scene=mine&format=xlsx")
    assert page.status_code == 200
    assert "more than 1 leads" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post("/leads/export/", {"format": "xlsx", "next": "scene=mine"})
    assert len(queued) == 1  # the job is queued once the request's transaction commits
    status_url = response.headers["Location"]
    assert status_url.startswith("/leads/exports/")
    status = client.get(status_url, HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 1s"' in status.content.decode()
    assert client.get(status_url + "download/").headers["Location"] == status_url
    teammate = tenant_client(cast, cast.teammate)
    assert teammate.get(status_url).status_code == 404
    assert teammate.get(status_url + "download/").status_code == 404


def test_a_background_export_writes_its_file_and_reports_rows_in_its_job(export_world):
    from leads.tasks.exports import export_leads

    cast = export_world
    job = exports.export_job_start(user=cast.rep, query="scene=mine", fmt="csv")
    export_leads(job.pk)  # the task, run here as the worker runs it
    job.refresh_from_db()
    try:
        assert (job.status, job.result["rows"], job.done, job.total) == ("done", 2, 2, 2)
        download = tenant_client(cast, cast.rep).get(f"/leads/exports/{job.uuid}/download/")
        assert "张伟" in b"".join(download.streaming_content).decode("utf-8-sig")
    finally:
        default_storage.delete(job.result["path"])


def test_an_export_for_a_deactivated_account_fails_with_the_reason(export_world):
    from leadcrm.accounts.models import User
    from leads.tasks.exports import export_leads

    cast = export_world
    job = exports.export_job_start(user=cast.rep, query="scene=mine", fmt="xlsx")
    User.objects.filter(pk=cast.rep.pk).update(is_active=False)
    export_leads(job.pk)
    job.refresh_from_db()
    assert (job.status, job.error) == ("failed", "The account that asked for it is inactive.")
    assert job.result == {}


@pytest.mark.worker
def test_big_export_runs_through_the_worker_and_downloads(celery_worker, committed_db, monkeypatch):
    cast = _load_cast("alpha")
    with tenant_context(cast.tenant):
        made = [
            lead_services.lead_create(actor=cast.rep, owner=cast.rep, name=f"导出 Worker {i}")
            for i in range(3)
        ]
        made.append(lead_services.lead_create(actor=cast.rep, owner=cast.rep, name="@cmd|calc"))
        hidden = lead_services.lead_create(actor=cast.teammate, owner=cast.teammate, name="Hidden")
    job_id = path = None
    try:
        monkeypatch.setattr(exports, "EXPORT_DIRECT_LIMIT", 2)
        client = tenant_client(cast, cast.rep)
        response = client.post("/leads/export/", {"format": "xlsx", "next": "scene=mine"})
        status_url = response.headers["Location"]
        job_id = status_url.rstrip("/").rsplit("/", 1)[1]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            html = client.get(status_url, HTTP_HX_REQUEST="true").content.decode()
            if "Download" in html or "failed" in html:
                break
            time.sleep(0.3)
        assert "4 leads exported." in html
        with tenant_context(cast.tenant):
            path = exports.export_job_get(user=cast.rep, job_id=job_id).result["path"]
        download = client.get(status_url + "download/")
        assert download.status_code == 200
        assert "attachment" in download["Content-Disposition"]
        sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
        names = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
        assert names == {"导出 Worker 0", "导出 Worker 1", "导出 Worker 2", "'@cmd|calc"}
        # Only the person who started it may download it.
        assert tenant_client(cast, cast.manager).get(status_url + "download/").status_code == 404
    finally:
        with tenant_context(cast.tenant):
            ids = [lead.pk for lead in [*made, hidden]]
            Lead.history.filter(id__in=ids).delete()
            Lead.objects.filter(pk__in=ids).delete()
            if path:
                default_storage.delete(path)
            if job_id:
                Job.objects.filter(uuid=job_id).delete()
