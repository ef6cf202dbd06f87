"""The lead's postcode (and its history's): a plain text column, no index (the list's
postcode filter is a prefix match on the leads the other filters leave)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0035_list_filter_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicallead",
            name="postcode",
            field=models.CharField(blank=True, max_length=20, verbose_name="postcode"),
        ),
        migrations.AddField(
            model_name="lead",
            name="postcode",
            field=models.CharField(blank=True, max_length=20, verbose_name="postcode"),
        ),
    ]
