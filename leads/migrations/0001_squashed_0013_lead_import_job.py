"""leads 0001-0013 in one migration, for new tenant schemas: every table is created whole
(no AddField on an existing model), so creating a schema renders far fewer model states.
Existing schemas, which applied the thirteen, keep them; delete those once every database has
recorded this one. The starting lists and duplicate rules are frozen copies of 0002 and 0007."""

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
import django.db.models.deletion
import django.db.models.functions.text
import simple_history.models
import uuid
from django.conf import settings
from django.db import migrations, models


SOURCES = [
    ("website", "Website form"),
    ("trade_show", "Trade show"),
    ("ad_campaign", "Ad campaign"),
    ("referral", "Referral"),
    ("cold_call", "Cold call"),
    ("hotline", "Hotline"),
    ("wechat", "WeCom / WeChat"),
    ("import", "Import"),
    ("api", "API"),
    ("other", "Other"),
]
STAGES = [
    "To contact",
    "First contact",
    "Needs confirmed",
    "Solution presented",
    "Proposal sent",
    "Negotiation",
    "Decision pending",
    "Ready to convert",
]
LOSS_REASONS = [
    "No budget",
    "No need",
    "Chose a competitor",
    "Price too high",
    "Timing not right",
    "No decision-maker access",
    "Not our target market",
    "Other",
]


def create_defaults(apps, schema_editor):
    SourceChannel = apps.get_model("leads", "SourceChannel")
    Stage = apps.get_model("leads", "Stage")
    LossReason = apps.get_model("leads", "LossReason")
    for position, (code, name) in enumerate(SOURCES):
        SourceChannel.objects.get_or_create(
            code=code, defaults={"name": name, "position": position}
        )
    for position, name in enumerate(STAGES):
        Stage.objects.get_or_create(name=name, defaults={"position": position})
    for position, name in enumerate(LOSS_REASONS):
        LossReason.objects.get_or_create(name=name, defaults={"position": position})


DEFAULT_RULES = [
    ("Same email address", [{"field": "email", "match": "exact", "threshold": 100}]),
    ("Same mobile or direct line", [{"field": "phone", "match": "exact", "threshold": 100}]),
    (
        "Similar company and name",
        [
            {"field": "company", "match": "fuzzy", "threshold": 85},
            {"field": "name", "match": "fuzzy", "threshold": 85},
        ],
    ),
    (
        "Shared switchboard and similar name",
        [
            {"field": "phone", "match": "fuzzy", "threshold": 70},
            {"field": "name", "match": "fuzzy", "threshold": 85},
        ],
    ),
    (
        "Shared mailbox and similar name",
        [
            {"field": "email", "match": "fuzzy", "threshold": 70},
            {"field": "name", "match": "fuzzy", "threshold": 85},
        ],
    ),
]


def default_rules(apps, schema_editor):
    DuplicateRule = apps.get_model("leads", "DuplicateRule")
    if not DuplicateRule.objects.exists():
        for position, (name, fields) in enumerate(DEFAULT_RULES, start=1):
            DuplicateRule.objects.create(name=name, fields=fields, position=position)


class Migration(migrations.Migration):
    replaces = [
        ("leads", "0001_initial"),
        ("leads", "0002_default_lists"),
        ("leads", "0003_comment_customfielddefinition_historicalleadmember_and_more"),
        ("leads", "0004_list_indexes_nulls_last"),
        ("leads", "0005_search_trigram_indexes"),
        ("leads", "0006_web_forms"),
        ("leads", "0007_dedup_keys"),
        ("leads", "0008_merges"),
        ("leads", "0009_imports"),
        ("leads", "0010_exact_name_company_keys"),
        ("leads", "0011_import_mappings_destinations"),
        ("leads", "0012_duplicate_dismissals"),
        ("leads", "0013_lead_import_job"),
    ]

    initial = True

    dependencies = [
        ("accounts", "0002_api_keys"),
        ("accounts", "__first__"),
        ("tenancy", "0002_pg_trgm"),
    ]

    operations = [
        migrations.CreateModel(
            name="CustomFieldDefinition",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("uuid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("key", models.SlugField(max_length=40, unique=True, verbose_name="key")),
                ("label", models.CharField(max_length=100, verbose_name="label")),
                (
                    "field_type",
                    models.CharField(
                        choices=[
                            ("text", "Text"),
                            ("number", "Number"),
                            ("date", "Date"),
                            ("choice", "Choice"),
                            ("multi_choice", "Multiple choice"),
                            ("boolean", "Yes / no"),
                        ],
                        max_length=20,
                        verbose_name="type",
                    ),
                ),
                (
                    "choices",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.CharField(max_length=100),
                        blank=True,
                        default=list,
                        verbose_name="choices",
                    ),
                ),
                ("required", models.BooleanField(default=False, verbose_name="required")),
                (
                    "filterable",
                    models.BooleanField(default=True, verbose_name="filterable in the list"),
                ),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="position")),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
            ],
            options={
                "ordering": ["position", "label"],
            },
        ),
        migrations.CreateModel(
            name="DuplicateRule",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("uuid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                ("position", models.PositiveSmallIntegerField(default=0)),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
                ("fields", models.JSONField(default=list)),
                (
                    "action",
                    models.CharField(
                        choices=[("warn", "Warn"), ("block", "Block")],
                        default="warn",
                        max_length=10,
                        verbose_name="action",
                    ),
                ),
            ],
            options={
                "ordering": ["position", "id"],
            },
        ),
        migrations.CreateModel(
            name="LeadSettings",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("singleton", models.BooleanField(default=True, editable=False, unique=True)),
                (
                    "require_bant_for_qualified",
                    models.BooleanField(
                        default=False, verbose_name="require the BANT checklist before Qualified"
                    ),
                ),
                (
                    "hot_score",
                    models.PositiveSmallIntegerField(default=70, verbose_name="hot from score"),
                ),
                (
                    "default_country",
                    models.CharField(
                        default="CN", max_length=2, verbose_name="default country for phone numbers"
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="LossReason",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("uuid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="position")),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
            ],
            options={
                "verbose_name": "loss reason",
                "ordering": ["position", "name"],
                "abstract": False,
            },
        ),
        migrations.CreateModel(
            name="SourceChannel",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("uuid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="position")),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
                ("code", models.SlugField(max_length=40, unique=True)),
            ],
            options={
                "verbose_name": "source channel",
                "ordering": ["position", "name"],
                "abstract": False,
            },
        ),
        migrations.CreateModel(
            name="Stage",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("uuid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="position")),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
            ],
            options={
                "verbose_name": "funnel stage",
                "ordering": ["position", "name"],
                "abstract": False,
            },
        ),
        migrations.CreateModel(
            name="HistoricalSharingRule",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("uuid", models.UUIDField(db_index=True, default=uuid.uuid4, editable=False)),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                (
                    "access",
                    models.CharField(
                        choices=[("read", "Read only"), ("write", "Read and write")],
                        default="read",
                        max_length=10,
                    ),
                ),
                ("is_active", models.BooleanField(default=True)),
                ("created_at", models.DateTimeField(blank=True, editable=False)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "from_team",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="accounts.team",
                        verbose_name="leads owned by members of",
                    ),
                ),
                (
                    "from_user",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="leads owned by",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "to_team",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="accounts.team",
                        verbose_name="shared with members of",
                    ),
                ),
                (
                    "to_user",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="shared with",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical sharing rule",
                "verbose_name_plural": "historical sharing rules",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="ImportJob",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("uuid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("filename", models.CharField(max_length=255)),
                ("file", models.FileField(upload_to="imports/")),
                ("sheet", models.CharField(blank=True, max_length=100)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("uploaded", "Waiting for the mapping"),
                            ("queued", "Queued"),
                            ("running", "Importing"),
                            ("done", "Done"),
                            ("failed", "Failed"),
                        ],
                        default="uploaded",
                        max_length=10,
                    ),
                ),
                ("mapping", models.JSONField(default=dict)),
                ("mapping_name", models.CharField(blank=True, max_length=100)),
                (
                    "on_duplicate",
                    models.CharField(
                        choices=[
                            ("skip", "Skip the row"),
                            ("update", "Fill the existing lead's empty fields"),
                            ("flag", "Create it and tag it “possible duplicate”"),
                        ],
                        default="skip",
                        max_length=10,
                    ),
                ),
                ("source_detail", models.CharField(blank=True, max_length=200)),
                ("run_rules", models.BooleanField(default=True)),
                ("destination", models.CharField(blank=True, max_length=80)),
                ("total_rows", models.PositiveIntegerField(default=0)),
                ("processed", models.PositiveIntegerField(default=0)),
                ("created", models.PositiveIntegerField(default=0)),
                ("updated", models.PositiveIntegerField(default=0)),
                ("skipped", models.PositiveIntegerField(default=0)),
                ("duplicates", models.PositiveIntegerField(default=0)),
                ("errors", models.PositiveIntegerField(default=0)),
                ("message", models.CharField(blank=True, max_length=300)),
                ("started_at", models.DateTimeField(blank=True, null=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                ("void_requested_at", models.DateTimeField(blank=True, null=True)),
                ("voided", models.PositiveIntegerField(default=0)),
                (
                    "created_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "owner",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at"],
            },
        ),
        migrations.CreateModel(
            name="ImportMapping",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("uuid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("name", models.CharField(max_length=100, unique=True, verbose_name="name")),
                ("columns", models.JSONField(default=dict)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "created_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["name"],
            },
        ),
        migrations.CreateModel(
            name="Lead",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("uuid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("name", models.CharField(max_length=150, verbose_name="name")),
                ("company", models.CharField(blank=True, max_length=200, verbose_name="company")),
                (
                    "job_title",
                    models.CharField(blank=True, max_length=120, verbose_name="job title"),
                ),
                ("email", models.EmailField(blank=True, max_length=254, verbose_name="email")),
                ("phone", models.CharField(blank=True, max_length=40, verbose_name="phone")),
                ("mobile", models.CharField(blank=True, max_length=40, verbose_name="mobile")),
                ("website", models.CharField(blank=True, max_length=200, verbose_name="website")),
                ("country", models.CharField(blank=True, max_length=2, verbose_name="country")),
                (
                    "region",
                    models.CharField(blank=True, max_length=100, verbose_name="region / province"),
                ),
                ("city", models.CharField(blank=True, max_length=100, verbose_name="city")),
                ("address", models.CharField(blank=True, max_length=300, verbose_name="address")),
                ("industry", models.CharField(blank=True, max_length=100, verbose_name="industry")),
                (
                    "company_size",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("1-9", "1–9 employees"),
                            ("10-49", "10–49 employees"),
                            ("50-249", "50–249 employees"),
                            ("250-999", "250–999 employees"),
                            ("1000+", "1,000+ employees"),
                        ],
                        max_length=10,
                        verbose_name="company size",
                    ),
                ),
                (
                    "annual_revenue",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("<1m", "Under 1 M"),
                            ("1m-10m", "1–10 M"),
                            ("10m-50m", "10–50 M"),
                            ("50m-250m", "50–250 M"),
                            ("250m+", "Over 250 M"),
                        ],
                        max_length=10,
                        verbose_name="annual revenue",
                    ),
                ),
                (
                    "source_detail",
                    models.CharField(blank=True, max_length=200, verbose_name="source detail"),
                ),
                (
                    "product_line",
                    models.CharField(blank=True, max_length=100, verbose_name="product line"),
                ),
                (
                    "priority",
                    models.CharField(
                        choices=[
                            ("low", "Low"),
                            ("normal", "Normal"),
                            ("high", "High"),
                            ("urgent", "Urgent"),
                        ],
                        default="normal",
                        max_length=10,
                        verbose_name="priority",
                    ),
                ),
                (
                    "tags",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.CharField(max_length=50),
                        blank=True,
                        default=list,
                        verbose_name="tags",
                    ),
                ),
                ("notes", models.TextField(blank=True, verbose_name="notes")),
                (
                    "custom_data",
                    models.JSONField(blank=True, default=dict, verbose_name="custom fields"),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("unassigned", "Unassigned"),
                            ("pending", "Pending"),
                            ("following_up", "Following up"),
                            ("qualified", "Qualified"),
                            ("converted", "Converted"),
                            ("nurture", "Nurture"),
                            ("invalid", "Invalid"),
                            ("lost", "Lost / unqualified"),
                            ("void", "Void"),
                        ],
                        default="unassigned",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                (
                    "status_note",
                    models.CharField(blank=True, max_length=500, verbose_name="status note"),
                ),
                (
                    "bant_budget",
                    models.BooleanField(default=False, verbose_name="budget confirmed"),
                ),
                (
                    "bant_authority",
                    models.BooleanField(default=False, verbose_name="decision-maker reached"),
                ),
                ("bant_need", models.BooleanField(default=False, verbose_name="need confirmed")),
                (
                    "bant_timeline",
                    models.BooleanField(default=False, verbose_name="timeline known"),
                ),
                (
                    "score",
                    models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="score"),
                ),
                ("grade", models.CharField(blank=True, max_length=2, verbose_name="grade")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "assigned_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="assigned"),
                ),
                (
                    "first_follow_up_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="first follow-up"),
                ),
                (
                    "last_activity_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="last activity"),
                ),
                (
                    "next_follow_up_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="next follow-up due"),
                ),
                ("status_changed_at", models.DateTimeField(blank=True, null=True)),
                ("stage_changed_at", models.DateTimeField(blank=True, null=True)),
                ("email_key", models.CharField(blank=True, editable=False, max_length=254)),
                ("phone_key", models.CharField(blank=True, editable=False, max_length=20)),
                ("mobile_key", models.CharField(blank=True, editable=False, max_length=20)),
                ("company_key", models.CharField(blank=True, editable=False, max_length=200)),
                ("name_key", models.CharField(blank=True, editable=False, max_length=200)),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "import_job",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="leads",
                        to="leads.importjob",
                    ),
                ),
                (
                    "merged_into",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="merged_leads",
                        to="leads.lead",
                    ),
                ),
                (
                    "owner",
                    models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="owned_leads",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="owner",
                    ),
                ),
                (
                    "loss_reason",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        to="leads.lossreason",
                        verbose_name="loss reason",
                    ),
                ),
                (
                    "source",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        to="leads.sourcechannel",
                        verbose_name="source",
                    ),
                ),
                (
                    "stage",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        to="leads.stage",
                        verbose_name="stage",
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at"],
                "indexes": [
                    models.Index(
                        models.F("owner"),
                        models.OrderBy(models.F("score"), descending=True, nulls_last=True),
                        models.OrderBy(models.F("id"), descending=True),
                        name="lead_owner_score",
                    ),
                    models.Index(
                        models.F("status"),
                        models.OrderBy(models.F("score"), descending=True, nulls_last=True),
                        models.OrderBy(models.F("id"), descending=True),
                        name="lead_status_score",
                    ),
                    models.Index(
                        models.OrderBy(models.F("score"), descending=True, nulls_last=True),
                        models.OrderBy(models.F("id"), descending=True),
                        name="lead_score",
                    ),
                    models.Index(
                        models.OrderBy(models.F("created_at"), descending=True),
                        models.OrderBy(models.F("id"), descending=True),
                        name="lead_created",
                    ),
                    models.Index(
                        models.OrderBy(
                            models.F("last_activity_at"), descending=True, nulls_last=True
                        ),
                        models.OrderBy(models.F("id"), descending=True),
                        name="lead_last_activity",
                    ),
                    models.Index(
                        condition=models.Q(("next_follow_up_at__isnull", False)),
                        fields=["next_follow_up_at"],
                        name="lead_next_due_open",
                    ),
                    django.contrib.postgres.indexes.GinIndex(fields=["tags"], name="lead_tags"),
                    django.contrib.postgres.indexes.GinIndex(
                        django.contrib.postgres.indexes.OpClass(
                            django.db.models.functions.text.Upper("name"), name="gin_trgm_ops"
                        ),
                        name="lead_name_trgm",
                    ),
                    django.contrib.postgres.indexes.GinIndex(
                        django.contrib.postgres.indexes.OpClass(
                            django.db.models.functions.text.Upper("company"), name="gin_trgm_ops"
                        ),
                        name="lead_company_trgm",
                    ),
                    django.contrib.postgres.indexes.GinIndex(
                        django.contrib.postgres.indexes.OpClass(
                            django.db.models.functions.text.Upper("email"), name="gin_trgm_ops"
                        ),
                        name="lead_email_trgm",
                    ),
                    django.contrib.postgres.indexes.GinIndex(
                        django.contrib.postgres.indexes.OpClass(
                            models.F("phone"), name="gin_trgm_ops"
                        ),
                        name="lead_phone_trgm",
                    ),
                    django.contrib.postgres.indexes.GinIndex(
                        django.contrib.postgres.indexes.OpClass(
                            models.F("mobile"), name="gin_trgm_ops"
                        ),
                        name="lead_mobile_trgm",
                    ),
                    django.contrib.postgres.indexes.GinIndex(
                        fields=["custom_data"],
                        name="lead_custom_data",
                        opclasses=["jsonb_path_ops"],
                    ),
                    models.Index(
                        condition=models.Q(("email_key", ""), _negated=True),
                        fields=["email_key"],
                        name="lead_email_key",
                    ),
                    models.Index(
                        condition=models.Q(("phone_key", ""), _negated=True),
                        fields=["phone_key"],
                        name="lead_phone_key",
                    ),
                    models.Index(
                        condition=models.Q(("mobile_key", ""), _negated=True),
                        fields=["mobile_key"],
                        name="lead_mobile_key",
                    ),
                    models.Index(
                        condition=models.Q(("company_key", ""), _negated=True),
                        fields=["company_key"],
                        name="lead_company_key",
                    ),
                    models.Index(
                        condition=models.Q(("name_key", ""), _negated=True),
                        fields=["name_key"],
                        name="lead_name_key",
                    ),
                    django.contrib.postgres.indexes.GinIndex(
                        django.contrib.postgres.indexes.OpClass(
                            models.F("company_key"), name="gin_trgm_ops"
                        ),
                        name="lead_company_key_trgm",
                    ),
                    django.contrib.postgres.indexes.GinIndex(
                        django.contrib.postgres.indexes.OpClass(
                            models.F("name_key"), name="gin_trgm_ops"
                        ),
                        name="lead_name_key_trgm",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="HistoricalLeadMember",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "access",
                    models.CharField(
                        choices=[("read", "Read only"), ("write", "Read and write")],
                        default="read",
                        max_length=10,
                    ),
                ),
                ("created_at", models.DateTimeField(blank=True, editable=False)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "added_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "lead",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="leads.lead",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical lead member",
                "verbose_name_plural": "historical lead members",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="Comment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("uuid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("body", models.TextField(verbose_name="comment")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "author",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "mentions",
                    models.ManyToManyField(
                        blank=True, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
                (
                    "lead",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="comments",
                        to="leads.lead",
                    ),
                ),
            ],
            options={
                "ordering": ["created_at", "id"],
            },
        ),
        migrations.CreateModel(
            name="LeadMerge",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("uuid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("at", models.DateTimeField()),
                ("survivor_before", models.JSONField(default=dict)),
                ("moved", models.JSONField(default=dict)),
                ("undone_at", models.DateTimeField(blank=True, null=True)),
                (
                    "actor",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                ("merged", models.ManyToManyField(related_name="+", to="leads.lead")),
                (
                    "survivor",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="merges",
                        to="leads.lead",
                    ),
                ),
                (
                    "undone_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-at"],
            },
        ),
        migrations.CreateModel(
            name="SopTemplate",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("uuid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("title", models.CharField(max_length=200, verbose_name="task")),
                (
                    "due_in_hours",
                    models.PositiveIntegerField(default=24, verbose_name="due within (hours)"),
                ),
                ("position", models.PositiveSmallIntegerField(default=0)),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
                (
                    "stage",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="sop_templates",
                        to="leads.stage",
                    ),
                ),
            ],
            options={
                "ordering": ["stage__position", "position"],
            },
        ),
        migrations.CreateModel(
            name="HistoricalLead",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("uuid", models.UUIDField(db_index=True, default=uuid.uuid4, editable=False)),
                ("name", models.CharField(max_length=150, verbose_name="name")),
                ("company", models.CharField(blank=True, max_length=200, verbose_name="company")),
                (
                    "job_title",
                    models.CharField(blank=True, max_length=120, verbose_name="job title"),
                ),
                ("email", models.EmailField(blank=True, max_length=254, verbose_name="email")),
                ("phone", models.CharField(blank=True, max_length=40, verbose_name="phone")),
                ("mobile", models.CharField(blank=True, max_length=40, verbose_name="mobile")),
                ("website", models.CharField(blank=True, max_length=200, verbose_name="website")),
                ("country", models.CharField(blank=True, max_length=2, verbose_name="country")),
                (
                    "region",
                    models.CharField(blank=True, max_length=100, verbose_name="region / province"),
                ),
                ("city", models.CharField(blank=True, max_length=100, verbose_name="city")),
                ("address", models.CharField(blank=True, max_length=300, verbose_name="address")),
                ("industry", models.CharField(blank=True, max_length=100, verbose_name="industry")),
                (
                    "company_size",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("1-9", "1–9 employees"),
                            ("10-49", "10–49 employees"),
                            ("50-249", "50–249 employees"),
                            ("250-999", "250–999 employees"),
                            ("1000+", "1,000+ employees"),
                        ],
                        max_length=10,
                        verbose_name="company size",
                    ),
                ),
                (
                    "annual_revenue",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("<1m", "Under 1 M"),
                            ("1m-10m", "1–10 M"),
                            ("10m-50m", "10–50 M"),
                            ("50m-250m", "50–250 M"),
                            ("250m+", "Over 250 M"),
                        ],
                        max_length=10,
                        verbose_name="annual revenue",
                    ),
                ),
                (
                    "source_detail",
                    models.CharField(blank=True, max_length=200, verbose_name="source detail"),
                ),
                (
                    "product_line",
                    models.CharField(blank=True, max_length=100, verbose_name="product line"),
                ),
                (
                    "priority",
                    models.CharField(
                        choices=[
                            ("low", "Low"),
                            ("normal", "Normal"),
                            ("high", "High"),
                            ("urgent", "Urgent"),
                        ],
                        default="normal",
                        max_length=10,
                        verbose_name="priority",
                    ),
                ),
                (
                    "tags",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.CharField(max_length=50),
                        blank=True,
                        default=list,
                        verbose_name="tags",
                    ),
                ),
                ("notes", models.TextField(blank=True, verbose_name="notes")),
                (
                    "custom_data",
                    models.JSONField(blank=True, default=dict, verbose_name="custom fields"),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("unassigned", "Unassigned"),
                            ("pending", "Pending"),
                            ("following_up", "Following up"),
                            ("qualified", "Qualified"),
                            ("converted", "Converted"),
                            ("nurture", "Nurture"),
                            ("invalid", "Invalid"),
                            ("lost", "Lost / unqualified"),
                            ("void", "Void"),
                        ],
                        default="unassigned",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                (
                    "status_note",
                    models.CharField(blank=True, max_length=500, verbose_name="status note"),
                ),
                (
                    "bant_budget",
                    models.BooleanField(default=False, verbose_name="budget confirmed"),
                ),
                (
                    "bant_authority",
                    models.BooleanField(default=False, verbose_name="decision-maker reached"),
                ),
                ("bant_need", models.BooleanField(default=False, verbose_name="need confirmed")),
                (
                    "bant_timeline",
                    models.BooleanField(default=False, verbose_name="timeline known"),
                ),
                (
                    "score",
                    models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="score"),
                ),
                ("grade", models.CharField(blank=True, max_length=2, verbose_name="grade")),
                (
                    "created_at",
                    models.DateTimeField(blank=True, editable=False, verbose_name="created"),
                ),
                (
                    "assigned_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="assigned"),
                ),
                (
                    "first_follow_up_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="first follow-up"),
                ),
                (
                    "last_activity_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="last activity"),
                ),
                (
                    "next_follow_up_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="next follow-up due"),
                ),
                ("status_changed_at", models.DateTimeField(blank=True, null=True)),
                ("stage_changed_at", models.DateTimeField(blank=True, null=True)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "owner",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="owner",
                    ),
                ),
                (
                    "import_job",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="leads.importjob",
                    ),
                ),
                (
                    "merged_into",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="leads.lead",
                    ),
                ),
                (
                    "loss_reason",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="leads.lossreason",
                        verbose_name="loss reason",
                    ),
                ),
                (
                    "source",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="leads.sourcechannel",
                        verbose_name="source",
                    ),
                ),
                (
                    "stage",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="leads.stage",
                        verbose_name="stage",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical lead",
                "verbose_name_plural": "historical leads",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="Task",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("uuid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("title", models.CharField(max_length=200, verbose_name="task")),
                ("description", models.TextField(blank=True, verbose_name="details")),
                ("due_at", models.DateTimeField(verbose_name="due")),
                (
                    "status",
                    models.CharField(
                        choices=[("open", "Open"), ("done", "Done"), ("cancelled", "Cancelled")],
                        default="open",
                        max_length=10,
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("completed_at", models.DateTimeField(blank=True, null=True)),
                (
                    "assignee",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="tasks",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="assignee",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "lead",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="tasks",
                        to="leads.lead",
                    ),
                ),
                (
                    "sop_template",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="leads.soptemplate",
                    ),
                ),
            ],
            options={
                "ordering": ["due_at", "id"],
                "indexes": [
                    models.Index(
                        condition=models.Q(("status", "open")),
                        fields=["assignee", "due_at"],
                        name="task_open_due",
                    ),
                    models.Index(fields=["lead", "status"], name="task_lead"),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("sop_template__isnull", False), ("status", "open")),
                        fields=("lead", "sop_template"),
                        name="task_sop_once",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="WebForm",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("uuid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                (
                    "title",
                    models.CharField(
                        blank=True, max_length=150, verbose_name="title shown on the form"
                    ),
                ),
                (
                    "fields",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.CharField(max_length=30), blank=True, default=list
                    ),
                ),
                (
                    "required",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.CharField(max_length=30), blank=True, default=list
                    ),
                ),
                (
                    "destination",
                    models.CharField(blank=True, max_length=80, verbose_name="send to"),
                ),
                (
                    "thank_you",
                    models.CharField(blank=True, max_length=300, verbose_name="thank-you message"),
                ),
                (
                    "redirect_url",
                    models.URLField(
                        blank=True, verbose_name="redirect to (instead of the message)"
                    ),
                ),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
                ("submissions", models.PositiveIntegerField(default=0)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "owner",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty: the assignment rules route the leads.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="owner",
                    ),
                ),
                (
                    "source",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        to="leads.sourcechannel",
                        verbose_name="source",
                    ),
                ),
            ],
            options={
                "ordering": ["name"],
            },
        ),
        migrations.CreateModel(
            name="ImportIssue",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("row_number", models.PositiveIntegerField()),
                ("column", models.CharField(blank=True, max_length=100)),
                ("value", models.CharField(blank=True, max_length=300)),
                ("reason", models.CharField(max_length=300)),
                ("is_error", models.BooleanField(default=True)),
                (
                    "job",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="issues",
                        to="leads.importjob",
                    ),
                ),
            ],
            options={
                "ordering": ["row_number", "id"],
                "indexes": [models.Index(fields=["job", "row_number"], name="import_issue_row")],
            },
        ),
        migrations.CreateModel(
            name="DuplicateDismissal",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("dismissed_at", models.DateTimeField(auto_now_add=True)),
                (
                    "dismissed_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "lead_a",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="leads.lead",
                    ),
                ),
                (
                    "lead_b",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="leads.lead",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("lead_a", "lead_b"), name="dismissal_pair_once"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("lead_a__lt", models.F("lead_b"))),
                        name="dismissal_pair_ordered",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Activity",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("uuid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("call", "Call"),
                            ("email", "Email"),
                            ("meeting", "Meeting"),
                            ("note", "Note"),
                        ],
                        max_length=10,
                        verbose_name="kind",
                    ),
                ),
                (
                    "outcome",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("connected", "Connected"),
                            ("no_answer", "No answer"),
                            ("invalid_number", "Invalid number"),
                            ("busy", "Busy"),
                        ],
                        max_length=20,
                        verbose_name="outcome",
                    ),
                ),
                (
                    "duration_minutes",
                    models.PositiveIntegerField(
                        blank=True, null=True, verbose_name="duration (minutes)"
                    ),
                ),
                ("subject", models.CharField(blank=True, max_length=200, verbose_name="subject")),
                ("body", models.TextField(blank=True, verbose_name="notes")),
                ("occurred_at", models.DateTimeField(verbose_name="when")),
                (
                    "recording",
                    models.FileField(
                        blank=True, upload_to="recordings/%Y/%m/", verbose_name="recording"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "created_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "lead",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="activities",
                        to="leads.lead",
                    ),
                ),
            ],
            options={
                "ordering": ["-occurred_at", "-id"],
                "indexes": [
                    models.Index(fields=["lead", "-occurred_at"], name="activity_lead_time")
                ],
            },
        ),
        migrations.CreateModel(
            name="LeadMember",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "access",
                    models.CharField(
                        choices=[("read", "Read only"), ("write", "Read and write")],
                        default="read",
                        max_length=10,
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "added_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "lead",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="members",
                        to="leads.lead",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="lead_memberships",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["user", "lead"], name="lead_member_user")],
                "constraints": [
                    models.UniqueConstraint(fields=("lead", "user"), name="lead_member_once")
                ],
            },
        ),
        migrations.CreateModel(
            name="SavedView",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("uuid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("name", models.CharField(max_length=60, verbose_name="name")),
                ("query", models.CharField(max_length=500)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="saved_views",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["name"],
                "constraints": [
                    models.UniqueConstraint(fields=("user", "name"), name="saved_view_name_once")
                ],
            },
        ),
        migrations.CreateModel(
            name="SharingRule",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("uuid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                (
                    "access",
                    models.CharField(
                        choices=[("read", "Read only"), ("write", "Read and write")],
                        default="read",
                        max_length=10,
                    ),
                ),
                ("is_active", models.BooleanField(default=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "from_team",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="accounts.team",
                        verbose_name="leads owned by members of",
                    ),
                ),
                (
                    "from_user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="leads owned by",
                    ),
                ),
                (
                    "to_team",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="accounts.team",
                        verbose_name="shared with members of",
                    ),
                ),
                (
                    "to_user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="shared with",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("from_user__isnull", False),
                            ("from_team__isnull", False),
                            _connector="XOR",
                        ),
                        name="sharing_rule_one_source",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("to_user__isnull", False), ("to_team__isnull", False), _connector="XOR"
                        ),
                        name="sharing_rule_one_target",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="LeadStageChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("changed_at", models.DateTimeField(db_index=True)),
                (
                    "changed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "lead",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="stage_changes",
                        to="leads.lead",
                    ),
                ),
                (
                    "from_stage",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="leads.stage",
                    ),
                ),
                (
                    "to_stage",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="leads.stage",
                    ),
                ),
            ],
            options={
                "ordering": ["lead", "changed_at"],
                "indexes": [
                    models.Index(fields=["lead", "changed_at"], name="stagechange_lead_time")
                ],
            },
        ),
        migrations.RunPython(create_defaults, migrations.RunPython.noop),
        migrations.RunPython(default_rules, migrations.RunPython.noop),
    ]
