"""Every new tenant starts with sensible lists it can then edit: sources, stages, loss reasons.

Runs in each tenant schema when it is created (django-tenants migrates new schemas)."""

from django.db import migrations

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


class Migration(migrations.Migration):
    dependencies = [("leads", "0001_initial")]
    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
