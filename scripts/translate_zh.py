#!/usr/bin/env python3
"""Fill in the Simplified Chinese catalogue (locale/zh_Hans/LC_MESSAGES/django.po).

Usage (from the project root):
    .venv/bin/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=.data \
        --ignore=node_modules --no-obsolete
    .venv/bin/python scripts/translate_zh.py [--check] [PO_FILE]
    .venv/bin/python manage.py compilemessages --ignore=.venv

What it does:
  * fixes the header (Language, Plural-Forms, charset) and drops the header's fuzzy flag;
  * fills every entry that is untranslated, or fuzzy (msgmerge's guess), from ZH below,
    and removes its fuzzy flag;
  * leaves entries that already have a non-fuzzy translation exactly as they are
    (so hand edits made directly in the .po survive);
  * checks that placeholders (%(name)s, %s, ...) and HTML tags of each translation it
    writes match the msgid;
  * lists the msgids that still have no translation, and exits with status 1 when there
    are any (add them to ZH and run it again).

--check writes nothing: it only reports what would be filled and what is missing.
Only the standard library is used.
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import datetime, timezone
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_PO = PROJECT_DIR / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"

HEADER_FIELDS = {
    "Language": "zh_Hans",
    "Language-Team": "Chinese (Simplified)",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "8bit",
    "Plural-Forms": "nplurals=1; plural=0;",
}

# Terminology: lead 线索, lead pool 线索池, sales rep 销售代表, tenant admin 租户管理员,
# pool admin 线索池管理员, manager 经理, workspace 工作空间, sign in 登录,
# sign out 退出登录, team 团队, department 部门, reports to 直属上级, invitation 邀请,
# subdomain 子域名, conversion 转化, follow-up 跟进, analytics 数据分析, settings 设置.
# Style: full-width punctuation; a space between Chinese and Latin words / placeholders.
#
# msgid -> msgstr. For an entry with msgctxt use the key (msgctxt, msgid); for a plural
# entry the value is msgstr[0] (Chinese has a single form).
ZH: dict[str | tuple[str, str], str] = {
    # --- accounts: forms and models -------------------------------------------------
    "Email": "邮箱",
    "Full name": "姓名",
    "Roles": "角色",
    "Team": "团队",
    "No team": "未分配团队",
    "Reports to": "直属上级",
    "Nobody (top of the hierarchy)": "无（组织架构最顶层）",
    "Left empty, the team's manager is used.": "留空则默认为所在团队的经理。",
    "Phone": "电话",
    "Language": "语言",
    "Browser default": "跟随浏览器",
    "Password": "密码",
    "Leave empty to email an invitation with a link to choose one.":
        "留空则发送邀请邮件，由对方通过邮件中的链接自行设置密码。",
    "Active (can sign in)": "启用（可以登录）",
    "Away (gets no new leads from assignment rules)": "暂离（分配规则不再向其分配新线索）",
    "Name": "名称",
    "Kind": "类型",
    "Part of": "上级组织",
    "Nothing": "无",
    "Manager": "经理",
    "None": "无",
    "Department": "部门",
    "name": "名称",
    "kind": "类型",
    "part of": "上级组织",
    "manager": "经理",
    "email": "邮箱",
    "full name": "姓名",
    "roles": "角色",
    "team": "团队",
    "reports to": "直属上级",
    "phone": "电话",
    "language": "语言",
    "active": "启用",
    "away": "暂离",
    "joined": "加入时间",
    "Tenant admin": "租户管理员",
    "Pool admin": "线索池管理员",
    "Sales rep": "销售代表",
    # --- accounts: services and views -----------------------------------------------
    "Enter a valid email address.": "请输入有效的邮箱地址。",
    "Unknown role: %(role)s": "未知角色：%(role)s",
    "Give the user at least one role.": "请为该用户至少分配一个角色。",
    "%(name)s cannot report to someone who reports to them.":
        "不能将 %(name)s 的直属上级设为其下属。",
    "Enter the person's name.": "请输入姓名。",
    "A user with the email %(email)s already exists.": "邮箱为 %(email)s 的用户已存在。",
    "You are invited to LeadCRM": "您受邀加入 LeadCRM",
    "You cannot deactivate your own account.": "不能停用您自己的账号。",
    "The tenant needs at least one active tenant admin.":
        "租户必须至少保留一名已启用的租户管理员。",
    "Unknown language.": "不支持该语言。",
    "Enter a name.": "请输入名称。",
    "A team named %(name)s already exists.": "名为 %(name)s 的团队已存在。",
    "A team cannot be part of itself.": "团队的上级组织不能是其自身。",
    "This sign-in link is invalid or has expired.": "此登录链接无效或已过期。",
    "This sign-in link has already been used.": "此登录链接已被使用。",
    "Welcome to LeadCRM! Your workspace is ready.": "欢迎使用 LeadCRM！您的工作空间已准备就绪。",
    "Invitation sent to %(email)s.": "已向 %(email)s 发送邀请。",
    "%(name)s can now sign in.": "%(name)s 现在可以登录了。",
    "Saved.": "已保存。",
    "Team created.": "团队已创建。",
    # --- settings --------------------------------------------------------------------
    "English": "英语",
    "Simplified Chinese": "简体中文",
    # --- tenancy ---------------------------------------------------------------------
    "Company name": "公司名称",
    "Subdomain": "子域名",
    "Lower-case letters, digits and hyphens. Your team signs in there.":
        "仅限小写字母、数字和连字符。您的团队将通过该地址登录。",
    "Your name": "您的姓名",
    "Work email": "工作邮箱",
    "At least 8 characters, not only digits, not a common password.":
        "至少 8 个字符，不能全为数字，也不能是常见密码。",
    "Enter your company's name.": "请输入公司名称。",
    "This subdomain is already taken.": "该子域名已被占用。",
    "Choose a subdomain.": "请填写子域名。",
    "A subdomain has 2 to %(max)d characters.": "子域名长度须为 2 至 %(max)d 个字符。",
    "Use lower-case letters, digits and single hyphens, starting with a letter "
    "(for example acme or acme-asia).":
        "请使用小写字母、数字和单个连字符，并以字母开头（例如 acme 或 acme-asia）。",
    "This subdomain is reserved.": "该子域名为系统保留名称。",
    "This subdomain cannot be used.": "该子域名不可使用。",
    # --- error pages -----------------------------------------------------------------
    "You do not have access to this page.": "您无权访问此页面。",
    "Go to the start page": "返回首页",
    "There is nothing at this address.": "您访问的页面不存在。",
    "Something went wrong on our side. It has been logged.": "服务器出错了，我们已记录此问题。",
    # --- settings pages --------------------------------------------------------------
    "Settings": "设置",
    "Users": "用户",
    "Teams and departments": "团队与部门",
    # --- emails ----------------------------------------------------------------------
    "Hello %(name)s,": "%(name)s，您好：",
    "%(inviter)s invited you to your team's LeadCRM workspace.":
        "%(inviter)s 邀请您加入团队的 LeadCRM 工作空间。",
    "You are invited to your team's LeadCRM workspace.": "您受邀加入团队的 LeadCRM 工作空间。",
    "Choose your password here (the link is valid for three days):":
        "请通过以下链接设置您的密码（链接 3 天内有效）：",
    "Then sign in with %(email)s.": "之后请使用 %(email)s 登录。",
    "Someone asked to reset the password of your LeadCRM account (%(email)s).":
        "有人申请重置您的 LeadCRM 账号（%(email)s）的密码。",
    "Choose a new password here:": "请通过以下链接设置新密码：",
    "If it was not you, ignore this email: your password stays as it is.":
        "如果这不是您本人的操作，请忽略此邮件，您的密码不会改变。",
    "Reset your LeadCRM password": "重置您的 LeadCRM 密码",
    # --- sign-in and passwords -------------------------------------------------------
    "Sign in": "登录",
    "to %(name)s": "进入 %(name)s 的工作空间",
    "Forgot your password?": "忘记密码？",
    "Change password": "修改密码",
    "Save": "保存",
    "Reset your password": "重置密码",
    "Enter your email and we will send you a link to choose a new password.":
        "请输入您的邮箱，我们将向您发送设置新密码的链接。",
    "Send the link": "发送链接",
    "Back to sign in": "返回登录",
    "Password saved": "密码已保存",
    "You can sign in with your new password now.": "现在可以使用新密码登录了。",
    "Choose a password": "设置密码",
    "You will use it with your email to sign in.": "今后您将使用邮箱和此密码登录。",
    "Save the password": "保存密码",
    "This link no longer works": "此链接已失效",
    "It was already used or has expired. Ask for a new one.": "该链接已被使用或已过期，请重新申请。",
    "Send a new link": "重新发送链接",
    "Check your email": "请查收邮件",
    "If an account exists for that address, a link to reset the password is on its way. "
    "It is valid for three days.":
        "如果该邮箱已注册账号，我们会向其发送重置密码的链接，链接 3 天内有效。",
    # --- profile, teams, users -------------------------------------------------------
    "My profile": "个人资料",
    "Add team": "添加团队",
    "Cancel": "取消",
    "Members": "成员",
    "Nobody in this team yet. Set the team on a user's page.":
        "该团队暂无成员。可在用户详情页中设置其所属团队。",
    "Managers see the work of everyone who reports to them.": "经理可以查看其所有下属的工作。",
    "No teams yet. Create one to group your reps and give them a manager.":
        "暂无团队。创建团队以便将销售代表分组并为其指定经理。",
    "Add user": "添加用户",
    "Set a password now, or leave it empty to send an invitation by email.":
        "现在设置密码，或留空以通过邮件发送邀请。",
    "Resend invitation": "重新发送邀请",
    "Change history": "变更记录",
    "When": "时间",
    "Change": "变更内容",
    "By": "操作人",
    "Created": "创建",
    "No changes yet.": "暂无变更。",
    "Who can sign in, their roles, and whom they report to.": "管理谁可以登录、其角色以及直属上级。",
    "Search users": "搜索用户",
    "Search by name or email": "按姓名或邮箱搜索",
    "Status": "状态",
    "Last sign-in": "最近登录",
    "Deactivated": "已停用",
    "Invited": "已邀请",
    "Away": "暂离",
    "Active": "已启用",
    "Never": "从未登录",
    "Nobody matches “%(query)s”.": "没有与“%(query)s”匹配的用户。",
    "No users yet.": "暂无用户。",
    # --- analytics, leads, pools -----------------------------------------------------
    "Analytics": "数据分析",
    "Not available yet": "暂未开放",
    "Funnel, conversion, rep performance and lead-aging dashboards will appear here.":
        "销售漏斗、转化、销售代表业绩和线索滞留时长等仪表盘将显示在这里。",
    "The lead list, lead details, activities and follow-up tasks will appear here.":
        "线索列表、线索详情、活动记录和跟进任务将显示在这里。",
    "Lead pools, claiming and the assignment rules will appear here.":
        "线索池、线索领取和分配规则将显示在这里。",
    # --- layout ----------------------------------------------------------------------
    "LeadCRM": "LeadCRM",
    "Workspace": "工作空间",
    "Main": "主导航",
    "Home": "首页",
    "Leads": "线索",
    "Pools": "线索池",
    "Account menu": "账号菜单",
    "Sign out": "退出登录",
    "Every lead answered, none lost, none entered twice.": "每条线索都有回应，不遗漏，不重复录入。",
    "Capture from forms, imports, the API and business cards": "通过表单、批量导入、API 和名片采集线索",
    "Pools, fair assignment and automatic reclaim": "线索池、公平分配与自动回收",
    "Scores, follow-up reminders and one-click conversion": "线索评分、跟进提醒与一键转化",
    "Start free": "免费开始使用",
    # --- home ------------------------------------------------------------------------
    "Good to see you, %(name)s": "%(name)s，欢迎回来",
    "Active users": "已启用用户",
    "Your roles": "您的角色",
    "Set up your workspace": "配置您的工作空间",
    "Create the workspace": "创建工作空间",
    "Done. Your team signs in at this address.": "已完成。您的团队将通过此地址登录。",
    "Create teams and departments": "创建团队与部门",
    "Group reps under a manager; managers see their people's leads.":
        "将销售代表归到经理名下，经理可以查看其下属的线索。",
    "Invite your team": "邀请团队成员",
    "Reps, managers and pool admins get an email to choose their password.":
        "销售代表、经理和线索池管理员将收到一封设置密码的邮件。",
    # --- public landing and sign-up --------------------------------------------------
    "Sales leads, from first touch to customer.": "销售线索管理，从首次接触到成交客户。",
    "Capture leads from every channel, catch duplicates as you type, route them fairly "
    "through pools and rules, and see where your funnel leaks.":
        "从各个渠道采集线索，录入时即时发现重复，通过线索池和分配规则公平分配，"
        "并找出销售漏斗中的流失环节。",
    "Create your workspace": "创建您的工作空间",
    "Already have a workspace?": "已有工作空间？",
    "Sign in at your company's address, for example <strong>acme.%(base_domain)s</strong>.":
        "请通过贵公司的专属地址登录，例如 <strong>acme.%(base_domain)s</strong>。",
    "Capture and dedup": "线索采集与查重",
    "Forms, Excel imports, web forms, API and pasted business cards, with live duplicate "
    "warnings.":
        "支持手工录入、Excel 导入、网页表单、API 和粘贴名片，并实时提示重复线索。",
    "Pools and assignment": "线索池与分配",
    "Claim, allocate, return and reclaim, with round-robin, least-loaded and weighted rules.":
        "支持领取、分配、退回和回收，提供轮询、负载最低优先和加权分配规则。",
    "Scoring and analytics": "线索评分与数据分析",
    "Scores learnt from your own history, and dashboards for stages, channels and reps.":
        "基于您自己的历史数据训练评分模型，并提供按阶段、渠道和销售代表划分的仪表盘。",
    "It takes a few seconds. You become its first admin.":
        "只需几秒钟，您将成为该工作空间的首位管理员。",
    "%(subdomain)s is available.": "%(subdomain)s 可以使用。",
    "Create workspace": "创建工作空间",
}


# --- a small PO reader/writer ---------------------------------------------------------

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b",
            "f": "\f", "v": "\v"}


def unquote(line: str) -> str:
    """The value of one quoted PO string line ("..." -> text)."""
    s = line.strip()
    if not (s.startswith('"') and s.endswith('"')):
        raise ValueError(f"not a quoted string: {line!r}")
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), s[1:-1])


def quote(text: str) -> str:
    return '"' + (text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
                  .replace("\r", "\\r").replace("\n", "\\n")) + '"'


def format_field(keyword: str, text: str) -> list[str]:
    """keyword "text", split after each \\n like xgettext does for multi-line strings."""
    parts = re.findall(r"[^\n]*\n|[^\n]+", text) or [""]
    if len(parts) == 1:
        return [f"{keyword} {quote(parts[0])}"]
    return [f'{keyword} ""'] + [quote(p) for p in parts]


class Entry:
    """One PO entry: keeps its original lines unless it is changed."""

    def __init__(self, lines: list[str]):
        self.lines = lines
        self.comments: list[str] = []
        self.fields: dict[str, str] = {}  # msgctxt, msgid, msgid_plural, msgstr, msgstr[0]...
        self.order: list[str] = []
        self.obsolete = all(line.startswith("#~") or not line.strip() for line in lines)
        current = None
        for line in lines:
            if line.startswith("#"):
                self.comments.append(line)
                current = None
                continue
            m = re.match(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(\".*\")\s*$", line)
            if m:
                current = m.group(1)
                self.order.append(current)
                self.fields[current] = unquote(m.group(2))
            elif line.strip().startswith('"') and current:
                self.fields[current] += unquote(line)
            elif line.strip():
                raise ValueError(f"cannot parse PO line: {line!r}")
        self.changed = False

    @property
    def msgid(self) -> str | None:
        return self.fields.get("msgid")

    @property
    def key(self) -> str | tuple[str, str] | None:
        if "msgctxt" in self.fields:
            return (self.fields["msgctxt"], self.fields["msgid"])
        return self.fields.get("msgid")

    @property
    def plural(self) -> bool:
        return "msgid_plural" in self.fields

    @property
    def fuzzy(self) -> bool:
        return any(self._flags(c) and "fuzzy" in self._flags(c) for c in self.comments)

    @staticmethod
    def _flags(comment: str) -> list[str]:
        if comment.startswith("#,"):
            return [f.strip() for f in comment[2:].split(",") if f.strip()]
        return []

    def translations(self) -> list[str]:
        return [v for k, v in self.fields.items() if k.startswith("msgstr")]

    @property
    def translated(self) -> bool:
        values = self.translations()
        return bool(values) and all(values) and not self.fuzzy

    def drop_fuzzy(self) -> None:
        comments = []
        for c in self.comments:
            flags = self._flags(c)
            if "fuzzy" in flags:
                flags = [f for f in flags if f != "fuzzy"]
                if flags:
                    comments.append("#, " + ", ".join(flags))
                # previous-msgid comments (#| ...) describe the fuzzy match: drop them too
                continue
            comments.append(c)
        self.comments = [c for c in comments if not c.startswith("#|")]
        self.changed = True

    def set_translation(self, text: str, nplurals: int = 1) -> None:
        for k in [k for k in self.fields if k.startswith("msgstr")]:
            del self.fields[k]
        self.order = [k for k in self.order if not k.startswith("msgstr")]
        if self.plural:
            for i in range(nplurals):
                self.fields[f"msgstr[{i}]"] = text
                self.order.append(f"msgstr[{i}]")
        else:
            self.fields["msgstr"] = text
            self.order.append("msgstr")
        self.changed = True

    def render(self) -> list[str]:
        if not self.changed:
            return self.lines
        out = list(self.comments)
        for k in self.order:
            out.extend(format_field(k, self.fields[k]))
        return out


def read_po(path: Path) -> list[Entry]:
    blocks, current = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return [Entry(b) for b in blocks]


def write_po(path: Path, entries: list[Entry]) -> None:
    path.write_text("\n\n".join("\n".join(e.render()) for e in entries) + "\n", encoding="utf-8")


# --- checks ---------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifeEgGxXoc%r]|\{[\w.]*\}")
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def placeholders(text: str) -> list[str]:
    return sorted(_PLACEHOLDER.findall(text)) + sorted(_TAG.findall(text))


def problems(msgid: str, msgstr: str) -> list[str]:
    found = []
    if placeholders(msgid) != placeholders(msgstr):
        found.append(f"placeholders/tags differ: {placeholders(msgid)} vs {placeholders(msgstr)}")
    for edge in ("\n",):
        if msgid.startswith(edge) != msgstr.startswith(edge) or msgid.endswith(edge) != msgstr.endswith(edge):
            found.append("leading/trailing newline differs")
    return found


# --- main -----------------------------------------------------------------------------

def fix_header(entry: Entry) -> None:
    lines = entry.fields.get("msgstr", "").split("\n")
    fields: list[list[str]] = [line.split(":", 1) for line in lines if line.strip()]
    names = [f[0] for f in fields]
    before = entry.fields.get("msgstr", "")
    for name, value in HEADER_FIELDS.items():
        if name in names:
            fields[names.index(name)] = [name, " " + value]
        else:
            fields.append([name, " " + value])
            names.append(name)
    header = "".join(f"{n}:{v}\n" if len(f := [n, v]) == 2 else f"{n}\n" for n, v in fields)
    if header != before:
        entry.set_translation(header)
    if entry.fuzzy:
        entry.drop_fuzzy()


def touch_revision_date(entry: Entry) -> None:
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M+0000")
    header = re.sub(r"(?m)^PO-Revision-Date:.*$", f"PO-Revision-Date: {now}", entry.fields["msgstr"])
    header = re.sub(r"(?m)^Last-Translator: FULL NAME <EMAIL@ADDRESS>$", "Last-Translator: LeadCRM team",
                    header)
    header = re.sub(r"(?m)^Project-Id-Version: PACKAGE VERSION$", "Project-Id-Version: LeadCRM", header)
    entry.set_translation(header)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("po_file", nargs="?", type=Path, default=DEFAULT_PO)
    parser.add_argument("--check", action="store_true", help="report only, write nothing")
    args = parser.parse_args(argv)

    if not args.po_file.exists():
        print(f"{args.po_file} does not exist: run makemessages -l zh_Hans first.", file=sys.stderr)
        return 2
    entries = read_po(args.po_file)
    header = next((e for e in entries if e.msgid == "" and not e.obsolete), None)
    bad_keys = [k for k, v in ZH.items() if problems(k if isinstance(k, str) else k[1], v)]
    for k in bad_keys:
        print(f"ZH mapping error for {k!r}: {problems(k if isinstance(k, str) else k[1], ZH[k])}",
              file=sys.stderr)
    if bad_keys:
        return 2

    filled, missing, kept, suspicious = [], [], 0, []
    for e in entries:
        if e.obsolete or e.msgid is None or e is header:
            continue
        if e.translated:
            kept += 1
            for value in e.translations():
                if found := problems(e.msgid, value):
                    suspicious.append((e.key, found))
            continue
        if e.key in ZH:
            e.set_translation(ZH[e.key])
            if e.fuzzy:
                e.drop_fuzzy()
            filled.append(e.key)
        else:
            missing.append(e.key)

    if header is not None and not args.check:
        fix_header(header)
        if filled or header.changed:
            touch_revision_date(header)

    total = kept + len(filled) + len(missing)
    print(f"{args.po_file.relative_to(PROJECT_DIR) if args.po_file.is_relative_to(PROJECT_DIR) else args.po_file}: "
          f"{total} messages, {kept} already translated (left alone), "
          f"{len(filled)} {'to fill' if args.check else 'filled'}, {len(missing)} without translation.")
    for key, found in suspicious:
        print(f"  check existing translation of {key!r}: {'; '.join(found)}")
    if missing:
        print("No translation in scripts/translate_zh.py for:")
        for key in missing:
            print(f"  {key!r}")
    if not args.check:
        write_po(args.po_file, entries)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
