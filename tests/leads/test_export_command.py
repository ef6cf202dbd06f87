"""manage.py export_leads: every lead of a tenant to CSV or xlsx, as the Export button does."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from django_tenants.utils import tenant_context
from openpyxl import load_workbook

from leads.services import lead as lead_services
from leads.services.custom_fields import custom_field_create


def _leads(cast):
    with tenant_context(cast.tenant):
        custom_field_create(actor=cast.admin, key="booth", label="Booth", field_type="text")
        lead_services.lead_create(
            actor=cast.admin, owner=cast.rep, name="王芳", company="联华",
            custom_data={"booth": "A1"},
        )  # fmt: skip
        lost = lead_services.lead_create(
            actor=cast.admin, owner=cast.rep, name="=cmd|' /C calc'!A0"
        )
        lead_services.lead_change_status(lead=lost, to_status="nurture", actor=cast.admin)


def test_the_command_writes_every_lead_with_custom_fields_safe_cells(cast_a, tmp_path):
    _leads(cast_a)
    out = io.StringIO()
    target = tmp_path / "leads.csv"
    call_command("export_leads", cast_a.tenant.slug, str(target), stdout=out)
    text = target.read_text(encoding="utf-8")
    assert text.startswith("\ufeff")  # Excel reads the Chinese right
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    header, body = rows[0], rows[1:]
    assert "Booth" in header
    assert {"Score", "Grade", "Status"} <= set(header)
    names = [row[header.index("Name")] for row in body]
    assert "王芳" in names
    assert "'=cmd|' /C calc'!A0" in names  # a formula is written as text
    assert row_for(header, body, "王芳")[header.index("Booth")] == "A1"
    assert f"exported leads={len(body)}" in out.getvalue()


def row_for(header, body, name):
    return next(row for row in body if row[header.index("Name")] == name)


def test_status_filter_language_and_xlsx(cast_a, tmp_path):
    _leads(cast_a)
    target = tmp_path / "nurture.xlsx"
    call_command(
        "export_leads", cast_a.tenant.slug, str(target), "--format", "xlsx",
        "--status", "nurture", "--language", "zh-hans", stdout=io.StringIO(),
    )  # fmt: skip
    sheet = load_workbook(target, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2  # the header and the one nurture lead
    assert {"姓名", "评分", "状态"} <= set(rows[0])  # headers in the language asked for
    assert rows[1][rows[0].index("状态")] == "培育中"


def test_an_unknown_tenant_or_folder_is_refused(cast_a, tmp_path):
    with pytest.raises(CommandError, match="no tenant"):
        call_command("export_leads", "nope", str(tmp_path / "x.csv"))
    with pytest.raises(CommandError, match="no folder"):
        call_command("export_leads", cast_a.tenant.slug, str(tmp_path / "missing" / "x.csv"))
