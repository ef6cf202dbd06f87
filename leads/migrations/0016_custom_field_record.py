from django.db import migrations, models


class Migration(migrations.Migration):
    """Custom fields for other records than leads: each definition says which record it is
    for (every existing one is a lead field), and keys are unique per record."""

    dependencies = [
        ("leads", "0015_merge_0014_import_jobs_0014_lead_converted_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="customfielddefinition",
            name="record",
            field=models.CharField(
                db_index=True, default="lead", max_length=40, verbose_name="record"
            ),
        ),
        migrations.AlterField(
            model_name="customfielddefinition",
            name="key",
            field=models.SlugField(max_length=40, verbose_name="key"),
        ),
        migrations.AddConstraint(
            model_name="customfielddefinition",
            constraint=models.UniqueConstraint(
                fields=("record", "key"), name="custom_field_record_key_unique"
            ),
        ),
    ]
