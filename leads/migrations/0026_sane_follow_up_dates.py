import datetime
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0025_report_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Dates saved before the forms bounded them (a year-1 follow-up from the browser's
        # picker broke every list that showed the lead): a follow-up out of range is dropped,
        # a task's due date becomes the day it was created.
        migrations.RunSQL(
            """
            UPDATE leads_lead SET next_follow_up_at = NULL
            WHERE next_follow_up_at < '1999-12-31T00:00:00Z'
               OR next_follow_up_at >= '2101-01-02T00:00:00Z';
            UPDATE leads_task SET due_at = created_at
            WHERE due_at < '1999-12-31T00:00:00Z' OR due_at >= '2101-01-02T00:00:00Z';
            """,
            migrations.RunSQL.noop,
        ),
        migrations.AddConstraint(
            model_name="lead",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("next_follow_up_at__isnull", True),
                    models.Q(
                        (
                            "next_follow_up_at__gte",
                            datetime.datetime(1999, 12, 31, 0, 0, tzinfo=datetime.UTC),
                        ),
                        (
                            "next_follow_up_at__lt",
                            datetime.datetime(2101, 1, 2, 0, 0, tzinfo=datetime.UTC),
                        ),
                    ),
                    _connector="OR",
                ),
                name="lead_next_follow_up_sane",
            ),
        ),
        migrations.AddConstraint(
            model_name="task",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "due_at__gte",
                        datetime.datetime(1999, 12, 31, 0, 0, tzinfo=datetime.UTC),
                    ),
                    (
                        "due_at__lt",
                        datetime.datetime(2101, 1, 2, 0, 0, tzinfo=datetime.UTC),
                    ),
                ),
                name="task_due_sane",
            ),
        ),
    ]
