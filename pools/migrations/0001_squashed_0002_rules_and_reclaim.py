"""pools 0001-0002 in one migration, for new tenant schemas (tables created whole: far fewer
model states to render when a tenant signs up). Existing schemas keep the two; delete them once
every database has recorded this one. The fallback pool's creation is a frozen copy of 0002."""

import django.contrib.postgres.fields
import django.db.models.deletion
import pools.models
import simple_history.models
import uuid
from django.conf import settings
from django.db import migrations, models
# Generated from the models by Django 6.1.3 on 2026-11-30 12:01


def fallback_pool_create(apps, schema_editor):
    """Every tenant has a pool for leads no assignment rule places (renamable, not removable)."""
    Pool = apps.get_model("pools", "Pool")
    if not Pool.objects.filter(is_fallback=True).exists():
        name = "General pool"
        while Pool.objects.filter(name=name).exists():
            name += " (fallback)"
        Pool.objects.create(
            name=name,
            description="Leads that no assignment rule places land here.",
            is_fallback=True,
        )


class Migration(migrations.Migration):
    replaces = [("pools", "0001_initial"), ("pools", "0002_rules_and_reclaim")]

    initial = True

    dependencies = [
        ("accounts", "0002_api_keys"),
        ("accounts", "__first__"),
        ("leads", "0001_squashed_0013_lead_import_job"),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalPool",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("uuid", models.UUIDField(db_index=True, default=uuid.uuid4, editable=False)),
                ("name", models.CharField(db_index=True, max_length=120, verbose_name="name")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("region", "Region"),
                            ("industry", "Industry"),
                            ("product_line", "Product line"),
                            ("other", "Other"),
                        ],
                        default="other",
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                (
                    "description",
                    models.CharField(blank=True, max_length=300, verbose_name="description"),
                ),
                (
                    "mode",
                    models.CharField(
                        choices=[
                            ("claim", "Members claim"),
                            ("allocate", "Admins allocate"),
                            ("both", "Claim and allocate"),
                        ],
                        default="both",
                        max_length=10,
                        verbose_name="mode",
                    ),
                ),
                ("is_fallback", models.BooleanField(default=False, verbose_name="fallback pool")),
                ("max_open_per_member", models.PositiveIntegerField(blank=True, null=True)),
                ("max_claims_per_day", models.PositiveIntegerField(blank=True, null=True)),
                ("return_cooldown_days", models.PositiveIntegerField(default=0)),
                ("reclaim_no_follow_up_days", models.PositiveIntegerField(blank=True, null=True)),
                ("reclaim_not_qualified_days", models.PositiveIntegerField(blank=True, null=True)),
                ("reclaim_warning_days", models.PositiveIntegerField(default=1)),
                ("reroute_returned", models.BooleanField(default=False)),
                (
                    "return_reasons",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.CharField(max_length=100),
                        blank=True,
                        default=pools.models.default_return_reasons,
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
                    "default_assignee",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="default assignee",
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
            ],
            options={
                "verbose_name": "historical pool",
                "verbose_name_plural": "historical pools",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="Pool",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("uuid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("name", models.CharField(max_length=120, unique=True, verbose_name="name")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("region", "Region"),
                            ("industry", "Industry"),
                            ("product_line", "Product line"),
                            ("other", "Other"),
                        ],
                        default="other",
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                (
                    "description",
                    models.CharField(blank=True, max_length=300, verbose_name="description"),
                ),
                (
                    "mode",
                    models.CharField(
                        choices=[
                            ("claim", "Members claim"),
                            ("allocate", "Admins allocate"),
                            ("both", "Claim and allocate"),
                        ],
                        default="both",
                        max_length=10,
                        verbose_name="mode",
                    ),
                ),
                ("is_fallback", models.BooleanField(default=False, verbose_name="fallback pool")),
                ("max_open_per_member", models.PositiveIntegerField(blank=True, null=True)),
                ("max_claims_per_day", models.PositiveIntegerField(blank=True, null=True)),
                ("return_cooldown_days", models.PositiveIntegerField(default=0)),
                ("reclaim_no_follow_up_days", models.PositiveIntegerField(blank=True, null=True)),
                ("reclaim_not_qualified_days", models.PositiveIntegerField(blank=True, null=True)),
                ("reclaim_warning_days", models.PositiveIntegerField(default=1)),
                ("reroute_returned", models.BooleanField(default=False)),
                (
                    "return_reasons",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.CharField(max_length=100),
                        blank=True,
                        default=pools.models.default_return_reasons,
                    ),
                ),
                ("is_active", models.BooleanField(default=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "admins",
                    models.ManyToManyField(
                        blank=True, related_name="admin_of_pools", to=settings.AUTH_USER_MODEL
                    ),
                ),
                (
                    "default_assignee",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="default assignee",
                    ),
                ),
                (
                    "member_teams",
                    models.ManyToManyField(blank=True, related_name="pools", to="accounts.team"),
                ),
                (
                    "members",
                    models.ManyToManyField(
                        blank=True, related_name="member_of_pools", to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
            options={
                "ordering": ["name"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("is_fallback", True)),
                        fields=("is_fallback",),
                        name="pool_one_fallback",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="HistoricalPool_members",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("m2m_history_id", models.AutoField(primary_key=True, serialize=False)),
                (
                    "history",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        to="pools.historicalpool",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "pool",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="pools.pool",
                    ),
                ),
            ],
            options={
                "verbose_name": "HistoricalPool_members",
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalPool_admins",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("m2m_history_id", models.AutoField(primary_key=True, serialize=False)),
                (
                    "history",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        to="pools.historicalpool",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "pool",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="pools.pool",
                    ),
                ),
            ],
            options={
                "verbose_name": "HistoricalPool_admins",
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalAssignmentRule",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("uuid", models.UUIDField(db_index=True, default=uuid.uuid4, editable=False)),
                ("name", models.CharField(max_length=120, verbose_name="name")),
                ("position", models.PositiveIntegerField(default=0)),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
                (
                    "triggers",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.CharField(max_length=12), default=list
                    ),
                ),
                ("conditions", models.JSONField(blank=True, default=list)),
                (
                    "target_type",
                    models.CharField(
                        choices=[("user", "A person"), ("team", "A team"), ("pool", "A pool")],
                        max_length=10,
                        verbose_name="target",
                    ),
                ),
                (
                    "strategy",
                    models.CharField(
                        choices=[
                            ("round_robin", "Round-robin"),
                            ("least_loaded", "Least loaded (fewest open leads)"),
                            ("weighted", "Weighted"),
                            ("performance", "By conversion rate"),
                        ],
                        default="round_robin",
                        max_length=20,
                        verbose_name="strategy",
                    ),
                ),
                ("weights", models.JSONField(blank=True, default=dict)),
                (
                    "daily_cap",
                    models.PositiveIntegerField(
                        blank=True, null=True, verbose_name="daily cap per member"
                    ),
                ),
                ("created_at", models.DateTimeField(blank=True, editable=False)),
                ("updated_at", models.DateTimeField(blank=True, editable=False)),
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
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "target_team",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="accounts.team",
                    ),
                ),
                (
                    "target_user",
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
                    "target_pool",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="pools.pool",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical assignment rule",
                "verbose_name_plural": "historical assignment rules",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="AssignmentRule",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("uuid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("name", models.CharField(max_length=120, verbose_name="name")),
                ("position", models.PositiveIntegerField(default=0)),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
                (
                    "triggers",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.CharField(max_length=12), default=list
                    ),
                ),
                ("conditions", models.JSONField(blank=True, default=list)),
                (
                    "target_type",
                    models.CharField(
                        choices=[("user", "A person"), ("team", "A team"), ("pool", "A pool")],
                        max_length=10,
                        verbose_name="target",
                    ),
                ),
                (
                    "strategy",
                    models.CharField(
                        choices=[
                            ("round_robin", "Round-robin"),
                            ("least_loaded", "Least loaded (fewest open leads)"),
                            ("weighted", "Weighted"),
                            ("performance", "By conversion rate"),
                        ],
                        default="round_robin",
                        max_length=20,
                        verbose_name="strategy",
                    ),
                ),
                ("weights", models.JSONField(blank=True, default=dict)),
                (
                    "daily_cap",
                    models.PositiveIntegerField(
                        blank=True, null=True, verbose_name="daily cap per member"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "target_team",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.team",
                    ),
                ),
                (
                    "target_user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "target_pool",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="rules",
                        to="pools.pool",
                    ),
                ),
            ],
            options={
                "ordering": ["position", "id"],
            },
        ),
        migrations.CreateModel(
            name="PoolEntry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("entered_at", models.DateTimeField()),
                ("claimed_at", models.DateTimeField(blank=True, null=True)),
                ("warned_at", models.DateTimeField(blank=True, null=True)),
                (
                    "lead",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="pool_entry",
                        to="leads.lead",
                    ),
                ),
                (
                    "pool",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="entries",
                        to="pools.pool",
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["pool", "claimed_at"], name="pool_entry_pool")],
            },
        ),
        migrations.CreateModel(
            name="PoolEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "action",
                    models.CharField(
                        choices=[
                            ("enter", "Entered the pool"),
                            ("claim", "Claimed"),
                            ("allocate", "Allocated"),
                            ("return", "Returned"),
                            ("withdraw", "Withdrawn"),
                            ("transfer", "Transferred"),
                            ("reclaim", "Reclaimed"),
                            ("warn", "Reclaim warning"),
                            ("route", "Routed"),
                        ],
                        max_length=10,
                    ),
                ),
                ("reason", models.CharField(blank=True, max_length=300)),
                ("at", models.DateTimeField()),
                (
                    "actor",
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
                        related_name="pool_events",
                        to="leads.lead",
                    ),
                ),
                (
                    "pool",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="events",
                        to="pools.pool",
                    ),
                ),
                (
                    "to_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-at", "-id"],
                "indexes": [
                    models.Index(fields=["pool", "action", "at"], name="pool_event_pool"),
                    models.Index(fields=["actor", "action", "at"], name="pool_event_actor"),
                ],
            },
        ),
        migrations.CreateModel(
            name="RuleMemberState",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("assigned", models.PositiveIntegerField(default=0)),
                ("day", models.DateField(null=True)),
                ("assigned_on_day", models.PositiveIntegerField(default=0)),
                ("last_assigned_at", models.DateTimeField(null=True)),
                (
                    "rule",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="states",
                        to="pools.assignmentrule",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("rule", "user"), name="pool_rule_member_state")
                ],
            },
        ),
        migrations.CreateModel(
            name="ContactReveal",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("field", models.CharField(max_length=20)),
                ("at", models.DateTimeField()),
                (
                    "lead",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reveals",
                        to="leads.lead",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-at"],
                "indexes": [models.Index(fields=["user", "at"], name="pool_reveal_user")],
            },
        ),
        migrations.RunPython(fallback_pool_create, migrations.RunPython.noop),
    ]
