"""Behavioural tracking: tracking tokens and behavioural events, the ``event`` rule kind, and
default Behavioural rules for them (each tenant then edits them)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


# name, config, points
EVENT_RULES = [
    ("Submitted a form on the website", {"kind": "form_submission"}, 10),
    ("Downloaded content", {"kind": "download"}, 8),
    ("Clicked a tracked link", {"kind": "link_click"}, 6),
    ("Opened an email", {"kind": "email_open"}, 3),
    ("Visited 3 pages or more", {"kind": "page_visit", "min": 3}, 4),
]


def create_event_rules(apps, schema_editor):
    """Into the Behavioural dimension (else the first that decays); never twice."""
    Dimension = apps.get_model("scoring", "Dimension")
    ScoringRule = apps.get_model("scoring", "ScoringRule")
    dimension = (
        Dimension.objects.filter(name="Behavioural").first()
        or Dimension.objects.filter(decays=True).order_by("position").first()
    )
    if dimension is None or ScoringRule.objects.filter(kind="event").exists():
        return
    last = ScoringRule.objects.order_by("-position").values_list("position", flat=True).first()
    start = (last or 0) + 1
    for offset, (name, config, points) in enumerate(EVENT_RULES):
        ScoringRule.objects.create(
            dimension=dimension,
            name=name,
            kind="event",
            config=config,
            points=points,
            position=start + offset,
            is_active=True,
        )


def remove_event_rules(apps, schema_editor):
    apps.get_model("scoring", "ScoringRule").objects.filter(kind="event").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0016_custom_field_record"),
        ("scoring", "0002_default_rules"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="scoringrule",
            name="kind",
            field=models.CharField(
                choices=[
                    ("field", "Field condition"),
                    ("keyword", "Keywords"),
                    ("source", "Source"),
                    ("activity", "Activities"),
                    ("negative", "Negative signal"),
                    ("event", "Behavioural events"),
                ],
                max_length=10,
                verbose_name="kind",
            ),
        ),
        migrations.CreateModel(
            name="TrackingToken",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("token", models.CharField(editable=False, max_length=64, unique=True)),
                ("target_url", models.URLField(blank=True, max_length=2000, verbose_name="target")),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="created"),
                ),
                ("expires_at", models.DateTimeField(blank=True, null=True, verbose_name="expires")),
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
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="tracking_tokens",
                        to="leads.lead",
                    ),
                ),
            ],
            options={
                "verbose_name": "tracking token",
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="BehaviourEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("form_submission", "Form submission"),
                            ("link_click", "Link click"),
                            ("download", "Content download"),
                            ("email_open", "Email open"),
                            ("page_visit", "Page visit"),
                        ],
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                (
                    "at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="happened at"
                    ),
                ),
                ("meta", models.JSONField(blank=True, default=dict)),
                (
                    "lead",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="behaviour_events",
                        to="leads.lead",
                    ),
                ),
                (
                    "token",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="events",
                        to="scoring.trackingtoken",
                    ),
                ),
            ],
            options={
                "verbose_name": "behavioural event",
                "ordering": ["-at", "-id"],
                "indexes": [models.Index(fields=["lead", "-at"], name="behaviourevent_lead_time")],
            },
        ),
        migrations.RunPython(create_event_rules, remove_event_rules),
    ]
