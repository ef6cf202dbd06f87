"""The pipeline a new workspace starts with (a frozen copy of
conversion.services.records.DEFAULT_STAGES; a test keeps the two equal)."""

from django.db import migrations

STAGES = [
    ("Discovery", 10, "open"),
    ("Proposal", 40, "open"),
    ("Negotiation", 70, "open"),
    ("Won", 100, "won"),
    ("Lost", 0, "lost"),
]


def add_stages(apps, schema_editor):
    Stage = apps.get_model("conversion", "OpportunityStage")
    if Stage.objects.exists():
        return
    for position, (name, probability, outcome) in enumerate(STAGES):
        Stage.objects.create(name=name, probability=probability, outcome=outcome, position=position)


class Migration(migrations.Migration):
    dependencies = [("conversion", "0001_initial")]

    operations = [migrations.RunPython(add_stages, migrations.RunPython.noop)]
