"""pg_trgm lives in the public schema, so every tenant schema (search_path: tenant, public)
can use its operators for substring search and fuzzy duplicate checks."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("tenancy", "0001_initial")]
    operations = [TrigramExtension()]
