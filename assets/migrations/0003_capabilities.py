"""Reference data: the shared capability taxonomy."""

from django.db import migrations


def forwards(apps, schema_editor):
    from assets.reference import load_capabilities

    load_capabilities(apps.get_model("assets", "Capability"))


class Migration(migrations.Migration):
    dependencies = [("assets", "0002_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
