"""Indexes for the list's filters at a million leads (bench/lead_list_1m.py): the place and
industry filters (exact, case-insensitive, so on UPPER(column)) and the assigned days.

Plain AddIndex, as the other index migrations: a new tenant's schema is migrated inside
tenant_provision's transaction, where CREATE INDEX CONCURRENTLY cannot run. On a tenant with a
million leads each index takes a few seconds to build, during which its leads are read-only.

Then ANALYZE: Postgres keeps statistics for an expression index's values only once the table is
analyzed again, and until then it guesses that any city is 0.5 % of the leads and walks the
score index past 50,000 leads to find the 51 of a rare one."""

import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0034_open_tasks_on_reassign"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="lead",
            index=models.Index(
                django.db.models.functions.text.Upper("region"), name="lead_region_upper"
            ),
        ),
        migrations.AddIndex(
            model_name="lead",
            index=models.Index(
                django.db.models.functions.text.Upper("city"), name="lead_city_upper"
            ),
        ),
        migrations.AddIndex(
            model_name="lead",
            index=models.Index(
                django.db.models.functions.text.Upper("industry"), name="lead_industry_upper"
            ),
        ),
        migrations.AddIndex(
            model_name="lead",
            index=models.Index(
                condition=models.Q(("assigned_at__isnull", False)),
                fields=["assigned_at"],
                name="lead_assigned",
            ),
        ),
        migrations.RunSQL("ANALYZE leads_lead", reverse_sql=migrations.RunSQL.noop),
    ]
