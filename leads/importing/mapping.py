"""Column mapping: which column fills which lead field, suggested from header names in
English and Chinese, and checked values per field."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from leadcrm.parsing import text_clean
from leads.fields import postcode_clean
from leads.models import (
    CompanySize,
    CustomFieldDefinition,
    Lead,
    LeadStatus,
    LossReason,
    Priority,
    RevenueRange,
    SourceChannel,
)

SYNONYMS = {
    "name": ["name", "full name", "contact", "contact name", "contact person", "person",
             "姓名", "名字", "联系人", "客户姓名", "联系人姓名"],
    "company": ["company", "company name", "organisation", "organization", "account",
                "employer", "firm", "公司", "公司名称", "单位", "单位名称", "企业", "企业名称",
                "客户名称"],
    "job_title": ["title", "job title", "position", "role", "job", "职位", "职务", "头衔", "岗位"],
    "email": ["email", "e-mail", "email address", "mail", "邮箱", "电子邮箱", "电子邮件", "邮件"],
    "mobile": ["mobile", "mobile phone", "cell", "cell phone", "handy", "手机", "手机号",
               "手机号码", "移动电话"],
    "phone": ["phone", "telephone", "tel", "phone number", "office phone", "landline", "work phone",
              "电话", "座机", "固话", "联系电话", "办公电话"],
    "website": ["website", "web", "url", "homepage", "网址", "网站", "主页", "官网"],
    "country": ["country", "国家", "国家/地区"],
    "region": ["region", "province", "state", "省份", "省", "地区", "省/州"],
    "city": ["city", "town", "城市", "市"],
    "postcode": ["postcode", "post code", "postal code", "zip", "zip code", "zipcode", "邮编",
                 "邮政编码"],
    "address": ["address", "street", "地址", "详细地址", "公司地址"],
    "industry": ["industry", "sector", "行业", "所属行业"],
    "company_size": ["company size", "employees", "size", "公司规模", "人员规模", "规模"],
    "annual_revenue": ["annual revenue", "revenue", "年营收", "年营业额", "营收"],
    "source": ["source", "lead source", "channel", "来源", "线索来源", "渠道"],
    "source_detail": ["source detail", "event", "trade show", "来源详情", "展会"],
    # Matched to an existing campaign by name, once per batch (leads.importing.services).
    "campaign": ["campaign", "campaign name", "活动", "市场活动"],
    "product_line": ["product", "product line", "interest", "产品", "产品线", "意向产品"],
    "priority": ["priority", "优先级"],
    "tags": ["tags", "tag", "labels", "标签"],
    "notes": ["notes", "note", "comment", "comments", "remarks", "description", "备注", "说明",
              "描述"],
    "external_id": ["id", "external id", "record id", "crm id", "编号", "客户编号", "外部编号"],
    # A closed lead's history (another CRM's export): see HISTORY_TARGETS.
    "status": ["status", "lead status", "状态", "线索状态", "跟进状态", "客户状态"],
    "loss_reason": ["loss reason", "lost reason", "reason lost", "reason for loss",
                    "丢失原因", "输单原因", "丢单原因", "流失原因", "无效原因"],
    "closed_at": ["closed date", "close date", "closed at", "closed on", "date closed",
                  "won date", "lost date", "converted date", "conversion date", "关闭日期",
                  "关闭时间", "成交日期", "成交时间", "结单日期", "转化日期", "丢单日期"],
    "created_at": ["created", "created date", "created at", "created on", "create date",
                   "date created", "creation date", "创建日期", "创建时间", "创建", "录入日期",
                   "录入时间"],
}  # fmt: skip
BUILTIN_TARGETS = list(SYNONYMS)
#: Targets that say where a lead's life stands rather than who it is: a wrong guess would
#: close open leads or refuse every row, so they are suggested on a whole header only.
HISTORY_TARGETS = ("status", "loss_reason", "closed_at", "created_at")


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").casefold()
    return re.sub(r"[\s_\-:：/()（）*]+", " ", text).strip()


def targets() -> list[tuple[str, str]]:
    """(target, label) pairs for the mapping selects: lead fields, then custom fields."""
    labels = {}
    for key in BUILTIN_TARGETS:
        if key == "external_id":
            labels[key] = _("External ID (kept in the lead's details)")
        elif key == "closed_at":
            labels[key] = _("Closed date (converted, lost or invalid)")
        elif key == "created_at":
            labels[key] = _("Created date")
        else:
            labels[key] = str(Lead._meta.get_field(key).verbose_name).capitalize()
    out = [(key, labels[key]) for key in BUILTIN_TARGETS]
    for definition in CustomFieldDefinition.objects.filter(record="lead", is_active=True):
        out.append((f"cf:{definition.key}", definition.label))
    return out


def mapping_suggest(headers: list[str], custom=()) -> dict[int, str]:
    """{column index: target} for the columns whose header names a field; each target once."""
    lookup = {_norm(s): target for target, words in SYNONYMS.items() for s in words}
    for key, label in custom:
        lookup.setdefault(_norm(label), f"cf:{key}")
        lookup.setdefault(_norm(key), f"cf:{key}")
    used, out = set(), {}
    for index, header in enumerate(headers):
        target = lookup.get(_norm(header))
        if target is None:
            for word, candidate in lookup.items():
                if (
                    len(word) >= 3
                    and word in _norm(header)
                    and candidate not in used
                    and candidate not in HISTORY_TARGETS
                ):
                    target = candidate
                    break
        if target and target not in used:
            out[index] = target
            used.add(target)
    return out


_CHOICES = {
    "priority": Priority,
    "company_size": CompanySize,
    "annual_revenue": RevenueRange,
}


def value_clean(target: str, raw: str, context: dict) -> tuple[object, str | None]:
    """(value for the lead, None) or (None, the reason in words) for one cell. A loss reason
    the tenant does not have yet comes back as its name (a str): the run creates it. Control
    characters are dropped; a text longer than its column is a problem of the cell (so one
    bad cell never fails the batch it is in)."""
    raw = text_clean(raw or "").strip()
    if not raw:
        return "", None
    value, reason = _value_clean(target, raw, context)
    limit = _MAX_LENGTH.get(target)
    if reason is None and isinstance(value, str) and limit and len(value) > limit:
        return None, _("longer than %(max)d characters") % {"max": limit}
    return value, reason


#: Text columns of the lead and their lengths, for the cells mapped to them.
_MAX_LENGTH = {
    field.name: field.max_length
    for field in Lead._meta.get_fields()
    if getattr(field, "max_length", None) and not field.is_relation
}


def _value_clean(target: str, raw: str, context: dict) -> tuple[object, str | None]:
    if target == "email":
        value = unicodedata.normalize("NFKC", raw).strip().lower()
        try:
            validate_email(value)
        except ValidationError:
            return None, _("not a valid email address")
        return value, None
    if target in ("phone", "mobile"):
        value = unicodedata.normalize("NFKC", raw)
        if sum(c.isdigit() for c in value) < 5:
            return None, _("too few digits for a phone number")
        return value[:40], None
    if target in _CHOICES:
        choices = _CHOICES[target]
        norm = _norm(raw)
        for value, label in choices.choices:
            if norm in (_norm(value), _norm(str(label))):
                return value, None
        return None, _("not one of: %(values)s") % {"values": ", ".join(choices.values)}
    if target == "source":
        source = context["sources"].get(_norm(raw))
        if source is None:
            return None, _("unknown source; choose one of the tenant's source channels")
        return source, None
    if target == "tags":
        return [t.strip() for t in re.split(r"[,，、;；]", raw) if t.strip()], None
    if target == "postcode":
        try:
            return postcode_clean(raw), None
        except ValueError as exc:
            return None, str(exc)
    if target == "country":
        return (raw.upper()[:2] if len(raw) <= 3 else raw[:2].upper()), None
    if target == "campaign":  # a name; the run looks the batch's names up at once
        return " ".join(raw.split())[:200], None
    if target.startswith("cf:"):
        return _custom_clean(context["custom"].get(target[3:]), raw)
    if target in HISTORY_TARGETS:
        return _history_clean(target, raw, context)
    return raw, None


#: Words other CRMs and spreadsheets use for a status, besides its value and its label in
#: each language of the UI (matched case-insensitively).
STATUS_SYNONYMS = {
    LeadStatus.UNASSIGNED: ["new", "open", "not assigned", "未分配", "新线索", "新建"],
    LeadStatus.PENDING: ["assigned", "to follow up", "已分配", "待处理"],
    LeadStatus.FOLLOWING_UP: ["follow up", "follow-up", "working", "contacted", "in progress",
                              "跟进", "已联系", "联系中", "进行中"],
    LeadStatus.QUALIFIED: ["qualified", "sales qualified", "sql", "已确认", "已合格", "有效"],
    LeadStatus.NURTURE: ["nurturing", "培育", "孵化", "孵化中"],
    LeadStatus.CONVERTED: ["won", "closed won", "deal", "customer", "converted", "成交", "已成交",
                           "赢单", "已赢单", "转化", "已转客户", "签约", "已签约"],
    LeadStatus.LOST: ["lost", "closed lost", "unqualified", "disqualified", "dead", "丢单",
                      "已丢单", "输单", "已输单", "丢失", "已丢失", "流失", "已流失", "不合格"],
    LeadStatus.INVALID: ["junk", "spam", "bad data", "无效线索", "垃圾线索"],
    LeadStatus.VOID: ["deleted", "void", "作废"],
}  # fmt: skip
#: Statuses a lead's life ends in: a row with one is imported as history (see
#: leads.services.bulk_create.leads_create_closed_bulk), never routed nor converted.
CLOSED_STATUSES = (LeadStatus.CONVERTED, LeadStatus.LOST, LeadStatus.INVALID, LeadStatus.VOID)
OLDEST_DATE = date(1900, 1, 1)


def status_lookup() -> dict[str, str]:
    """{normalised word: status} from the values, the labels in every UI language and
    STATUS_SYNONYMS."""
    lookup: dict[str, str] = {}
    for status, words in STATUS_SYNONYMS.items():
        for word in words:
            lookup.setdefault(_norm(word), status)
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for value, label in LeadStatus.choices:
                lookup[_norm(str(label))] = value
                for part in re.split(r"\s+/\s+", str(label)):  # "Lost / unqualified"
                    lookup.setdefault(_norm(part), value)
    for value in LeadStatus.values:
        lookup[_norm(value)] = value
    return lookup


def _history_clean(target: str, raw: str, context: dict) -> tuple[object, str | None]:
    """A status, a loss reason (an existing one, or the name of one to create) or a date."""
    if target == "status":
        status = context["statuses"].get(_norm(raw))
        if status is None:
            return None, _("unknown status; use one of: %(values)s") % {
                "values": ", ".join(str(label) for _value, label in LeadStatus.choices)
            }
        return status, None
    if target == "loss_reason":
        name = " ".join(raw.split())
        if len(name) > 100:
            return None, _("a loss reason has at most 100 characters")
        return context["loss_reasons"].get(_norm(name), name), None
    parsed = date_parse(raw)
    if parsed is None:
        return None, _("not a date (use 2026-11-22)")
    if parsed > timezone.localdate():
        return None, _("the date is in the future")
    if parsed < OLDEST_DATE:
        return None, _("the date is before 1900")
    return parsed, None


def _custom_clean(definition, raw: str):
    if definition is None:
        return None, _("unknown custom field")
    kind = definition.field_type
    if kind == "number":
        text = unicodedata.normalize("NFKC", raw).replace(",", "").strip()
        multiplier = 1
        if text.endswith("万"):
            text, multiplier = text[:-1], 10_000
        try:
            number = float(text) * multiplier
        except ValueError:
            return None, _("not a number")
        return (int(number) if number.is_integer() else number), None
    if kind == "date":
        parsed = date_parse(raw)
        return (parsed.isoformat(), None) if parsed else (None, _("not a date (use 2026-11-22)"))
    if kind == "boolean":
        norm = raw.strip().casefold()
        if norm in ("yes", "y", "true", "1", "是", "对", "x"):
            return True, None
        if norm in ("no", "n", "false", "0", "否", "不"):
            return False, None
        return None, _("not yes or no")
    if kind == "choice":
        if raw in definition.choices:
            return raw, None
        return None, _("not one of: %(values)s") % {"values": ", ".join(definition.choices)}
    if kind == "multi_choice":
        values = [v.strip() for v in re.split(r"[,，、;；]", raw) if v.strip()]
        wrong = [v for v in values if v not in definition.choices]
        if wrong:
            return None, _("not one of: %(values)s") % {"values": ", ".join(definition.choices)}
        return values, None
    return raw, None


def date_parse(raw: str) -> date | None:
    text = unicodedata.normalize("NFKC", raw).strip()
    match = re.fullmatch(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?", text)
    if match:
        text = "-".join(match.groups())
    if re.fullmatch(r"\d{5}(\.0)?", text):  # an Excel serial day number
        return date(1899, 12, 30) + timedelta(days=int(float(text)))
    for pattern in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%d.%m.%Y", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    if match:
        a, b, year = (int(x) for x in match.groups())
        try:
            if a > 12:
                return date(year, b, a)
            if b > 12:
                return date(year, a, b)
        except ValueError:  # 45/3/2026: no such day
            return None
    return None


def clean_context() -> dict:
    sources = {}
    for source in SourceChannel.objects.filter(is_active=True):
        sources[_norm(source.name)] = source
        sources[_norm(source.code)] = source
    custom = {d.key: d for d in CustomFieldDefinition.objects.filter(record="lead", is_active=True)}
    loss_reasons = {}
    for reason in LossReason.objects.order_by("-is_active", "position", "pk"):
        loss_reasons.setdefault(_norm(reason.name), reason)
    return {
        "sources": sources,
        "custom": custom,
        "statuses": status_lookup(),
        "loss_reasons": loss_reasons,
    }
