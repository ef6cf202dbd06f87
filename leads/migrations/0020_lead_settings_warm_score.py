from django.db import migrations, models


class Migration(migrations.Migration):
    """The Warm threshold joins Hot in the leads settings, so the list's score meters show the
    tenant's bands without asking scoring. scoring's migration 0005 copies each tenant's value
    over (leads never reads scoring's table); until then every tenant has the default 31."""

    dependencies = [
        ("leads", "0019_lead_auto_tags"),
    ]

    operations = [
        migrations.AddField(
            model_name="leadsettings",
            name="warm_score",
            field=models.PositiveSmallIntegerField(default=31, verbose_name="warm from score"),
        ),
    ]
