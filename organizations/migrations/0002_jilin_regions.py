"""Reference data: the Jilin region tree (province, 9 prefecture-level divisions, their counties)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from organizations.reference import load_regions

    load_regions(apps.get_model("organizations", "Region"))


class Migration(migrations.Migration):
    dependencies = [("organizations", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
