"""Imports and data quality: the period's imports with their counts and problems, the merges by
person, the data quality of the open leads, each against numbers worked out by hand; who may
see what, the period's edges, the downloads, both languages, the empty workspace, and a
constant number of queries."""

import io
from datetime import date, datetime, time, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from analytics.filters import ReportFilters
from analytics.selectors.quality import (
    data_quality,
    import_problem_kinds,
    import_rows,
    import_totals,
    merge_rows,
)
from leadcrm.jobs.models import Job
from leads.models import ImportIssue, ImportJob, Lead, LeadMerge, LeadStatus, SourceChannel
from leads.selectors import LeadFilters, lead_list
from tests.conftest import tenant_client

NOW = timezone.now()
ALL = ReportFilters.from_query({})


def _import(by, filename, *, days_ago=0, at=None, status=Job.Status.DONE, issues=(), **counts):
    job = Job.objects.create(kind="import", status=status, created_by=by) if status else None
    imported = ImportJob.objects.create(created_by=by, filename=filename, job=job, **counts)
    ImportJob.objects.filter(pk=imported.pk).update(created_at=at or NOW - timedelta(days=days_ago))
    ImportIssue.objects.bulk_create(
        ImportIssue(job=imported, row_number=row, column=column, reason=reason, is_error=error)
        for row, column, reason, error in issues
    )
    return imported


def _merge(actor, survivor, merged, *, days_ago, undone=False):
    merge = LeadMerge.objects.create(
        survivor=survivor, actor=actor, at=NOW - timedelta(days=days_ago),
        undone_at=NOW if undone else None,
    )  # fmt: skip
    merge.merged.set(merged)
    if not undone:
        Lead.objects.filter(pk__in=[lead.pk for lead in merged]).update(merged_into=survivor)
    return merge


def _lead(owner, status, **fields):
    followed = fields.pop("followed", True)
    lead = Lead.objects.create(name="L", owner=owner, status=status, **fields)
    if followed:
        Lead.objects.filter(pk=lead.pk).update(first_follow_up_at=NOW - timedelta(days=1))
    return lead


@pytest.fixture
def data(in_tenant_a):
    cast = in_tenant_a
    web = SourceChannel.objects.get(code="website")
    # Imports: two in the period, one before it.
    expo = _import(
        cast.admin, "spring-expo.xlsx", days_ago=2, total_rows=10, created=5, updated=1,
        skipped=2, duplicates=4, errors=2,
        issues=[
            (3, "Email", "not a valid e-mail address", True),
            (4, "Email", "not a valid e-mail address", True),
            (4, "Name", "the name is required", True),
            (5, "", "already in the CRM: Ann (Same e-mail)", False),
            (6, "", "duplicate of row 2 in this file (Same e-mail)", False),
        ],
    )  # fmt: skip
    vendor = _import(
        cast.manager, "vendor.csv", days_ago=5, status=Job.Status.FAILED, total_rows=4,
        created=1, duplicates=1, errors=1, issues=[(2, "Phone", "not a phone number", True)],
    )  # fmt: skip
    _import(cast.admin, "old.csv", days_ago=60, total_rows=7, created=7, errors=1,
            issues=[(2, "Email", "not a valid e-mail address", True)])  # fmt: skip
    # Merges: the admin's (two leads away) and the manager's undone in the period; one before.
    closed = [_lead(cast.rep, LeadStatus.LOST) for _ in range(7)]
    _merge(cast.admin, closed[0], closed[1:3], days_ago=3)
    _merge(cast.manager, closed[3], closed[4:5], days_ago=4, undone=True)
    _merge(cast.admin, closed[5], closed[6:7], days_ago=40)
    # Open leads with gaps (and one closed lead that lacks everything: not counted).
    leads = {
        "a": _lead(cast.rep, LeadStatus.PENDING, email="a@x.cn", source=web),
        "b": _lead(cast.rep, LeadStatus.FOLLOWING_UP, phone="010 1234"),
        "c": _lead(cast.teammate, LeadStatus.FOLLOWING_UP, mobile="138 0000 0000",
                   email="c@x.cn", company="C", source=web, tags=["possible duplicate"]),
        "d": _lead(None, LeadStatus.UNASSIGNED, phone="1", email="d@x.cn", company="D",
                   source=web, followed=False),
    }  # fmt: skip
    _lead(cast.rep, LeadStatus.LOST, followed=False)
    return cast, expo, vendor, leads


def test_each_import_of_the_period_with_its_counts(data):
    cast, *_rest = data
    rows = import_rows(cast.admin, ALL)
    assert [(r.filename, r.by, r.status) for r in rows] == [
        ("spring-expo.xlsx", cast.admin.full_name, "done"),
        ("vendor.csv", cast.manager.full_name, "failed"),
    ]
    expo_row, vendor_row = rows
    # rows, created, updated, skipped, flagged = duplicates - skipped - updated, refused, warnings
    assert (expo_row.rows, expo_row.created, expo_row.updated, expo_row.skipped,
            expo_row.flagged, expo_row.problems, expo_row.warnings) == (10, 5, 1, 2, 1, 2, 2)  # fmt: skip
    assert (vendor_row.rows, vendor_row.created, vendor_row.updated, vendor_row.skipped,
            vendor_row.flagged, vendor_row.problems, vendor_row.warnings) == (4, 1, 0, 0, 1, 1, 0)  # fmt: skip
    totals = import_totals(rows)
    assert (totals.imports, totals.rows, totals.created, totals.updated, totals.skipped,
            totals.flagged, totals.problems, totals.warnings) == (2, 14, 6, 1, 2, 2, 3, 2)  # fmt: skip


def test_problems_by_kind_count_the_refused_rows_problems_of_the_period(data):
    cast, *_rest = data
    kinds = import_problem_kinds(cast.admin, ALL)
    # The import before the period has one more e-mail problem: not counted.
    assert [(k.column, k.reason, k.count) for k in kinds] == [
        ("Email", "not a valid e-mail address", 2),
        ("Name", "the name is required", 1),
        ("Phone", "not a phone number", 1),
    ]


def test_merges_by_person_kept_merged_away_and_undone(data):
    cast, *_rest = data
    rows = merge_rows(cast.admin, ALL)
    assert [(r.actor, r.merges, r.merged_away, r.undone) for r in rows] == [
        (cast.admin.full_name, 1, 2, 0),
        (cast.manager.full_name, 0, 0, 1),
    ]


def test_data_quality_of_the_open_leads_in_scope(data):
    cast, *_rest = data
    quality = data_quality(cast.admin, ALL)
    # OPEN_STATUSES: unassigned, pending, following up, qualified, nurture.
    assert quality.open_by_status == [1, 1, 2, 0, 0]
    assert quality.open_total == 4
    got = {row.key: (row.by_status, row.count, row.share) for row in quality.rows}
    assert got == {
        "no_phone": ([0, 1, 0, 0, 0], 1, 0.25),  # a
        "no_email": ([0, 0, 1, 0, 0], 1, 0.25),  # b
        "no_company": ([0, 1, 1, 0, 0], 2, 0.5),  # a, b
        "no_source": ([0, 0, 1, 0, 0], 1, 0.25),  # b
        "no_owner": ([1, 0, 0, 0, 0], 1, 0.25),  # d
        "possible_duplicate": ([0, 0, 1, 0, 0], 1, 0.25),  # c
        "never_followed_up": ([1, 0, 0, 0, 0], 1, 0.25),  # d
    }


def test_a_manager_sees_their_own_imports_and_their_lines_merges_and_leads(data):
    cast, _expo, _vendor, _leads = data
    assert [r.filename for r in import_rows(cast.manager, ALL)] == ["vendor.csv"]
    assert [(k.column, k.count) for k in import_problem_kinds(cast.manager, ALL)] == [("Phone", 1)]
    assert [(r.actor, r.undone) for r in merge_rows(cast.manager, ALL)] == [
        (cast.manager.full_name, 1)
    ]
    quality = data_quality(cast.manager, ALL)
    assert quality.open_total == 3  # the unowned lead d is nobody's line
    assert {r.key: r.count for r in quality.rows}["no_owner"] == 0
    assert import_rows(cast.pool_admin, ALL) == []


def test_the_person_filter_narrows_imports_and_merges(data):
    cast, *_rest = data
    by_manager = ReportFilters.from_query({"owner": str(cast.manager.uuid)})
    assert [r.filename for r in import_rows(cast.admin, by_manager)] == ["vendor.csv"]
    assert [r.actor for r in merge_rows(cast.admin, by_manager)] == [cast.manager.full_name]


def test_a_rep_is_refused_as_on_the_import_pages(data):
    cast, *_rest = data
    assert tenant_client(cast, cast.rep).get("/analytics/quality/").status_code == 403
    assert tenant_client(cast, cast.rep).get(reverse("leads-import")).status_code == 403
    assert tenant_client(cast, cast.manager).get("/analytics/quality/").status_code == 200
    assert tenant_client(cast, cast.pool_admin).get("/analytics/quality/").status_code == 200


def test_the_period_includes_its_first_instant_and_excludes_the_next_day(in_tenant_a):
    cast = in_tenant_a
    day = date(2025, 3, 10)
    start = timezone.make_aware(datetime.combine(day, time.min))
    _import(cast.admin, "first-instant.csv", at=start)
    _import(cast.admin, "last-second.csv", at=start + timedelta(days=1, seconds=-1))
    _import(cast.admin, "next-day.csv", at=start + timedelta(days=1))
    _import(cast.admin, "day-before.csv", at=start - timedelta(seconds=1))
    one_day = ReportFilters.from_query({"period": "custom", "from": "2025-03-10",
                                        "to": "2025-03-10"})  # fmt: skip
    assert sorted(r.filename for r in import_rows(cast.admin, one_day)) == [
        "first-instant.csv", "last-second.csv",
    ]  # fmt: skip


def test_counts_link_to_exactly_those_leads_where_the_list_has_a_filter(data):
    cast, _expo, _vendor, leads = data
    page = tenant_client(cast, cast.admin).get("/analytics/quality/")
    cells = dict(
        (label, cells) for label, cells, _row in page.context["quality_rows"]
    )  # fmt: skip
    duplicate = cells["Tagged “possible duplicate”"]
    unowned = cells["No owner"]
    for row, expected in ((duplicate, {leads["c"].pk}), (unowned, {leads["d"].pk})):
        links = [href for _n, href in row if href]
        assert len(links) == 1
        query = {k: v[0] for k, v in parse_qs(urlsplit(links[0]).query).items()}
        shown = lead_list(user=cast.admin, filters=LeadFilters.from_query(query))
        assert set(shown.values_list("pk", flat=True)) == expected
    # The list has no filter for a missing phone: the count is shown without a link.
    assert all(href is None for _n, href in cells["No phone or mobile"])


def test_the_page_its_links_and_the_chinese_page(data):
    cast, expo, vendor, _leads = data
    client = tenant_client(cast, cast.admin)
    page = client.get("/analytics/quality/").content.decode()
    assert "2 imports" in page
    assert f'href="{reverse("leads-import-status", kwargs={"uuid": expo.uuid})}"' in page
    assert f'href="{reverse("leads-import-status", kwargs={"uuid": vendor.uuid})}"' in page
    assert "not a valid e-mail address" in page
    assert 'aria-current="page">Imports & data quality</a>' in page
    assert "<td>Done</td>" in page
    assert "<td>Failed</td>" in page
    cast.admin.language = "zh-hans"
    cast.admin.save(update_fields=["language"])
    zh = client.get("/analytics/quality/").content.decode()
    # The statuses and the reused headings come from the catalogue.
    assert "<td>已完成</td>" in zh
    assert "<td>失败</td>" in zh
    assert "<td>Done</td>" not in zh
    assert "数据分析" in zh


def test_an_upload_waiting_for_its_mapping_links_to_the_mapping(in_tenant_a):
    cast = in_tenant_a
    waiting = _import(cast.admin, "waiting.xlsx", status=None, total_rows=3)
    page = tenant_client(cast, cast.admin).get("/analytics/quality/").content.decode()
    assert f'href="{reverse("leads-import-map", kwargs={"uuid": waiting.uuid})}"' in page
    assert "<td>Waiting for the mapping</td>" in page


def test_the_downloads_of_the_imports_table(data):
    cast, *_rest = data
    client = tenant_client(cast, cast.admin)
    headers = ["When", "Imported by", "File", "Status", "Rows", "Created", "Updated",
               "Skipped as duplicates", "Flagged as duplicates", "Refused rows", "Warnings"]  # fmt: skip
    csv = client.get("/analytics/quality/", {"format": "csv"}).content.decode("utf-8-sig")
    lines = csv.splitlines()
    assert lines[0] == ",".join(headers)
    assert lines[1].endswith(f",{cast.admin.full_name},spring-expo.xlsx,Done,10,5,1,2,1,2,2")
    assert len(lines) == 3
    xlsx = client.get("/analytics/quality/", {"format": "xlsx"})
    assert xlsx["Content-Disposition"] == 'attachment; filename="imports.xlsx"'
    rows = [
        [c.value for c in row] for row in load_workbook(io.BytesIO(xlsx.content)).active.iter_rows()
    ]
    assert rows[0] == headers
    assert rows[1][1:] == [cast.admin.full_name, "spring-expo.xlsx", "Done", 10, 5, 1, 2, 1, 2, 2]
    assert rows[2][1:] == [cast.manager.full_name, "vendor.csv", "Failed", 4, 1, 0, 0, 1, 1, 0]
    assert len(rows) == 3


def test_an_empty_workspace_says_no_import_yet_and_links_to_the_import_page(in_tenant_a):
    cast = in_tenant_a
    page = tenant_client(cast, cast.admin).get("/analytics/quality/").content.decode()
    assert "No imports yet." in page
    assert f'href="{reverse("leads-import")}"' in page
    assert "No leads were merged in this period." in page
    assert "No open leads." in page


def test_imports_only_before_the_period_say_none_in_this_period(in_tenant_a):
    cast = in_tenant_a
    _import(cast.admin, "old.csv", days_ago=60)
    page = tenant_client(cast, cast.admin).get("/analytics/quality/").content.decode()
    assert "No lead list was imported in this period." in page
    assert "No imports yet." not in page


def test_the_page_makes_as_many_queries_whatever_the_number_of_imports(data):
    cast, *_rest = data
    client = tenant_client(cast, cast.admin)
    client.get("/analytics/quality/")  # warm caches (settings, sources)
    with CaptureQueriesContext(connection) as before:
        client.get("/analytics/quality/")
    for i in range(4):
        _import(cast.manager, f"more-{i}.csv", days_ago=1, total_rows=3, errors=1,
                issues=[(2, f"Col {i}", "bad", True), (3, "", "dup", False)])  # fmt: skip
        more = [_lead(cast.rep, LeadStatus.PENDING) for _ in range(3)]
        _merge(cast.manager, more[0], more[1:], days_ago=1)
    with CaptureQueriesContext(connection) as after:
        page = client.get("/analytics/quality/")
    assert "6 imports" in page.content.decode()
    assert len(after) == len(before)
