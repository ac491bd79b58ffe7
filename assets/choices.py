from django.db import models
from django.utils.translation import gettext_lazy as _


class SystemStatus(models.TextChoices):
    BUILDING = "building", _("Under construction")
    IN_OPERATION = "in_operation", _("In operation")
    RETIRED = "retired", _("Retired")


class BuildMode(models.TextChoices):
    PROVINCIAL_FOR_OTHERS = "provincial_for_others", _("Built by the province for others")
    SELF_BUILT = "self_built", _("Built by the bureau under supervision")


class Sharing(models.TextChoices):
    UNCONDITIONAL = "unconditional", _("Unconditional sharing")
    AUTHORIZED = "authorized", _("Authorized sharing")
    NON_SHARING = "non_sharing", _("Non-sharing")


class Opening(models.TextChoices):
    UNCONDITIONAL = "unconditional", _("Unconditional opening")
    CONDITIONAL = "conditional", _("Conditional opening")
    NON_OPENING = "non_opening", _("Non-opening")


class UpdateFrequency(models.TextChoices):
    REALTIME = "realtime", _("Real time")
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")
    IRREGULAR = "irregular", _("Irregular")


class HardwareKind(models.TextChoices):
    SERVER = "server", _("Server")
    STORAGE = "storage", _("Storage")
    NETWORK = "network", _("Network device")
    CLOUD_VM = "cloud_vm", _("Cloud VM")
    CLOUD_STORAGE = "cloud_storage", _("Cloud storage")
    LICENCE = "licence", _("Licence")


class HardwareLocation(models.TextChoices):
    PROVINCIAL_CLOUD = "provincial_cloud", _("Provincial cloud (Jilin Propitious Cloud)")
    LOCAL_ROOM = "local_room", _("Local machine room")


class HardwareStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ORDERED = "ordered", _("Ordered")
    DELIVERED = "delivered", _("Delivered")
    IN_SERVICE = "in_service", _("In service")
    RETIRED = "retired", _("Retired")


# What happened to a catalogue entry, as its history and the audit log read it.
HISTORY_LABELS = {
    "create": _("Created"),
    "update": _("Changed"),
    "import": _("Imported"),
    "add_user": _("User organization added"),
    "go_live": _("Went live"),
    "retire": _("Retired"),
}
