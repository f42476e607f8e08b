"""The table of the database cache that every process shares (sessions, rate-limit counters, revocations).

Created for the default table name and for every database cache in ``CACHES``; an existing table is kept."""

from django.core.management import call_command
from django.db import migrations

DEFAULT_TABLE = "egov_cache"


def create_cache_tables(apps, schema_editor):
    alias = schema_editor.connection.alias
    call_command("createcachetable", DEFAULT_TABLE, database=alias, verbosity=0)
    call_command("createcachetable", database=alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_apitoken")]

    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop, elidable=False)]
