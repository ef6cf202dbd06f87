"""Every tenant starts with four automatic tags reps asked for, which admins then edit on
Settings → Scoring → Tags. English names; a Chinese workspace reads them in Chinese
(scoring.localise renames them when the workspace is created)."""

from django.db import migrations

TAG_RULES = [
    # name, match, conditions
    (
        "High intent",
        "any",
        [
            {"kind": "keyword",
             "config": {"words": ["pricing", "quote", "quotation", "demo", "报价", "急需"]}},
            {"kind": "event", "config": {"kind": "", "min": 2}},
        ],
    ),
    (
        "Decision maker",
        "any",
        [
            {"kind": "field",
             "config": {"conditions": [[{"field": "bant_authority", "op": "eq", "value": "true"}]]}},
            {"kind": "keyword",
             "config": {"words": ["CEO", "founder", "director", "VP", "head", "owner", "总经理",
                                  "总监", "董事", "老板", "负责人"],
                        "fields": ["job_title"]}},
        ],
    ),
    (
        "Price sensitive",
        "all",
        [
            {"kind": "keyword",
             "config": {"words": ["discount", "cheap", "budget", "便宜", "优惠", "折扣", "打折",
                                  "预算有限"]}},
        ],
    ),
    ("Gone quiet", "all", [{"kind": "inactive", "config": {"days": 14}}]),
]  # fmt: skip


def create_tag_rules(apps, schema_editor):
    TagRule = apps.get_model("scoring", "TagRule")
    if TagRule.objects.exists():
        return
    for position, (name, match, conditions) in enumerate(TAG_RULES):
        TagRule.objects.create(name=name, match=match, conditions=conditions, position=position)


class Migration(migrations.Migration):
    dependencies = [("scoring", "0006_tag_rules")]
    operations = [migrations.RunPython(create_tag_rules, migrations.RunPython.noop)]
