from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Demands and projects")

    def ready(self):
        # Index bookkeeping of redundancy detection (see projects/redundancy_feed.py for why signals).
        from . import redundancy_feed

        redundancy_feed.connect()
