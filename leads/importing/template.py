"""The import template: an xlsx with the column headers (in the user's language), an example
row and an instructions sheet."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from leads.importing.mapping import targets

EXAMPLE = {
    "name": "王小明",
    "company": "上海云启智能科技有限公司",
    "job_title": "销售总监",
    "email": "xm.wang@example.com",
    "mobile": "138 0013 8000",
    "phone": "021-6255 1234",
    "city": "上海",
    "postcode": "200120",
    "region": "上海",
    "country": "CN",
    "source": "Trade show",
    "source_detail": "CIIE 2026",
    "tags": "expo, vip",
    "notes": "",
}


def import_template_build() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("Leads")
    columns = [(key, label) for key, label in targets() if key != "external_id"]
    sheet.append([label for _key, label in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.append([EXAMPLE.get(key, "") for key, _label in columns])
    for column in sheet.columns:
        sheet.column_dimensions[column[0].column_letter].width = 18
    guide = book.create_sheet(_("Instructions"))
    guide.append([_("How to fill in this template")])
    guide["A1"].font = Font(bold=True)
    for line in (
        _("One lead per row. Only the name is required; delete the example row."),
        _(
            "Keep the header row. Column names in English or Chinese are recognised (姓名, 公司名称, 手机, 邮箱 ...); you can map any column when you upload."
        ),
        _(
            "Phone numbers: any format (+86 138 0013 8000, 0086..., 021-6255 1234 ext. 12). Numbers without a country code are read in the lead's country, else the workspace's."
        ),
        _("Emails are checked; a row with an invalid email is reported and not imported."),
        _("Company size, annual revenue, priority and source must match the lists in Settings."),
        _(
            "Dates: 2026-11-22, 2026/11/22, 22.11.2026 or 2026年11月22日. Several tags or choices: separate them with commas."
        ),
        _(
            "History from another CRM: a Status of Converted, Lost, Invalid or Void (成交, 丢单, 无效 ...) imports the lead as closed, with its Closed date and Loss reason; such leads are not routed and no customer is created. Leave Status empty for new leads."
        ),
        _(
            "Duplicates (same email, phone or mobile, or same company and name) are caught; you choose to skip them, fill the existing lead's empty fields, or create and tag them."
        ),
        _(
            "Up to 200,000 rows and 50 MB per file. Rows with problems are listed in a downloadable report; the good rows are imported."
        ),
    ):
        guide.append([line])
    guide.column_dimensions["A"].width = 120
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
