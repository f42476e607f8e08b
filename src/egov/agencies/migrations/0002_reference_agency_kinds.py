from django.db import migrations

from egov.agencies.reference import ensure_agency_kinds


def forwards(apps, schema_editor):
    ensure_agency_kinds(apps.get_model("agencies", "AgencyKind"))


class Migration(migrations.Migration):
    dependencies = [("agencies", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
