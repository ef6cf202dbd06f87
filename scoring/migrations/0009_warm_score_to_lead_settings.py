from django.db import migrations


def warm_score_copy(apps, schema_editor):
    """Each tenant's Warm threshold moves to LeadSettings.warm_score (its row is made if the
    tenant never had one, as LeadSettings.load would)."""
    ScoringSettings = apps.get_model("scoring", "ScoringSettings")
    LeadSettings = apps.get_model("leads", "LeadSettings")
    row = ScoringSettings.objects.filter(singleton=True).first()
    if row is None:
        return  # never saved: both sides have the default 31
    LeadSettings.objects.update_or_create(singleton=True, defaults={"warm_score": row.warm_score})


def warm_score_copy_back(apps, schema_editor):
    ScoringSettings = apps.get_model("scoring", "ScoringSettings")
    LeadSettings = apps.get_model("leads", "LeadSettings")
    row = LeadSettings.objects.filter(singleton=True).first()
    if row is not None:
        ScoringSettings.objects.update_or_create(
            singleton=True, defaults={"warm_score": row.warm_score}
        )


class Migration(migrations.Migration):
    """The Warm threshold lives in leads next to Hot (LeadSettings.warm_score, leads'
    migration 0017): copy each tenant's value there, then drop scoring's column."""

    dependencies = [
        ("leads", "0020_lead_settings_warm_score"),
        ("scoring", "0008_model_test_converted"),
    ]

    operations = [
        migrations.RunPython(warm_score_copy, warm_score_copy_back),
        migrations.RemoveField(
            model_name="scoringsettings",
            name="warm_score",
        ),
    ]
