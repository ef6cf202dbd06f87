"""Files on a lead: what may be attached (judged by the bytes, not the name or the browser),
where it is stored (per tenant, under a random name), who may download and delete it, the
Files panel, the change history, merges and their undo, conversion, and the sweep that takes
the files of deleted leads out of storage."""

import hashlib
import io
import os
import threading
import zipfile
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import tenant_context

from conversion.services.convert import ConvertRequest, lead_convert
from leads.errors import LeadError
from leads.models import Attachment, Lead
from leads.services import attachments as attachment_services
from leads.services import lead as lead_services
from leads.services.attachments import (
    attachment_add,
    attachment_delete,
    attachments_add,
    attachments_cleanup,
)
from leads.services.merge import lead_merge, lead_merge_undo
from leads.services.sharing import lead_member_add
from leads.tasks.files import files_cleanup
from tests.conftest import _load_cast, tenant_client

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "lead-files"}

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"card-photo" * 20
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64 + b"This program"
SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
CSV_GB18030 = "姓名,手机\n张伟,13800138000\n".encode("gb18030")


def _zip(names: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in names.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
XLSX = _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
XLSM = _zip(
    {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<w/>", "xl/vbaProject.bin": b"x"}
)
ODT = _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<c/>"})
ARCHIVE = _zip({"setup.exe": EXE})


def _file(name: str, data: bytes, content_type: str = "application/octet-stream"):
    """An upload as a browser sends it: the type it claims says nothing."""
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def lead(cast_a):
    with tenant_context(cast_a.tenant):
        return lead_services.lead_create(
            actor=cast_a.rep, owner=cast_a.rep, name="Zhang Wei", company="Suzhou Hengtai Valves"
        )


def _stored(media) -> list[str]:
    folder = media / "alpha" / "attachments"
    return sorted(str(p) for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def _download_url(attachment) -> str:
    return reverse("leads-attachment-download", kwargs={"uuid": attachment.uuid})


def _delete_url(attachment) -> str:
    return reverse("leads-attachment-delete", kwargs={"uuid": attachment.uuid})


def _upload_url(lead) -> str:
    return reverse("leads-attachment-upload", kwargs={"uuid": lead.uuid})


# What may be attached -------------------------------------------------------------------------


def test_an_image_is_stored_per_tenant_under_a_random_name_with_the_type_its_bytes_show(
    in_tenant_a, lead, media
):
    attachment = attachment_add(
        lead=lead,
        actor=in_tenant_a.rep,
        upload=_file("名片 Zhang Wei.png", PNG),
        description="  Card  ",
    )
    attachment.refresh_from_db()
    assert attachment.content_type == "image/png"  # not the browser's octet-stream
    assert (attachment.size, attachment.sha256) == (len(PNG), hashlib.sha256(PNG).hexdigest())
    assert attachment.original_name == "名片 Zhang Wei.png"
    assert attachment.description == "Card"
    assert attachment.uploaded_by == in_tenant_a.rep
    path = attachment.file.path
    assert path.startswith(str(media / "alpha" / "attachments"))  # MEDIA_ROOT/<schema>/...
    assert "Zhang" not in path
    assert path.endswith(".png")
    with open(path, "rb") as stored:
        assert stored.read() == PNG


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("quote.pdf", PDF, "application/pdf"),
        ("proposal.docx", DOCX, "application/vnd.openxmlformats-officedocument."
                                "wordprocessingml.document"),
        ("price list.xlsx", XLSX, "application/vnd.openxmlformats-officedocument."
                                  "spreadsheetml.sheet"),
        ("minutes.odt", ODT, "application/vnd.oasis.opendocument.text"),
        ("contacts.csv", CSV_GB18030, "text/csv; charset=gb18030"),
        ("notes.txt", b"Call back Tuesday", "text/plain; charset=utf-8"),
        ("photo.jpeg", PNG, "image/png"),  # a PNG named .jpeg is still a PNG
    ],
)  # fmt: skip
def test_documents_spreadsheets_and_text_are_attached_with_their_real_type(
    in_tenant_a, lead, name, data, content_type
):
    attachment = attachment_add(lead=lead, actor=in_tenant_a.rep, upload=_file(name, data))
    assert attachment.content_type == content_type


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("card.jpg", EXE, "Programs and scripts cannot be attached"),  # a renamed .exe
        ("setup.exe", PNG, "Programs and scripts cannot be attached"),
        ("logo.svg", SVG, "SVG images cannot be attached"),
        ("logo.png", SVG, "SVG images cannot be attached"),  # an SVG under an image's name
        ("quote.html", HTML, "Web pages and SVG images cannot be attached"),
        ("quote.txt", HTML, "Web pages and SVG images cannot be attached"),
        ("budget.xlsm", XLSM, "Office files with macros cannot be attached"),
        ("budget.xlsx", XLSM, "Office files with macros cannot be attached"),
        ("files.zip", ARCHIVE, "This type of file cannot be attached"),
        ("quote.docx", b"PK\x03\x04" + b"\x00" * 40, "This type of file cannot be attached"),
        ("data.bin.dat", b"\x00\x01\x02binary", "This type of file cannot be attached"),
        ("empty.pdf", b"", "The file is empty"),
    ],
)
def test_programs_web_pages_svg_macros_and_other_types_are_refused_and_nothing_is_stored(
    in_tenant_a, lead, media, name, data, message
):
    with pytest.raises(LeadError, match=message):
        attachment_add(lead=lead, actor=in_tenant_a.rep, upload=_file(name, data, "image/jpeg"))
    assert not Attachment.objects.filter(lead=lead).exists()
    assert _stored(media) == []


def test_a_file_over_20_mb_is_refused(in_tenant_a, lead, media):
    big = _file("brochure.pdf", b"%PDF-1.7\n" + b"0" * (20 * 1024 * 1024))
    with pytest.raises(LeadError, match="A file may be at most 20"):
        attachment_add(lead=lead, actor=in_tenant_a.rep, upload=big)
    assert _stored(media) == []


def test_the_workspace_total_is_a_limit_and_deleted_files_free_their_space(
    in_tenant_a, lead, monkeypatch, django_capture_on_commit_callbacks
):
    cast = in_tenant_a
    monkeypatch.setattr(attachment_services, "TENANT_MAX_BYTES", len(PDF) + len(PNG) + 10)
    first = attachment_add(lead=lead, actor=cast.rep, upload=_file("quote.pdf", PDF))
    attachment_add(lead=lead, actor=cast.rep, upload=_file("card.png", PNG))
    with pytest.raises(LeadError, match="reached their limit"):
        attachment_add(lead=lead, actor=cast.rep, upload=_file("notes.txt", b"a" * 20))
    with django_capture_on_commit_callbacks(execute=True):
        attachment_delete(attachment=first, actor=cast.rep)
    attachment_add(lead=lead, actor=cast.rep, upload=_file("notes.txt", b"a" * 20))


def test_the_same_file_is_attached_once_per_lead(in_tenant_a, lead):
    cast = in_tenant_a
    attachment_add(lead=lead, actor=cast.rep, upload=_file("quote.pdf", PDF))
    with pytest.raises(LeadError, match=r"already attached to the lead \(quote.pdf\)"):
        attachment_add(lead=lead, actor=cast.rep, upload=_file("quote (1).pdf", PDF))
    other = lead_services.lead_create(actor=cast.rep, owner=cast.rep, name="Li Na")
    attachment_add(lead=other, actor=cast.rep, upload=_file("quote.pdf", PDF))  # another lead


def test_of_several_files_the_good_ones_are_attached_and_each_refusal_names_its_file(
    in_tenant_a, lead
):
    outcome = attachments_add(
        lead=lead,
        actor=in_tenant_a.rep,
        uploads=[_file("card.png", PNG), _file("card2.jpg", EXE), _file("quote.pdf", PDF)],
    )
    assert [a.original_name for a in outcome.added] == ["card.png", "quote.pdf"]
    assert outcome.refused == [("card2.jpg", "Programs and scripts cannot be attached.")]


def test_someone_who_may_only_read_the_lead_cannot_attach(in_tenant_a, lead):
    lead_member_add(lead=lead, user=in_tenant_a.teammate, access="read", actor=in_tenant_a.rep)
    with pytest.raises(LeadError, match="You may not add files"):
        attachment_add(lead=lead, actor=in_tenant_a.teammate, upload=_file("quote.pdf", PDF))


# The Files panel, download and delete through the pages ---------------------------------------


def test_several_files_are_uploaded_with_htmx_and_the_panel_lists_them_with_thumbnails(
    cast_a, lead
):
    client = tenant_client(cast_a, cast_a.rep)
    response = client.post(
        _upload_url(lead),
        {"file": [_file("card.png", PNG), _file("quote.pdf", PDF)], "description": "Expo"},
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="lead-files"' in html
    assert "2 files attached." in html
    with tenant_context(cast_a.tenant):
        card, quote = (Attachment.objects.get(lead=lead, original_name=n)
                       for n in ("card.png", "quote.pdf"))  # fmt: skip
    assert f'<img src="{_download_url(card)}"' in html  # an image shows itself
    assert f'<img src="{_download_url(quote)}"' not in html
    assert '<span class="file-kind">PDF</span>' in html
    assert "Riley Rep alpha" in html
    assert "Expo" in html
    page = client.get(reverse("leads-detail", kwargs={"uuid": lead.uuid})).content.decode()
    assert "card.png" in page
    assert "quote.pdf" in page
    assert 'action="' + _upload_url(lead) in page


def test_a_refused_upload_says_why_in_the_panel_and_without_htmx_as_a_message(cast_a, lead):
    client = tenant_client(cast_a, cast_a.rep)
    html = client.post(_upload_url(lead), {"file": _file("card.jpg", EXE)}, **HTMX).content
    assert b"<strong>card.jpg</strong>: Programs and scripts cannot be attached." in html
    response = client.post(_upload_url(lead), {"file": _file("logo.svg", SVG)}, follow=True)
    assert "logo.svg: Web pages and SVG images cannot be attached" in response.content.decode()
    with tenant_context(cast_a.tenant):
        assert not Attachment.objects.filter(lead=lead).exists()


def test_download_is_an_attachment_in_the_sniffed_type_that_the_browser_may_not_sniff(cast_a, lead):
    with tenant_context(cast_a.tenant):
        attachment = attachment_add(
            lead=lead, actor=cast_a.rep, upload=_file("报价单.pdf", PDF, "text/html")
        )
    response = tenant_client(cast_a, cast_a.rep).get(_download_url(attachment))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E6%8A%A5%E4%BB%B7%E5%8D%95.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_a_rep_who_may_not_see_the_lead_gets_404_on_download_delete_and_upload(cast_a, lead):
    with tenant_context(cast_a.tenant):
        attachment = attachment_add(lead=lead, actor=cast_a.rep, upload=_file("quote.pdf", PDF))
    other_rep = tenant_client(cast_a, cast_a.teammate)
    assert other_rep.get(_download_url(attachment)).status_code == 404
    assert other_rep.post(_delete_url(attachment)).status_code == 404
    assert (
        other_rep.post(_upload_url(lead), {"file": _file("x.pdf", PDF + b"x")}).status_code == 404
    )
    with tenant_context(cast_a.tenant):
        assert Attachment.objects.get(pk=attachment.pk).deleted_at is None
        assert Attachment.objects.filter(lead=lead).count() == 1


def test_another_tenant_gets_404_for_the_file(cast_a, cast_b, lead):
    with tenant_context(cast_a.tenant):
        attachment = attachment_add(lead=lead, actor=cast_a.rep, upload=_file("quote.pdf", PDF))
    admin_b = tenant_client(cast_b, cast_b.admin)
    assert admin_b.get(_download_url(attachment)).status_code == 404
    assert admin_b.post(_delete_url(attachment)).status_code == 404
    assert admin_b.post(_upload_url(lead), {"file": _file("x.pdf", PDF)}).status_code == 404


def test_a_read_only_member_downloads_but_may_neither_upload_nor_delete(cast_a, lead):
    with tenant_context(cast_a.tenant):
        attachment = attachment_add(lead=lead, actor=cast_a.rep, upload=_file("quote.pdf", PDF))
        lead_member_add(lead=lead, user=cast_a.teammate, access="read", actor=cast_a.rep)
    member = tenant_client(cast_a, cast_a.teammate)
    assert member.get(_download_url(attachment)).status_code == 200
    page = member.get(reverse("leads-detail", kwargs={"uuid": lead.uuid})).content.decode()
    assert "quote.pdf" in page
    assert _upload_url(lead) not in page
    assert _delete_url(attachment) not in page
    assert member.post(_upload_url(lead), {"file": _file("x.pdf", PDF + b"x")}).status_code == 403
    assert member.post(_delete_url(attachment)).status_code == 403


@pytest.mark.parametrize("who", ["teammate", "rep", "admin"])  # uploader, owner, tenant admin
def test_the_uploader_the_owner_and_an_admin_delete_a_file_and_it_leaves_storage(
    cast_a, lead, who, media, django_capture_on_commit_callbacks
):
    with tenant_context(cast_a.tenant):
        lead_member_add(lead=lead, user=cast_a.teammate, access="write", actor=cast_a.rep)
        attachment = attachment_add(
            lead=lead, actor=cast_a.teammate, upload=_file("quote.pdf", PDF)
        )
    path = attachment.file.path
    with django_capture_on_commit_callbacks(execute=True):
        response = tenant_client(cast_a, getattr(cast_a, who)).post(_delete_url(attachment), **HTMX)
    assert response.status_code == 200
    assert "Deleted quote.pdf." in response.content.decode()
    assert not os.path.exists(path)
    with tenant_context(cast_a.tenant):
        gone = Attachment.objects.get(pk=attachment.pk)
    assert gone.deleted_at is not None
    assert gone.deleted_by == getattr(cast_a, who)
    assert gone.file.name == ""
    assert tenant_client(cast_a, cast_a.rep).get(_download_url(attachment)).status_code == 404


def test_the_owners_manager_may_write_the_lead_but_not_delete_someone_elses_file(cast_a, lead):
    with tenant_context(cast_a.tenant):
        attachment = attachment_add(lead=lead, actor=cast_a.rep, upload=_file("quote.pdf", PDF))
    manager = tenant_client(cast_a, cast_a.manager)
    page = manager.get(reverse("leads-detail", kwargs={"uuid": lead.uuid})).content.decode()
    assert _upload_url(lead) in page
    assert _delete_url(attachment) not in page
    assert manager.post(_delete_url(attachment)).status_code == 403
    with tenant_context(cast_a.tenant):
        assert Attachment.objects.get(pk=attachment.pk).deleted_at is None
        with pytest.raises(LeadError, match="Only the person who attached a file"):
            attachment_delete(attachment=attachment, actor=cast_a.manager)


def test_the_change_history_shows_files_attached_and_deleted(cast_a, lead):
    with tenant_context(cast_a.tenant):
        attachment = attachment_add(lead=lead, actor=cast_a.rep, upload=_file("quote.pdf", PDF))
        attachment_delete(attachment=attachment, actor=cast_a.admin)
    html = (
        tenant_client(cast_a, cast_a.rep)
        .get(reverse("leads-detail", kwargs={"uuid": lead.uuid}), {"tab": "history"})
        .content.decode()
    )
    assert "Attached the file quote.pdf" in html
    assert "Deleted the file quote.pdf" in html
    assert html.index("Deleted the file") < html.index("Attached the file")  # newest first


def test_a_pool_member_seeing_masked_contacts_sees_how_many_files_but_cannot_open_them(in_tenant_a):
    from pools.models import Pool
    from pools.services.claim import pool_lead_add

    cast = in_tenant_a
    pool = Pool.objects.create(name="Expo leads")
    pool.members.add(cast.teammate)
    lead = lead_services.lead_create(actor=cast.admin, name="Chen Jie", mobile="13912345678")
    pool_lead_add(pool=pool, lead=lead, actor=cast.admin)
    card = attachment_add(lead=lead, actor=cast.admin, upload=_file("card.png", PNG))
    member = tenant_client(cast, cast.teammate)
    page = member.get(reverse("leads-detail", kwargs={"uuid": lead.uuid})).content.decode()
    assert "Chen Jie" in page  # the member sees the pooled lead ...
    assert "1 file is attached. Claim the lead to see it" in page  # ... not its business card
    assert "card.png" not in page
    assert member.get(_download_url(card)).status_code == 403


# Merge, conversion, deleted leads ---------------------------------------------------------------


def test_a_merge_carries_the_files_to_the_survivor_and_undo_takes_them_back(in_tenant_a):
    cast = in_tenant_a
    keep = lead_services.lead_create(actor=cast.rep, owner=cast.rep, name="Wang Fang")
    gone = lead_services.lead_create(actor=cast.rep, owner=cast.rep, name="WANG, Fang",
                                     check_duplicates=False)  # fmt: skip
    own = attachment_add(lead=keep, actor=cast.rep, upload=_file("card.png", PNG))
    moving = attachment_add(lead=gone, actor=cast.rep, upload=_file("quote.pdf", PDF))
    merge = lead_merge(survivor=keep, others=[gone], values={}, actor=cast.rep)
    assert set(attachment_services.lead_attachments(lead=keep)) == {own, moving}
    client = tenant_client(cast, cast.rep)
    page = client.get(reverse("leads-detail", kwargs={"uuid": keep.uuid})).content.decode()
    assert "quote.pdf" in page
    assert client.get(_download_url(moving)).status_code == 200  # through the survivor

    lead_merge_undo(merge=merge, actor=cast.rep)
    assert list(attachment_services.lead_attachments(lead=keep)) == [own]
    assert list(attachment_services.lead_attachments(lead=gone)) == [moving]


def test_a_converted_leads_files_show_on_its_customer_and_stay_read_only(in_tenant_a):
    cast = in_tenant_a
    lead = lead_services.lead_create(
        actor=cast.rep, owner=cast.rep, name="Liu Yang", company="Ningbo Haitian Plastics"
    )
    quote = attachment_add(lead=lead, actor=cast.rep, upload=_file("quote.pdf", PDF))
    conversion = lead_convert(lead=lead, actor=cast.rep)
    customer_url = reverse("conversion-customer-detail", kwargs={"uuid": conversion.customer.uuid})
    client = tenant_client(cast, cast.rep)
    html = client.get(customer_url).content.decode()
    assert "quote.pdf" in html
    assert _download_url(quote) in html
    assert Attachment.objects.count() == 1
    assert client.get(_download_url(quote)).status_code == 200
    page = client.get(reverse("leads-detail", kwargs={"uuid": lead.uuid})).content.decode()
    assert _upload_url(lead) not in page
    assert _delete_url(quote) not in page
    assert client.post(_delete_url(quote)).status_code == 403


def test_the_customer_shows_no_files_of_a_converted_lead_the_reader_may_not_see(in_tenant_a):
    cast = in_tenant_a
    mine = lead_services.lead_create(actor=cast.rep, owner=cast.rep, name="Liu Yang",
                                     company="Ningbo Haitian Plastics")  # fmt: skip
    theirs = lead_services.lead_create(actor=cast.teammate, owner=cast.teammate, name="Sun Li",
                                       company="Ningbo Haitian Plastics",
                                       check_duplicates=False)  # fmt: skip
    attachment_add(lead=mine, actor=cast.rep, upload=_file("my-quote.pdf", PDF))
    attachment_add(lead=theirs, actor=cast.teammate, upload=_file("their-quote.pdf", PDF + b" "))
    customer = lead_convert(lead=mine, actor=cast.rep).customer
    lead_convert(lead=theirs, actor=cast.admin, request=ConvertRequest(customer=customer))
    url = reverse("conversion-customer-detail", kwargs={"uuid": customer.uuid})
    html = tenant_client(cast, cast.rep).get(url).content.decode()
    assert "my-quote.pdf" in html
    assert "their-quote.pdf" not in html
    html = tenant_client(cast, cast.admin).get(url).content.decode()
    assert "my-quote.pdf" in html
    assert "their-quote.pdf" in html


def test_deleting_a_lead_removes_its_files_from_storage_with_the_daily_cleanup(in_tenant_a, media):
    cast = in_tenant_a
    lead = lead_services.lead_create(actor=cast.rep, owner=cast.rep, name="Gone Lead")
    kept_lead = lead_services.lead_create(actor=cast.rep, owner=cast.rep, name="Kept Lead")
    gone = attachment_add(lead=lead, actor=cast.rep, upload=_file("card.png", PNG))
    kept = attachment_add(lead=kept_lead, actor=cast.rep, upload=_file("quote.pdf", PDF))
    gone_path, kept_path = gone.file.path, kept.file.path
    Lead.objects.filter(pk=lead.pk).delete()  # as the sample data's removal does: a cascade
    assert attachments_cleanup() == 0  # a file this young may be an upload in flight
    assert os.path.exists(gone_path)
    a_day_ago = (timezone.now() - timedelta(days=1, minutes=5)).timestamp()
    for path in (gone_path, kept_path):
        os.utime(path, (a_day_ago, a_day_ago))
    assert files_cleanup()[3] == 1  # the daily task, per tenant
    assert not os.path.exists(gone_path)
    assert os.path.exists(kept_path)  # still held by its attachment
    assert default_storage.exists(kept.file.name)


def test_simultaneous_uploads_cannot_overrun_the_workspace_total(committed_db, monkeypatch, media):
    """Real threads, each with its own Postgres connection, upload to eight leads at once when
    the workspace has room for three files: exactly three are attached, the others refused,
    and only the attached ones stay in storage. Committed data; the test removes what it
    made."""
    cast = _load_cast("alpha")
    with tenant_context(cast.tenant):
        leads = [
            lead_services.lead_create(
                actor=cast.rep, owner=cast.rep, name=f"Race Lead {i}", check_duplicates=False
            )
            for i in range(8)
        ]
        room = attachment_services.attachments_total_bytes() + 3 * 100
    monkeypatch.setattr(attachment_services, "TENANT_MAX_BYTES", room)
    outcomes: list[str] = []
    barrier = threading.Barrier(8)
    lock = threading.Lock()

    def worker(i: int) -> None:
        connection.set_tenant(cast.tenant)
        try:
            barrier.wait()
            upload = _file(f"note-{i}.txt", f"{i:03d}".encode() * 33 + b"\n")  # 100 bytes
            try:
                attachment_add(lead=leads[i], actor=cast.rep, upload=upload)
                result = "attached"
            except LeadError as exc:
                result = "full" if "reached their limit" in exc.message else exc.message
            with lock:
                outcomes.append(result)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(outcomes) == ["attached"] * 3 + ["full"] * 5
        with tenant_context(cast.tenant):
            assert Attachment.objects.filter(lead__in=leads).count() == 3
        assert len(_stored(media)) == 3  # the refused uploads' files were removed
    finally:
        with tenant_context(cast.tenant):
            Attachment.objects.filter(lead__in=leads).delete()
            Lead.objects.filter(pk__in=[lead.pk for lead in leads]).delete()
            Lead.history.filter(id__in=[lead.pk for lead in leads]).delete()
