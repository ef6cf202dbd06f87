"""Duplicate keys again for the leads whose numbers or addresses the key rules now read
differently (issue 15): placeholders (138-0000-0000, 12345678, none@…, a@a.com) lose their
key, numbers the country's plan does not know get a digits key. Only the candidates are read
(a few SQL patterns), so a big workspace is not rewritten."""

from django.db import migrations

CANDIDATES = r"""
SELECT id FROM leads_lead
WHERE (phone <> '' AND phone_key = '') OR (mobile <> '' AND mobile_key = '')
   OR phone_key ~ '0{7,}(;|$)' OR mobile_key ~ '0{7,}(;|$)'
   OR phone_key ~ '(0123456|1234567|2345678|3456789|9876543|8765432|7654321|6543210)'
   OR mobile_key ~ '(0123456|1234567|2345678|3456789|9876543|8765432|7654321|6543210)'
   OR phone_key ~ '(\d\d)\1{3}(;|$)' OR mobile_key ~ '(\d\d)\1{3}(;|$)'
   OR email_key ~ '^(none|null|nil|na|n/a|no|noemail|no-email|no_email|nomail|test|xxx|xx|x|asdf|abc|unknown|无|没有|暂无)@'
   OR email_key ~ '^[^@]@[^.]\.'
"""
KEYS = ("email_key", "phone_key", "mobile_key")


def rekey(apps, schema_editor):
    from leads.identity.keys import keys_for
    from leads.models.config import default_region

    Lead = apps.get_model("leads", "Lead")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(CANDIDATES)
        ids = [row[0] for row in cursor.fetchall()]
    if not ids:
        return
    region = default_region()
    changed = []
    fields = ("email", "phone", "mobile", "company", "name", "country")
    for lead in Lead.objects.filter(pk__in=ids).only(*fields, *KEYS).iterator(chunk_size=2000):
        keys = keys_for({f: getattr(lead, f) for f in fields}, region)
        if any(getattr(lead, k) != keys[k] for k in KEYS):
            changed.append((*(keys[k] for k in KEYS), lead.pk))
    with schema_editor.connection.cursor() as cursor:  # pipelined: fast for many rows
        cursor.executemany(
            "UPDATE leads_lead SET email_key = %s, phone_key = %s, mobile_key = %s WHERE id = %s",
            changed,
        )


class Migration(migrations.Migration):
    dependencies = [("leads", "0026_sane_follow_up_dates")]

    operations = [migrations.RunPython(rekey, migrations.RunPython.noop)]
