"""Importing lead lists: real-world files, bad files refused with a clear message, bad rows
reported while good rows land, duplicates caught, and a resumed run that imports nothing twice."""

import io
import time
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from leads.importing.mapping import mapping_suggest
from leads.importing.reader import ImportFileError, file_check, table_read
from leads.importing.services import (
    import_error_report,
    import_job_create,
    import_job_start,
    import_run,
)
from leads.models import ImportIssue, ImportJob, Lead
from leads.services import lead as lead_services


def _xlsx(rows, title=None, sheets=None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Leads"
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[0]))
    for row in rows:
        sheet.append(row)
    for name in sheets or []:
        book.create_sheet(name).append(["nothing", "here"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


EXPO = [
    ["姓名", "公司名称", "手机", "邮箱", "职位", "城市"],
    [
        "王小明",
        "上海云启智能科技有限公司",
        13800138000,
        "xm.wang@yunqi.example",
        "销售总监",
        "上海",
    ],
    [
        "李娜",
        "深圳华信物流股份有限公司",
        "013912345678",
        "li.na@huaxin.example",
        "采购经理",
        "深圳",
    ],
    [None, None, None, None, None, None],
    ["", "No Name Ltd", "13700000000", "", "", ""],
    ["Anna Müller", "Nordwerk GmbH", "+49 151 23456789", "not-an-email", "CTO", "Berlin"],
    ["王小明", "上海云启智能科技", "138 0013 8000", "", "", ""],
]


def test_reader_handles_title_rows_numbers_and_blank_rows():
    table = table_read(_xlsx(EXPO, title="2026 上海展会名片", sheets=["Notes"]), "expo.xlsx")
    assert table.headers == ["姓名", "公司名称", "手机", "邮箱", "职位", "城市"]
    assert table.sheets == ["Leads", "Notes"]
    numbers = [n for n, _cells in table.rows]
    assert numbers == [3, 4, 6, 7, 8]  # the title row, header and blank row keep the numbering
    assert table.rows[0][1][2] == "13800138000"  # a phone stored as a number: no ".0"
    assert table.rows[1][1][2] == "013912345678"  # text keeps its leading zero
    assert mapping_suggest(table.headers) == {
        0: "name", 1: "company", 2: "mobile", 3: "email", 4: "job_title", 5: "city"
    }  # fmt: skip


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_csv_in_chinese_encodings_and_semicolons(encoding):
    text = "姓名;公司;手机\n张伟;北京华信物流有限公司;13900001111\n"
    table = table_read(text.encode(encoding), "list.csv")
    assert table.rows[0][1] == ["张伟", "北京华信物流有限公司", "13900001111"]


def test_cp1252_csv():
    table = table_read("Name,Company\nJosé Müller,Café Zürich\n".encode("cp1252"), "x.csv")
    assert table.rows[0][1] == ["José Müller", "Café Zürich"]


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "a.xlsx", "empty"),
        (b"random bytes, not a spreadsheet", "a.xlsx", "not a real"),
        (b"MZ\x90\x00", "a.exe", "Upload an Excel"),
        (_zip({"xl/worksheets/sheet1.xml": b"0" * (50 * 1024 * 1024)}), "bomb.xlsx", "zip bomb"),
        (_zip({f"x/{i}.xml": b"<a/>" for i in range(5001)}), "many.xlsx", "too many parts"),
        (
            _zip(
                {
                    "xl/sharedStrings.xml": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
                }
            ),
            "evil.xlsx",
            "entity",
        ),
        (b"\xd0\xcf\x11\xe0" + b"\0" * 100, "locked.xlsx", "password"),
    ],
)
def test_malicious_or_broken_files_are_refused_before_parsing(data, name, message):
    with pytest.raises(ImportFileError, match=message):
        file_check(data, name)


def test_oversized_upload_is_refused():
    with pytest.raises(ImportFileError, match="larger than 1 MB"):
        file_check(b"a,b\n" * 300_000, "big.csv", max_size=1024 * 1024)


def _run(job, **options):
    options = {
        "on_duplicate": "skip",
        "owner": None,
        "source_detail": "Expo 2026",
        "run_rules": False,
    } | options
    job = import_job_start(job=job, actor=job.created_by, mapping=job.mapping, **options)
    return import_run(job.pk)


def test_good_rows_land_bad_rows_are_reported_and_duplicates_caught(in_tenant_a):
    cast = in_tenant_a
    lead_services.lead_create(
        actor=cast.admin, name="李娜", mobile="139 1234 5678", company="华信物流"
    )
    job = import_job_create(actor=cast.admin, filename="expo.xlsx", data=_xlsx(EXPO, title="Expo"))
    assert job.total_rows == 5
    job = _run(job)
    # Anna Müller's bad e-mail is left out with a warning: she lands, with the text kept in
    # her notes; only the row without a name is refused.
    assert (job.status, job.created, job.errors, job.duplicates) == ("done", 2, 1, 2)
    wang = Lead.objects.get(name="王小明")
    assert wang.mobile == "13800138000"
    assert wang.source_detail == "Expo 2026"
    assert wang.source.code == "import"
    assert wang.history.first().history_change_reason == "imported: expo.xlsx"
    anna = Lead.objects.get(name="Anna Müller")
    assert (anna.email, anna.mobile) == ("", "+49 151 23456789")
    assert "邮箱: not-an-email" in anna.notes
    issues = {i.row_number: i for i in ImportIssue.objects.filter(job=job)}
    assert (issues[6].reason, issues[6].is_error) == ("the name is required", True)
    assert (issues[7].reason, issues[7].is_error) == ("not a valid email address", False)
    assert issues[8].reason == "duplicate of row 3 in this file (Same mobile or direct line)"
    assert issues[4].reason.startswith("already in the CRM")
    report = load_workbook(io.BytesIO(import_error_report(job)))
    rows = list(report.active.iter_rows(values_only=True))
    assert rows[0][:5] == ("Row", "Column", "Value", "Reason", "Imported?")
    assert (7, "邮箱", "not-an-email", "not a valid email address", "yes, without this value") in [
        r[:5] for r in rows
    ]
    # The refused row as it was, with the reason, ready to correct and upload again.
    to_fix = list(report["Rows to fix"].iter_rows(values_only=True))
    assert to_fix[0] == ("Row", "姓名", "公司名称", "手机", "邮箱", "职位", "城市", "Reason")
    assert to_fix[1][0] == 6
    assert to_fix[1][-1] == "姓名: the name is required"
    assert len(to_fix) == 2


def test_the_report_names_a_default_rule_in_the_importers_language(in_tenant_a):
    cast = in_tenant_a
    lead_services.lead_create(actor=cast.admin, name="李娜", mobile="139 1234 5678")
    cast.admin.language = "zh-hans"
    cast.admin.save(update_fields=["language"])
    data = "姓名,手机\n李娜,13912345678\n王芳,13800138000\n王芳,13800138000\n".encode()
    job = _run(import_job_create(actor=cast.admin, filename="a.csv", data=data))
    reasons = [i.reason for i in ImportIssue.objects.filter(job=job).order_by("row_number")]
    assert reasons == [
        "系统中已存在：李娜（手机或直线相同）",
        "与本文件第 3 行重复（手机或直线相同）",
    ]


def test_update_and_flag_duplicate_modes(in_tenant_a):
    cast = in_tenant_a
    existing = lead_services.lead_create(actor=cast.admin, name="Zhou Min", email="zm@k.example")
    data = b"Name,Email,City\nZhou Min,ZM@k.example,Hangzhou\n"
    job = _run(
        import_job_create(actor=cast.admin, filename="a.csv", data=data), on_duplicate="update"
    )
    existing.refresh_from_db()
    assert (job.updated, existing.city) == (1, "Hangzhou")
    job = _run(
        import_job_create(actor=cast.admin, filename="b.csv", data=data), on_duplicate="flag"
    )
    flagged = Lead.objects.exclude(pk=existing.pk).get(email="zm@k.example")
    assert "possible duplicate" in flagged.tags


@pytest.mark.parametrize("mode", ["flag", "update"])
def test_a_repeat_of_an_earlier_row_is_skipped_whatever_the_duplicate_mode(in_tenant_a, mode):
    """Rows 2 and 3 are the same person, already in the CRM: row 2 flags (or updates) the lead,
    row 3 only repeats row 2 and is skipped, as the mapping page promises."""
    cast = in_tenant_a
    existing = lead_services.lead_create(actor=cast.admin, name="Zhou Min", email="zm@k.example")
    data = b"Name,Email,City\nZhou Min,zm@k.example,Hangzhou\nZhou Min,zm@k.example,Hangzhou\n"
    job = _run(import_job_create(actor=cast.admin, filename="a.csv", data=data), on_duplicate=mode)
    assert Lead.objects.filter(email="zm@k.example").count() == (2 if mode == "flag" else 1)
    assert (job.skipped, job.duplicates) == (1, 2)
    issue = ImportIssue.objects.get(job=job, row_number=3)
    assert issue.reason.startswith("duplicate of row 2 in this file")
    assert not ImportIssue.objects.filter(job=job, row_number=2, is_error=True).exists()
    existing.refresh_from_db()
    assert existing.city == ("Hangzhou" if mode == "update" else "")


class WorkerKilled(BaseException):
    """A worker process dying mid-run: no handler of the job runs (unlike an Exception)."""


def _start_batches_of_three(cast, monkeypatch, rows: int = 8):
    from leads.importing import services as import_services

    monkeypatch.setattr(import_services, "BATCH", 3)
    lines = ["Name,Mobile"] + [f"Person {i},1380000{i:04d}" for i in range(rows)]
    job = import_job_create(actor=cast.admin, filename="p.csv", data="\n".join(lines).encode())
    return import_job_start(job=job, actor=cast.admin, mapping=job.mapping, on_duplicate="skip",
                            owner=None, source_detail="", run_rules=False)  # fmt: skip


def _second_batch_raises(monkeypatch, error: BaseException) -> None:
    from leads.importing import services as import_services

    real = import_services.leads_create_bulk
    calls = {"n": 0}

    def raises_in_second_batch(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise error
        return real(*args, **kwargs)

    monkeypatch.setattr(import_services, "leads_create_bulk", raises_in_second_batch)


def test_a_resumed_run_continues_after_the_last_batch(in_tenant_a, monkeypatch):
    """A worker killed in the second batch: the first batch stays, the job stays running, the
    message delivered again imports the rest and nothing twice."""
    from leads.importing import services as import_services

    cast = in_tenant_a
    job = _start_batches_of_three(cast, monkeypatch)
    real = import_services.leads_create_bulk
    _second_batch_raises(monkeypatch, WorkerKilled())
    with pytest.raises(WorkerKilled):
        import_run(job.pk)
    job.refresh_from_db()
    assert (job.status, job.processed, Lead.objects.filter(name__startswith="Person").count()) == (
        "running", 3, 3
    )  # fmt: skip
    monkeypatch.setattr(import_services, "leads_create_bulk", real)
    job = import_run(job.pk)
    assert (job.status, job.processed, job.created) == ("done", 8, 8)
    assert (job.job.done, job.job.total, job.job.percent) == (8, 8, 100)
    assert Lead.objects.filter(name__startswith="Person").count() == 8
    assert import_run(job.pk).created == 8  # a third delivery does nothing


def test_an_unexpected_error_mid_run_fails_the_job_with_a_reason(in_tenant_a, monkeypatch):
    """Never "running" forever: the job fails with a reason (not the error's details), the
    batches committed before stay, and a second delivery does not run it again."""
    from django.urls import reverse

    from tests.conftest import tenant_client

    cast = in_tenant_a
    job = _start_batches_of_three(cast, monkeypatch)
    _second_batch_raises(monkeypatch, RuntimeError("password=hunter2"))
    job = import_run(job.pk)
    assert (job.status, job.processed, job.created) == ("failed", 3, 3)
    assert "unexpected error (RuntimeError)" in job.job.error
    assert "hunter2" not in job.job.error
    assert import_run(job.pk).processed == 3  # ended: a redelivery imports nothing more
    page = tenant_client(cast, cast.admin).get(
        reverse("leads-import-status", kwargs={"uuid": job.uuid})
    )
    html = page.content.decode()
    assert "unexpected error (RuntimeError)" in html
    assert 'hx-trigger="every 1s"' not in html  # nothing left to wait for


def test_a_file_that_cannot_be_read_fails_the_job_with_the_reason(in_tenant_a):
    cast = in_tenant_a
    job = import_job_create(actor=cast.admin, filename="gone.xlsx", data=_xlsx(EXPO))
    job = import_job_start(job=job, actor=cast.admin, mapping=job.mapping, on_duplicate="skip",
                           owner=None, source_detail="", run_rules=False)  # fmt: skip
    with job.file.open("wb") as handle:  # the stored file broke after the upload
        handle.write(b"not a spreadsheet any more")
    job = import_run(job.pk)
    assert (job.status, job.created) == ("failed", 0)
    assert "not a real .xlsx file" in job.job.error
    assert job.get_status_display() == "Failed"


def test_a_second_run_that_finds_a_batch_it_did_not_see_stops(in_tenant_a, monkeypatch):
    """The worker race below, in one process: a second delivery that read the job before the
    first run committed a batch stops at that batch and leaves the job to the first run."""
    from leadcrm.jobs.errors import JobRunningElsewhere
    from leadcrm.jobs.models import Job
    from leads.importing.services import import_perform

    cast = in_tenant_a
    job = _start_batches_of_three(cast, monkeypatch)
    _second_batch_raises(monkeypatch, WorkerKilled())
    with pytest.raises(WorkerKilled):
        import_run(job.pk)  # stands for the first run, still on the job after rows 1-3
    stale = Job.objects.get(pk=job.job_id)
    stale.done = 0  # what the second delivery read before that batch was committed
    with pytest.raises(JobRunningElsewhere):
        import_perform(job=stale)
    job.refresh_from_db()
    assert (job.status, job.processed, job.created) == ("running", 3, 3)
    assert Lead.objects.filter(name__startswith="Person").count() == 3


def test_messages_queued_before_imports_became_jobs_still_run(
    in_tenant_a, django_capture_on_commit_callbacks
):
    """The tasks' old names with the import's id (messages in the queue at the upgrade): the
    run goes through the job the migration made; the undo is asked again as a job."""
    from leads.tasks.importing import import_run_task, import_void_task

    cast = in_tenant_a
    job = import_job_create(actor=cast.admin, filename="old.csv", data=b"Name\nOld Message\n")
    job = import_job_start(job=job, actor=cast.admin, mapping=job.mapping, on_duplicate="skip",
                           owner=None, source_detail="", run_rules=False,
                           in_worker=False)  # fmt: skip
    import_run_task(job.pk)
    job.refresh_from_db()
    assert (job.status, job.created) == ("done", 1)
    with django_capture_on_commit_callbacks() as queued:
        import_void_task(job.pk, cast.admin.pk)
    job.refresh_from_db()
    assert (job.void_job.kind, job.void_job.status, len(queued)) == ("import_void", "queued", 1)


def test_an_import_reads_its_status_from_its_job():
    from leadcrm.jobs.models import Job

    assert set(Job.Status.values) <= set(ImportJob.Status.values)
    assert ImportJob().status == "uploaded"  # no job until it is queued


def test_mapping_must_name_the_lead(in_tenant_a):
    from leads.errors import LeadError

    cast = in_tenant_a
    job = import_job_create(actor=cast.admin, filename="c.csv", data=b"Company,City\nAcme,Paris\n")
    with pytest.raises(LeadError, match="name"):
        import_job_start(job=job, actor=cast.admin, mapping={"0": "company"}, on_duplicate="skip",
                         owner=None, source_detail="", run_rules=False)  # fmt: skip
    assert ImportJob.objects.get(pk=job.pk).status == "uploaded"


def test_upload_map_and_status_pages(in_tenant_a):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from tests.conftest import tenant_client

    cast = in_tenant_a
    client = tenant_client(cast, cast.admin)
    template = client.get(reverse("leads-import-template"))
    assert load_workbook(io.BytesIO(template.content)).sheetnames == ["Leads", "Instructions"]
    bad = client.post(
        reverse("leads-import"), {"file": SimpleUploadedFile("x.xlsx", b"nope")}, follow=True
    )
    assert "not a real .xlsx file" in bad.content.decode()
    upload = SimpleUploadedFile("expo.xlsx", _xlsx(EXPO, title="Expo"))
    response = client.post(reverse("leads-import"), {"file": upload})
    job = ImportJob.objects.get(filename="expo.xlsx")
    assert response["Location"] == reverse("leads-import-map", kwargs={"uuid": job.uuid})
    page = client.get(response["Location"]).content.decode()
    assert "not a valid email address" in page  # the preview marks the bad cell
    preview = client.get(
        response["Location"] + "?col_0=name&col_1=company",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="import-preview",
    ).content.decode()
    assert "not a valid email address" not in preview  # email no longer mapped
    started = client.post(
        response["Location"],
        {"col_0": "name", "col_1": "company", "col_2": "mobile", "col_3": "email",
         "on_duplicate": "skip", "run_rules": "on"},
    )  # fmt: skip
    assert started["Location"] == reverse("leads-import-status", kwargs={"uuid": job.uuid})
    job.refresh_from_db()
    assert job.status == "queued"  # the worker takes it from here (test_import_runs_in_the_worker)
    waiting = client.get(started["Location"]).content.decode()
    assert f'id="job-{job.job.uuid}"' in waiting  # the shared progress partial, embedded:
    assert waiting.count('hx-trigger="every 1s"') == 1  # the page polls, the partial does not
    assert "Waiting for a worker" in waiting
    import_run(job.pk)
    status = client.get(started["Location"]).content.decode()
    assert "Download the problem report" in status
    report = client.get(reverse("leads-import-report", kwargs={"uuid": job.uuid}))
    assert report["Content-Type"].startswith("application/vnd.openxmlformats")
    assert tenant_client(cast, cast.rep).get(reverse("leads-import")).status_code == 403


@pytest.mark.worker
def test_import_runs_in_the_worker_and_a_second_delivery_changes_nothing(
    committed_db, celery_worker, monkeypatch
):
    """The job goes through the import queue; the same task delivered twice at once (a retry
    racing the first run) still creates each lead once."""
    from django_tenants.utils import tenant_context

    from leads.tasks.importing import import_leads
    from tests.conftest import _load_cast

    monkeypatch.setattr("leads.hooks._after_create_bulk", [])  # no routing race at cleanup
    cast = _load_cast("alpha")
    with tenant_context(cast.tenant):
        data = b"Name,Mobile\nWorker One,13600001111\nWorker Two,13600002222\n"
        job = import_job_create(actor=cast.admin, filename="w.csv", data=data)
        import_job_start(job=job, actor=cast.admin, mapping=job.mapping, on_duplicate="skip",
                         owner=None, source_detail="", run_rules=False)  # fmt: skip
    twin = import_leads.apply_async(
        args=[job.job_id], headers={"_schema_name": cast.tenant.schema_name}, queue="import"
    )
    try:
        twin.get(timeout=120)
        with tenant_context(cast.tenant):
            for _ in range(600):  # the first delivery may still be finishing
                job.refresh_from_db()
                if job.status == "done":
                    break
                time.sleep(0.1)
            assert (job.status, job.created) == ("done", 2), (job.status, job.processed)
            assert (job.job.kind, job.job.done, job.job.total) == ("import", 2, 2)
            assert Lead.objects.filter(name__startswith="Worker ").count() == 2
    finally:
        with tenant_context(cast.tenant):
            ids = list(Lead.objects.filter(name__startswith="Worker ").values_list("pk", flat=True))
            from leads.models import LeadStageChange

            LeadStageChange.objects.filter(lead_id__in=ids).delete()
            Lead.history.filter(id__in=ids).delete()
            Lead.objects.filter(pk__in=ids).delete()
            _import_forget(job)


@pytest.mark.worker
def test_a_file_that_breaks_mid_run_fails_its_job_in_the_worker(
    committed_db, celery_worker, monkeypatch
):
    """Row 520 of 600 is refused by the database (a trigger stands for any error the checks
    before the insert missed): the first batch of 500 stays, and the job ends failed with a
    reason instead of "running" forever."""
    from django.db import connection
    from django_tenants.utils import tenant_context

    from tests.conftest import _load_cast

    monkeypatch.setattr("leads.hooks._after_create_bulk", [])  # no routing race at cleanup
    cast = _load_cast("alpha")
    names = [f"Batch Person {i}" if i != 519 else "Refused Row" for i in range(600)]
    with tenant_context(cast.tenant):
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE FUNCTION refuse_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "IF NEW.name = 'Refused Row' THEN RAISE EXCEPTION 'refused'; END IF; "
                "RETURN NEW; END $$; CREATE TRIGGER refuse_row BEFORE INSERT ON leads_lead "
                "FOR EACH ROW EXECUTE FUNCTION refuse_row()"
            )
        data = "\n".join(["Name", *names]).encode()
        job = import_job_create(actor=cast.admin, filename="breaks.csv", data=data)
        import_job_start(job=job, actor=cast.admin, mapping=job.mapping, on_duplicate="skip",
                         owner=None, source_detail="", run_rules=False)  # fmt: skip
    try:
        with tenant_context(cast.tenant):
            for _ in range(600):
                job.refresh_from_db()
                if not job.job.is_active:
                    break
                time.sleep(0.1)
            assert (job.status, job.job.done, job.job.total, job.created) == (
                "failed", 500, 600, 500
            )  # fmt: skip
            assert "unexpected error" in job.job.error
            assert job.job.finished_at is not None
            assert Lead.objects.filter(import_job=job).count() == 500
    finally:
        with tenant_context(cast.tenant):
            with connection.cursor() as cursor:
                cursor.execute("DROP TRIGGER refuse_row ON leads_lead; DROP FUNCTION refuse_row()")
            from leads.models import LeadStageChange

            ids = list(Lead.objects.filter(import_job=job).values_list("pk", flat=True))
            LeadStageChange.objects.filter(lead_id__in=ids).delete()
            Lead.history.filter(id__in=ids).delete()
            Lead.objects.filter(pk__in=ids).delete()
            _import_forget(job)


def _import_forget(job) -> None:
    """Committed tests leave nothing behind: the import, its file, its jobs and the "import
    finished" notification go."""
    from leadcrm.jobs.models import Job
    from leadcrm.notifications.models import Notification

    Notification.objects.filter(title__endswith=job.filename).delete()
    job.refresh_from_db()
    jobs = [pk for pk in (job.job_id, job.void_job_id) if pk]
    job.file.delete(save=False)
    job.delete()
    Job.objects.filter(pk__in=jobs).delete()


def test_import_leads_command(in_tenant_a, tmp_path):
    import json as json_module
    from io import StringIO

    from django.core.management import call_command

    cast = in_tenant_a
    source = tmp_path / "cards.csv"
    source.write_text(
        "Visitor,Firm,Cell\nLi Lei,Acme,13511112222\nNo Phone Guy,,12\n", encoding="utf-8"
    )
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json_module.dumps({"Visitor": "name", "Firm": "company", "Cell": "mobile"}))
    out = StringIO()
    call_command(
        "import_leads", cast.tenant.slug, str(source), "--mapping", str(mapping),
        "--source-detail", "Canton Fair", "--no-rules", stdout=out,
    )  # fmt: skip
    text = out.getvalue()
    # "12" is too few digits for a phone: left out with a warning, the person lands.
    assert (
        "2 rows, 2 created, 0 updated, 0 skipped (0 duplicates), 0 with problems, "
        "1 cells left out" in text
    )
    assert (tmp_path / "cards-problems.xlsx").exists()
    assert "Cell: 12" in Lead.objects.get(name="No Phone Guy").notes
    # A second run never writes over the first run's report.
    first = (tmp_path / "cards-problems.xlsx").read_bytes()
    call_command(
        "import_leads", cast.tenant.slug, str(source), "--mapping", str(mapping),
        "--no-rules", stdout=StringIO(),
    )  # fmt: skip
    assert (tmp_path / "cards-problems.xlsx").read_bytes() == first
    assert len(list(tmp_path.glob("cards-problems-*.xlsx"))) == 1
    assert Lead.objects.get(name="Li Lei").source_detail == "Canton Fair"


@pytest.mark.parametrize("name", ["expo-libreoffice.xlsx", "expo-libreoffice.ods",
                                  "expo-libreoffice.xls"])  # fmt: skip
def test_files_written_by_libreoffice(name):
    """Saved by LibreOffice Calc (soffice --convert-to) from a sheet with a merged title row, a
    phone stored as a number, zip codes with leading zeros, a date, a blank row and a second
    sheet."""
    from pathlib import Path

    data = (Path(__file__).parent / "files" / name).read_bytes()
    table = table_read(data, name)
    assert (table.sheets, table.sheet) == (["展会", "Notes"], "展会")
    assert table.headers == ["姓名", "公司名称", "手机", "邮编", "登记日期"]
    assert table.rows == [
        (3, ["王小明", "上海云启智能科技有限公司", "13800138000", "020100", "2026-11-03"]),
        (5, ["Anna Müller", "Nordwerk GmbH", "+49 151 23456789", "01067", "2026-11-04"]),
    ]
    assert table_read(data, name, sheet="Notes").headers == ["not the list"]


@pytest.mark.worker
def test_undoing_an_import_runs_in_the_worker(committed_db, celery_worker, monkeypatch):
    """The admin's "undo this import" goes through the import queue to a real worker."""
    from django_tenants.utils import tenant_context

    from leads.importing.services import import_void_request
    from tests.conftest import _load_cast

    monkeypatch.setattr("leads.hooks._after_create_bulk", [])  # no routing race at cleanup
    monkeypatch.setattr("leads.hooks._after_create", [])
    cast = _load_cast("alpha")
    with tenant_context(cast.tenant):
        data = b"Name\nUndo Worker One\nUndo Worker Two\n"
        job = import_job_create(actor=cast.admin, filename="undo-w.csv", data=data)
        import_job_start(job=job, actor=cast.admin, mapping=job.mapping, on_duplicate="skip",
                         owner=None, source_detail="", run_rules=False)  # fmt: skip
    try:
        with tenant_context(cast.tenant):
            for _ in range(600):  # the import itself runs in the worker first
                job.refresh_from_db()
                if job.status == "done":
                    break
                time.sleep(0.1)
            assert (job.status, job.created) == ("done", 2)
            import_void_request(job=job, actor=cast.admin)
            # The leads are voided first and the job's counter is written when the run ends:
            # wait for the counter, not for the leads.
            for _ in range(600):
                job.refresh_from_db()
                if job.voided == 2:
                    break
                time.sleep(0.1)
            assert job.voided == 2
            assert set(Lead.objects.filter(import_job=job).values_list("status", flat=True)) == {
                "void"
            }
    finally:
        with tenant_context(cast.tenant):
            from leads.models import LeadStageChange

            ids = list(Lead.objects.filter(import_job=job).values_list("pk", flat=True))
            LeadStageChange.objects.filter(lead_id__in=ids).delete()
            Lead.history.filter(id__in=ids).delete()
            Lead.objects.filter(pk__in=ids).delete()
            _import_forget(job)


def test_a_bad_optional_cell_is_a_warning_the_person_still_lands(in_tenant_a):
    """Issue 15: one bad e-mail cell ("无", "zhang@", "wang at abc.com") lost people with valid
    mobiles; only a row with no name is refused now, and the page says what was left out."""
    from django.urls import reverse

    from tests.conftest import tenant_client

    cast = in_tenant_a
    data = (
        "姓名,手机,邮箱\n张伟,13912345678,无\n王芳,13812345678,zhang@\n"
        "李强,13712345678,wang at abc.com\n,13612345678,ok@example.com\n"
    ).encode()
    job = _run(import_job_create(actor=cast.admin, filename="cards.csv", data=data))
    assert (job.created, job.errors, job.cells_left_out) == (3, 1, 3)
    zhang = Lead.objects.get(name="张伟")
    assert (zhang.mobile, zhang.email, zhang.notes) == ("13912345678", "", "邮箱: 无")
    page = tenant_client(cast, cast.admin).get(
        reverse("leads-import-status", kwargs={"uuid": job.uuid})
    )
    body = page.content.decode()
    assert "3 values were left out of imported rows" in body
    assert reverse("leads-import-report", kwargs={"uuid": job.uuid}) in body


def test_a_headers_only_file_and_an_open_quote_are_refused_in_words(in_tenant_a):
    from leads.importing.reader import ImportFileError

    with pytest.raises(ImportFileError, match="column names but no rows"):
        import_job_create(actor=in_tenant_a.admin, filename="h.csv", data=b"Name,Email\n")
    broken = b'Name,Email\nZhang,"z@x.cn\nLi,l@x.cn\nWang,w@x.cn\n'
    with pytest.raises(ImportFileError, match="broken at line 2"):
        import_job_create(actor=in_tenant_a.admin, filename="q.csv", data=broken)
    quoted = b'Name,Note\nA,"He said ""hi"", then left"\n'
    job = _run(import_job_create(actor=in_tenant_a.admin, filename="ok.csv", data=quoted))
    assert Lead.objects.get(name="A").notes == 'He said "hi", then left'
    assert job.created == 1


@pytest.mark.parametrize("mode", ["update", "skip", "update_visible_readonly"])
def test_an_import_never_changes_nor_names_a_lead_the_importer_cannot_open(in_tenant_a, mode):
    """A manager's row matching (by mobile) a lead outside her line: "update" leaves it alone,
    and no report names it (a phone-number lookup of invisible leads otherwise)."""
    cast = in_tenant_a
    hidden = lead_services.lead_create(
        actor=cast.admin, owner=cast.admin, name="Hidden Person", company="Secret Co",
        mobile="13900139000",
    )  # fmt: skip
    if mode == "update_visible_readonly":  # shared read-only: she sees it, may not change it
        from leads.models import Access, LeadMember

        LeadMember.objects.create(lead=hidden, user=cast.manager, access=Access.READ)
    data = b"Name,Mobile,Website\nSomeone Else,13900139000,https://probe.example\n"
    job = _run(
        import_job_create(actor=cast.manager, filename="a.csv", data=data),
        on_duplicate="skip" if mode == "skip" else "update",
    )
    hidden.refresh_from_db()
    assert hidden.website == ""
    assert (job.updated, job.skipped) == (0, 1)
    reason = ImportIssue.objects.get(job=job, row_number=2).reason
    if mode == "update_visible_readonly":
        assert reason.startswith("matches a lead you may not change: Hidden Person")
    else:
        assert "Hidden Person" not in reason
        assert "Secret Co" not in reason
        assert "a lead you cannot open" in reason


def _bad_crc(data: bytes, member: str) -> bytes:
    """The xlsx with ``member``'s declared checksum broken (in its local header and its
    central-directory entry): its bytes no longer match what the archive says."""
    import struct

    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(member)
    wrong = (info.CRC + 1) & 0xFFFFFFFF
    raw = bytearray(data)
    struct.pack_into("<I", raw, info.header_offset + 14, wrong)  # local header: CRC at 14
    at = raw.find(b"PK\x01\x02")  # central directory entries: CRC at 16, name at 46
    while at >= 0:
        name_len = struct.unpack_from("<H", raw, at + 28)[0]
        if raw[at + 46 : at + 46 + name_len] == member.encode():
            struct.pack_into("<I", raw, at + 16, wrong)
        at = raw.find(b"PK\x01\x02", at + 4)
    return bytes(raw)


def test_a_damaged_part_is_refused_in_words_not_a_500():
    data = _xlsx([["Name", "Mobile"], ["Wang", "13800138000"]])
    with pytest.raises(ImportFileError, match=r"damaged|could not be read"):
        table_read(_bad_crc(data, "xl/worksheets/sheet1.xml"), "bad.xlsx")


def test_an_entity_hidden_after_a_long_comment_is_refused():
    sheet = (
        b'<?xml version="1.0"?><!--' + b"x" * 5000 + b'--><!DOCTYPE x [<!ENTITY a "aaaa">]>'
        b"<worksheet>&a;</worksheet>"
    )
    with pytest.raises(ImportFileError, match="entity"):
        file_check(_zip({"xl/worksheets/sheet1.xml": sheet}), "evil.xlsx")


def test_a_padded_sheet_is_refused_while_read_not_after(monkeypatch):
    """Rows are read one by one and the read stops past the limit (a sheet of millions of tiny
    rows was turned into Python lists whole: 1.9 GB in a web worker)."""
    from leads.importing import reader

    monkeypatch.setattr(reader, "MAX_ROWS", 50)
    monkeypatch.setattr(reader, "HEADER_ROWS_MAX", 5)
    data = _xlsx([["Name", "Mobile"], *([f"P{i}", f"1380000{i:04d}"] for i in range(500))])
    seen = []
    real = reader._cell_text
    monkeypatch.setattr(reader, "_cell_text", lambda v: seen.append(v) or real(v))
    with pytest.raises(ImportFileError, match="more than 50 rows"):
        table_read(data, "padded.xlsx")
    assert len(seen) <= 2 * 57  # stopped at the limit, not after 500 rows
