from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssetsConfig(AppConfig):
    name = "assets"
    verbose_name = _("Catalogue")

    def ready(self):
        from . import dashboard  # noqa: F401  (registers the home-page panels)
