"""Import options beyond the basics: saved mappings reused on the next file, a pool as the
destination of the new leads, and duplicates decided by the tenant's own duplicate rules."""

import pytest
from django.urls import reverse

from leads.errors import LeadError
from leads.importing.services import import_job_create, import_job_start, import_run
from leads.models import DuplicateRule, ImportIssue, ImportJob, ImportMapping, Lead
from leads.services import lead as lead_services
from pools.models import Pool, PoolEntry, PoolEvent
from tests.conftest import tenant_client

VENDOR = b"Kontakt,Firma,Handy,Notiz\nJonas Weber,Weber Tech GmbH,+49 151 11112222,met at CeBIT\n"


def _start(job, **options):
    options = {
        "on_duplicate": "skip",
        "owner": None,
        "source_detail": "",
        "run_rules": True,
    } | options
    return import_job_start(job=job, actor=job.created_by, mapping=job.mapping, **options)


def test_a_saved_mapping_is_applied_to_the_next_file_with_those_columns(in_tenant_a):
    cast = in_tenant_a
    first = import_job_create(actor=cast.admin, filename="vendor-1.csv", data=VENDOR)
    assert "0" not in first.mapping  # "Kontakt" is not a known header
    mapping = {"0": "name", "1": "company", "2": "mobile", "3": "notes"}
    import_job_start(job=first, actor=cast.admin, mapping=mapping, on_duplicate="skip",
                     owner=None, source_detail="", run_rules=False,
                     save_mapping_as="  List vendor  export ")  # fmt: skip
    saved = ImportMapping.objects.get()
    assert saved.name == "List vendor export"
    assert saved.columns == {"Kontakt": "name", "Firma": "company", "Handy": "mobile",
                             "Notiz": "notes"}  # fmt: skip
    # The next file of that vendor: columns in another order and one more (English) column.
    data = b"Email,Notiz,Handy,Kontakt,Firma\nlea@x.example,-,+49 160 1,Lea Roth,Roth AG\n"
    second = import_job_create(actor=cast.admin, filename="vendor-2.csv", data=data)
    assert second.mapping_name == "List vendor export"
    assert second.mapping == {
        "0": "email",
        "1": "notes",
        "2": "mobile",
        "3": "name",
        "4": "company",
    }
    # A file with other columns does not get it.
    other = import_job_create(actor=cast.admin, filename="o.csv", data=b"Name,Kontakt\nA,B\n")
    assert other.mapping_name == ""


def test_saved_mappings_on_the_pages(in_tenant_a):
    cast = in_tenant_a
    admin = tenant_client(cast, cast.admin)
    job = import_job_create(actor=cast.admin, filename="vendor.csv", data=VENDOR)
    map_url = reverse("leads-import-map", kwargs={"uuid": job.uuid})
    response = admin.post(map_url, {"col_0": "name", "col_1": "company", "on_duplicate": "skip",
                                    "send_to": "none", "save_mapping": "on",
                                    "save_mapping_as": "Vendor"})  # fmt: skip
    assert response.status_code == 302
    saved = ImportMapping.objects.get(name="Vendor")
    job2 = import_job_create(actor=cast.pool_admin, filename="v2.csv", data=VENDOR)
    ImportJob.objects.filter(pk=job2.pk).update(mapping={}, mapping_name="")
    other_admin = tenant_client(cast, cast.pool_admin)
    url2 = reverse("leads-import-map", kwargs={"uuid": job2.uuid})
    assert other_admin.get(f"{url2}?saved={saved.uuid}").status_code == 302
    job2.refresh_from_db()
    assert (job2.mapping, job2.mapping_name) == ({"0": "name", "1": "company"}, "Vendor")
    page = other_admin.get(url2).content.decode()
    assert "The saved mapping “Vendor” was applied" in page
    delete = reverse("leads-import-mapping-delete", kwargs={"uuid": saved.uuid})
    other_admin.post(delete)  # not the author, not a tenant admin: refused
    assert ImportMapping.objects.filter(pk=saved.pk).exists()
    admin.post(delete)
    assert not ImportMapping.objects.filter(pk=saved.pk).exists()


@pytest.fixture
def trade_show_pool(in_tenant_a):
    pool = Pool.objects.create(name="Trade shows")
    pool.admins.add(in_tenant_a.pool_admin)
    pool.members.add(in_tenant_a.rep)
    return pool


def test_import_into_a_pool(in_tenant_a, trade_show_pool):
    cast = in_tenant_a
    data = b"Name,Company\nPool One,A Ltd\nPool Two,B Ltd\n"
    job = import_job_create(actor=cast.pool_admin, filename="show.csv", data=data)
    job = import_run(_start(job, destination=f"pool:{trade_show_pool.uuid}").pk)
    assert job.created == 2
    leads = Lead.objects.filter(name__startswith="Pool ")
    assert {lead.owner_id for lead in leads} == {None}
    assert {lead.status for lead in leads} == {"unassigned"}
    entries = PoolEntry.objects.filter(lead__in=leads)
    assert {e.pool_id for e in entries} == {trade_show_pool.pk}
    assert entries.count() == 2
    assert PoolEvent.objects.filter(lead__in=leads, pool=trade_show_pool).count() == 2
    # The routing task that runs after commit leaves pooled leads where they are.
    from pools.services.routing import leads_route

    assert leads_route([lead.pk for lead in leads]).skipped == 2


def test_a_pool_with_a_default_assignee_hands_imported_leads_over(in_tenant_a, trade_show_pool):
    cast = in_tenant_a
    trade_show_pool.default_assignee = cast.rep
    trade_show_pool.save()
    job = import_job_create(actor=cast.admin, filename="s.csv", data=b"Name\nPushed Lead\n")
    import_run(_start(job, destination=f"pool:{trade_show_pool.uuid}").pk)
    lead = Lead.objects.get(name="Pushed Lead")
    assert (lead.owner, lead.status, lead.pool_entry.pool) == (cast.rep, "pending", trade_show_pool)


def test_only_pools_the_importer_administers_and_not_with_an_owner(in_tenant_a, trade_show_pool):
    cast = in_tenant_a
    other = Pool.objects.create(name="Not mine")
    job = import_job_create(actor=cast.pool_admin, filename="s.csv", data=b"Name\nX\n")
    with pytest.raises(LeadError, match="cannot send leads to that pool"):
        _start(job, destination=f"pool:{other.uuid}")
    with pytest.raises(LeadError, match="not both"):
        _start(job, destination=f"pool:{trade_show_pool.uuid}", owner=cast.rep)
    assert ImportJob.objects.get(pk=job.pk).status == "uploaded"


def test_a_pool_retired_during_the_import_leaves_the_leads_to_the_rules(
    in_tenant_a, trade_show_pool
):
    cast = in_tenant_a
    job = import_job_create(actor=cast.admin, filename="s.csv", data=b"Name\nOrphan Lead\n")
    job = _start(job, destination=f"pool:{trade_show_pool.uuid}")
    Pool.objects.filter(pk=trade_show_pool.pk).update(is_active=False)
    assert import_run(job.pk).created == 1
    lead = Lead.objects.get(name="Orphan Lead")
    assert not PoolEntry.objects.filter(lead=lead).exists()  # not lost: routing takes it


def test_import_duplicates_follow_the_tenant_rules(in_tenant_a):
    cast = in_tenant_a
    lead_services.lead_create(actor=cast.admin, name="Mia Chen", email="mia@blue.example")
    lead_services.lead_create(actor=cast.admin, name="Tom Baker", company="Shared Inbox Co",
                         email="info@shared.example")  # fmt: skip
    data = (
        b"Name,Company,Email\n"
        b"Mia Chen,,mia@blue.example\n"  # 2: same personal email: a duplicate
        b"Ann Lee,Shared Inbox Co,info@shared.example\n"  # 3: a shared mailbox, another person
        b"Jonathan Smith,Acme Industries Ltd,\n"  # 4
        b"Jonathon Smith,ACME Industries Limited,\n"  # 5: similar name, same company: row 4
    )
    job = import_run(_start(import_job_create(actor=cast.admin, filename="r.csv", data=data)).pk)
    assert (job.created, job.duplicates) == (2, 2)
    assert Lead.objects.filter(name="Ann Lee").exists()
    reasons = {i.row_number: i.reason for i in ImportIssue.objects.filter(job=job)}
    assert reasons[2] == "already in the CRM: Mia Chen (Same email address)"
    assert reasons[5] == "duplicate of row 4 in this file (Similar company and name)"
    # With the rules that look at the e-mail address switched off (the exact one, the shared
    # mailbox one and the overall evidence), the same address is no duplicate any more.
    off = ["Same email address", "Shared mailbox and similar name", "Strong overall evidence"]
    DuplicateRule.objects.filter(name__in=off).update(is_active=False)
    again = import_job_create(actor=cast.admin, filename="r2.csv",
                              data=b"Name,Email\nMia Chen-Wu,mia@blue.example\n")  # fmt: skip
    assert import_run(_start(again).pk).created == 1


def test_a_block_rule_is_not_overridden_by_create_and_tag(in_tenant_a):
    cast = in_tenant_a
    DuplicateRule.objects.filter(name="Same email address").update(action="block")
    lead_services.lead_create(actor=cast.admin, name="Rita Ora", email="rita@x.example",
                         check_duplicates=False)  # fmt: skip
    lead_services.lead_create(actor=cast.admin, name="Sam Hu", mobile="13912340000")
    data = b"Name,Email,Mobile\nRita O.,rita@x.example,\nSam Hu,,139 1234 0000\n"
    job = import_job_create(actor=cast.admin, filename="b.csv", data=data)
    job = import_run(_start(job, on_duplicate="flag").pk)
    assert (job.created, job.skipped) == (1, 1)  # the phone rule only warns: created, tagged
    assert Lead.objects.filter(email="rita@x.example").count() == 1
    assert "possible duplicate" in Lead.objects.filter(name="Sam Hu").latest("pk").tags
    issue = ImportIssue.objects.get(job=job)
    assert issue.reason.startswith("blocked by the duplicate rule “Same email address”")


def test_the_import_page_offers_pools_and_owners(in_tenant_a, trade_show_pool):
    cast = in_tenant_a
    client = tenant_client(cast, cast.pool_admin)
    job = import_job_create(actor=cast.pool_admin, filename="p.csv", data=b"Name\nPage Lead\n")
    url = reverse("leads-import-map", kwargs={"uuid": job.uuid})
    page = client.get(url).content.decode()
    assert f'value="pool:{trade_show_pool.uuid}"' in page
    assert "Pool: Trade shows" in page
    response = client.post(url, {"col_0": "name", "on_duplicate": "skip",
                                 "send_to": f"pool:{trade_show_pool.uuid}"})  # fmt: skip
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.destination, job.owner, job.run_rules) == (
        f"pool:{trade_show_pool.uuid}",
        None,
        True,
    )
    job2 = import_job_create(actor=cast.pool_admin, filename="q.csv", data=b"Name\nOwned\n")
    url2 = reverse("leads-import-map", kwargs={"uuid": job2.uuid})
    client.post(url2, {"col_0": "name", "on_duplicate": "skip",
                       "send_to": f"user:{cast.pool_admin.uuid}"})  # fmt: skip
    job2.refresh_from_db()
    assert (job2.owner, job2.destination, job2.run_rules) == (cast.pool_admin, "", False)
    job3 = import_job_create(actor=cast.pool_admin, filename="r.csv", data=b"Name\nBad\n")
    url3 = reverse("leads-import-map", kwargs={"uuid": job3.uuid})
    page3 = client.post(url3, {"col_0": "name", "on_duplicate": "skip", "send_to": "user:nope"})
    assert "That person cannot take leads." in page3.content.decode()
    assert ImportJob.objects.get(pk=job3.pk).status == "uploaded"


def test_import_leads_command_with_a_saved_mapping_and_a_pool(
    in_tenant_a, trade_show_pool, tmp_path
):
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    cast = in_tenant_a
    ImportMapping.objects.create(name="Scanner", columns={"Kontakt": "name", "Firma": "company"})
    source = tmp_path / "scan.csv"
    source.write_text("Kontakt,Firma\nCli Lead,Cli GmbH\n", encoding="utf-8")
    out = StringIO()
    call_command("import_leads", cast.tenant.slug, str(source), "--mapping", "Scanner",
                 "--pool", "Trade shows", stdout=out)  # fmt: skip
    lead = Lead.objects.get(name="Cli Lead")
    assert (lead.company, lead.pool_entry.pool) == ("Cli GmbH", trade_show_pool)
    with pytest.raises(CommandError, match="no active pool"):
        call_command("import_leads", cast.tenant.slug, str(source), "--pool", "Nope")
    with pytest.raises(CommandError, match="no mapping file or saved mapping"):
        call_command("import_leads", cast.tenant.slug, str(source), "--mapping", "Nope")


def test_rows_to_fix_keep_a_formula_looking_value_as_text(in_tenant_a):
    import io

    from openpyxl import load_workbook

    from leads.importing.services import import_error_report

    cast = in_tenant_a
    # Refused (no name); its formula-looking company stays text in the sheet to fix.
    data = b'Name,Company\n,"=HYPERLINK(""http://evil.example"")"\n'
    job = import_run(_start(import_job_create(actor=cast.admin, filename="f.csv", data=data)).pk)
    book = load_workbook(io.BytesIO(import_error_report(job)))
    cell = book["Rows to fix"]["C2"]
    assert (cell.value, cell.data_type) == ('=HYPERLINK("http://evil.example")', "s")
    assert book["Problems"]["D2"].value == "the name is required"


def test_filling_empty_fields_never_breaks_a_block_rule(in_tenant_a):
    cast = in_tenant_a
    DuplicateRule.objects.filter(name="Same mobile or direct line").update(action="block")
    lead_services.lead_create(actor=cast.admin, name="Cai Wen", mobile="13911112222")
    bea = lead_services.lead_create(actor=cast.admin, name="Bea Lin", email="bea@x.example")
    # The row is Bea (her email) but carries Cai's mobile: filling it in would make Bea a
    # duplicate of Cai under the blocking mobile rule.
    data = b"Name,Mobile,Email,City\nBea Lin,139 1111 2222,bea@x.example,Xiamen\n"
    job = import_job_create(actor=cast.admin, filename="u.csv", data=data)
    job = import_run(_start(job, on_duplicate="update").pk)
    assert (job.status, job.updated, job.skipped) == ("done", 0, 1)
    bea.refresh_from_db()
    assert (bea.mobile, bea.city) == ("", "")  # nothing half-written
    assert ImportIssue.objects.get(job=job).reason.startswith("This lead already exists")


def test_choosing_another_sheet_rereads_its_columns(in_tenant_a):
    import io

    from openpyxl import Workbook

    cast = in_tenant_a
    book = Workbook()
    book.active.title = "Summary"
    book.active.append(["Totals", "Count"])
    book.active.append(["all", 3])
    people = book.create_sheet("People")
    people.append(["姓名", "手机"])
    people.append(["张伟", "13900001111"])
    people.append(["李娜", "13900002222"])
    out = io.BytesIO()
    book.save(out)
    job = import_job_create(actor=cast.admin, filename="two.xlsx", data=out.getvalue())
    assert (job.sheet, job.total_rows) == ("Summary", 1)
    client = tenant_client(cast, cast.admin)
    url = reverse("leads-import-map", kwargs={"uuid": job.uuid})
    page = client.get(url + "?sheet=People").content.decode()
    job.refresh_from_db()
    assert (job.sheet, job.total_rows, job.mapping) == ("People", 2, {"0": "name", "1": "mobile"})
    assert "13900002222" in page


def test_the_starter_and_the_owner_hear_when_an_import_is_done(
    in_tenant_a, django_capture_on_commit_callbacks
):
    from leadcrm.notifications.models import Notification

    cast = in_tenant_a
    job = import_job_create(actor=cast.admin, filename="n.csv",
                            data=b"Name,Email\nNote One,\nNote Two,\nBad Row,nope\n")  # fmt: skip
    job = _start(job, owner=cast.rep, run_rules=False, source_detail="Expo 2026")
    with django_capture_on_commit_callbacks(execute=True):
        import_run(job.pk)
    with django_capture_on_commit_callbacks(execute=True):
        import_run(job.pk)  # a second delivery: no second notification
    mine = Notification.objects.get(recipient=cast.admin, title="Import finished: n.csv")
    # "nope" is no e-mail: Bad Row lands without it.
    assert mine.body == "3 created, 0 updated, 0 skipped, 0 with problems."
    owners = Notification.objects.filter(recipient=cast.rep, kind="lead_assigned")
    assert [(n.title, n.body) for n in owners] == [
        ("3 new leads for you", "Imported from Expo 2026.")
    ]


def test_the_list_shows_the_leads_of_one_import(in_tenant_a):
    cast = in_tenant_a
    lead_services.lead_create(actor=cast.admin, name="Not Imported")
    job = import_job_create(actor=cast.admin, filename="fair.csv",
                            data=b"Name\nFair One\nFair Two\n")  # fmt: skip
    job = import_run(_start(job).pk)
    assert set(Lead.objects.filter(import_job=job).values_list("name", flat=True)) == {
        "Fair One", "Fair Two"
    }  # fmt: skip
    client = tenant_client(cast, cast.admin)
    status = client.get(reverse("leads-import-status", kwargs={"uuid": job.uuid})).content.decode()
    assert f"imported={job.uuid}" in status
    html = client.get(reverse("leads-index") + f"?scene=all&imported={job.uuid}").content.decode()
    assert ("Fair One" in html, "Fair Two" in html, "Not Imported" in html) == (True, True, False)
    assert "The leads the import of fair.csv" in html
    garbage = client.get(reverse("leads-index") + "?scene=all&imported=nope").content.decode()
    assert "Not Imported" in garbage  # an unreadable filter is ignored, not an error


def test_an_admin_can_void_the_leads_of_an_import(in_tenant_a, django_capture_on_commit_callbacks):
    from leadcrm.jobs.models import Job
    from leads.importing.services import import_void_request
    from leads.tasks.importing import import_void_leads

    cast = in_tenant_a
    job = import_job_create(actor=cast.admin, filename="oops.csv",
                            data=b"Name\nOops One\nOops Two\nOops Three\n")  # fmt: skip
    job = import_run(_start(job).pk)
    converted = Lead.objects.get(name="Oops Three")
    Lead.objects.filter(pk=converted.pk).update(status="converted")
    with pytest.raises(LeadError, match="Only tenant admins"):
        import_void_request(job=job, actor=cast.manager)
    client = tenant_client(cast, cast.admin)
    url = reverse("leads-import-void", kwargs={"uuid": job.uuid})
    unconfirmed = client.post(url, follow=True).content.decode()
    assert "Tick the box to confirm." in unconfirmed
    assert not ImportJob.objects.get(pk=job.pk).void_requested_at
    with django_capture_on_commit_callbacks() as queued:
        client.post(url, {"confirm": "on"})
    assert len(queued) == 1  # the task, queued on commit (run below as the worker would)
    job.refresh_from_db()
    assert (job.void_job.kind, job.void_job.status, job.void_job.created_by) == (
        "import_void", "queued", cast.admin
    )  # fmt: skip
    import_void_leads(job.void_job_id)
    undo = Job.objects.get(pk=job.void_job_id)
    assert (undo.status, undo.result, undo.done, undo.total) == (
        "done", {"voided": 2, "left": 1}, 3, 3
    )  # fmt: skip
    assert set(Lead.objects.filter(import_job=job).values_list("status", flat=True)) == {
        "void", "converted"
    }  # fmt: skip
    import_void_leads(job.void_job_id)  # a second delivery: the job has ended, nothing runs
    again = import_void_request(job=job, actor=cast.admin)  # asked again: void leads are skipped
    import_void_leads(again.void_job_id)
    assert Job.objects.get(pk=again.void_job_id).result == {"voided": 0, "left": 1}
    job.refresh_from_db()
    assert job.voided == 2
    voided = Lead.objects.get(name="Oops One")
    assert voided.history.first().status == "void"
    page = client.get(reverse("leads-import-status", kwargs={"uuid": job.uuid})).content.decode()
    assert "Undone: 2 leads voided so far" in page
    rep_page = tenant_client(cast, cast.rep).post(url, {"confirm": "on"})
    assert rep_page.status_code == 403


def test_leaving_imported_leads_unassigned_skips_routing_hooks_only(
    in_tenant_a, monkeypatch, django_capture_on_commit_callbacks
):
    from leads import hooks

    cast = in_tenant_a
    called = []
    monkeypatch.setattr(hooks, "_after_create_bulk", [])
    hooks.register_after_create_bulk(lambda ids: called.append(("route", len(ids))), routes=True)
    hooks.register_after_create_bulk(lambda ids: called.append(("score", len(ids))))
    job = import_job_create(actor=cast.admin, filename="h.csv", data=b"Name\nHook One\nHook Two\n")
    with django_capture_on_commit_callbacks(execute=True):
        import_run(_start(job, run_rules=False).pk)
    assert called == [("score", 2)]
    called.clear()
    again = import_job_create(actor=cast.admin, filename="i.csv", data=b"Name\nHook Three\n")
    with django_capture_on_commit_callbacks(execute=True):
        import_run(_start(again, run_rules=True).pk)
    assert called == [("route", 1), ("score", 1)]


def test_an_importer_gives_a_file_only_to_people_they_may_assign_to(in_tenant_a):
    cast = in_tenant_a
    job = import_job_create(actor=cast.pool_admin, filename="o.csv", data=b"Name\nOwner Test\n")
    with pytest.raises(LeadError, match="only to yourself or your team"):
        _start(job, owner=cast.rep)
    page = tenant_client(cast, cast.pool_admin).get(
        reverse("leads-import-map", kwargs={"uuid": job.uuid})
    )
    html = page.content.decode()
    assert f"user:{cast.pool_admin.uuid}" in html
    assert f"user:{cast.rep.uuid}" not in html
    assert import_run(_start(job, owner=cast.pool_admin, run_rules=False).pk).created == 1


def test_the_problem_report_as_csv(in_tenant_a):
    cast = in_tenant_a
    data = "姓名,邮箱\n,x@y.example\n张伟,=cmd|calc\n".encode()
    job = import_run(_start(import_job_create(actor=cast.admin, filename="c.csv", data=data)).pk)
    client = tenant_client(cast, cast.admin)
    response = client.get(reverse("leads-import-report", kwargs={"uuid": job.uuid}) + "?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="c-problems.csv"' in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffRow,Column,Value,Reason,Imported?")
    assert "2,姓名,,the name is required,no" in text
    # Escaped, not a formula; the row landed without the value.
    assert '3,邮箱,\'=cmd|calc,not a valid email address,"yes, without this value"' in text


def test_a_failed_undo_shows_its_reason_and_can_be_asked_again(in_tenant_a):
    from leadcrm.jobs.services import job_fail
    from leads.importing.services import import_void_request

    cast = in_tenant_a
    job = import_job_create(actor=cast.admin, filename="u.csv", data=b"Name\nUndo Fails\n")
    job = import_void_request(job=import_run(_start(job).pk), actor=cast.admin)
    job_fail(job=job.void_job, error="The database went away.")
    url = reverse("leads-import-status", kwargs={"uuid": job.uuid})
    page = tenant_client(cast, cast.admin).get(url).content.decode()
    assert "The database went away." in page
    assert "Void the leads of this import" in page  # the form is back
    assert 'hx-trigger="every 1s"' not in page


def test_a_formula_looking_header_stays_text_in_the_rows_to_fix(in_tenant_a):
    import io

    from openpyxl import load_workbook

    from leads.importing.services import import_error_report

    data = b'Name,"=HYPERLINK(""http://evil.example"")"\n,x\nGood,y\n'
    job = import_run(
        _start(import_job_create(actor=in_tenant_a.admin, filename="f.csv", data=data)).pk
    )
    header = load_workbook(io.BytesIO(import_error_report(job)))["Rows to fix"]["C1"]
    assert (header.value, header.data_type) == ('=HYPERLINK("http://evil.example")', "s")
