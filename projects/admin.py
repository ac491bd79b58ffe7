"""The admin of each domain package registers itself here (Django looks for `projects.admin`)."""

from .delivery import admin as delivery_admin  # noqa: F401
from .demands import admin as demands_admin  # noqa: F401
from .redundancy import admin as redundancy_admin  # noqa: F401
