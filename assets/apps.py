from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssetsConfig(AppConfig):
    name = "assets"
    verbose_name = _("Catalogue")

    def ready(self):
        from core import audit

        from . import dashboard  # noqa: F401  (registers the home-page panels)
        from .choices import HISTORY_LABELS, HardwareStatus, SystemStatus
        from .models import DataResource, HardwareItem, InformationSystem
        from .services import HISTORY_MACHINE

        audit.register_vocabulary(InformationSystem, HISTORY_MACHINE, label=_("Catalogue"), states=SystemStatus,
                                  transitions=HISTORY_LABELS)
        audit.register_vocabulary(HardwareItem, HISTORY_MACHINE, label=_("Catalogue"), states=HardwareStatus,
                                  transitions=HISTORY_LABELS)
        audit.register_vocabulary(DataResource, HISTORY_MACHINE, label=_("Catalogue"), transitions=HISTORY_LABELS)
