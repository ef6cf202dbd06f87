import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context

from leads.errors import LeadError
from leads.models import Activity
from leads.services import lead as lead_services
from tests.conftest import tenant_client


def _audio(name="call.mp3", size=100):
    return SimpleUploadedFile(name, b"ID3" + b"x" * size, content_type="audio/mpeg")


def test_call_recording_is_stored_per_tenant_and_streamed_to_who_may_see_the_lead(
    cast_a, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    with tenant_context(cast_a.tenant):
        lead = lead_services.lead_create(actor=cast_a.rep, owner=cast_a.rep, name="Rec Lead")
    client = tenant_client(cast_a, cast_a.rep)
    client.post(f"/leads/{lead.uuid}/activities/", {"kind": "call", "recording": _audio()})
    with tenant_context(cast_a.tenant):
        activity = Activity.objects.get(lead=lead)
    assert "/alpha/recordings/" in activity.recording.path  # MEDIA_ROOT/<schema>/...
    response = client.get(f"/leads/activities/{activity.uuid}/recording/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"ID3")
    assert (
        tenant_client(cast_a, cast_a.teammate)
        .get(f"/leads/activities/{activity.uuid}/recording/")
        .status_code
        == 404
    )


@pytest.mark.parametrize(
    ("kind", "upload", "message"),
    [
        ("call", _audio("notes.exe"), "audio file"),
        ("meeting", _audio(), "Only calls"),
        ("call", _audio(size=26 * 1024 * 1024), "25 MB"),
    ],
)
def test_bad_recordings_are_refused_and_nothing_is_logged(in_tenant_a, kind, upload, message):
    lead = lead_services.lead_create(actor=in_tenant_a.rep, owner=in_tenant_a.rep, name="X")
    with pytest.raises(LeadError, match=message):
        lead_services.activity_log(lead=lead, actor=in_tenant_a.rep, kind=kind, recording=upload)
    assert not Activity.objects.filter(lead=lead).exists()
