"""Projects made before every project had a manager get the construction team's default one."""

from django.db import migrations


def assign_default_managers(apps, schema_editor):
    Project = apps.get_model("projects", "Project")
    User = apps.get_model("organizations", "User")
    for org_id in Project.objects.filter(manager__isnull=True).values_list("construction_org_id", flat=True).distinct():
        manager = User.objects.filter(role="project_manager", organization_id=org_id, is_active=True).order_by("pk").first()
        if manager is not None:
            Project.objects.filter(manager__isnull=True, construction_org_id=org_id).update(manager=manager)


class Migration(migrations.Migration):
    dependencies = [("projects", "0006_flag_state_machine"), ("organizations", "0003_user_language")]
    operations = [migrations.RunPython(assign_default_managers, migrations.RunPython.noop)]
