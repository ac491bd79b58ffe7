from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Demands and projects")

    def ready(self):
        from assets.signals import catalogue_changed
        from core import context_processors as navigation

        from . import audit_vocabulary, ports
        from .delivery import panels as delivery_panels
        from .demands import panels as demand_panels
        from .demands.permissions import is_expert, may_see_authorizations
        from .redundancy import feed, flags, tasks
        from .redundancy.permissions import may_view_clusters

        # Redundancy learns of every write it must index (the change feed) and of the demands'
        # decisions through the ports; the catalogue tells it of bulk changes (imports).
        feed.connect()
        catalogue_changed.connect(feed.on_catalogue_changed, dispatch_uid="redundancy-catalogue-changed")
        ports.demand_submitted.connect(tasks.schedule_check, dispatch_uid="redundancy-schedule-check")
        ports.demand_redirected.connect(flags.resolve_for_redirect, dispatch_uid="redundancy-resolve-redirect")
        demand_panels.register()
        audit_vocabulary.register()
        navigation.gate("projects:clusters", may_view_clusters)
        navigation.gate("projects:authorization_list", may_see_authorizations)
        navigation.gate("projects:expert_assignments", is_expert)
        delivery_panels.register()
