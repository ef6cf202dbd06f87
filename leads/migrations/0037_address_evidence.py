"""Duplicate detection weighs addresses: the address key (its own index), each rule's
minimum score (0 for the exact rules, which held whatever else differed), the address and
blocking keys (GIN) of the leads that exist, and the three new default rules
for tenants that have none of that name (a frozen copy: a test keeps it equal to
leads.dedup.defaults.ADDRESS_RULES)."""

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
from django.db import migrations, models
from django.db.models import Max, Q

ADDRESS_RULES = [
    (
        "Same name at the same address",
        [
            {"field": "name", "match": "fuzzy", "threshold": 85},
            {"field": "address", "match": "fuzzy", "threshold": 85},
        ],
        50,
    ),
    (
        "Same name, same postcode, similar street",
        [
            {"field": "name", "match": "fuzzy", "threshold": 85},
            {"field": "postcode", "match": "exact", "threshold": 100},
            {"field": "address", "match": "fuzzy", "threshold": 70},
        ],
        50,
    ),
    ("Strong overall evidence", [], 80),
]


def address_keys_and_rules(apps, schema_editor):
    from leads.identity.keys import keys_for

    DuplicateRule = apps.get_model("leads", "DuplicateRule")
    Lead = apps.get_model("leads", "Lead")
    for rule in DuplicateRule.objects.all():
        # Exact rules held whatever else differed: they keep doing so.
        if rule.fields and all(spec.get("match", "exact") == "exact" for spec in rule.fields):
            rule.min_score = 0
            rule.save(update_fields=["min_score"])
    position = DuplicateRule.objects.aggregate(m=Max("position"))["m"] or 0
    for name, fields, min_score in ADDRESS_RULES:
        if not DuplicateRule.objects.filter(name=name).exists():
            position += 1
            DuplicateRule.objects.create(
                name=name, fields=fields, min_score=min_score, position=position
            )
    changed = []
    fields = ("name", "company", "address", "city", "region", "postcode", "country")
    for lead in Lead.objects.only(*fields).iterator(chunk_size=5000):
        data = {f: getattr(lead, f) for f in fields}
        keys = keys_for(data, "CN")  # the region only reads phone numbers: none here
        if keys["address_key"] or keys["block_keys"]:
            changed.append((keys["address_key"], keys["block_keys"], lead.pk))
    with schema_editor.connection.cursor() as cursor:  # pipelined: fast for many rows
        cursor.executemany(
            "UPDATE leads_lead SET address_key = %s, block_keys = %s WHERE id = %s", changed
        )


class Migration(migrations.Migration):
    dependencies = [("leads", "0036_lead_postcode")]

    operations = [
        migrations.AddField(
            model_name="lead",
            name="address_key",
            field=models.CharField(
                blank=True, editable=False, max_length=100, verbose_name="address key"
            ),
        ),
        migrations.AddField(
            model_name="lead",
            name="block_keys",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.CharField(max_length=60),
                blank=True,
                default=list,
                editable=False,
                size=None,
            ),
        ),
        migrations.AddIndex(
            model_name="lead",
            index=models.Index(
                condition=~Q(address_key=""), fields=["address_key"], name="lead_address_key"
            ),
        ),
        migrations.AddIndex(
            model_name="lead",
            index=django.contrib.postgres.indexes.GinIndex(
                fastupdate=False, fields=["block_keys"], name="lead_block_keys"
            ),
        ),
        migrations.AddField(
            model_name="duplicaterule",
            name="min_score",
            field=models.PositiveSmallIntegerField(default=50, verbose_name="minimum score"),
        ),
        migrations.RunPython(address_keys_and_rules, migrations.RunPython.noop),
    ]
