from django.db import migrations

from egov.units.reference import ensure_levels_and_kinds


def forwards(apps, schema_editor):
    ensure_levels_and_kinds(apps.get_model("units", "AdministrativeLevel"), apps.get_model("units", "UnitKind"))


class Migration(migrations.Migration):
    dependencies = [("units", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
